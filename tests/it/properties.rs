//! Properties that must hold for every valid config, and a fuzz target for
//! the loader that runs on stable Rust (proptest over raw and mutated
//! bytes). Case counts are bounded so the suite stays quick; set
//! `PLATGEN_FUZZ_CASES` to run the fuzz targets longer.

use platgen::Platform;
use proptest::prelude::*;

fn builtin_files() -> Vec<(String, String)> {
    Platform::example_files()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".yaml"))
        .collect()
}

/// A valid prod overlay varying replicas, volume sizes, tags and switches.
fn overlay() -> impl Strategy<Value = String> {
    (
        (1u32..4, 1u32..5, 0u32..3, prop::sample::select(vec![1u32, 3, 5])),
        (1u32..300, 1u32..300, 1u32..500),
        (1u32..5, 0u32..3, 0u32..4),
        (any::<bool>(), any::<bool>(), any::<bool>(), prop::sample::select(vec!["2.9.0", "2.9.3"])),
    )
        .prop_map(|((master, data, ingest, ctrl), (es, kafka, be), (be_n, min, extra), (checks, katib, store, ray))| {
            let replicas = min + 1;
            format!(
                "components:\n  elasticsearch:\n    master: {{replicas: {master}}}\n    data: {{replicas: {data}, storage: {es}Gi}}\n    ingest: {{replicas: {ingest}}}\n  kafka:\n    controller: {{replicas: {ctrl}, storage: {kafka}Gi}}\n  doris:\n    be: {{replicas: {be_n}, storage: {be}Gi}}\n  katib: {{enabled: {katib}}}\n  rayCluster:\n    image: rayproject/ray:{ray}\n    rayVersion: \"{ray}\"\n    workerGroups:\n      - {{groupName: workers, replicas: {replicas}, minReplicas: {min}, maxReplicas: {max}, resources: {{requests: {{cpu: 500m}}, limits: {{cpu: \"1\"}}}}}}\n{checks}{store}",
                max = replicas + extra,
                checks = if checks { "" } else { "checks: null\n" },
                store = if store { "" } else { "secretStore: null\n" },
            )
        })
}

fn with_overlay(text: &str) -> Vec<(String, String)> {
    let mut files = builtin_files();
    files.retain(|(p, _)| !p.starts_with("envs/"));
    files.push(("envs/prod.yaml".into(), text.to_string()));
    files.push(("envs/blank.yaml".into(), String::new()));
    files.push((
        "envs/other.yaml".into(),
        "domain: other.example.com\n".into(),
    ));
    files
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn valid_configs_render_deterministically(text in overlay()) {
        let files = with_overlay(&text);
        let a = Platform::from_files(&files).unwrap().render("prod").unwrap();
        let b = Platform::from_files(&files).unwrap().render("prod").unwrap();
        prop_assert_eq!(&a, &b, "two renders are byte-identical");
        for (path, text) in &a.files {
            prop_assert!(!crate::common::yaml_docs(path, text).is_empty(), "{} parses", path);
        }
        // --all in parallel equals one env at a time.
        let p = Platform::from_files(&files).unwrap();
        let all = p.render_all().unwrap();
        let one_by_one: Vec<_> = p.envs().iter().map(|e| p.render(e).unwrap()).collect();
        prop_assert_eq!(all, one_by_one);
    }

    #[test]
    fn an_empty_overlay_changes_nothing(text in overlay()) {
        let mut files = with_overlay(&text);
        // The overlay becomes the base's content; an empty env renders it unchanged.
        let p = Platform::from_files(&files).unwrap();
        let base_yaml = p.effective_config("prod").unwrap();
        files.retain(|(p, _)| p != "platform.yaml");
        files.push(("platform.yaml".into(), base_yaml));
        let reloaded = Platform::from_files(&files).unwrap();
        let blank = reloaded.render("blank").unwrap();
        let prod = p.render("prod").unwrap();
        // Same files, byte for byte, apart from the env name in paths and headers.
        prop_assert_eq!(blank.files.keys().collect::<Vec<_>>(), prod.files.keys().collect::<Vec<_>>());
        for (path, text) in &blank.files {
            prop_assert_eq!(text.replace("blank", "prod"), prod.files[path].clone(), "{}", path);
        }
    }

    #[test]
    fn a_config_serialised_and_loaded_again_is_equal(text in overlay()) {
        let files = with_overlay(&text);
        let yaml = Platform::from_files(&files).unwrap().effective_config("prod").unwrap();
        let again = Platform::from_files(&[("platform.yaml".into(), yaml.clone()), ("envs/x.yaml".into(), String::new())])
            .unwrap()
            .effective_config("x")
            .unwrap();
        prop_assert_eq!(yaml, again);
    }
}

fn fuzz_cases() -> u32 {
    std::env::var("PLATGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

/// Loads, resolves and renders; any outcome but a panic is fine.
fn no_panic(files: &[(String, String)]) {
    if let Ok(p) = Platform::from_files(files) {
        for env in p.envs() {
            let _ = p.render(&env);
            let _ = p.plan(&env);
        }
    }
}

/// Inputs the fuzzers once found a panic with, kept as plain cases.
#[test]
fn found_by_fuzzing() {
    // A tab before a `user:pw@host` word: the credential masker split on
    // spaces only and lost the word it had been told was there.
    let text = String::from_utf8_lossy(&[45, 47, 9, 58, 14, 64, 14, 58, 32, 1]).into_owned();
    no_panic(&[
        ("platform.yaml".into(), text.clone()),
        ("envs/prod.yaml".into(), text),
    ]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn fuzz_raw_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        no_panic(&[("platform.yaml".into(), text.clone()), ("envs/prod.yaml".into(), text)]);
    }

    #[test]
    fn fuzz_mutated_config(edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b"\n\t :-[]{}&*!|>'\"#%@0aZ~".to_vec())), 1..6)) {
        let mut files = builtin_files();
        for (i, (path, text)) in files.iter_mut().enumerate() {
            if i > 1 && path != "envs/prod.yaml" {
                continue;
            }
            let mut bytes = text.clone().into_bytes();
            for (at, b) in &edits {
                let at = at.index(bytes.len().max(1));
                if at < bytes.len() {
                    bytes[at] = *b;
                }
            }
            *text = String::from_utf8_lossy(&bytes).into_owned();
        }
        no_panic(&files);
    }

    /// A credential written anywhere in an overlay, in any form, under any
    /// key (typos included), among random edits: whatever the outcome, no
    /// error repeats it, and a render that succeeds never emits it where
    /// the key holds a credential or the value is a URL's userinfo.
    #[test]
    fn fuzz_credentials_never_reach_errors_or_output(
        line in any::<prop::sample::Index>(),
        indent in 0usize..8,
        key in prop::sample::select(vec!["password", "adminPassword", "apiKey", "botToken", "secretKey", "pasword", "secert", "tokn", "host", "repoUrl"]),
        form in 0usize..5,
        n in 1000u32..9999,
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b"\n\t :-[]{}#\"".to_vec())), 0..3),
    ) {
        let credential = format!("Zq7x{n}cred");
        // A host or a URL holds a credential only in its userinfo.
        let form = if matches!(key, "host" | "repoUrl") { [2, 4][form % 2] } else { form };
        let value = match form {
            0 => credential.clone(),
            1 => format!("\"{credential}\""),
            2 => format!("https://bot:{credential}@git.example.com/x.git"),
            3 => format!("{{secret: s, key: k, value: {credential}}}"),
            _ => format!("admin:{credential}@db.example.com"),
        };
        let mut files = builtin_files();
        let (_, text) = files.iter_mut().find(|(p, _)| p == "envs/prod.yaml").unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let at = line.index(lines.len() + 1);
        let inserted = format!("{}{key}: {value}", " ".repeat(indent));
        lines.insert(at, inserted.clone());
        let mut bytes = (lines.join("\n") + "\n").into_bytes();
        // Edits anywhere but the credential's line, which stays whole.
        let start = lines[..at].iter().map(|l| l.len() + 1).sum::<usize>();
        let end = start + inserted.len();
        for (i, b) in &edits {
            let i = i.index(bytes.len());
            if !(start..=end).contains(&i) {
                bytes[i] = *b;
            }
        }
        *text = String::from_utf8_lossy(&bytes).into_owned();
        let overlay = text.clone();
        let strict = matches!(form, 2 | 4)
            || (matches!(form, 0 | 1) && ["password", "adminPassword", "apiKey", "botToken", "secretKey"].contains(&key));
        match Platform::from_files(&files) {
            Err(e) => prop_assert!(!e.to_string().contains(&credential), "{e}"),
            Ok(p) => {
                for env in p.envs() {
                    match p.render(&env) {
                        Err(e) => prop_assert!(!e.to_string().contains(&credential), "{e}"),
                        Ok(tree) if strict => {
                            for (path, out) in &tree.files {
                                prop_assert!(!out.contains(&credential), "{path} holds it:\n{overlay}");
                            }
                        }
                        Ok(_) => {}
                    }
                }
            }
        }
    }
}
