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

/// Whether `s` is a DNS-1123 subdomain (Secret names, domains): dot-separated
/// DNS labels, at most 253 characters.
pub(crate) fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// Whether `s` is a key of a Secret's data: letters, digits, `-`, `_`, `.`.
pub(crate) fn is_secret_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && !matches!(s, "." | "..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Words of keys that hold a credential themselves.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "clientsecret",
    "credential",
];

fn squash(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a key holds a credential itself (`password`, `apiKey`,
/// `secretAccessKey`, `botToken`), not the name of a Secret that holds one
/// (`tlsSecret`, `existingSecret`, `passwordSecretName`).
pub(crate) fn holds_credential(key: &str) -> bool {
    let k = squash(key);
    let names_a_secret = ["secret", "secretname", "secretref", "ref"]
        .iter()
        .any(|end| k.ends_with(end));
    k.ends_with("clientsecret")
        || (!names_a_secret && CREDENTIAL_WORDS.iter().any(|w| k.contains(w)))
}

/// Whether a key may hold a credential, typos included (`pasword`): its
/// value is masked wherever a config line is shown.
pub(crate) fn may_hold_credential(key: &str) -> bool {
    let k = squash(key);
    looks_secret(key)
        || CREDENTIAL_WORDS.iter().any(|w| k.contains(w))
        || split_words(key).iter().any(|part| {
            [
                "password",
                "passwd",
                "secret",
                "token",
                "apikey",
                "accesskey",
                "credential",
            ]
            .iter()
            .any(|w| strsim::jaro_winkler(part, w) >= 0.88)
        })
}

/// `fooBar_baz-qux` → `foo`, `bar`, `baz`, `qux`, lower-cased.
fn split_words(key: &str) -> Vec<String> {
    let mut words = vec![String::new()];
    for c in key.chars() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            words.push(String::new());
        } else if c.is_uppercase() {
            words.push(c.to_lowercase().collect());
        } else {
            words.last_mut().expect("one word").push(c);
        }
    }
    words.retain(|w| !w.is_empty());
    words
}

/// A word's userinfo split around its password: `(before, after)` where
/// `before` ends with `user:` and `after` starts with `@host`, or `None` when
/// the word carries no password (`https://bot:TOKEN@git.example.com`,
/// `user:pw@db`).
fn userinfo_password(word: &str) -> Option<(&str, &str)> {
    let start = word.find("://").map_or(0, |i| i + 3);
    let rest = &word[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let (info, host) = authority.rsplit_once('@')?;
    let colon = info.find(':')?;
    if host.is_empty() || colon + 1 == info.len() {
        return None;
    }
    Some((&word[..start + colon + 1], &word[start + info.len()..]))
}

/// Whether `s` carries a password in a URL's or host's userinfo
/// (`https://bot:TOKEN@git.example.com`, `user:pw@db`).
pub(crate) fn has_userinfo_password(s: &str) -> bool {
    s.split_whitespace()
        .any(|word| userinfo_password(word).is_some())
}

/// A line fit to show (of config in an error, of a config file in a
/// diff): the value of a key that may hold a credential (`key: value`,
/// `key=value`) is masked, and so is a password in a URL's userinfo.
pub(crate) fn mask_credentials(line: &str) -> std::borrow::Cow<'_, str> {
    const MASK: &str = "********";
    let mut key_start = None;
    for (i, c) in line.char_indices() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
            key_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = key_start.filter(|_| matches!(c, ':' | '=')) {
            let key = &line[start..i];
            let rest = &line[i + 1..];
            let value_follows = match c {
                ':' => rest.is_empty() || rest.starts_with(' '),
                _ => !rest.trim().is_empty(),
            };
            if value_follows && may_hold_credential(key) {
                return match c {
                    ':' => format!("{}: {MASK}", &line[..i]),
                    _ => format!("{}={MASK}", &line[..i]),
                }
                .into();
            }
        }
        key_start = None;
    }
    if !has_userinfo_password(line) {
        return line.into();
    }
    line.split_inclusive(char::is_whitespace)
        .map(|piece| {
            let word = piece.trim_end_matches(char::is_whitespace);
            let space = &piece[word.len()..];
            match userinfo_password(word) {
                Some((before, after)) => format!("{before}{MASK}{after}{space}"),
                None => piece.to_string(),
            }
        })
        .collect::<String>()
        .into()
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
        "apikey",
        "api_key",
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
    fn credentials_are_told_from_secret_names() {
        for key in [
            "password",
            "adminPassword",
            "apiKey",
            "secretAccessKey",
            "botToken",
            "client_secret",
        ] {
            assert!(holds_credential(key), "{key}");
        }
        for key in [
            "tlsSecret",
            "existingSecret",
            "passwordSecretName",
            "secret",
            "key",
            "remoteKey",
            "name",
        ] {
            assert!(!holds_credential(key), "{key}");
        }
        for key in ["pasword", "passwrd", "secert", "tokn", "password"] {
            assert!(may_hold_credential(key), "{key}");
        }
        assert!(!may_hold_credential("replicas") && !may_hold_credential("release"));
    }

    #[test]
    fn userinfo_passwords_are_found_and_masked() {
        for s in [
            "https://bot:TOKEN@git.example.com/x.git",
            "user:pw@db",
            "x oci://u:p@reg/r",
        ] {
            assert!(has_userinfo_password(s), "{s}");
        }
        for s in [
            "git@github.com:org/repo.git",
            "a@b.com",
            "https://git.example.com/x.git",
            "img@sha256:abc",
            "pkg @ git+https://x/y",
            "https://user@host/x",
        ] {
            assert!(!has_userinfo_password(s), "{s}");
        }
        assert_eq!(
            mask_credentials("  repoUrl: https://bot:TOKEN@git.example.com/x.git"),
            "  repoUrl: https://bot:********@git.example.com/x.git"
        );
        assert_eq!(
            mask_credentials("    host: u:pw@db"),
            "    host: u:********@db"
        );
        assert_eq!(
            mask_credentials("  pasword: hunter2"),
            "  pasword: ********"
        );
        assert_eq!(
            mask_credentials("    password: {secret: s, key: k, value: hunter2}"),
            "    password: ********"
        );
        assert_eq!(
            mask_credentials("  - {password: hunter2}"),
            "  - {password: ********"
        );
        assert_eq!(mask_credentials("  replicas: 3"), "  replicas: 3");
        // A properties file's `key=value`.
        assert_eq!(
            mask_credentials("sasl.password=hunter2"),
            "sasl.password=********"
        );
        assert_eq!(mask_credentials("replicas=3"), "replicas=3");
        assert_eq!(mask_credentials("password="), "password=");
        // Words are split on any whitespace, tabs included, the same way
        // the password is found (a tab once hid it from the masker).
        assert_eq!(
            mask_credentials("-/\t:\u{e}@\u{e}: \u{1}"),
            "-/\t:********@\u{e}: \u{1}"
        );
        assert_eq!(mask_credentials("a\tu:pw@db/x  b"), "a\tu:********@db/x  b");
    }

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
