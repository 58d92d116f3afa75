//! What must exist on the cluster before an env's first sync: what its
//! output refers to but nothing in it creates. The platform's own needs
//! (Argo CD, the secret store or the Secrets, storage classes) are found
//! here; each component adds its own
//! ([`Component::prerequisites`](crate::model::Component::prerequisites)).

use std::collections::{BTreeMap, BTreeSet};

use super::Plan;
use crate::model::{bytes, Prerequisite};
use crate::resolve::Resolved;

/// The env's prerequisites, sorted by kind and name, each once.
pub(crate) fn of(r: &Resolved, plan: &Plan) -> Vec<Prerequisite> {
    let c = &r.platform;
    let mut p = vec![Prerequisite::new(
        "Argo CD",
        format!("{}/{}", c.argocd.namespace, c.argocd.project),
        format!(
            "Argo CD 2.6 or later (multi-source Applications) in namespace `{}`, AppProject `{}` allowing {} and every namespace below, and the `argocd-cm` entries of {}/{}",
            c.argocd.namespace,
            c.argocd.project,
            c.argocd.repo_url,
            crate::build::argocd::env_dir(c, &r.env),
            crate::build::cluster::ARGOCD_CM,
        ),
    )];
    match &c.secret_store {
        Some(store) => {
            p.push(Prerequisite::new(
                "ClusterSecretStore",
                &store.name,
                "external-secrets' store, ready, holding every remote key the env's ExternalSecrets read",
            ));
        }
        None => {
            // Per Secret: its keys, type and readers.
            let mut secrets: BTreeMap<(&str, &str), Needs<'_>> = BTreeMap::new();
            for (reader, u) in &r.facts.secrets {
                let n = secrets
                    .entry((&u.namespace, &u.reference.secret))
                    .or_default();
                n.keys.insert(&u.reference.key);
                n.readers.insert(reader);
                n.kind = n.kind.or(u.secret_type);
            }
            for ((ns, name), n) in secrets {
                let list = |set: &BTreeSet<&str>| {
                    set.iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                p.push(Prerequisite::new(
                    "Secret",
                    format!("{ns}/{name}"),
                    format!(
                        "{} {}{}, read by {} (no secretStore, so gen renders no ExternalSecret)",
                        if n.keys.len() == 1 { "key" } else { "keys" },
                        list(&n.keys),
                        n.kind.map(|t| format!(", type {t}")).unwrap_or_default(),
                        n.readers.iter().copied().collect::<Vec<_>>().join(", "),
                    ),
                ));
            }
        }
    }
    for (class, size) in &plan.total.storage {
        p.push(Prerequisite::new(
            "StorageClass",
            class,
            if class == crate::components::DEFAULT_CLASS {
                format!(
                    "a default StorageClass, for {} of persistent volumes that name none",
                    bytes(*size)
                )
            } else {
                format!("for {} of persistent volumes", bytes(*size))
            },
        ));
    }
    for (comp, slot) in r.enabled() {
        p.extend(comp.prerequisites(r, slot));
    }
    p.sort();
    // One entry per thing; what each needer asks of it, once each.
    let mut out: Vec<Prerequisite> = Vec::with_capacity(p.len());
    for item in p {
        match out.last_mut() {
            Some(last) if last.kind == item.kind && last.name == item.name => {
                if !last.why.split("; ").any(|w| w == item.why) {
                    last.why = format!("{}; {}", last.why, item.why);
                }
            }
            _ => out.push(item),
        }
    }
    out
}

/// What the readers of one Secret need of it.
#[derive(Default)]
struct Needs<'a> {
    keys: BTreeSet<&'a str>,
    readers: BTreeSet<&'a str>,
    kind: Option<&'static str>,
}
