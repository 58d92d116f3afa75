//! The serialiser and the read-back check against the complete YAML
//! parser and PyYAML: everything the serialiser writes parses back to the
//! same value; whenever a (randomly mutated) file passes as verbatim, the
//! complete parser (with the YAML 1.1 boolean check) reads exactly those
//! documents.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{full_check, is_verbatim};
use crate::yaml::{parse_documents, to_yaml, Limits, Source};
use proptest::prelude::*;
use serde_json::{json, Value};

fn words() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "a", "Z", "0", "1", "9", " ", ":", "#", "-", "\n", "\"", "'", "\\", "\t", "é", "\u{85}",
        "\u{2028}", "e", "x", ".", "|", "{", "[", "on", "yes", "null", "1e3", "0x1F", "~", "Gi",
        "//", "@", "&", "*", "!", "%", "?", ",", "> ", "\r", "\u{1}", "  ",
    ]);
    prop::collection::vec(pieces, 0..6).prop_map(|p| p.concat())
}

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        prop::num::f64::NORMAL.prop_map(Value::from),
        words().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((words(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// What the complete parser reads, as JSON, when it reads the text at all.
fn full_parse(text: &str) -> Option<Vec<Value>> {
    let source = std::sync::Arc::new(Source {
        name: "t.yaml".into(),
        text: text.into(),
    });
    let docs = parse_documents(source, Limits::default()).ok()?;
    Some(docs.iter().map(|d| d.to_json()).collect())
}

fn mutate(text: &str, edits: &[(prop::sample::Index, u8, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for (at, op, b) in edits {
        let i = at.index(bytes.len() + 1);
        match op % 4 {
            0 => bytes.insert(i, *b),
            1 if i < bytes.len() => {
                bytes.remove(i);
            }
            2 if i < bytes.len() => bytes[i] = *b,
            _ => {
                // Duplicate the line holding `i`.
                let start = bytes[..i]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |p| p + 1);
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(start..start, line);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// 2000 cases each; `PLATGEN_FUZZ_CASES` runs more.
fn cases() -> u32 {
    std::env::var("PLATGEN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn emitted_yaml_reads_back(v in value()) {
        let text = to_yaml(&v).unwrap();
        prop_assert_eq!(full_parse(&text), Some(vec![v.clone()]), "reads differently:\n{}", text);
        prop_assert!(full_check("t.yaml", &text, std::slice::from_ref(&v)).is_ok(), "refused:\n{}", text);
    }

    #[test]
    fn what_passes_as_verbatim_the_full_parser_reads(
        vs in prop::collection::vec(value(), 0..4),
        head in prop::sample::select(vec!["", "# h\n", "---\n", "# h\n---\n\n", "\n#x\r\n", "  # h\n"]),
        gap in prop::sample::select(vec!["---\n", "# s\n---\n", "---\n# s\n\n", "", "---\n---\n", "...\n---\n", " ---\n"]),
        tail in prop::sample::select(vec!["", "# e\n", "\n\n", "---\n", "# e\u{2028}x: 1\n"]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), prop::sample::select(b"\n\t :-#|\"'{}[]&*!>0aZ~.\\".to_vec())), 0..3),
    ) {
        let docs: Vec<String> = vs.iter().map(|v| to_yaml(v).unwrap()).collect();
        let text = format!("{head}{}{tail}", docs.join(gap));
        let mutated = mutate(&text, &edits);
        if is_verbatim(&mutated, &docs) {
            prop_assert_eq!(full_parse(&mutated), Some(vs.clone()), "verbatim accepted:\n{}", mutated);
            prop_assert!(full_check("t.yaml", &mutated, &vs).is_ok(), "YAML 1.1 trap accepted:\n{}", mutated);
        }
        // Emitted documents with one `---` between them always pass.
        let clean = format!("# h\n{}", docs.join("---\n"));
        prop_assert!(is_verbatim(&clean, &docs), "refused:\n{}", clean);
    }

    #[test]
    fn a_changed_value_is_never_accepted(v in value(), w in value()) {
        let text = to_yaml(&v).unwrap();
        prop_assert_eq!(full_check("t.yaml", &text, std::slice::from_ref(&w)).is_ok(), v == w);
    }
}

/// A Python with PyYAML: `.tools/venv` (which `.ci/run` installs), else
/// `python3`. Missing, the test says so and skips; under `CI=true` it fails.
fn python_with_pyyaml() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/venv/bin/python");
    for python in [local, PathBuf::from("python3")] {
        let ok = Command::new(&python)
            .args(["-c", "import yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(python);
        }
    }
    absent("no Python with PyYAML (run ../shared/tools/install-k8s-tools.sh .tools)")
}

/// PyYAML reads YAML 1.1, as Go's yaml.v2 in Helm and Argo CD does. Every
/// emitted random value must read back in it exactly as gen means it (the
/// rendered files are read the same way in the integration tests).
#[test]
#[cfg_attr(
    not(platgen_has = "pyyaml"),
    ignore = "needs a Python with PyYAML (.tools/venv or python3)"
)]
fn a_yaml_1_1_reader_reads_what_was_emitted() {
    let Some(python) = python_with_pyyaml() else {
        return;
    };
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut cases_file = String::new();
    let mut push = |text: &str, docs: &[Value]| {
        cases_file.push_str(&json!({ "yaml": text, "docs": docs }).to_string());
        cases_file.push('\n');
    };
    for _ in 0..cases() {
        let v = value().new_tree(&mut runner).unwrap().current();
        push(&to_yaml(&v).unwrap(), std::slice::from_ref(&v));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.jsonl");
    std::fs::write(&path, &cases_file).unwrap();
    let script = r#"
import json, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
bad = 0
for line in open(sys.argv[1], encoding="utf-8"):
    case = json.loads(line)
    got = list(yaml.load_all(case["yaml"], Loader=loader))
    if got != case["docs"]:
        bad += 1
        if bad <= 5:
            print("YAML 1.1 reads differently:\n" + case["yaml"] + "\n-> " + repr(got) + "\nwanted " + repr(case["docs"]))
sys.exit(1 if bad else 0)
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn document_counts() {
    let one = [json!({"a": 1})];
    let two = [json!({"a": 1}), json!({"b": 2})];
    let ok = |text: &str, docs: &[Value]| full_check("t.yaml", text, docs).is_ok();
    assert!(ok("# h\n---\na: 1\n", &one));
    assert!(ok("a: 1\n---\nb: 2\n", &two));
    assert!(!ok("a: 1\n---\nb: 2\n", &one));
    assert!(!ok("a: 1\n", &two));
}

/// The tool a test needs is missing at run time though the build found it
/// (`build.rs`; where it did not, the test is ignored): a failure.
fn absent<T>(what: &str) -> Option<T> {
    panic!("{what}; the build found it here (build.rs): re-check with `touch build.rs`")
}
