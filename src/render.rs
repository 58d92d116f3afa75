//! Laying out files with Tera. Templates are embedded in the binary and can
//! be overridden from a directory; structured YAML goes through the
//! `to_yaml` filter, which writes values with [`yaml::to_yaml`](crate::yaml::to_yaml).

use std::path::Path;

use tera::{Context, Kwargs, State, Tera, Value};

use crate::error::{Diagnostic, Error, Result};
use crate::model::View;
use crate::resolve::Shared;
use crate::yaml::Emitted;

/// The templates of the files every platform has, whatever its
/// components: Applications, the root app, plain Ingresses, smoke
/// checks and the `argocd-cm` entries. Each component brings its own
/// ([`Component::TEMPLATE`]).
///
/// [`Component::TEMPLATE`]: crate::model::Component::TEMPLATE
pub(crate) const PLATFORM_TEMPLATES: [(&str, &str); 6] = [
    (
        "application.yaml.tera",
        include_str!("../templates/application.yaml.tera"),
    ),
    (
        "root.yaml.tera",
        include_str!("../templates/root.yaml.tera"),
    ),
    (
        "ingress.yaml.tera",
        include_str!("../templates/ingress.yaml.tera"),
    ),
    (
        "release.yaml.tera",
        include_str!("../templates/release.yaml.tera"),
    ),
    (
        "smoke.yaml.tera",
        include_str!("../templates/smoke.yaml.tera"),
    ),
    (
        "argocd-cm.yaml.tera",
        include_str!("../templates/argocd-cm.yaml.tera"),
    ),
];

/// Every template a platform with `components` renders with, as
/// `(file name, text)`: the platform's own and each component's.
pub(crate) fn templates(components: &[Shared]) -> Vec<(String, String)> {
    PLATFORM_TEMPLATES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .chain(components.iter().filter_map(|c| {
            c.template()
                .map(|t| (format!("{}.yaml.tera", c.name()), t.to_string()))
        }))
        .collect()
}

/// Compiled templates, built once per process.
pub(crate) struct Renderer {
    tera: Tera,
    /// Per template, the names it uses only as `{{ name | to_yaml }}`:
    /// those values are written straight from JSON and handed to Tera as
    /// finished YAML, instead of being converted into Tera's values first.
    yaml_only: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)>,
}

/// The names `text` uses only in the exact form `{{ name | to_yaml }}`
/// (every whole-word occurrence of the name is one of those), and the
/// lists it uses only to loop over items it writes with `to_yaml`.
fn names_only_in_to_yaml(text: &str) -> (Vec<String>, Vec<String>) {
    // Words inside `{{ … }}` and `{% … %}` tags only: prose in the
    // template's own text ("Helm values for …") is not a use of `values`.
    let words = |t: &str| -> Vec<(usize, String)> {
        let b = t.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        let mut close: Option<&[u8]> = None;
        while i < b.len() {
            let Some(end) = close else {
                close = match b.get(i..i + 2) {
                    Some(b"{{") => Some(b"}}"),
                    Some(b"{%") => Some(b"%}"),
                    _ => None,
                };
                i += if close.is_some() { 2 } else { 1 };
                continue;
            };
            if b[i..].starts_with(end) {
                close = None;
                i += 2;
            } else if matches!(b[i], b'"' | b'\'' | b'`') {
                // A string literal: skipped whole, so a `}}` in it does
                // not end the tag.
                let q = b[i];
                i += 1 + b[i + 1..]
                    .iter()
                    .position(|&c| c == q)
                    .map_or(b.len(), |n| n + 1);
            } else if b[i].is_ascii_alphabetic() || b[i] == b'_' {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((start, t[start..i].to_string()));
            } else {
                i += 1;
            }
        }
        out
    };
    let all = words(text);
    let in_filter = |at: usize, name: &str| {
        let before = text[..at].trim_end_matches(' ');
        let after = text[at + name.len()..].trim_start_matches(' ');
        before.ends_with("{{")
            && !before.ends_with("{{{")
            && after
                .strip_prefix('|')
                .map(|a| a.trim_start_matches(' '))
                .and_then(|a| a.strip_prefix("to_yaml"))
                .is_some_and(|a| a.trim_start_matches(' ').starts_with("}}"))
    };
    let mut names: Vec<String> = all
        .iter()
        .filter(|(at, name)| in_filter(*at, name))
        .map(|(_, name)| name.clone())
        .collect();
    names.sort();
    names.dedup();
    names.retain(|name| {
        all.iter()
            .filter(|(_, w)| w == name)
            .all(|(at, _)| in_filter(*at, name))
    });
    // `{% for x in list %}` headers whose `x` is used only as
    // `{{ x | to_yaml }}`: the list's items may arrive as finished YAML.
    let mut each = Vec::new();
    for (i, (at, word)) in all.iter().enumerate() {
        let [(x_at, x), (_, kw), (list_at, list)] = match all.get(i + 1..i + 4) {
            Some([a, b, c]) => [a, b, c],
            _ => continue,
        };
        let header = word == "for"
            && kw == "in"
            && text[..*at].trim_end_matches(' ').ends_with("{%")
            && text[list_at + list.len()..]
                .trim_start_matches(' ')
                .starts_with("%}")
            && text[at + 3..*x_at].trim_matches(' ').is_empty()
            && text[x_at + x.len()..*list_at].trim_matches(' ') == "in";
        let only_here = |name: &str, here: usize, or: &dyn Fn(usize) -> bool| {
            all.iter()
                .filter(|(_, w)| w == name)
                .all(|(a, _)| *a == here || or(*a))
        };
        if header
            && only_here(list, *list_at, &|_| false)
            && only_here(x, *x_at, &|a| in_filter(a, x))
        {
            each.push(list.clone());
        }
    }
    (names, each)
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renderer")
    }
}

fn template_error(name: &str, e: tera::Error) -> Error {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        msg.push_str(&format!(": {s}"));
        source = s.source();
    }
    Error::config(Diagnostic::new(format!("template `{name}`: {msg}")))
}

impl Renderer {
    /// Compiles `templates` (file name, text), each replaced by the file
    /// of the same name in `overrides` when there is one. A file there that
    /// replaces no template is an error: a misspelt override would
    /// otherwise be silently ignored.
    pub(crate) fn new(
        templates: Vec<(String, String)>,
        overrides: Option<&Path>,
    ) -> Result<Renderer> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("to_yaml", |v: &Value, _: Kwargs, _: &State| {
            // Bytes cannot be made inside a template: they are YAML the
            // renderer already wrote (see `yaml_only`).
            match v.as_bytes() {
                Some(yaml) => String::from_utf8(yaml.to_vec()).map_err(tera::Error::message),
                None => crate::yaml::to_yaml(v).map_err(tera::Error::message),
            }
        });
        let mut templates = templates;
        if let Some(dir) = overrides {
            overrides_in(dir, &mut templates)?;
        }
        let mut yaml_only = std::collections::BTreeMap::new();
        for (name, text) in &templates {
            tera.add_raw_template(name, text)
                .map_err(|e| template_error(name, e))?;
            yaml_only.insert(name.clone(), names_only_in_to_yaml(text));
        }
        Ok(Renderer { tera, yaml_only })
    }

    /// Renders template `stem` (`kafka` → `kafka.yaml.tera`) with `data`,
    /// the documents under the name `view` gives, and the file header; the
    /// text has LF line endings and exactly one trailing newline. A
    /// template that takes the documents only through `to_yaml` gets their
    /// emitted text; one that looks inside them gets their values.
    pub(crate) fn render(
        &self,
        stem: &str,
        header: &str,
        data: &serde_json::Value,
        view: View,
        docs: &[Emitted],
    ) -> Result<String> {
        let name = format!("{stem}.yaml.tera");
        let mut ctx = Context::new();
        ctx.insert("header", header);
        if let serde_json::Value::Object(map) = data {
            for (k, v) in map {
                ctx.insert(k.clone(), v);
            }
        }
        let (whole, each) = self
            .yaml_only
            .get(&name)
            .map_or((&[][..], &[][..]), |(w, e)| (w.as_slice(), e.as_slice()));
        let yaml = |doc: &Emitted| Value::bytes(doc.text().as_bytes());
        match view {
            View::One(key) if docs.len() == 1 && whole.iter().any(|n| n == key) => {
                ctx.insert_value(key, yaml(&docs[0]));
            }
            View::One(key) => match docs.first() {
                Some(doc) => ctx.insert(key, &doc.to_json()),
                None => ctx.insert(key, &serde_json::Value::Null),
            },
            View::All(key) if each.iter().any(|n| n == key) => {
                ctx.insert_value(key, Value::from(docs.iter().map(yaml).collect::<Vec<_>>()));
            }
            View::All(key) => {
                let values: Vec<serde_json::Value> = docs.iter().map(Emitted::to_json).collect();
                ctx.insert(key, &values);
            }
        }
        let text = self
            .tera
            .render(&name, &ctx)
            .map_err(|e| template_error(&name, e))?;
        Ok(normalise(text))
    }
}

/// Replaces each template by its file in `dir`; a `.tera` file there that
/// names no template is an error with the nearest name.
fn overrides_in(dir: &Path, templates: &mut [(String, String)]) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::Usage(Diagnostic::new(format!(
            "--templates {}: {}",
            dir.display(),
            if e.kind() == std::io::ErrorKind::NotFound {
                "no such directory".to_string()
            } else {
                e.to_string()
            }
        )))
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tera"))
        .collect();
    names.sort();
    for name in names {
        let Some((_, text)) = templates.iter_mut().find(|(n, _)| *n == name) else {
            let known = templates.iter().map(|(n, _)| n.as_str());
            let help = match crate::names::did_you_mean(&name, known) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!(
                    "templates: {}",
                    templates
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(Error::Usage(
                Diagnostic::new(format!(
                    "--templates {}: `{name}` replaces no template",
                    dir.display()
                ))
                .help(help),
            ));
        };
        let path = dir.join(&name);
        *text = read_template(&path)?;
    }
    Ok(())
}

/// Largest template gen reads (the built-in ones are a few hundred bytes).
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// A template file, read to its limit whatever size it reports; a FIFO or
/// device in its place is refused.
fn read_template(path: &Path) -> Result<String> {
    use std::io::Read;
    let refuse = |what: String| {
        Err(Error::Usage(
            Diagnostic::new(format!("{}: {what}", path.display()))
                .help("a template is a Tera text file of a few kilobytes"),
        ))
    };
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return refuse("not a regular file".into()),
        Ok(_) => {}
        Err(e) => return Err(Error::io("read", path, e)),
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEMPLATE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() as u64 > MAX_TEMPLATE_BYTES {
        return refuse(format!("larger than {} MiB", MAX_TEMPLATE_BYTES >> 20));
    }
    String::from_utf8(bytes).or_else(|_| refuse("not UTF-8".into()))
}

fn normalise(text: String) -> String {
    let mut out = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    };
    let trimmed = out.trim_end_matches(['\n', ' ']).len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_used_only_through_to_yaml() {
        let t = "{{ header }}\n# {{ chart.name }}\n{{ values | to_yaml }}\n{{app|to_yaml}}\n";
        assert_eq!(names_only_in_to_yaml(t).0, ["app", "values"]);
        let t = "{{ values | to_yaml }}\n{{ values.a }}\n{{ x | to_yaml | indent }}\n";
        assert_eq!(names_only_in_to_yaml(t), (vec![], vec![]));
        let t = "{% for ns in namespaces %}---\n{{ ns | to_yaml }}{% endfor %}";
        assert_eq!(
            names_only_in_to_yaml(t),
            (vec![], vec!["namespaces".into()])
        );
        let t = "{% for ns in namespaces %}{{ ns.metadata.name }}{{ ns | to_yaml }}{% endfor %}";
        assert_eq!(names_only_in_to_yaml(t), (vec![], vec![]));
        let t = "{{ namespaces | length }}{% for ns in namespaces %}{{ ns | to_yaml }}{% endfor %}";
        assert_eq!(names_only_in_to_yaml(t), (vec![], vec![]));
        // Prose outside tags is not a use; a word in a tag is.
        let t = "# Helm values for {{ chart }}\n{{ values | to_yaml }}\n";
        assert_eq!(names_only_in_to_yaml(t).0, ["values"]);
        let t = "{# values #}{{ values | to_yaml }}{% if values %}x{% endif %}";
        assert_eq!(names_only_in_to_yaml(t).0, Vec::<String>::new());
        let t = "{{ values | to_yaml }}{{ \"}}\" ~ values.a }}";
        assert_eq!(names_only_in_to_yaml(t).0, Vec::<String>::new());
    }

    #[test]
    fn every_builtin_template_hands_its_documents_over_as_yaml() {
        let mut registry = crate::resolve::Registry::default();
        crate::components::register(&mut registry);
        for (name, text) in &templates(&registry.0) {
            let (whole, each) = names_only_in_to_yaml(text);
            assert!(whole.len() + each.len() == 1, "{name}: {whole:?} {each:?}");
        }
    }
}
