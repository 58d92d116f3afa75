//! Laying out files with Tera. Templates are embedded in the binary and can
//! be overridden from a directory; structured YAML goes through the
//! `to_yaml` filter, which writes values with [`yaml::emit`](crate::yaml::emit).

use std::path::Path;

use tera::{Context, Kwargs, State, Tera, Value};

use crate::error::{Diagnostic, Error, Result};

/// Embeds `templates/<stem>.yaml.tera` for each stem.
macro_rules! embedded {
    ($($stem:literal),* $(,)?) => {
        [$((
            concat!($stem, ".yaml.tera"),
            include_str!(concat!("../templates/", $stem, ".yaml.tera")),
        )),*]
    };
}

/// The templates built into the binary: `(file name, text)`.
pub const TEMPLATES: [(&str, &str); 16] = embedded!(
    "application",
    "root",
    "namespaces",
    "elasticsearch",
    "kafka",
    "neo4j",
    "datahub",
    "doris-operator",
    "doris",
    "superset",
    "kuberay-operator",
    "ray-cluster",
    "mlflow",
    "ingress",
    "check",
    "external-secrets",
);

/// Compiled templates, built once per process.
pub struct Renderer {
    tera: Tera,
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
    /// The embedded templates plus `extra` ones (file name, text), with any
    /// file of the same name in `overrides` taking its place.
    pub fn new(overrides: Option<&Path>, extra: &[(String, String)]) -> Result<Renderer> {
        let mut tera = Tera::new();
        tera.autoescape_on(Vec::<&str>::new());
        tera.register_filter("to_yaml", |v: &Value, _: Kwargs, _: &State| {
            crate::yaml::emit(v).map_err(tera::Error::message)
        });
        let mut templates: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .chain(extra.iter().cloned())
            .collect();
        if let Some(dir) = overrides {
            if !dir.is_dir() {
                return Err(Error::Usage(Diagnostic::new(format!(
                    "--templates {}: not a directory",
                    dir.display()
                ))));
            }
            for (name, text) in templates.iter_mut() {
                let path = dir.join(&*name);
                if path.is_file() {
                    *text =
                        std::fs::read_to_string(&path).map_err(|e| Error::io("read", &path, e))?;
                }
            }
        }
        for (name, text) in &templates {
            tera.add_raw_template(name, text)
                .map_err(|e| template_error(name, e))?;
        }
        Ok(Renderer { tera })
    }

    /// Renders template `stem` (`kafka` → `kafka.yaml.tera`) with `data`
    /// and the file header; the result has LF line endings and exactly one
    /// trailing newline.
    pub fn render(&self, stem: &str, header: &str, data: &serde_json::Value) -> Result<String> {
        let name = format!("{stem}.yaml.tera");
        let mut ctx = Context::new();
        ctx.insert("header", header);
        if let serde_json::Value::Object(map) = data {
            for (k, v) in map {
                ctx.insert(k.clone(), v);
            }
        }
        let text = self
            .tera
            .render(&name, &ctx)
            .map_err(|e| template_error(&name, e))?;
        Ok(normalise(&text))
    }
}

fn normalise(text: &str) -> String {
    let mut out = text.replace("\r\n", "\n");
    let trimmed = out.trim_end_matches(['\n', ' ']).len();
    out.truncate(trimmed);
    out.push('\n');
    out
}
