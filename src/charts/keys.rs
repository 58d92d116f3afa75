//! What a chart reads from its values, built once from its package: its
//! `values.yaml` defaults, the `.Values.…` paths its templates reference,
//! its `values.schema.json`, and the same for every subchart under the
//! key its parent gives it (alias or name). A values file is then checked
//! key by key and, coalesced with the defaults, against the schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Package;

/// Deepest subchart nesting followed.
const MAX_DEPTH: usize = 4;

/// One chart's part of what it reads.
#[derive(Debug)]
pub struct ChartKeys {
    /// Chart name.
    pub name: String,
    /// Chart version.
    pub version: String,
    defaults: Value,
    reads: BTreeSet<Vec<String>>,
    schema: Option<Schema>,
    subcharts: BTreeMap<String, ChartKeys>,
    /// The values Helm computes from no values at all (defaults with every
    /// subchart's under its key), built once; renders apply their values
    /// onto a copy of it in place and take them off again.
    computed: Value,
    /// Copies of `computed` for renders to use, one per worker at a time.
    scratch: std::sync::Mutex<Vec<Value>>,
    /// What [`unknown_keys`](Self::unknown_keys) found, by the key paths
    /// asked about (envs of a fleet mostly share them).
    found: std::sync::Mutex<std::collections::HashMap<Print, Vec<UnknownKey>>>,
    /// The subcharts whose copy of `global` a schema can see (the others'
    /// is left as the defaults have it while validating).
    global_into: Vec<String>,
    /// What each subchart's schemas find in the defaults: the answer for
    /// values that leave the subchart (and a `global` it sees) alone.
    sub_baseline: BTreeMap<String, Errors>,
    /// What a subchart's schemas found, by the values that reach it (its
    /// key's and `global`, as JSON text).
    sub_seen: std::sync::Mutex<std::collections::HashMap<Print, Errors>>,
}

struct Schema {
    raw: Value,
    /// The whole schema compiled, unless it is validated by its parts.
    validator: Option<jsonschema::Validator>,
    /// The schema split by top-level property, when it is only
    /// `properties` and `required` of an object (DataHub's): renders then
    /// validate only the properties their values touch.
    parts: Option<Parts>,
}

/// Errors of one value: `(path, message)`.
type Errors = Vec<(String, String)>;

/// A 128-bit fingerprint of the values a check depends on (two seeded
/// foldhash streams of them): what was found is kept under it.
type Print = (u64, u64);

/// Two differently seeded hash streams fed the same bytes.
struct Printer(
    foldhash::quality::FoldHasher<'static>,
    foldhash::quality::FoldHasher<'static>,
);

impl Printer {
    fn new(tag: &str) -> Printer {
        use std::hash::{BuildHasher, Hash};
        static SEEDS: std::sync::OnceLock<[foldhash::quality::FixedState; 2]> =
            std::sync::OnceLock::new();
        let [a, b] = SEEDS.get_or_init(|| {
            [
                foldhash::quality::FixedState::with_seed(0x9e37_79b9_7f4a_7c15),
                foldhash::quality::FixedState::with_seed(0xc2b2_ae3d_27d4_eb4f),
            ]
        });
        let mut p = Printer(a.build_hasher(), b.build_hasher());
        tag.hash(&mut p);
        p
    }

    /// Feeds a value, its maps in their order (equal values in another
    /// order only miss what was kept).
    fn value(&mut self, v: Option<&Value>) {
        use std::hash::{Hash, Hasher};
        let Some(v) = v else {
            self.write_u8(0);
            return;
        };
        match v {
            Value::Null => self.write_u8(1),
            Value::Bool(b) => (2u8, *b).hash(self),
            Value::Number(n) => (3u8, n).hash(self),
            Value::String(t) => (4u8, t).hash(self),
            Value::Array(items) => {
                (5u8, items.len()).hash(self);
                for i in items {
                    self.value(Some(i));
                }
            }
            Value::Object(m) => {
                (6u8, m.len()).hash(self);
                for (k, i) in m {
                    k.hash(self);
                    self.value(Some(i));
                }
            }
        }
    }

    /// Feeds the key paths of a value only: its leaves are all alike.
    fn keys(&mut self, v: &Value) {
        use std::hash::{Hash, Hasher};
        match v {
            Value::Object(m) if !m.is_empty() => {
                (6u8, m.len()).hash(self);
                for (k, i) in m {
                    k.hash(self);
                    self.keys(i);
                }
            }
            _ => self.write_u8(0),
        }
    }

    fn print(&self) -> Print {
        use std::hash::Hasher;
        (self.0.finish(), self.1.finish())
    }
}

impl std::hash::Hasher for Printer {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.1.write(bytes);
    }
    fn write_u8(&mut self, i: u8) {
        self.0.write_u8(i);
        self.1.write_u8(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.0.write_usize(i);
        self.1.write_usize(i);
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// A schema's top-level properties, each validated on its own.
struct Parts {
    required: Vec<String>,
    /// `additionalProperties: false`: no top-level key but the properties.
    closed: bool,
    /// The schema's `allOf`, validated on the whole values (its parts look
    /// at a few properties each).
    rest: Option<jsonschema::Validator>,
    /// The top-level properties `allOf` looks at, when it looks at nothing
    /// else: it is then as valid on them alone, once per distinct value.
    rest_reads: Option<Vec<String>>,
    /// The top-level keys of the computed values the schema does not list.
    unlisted: Vec<String>,
    /// Required properties the computed values lack.
    required_unset: Vec<String>,
    /// Each property's place in `by_key`.
    index: BTreeMap<String, usize>,
    /// Per property: its validator and what it finds in the defaults.
    by_key: Vec<(String, jsonschema::Validator, Errors)>,
    /// What a property's validator found, by the values that set it.
    seen: std::sync::Mutex<std::collections::HashMap<Print, Errors>>,
}

impl Parts {
    /// What the schema says of the values as a whole: a required property
    /// missing, a key it does not list when closed, and its `allOf`.
    fn whole(&self, all: &Value, prefix: &str, out: &mut Errors) {
        let keys = all.as_object().into_iter().flat_map(|m| m.keys());
        self.shape(|k| all.get(k).is_some(), keys, prefix, out);
        if let Some(rest) = &self.rest {
            out.extend(errors(rest, all, prefix));
        }
    }

    /// A required property missing (`has` says which are there) and, when
    /// closed, the top-level `keys` the schema does not list.
    fn shape<'k>(
        &self,
        has: impl Fn(&str) -> bool,
        keys: impl Iterator<Item = &'k String>,
        prefix: &str,
        out: &mut Errors,
    ) {
        for key in &self.required {
            if !has(key) {
                out.push((
                    prefix.to_string(),
                    format!("{key:?} is a required property"),
                ));
            }
        }
        if !self.closed {
            return;
        }
        let extra: Vec<String> = keys
            .filter(|k| !self.by_key.iter().any(|(p, _, _)| p == *k))
            .map(|k| format!("'{k}'"))
            .collect();
        if !extra.is_empty() {
            let (list, verb) = match extra.len() {
                1 => (extra[0].clone(), "was"),
                _ => (extra.join(", "), "were"),
            };
            out.push((
                prefix.to_string(),
                format!("Additional properties are not allowed ({list} {verb} unexpected)"),
            ));
        }
    }

    /// [`whole`](Self::whole) at the top level, where `values` were applied
    /// onto `computed`: the coalesced tree is asked for (and built) only
    /// when `allOf` must see more than the properties it reads, or fails.
    fn whole_top<'a>(&'a self, lazy: &mut Lazy<'a>, out: &mut Errors) {
        let (computed, values) = (lazy.computed, lazy.values);
        let unset = &self.required_unset;
        let has = |k: &str| !unset.iter().any(|u| u == k) || values.get(k).is_some();
        let fresh = values
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| computed.get(k.as_str()).is_none());
        self.shape(has, self.unlisted.iter().chain(fresh), "", out);
        let Some(rest) = &self.rest else { return };
        let Some(reads) = &self.rest_reads else {
            out.extend(errors(rest, lazy.whole(), ""));
            return;
        };
        let mut printer = Printer::new("\0allOf");
        for key in reads {
            lazy.input_of(key, &mut printer);
        }
        let id = printer.print();
        let valid = match self.seen.lock().ok().and_then(|s| s.get(&id).cloned()) {
            Some(found) => found.is_empty(),
            None => {
                let mut reduced = serde_json::Map::new();
                for key in reads {
                    if let Some(v) = lazy.key(key) {
                        reduced.insert(key.clone(), v.clone());
                    }
                }
                let valid = rest.is_valid(&Value::Object(reduced));
                if valid {
                    if let Ok(mut s) = self.seen.lock() {
                        s.insert(id, Vec::new());
                    }
                }
                valid
            }
        };
        // What fails is said of the whole values, as the schema sees them.
        if !valid {
            out.extend(errors(rest, lazy.whole(), ""));
        }
    }
}

/// The top-level properties an `allOf` looks at, when it looks at nothing
/// else (`properties`, `required`, and combinations of such schemas).
fn top_reads(schema: &Value, out: &mut BTreeSet<String>) -> bool {
    let Some(map) = schema.as_object() else {
        return schema.is_boolean();
    };
    map.iter().all(|(k, v)| match k.as_str() {
        "description" | "title" | "$comment" | "type" => true,
        "properties" => v.as_object().is_some_and(|p| {
            out.extend(p.keys().cloned());
            true
        }),
        "required" => v.as_array().is_some_and(|r| {
            r.iter()
                .all(|k| k.as_str().map(|k| out.insert(k.to_string())).is_some())
        }),
        "if" | "then" | "else" | "not" => top_reads(v, out),
        "allOf" | "anyOf" | "oneOf" => v
            .as_array()
            .is_some_and(|items| items.iter().all(|i| top_reads(i, out))),
        _ => false,
    })
}

/// The values coalesced onto a chart's computed values, built on a scratch
/// copy of them as far as asked: each top-level key's values are applied
/// when that key is first asked for, and taken off again at the end.
struct Lazy<'a> {
    chart: &'a ChartKeys,
    computed: &'a Value,
    values: &'a Value,
    tree: Value,
    undo: Vec<(Vec<String>, Option<Value>)>,
    applied: BTreeSet<&'a str>,
    everything: bool,
    /// Fingerprints taken, by top-level key, and of `global`.
    prints: Vec<(&'a str, Print)>,
    global: Option<Print>,
}

impl<'a> Lazy<'a> {
    fn new(chart: &'a ChartKeys, values: &'a Value) -> Lazy<'a> {
        let taken = chart.scratch.lock().ok().and_then(|mut s| s.pop());
        Lazy {
            chart,
            computed: &chart.computed,
            values,
            tree: taken.unwrap_or_else(|| chart.computed.clone()),
            undo: Vec::new(),
            applied: BTreeSet::new(),
            everything: false,
            prints: Vec::new(),
            global: None,
        }
    }

    /// Applies the values of the top-level `key`, once. A subchart's key
    /// is followed by `global` again: Helm's `global` wins over the
    /// subchart's own.
    fn apply(&mut self, key: &'a str) {
        if self.everything || !self.applied.insert(key) {
            return;
        }
        if let Some(v) = self.values.get(key) {
            let mut path = vec![key.to_string()];
            self.chart
                .apply_all(&mut self.tree, v, &mut path, &mut self.undo);
            if key != "global" && self.chart.global_into.iter().any(|k| k == key) {
                if let Some(g) = self.values.get("global") {
                    let mut path = vec!["global".to_string()];
                    self.chart
                        .apply_all(&mut self.tree, g, &mut path, &mut self.undo);
                }
            }
        }
    }

    /// The coalesced value of the top-level `key`.
    fn key(&mut self, key: &'a str) -> Option<&Value> {
        self.apply(key);
        if self.chart.global_into.iter().any(|k| k == key) {
            self.apply("global");
        }
        self.tree.get(key)
    }

    /// The whole coalesced values.
    fn whole(&mut self) -> &Value {
        if !self.everything {
            if let Some(m) = self.values.as_object() {
                let keys: Vec<&'a str> = m.keys().map(String::as_str).collect();
                for k in keys.iter().filter(|k| **k != "global") {
                    self.apply(k);
                }
                self.apply("global");
            }
            self.everything = true;
        }
        &self.tree
    }

    /// Feeds `out` what the coalesced value of `key` depends on: the key,
    /// its values (and `global`'s, for a subchart that sees it).
    fn input_of(&mut self, key: &'a str, out: &mut Printer) {
        use std::hash::Hash;
        self.print_of(key).hash(out);
    }

    /// The fingerprint of what the coalesced value of `key` depends on,
    /// taken once.
    fn print_of(&mut self, key: &'a str) -> Print {
        use std::hash::Hash;
        if let Some((_, p)) = self.prints.iter().find(|(k, _)| *k == key) {
            return *p;
        }
        let mut printer = Printer::new(key);
        printer.value(self.values.get(key));
        if self.chart.global_into.iter().any(|k| k == key) {
            let values = self.values;
            let global = *self.global.get_or_insert_with(|| {
                let mut printer = Printer::new("global");
                printer.value(values.get("global"));
                printer.print()
            });
            global.hash(&mut printer);
        }
        let p = printer.print();
        self.prints.push((key, p));
        p
    }

    /// Takes the values off again, and the scratch copy back.
    fn finish(mut self) {
        for (path, old) in self.undo.drain(..).rev() {
            restore(&mut self.tree, &path, old);
        }
        debug_assert_eq!(&self.tree, self.computed, "values taken off again");
        if let Ok(mut s) = self.chart.scratch.lock() {
            s.push(std::mem::take(&mut self.tree));
        }
    }
}

impl Schema {
    fn new(raw: Value, computed: &Value) -> Result<Schema, String> {
        let mut s = Schema {
            raw,
            validator: None,
            parts: None,
        };
        s.parts = Schema::parts(&s.raw, computed);
        if s.parts.is_none() {
            s.validator = Some(jsonschema::validator_for(&s.raw).map_err(|e| e.to_string())?);
        }
        Ok(s)
    }

    /// The parts of the schema, when validating them one by one is the
    /// same as validating the whole: an object schema of `properties`,
    /// `required`, `additionalProperties` (a boolean) and `allOf` only,
    /// without references.
    fn parts(raw: &Value, computed: &Value) -> Option<Parts> {
        let map = raw.as_object()?;
        let plain = [
            "$schema",
            "$id",
            "$comment",
            "title",
            "description",
            "type",
            "properties",
            "required",
            "additionalProperties",
            "allOf",
        ];
        if !map.keys().all(|k| plain.contains(&k.as_str()))
            || map.get("type").is_some_and(|t| t != "object")
            || map
                .get("additionalProperties")
                .is_some_and(|a| !a.is_boolean())
            || raw.to_string().contains("\"$ref\"")
        {
            return None;
        }
        let closed = map.get("additionalProperties") == Some(&Value::Bool(false));
        let (rest, rest_reads) = match map.get("allOf") {
            Some(all_of) => {
                let schema = serde_json::json!({ "allOf": all_of });
                let mut reads = BTreeSet::new();
                let reads = top_reads(&schema, &mut reads).then(|| reads.into_iter().collect());
                (Some(jsonschema::validator_for(&schema).ok()?), reads)
            }
            None => (None, None),
        };
        let required: Vec<String> = map
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|k| k.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let mut by_key = Vec::new();
        for (k, sub) in map.get("properties")?.as_object()? {
            let v = jsonschema::validator_for(sub).ok()?;
            let baseline = computed
                .get(k)
                .map(|c| errors(&v, c, k))
                .unwrap_or_default();
            by_key.push((k.clone(), v, baseline));
        }
        let unlisted = computed
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
            .filter(|k| !by_key.iter().any(|(p, _, _)| p == *k))
            .cloned()
            .collect();
        let required_unset = required
            .iter()
            .filter(|k| computed.get(k.as_str()).is_none())
            .cloned()
            .collect();
        let index = by_key
            .iter()
            .enumerate()
            .map(|(i, (k, _, _))| (k.clone(), i))
            .collect();
        Some(Parts {
            unlisted,
            required_unset,
            index,
            required,
            closed,
            rest,
            rest_reads,
            by_key,
            seen: Default::default(),
        })
    }
}

/// What `v` finds wrong with `instance`, paths under `prefix`.
fn errors(v: &jsonschema::Validator, instance: &Value, prefix: &str) -> Errors {
    if v.is_valid(instance) {
        return Vec::new();
    }
    v.iter_errors(instance)
        .map(|e| {
            let at = e.instance_path().to_string();
            let dotted = at.trim_start_matches('/').replace('/', ".");
            let path = match (prefix.is_empty(), dotted.is_empty()) {
                (true, _) => dotted,
                (false, true) => prefix.to_string(),
                (false, false) => format!("{prefix}.{dotted}"),
            };
            (path, e.to_string())
        })
        .collect()
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Schema")
    }
}

/// A key path of a values file no part of the chart reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// The path, one step per key.
    pub path: Vec<String>,
    /// The existing key nearest to the first step the chart lacks.
    pub suggestion: Option<String>,
}

fn parse_yaml(name: &str, text: &str) -> Result<Value, String> {
    let source = std::sync::Arc::new(crate::error::Source {
        name: name.into(),
        text: text.into(),
    });
    let limits = crate::yaml::Limits {
        max_bytes: super::MAX_UNPACKED_BYTES as usize,
        ..crate::yaml::Limits::default()
    };
    crate::yaml::parse_one(source, limits)
        .map(|n| n.to_json())
        .map_err(|d| format!("{name}: {}", d.message))
}

/// A file's text: as it is when UTF-8 (checked the fast way), else with
/// the bytes that are not replaced.
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Every `.Values.a.b` path a template references.
fn template_reads(text: &str, out: &mut BTreeSet<Vec<String>>) {
    for (at, _) in text.match_indices(".Values.") {
        let rest = &text[at + ".Values.".len()..];
        let mut path = Vec::new();
        for step in rest.split('.') {
            let end = step
                .bytes()
                .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
                .unwrap_or(step.len());
            if end == 0 {
                break;
            }
            path.push(step[..end].to_string());
            if end < step.len() {
                break;
            }
        }
        if !path.is_empty() {
            out.insert(path);
        }
    }
}

/// Whether a schema declares the object at this node free-form.
fn schema_open(schema: &Value, path: &[String]) -> bool {
    let mut node = schema;
    for step in path {
        let props = node.get("properties").and_then(Value::as_object);
        if let Some(next) = props.and_then(|p| p.get(step)) {
            node = next;
            continue;
        }
        return match node.get("additionalProperties") {
            Some(Value::Bool(true)) | Some(Value::Object(_)) => true,
            Some(_) => false,
            // An object schema that lists no properties takes any.
            None => {
                props.is_none()
                    && node.get("$ref").is_none()
                    && node.get("patternProperties").is_none()
                    && node.get("type").is_none_or(|t| t == "object")
            }
        } || node.get("patternProperties").is_some();
    }
    false
}

fn lookup<'a>(tree: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(tree, |node, step| node.get(step))
}

/// Merges `over` onto `base` as Helm coalesces values: maps merge, all
/// else replaces.
fn coalesce(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let merged = match b.get(k) {
                    Some(bv) => coalesce(bv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

impl ChartKeys {
    /// Builds a package's keys; a package whose values or schema do not
    /// parse is refused.
    pub fn of(package: &Package) -> Result<ChartKeys, String> {
        ChartKeys::build(&package.name, &package.version, &package.files, 0)
    }

    fn build(
        name: &str,
        version: &str,
        files: &BTreeMap<String, Vec<u8>>,
        depth: usize,
    ) -> Result<ChartKeys, String> {
        let text = |path: &str| files.get(path).map(|b| utf8(b));
        let defaults = match text("values.yaml") {
            Some(t) => parse_yaml(&format!("{name}/values.yaml"), &t)?,
            None => Value::Null,
        };
        let defaults = if defaults.is_null() {
            Value::Object(Default::default())
        } else {
            defaults
        };
        let mut reads = BTreeSet::new();
        for (path, bytes) in files.range("templates/".to_string()..) {
            if !path.starts_with("templates/") {
                break;
            }
            template_reads(&utf8(bytes), &mut reads);
        }
        let schema = match text("values.schema.json") {
            Some(t) => {
                let raw: Value = serde_json::from_str(&t)
                    .map_err(|e| format!("{name}/values.schema.json: {e}"))?;
                Some(raw)
            }
            None => None,
        };
        let mut subcharts = BTreeMap::new();
        if depth < MAX_DEPTH {
            let mut found: BTreeMap<String, ChartKeys> = BTreeMap::new();
            // Unpacked subcharts: charts/<dir>/…
            let mut dirs: BTreeMap<&str, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
            for (path, bytes) in files.range("charts/".to_string()..) {
                let Some(rest) = path.strip_prefix("charts/") else {
                    break;
                };
                match rest.split_once('/') {
                    Some((dir, inner)) => {
                        dirs.entry(dir)
                            .or_default()
                            .insert(inner.to_string(), bytes.clone());
                    }
                    None if rest.ends_with(".tgz") => {
                        let p = Package::read(bytes)
                            .map_err(|e| format!("{name}/charts/{rest}: {e}"))?;
                        let k = ChartKeys::build(&p.name, &p.version, &p.files, depth + 1)?;
                        found.insert(p.name.clone(), k);
                    }
                    None => {}
                }
            }
            for (_, inner) in dirs {
                let Some(chart) = inner.get("Chart.yaml") else {
                    continue;
                };
                let meta = parse_yaml("Chart.yaml", &utf8(chart))?;
                let Some(sub) = meta["name"].as_str() else {
                    continue;
                };
                let v = meta["version"].as_str().unwrap_or_default().to_string();
                let k = ChartKeys::build(sub, &v, &inner, depth + 1)?;
                found.insert(sub.to_string(), k);
            }
            // Each dependency under its alias; without a list, by name.
            let meta = match text("Chart.yaml") {
                Some(t) => parse_yaml("Chart.yaml", &t)?,
                None => Value::Null,
            };
            let deps = meta["dependencies"].as_array().cloned().unwrap_or_default();
            if deps.is_empty() {
                subcharts = found;
            } else {
                // A chart used under two aliases is copied; the last use
                // takes it.
                let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
                for d in &deps {
                    if let Some(dep) = d["name"].as_str() {
                        *uses.entry(dep).or_default() += 1;
                    }
                }
                for d in &deps {
                    let Some(dep) = d["name"].as_str() else {
                        continue;
                    };
                    let key = d["alias"].as_str().unwrap_or(dep);
                    let left = uses.get_mut(dep).expect("counted");
                    *left -= 1;
                    let k = match *left {
                        0 => found.remove(dep),
                        _ => found.get(dep).map(ChartKeys::duplicate),
                    };
                    if let Some(k) = k {
                        subcharts.insert(key.to_string(), k);
                    }
                }
            }
        }
        ChartKeys::new(name, version, defaults, reads, schema, subcharts)
            .map_err(|e| format!("{name}/values.schema.json: {e}"))
    }

    fn new(
        name: &str,
        version: &str,
        defaults: Value,
        reads: BTreeSet<Vec<String>>,
        schema: Option<Value>,
        subcharts: BTreeMap<String, ChartKeys>,
    ) -> Result<ChartKeys, String> {
        let mut k = ChartKeys {
            name: name.to_string(),
            version: version.to_string(),
            defaults,
            reads,
            schema: None,
            subcharts,
            computed: Value::Null,
            scratch: Default::default(),
            found: Default::default(),
            global_into: Vec::new(),
            sub_baseline: BTreeMap::new(),
            sub_seen: Default::default(),
        };
        k.computed = k.coalesced(&Value::Object(Default::default()));
        if let Some(raw) = schema {
            k.schema = Some(Schema::new(raw, &k.computed)?);
        }
        k.global_into = k
            .subcharts
            .iter()
            .filter(|(key, sub)| sub.has_schema() || k.schema_sees_global_of(key))
            .map(|(key, _)| key.clone())
            .collect();
        for (key, sub) in &k.subcharts {
            if let Some(v) = k.computed.get(key).filter(|_| sub.has_schema()) {
                let mut errors = Vec::new();
                sub.validate(v, key, &mut errors);
                k.sub_baseline.insert(key.clone(), errors);
            }
        }
        // A subchart's computed values live on in this chart's: only the
        // top level applies values to them.
        for sub in k.subcharts.values_mut() {
            sub.drop_computed();
        }
        Ok(k)
    }

    fn drop_computed(&mut self) {
        self.computed = Value::Null;
        for sub in self.subcharts.values_mut() {
            sub.drop_computed();
        }
    }

    /// Whether this chart's own schema may look at `global` below the
    /// subchart key `key`: it names `global` there, or takes keys it does
    /// not list, or is not split by property.
    fn schema_sees_global_of(&self, key: &str) -> bool {
        let Some(s) = &self.schema else { return false };
        if s.parts.is_none() {
            return true;
        }
        if s.raw
            .get("allOf")
            .is_some_and(|a| a.to_string().contains(&format!("\"{key}\"")))
        {
            return true;
        }
        let Some(at) = s.raw["properties"].get(key) else {
            return false;
        };
        let text = at.to_string();
        [
            "\"global\"",
            "additionalProperties",
            "patternProperties",
            "\"$ref\"",
            "\"allOf\"",
            "\"anyOf\"",
            "\"oneOf\"",
            "\"not\"",
            "\"if\"",
        ]
        .iter()
        .any(|w| text.contains(w))
    }

    /// A copy (a subchart used under two aliases).
    fn duplicate(&self) -> ChartKeys {
        ChartKeys::new(
            &self.name,
            &self.version,
            self.defaults.clone(),
            self.reads.clone(),
            self.schema.as_ref().map(|s| s.raw.clone()),
            self.subcharts
                .iter()
                .map(|(k, v)| (k.clone(), v.duplicate()))
                .collect(),
        )
        .expect("compiled before")
    }

    /// The values Helm computes from no values at all: the defaults, with
    /// every subchart's under its key.
    pub fn computed(&self) -> &Value {
        &self.computed
    }

    /// Every value path the chart's and subcharts' schemas require (an
    /// object's `required`, through its `properties`), dotted, sorted.
    pub fn required_paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.schema {
            required_in(&s.raw, "", &mut out);
        }
        for (key, sub) in &self.subcharts {
            out.extend(
                sub.required_paths()
                    .into_iter()
                    .map(|p| format!("{key}.{p}")),
            );
        }
        out.sort();
        out.dedup();
        out
    }

    /// Whether the chart (or a subchart) reads the key `path`.
    pub fn reads(&self, path: &[String]) -> bool {
        if path.is_empty() {
            return true;
        }
        let d = &self.defaults;
        if lookup(d, path).is_some() {
            return true;
        }
        // Below a map the chart leaves open (`{}`).
        let mut node = d;
        for step in path {
            match node.get(step) {
                Some(child) => node = child,
                None => {
                    if node.as_object().is_some_and(|m| m.is_empty()) {
                        return true;
                    }
                    break;
                }
            }
        }
        // A template reads it, or a path above it the defaults do not
        // spell out key by key.
        for n in 1..=path.len() {
            let above = &path[..n];
            if self.reads.contains(above) {
                let documented =
                    lookup(d, above).is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()));
                if n == path.len() || !documented {
                    return true;
                }
            }
        }
        if self
            .schema
            .as_ref()
            .is_some_and(|s| schema_open(&s.raw, path))
        {
            return true;
        }
        if path[0] == "global" {
            return self.subcharts.values().any(|s| s.reads(path));
        }
        match self.subcharts.get(&path[0]) {
            Some(sub) => sub.reads(&path[1..]),
            None => false,
        }
    }

    /// The keys of `values` no part of the chart reads, except below the
    /// key paths in `open` (dotted).
    pub fn unknown_keys(&self, values: &Value, open: &[&str]) -> Vec<UnknownKey> {
        let mut printer = Printer::new(&open.join("\n"));
        printer.keys(values);
        let asked = printer.print();
        if let Some(known) = self.found.lock().ok().and_then(|f| f.get(&asked).cloned()) {
            return known;
        }
        let mut leaves = Vec::new();
        leaf_paths(values, &mut Vec::new(), &mut leaves);
        let found: Vec<UnknownKey> = leaves
            .into_iter()
            .filter(|p| {
                let dotted = p.join(".");
                !open.iter().any(|o| {
                    dotted == *o
                        || (dotted.starts_with(o) && dotted.as_bytes().get(o.len()) == Some(&b'.'))
                })
            })
            .filter(|p| !self.reads(p))
            .map(|path| UnknownKey {
                suggestion: self.suggest(&path),
                path,
            })
            .collect();
        if let Ok(mut f) = self.found.lock() {
            f.insert(asked, found.clone());
        }
        found
    }

    /// The nearest key to the first step of `path` the chart lacks.
    fn suggest(&self, path: &[String]) -> Option<String> {
        let mut node = &self.defaults;
        let mut chart = self;
        let mut i = 0;
        while i < path.len() {
            if i == 0 || std::ptr::eq(node, &chart.defaults) {
                if let Some(sub) = chart
                    .subcharts
                    .get(&path[i])
                    .filter(|_| node.get(&path[i]).is_none())
                {
                    chart = sub;
                    node = &sub.defaults;
                    i += 1;
                    continue;
                }
            }
            match node.get(&path[i]) {
                Some(child) => node = child,
                None => break,
            }
            i += 1;
        }
        let step = path.get(i)?;
        let mut candidates: Vec<String> = node
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if std::ptr::eq(node, &chart.defaults) {
            candidates.extend(chart.subcharts.keys().cloned());
        }
        crate::names::did_you_mean(step, candidates.iter().map(String::as_str)).map(str::to_string)
    }

    /// The chart's values as Helm computes them from `values`: defaults
    /// coalesced, each subchart's under its key with `global` shared.
    fn coalesced(&self, values: &Value) -> Value {
        let mut all = coalesce(&self.defaults, values);
        let global = all.get("global").cloned();
        if let Value::Object(m) = &mut all {
            for (key, sub) in &self.subcharts {
                let own = m
                    .get(key)
                    .cloned()
                    .unwrap_or(Value::Object(Default::default()));
                let mut own = match global.clone() {
                    Some(g) => coalesce(&own, &serde_json::json!({ "global": g })),
                    None => own,
                };
                own = sub.coalesced(&own);
                m.insert(key.clone(), own);
            }
        }
        all
    }

    /// What the chart's and subcharts' `values.schema.json` find wrong
    /// with `values` coalesced onto the defaults: `(path, message)`.
    pub fn schema_errors(&self, values: &Value) -> Vec<(String, String)> {
        if !self.has_schema() {
            return Vec::new();
        }
        let mut lazy = Lazy::new(self, values);
        let mut out = Vec::new();
        self.validate_top(&mut lazy, &mut out);
        lazy.finish();
        out
    }

    fn has_schema(&self) -> bool {
        self.schema.is_some() || self.subcharts.values().any(ChartKeys::has_schema)
    }

    /// [`apply`](Self::apply)s every leaf of `values` (below `path`).
    fn apply_all(
        &self,
        tree: &mut Value,
        values: &Value,
        path: &mut Vec<String>,
        undo: &mut Vec<(Vec<String>, Option<Value>)>,
    ) {
        match values {
            Value::Object(map) if !map.is_empty() => {
                for (k, child) in map {
                    path.push(k.clone());
                    self.apply_all(tree, child, path, undo);
                    path.pop();
                }
            }
            leaf => self.apply(tree, &mut Vec::new(), path, leaf, undo),
        }
    }

    /// Sets `leaf` at `at` + `path` of `tree` as Helm's coalescing would
    /// (a `global` value also in every subchart's `global`), recording
    /// what it replaced.
    fn apply(
        &self,
        tree: &mut Value,
        at: &mut Vec<String>,
        path: &[String],
        leaf: &Value,
        undo: &mut Vec<(Vec<String>, Option<Value>)>,
    ) {
        let base = at.len();
        if base == 0 {
            set(tree, path, 0, leaf, undo);
        } else {
            at.extend(path.iter().cloned());
            set(tree, at, base, leaf, undo);
            at.truncate(base);
        }
        if path.first().is_some_and(|p| p == "global") {
            for key in &self.global_into {
                at.push(key.clone());
                self.subcharts[key].apply(tree, at, path, leaf, undo);
                at.pop();
            }
        }
    }

    /// The top-level schema property by property: those `values` leaves
    /// alone are as valid as the defaults; the others are validated once
    /// per distinct value.
    fn validate_parts<'a>(&'a self, parts: &'a Parts, lazy: &mut Lazy<'a>, out: &mut Errors) {
        parts.whole_top(lazy, out);
        let values = lazy.values;
        let mut touched = vec![false; parts.by_key.len()];
        for key in values.as_object().into_iter().flat_map(|m| m.keys()) {
            if let Some(&i) = parts.index.get(key) {
                touched[i] = true;
            }
            if key == "global" {
                for sub in &self.global_into {
                    if let Some(&i) = parts.index.get(sub) {
                        touched[i] = true;
                    }
                }
            }
        }
        for ((key, v, baseline), touched) in parts.by_key.iter().zip(touched) {
            if !touched {
                out.extend(baseline.iter().cloned());
                continue;
            }
            let id = lazy.print_of(key);
            if let Some(found) = parts.seen.lock().ok().and_then(|s| s.get(&id).cloned()) {
                out.extend(found);
                continue;
            }
            let Some(instance) = lazy.key(key) else {
                continue;
            };
            let found = errors(v, instance, key);
            if let Ok(mut s) = parts.seen.lock() {
                s.insert(id, found.clone());
            }
            out.extend(found);
        }
    }

    /// Validates `values` applied onto the computed values (as far as the
    /// schemas need them) against the schemas.
    fn validate_top<'a>(&'a self, lazy: &mut Lazy<'a>, out: &mut Errors) {
        match &self.schema {
            Some(Schema {
                parts: Some(parts), ..
            }) => self.validate_parts(parts, lazy, out),
            Some(s) => {
                let v = s.validator.as_ref().expect("compiled whole when not split");
                out.extend(errors(v, lazy.whole(), ""));
            }
            None => {}
        }
        let values = lazy.values;
        let global = values.get("global").is_some();
        for (key, sub) in &self.subcharts {
            if !sub.has_schema() {
                // Nothing below it validates.
                continue;
            }
            // Values that leave a subchart alone: as valid as its defaults.
            let untouched =
                values.get(key).is_none() && !(global && self.global_into.contains(key));
            if let (true, Some(baseline)) = (untouched, self.sub_baseline.get(key)) {
                out.extend(baseline.iter().cloned());
                continue;
            }
            // The subchart's values are a function of its key's and the
            // global values: validated once per distinct pair.
            let id = lazy.print_of(key);
            if let Some(found) = self.sub_seen.lock().ok().and_then(|s| s.get(&id).cloned()) {
                out.extend(found);
                continue;
            }
            if let Some(v) = lazy.key(key) {
                let mut found = Vec::new();
                sub.validate(v, key, &mut found);
                if let Ok(mut seen) = self.sub_seen.lock() {
                    seen.insert(id, found.clone());
                }
                out.extend(found);
            }
        }
    }

    /// Validates the computed values `all` of a chart against its schema
    /// and its subcharts', paths under `prefix`.
    fn validate(&self, all: &Value, prefix: &str, out: &mut Errors) {
        let under = |key: &str| {
            if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            }
        };
        if let Some(s) = &self.schema {
            match (&s.validator, &s.parts) {
                (Some(v), _) => out.extend(errors(v, all, prefix)),
                // Split by property: each part sees its own subtree.
                (None, Some(parts)) => {
                    parts.whole(all, prefix, out);
                    for (key, v, _) in &parts.by_key {
                        if let Some(instance) = all.get(key) {
                            out.extend(errors(v, instance, &under(key)));
                        }
                    }
                }
                (None, None) => unreachable!("a schema is compiled whole or split"),
            }
        }
        for (key, sub) in &self.subcharts {
            if let Some(v) = all.get(key).filter(|_| sub.has_schema()) {
                sub.validate(v, &under(key), out);
            }
        }
    }
}

/// Sets `leaf` at `path` of `tree`, merging as Helm does: an empty map
/// onto a map changes nothing, anything else replaces. What was replaced
/// (or `None` for a key added) is recorded, from `path[from..]` on.
fn set(
    tree: &mut Value,
    path: &[String],
    from: usize,
    leaf: &Value,
    undo: &mut Vec<(Vec<String>, Option<Value>)>,
) {
    let mut node = tree;
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        if !node.is_object() {
            if i < from {
                return;
            }
            let old = std::mem::replace(node, Value::Object(Default::default()));
            undo.push((path[..i].to_vec(), Some(old)));
            build_into(node, &path[i..], leaf);
            return;
        }
        let map = node.as_object_mut().expect("an object");
        if !map.contains_key(step) {
            undo.push((path[..=i].to_vec(), None));
            let mut fresh = Value::Null;
            build_into(&mut fresh, &path[i + 1..], leaf);
            map.insert(step.clone(), fresh);
            return;
        }
        let child = map.get_mut(step).expect("present");
        if last {
            let empty_map = leaf.as_object().is_some_and(|m| m.is_empty());
            if empty_map && child.is_object() {
                return;
            }
            let old = std::mem::replace(child, leaf.clone());
            undo.push((path.to_vec(), Some(old)));
            return;
        }
        node = child;
    }
}

/// `leaf` nested under `path` in the (fresh) `node`.
fn build_into(node: &mut Value, path: &[String], leaf: &Value) {
    let mut v = leaf.clone();
    for step in path.iter().rev() {
        let mut m = serde_json::Map::new();
        m.insert(step.clone(), v);
        v = Value::Object(m);
    }
    *node = v;
}

/// Undoes one [`set`].
fn restore(tree: &mut Value, path: &[String], old: Option<Value>) {
    let Some((last, parent)) = path.split_last() else {
        if let Some(old) = old {
            *tree = old;
        }
        return;
    };
    let mut node = tree;
    for step in parent {
        node = node.get_mut(step).expect("set made this path");
    }
    let map = node.as_object_mut().expect("set made this a map");
    match old {
        Some(old) => {
            map.insert(last.clone(), old);
        }
        None => {
            map.shift_remove(last);
        }
    }
}

/// Every leaf path of a values tree: a scalar, a list or an empty map.
fn leaf_paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                prefix.push(k.clone());
                leaf_paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => out.push(prefix.clone()),
    }
}

/// The `required` keys of `schema` and of its `properties`' schemas, as
/// paths under `prefix`.
fn required_in(schema: &Value, prefix: &str, out: &mut Vec<String>) {
    let at = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    if let Some(list) = schema.get("required").and_then(Value::as_array) {
        out.extend(list.iter().filter_map(Value::as_str).map(at));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, sub) in props {
            required_in(sub, &at(k), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    fn p(s: &str) -> Vec<String> {
        s.split('.').map(String::from).collect()
    }

    fn chart() -> ChartKeys {
        ChartKeys::build(
            "demo",
            "1.0.0",
            &files(&[
                ("Chart.yaml", "name: demo\nversion: 1.0.0\ndependencies:\n- name: db\n  alias: store\n"),
                (
                    "values.yaml",
                    "controller:\n  replicaCount: 1\n  resources: {}\npodAnnotations: {}\nimage:\n  tag: \"1\"\nglobal:\n  imageRegistry: \"\"\n",
                ),
                ("templates/a.yaml", "x: {{ .Values.extra.thing }} {{ toYaml .Values.controller }} {{ $.Values.sidecar }}"),
                ("charts/db/Chart.yaml", "name: db\nversion: 2.0.0\n"),
                ("charts/db/values.yaml", "auth:\n  database: x\nglobal:\n  storageClass: \"\"\n"),
                ("charts/db/values.schema.json", r#"{"type":"object","properties":{"global":{"type":"object","properties":{"storageClass":{"type":"string"}}}}}"#),
                (
                    "values.schema.json",
                    r#"{"type":"object","properties":{"image":{"type":"object","properties":{"tag":{"type":"string"}}},"labels":{"type":"object","additionalProperties":{"type":"string"}}}}"#,
                ),
            ]),
            0,
        )
        .unwrap()
    }

    #[test]
    fn keys_are_read_from_values_templates_subcharts_and_schema() {
        let c = chart();
        for ok in [
            "controller.replicaCount",
            "controller.resources.limits.cpu",
            "podAnnotations.a",
            "extra.thing",
            "extra.thing.below",
            "sidecar.image",
            "store.auth.database",
            "global.storageClass",
            "labels.team",
        ] {
            assert!(c.reads(&p(ok)), "{ok}");
        }
        // `toYaml .Values.controller` reads a documented map: a typo below
        // it is still unknown.
        for unknown in [
            "controller.replicaCont",
            "replicaCount",
            "store.auth.user",
            "db.auth.database",
            "extra.other",
        ] {
            assert!(!c.reads(&p(unknown)), "{unknown}");
        }
    }

    #[test]
    fn unknown_keys_come_with_the_nearest_existing_one() {
        let c = chart();
        let values = serde_json::json!({
            "controler": {"replicaCount": 3},
            "controller": {"replicaCont": 2},
            "stor": {"auth": {"database": "d"}},
            "store": {"auth": {"databse": "d"}},
            "kept": {"free": 1},
        });
        let found = c.unknown_keys(&values, &["kept"]);
        let got: Vec<(String, Option<String>)> = found
            .into_iter()
            .map(|u| (u.path.join("."), u.suggestion))
            .collect();
        assert_eq!(
            got,
            [
                ("controler.replicaCount".into(), Some("controller".into())),
                ("controller.replicaCont".into(), Some("replicaCount".into())),
                ("stor.auth.database".into(), Some("store".into())),
                ("store.auth.databse".into(), Some("database".into())),
            ]
        );
    }

    #[test]
    fn coalesced_values_are_validated_against_the_schema() {
        let c = chart();
        assert!(c
            .schema_errors(&serde_json::json!({"image": {"tag": "2"}}))
            .is_empty());
        let errors =
            c.schema_errors(&serde_json::json!({"image": {"tag": 2}, "labels": {"a": true}}));
        let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["image.tag", "labels.a"], "{errors:?}");
    }

    #[test]
    fn values_applied_in_place_are_the_coalesced_values_and_come_off_again() {
        let c = chart();
        for values in [
            serde_json::json!({}),
            serde_json::json!({"controller": {"replicaCount": 3, "resources": {"limits": {"cpu": "1"}}}}),
            serde_json::json!({"global": {"imageRegistry": "r.example", "new": {"a": 1}}, "store": {"auth": {"database": "d"}}}),
            serde_json::json!({"image": {"tag": {"now": "a map"}}, "podAnnotations": {}, "fresh": {"deep": {"x": [1, 2]}}}),
            serde_json::json!({"image": "a scalar over a map", "store": {"global": {"storageClass": "s"}}}),
        ] {
            let mut tree = c.computed.clone();
            let mut undo = Vec::new();
            let mut leaves = Vec::new();
            leaf_paths(&values, &mut Vec::new(), &mut leaves);
            for path in &leaves {
                c.apply(
                    &mut tree,
                    &mut Vec::new(),
                    path,
                    lookup(&values, path).unwrap(),
                    &mut undo,
                );
            }
            assert_eq!(tree, c.coalesced(&values), "{values}");
            for (path, old) in undo.into_iter().rev() {
                restore(&mut tree, &path, old);
            }
            assert_eq!(tree, c.computed, "{values}");
            // Key order too: the text is the same.
            assert_eq!(tree.to_string(), c.computed.to_string());
        }
    }

    #[test]
    fn a_closed_schema_with_all_of_split_by_property_finds_what_the_whole_finds() {
        let schema = r#"{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
            "required":["auth","ldap","replicaCount"],
            "properties":{"auth":{"type":"object","properties":{"enabled":{"type":"boolean"}}},
                          "ldap":{"type":"object","properties":{"enabled":{"type":"boolean"}}},
                          "replicaCount":{"type":"integer"}},
            "allOf":[{"not":{"properties":{"auth":{"properties":{"enabled":{"const":true}}},"ldap":{"properties":{"enabled":{"const":true}}}}}}]}"#;
        let c = ChartKeys::build(
            "closed",
            "1.0.0",
            &files(&[
                ("Chart.yaml", "name: closed\nversion: 1.0.0\n"),
                (
                    "values.yaml",
                    "auth:\n  enabled: false\nldap:\n  enabled: false\nreplicaCount: 1\n",
                ),
                ("values.schema.json", schema),
            ]),
            0,
        )
        .unwrap();
        assert!(c.schema.as_ref().unwrap().parts.is_some(), "split");
        let whole = jsonschema::validator_for(&serde_json::from_str(schema).unwrap()).unwrap();
        let cases = [
            serde_json::json!({}),
            serde_json::json!({"replicaCount": 2}),
            serde_json::json!({"replicaCount": "2"}),
            serde_json::json!({"auth": {"enabled": true}}),
            serde_json::json!({"auth": {"enabled": true}, "ldap": {"enabled": true}}),
            serde_json::json!({"extra": 1}),
            serde_json::json!({"extra": 1, "more": {"a": 1}, "replicaCount": 1.5}),
        ];
        // The `allOf` reads `auth` and `ldap` only: validated on them.
        let parts = c.schema.as_ref().unwrap().parts.as_ref().unwrap();
        assert_eq!(
            parts.rest_reads.as_deref(),
            Some(&["auth".to_string(), "ldap".to_string()][..])
        );
        // Twice round: the second time much comes from what was kept, and
        // must be the same.
        for values in cases.iter().chain(cases.iter().rev()) {
            let mut split = c.schema_errors(values);
            let mut full = errors(&whole, &c.coalesced(values), "");
            split.sort();
            full.sort();
            assert_eq!(split, full, "{values}");
        }
        assert!(!c.schema_errors(&serde_json::json!({"extra": 1})).is_empty());
    }

    #[test]
    fn a_global_reaches_the_subchart_schemas_that_see_it() {
        let c = chart();
        assert_eq!(c.global_into, ["store"]);
        let bad = serde_json::json!({"global": {"storageClass": 1}});
        let good = serde_json::json!({"global": {"storageClass": "fast"}});
        // What a subchart's schema found is kept by the values that reach
        // it: `global` changes what it finds, and back again.
        for (values, wrong) in [(&bad, true), (&good, false), (&bad, true)] {
            let errors = c.schema_errors(values);
            let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
            let expected: &[&str] = if wrong {
                &["store.global.storageClass"]
            } else {
                &[]
            };
            assert_eq!(paths, expected, "{values}: {errors:?}");
        }
        // The subchart's own key's global is overridden by the top-level
        // one, as Helm coalesces it.
        let both = serde_json::json!({"store": {"global": {"storageClass": 1}}, "global": {"storageClass": "fast"}});
        assert!(c.schema_errors(&both).is_empty());
        assert_eq!(
            c.coalesced(&both)["store"]["global"]["storageClass"],
            "fast"
        );
    }

    #[test]
    fn an_all_of_that_looks_beyond_its_properties_is_validated_on_the_whole() {
        let mut reads = BTreeSet::new();
        assert!(top_reads(
            &serde_json::json!({"allOf": [{"if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "then": {"required": ["b"]}}]}),
            &mut reads
        ));
        assert_eq!(reads.into_iter().collect::<Vec<_>>(), ["a", "b"]);
        for beyond in [
            serde_json::json!({"allOf": [{"minProperties": 2}]}),
            serde_json::json!({"allOf": [{"not": {"patternProperties": {"^x": {}}}}]}),
            serde_json::json!({"allOf": [{"$ref": "#/definitions/x"}]}),
        ] {
            assert!(!top_reads(&beyond, &mut BTreeSet::new()), "{beyond}");
        }
    }

    #[test]
    fn unknown_keys_are_kept_by_their_paths_not_their_dotted_text() {
        let c = chart();
        let nested = serde_json::json!({"controller": {"replicaCount": 2}});
        let dotted = serde_json::json!({"controller.replicaCount": 2});
        assert!(c.unknown_keys(&nested, &[]).is_empty());
        let found = c.unknown_keys(&dotted, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, ["controller.replicaCount"]);
        assert!(c.unknown_keys(&nested, &[]).is_empty());
    }

    #[test]
    fn template_references_are_found() {
        let mut out = BTreeSet::new();
        template_reads(
            "{{ .Values.a.b_c }} {{- if .Values.d }}{{ index .Values \"x\" }} .Values.e.f-g",
            &mut out,
        );
        let got: Vec<String> = out.iter().map(|p| p.join(".")).collect();
        assert_eq!(got, ["a.b_c", "d", "e.f"]);
    }
}
