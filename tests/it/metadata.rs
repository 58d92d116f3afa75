//! `metadata` of every rendered Kubernetes object, custom resources
//! included, as the API server validates it (apimachinery's
//! `ValidateObjectMeta`): a CRD's schema leaves `metadata` to the server, so
//! the CRD conformance tests cannot catch a bad name or label there.

use crate::common;

use platgen::Platform;
use serde_json::Value;

/// RFC 1123 label: lower-case alphanumerics and `-`, alphanumeric at both
/// ends, at most 63 characters (namespaces, most names).
fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
fn dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(dns_label)
}

/// A qualified name (`[prefix/]name`): the name at most 63 characters of
/// alphanumerics, `-`, `_`, `.`, alphanumeric at both ends; the prefix a
/// subdomain. Label and annotation keys.
fn qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric();
    name_ok && prefix.is_none_or(dns_subdomain)
}

/// A label value: empty, or like a qualified name without prefix.
fn label_value(s: &str) -> bool {
    s.is_empty() || (!s.contains('/') && qualified_name(s))
}

/// What is wrong with one object's metadata, if anything.
fn problems(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(meta) = doc.get("metadata").and_then(Value::as_object) else {
        return vec!["no metadata".into()];
    };
    for key in meta.keys() {
        if !["name", "namespace", "labels", "annotations", "finalizers"].contains(&key.as_str()) {
            out.push(format!("metadata.{key} is not set by clients"));
        }
    }
    match meta.get("name").and_then(Value::as_str) {
        Some(name) if dns_subdomain(name) => {}
        other => out.push(format!("name {other:?} is not a DNS subdomain")),
    }
    if let Some(ns) = meta.get("namespace") {
        if !ns.as_str().is_some_and(dns_label) {
            out.push(format!("namespace {ns} is not a DNS label"));
        }
    }
    for (field, value_ok) in [
        ("labels", label_value as fn(&str) -> bool),
        ("annotations", |_: &str| true),
    ] {
        let Some(map) = meta.get(field) else { continue };
        let Some(map) = map.as_object() else {
            out.push(format!("{field} is not a map"));
            continue;
        };
        for (k, v) in map {
            if !qualified_name(k) {
                out.push(format!("{field} key `{k}` is not a qualified name"));
            }
            match v.as_str() {
                Some(v) if value_ok(v) => {}
                _ => out.push(format!("{field}.{k} value {v} is not valid")),
            }
        }
    }
    out
}

#[test]
fn every_object_has_metadata_the_api_server_accepts() {
    let platform = Platform::builtin().unwrap();
    let mut objects = 0;
    let mut custom = 0;
    for env in platform.envs() {
        let tree = platform.render(&env).unwrap();
        for (path, text) in &tree.files {
            for doc in common::yaml_docs(path, text) {
                // Helm values files are not objects.
                if doc.get("apiVersion").is_none() || doc.get("kind").is_none() {
                    continue;
                }
                objects += 1;
                let api = doc["apiVersion"].as_str().unwrap_or_default();
                if api.contains('.') && !api.starts_with("networking.k8s.io/") {
                    custom += 1;
                }
                let found = problems(&doc);
                assert!(found.is_empty(), "{env}/{path} {}: {found:?}", doc["kind"]);
            }
        }
    }
    assert!(objects > 60, "{objects} objects");
    assert!(custom > 20, "{custom} custom resources");
}

#[test]
fn the_rules_refuse_what_the_api_server_refuses() {
    let ok = serde_json::json!({"metadata": {
        "name": "doris-cluster", "namespace": "doris-analytics",
        "labels": {"app.kubernetes.io/name": "doris", "tier": ""},
        "annotations": {"argocd.argoproj.io/sync-wave": "2"},
    }});
    assert_eq!(problems(&ok), Vec::<String>::new());
    for bad in [
        serde_json::json!({"metadata": {"name": "Doris"}}),
        serde_json::json!({"metadata": {"name": "a", "namespace": "a.b"}}),
        serde_json::json!({"metadata": {"name": "a", "labels": {"a": "x/y"}}}),
        serde_json::json!({"metadata": {"name": "a", "labels": {"-a": "x"}}}),
        serde_json::json!({"metadata": {"name": "a", "labels": {"a": 1}}}),
        serde_json::json!({"metadata": {"name": "a", "annotations": {"A_/b": "x"}}}),
        serde_json::json!({"metadata": {"name": "a", "uid": "x"}}),
        serde_json::json!({"metadata": {"name": "a".repeat(254)}}),
        serde_json::json!({}),
    ] {
        assert!(!problems(&bad).is_empty(), "{bad}");
    }
}
