//! The emitter and the fast read-back check against the complete YAML
//! parser: everything the emitter writes is shown by the fast reader and
//! parses back to the same value; and whenever the fast reader says a text
//! holds some values, the complete parser (with the YAML 1.1 boolean check)
//! agrees — on emitted text and on text mutated at random.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use platgen::check::{full_check, is_verbatim};
use platgen::yaml::{emit, holds, parse_documents, to_yaml, Limits, Source};
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
    fn emitted_yaml_is_shown_and_reads_back(v in value()) {
        let text = emit(&v).unwrap();
        prop_assert!(holds(&text, std::slice::from_ref(&v)), "fast reader refused:\n{}", text);
        prop_assert!(full_check("t.yaml", &text, std::slice::from_ref(&v)).is_ok(), "full parser disagrees:\n{}", text);
    }

    #[test]
    fn what_the_fast_reader_shows_the_full_parser_reads(
        v in value(),
        header in prop::sample::select(vec!["", "# c\n", "---\n", "# c\n---\n"]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), prop::sample::select(b"\n\t :-#|\"'{}[]&*!>0aZ~.\\".to_vec())), 1..4),
    ) {
        let text = format!("{header}{}", emit(&v).unwrap());
        let mutated = mutate(&text, &edits);
        let expect = [v];
        if holds(&mutated, &expect) {
            prop_assert_eq!(full_parse(&mutated), Some(expect.to_vec()), "fast reader accepted:\n{}", mutated);
            prop_assert!(full_check("t.yaml", &mutated, &expect).is_ok(), "YAML 1.1 trap accepted:\n{}", mutated);
        }
        if let Some(docs) = full_parse(&mutated) {
            if holds(&mutated, &docs) {
                prop_assert!(full_check("t.yaml", &mutated, &docs).is_ok(), "fast reader accepted:\n{}", mutated);
            }
        }
    }

    #[test]
    fn what_passes_as_verbatim_the_full_parser_reads(
        vs in prop::collection::vec(value(), 0..4),
        head in prop::sample::select(vec!["", "# h\n", "---\n", "# h\n---\n\n", "\n#x\r\n", "  # h\n"]),
        gap in prop::sample::select(vec!["---\n", "# s\n---\n", "---\n# s\n\n", "", "---\n---\n", "...\n---\n", " ---\n"]),
        tail in prop::sample::select(vec!["", "# e\n", "\n\n", "---\n", "# e\u{2028}x: 1\n"]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), prop::sample::select(b"\n\t :-#|\"'{}[]&*!>0aZ~.\\".to_vec())), 0..3),
    ) {
        let docs: Vec<String> = vs.iter().map(|v| emit(v).unwrap()).collect();
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
    fn the_serialiser_writes_what_the_emitter_writes(v in value()) {
        prop_assert_eq!(to_yaml(&v).unwrap(), emit(&v).unwrap());
    }

    #[test]
    fn a_changed_value_is_never_shown(v in value(), w in value()) {
        let text = emit(&v).unwrap();
        prop_assert_eq!(holds(&text, std::slice::from_ref(&w)), v == w);
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
    common::absent("no Python with PyYAML (run ../shared/tools/install-k8s-tools.sh .tools)")
}

/// PyYAML reads YAML 1.1, as Go's yaml.v2 in Helm and Argo CD does. Every
/// emitted random value, and every file of the built-in platform's render,
/// must read back in it exactly as gen means it.
#[test]
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
        push(&emit(&v).unwrap(), std::slice::from_ref(&v));
    }
    let mut files = 0;
    for tree in platgen::Platform::builtin().unwrap().render_all().unwrap() {
        for text in tree.files.values() {
            push(text, &full_parse(text).expect("rendered files parse"));
            files += 1;
        }
    }
    assert!(files > 100);
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

/// Texts a YAML reader reads differently from the plain-looking value next
/// to them: the fast reader must not claim them; each is paired with a
/// text it does show, so the assertion can fail both ways.
#[test]
fn ambiguous_texts_are_left_to_the_full_parser() {
    let cases: [(&str, &str, Value); 14] = [
        ("a: on\n", "a: \"on\"\n", json!({"a": "on"})),
        ("a: 0755\n", "a: 755\n", json!({"a": 755})),
        ("a: 1e3\n", "a: \"1e3\"\n", json!({"a": "1e3"})),
        ("a: b\n  c\n", "a: b c\n", json!({"a": "b c"})),
        ("a: 1\na: 1\n", "a: 1\nb: 1\n", json!({"a": 1, "b": 1})),
        ("a:\tb\n", "a: b\n", json!({"a": "b"})),
        ("a: &x b\n", "a: b\n", json!({"a": "b"})),
        ("a: !!str 1\n", "a: \"1\"\n", json!({"a": "1"})),
        ("a: |\n  x\n  \n", "a: |\n  x\n", json!({"a": "x\n"})),
        ("a: >\n  x\n", "a: |\n  x\n", json!({"a": "x\n"})),
        ("a: {b: 1}\n", "a:\n  b: 1\n", json!({"a": {"b": 1}})),
        ("a:\n  - 1\n - 2\n", "a:\n- 1\n- 2\n", json!({"a": [1, 2]})),
        ("a: \"x\n  y\"\n", "a: \"x y\"\n", json!({"a": "x y"})),
        ("a: b # c\n  d\n", "a: b # c\n", json!({"a": "b"})),
    ];
    for (unsure, sure, v) in cases {
        let expect = std::slice::from_ref(&v);
        assert!(!holds(unsure, expect), "claimed {unsure:?}");
        assert!(holds(sure, expect), "refused {sure:?}");
        assert!(full_check("t.yaml", sure, expect).is_ok());
    }
}

#[test]
fn document_counts() {
    let one = [json!({"a": 1})];
    let two = [json!({"a": 1}), json!({"b": 2})];
    assert!(holds("# h\n---\na: 1\n", &one));
    assert!(holds("a: 1\n---\nb: 2\n", &two));
    assert!(!holds("a: 1\n---\nb: 2\n", &one));
    assert!(!holds("a: 1\n", &two));
    assert!(!holds("a: 1\n---\n", &one));
    assert!(!holds("a: 1", &one), "no final newline");
}
