//! What moving a chart from one version to another does to the values gen
//! writes for it: keys the new version no longer reads, values its schema
//! now refuses, defaults that changed under keys gen leaves unset, and
//! values it newly requires.

use serde::Serialize;
use serde_json::Value;

use super::ChartKeys;

/// One chart's move from one version to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upgrade {
    /// Chart name.
    pub chart: String,
    /// The version vendored before.
    pub from: String,
    /// The version vendored now.
    pub to: String,
    /// Keys gen writes that the new version does not read (errors).
    pub unread: Vec<Unread>,
    /// What the new version's schemas refuse in gen's values that the old
    /// version's accepted (errors).
    pub refused: Vec<Refused>,
    /// Defaults that changed below keys gen leaves unset.
    pub defaults: Vec<DefaultChange>,
    /// Values the new version's schemas require that the old did not.
    pub required: Vec<String>,
}

impl Upgrade {
    /// Whether the values gen writes break with the new version.
    pub fn breaks(&self) -> bool {
        !self.unread.is_empty() || !self.refused.is_empty()
    }
}

/// A key gen writes that the new version does not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unread {
    /// The key path, dotted.
    pub path: String,
    /// Who writes it: `env/component`.
    pub written_by: Vec<String>,
    /// Whether the old version read it (else it was unread before too).
    pub read_before: bool,
    /// The new version's nearest key.
    pub suggestion: Option<String>,
}

/// A value of gen's the new version's schemas refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// The value's path, dotted (empty: the top level).
    pub path: String,
    /// What the schema says.
    pub message: String,
    /// Who writes it: `env/component`.
    pub written_by: Vec<String>,
}

/// A chart default that moved, as compact JSON; `None` where a side has
/// no such key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DefaultChange {
    /// The key path, dotted.
    pub path: String,
    /// The old default.
    pub old: Option<String>,
    /// The new default.
    pub new: Option<String>,
}

/// The values gen writes for one use of the chart: `env/component` and
/// the values file's values.
pub type Written = (String, Value);

/// Compares `old` and `new` for the values in `written` (`open`: key paths
/// the component declares free-form).
pub fn compare(old: &ChartKeys, new: &ChartKeys, written: &[Written], open: &[&str]) -> Upgrade {
    let mut unread: Vec<Unread> = Vec::new();
    let mut refused: Vec<Refused> = Vec::new();
    for (who, values) in written {
        for u in new.unknown_keys(values, open) {
            let path = u.path.join(".");
            match unread.iter_mut().find(|x| x.path == path) {
                Some(x) => x.written_by.push(who.clone()),
                None => unread.push(Unread {
                    read_before: old
                        .unknown_keys(values, open)
                        .iter()
                        .all(|o| o.path != u.path),
                    path,
                    written_by: vec![who.clone()],
                    suggestion: u.suggestion,
                }),
            }
        }
        let before = old.schema_errors(values);
        for (path, message) in new.schema_errors(values) {
            if before.iter().any(|(p, m)| *p == path && *m == message) {
                continue;
            }
            let message = crate::names::mask_credentials(&message).into_owned();
            match refused
                .iter_mut()
                .find(|x| x.path == path && x.message == message)
            {
                Some(x) => x.written_by.push(who.clone()),
                None => refused.push(Refused {
                    path,
                    message,
                    written_by: vec![who.clone()],
                }),
            }
        }
    }
    let mut set: Vec<Vec<String>> = Vec::new();
    for (_, values) in written {
        leaf_paths(values, &mut Vec::new(), &mut set);
    }
    let mut was = Vec::new();
    leaves(old.computed(), &mut Vec::new(), &mut was);
    let mut now = Vec::new();
    leaves(new.computed(), &mut Vec::new(), &mut now);
    let by_gen = |p: &[String]| set.iter().any(|s| p.starts_with(s) || s.starts_with(p));
    let mut defaults = Vec::new();
    let mut all: Vec<&Vec<String>> = was.iter().chain(now.iter()).map(|(p, _)| p).collect();
    all.sort();
    all.dedup();
    for p in all {
        if by_gen(p) {
            continue;
        }
        let find = |side: &[(Vec<String>, String)]| {
            side.iter().find(|(q, _)| q == p).map(|(_, v)| v.clone())
        };
        let (o, n) = (find(&was), find(&now));
        if o != n {
            let path = p.join(".");
            let mask = |v: Option<String>| {
                v.map(|v| match p.last() {
                    Some(k) if crate::names::holds_credential(k) => "********".to_string(),
                    _ => v,
                })
            };
            defaults.push(DefaultChange {
                path,
                old: mask(o),
                new: mask(n),
            });
        }
    }
    let mut required = new.required_paths();
    let before = old.required_paths();
    required.retain(|r| !before.contains(r));
    Upgrade {
        chart: new.name.clone(),
        from: old.version.clone(),
        to: new.version.clone(),
        unread,
        refused,
        defaults,
        required,
    }
}

/// Every path to a scalar or a list (a list is one value) of `v`.
fn leaves(v: &Value, at: &mut Vec<String>, out: &mut Vec<(Vec<String>, String)>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                at.push(k.clone());
                leaves(v, at, out);
                at.pop();
            }
        }
        other => out.push((at.clone(), other.to_string())),
    }
}

fn leaf_paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, v) in m {
                at.push(k.clone());
                leaf_paths(v, at, out);
                at.pop();
            }
        }
        _ => out.push(at.clone()),
    }
}

/// The report as text, one line per finding, breaking ones first.
pub fn text(u: &Upgrade) -> String {
    let mut out = format!("{} {} → {}:", u.chart, u.from, u.to);
    if u.unread.is_empty() && u.refused.is_empty() && u.defaults.is_empty() && u.required.is_empty()
    {
        out.push_str(" nothing gen writes or leaves to the defaults changed\n");
        return out;
    }
    out.push('\n');
    for x in &u.unread {
        let mut line = format!(
            "  error: `{}` (written by {}) is not read by {} {}",
            x.path,
            x.written_by.join(", "),
            u.chart,
            u.to
        );
        if !x.read_before {
            line.push_str(&format!(" (nor was it by {})", u.from));
        }
        if let Some(s) = &x.suggestion {
            line.push_str(&format!("; did you mean `{s}`?"));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for x in &u.refused {
        let at = if x.path.is_empty() {
            "the values".to_string()
        } else {
            format!("`{}`", x.path)
        };
        out.push_str(&format!(
            "  error: {at} (written by {}) fails {} {}'s values.schema.json: {}\n",
            x.written_by.join(", "),
            u.chart,
            u.to,
            x.message
        ));
    }
    for r in &u.required {
        out.push_str(&format!("  required: `{r}` is required by {}\n", u.to));
    }
    for d in &u.defaults {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        out.push_str(&format!(
            "  default: `{}`: {} → {}\n",
            d.path,
            side(&d.old),
            side(&d.new)
        ));
    }
    out
}
