//! Where an output value comes from, found by sensitivity: the env's
//! effective config (every default applied) is rendered once as is and once
//! per config value with that value changed; the output values each change
//! moves are the ones it feeds. Nothing is inferred from how gen is written,
//! so the answer is right by construction: changing the named config value
//! changes that output. What the output was for each value tried is the
//! rule, measured ([`Rule`]); a value no config value moves is rendered
//! once more for an env of another name, to tell what follows from the
//! env's name from what gen fixes.

use serde_json::Value;

use crate::diff::{diff_env, leaves, Change, ChangeKind, Leaf};
use crate::error::{Error, Result};
use crate::tree::RenderedTree;
use crate::yaml::{Node, NodeValue};

/// A config value: its path (`components.kafka.controller.replicas`) and
/// the path's steps (map keys, list indices).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ConfigPath(Vec<Step>);

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for ConfigPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// Where a config value is set: each file that sets it, in layer order
/// (`platform.yaml`, then the env's overlay); none means gen's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The config path.
    pub config: String,
    /// Its value in the env's effective config, as YAML flow text.
    pub value: String,
    /// `file:line:col` of each layer that sets it, base first; the last wins.
    pub set_at: Vec<String>,
    /// How the output value follows it, as the renders showed (for an
    /// output explanation, when neither side is masked).
    pub rule: Option<Rule>,
    /// The other values tried for it that rendered, in the order tried
    /// (for an output explanation).
    pub tried: Vec<Value>,
}

/// How an output value follows a config value, as measured: what the
/// output was with the config value as it is and with each value tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The output is the config value, as it is, for every value tried.
    Same,
    /// The output is a text holding the config value, for every value tried.
    Holds,
    /// Anything else (a value computed from it): `(config value, output
    /// value)` for the value as it is, then for each value tried.
    Measured(Vec<(String, String)>),
}

/// What feeds one output value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputExplanation {
    /// The file in the env directory.
    pub file: String,
    /// The object in it, for a manifest.
    pub object: Option<String>,
    /// The value's path.
    pub path: String,
    /// The value, as shown (credentials masked).
    pub value: String,
    /// The config values that change it; none: gen writes it as is.
    pub fed_by: Vec<Origin>,
    /// For a value gen does not write, the chart whose default it is
    /// (`kafka 32.4.4`), when the chart is vendored.
    pub chart_default: Option<String>,
    /// The value follows from the env's name: rendered as an env of
    /// another name, it changes.
    pub follows_env_name: bool,
}

impl OutputExplanation {
    /// A value of `file` at `path` that gen leaves to `chart` (`kafka
    /// 32.4.4`), whose default is `value`.
    pub(crate) fn chart_default(file: &str, path: &str, value: &Value, chart: String) -> Self {
        let last = path.rsplit('.').next().unwrap_or(path);
        OutputExplanation {
            file: file.to_string(),
            object: None,
            path: path.to_string(),
            value: if crate::names::holds_credential(last) {
                MASK.into()
            } else {
                flow(value)
            },
            fed_by: Vec::new(),
            chart_default: Some(chart),
            follows_env_name: false,
        }
    }
}

/// What one config value feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigExplanation {
    /// Where the value is set.
    pub origin: Origin,
    /// The output values a change to it moves, or `None` when no value
    /// tried for it renders (it only takes values the config rules allow).
    pub feeds: Option<Vec<Change>>,
}

/// The sensitivity of one env: each config leaf and what it moves.
pub(crate) struct Sensitivity {
    pub baseline: RenderedTree,
    /// What rendering the same config as an env of another name moves.
    by_env_name: Vec<Change>,
    leaves: Vec<Measured>,
}

/// One config leaf measured: its path and value, what changing it moves
/// (`None`: no value tried renders), and each value tried that rendered
/// with what it moved.
struct Measured {
    path: ConfigPath,
    value: Value,
    moves: Option<Vec<Change>>,
    probes: Vec<(Value, Vec<Change>)>,
}

/// Renders `effective` (a whole config, as `platform.yaml`) for the env,
/// or (`true`) for an env of another name.
pub(crate) type RenderConfig<'a> = dyn Fn(&Value, bool) -> Result<RenderedTree> + Sync + 'a;

impl Sensitivity {
    /// Renders the env's `effective` config and, for every leaf under
    /// `under` (all when empty), the config with that leaf changed.
    pub(crate) fn measure(
        effective: &Value,
        under: &str,
        schema: &Value,
        render: &RenderConfig<'_>,
    ) -> Result<Sensitivity> {
        let baseline = render(effective, false)?;
        let mut paths = Vec::new();
        config_leaves(effective, &mut Vec::new(), &mut paths);
        let used = values_by_key(&paths);
        paths.retain(|(p, _)| {
            let shown = p.to_string();
            under.is_empty()
                || shown == under
                || shown.starts_with(&format!("{under}."))
                || shown.starts_with(&format!("{under}["))
        });
        // Each leaf moved up and down (the first value of each way that
        // renders): an output that saturates one way (Kafka's replication
        // factor, at most 3 whatever the brokers above 3) moves the other.
        let measured = crate::parallel::in_parallel(&paths, |(path, value)| {
            let mut found: Option<Vec<Change>> = None;
            let mut probes = Vec::new();
            // A value whose other values are all refused (one of a set of
            // names, a namespace not declared) is tried with the others the
            // config's schema allows there, then with the values the config
            // gives the same key elsewhere.
            let elsewhere = || -> Vec<Value> {
                let mut out = choices(schema, schema, &path.0);
                if let Some(Step::Key(k)) = path.0.last() {
                    out.extend(used.get(k.as_str()).into_iter().flatten().cloned());
                }
                let mut seen = Vec::new();
                out.retain(|v| {
                    let new = v != value && !seen.contains(v);
                    seen.push(v.clone());
                    new
                });
                out
            };
            for way in [candidates(value), lower(value), Vec::new()] {
                let way = if way.is_empty() && found.is_none() && probes.is_empty() {
                    elsewhere()
                } else {
                    way
                };
                for candidate in way {
                    let mut changed = effective.clone();
                    *pointer(&mut changed, path) = candidate.clone();
                    if let Ok(tree) = render(&changed, false) {
                        let all = found.get_or_insert_with(Vec::new);
                        let moved = diff_env(Some(&baseline), Some(&tree));
                        // A value the other way moved too is there already.
                        for c in &moved {
                            let seen = all.iter().any(|a| {
                                (&a.file, &a.object, &a.path) == (&c.file, &c.object, &c.path)
                            });
                            if !seen {
                                all.push(c.clone());
                            }
                        }
                        probes.push((candidate, moved));
                        break;
                    }
                }
            }
            (found, probes)
        });
        // What the env's name moves, for the values no config value does.
        let by_env_name = match under.is_empty() {
            true => render(effective, true)
                .map(|t| diff_env(Some(&baseline), Some(&t)))
                .unwrap_or_default(),
            false => Vec::new(),
        };
        Ok(Sensitivity {
            baseline,
            by_env_name,
            leaves: paths
                .into_iter()
                .zip(measured)
                .map(|((path, value), (moves, probes))| Measured {
                    path,
                    value,
                    moves,
                    probes,
                })
                .collect(),
        })
    }
}

/// The values the JSON schema `node` (of `root`, whose `$defs` it may
/// refer to) allows at `path`, where it names them (`enum`, `const` of
/// each `oneOf`/`anyOf`); none where it does not.
fn choices(root: &Value, node: &Value, path: &[Step]) -> Vec<Value> {
    if let Some(r) = node.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(&Value::Null);
        return choices(root, target, path);
    }
    let mut out = Vec::new();
    for k in ["oneOf", "anyOf", "allOf"] {
        for alt in node.get(k).and_then(Value::as_array).into_iter().flatten() {
            out.extend(choices(root, alt, path));
        }
    }
    match path.split_first() {
        None => {
            out.extend(
                node.get("enum")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            out.extend(node.get("const").cloned());
        }
        Some((Step::Key(k), rest)) => {
            let next = node
                .get("properties")
                .and_then(|p| p.get(k.as_str()))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()));
            out.extend(next.map(|n| choices(root, n, rest)).unwrap_or_default());
        }
        Some((Step::Index(_), rest)) => {
            out.extend(
                node.get("items")
                    .map(|n| choices(root, n, rest))
                    .unwrap_or_default(),
            );
        }
    }
    out
}

/// The distinct values of each key among `leaves`, in order of the key's
/// first use.
fn values_by_key(leaves: &[(ConfigPath, Value)]) -> std::collections::BTreeMap<String, Vec<Value>> {
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (path, v) in leaves {
        if let Some(Step::Key(k)) = path.0.last() {
            let seen = out.entry(k.clone()).or_default();
            if !seen.contains(v) {
                seen.push(v.clone());
            }
        }
    }
    out
}

/// The path of every config leaf of `v`.
pub(crate) fn leaf_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    config_leaves(v, &mut Vec::new(), &mut out);
    out.into_iter().map(|(p, _)| p.to_string()).collect()
}

/// The config leaves of `v`: scalars, with their paths.
fn config_leaves(v: &Value, path: &mut Vec<Step>, out: &mut Vec<(ConfigPath, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                path.push(Step::Key(k.clone()));
                config_leaves(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                config_leaves(v, path, out);
                path.pop();
            }
        }
        Value::Null => {}
        scalar => out.push((ConfigPath(path.clone()), scalar.clone())),
    }
}

fn pointer<'v>(v: &'v mut Value, path: &ConfigPath) -> &'v mut Value {
    path.0.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// Other values to try for `v`, each as likely as the last to pass the
/// config's rules: a number one and two up (an odd count stays odd), a
/// quantity doubled, a flag flipped, text with a letter added.
fn candidates(v: &Value) -> Vec<Value> {
    match v {
        Value::Bool(b) => vec![Value::Bool(!b)],
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(n), _) => vec![(n + 2).into(), (n + 1).into(), (n * 2 + 3).into()],
            (None, Some(f)) => vec![(f * 2.0 + 1.0).into()],
            _ => Vec::new(),
        },
        Value::String(s) => {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            let rest = &s[digits.len()..];
            let mut out = Vec::new();
            if let Ok(n) = digits.parse::<u64>() {
                if !rest.contains(['.', ':', '/']) {
                    out.push(Value::String(format!("{}{rest}", n * 2 + 2)));
                }
            }
            out.push(Value::String(format!("{s}x")));
            out.push(Value::String(format!("x{s}")));
            out
        }
        _ => Vec::new(),
    }
}

/// Lower values to try for `v`: a number two and one down (an odd count
/// stays odd), a quantity halved; none for flags and text (their other
/// values are all in [`candidates`]).
fn lower(v: &Value) -> Vec<Value> {
    match v {
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(n), _) if n >= 2 => vec![(n - 2).into(), (n - 1).into()],
            (Some(1), _) => vec![0.into()],
            (None, Some(f)) if f != 0.0 => vec![(f / 2.0).into()],
            _ => Vec::new(),
        },
        Value::String(s) => {
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            let rest = &s[digits.len()..];
            match digits.parse::<u64>() {
                Ok(n) if n >= 2 && !rest.contains(['.', ':', '/']) => {
                    vec![Value::String(format!("{}{rest}", n / 2))]
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The node at `path` in one config file, if that file sets it.
fn node_at<'n>(node: &'n Node, path: &ConfigPath) -> Option<&'n Node> {
    path.0.iter().try_fold(node, |n, s| match (&n.value, s) {
        (NodeValue::Map(m), Step::Key(k)) => m.get(k).map(|(_, v)| v),
        (NodeValue::Seq(items), Step::Index(i)) => items.get(*i),
        _ => None,
    })
}

/// Where `path` is set among `layers` (base first): a list is set whole by
/// the last layer that has it (lists replace), so a list item is placed in
/// that layer.
fn set_at(layers: &[&Node], path: &ConfigPath) -> Vec<String> {
    let list_at = path.0.iter().position(|s| matches!(s, Step::Index(_)));
    let mut out = Vec::new();
    for layer in layers {
        let here = match list_at {
            // Whichever layer holds the list holds the item.
            Some(i) => {
                node_at(layer, &ConfigPath(path.0[..i].to_vec())).and_then(|_| node_at(layer, path))
            }
            None => node_at(layer, path),
        };
        if let Some(n) = here {
            out.push(format!(
                "{}:{}:{}",
                n.loc.source.name, n.loc.line, n.loc.col
            ));
        }
    }
    if list_at.is_some() && out.len() > 1 {
        // Lists replace: the last layer's list is the one read.
        out.drain(..out.len() - 1);
    }
    out
}

fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether change `c` moves the value at `object`/`path` of `file`: the
/// same value, or a map or list holding it.
fn moves(c: &Change, file: &str, object: &Option<String>, path: &str) -> bool {
    c.file == file
        && c.object == *object
        && (c.path == path
            || c.path.is_empty()
            || path.starts_with(&format!("{}.", c.path))
            || path.starts_with(&format!("{}[", c.path)))
}

/// What a masked value reads as.
const MASK: &str = "********";

/// How `leaf` of `file` follows the measured config value `m`.
fn rule(m: &Measured, file: &str, leaf: &Leaf) -> Rule {
    let samples: Vec<(String, String)> = std::iter::once((flow(&m.value), leaf.shown.clone()))
        .chain(
            m.probes
                .iter()
                .map(|(tried, moved)| (flow(tried), outcome(moved, file, leaf))),
        )
        .collect();
    let config_is_text = match &m.value {
        Value::String(s) => s.chars().count() >= 2,
        Value::Number(n) => n.as_u64().is_some_and(|n| n >= 10),
        _ => false,
    };
    let whole = plain(&leaf.full);
    let each = |f: &dyn Fn(&str, &str) -> bool| {
        f(&flow(&m.value), &whole) && samples[1..].iter().all(|(c, o)| f(c, &plain(o)))
    };
    if each(&|c, o| c == o) {
        Rule::Same
    } else if config_is_text && each(&|c, o| o.contains(c)) {
        Rule::Holds
    } else {
        Rule::Measured(samples)
    }
}

/// What `leaf` of `file` is after the changes `moved`, as shown.
fn outcome(moved: &[Change], file: &str, leaf: &Leaf) -> String {
    let mine = |c: &&Change| c.file == file && c.object == leaf.object;
    if let Some(c) = moved.iter().filter(mine).find(|c| c.path == leaf.path) {
        return match &c.kind {
            ChangeKind::Changed(_, new) | ChangeKind::Added(new) => new.clone(),
            ChangeKind::Removed(_) => "(not written)".into(),
        };
    }
    match moved
        .iter()
        .filter(mine)
        .find(|c| moves(c, file, &leaf.object, &leaf.path))
    {
        Some(Change {
            kind: ChangeKind::Removed(_),
            ..
        }) => "(not written)".into(),
        Some(c) if c.path.is_empty() => "(its object changes)".into(),
        Some(c) => format!("(`{}` changes)", c.path),
        None => leaf.shown.clone(),
    }
}

/// A value as shown (JSON text, where it parses) as plain text: a string
/// without its quotes.
fn plain(shown: &str) -> String {
    match serde_json::from_str::<Value>(shown) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => shown.to_string(),
    }
}

impl Sensitivity {
    /// The config values whose change moves `leaf` of `file`.
    fn fed_by(&self, layers: &[&Node], file: &str, leaf: &Leaf) -> Vec<Origin> {
        self.leaves
            .iter()
            .filter(|m| {
                m.moves
                    .as_ref()
                    .is_some_and(|cs| cs.iter().any(|c| moves(c, file, &leaf.object, &leaf.path)))
            })
            .map(|m| {
                let mut o = self.origin(layers, &m.path, &m.value);
                if o.value != MASK && leaf.shown != MASK {
                    o.rule = Some(rule(m, file, leaf));
                    o.tried = m.probes.iter().map(|(v, _)| v.clone()).collect();
                }
                o
            })
            .collect()
    }

    /// Whether the env's name moves `leaf` of `file`.
    fn follows_env_name(&self, file: &str, leaf: &Leaf) -> bool {
        self.by_env_name
            .iter()
            .any(|c| moves(c, file, &leaf.object, &leaf.path))
    }

    fn origin(&self, layers: &[&Node], path: &ConfigPath, value: &Value) -> Origin {
        Origin {
            config: path.to_string(),
            value: if crate::names::holds_credential(&path.to_string()) {
                MASK.into()
            } else {
                flow(value)
            },
            set_at: set_at(layers, path),
            rule: None,
            tried: Vec::new(),
        }
    }

    /// What feeds each value at `path` in `file` (one per object holding it).
    pub(crate) fn output(
        &self,
        layers: &[&Node],
        file: &str,
        path: &str,
    ) -> Result<Vec<OutputExplanation>> {
        let Some(text) = self.baseline.files.get(file) else {
            let names: Vec<&str> = self.baseline.files.keys().map(String::as_str).collect();
            let mut d = crate::error::Diagnostic::new(format!(
                "env `{}` renders no file `{file}`",
                self.baseline.env
            ));
            if let Some(m) = crate::names::did_you_mean(file, names.iter().copied()) {
                d = d.help(format!("did you mean `{m}`?"));
            }
            return Err(Error::Usage(d));
        };
        let all = leaves(file, text);
        let found: Vec<_> = all.iter().filter(|l| l.path == path).collect();
        if found.is_empty() {
            let paths: Vec<&str> = all.iter().map(|l| l.path.as_str()).collect();
            let mut d = crate::error::Diagnostic::new(format!("{file} has no value at `{path}`"));
            d = match crate::names::did_you_mean(path, paths.iter().copied()) {
                Some(m) => d.help(format!("did you mean `{m}`?")),
                None => d.help("give a path to a value as `gen diff` prints it: `controller.replicaCount`, `spec.containers[name=app].image`"),
            };
            return Err(Error::Usage(d));
        }
        Ok(found
            .into_iter()
            .map(|leaf| OutputExplanation {
                file: file.to_string(),
                object: leaf.object.clone(),
                path: leaf.path.clone(),
                value: leaf.shown.clone(),
                fed_by: self.fed_by(layers, file, leaf),
                chart_default: None,
                follows_env_name: self.follows_env_name(file, leaf),
            })
            .collect())
    }

    /// What feeds every value of every file the env renders.
    pub(crate) fn every_output(&self, layers: &[&Node]) -> Vec<OutputExplanation> {
        let mut out = Vec::new();
        for (file, text) in &self.baseline.files {
            for leaf in leaves(file, text) {
                let fed_by = self.fed_by(layers, file, &leaf);
                let follows_env_name = self.follows_env_name(file, &leaf);
                out.push(OutputExplanation {
                    file: file.clone(),
                    object: leaf.object,
                    path: leaf.path,
                    value: leaf.shown,
                    fed_by,
                    chart_default: None,
                    follows_env_name,
                });
            }
        }
        out
    }

    /// The config values whose change moves the value at `path` of `file`
    /// (a values file: no objects) or anything below it, by path.
    pub(crate) fn feeding(&self, file: &str, path: &str) -> Vec<String> {
        let below = |c: &Change| {
            c.file == file
                && c.object.is_none()
                && (c.path == path
                    || c.path.starts_with(&format!("{path}."))
                    || c.path.starts_with(&format!("{path}["))
                    || moves(c, file, &None, path))
        };
        self.leaves
            .iter()
            .filter(|m| m.moves.as_ref().is_some_and(|cs| cs.iter().any(below)))
            .map(|m| m.path.to_string())
            .collect()
    }

    /// What each config value measured feeds.
    pub(crate) fn config(&self, layers: &[&Node]) -> Vec<ConfigExplanation> {
        self.leaves
            .iter()
            .map(|m| ConfigExplanation {
                origin: self.origin(layers, &m.path, &m.value),
                feeds: m.moves.clone(),
            })
            .collect()
    }
}

fn origin_json(o: &Origin) -> Value {
    let mut v = serde_json::json!({"config": o.config, "value": o.value, "set_at": o.set_at});
    if !o.tried.is_empty() {
        v["tried"] = Value::Array(o.tried.clone());
    }
    if let Some(rule) = &o.rule {
        v["rule"] = match rule {
            Rule::Same => serde_json::json!({"kind": "same"}),
            Rule::Holds => serde_json::json!({"kind": "holds"}),
            Rule::Measured(samples) => serde_json::json!({
                "kind": "measured",
                "samples": samples
                    .iter()
                    .map(|(c, o)| serde_json::json!({"config": c, "output": o}))
                    .collect::<Vec<_>>(),
            }),
        };
    }
    v
}

fn origin_text(o: &Origin, out: &mut String) {
    use std::fmt::Write;
    let _ = write!(out, "  {} = {}", o.config, o.value);
    match o.set_at.as_slice() {
        [] => out.push_str("  (gen's default)\n"),
        [one] => {
            let _ = writeln!(out, "  (set at {one})");
        }
        many => {
            let _ = writeln!(
                out,
                "  (set at {}; {} wins)",
                many.join(", then "),
                many[many.len() - 1]
            );
        }
    }
    match &o.rule {
        None => {}
        Some(Rule::Same) => out.push_str("    the output is this value as it is\n"),
        Some(Rule::Holds) => out.push_str("    the output is a text holding this value\n"),
        Some(Rule::Measured(samples)) => {
            let shown: Vec<String> = samples
                .iter()
                .enumerate()
                .map(|(i, (c, o))| {
                    let now = if i == 0 { " (as set)" } else { "" };
                    format!("{c}{now} gives {o}")
                })
                .collect();
            let _ = writeln!(
                out,
                "    computed from it, as rendered: {}",
                shown.join("; ")
            );
        }
    }
}

/// Output explanations as text (or JSON).
pub fn outputs_report(found: &[OutputExplanation], json: bool) -> String {
    use std::fmt::Write;
    if json {
        let v: Vec<Value> = found
            .iter()
            .map(|e| {
                let mut v = serde_json::json!({
                    "file": e.file, "object": e.object, "path": e.path, "value": e.value,
                    "fed_by": e.fed_by.iter().map(origin_json).collect::<Vec<_>>(),
                });
                if let Some(c) = &e.chart_default {
                    v["chart_default"] = c.clone().into();
                }
                if e.follows_env_name {
                    v["follows_env_name"] = true.into();
                }
                v
            })
            .collect();
        return format!("{}\n", Value::Array(v));
    }
    let mut out = String::new();
    for e in found {
        let _ = writeln!(out, "{} = {}", target(&e.file, &e.object, &e.path), e.value);
        if let Some(chart) = &e.chart_default {
            let _ = writeln!(
                out,
                "  not written by gen: the default of chart {chart} (its values.yaml, subcharts included); set it through the component's `values:` to change it"
            );
        } else if e.fed_by.is_empty() {
            out.push_str(&fixed(e));
        } else {
            let _ = writeln!(
                out,
                "  from {}:",
                if e.fed_by.len() == 1 {
                    "this config value"
                } else {
                    "these config values"
                }
            );
            for o in &e.fed_by {
                origin_text(o, &mut out);
            }
        }
    }
    out
}

/// Why an output value no config value moves is what it is.
fn fixed(e: &OutputExplanation) -> String {
    if e.follows_env_name {
        return "  no config value changes it: it follows from the env's name (rendered as an env of another name, it changes)\n".into();
    }
    let what = match e.file.split_once('/') {
        Some(("values", name)) => format!(
            "component `{}` writes it so for every config, and `values:` cannot override a value gen writes",
            name.trim_end_matches(".yaml")
        ),
        Some(("apps", name)) => format!(
            "the Argo CD Application of `{}` is written so for every config",
            name.trim_end_matches(".yaml")
        ),
        _ => format!("`{}` is written so for every config", e.file),
    };
    format!("  fixed by gen: no config value tried moves it, nor the env's name; {what}\n")
}

/// An output value as the reports name it: `file [object] path`.
fn target(file: &str, object: &Option<String>, path: &str) -> String {
    match object {
        Some(o) => format!("{file} {o} {path}"),
        None => format!("{file} {path}"),
    }
}

/// Config explanations as text (or JSON).
pub fn configs_report(found: &[ConfigExplanation], json: bool) -> String {
    use std::fmt::Write;
    if json {
        let v: Vec<Value> = found
            .iter()
            .map(|e| {
                let mut o = origin_json(&e.origin);
                o["feeds"] = match &e.feeds {
                    None => Value::Null,
                    Some(cs) => cs
                        .iter()
                        .map(|c| serde_json::json!({"file": c.file, "object": c.object, "path": c.path}))
                        .collect(),
                };
                o
            })
            .collect();
        return format!("{}\n", Value::Array(v));
    }
    let mut out = String::new();
    for e in found {
        origin_text(&e.origin, &mut out);
        match &e.feeds {
            None => {
                out.push_str("    feeds: not measured (no other value tried for it is accepted)\n")
            }
            Some(cs) if cs.is_empty() => out.push_str("    feeds no rendered value in this env\n"),
            Some(cs) => {
                for c in cs {
                    let _ = writeln!(out, "    → {}", target(&c.file, &c.object, &c.path));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_read_through_refs_maps_and_lists() {
        let schema = serde_json::json!({
            "properties": {
                "ray": {"properties": {"mode": {"$ref": "#/$defs/Mode"}}},
                "items": {"additionalProperties": {"properties": {"tier": {"enum": ["a", "b"]}}}},
                "apps": {"items": {"properties": {"kind": {"anyOf": [{"const": 1}, {"const": 2}]}}}},
                "free": {"type": "string"}
            },
            "$defs": {"Mode": {"oneOf": [{"const": "Default"}, {"const": "Aggressive"}]}}
        });
        let path = |steps: &[&str]| -> Vec<Step> {
            steps
                .iter()
                .map(|s| match s.parse::<usize>() {
                    Ok(i) => Step::Index(i),
                    Err(_) => Step::Key(s.to_string()),
                })
                .collect()
        };
        let at = |steps: &[&str]| choices(&schema, &schema, &path(steps));
        assert_eq!(at(&["ray", "mode"]), ["Default", "Aggressive"]);
        assert_eq!(at(&["items", "x", "tier"]), ["a", "b"]);
        assert_eq!(at(&["apps", "0", "kind"]), [1, 2]);
        assert!(at(&["free"]).is_empty());
        assert!(at(&["nowhere", "at", "all"]).is_empty());
    }
}
