//! The resolve stage: merged config → a validated, typed [`Resolved`] env:
//! typed deserialisation with located errors and the rules of every
//! enabled component.

use std::sync::{Arc, OnceLock};

use crate::config::{PlatformConfig, LITERAL_SECRET, SECRET_HELP};
use crate::error::{Diagnostic, Error, Result};
use crate::load::Sources;
use crate::merge::merge;
use crate::model::Finding;
use crate::names::{did_you_mean, is_dns_label, looks_secret, DNS_LABEL_HELP};
use crate::yaml::Node;

/// One env, validated: config with defaults applied.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Env name.
    pub env: String,
    /// The typed config.
    pub config: PlatformConfig,
    base: Arc<Node>,
    overlay: Arc<Node>,
    tree: OnceLock<Node>,
}

impl Resolved {
    /// Config errors at the places in the files the findings' paths name.
    pub fn located(&self, findings: Vec<Finding>) -> Error {
        let tree = self.tree();
        Error::Config(
            findings
                .into_iter()
                .map(|f| {
                    Diagnostic::new(f.message)
                        .at(Some(tree.locate(&f.path)))
                        .path(f.path.join("."))
                        .help(f.help)
                })
                .collect(),
        )
    }

    /// The merged config tree, to locate findings in the files; merged on
    /// first use (only an error needs it).
    pub fn tree(&self) -> &Node {
        self.tree.get_or_init(|| merge(&self.base, &self.overlay))
    }
}

/// Merges base and env overlay and resolves them with `components`.
pub fn resolve(
    sources: &Sources,
    env: &str,
    components: &[crate::model::Shared],
) -> Result<Resolved> {
    let overlay = sources
        .envs
        .get(env)
        .ok_or_else(|| unknown_env(sources, env))?;
    let config = deserialize(&sources.base, overlay)?;
    let mut findings = Vec::new();
    for name in config.extensions.keys() {
        if !components.iter().any(|c| c.name() == name) {
            let known: Vec<&str> = components.iter().map(|c| c.name()).collect();
            let help = match did_you_mean(name, known.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => "an extension is read by a component a program adds with `Platform::with_component`".into(),
            };
            findings.push(Finding::new(
                &["extensions", name],
                format!("no component named `{name}` reads this extension"),
                help,
            ));
        }
    }
    for c in components {
        if c.enabled(&config) {
            c.validate(&config, &mut findings);
        }
    }
    check_names(&config, &mut findings);
    let resolved = Resolved {
        env: env.to_string(),
        config,
        base: sources.base.clone(),
        overlay: overlay.clone(),
        tree: OnceLock::new(),
    };
    if !findings.is_empty() {
        return Err(resolved.located(findings));
    }
    Ok(resolved)
}

fn unknown_env(sources: &Sources, env: &str) -> Error {
    let names: Vec<&str> = sources.envs.keys().map(String::as_str).collect();
    let mut help = format!("envs defined: {}", names.join(", "));
    if let Some(m) = did_you_mean(env, names.iter().copied()) {
        help = format!("did you mean `{m}`? ({help})");
    }
    if names.is_empty() {
        help = "add envs/<env>.yaml to the config directory".into();
    }
    Error::Usage(Diagnostic::new(format!("env `{env}` does not exist")).help(help))
}

/// Typed deserialisation; errors point at the file, line and column of the
/// offending value and suggest the nearest valid key.
fn deserialize(base: &Node, overlay: &Node) -> Result<PlatformConfig> {
    // Read straight from the two files first; only a failure is read again,
    // through the merged tree with the path tracked, to find where it is.
    if let Ok(config) = crate::merged::deserialize(base, overlay) {
        return Ok(config);
    }
    let tree = merge(base, overlay);
    serde_path_to_error::deserialize::<_, PlatformConfig>(tree.to_json()).map_err(|e| {
        let path: Vec<String> = e
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.clone()),
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect();
        let raw = e.inner().to_string();
        Error::config(diagnose(&tree, path, &raw))
    })
}

fn diagnose(tree: &Node, path: Vec<String>, raw: &str) -> Diagnostic {
    // serde: "unknown field `x`, expected one of `a`, `b`" / "expected `a`"
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        // The path names the unknown field itself; its parent holds it.
        let parent: Vec<String> = match path.last() {
            Some(last) if last == field => path[..path.len() - 1].to_vec(),
            _ => path.clone(),
        };
        let loc = tree
            .key_loc(&parent, field)
            .or_else(|| Some(tree.locate(&parent)));
        let mut d = Diagnostic::new(format!("unknown key `{field}`"))
            .at(loc)
            .path(
                parent
                    .iter()
                    .chain([&field.to_string()])
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("."),
            );
        d = match did_you_mean(field, candidates.iter().copied()) {
            Some(m) if looks_secret(field) => {
                d.help(format!("did you mean `{m}`? ({SECRET_HELP})"))
            }
            Some(m) => d.help(format!("did you mean `{m}`?")),
            None if looks_secret(field) => d.help(SECRET_HELP),
            None if !candidates.is_empty() => {
                d.help(format!("valid keys here: {}", candidates.join(", ")))
            }
            None => d,
        };
        if looks_secret(field) {
            // The line may hold the very credential: never show it.
            d = d.hide_source();
        }
        return d;
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::new(format!("missing key `{field}`"))
            .at(Some(tree.locate(&path)))
            .path(path.join("."))
            .help(format!("add `{field}:` here"));
    }
    let loc = Some(tree.locate(&path));
    if raw.contains(LITERAL_SECRET) {
        return Diagnostic::new(LITERAL_SECRET)
            .at(loc)
            .path(path.join("."))
            .help(SECRET_HELP)
            .hide_source();
    }
    Diagnostic::new(raw.to_string())
        .at(loc)
        .path(path.join("."))
}

fn check_names(config: &PlatformConfig, findings: &mut Vec<Finding>) {
    for name in config.components.namespaces.items.keys() {
        if !is_dns_label(name) {
            findings.push(Finding::new(
                &["components", "namespaces", "items", name],
                format!("`{name}` is not a valid namespace name"),
                DNS_LABEL_HELP,
            ));
        }
    }
}
