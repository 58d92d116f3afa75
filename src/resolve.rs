//! Merged config → a validated, typed [`Resolved`] env: typed
//! deserialisation with located errors, cross-field rules, the dependency
//! graph and its sync waves.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use crate::components::{registry, Component};
use crate::config::{PlatformConfig, LITERAL_SECRET, SECRET_HELP};
use crate::error::{did_you_mean, Diagnostic, Error, Result};
use crate::load::Sources;
use crate::merge::merge;
use crate::yaml::Node;

/// A rule broken, at a field path (located later against the merged tree).
#[derive(Debug, Clone)]
pub struct Finding {
    /// Field path from the config root.
    pub path: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Finding {
    /// A finding at `path`.
    pub fn new(path: &[&str], message: impl Into<String>, help: impl Into<String>) -> Self {
        Finding {
            path: path.iter().map(|s| s.to_string()).collect(),
            message: message.into(),
            help: help.into(),
        }
    }
}

/// One env, validated: config with defaults applied, and the sync wave of
/// every enabled component.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Env name.
    pub env: String,
    /// The typed config.
    pub config: PlatformConfig,
    /// Sync wave by component name, for enabled components.
    pub waves: BTreeMap<&'static str, u32>,
    /// Dependencies by component name (built-in and `dependsOn`), enabled only.
    pub needs: BTreeMap<&'static str, Vec<&'static str>>,
    base: Arc<Node>,
    overlay: Arc<Node>,
    tree: OnceLock<Node>,
}

impl Resolved {
    /// The merged config tree, to locate findings in the files; merged on
    /// first use (only an error needs it).
    pub fn tree(&self) -> &Node {
        self.tree.get_or_init(|| merge(&self.base, &self.overlay))
    }
}

/// Merges base and env overlay and resolves them with the crate's components.
pub fn resolve(sources: &Sources, env: &str) -> Result<Resolved> {
    let components: Vec<crate::components::Shared> =
        registry().into_iter().map(std::sync::Arc::from).collect();
    resolve_with(sources, env, &components)
}

/// Merges base and env overlay and resolves them with `components`.
pub fn resolve_with(
    sources: &Sources,
    env: &str,
    components: &[crate::components::Shared],
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
    let (waves, needs) = graph(components, &config, &mut findings);
    if !findings.is_empty() {
        let tree = merge(&sources.base, overlay);
        return Err(Error::Config(
            findings
                .into_iter()
                .map(|f| {
                    Diagnostic::new(f.message)
                        .at(Some(tree.locate(&f.path)))
                        .path(f.path.join("."))
                        .help(f.help)
                })
                .collect(),
        ));
    }
    Ok(Resolved {
        env: env.to_string(),
        config,
        waves,
        needs,
        base: sources.base.clone(),
        overlay: overlay.clone(),
        tree: OnceLock::new(),
    })
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

/// The config key of a component (`doris-operator` → `dorisOperator`).
pub fn config_key(component: &str) -> String {
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

/// Whether a key name suggests it holds a credential.
fn looks_secret(key: &str) -> bool {
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

/// Whether `s` is a DNS-1123 label (namespaces, release names, env names).
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn check_names(config: &PlatformConfig, findings: &mut Vec<Finding>) {
    let label_help =
        "use lower-case letters, digits and `-` (a DNS-1123 label, at most 63 characters)";
    for name in config.components.namespaces.items.keys() {
        if !is_dns_label(name) {
            findings.push(Finding::new(
                &["components", "namespaces", "items", name],
                format!("`{name}` is not a valid namespace name"),
                label_help,
            ));
        }
    }
}

type Graph = (
    BTreeMap<&'static str, u32>,
    BTreeMap<&'static str, Vec<&'static str>>,
);

/// Dependency graph of enabled components and the sync wave of each: one
/// more than the highest wave it needs. A cycle is a finding naming it.
fn graph(
    components: &[crate::components::Shared],
    config: &PlatformConfig,
    findings: &mut Vec<Finding>,
) -> Graph {
    let by_name: BTreeMap<&'static str, &dyn Component> =
        components.iter().map(|c| (c.name(), c.as_ref())).collect();
    let mut needs: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
    for c in components.iter().filter(|c| c.enabled(config)) {
        let mut deps = c.needs(config);
        for (i, extra) in c.depends_on(config).iter().enumerate() {
            let idx = i.to_string();
            let key = config_key(c.name());
            let path = ["components", key.as_str(), "dependsOn", idx.as_str()];
            match by_name.get(extra.as_str()) {
                Some(d) if d.enabled(config) => deps.push(d.name()),
                Some(d) => findings.push(Finding::new(
                    &path,
                    format!(
                        "`{}` depends on `{}`, which is disabled",
                        c.name(),
                        d.name()
                    ),
                    format!("enable `{}` or remove it from dependsOn", d.name()),
                )),
                None => {
                    let names = by_name.keys().copied();
                    let help = match did_you_mean(extra, names) {
                        Some(m) => format!("did you mean `{m}`?"),
                        None => format!(
                            "components: {}",
                            by_name.keys().copied().collect::<Vec<_>>().join(", ")
                        ),
                    };
                    findings.push(Finding::new(
                        &path,
                        format!("no component named `{extra}`"),
                        help,
                    ));
                }
            }
        }
        for d in c.needs(config) {
            if !by_name[d].enabled(config) {
                findings.push(Finding::new(
                    &["components", &config_key(d), "enabled"],
                    format!("`{d}` is disabled but `{}` needs it", c.name()),
                    format!("enable `{d}`, or disable `{}` too", c.name()),
                ));
            }
        }
        if c.name() != "external-secrets"
            && config.secret_store.is_some()
            && !c.secrets(config).is_empty()
        {
            // The Secrets it reads are created by the ExternalSecrets.
            deps.push("external-secrets");
        }
        deps.retain(|d| by_name.get(d).is_some_and(|x| x.enabled(config)));
        deps.sort_unstable();
        deps.dedup();
        needs.insert(c.name(), deps);
    }
    let mut waves = BTreeMap::new();
    let mut state: BTreeMap<&'static str, u8> = BTreeMap::new(); // 1 = visiting, 2 = done
    for name in needs.keys().copied().collect::<Vec<_>>() {
        let mut stack = Vec::new();
        if let Err(cycle) = visit(name, &needs, &mut state, &mut waves, &mut stack) {
            // Point at a `dependsOn` the config wrote, where there is one.
            let culprit = cycle
                .iter()
                .find(|n| !by_name[*n].depends_on(config).is_empty())
                .unwrap_or(&cycle[0]);
            let key = config_key(culprit);
            findings.push(Finding::new(
                &["components", key.as_str(), "dependsOn"],
                format!("dependency cycle: {}", cycle.join(" → ")),
                "remove one of these dependencies".to_string(),
            ));
            return (waves, needs);
        }
    }
    (waves, needs)
}

fn visit(
    name: &'static str,
    needs: &BTreeMap<&'static str, Vec<&'static str>>,
    state: &mut BTreeMap<&'static str, u8>,
    waves: &mut BTreeMap<&'static str, u32>,
    stack: &mut Vec<&'static str>,
) -> std::result::Result<u32, Vec<&'static str>> {
    match state.get(name) {
        Some(2) => return Ok(waves[name]),
        Some(1) => {
            let start = stack.iter().position(|n| *n == name).unwrap_or(0);
            let mut cycle = stack[start..].to_vec();
            cycle.push(name);
            return Err(cycle);
        }
        _ => {}
    }
    state.insert(name, 1);
    stack.push(name);
    let mut wave = 0;
    for dep in &needs[name] {
        wave = wave.max(visit(dep, needs, state, waves, stack)? + 1);
    }
    stack.pop();
    state.insert(name, 2);
    waves.insert(name, wave);
    Ok(wave)
}
