//! What a change does to rendered trees, compared as YAML rather than text:
//! values files by path, manifests by object (kind, namespace, name) and
//! then by path. Reordered keys are no change; a list of named items (`name:`
//! on each) is matched by name, any other list by position. Values that may
//! be credentials are never shown.

mod report;
mod trees;

use std::collections::BTreeMap;

use serde_json::Value;

pub use report::Format;
pub use trees::read_trees;

use crate::names::{has_userinfo_password, holds_credential, mask_credentials};
use crate::tree::RenderedTree;

/// One change to one value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Change {
    /// The file in the env directory (`values/kafka.yaml`).
    pub file: String,
    /// The object in a manifest (`StatefulSet/data-platform/kafka`), when
    /// the document is one.
    pub object: Option<String>,
    /// The path of the value (`controller.replicaCount`,
    /// `spec.containers[name=app].image`); empty for a whole file or object.
    pub path: String,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// What happened to a value; each side as compact YAML-like text, masked
/// where it may be a credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// The value is new.
    Added(String),
    /// The value is gone.
    Removed(String),
    /// The value changed: old, new.
    Changed(String, String),
}

/// The changes of one or more envs that changed alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvChanges {
    /// The envs, in name order.
    pub envs: Vec<String>,
    /// Their changes, by file, object and path.
    pub changes: Vec<Change>,
}

/// What a change does to every env: the envs that changed, those with the
/// same changes grouped, in the order of their first env.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// One group per distinct set of changes.
    pub groups: Vec<EnvChanges>,
    /// Charts whose pin moved, against the version vendored at the base
    /// revision (`gen diff --base` with charts vendored on both sides).
    pub upgrades: Vec<crate::charts::Upgrade>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The report in `format`.
    pub fn report(&self, format: Format) -> String {
        report::report(self, format)
    }
}

/// Compares the trees of each env on both sides (an env on one side only is
/// all added or all removed), envs matched by name.
pub fn diff_trees(old: &[RenderedTree], new: &[RenderedTree]) -> Diff {
    let old: BTreeMap<&str, &RenderedTree> = old.iter().map(|t| (t.env.as_str(), t)).collect();
    let new: BTreeMap<&str, &RenderedTree> = new.iter().map(|t| (t.env.as_str(), t)).collect();
    let mut envs: Vec<&str> = old.keys().chain(new.keys()).copied().collect();
    envs.sort_unstable();
    envs.dedup();
    let per_env = crate::parallel::in_parallel(&envs, |env| {
        diff_env(old.get(env).copied(), new.get(env).copied())
    });
    group(envs.into_iter().map(String::from).zip(per_env).collect())
}

/// The changes between one env's trees (absent: no files).
pub(crate) fn diff_env(old: Option<&RenderedTree>, new: Option<&RenderedTree>) -> Vec<Change> {
    let empty = BTreeMap::new();
    diff_files(
        old.map_or(&empty, |t| &t.files),
        new.map_or(&empty, |t| &t.files),
    )
}

/// Groups envs whose changes are the same.
pub(crate) fn group(per_env: Vec<(String, Vec<Change>)>) -> Diff {
    let mut groups: Vec<EnvChanges> = Vec::new();
    let mut index: std::collections::HashMap<Vec<Change>, usize> = Default::default();
    for (env, changes) in per_env {
        if changes.is_empty() {
            continue;
        }
        match index.get(&changes) {
            Some(&i) => groups[i].envs.push(env),
            None => {
                index.insert(changes.clone(), groups.len());
                groups.push(EnvChanges {
                    envs: vec![env],
                    changes,
                });
            }
        }
    }
    Diff {
        groups,
        upgrades: Vec::new(),
    }
}

/// The changes between two envs' files.
fn diff_files(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        let (a, b) = (old.get(path), new.get(path));
        if a == b {
            continue;
        }
        let docs = |text: Option<&String>| text.map(|t| objects(path, t)).unwrap_or_default();
        out.extend(diff_documents(path, docs(a), docs(b)));
    }
    out
}

/// The changes between two lists of Kubernetes objects (a release's, as
/// its chart renders them), reported as of `file`: matched by object.
pub(crate) fn diff_objects(file: &str, old: &[Value], new: &[Value]) -> Vec<Change> {
    diff_documents(file, keyed(old.to_vec()), keyed(new.to_vec()))
}

/// The changes between the documents of one file on both sides.
fn diff_documents(
    path: &str,
    a: BTreeMap<Option<String>, Value>,
    mut b: BTreeMap<Option<String>, Value>,
) -> Vec<Change> {
    let mut out = Vec::new();
    // One object gone and one come in the file, of one kind: the same
    // object renamed or moved, reported under its old name (the new
    // name or namespace is a change in it).
    let gone: Vec<&Option<String>> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let come: Vec<&Option<String>> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    if let ([g], [c]) = (gone.as_slice(), come.as_slice()) {
        let kind = |k: &Option<String>| {
            k.as_deref()
                .map(|k| k.split('/').next().unwrap_or(k).to_string())
        };
        if kind(g) == kind(c) {
            let (g, c) = ((*g).clone(), (*c).clone());
            let doc = b.remove(&c).expect("come");
            b.insert(g, doc);
        }
    }
    let mut keys: Vec<&Option<String>> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let secret = is_secret_object(a.get(key).or(b.get(key)));
        let mut changes = Vec::new();
        let mut walk = Walk {
            out: &mut changes,
            secret,
        };
        match (a.get(key), b.get(key)) {
            (Some(x), Some(y)) => walk.values(&mut Vec::new(), x, y),
            (None, Some(y)) => walk.push(&[], ChangeKind::Added(walk.show(&[], y))),
            (Some(x), None) => walk.push(&[], ChangeKind::Removed(walk.show(&[], x))),
            (None, None) => unreachable!("a key of one side"),
        }
        out.extend(changes.into_iter().map(|(at, kind)| Change {
            file: path.to_string(),
            object: key.clone(),
            path: at,
            kind,
        }));
    }
    out
}

/// A file's documents, keyed by object (`Kind/namespace/name`) where a
/// document is a Kubernetes object, else by position (`None` for a file
/// of one document). A file that does not parse is one text value.
fn objects(path: &str, text: &str) -> BTreeMap<Option<String>, Value> {
    let docs = crate::yaml::documents(path, text)
        .unwrap_or_else(|_| vec![Value::String(text.to_string())]);
    keyed(docs)
}

/// Documents keyed by object (`Kind/namespace/name`) where a document is a
/// Kubernetes object, else by position (`None` for the one document of a
/// file of one); empty documents left out.
fn keyed(docs: Vec<Value>) -> BTreeMap<Option<String>, Value> {
    let docs: Vec<Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    let single = docs.len() == 1;
    docs.into_iter()
        .enumerate()
        .map(|(i, d)| {
            let key = object_key(&d).or_else(|| (!single).then(|| format!("document {}", i + 1)));
            (key, d)
        })
        .collect()
}

/// `Kind/namespace/name` (or `Kind/name`) of a Kubernetes object.
fn object_key(doc: &Value) -> Option<String> {
    let kind = doc.get("kind")?.as_str()?;
    let meta = doc.get("metadata")?;
    let name = meta.get("name")?.as_str()?;
    Some(match meta.get("namespace").and_then(Value::as_str) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    })
}

fn is_secret_object(doc: Option<&Value>) -> bool {
    doc.and_then(|d| d.get("kind"))
        .and_then(Value::as_str)
        .is_some_and(|k| k == "Secret")
}

/// The changes found below one object.
struct Walk<'a> {
    out: &'a mut Vec<(String, ChangeKind)>,
    /// The object is a Secret: its `data` and `stringData` are never shown.
    secret: bool,
}

/// A shown value is cut to this many characters.
const SHOWN: usize = 160;
/// What a hidden value reads as.
const MASK: &str = "********";

impl Walk<'_> {
    fn values(&mut self, path: &mut Vec<String>, a: &Value, b: &Value) {
        if a == b {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, vy) in y {
                    path.push(key_step(k));
                    match x.get(k) {
                        Some(vx) => self.values(path, vx, vy),
                        None => self.push(path, ChangeKind::Added(self.show(path, vy))),
                    }
                    path.pop();
                }
                for (k, vx) in x.iter().filter(|(k, _)| !y.contains_key(*k)) {
                    path.push(key_step(k));
                    self.push(path, ChangeKind::Removed(self.show(path, vx)));
                    path.pop();
                }
            }
            (Value::Array(x), Value::Array(y)) => match (named(x), named(y)) {
                (Some(nx), Some(ny)) => {
                    for (name, vy) in &ny {
                        path.push(format!("[name={name}]"));
                        match nx.iter().find(|(n, _)| n == name) {
                            Some((_, vx)) => self.values(path, vx, vy),
                            None => self.push(path, ChangeKind::Added(self.show(path, vy))),
                        }
                        path.pop();
                    }
                    for (name, vx) in nx.iter().filter(|(n, _)| !ny.iter().any(|(m, _)| m == n)) {
                        path.push(format!("[name={name}]"));
                        self.push(path, ChangeKind::Removed(self.show(path, vx)));
                        path.pop();
                    }
                }
                _ => {
                    for i in 0..x.len().max(y.len()) {
                        path.push(format!("[{i}]"));
                        match (x.get(i), y.get(i)) {
                            (Some(vx), Some(vy)) => self.values(path, vx, vy),
                            (None, Some(vy)) => {
                                self.push(path, ChangeKind::Added(self.show(path, vy)))
                            }
                            (Some(vx), None) => {
                                self.push(path, ChangeKind::Removed(self.show(path, vx)))
                            }
                            (None, None) => {}
                        }
                        path.pop();
                    }
                }
            },
            (Value::String(x), Value::String(y)) if x.contains('\n') || y.contains('\n') => {
                // A text of lines (a config file, a script): the lines
                // that changed, with where they start.
                let (x, y) = changed_lines(x, y);
                let kind = ChangeKind::Changed(self.show(path, &x), self.show(path, &y));
                self.push(path, kind);
            }
            (Value::String(x), Value::String(y)) => {
                let (x, y) = changed_part(x, y);
                let kind = ChangeKind::Changed(
                    self.show(path, &Value::String(x)),
                    self.show(path, &Value::String(y)),
                );
                self.push(path, kind);
            }
            _ => {
                let kind = ChangeKind::Changed(self.show(path, a), self.show(path, b));
                self.push(path, kind);
            }
        }
    }

    fn push(&mut self, path: &[String], kind: ChangeKind) {
        self.out.push((join(path), kind));
    }

    /// `v` as shown at `path`: masked below a key that holds a credential
    /// (and in a Secret's data), URL passwords masked, cut when long.
    fn show(&self, path: &[String], v: &Value) -> String {
        let text = self.show_whole(path, v);
        if text.chars().count() > SHOWN {
            let cut: String = text.chars().take(SHOWN).collect();
            format!("{cut}…")
        } else {
            text
        }
    }

    /// [`show`](Self::show), not cut.
    fn show_whole(&self, path: &[String], v: &Value) -> String {
        let data = |k: &String| k == "data" || k == "stringData";
        let hidden = path
            .iter()
            .any(|k| holds_credential(k.trim_matches(['[', ']'])))
            || (self.secret && path.len() > 1 && data(&path[0]));
        if hidden {
            return MASK.to_string();
        }
        match (self.secret, path) {
            // A Secret whole, or its data whole: the keys, no value.
            (true, []) => {
                let mut v = masked(v);
                for k in ["data", "stringData"] {
                    if let Some(d) = v.get_mut(k) {
                        mask_values(d);
                    }
                }
                v.to_string()
            }
            (true, [k]) if data(k) => {
                let mut v = v.clone();
                mask_values(&mut v);
                v.to_string()
            }
            _ => masked(v).to_string(),
        }
    }
}

/// A Secret's data with every value masked, its keys kept.
fn mask_values(data: &mut Value) {
    match data {
        Value::Object(m) => m.values_mut().for_each(|v| *v = Value::String(MASK.into())),
        other => *other = Value::String(MASK.into()),
    }
}

/// The lines of text `a` and `b` between what they share at the start and
/// at the end, each side as `line N: …` (N counted from 1), or `(no line)`
/// on the side that has none there.
fn changed_lines(a: &str, b: &str) -> (Value, Value) {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.split('\n').collect(), b.split('\n').collect());
    let head = la.iter().zip(&lb).take_while(|(x, y)| x == y).count();
    let tail = la[head..]
        .iter()
        .rev()
        .zip(lb[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&la[head..la.len() - tail], &lb[head..lb.len() - tail]);
    // One long line changed on each side: the part that changed.
    let (ma, mb): (Vec<String>, Vec<String>) = match (ma, mb) {
        ([x], [y]) => {
            let (x, y) = changed_part(&mask_credentials(x), &mask_credentials(y));
            (vec![x], vec![y])
        }
        _ => (
            ma.iter()
                .map(|l| mask_credentials(l).into_owned())
                .collect(),
            mb.iter()
                .map(|l| mask_credentials(l).into_owned())
                .collect(),
        ),
    };
    let side = |mid: &[String]| {
        Value::String(if mid.is_empty() {
            format!("(no line {})", head + 1)
        } else {
            format!("line {}: {}", head + 1, mid.join("\n"))
        })
    };
    (side(&ma), side(&mb))
}

/// Characters kept on each side of the part of a long text that changed.
const CONTEXT: usize = 24;

/// Two texts, each cut to the part that differs and some context around it
/// (`…` where cut), when either is too long to show whole.
fn changed_part(a: &str, b: &str) -> (String, String) {
    let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if ca.len() <= SHOWN && cb.len() <= SHOWN {
        return (a.to_string(), b.to_string());
    }
    let head = ca.iter().zip(&cb).take_while(|(x, y)| x == y).count();
    let most = ca.len().min(cb.len()) - head;
    let tail = ca
        .iter()
        .rev()
        .zip(cb.iter().rev())
        .take(most)
        .take_while(|(x, y)| x == y)
        .count();
    let start = head.saturating_sub(CONTEXT);
    let cut_end = tail.saturating_sub(CONTEXT);
    let side = |c: &[char]| {
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        out.extend(&c[start..c.len() - cut_end]);
        if cut_end > 0 {
            out.push('…');
        }
        out
    };
    (side(&ca), side(&cb))
}

/// Path steps as one path: `a.b[0].c`, `spec.containers[name=app]`.
fn join(path: &[String]) -> String {
    let mut p = String::new();
    for step in path {
        if !p.is_empty() && !step.starts_with('[') {
            p.push('.');
        }
        p.push_str(step);
    }
    p
}

/// One value of a rendered file: its object, path and value as shown (the
/// same names as a [`Change`]'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Leaf {
    pub object: Option<String>,
    pub path: String,
    pub shown: String,
    /// The value whole (credentials masked all the same).
    pub full: String,
}

/// Every value of a rendered file as `(object, path, value)`, named as a
/// [`Change`] names them; a value that may be a credential is masked.
pub fn values_of(file: &str, text: &str) -> Vec<(Option<String>, String, String)> {
    leaves(file, text)
        .into_iter()
        .map(|l| (l.object, l.path, l.full))
        .collect()
}

/// Every scalar (and empty list or map) of a rendered file.
pub(crate) fn leaves(file: &str, text: &str) -> Vec<Leaf> {
    let mut out = Vec::new();
    for (object, doc) in objects(file, text) {
        let walk = Walk {
            out: &mut Vec::new(),
            secret: is_secret_object(Some(&doc)),
        };
        let mut stack = Vec::new();
        collect(&walk, &object, &mut stack, &doc, &mut out);
    }
    out
}

fn collect(
    walk: &Walk<'_>,
    object: &Option<String>,
    path: &mut Vec<String>,
    v: &Value,
    out: &mut Vec<Leaf>,
) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                path.push(key_step(k));
                collect(walk, object, path, v, out);
                path.pop();
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let names = named(items);
            for (i, item) in items.iter().enumerate() {
                match &names {
                    Some(n) => path.push(format!("[name={}]", n[i].0)),
                    None => path.push(format!("[{i}]")),
                }
                collect(walk, object, path, item, out);
                path.pop();
            }
        }
        _ => out.push(Leaf {
            object: object.clone(),
            path: join(path),
            shown: walk.show(path, v),
            full: walk.show_whole(path, v),
        }),
    }
}

/// `v` with every credential-looking value masked, recursively.
fn masked(v: &Value) -> Value {
    match v {
        Value::String(s) if has_userinfo_password(s) => {
            Value::String(mask_credentials(s).into_owned())
        }
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if holds_credential(k) && !v.is_object() {
                        Value::String(MASK.into())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

/// A map key as a path step: plain, or `["a.b"]` when it has a dot or a
/// bracket.
fn key_step(k: &str) -> String {
    if k.contains(['.', '[', ']']) || k.is_empty() {
        format!("[{}]", Value::String(k.to_string()))
    } else {
        k.to_string()
    }
}

/// The items of a list of maps each with a distinct `name`, by name.
fn named(items: &[Value]) -> Option<Vec<(String, &Value)>> {
    let mut out: Vec<(String, &Value)> = Vec::with_capacity(items.len());
    for item in items {
        let name = item.get("name")?.as_str()?.to_string();
        if out.iter().any(|(n, _)| *n == name) {
            return None;
        }
        out.push((name, item));
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(env: &str, files: &[(&str, &str)]) -> RenderedTree {
        RenderedTree {
            env: env.into(),
            repo_dir: env.into(),
            files: files
                .iter()
                .map(|(p, t)| (p.to_string(), t.to_string()))
                .collect(),
        }
    }

    fn lines(d: &Diff) -> Vec<String> {
        d.groups
            .iter()
            .flat_map(|g| {
                g.changes.iter().map(move |c| {
                    format!(
                        "{} {} {} {} {:?}",
                        g.envs.join(","),
                        c.file,
                        c.object.as_deref().unwrap_or("-"),
                        c.path,
                        c.kind
                    )
                })
            })
            .collect()
    }

    #[test]
    fn values_compare_by_path_and_reordering_is_no_change() {
        let old = [tree(
            "prod",
            &[("values/k.yaml", "# h\na: 1\nb: {c: 2, d: x}\n")],
        )];
        let same = [tree(
            "prod",
            &[("values/k.yaml", "# other header\nb: {d: x, c: 2}\na: 1\n")],
        )];
        assert!(diff_trees(&old, &same).is_empty());
        let new = [tree(
            "prod",
            &[("values/k.yaml", "a: 1\nb: {c: 3, e: [1]}\n")],
        )];
        assert_eq!(
            lines(&diff_trees(&old, &new)),
            [
                r#"prod values/k.yaml - b.c Changed("2", "3")"#,
                r#"prod values/k.yaml - b.e Added("[1]")"#,
                r#"prod values/k.yaml - b.d Removed("\"x\"")"#,
            ]
        );
    }

    /// The diff of one env's `m.yaml` from `a` to `b`.
    fn diff_manifests(a: &str, b: &str) -> Diff {
        diff_trees(
            &[tree("e", &[("m.yaml", a)])],
            &[tree("e", &[("m.yaml", b)])],
        )
    }

    #[test]
    fn manifests_compare_by_object_and_named_lists_by_name() {
        let a = "kind: Deployment\nmetadata: {name: web, namespace: ns}\nspec:\n  containers:\n  - {name: app, image: a:1}\n  - {name: side, image: s:1}\n---\nkind: Service\nmetadata: {name: web}\n";
        let b = "kind: Service\nmetadata: {name: web}\n---\nkind: Deployment\nmetadata: {name: web, namespace: ns}\nspec:\n  containers:\n  - {name: side, image: s:1}\n  - {name: app, image: a:2}\n---\nkind: ConfigMap\nmetadata: {name: c}\n";
        let d = diff_manifests(a, b);
        assert_eq!(
            lines(&d),
            [
                r#"e m.yaml ConfigMap/c  Added("{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}")"#,
                r#"e m.yaml Deployment/ns/web spec.containers[name=app].image Changed("\"a:1\"", "\"a:2\"")"#,
            ]
        );
    }

    #[test]
    fn envs_with_the_same_change_are_one_group_and_files_come_and_go() {
        let old: Vec<RenderedTree> = ["a", "b", "c"]
            .iter()
            .map(|e| tree(e, &[("v.yaml", "n: 1\n"), ("gone.yaml", "x: 1\n")]))
            .collect();
        let mut new: Vec<RenderedTree> = ["a", "b", "c"]
            .iter()
            .map(|e| tree(e, &[("v.yaml", "n: 2\n"), ("gone.yaml", "x: 1\n")]))
            .collect();
        new[2].files.remove("gone.yaml");
        new.push(tree("d", &[("v.yaml", "n: 2\n")]));
        let d = diff_trees(&old, &new);
        let envs: Vec<Vec<String>> = d.groups.iter().map(|g| g.envs.clone()).collect();
        assert_eq!(envs, [vec!["a", "b"], vec!["c"], vec!["d"]]);
        assert_eq!(
            lines(&d)[1..],
            [
                r#"c gone.yaml -  Removed("{\"x\":1}")"#,
                r#"c v.yaml - n Changed("1", "2")"#,
                r#"d v.yaml -  Added("{\"n\":2}")"#,
            ]
        );
    }

    #[test]
    fn a_text_of_lines_shows_the_lines_that_changed() {
        let a = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  conf: \"a=1\\nvoters=0,1,2\\nz=9\\n\"\n";
        let b = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  conf: \"a=1\\nvoters=0,1,2,3,4\\nz=9\\nextra=1\\n\"\n";
        assert_eq!(
            lines(&diff_manifests(a, b)),
            [
                r#"e m.yaml ConfigMap/c data.conf Changed("\"line 2: voters=0,1,2\\nz=9\"", "\"line 2: voters=0,1,2,3,4\\nz=9\\nextra=1\"")"#
            ]
        );
        // A long line: the part that changed.
        let long = |voters: &str| {
            format!("kind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  conf: \"a=1\\nservers={}{voters}\\n\"\n", "host.example:9093,".repeat(12))
        };
        assert_eq!(
            lines(&diff_manifests(&long("end"), &long("new,end"))),
            [
                r#"e m.yaml ConfigMap/c data.conf Changed("\"line 2: …:9093,host.example:9093,end\"", "\"line 2: …:9093,host.example:9093,new,end\"")"#
            ]
        );
        let d = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  conf: \"a=1\\nsasl.password=SECRET-A\\nz=9\\n\"\n";
        let r = diff_manifests(a, d).report(Format::Text);
        assert!(
            !r.contains("SECRET-") && r.contains("sasl.password=********"),
            "{r}"
        );
        let c = "kind: ConfigMap\nmetadata: {name: c}\ndata:\n  conf: \"a=1\\nvoters=0,1,2\\nnew=1\\nz=9\\n\"\n";
        assert_eq!(
            lines(&diff_manifests(a, c)),
            [r#"e m.yaml ConfigMap/c data.conf Changed("\"(no line 3)\"", "\"line 3: new=1\"")"#]
        );
    }

    #[test]
    fn a_secret_added_or_removed_whole_shows_its_keys_only() {
        let a = "kind: ConfigMap\nmetadata: {name: c}\n";
        let b = "kind: Secret\nmetadata: {name: s}\ndata: {tls.crt: U0VDUkVULUE=, ca: U0VDUkVULUI=}\nstringData: {token: SECRET-C}\n";
        for (x, y) in [(a, b), (b, a)] {
            let d = diff_manifests(x, y);
            let r = d.report(Format::Text);
            assert!(!r.contains("U0VD") && !r.contains("SECRET-"), "{r}");
            assert!(r.contains(r#""tls.crt":"********""#), "{r}");
        }
        // Data that comes whole to a Secret that had none.
        let c = "kind: Secret\nmetadata: {name: s}\n";
        let r = diff_manifests(c, b).report(Format::Json);
        assert!(!r.contains("U0VD") && !r.contains("SECRET-"), "{r}");
        assert!(r.contains(r#""token":"********""#), "{r}");
    }

    #[test]
    fn credentials_are_never_shown() {
        let a = "kind: Secret\nmetadata: {name: s}\nstringData: {token: SECRET-A}\n---\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  url: https://bot:SECRET-B@git.example\n  password: SECRET-C\n";
        let b = "kind: Secret\nmetadata: {name: s}\nstringData: {token: SECRET-D, other: SECRET-E}\n---\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  url: https://bot:SECRET-F@git.example/x\n  password: SECRET-G\n  auth: {password: SECRET-H}\n";
        let d = diff_manifests(a, b);
        assert!(!d.is_empty());
        for format in [Format::Text, Format::Markdown, Format::Json] {
            let r = d.report(format);
            assert!(!r.contains("SECRET-"), "{format:?}:\n{r}");
            assert!(r.contains("********"), "{format:?}:\n{r}");
        }
    }
}
