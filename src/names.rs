//! Names and their rules: DNS labels, label keys, how a component's name is
//! spelled in config, "did you mean" for typos, cluster-local Service
//! hosts, and which key names suggest a credential.

/// Whether `s` is a DNS-1123 label (namespaces, release names, env names).
pub(crate) fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// How to write a DNS-1123 label, for the help of a finding.
pub(crate) const DNS_LABEL_HELP: &str =
    "use lower-case letters, digits and `-` (a DNS-1123 label, at most 63 characters)";

/// Whether `key` is a Kubernetes label key: an optional DNS prefix and
/// `/`, then at most 63 letters, digits, `-`, `_` or `.`, starting and
/// ending alphanumeric.
pub(crate) fn is_label_key(key: &str) -> bool {
    let name = key.rsplit_once('/').map_or(key, |(_, n)| n);
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

/// The config key of a component (`doris-operator` → `dorisOperator`).
pub(crate) fn config_key(component: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for ch in component.chars() {
        if ch == '-' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Whether a key name suggests it holds a credential.
pub(crate) fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "accesskey",
        "access_key",
        "credential",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Cluster-local DNS name of a Service.
pub(crate) fn service_host(name: &str, namespace: &str) -> String {
    format!("{name}.{namespace}.svc.cluster.local")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(is_dns_label("data-platform"));
        for bad in ["", "-a", "a-", "A", "a_b", &"a".repeat(64)] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert!(is_label_key("istio-injection"));
        assert!(is_label_key("pod-security.kubernetes.io/enforce"));
        assert!(!is_label_key("-x") && !is_label_key("a/") && !is_label_key(""));
        assert_eq!(config_key("doris-operator"), "dorisOperator");
        assert_eq!(
            did_you_mean("replicass", ["replicas", "storage"]),
            Some("replicas")
        );
        assert_eq!(did_you_mean("zzz", ["replicas"]), None);
        assert!(looks_secret("mlflowPassword") && !looks_secret("replicas"));
    }
}
