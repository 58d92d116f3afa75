//! Reading a platform config: `platform.yaml` plus `envs/<env>.yaml`, from a
//! directory or from the example platform built into the binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Diagnostic, Error, Result};
use crate::yaml::{Limits, Loc, Node, NodeValue, Source};

mod git;
pub(crate) use git::{file_at, load_rev};

/// Where a platform config came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The example platform built into the binary.
    Builtin,
    /// A directory on disk.
    Dir(PathBuf),
    /// Files given in memory (`Platform::from_files`).
    Files,
    /// A directory as a Git revision holds it (`gen diff --base REV`).
    Revision {
        /// The directory, in the working tree.
        dir: PathBuf,
        /// The revision, as given.
        rev: String,
    },
}

/// The parsed, not yet merged, config files.
#[derive(Debug, Clone)]
pub(crate) struct Sources {
    /// Where they came from.
    pub origin: Origin,
    /// `platform.yaml`.
    pub base: Arc<Node>,
    /// `envs/<env>.yaml` by env name, sorted.
    pub envs: BTreeMap<String, Arc<Node>>,
}

const BUILTIN_BASE: &str = include_str!("../builtin/platform.yaml");
const BUILTIN_ENVS: [(&str, &str); 3] = [
    ("dev", include_str!("../builtin/envs/dev.yaml")),
    ("staging", include_str!("../builtin/envs/staging.yaml")),
    ("prod", include_str!("../builtin/envs/prod.yaml")),
];

/// The built-in example platform's files, as `(relative path, text)`.
pub(crate) fn builtin_files() -> Vec<(String, &'static str)> {
    let mut files = vec![("platform.yaml".to_string(), BUILTIN_BASE)];
    files.extend(
        BUILTIN_ENVS
            .iter()
            .map(|(n, t)| (format!("envs/{n}.yaml"), *t)),
    );
    files
}

/// Loads the built-in example platform.
pub(crate) fn load_builtin() -> Result<Sources> {
    let parse = |name: String, text: &str| {
        parse_one(
            Arc::new(Source {
                name: format!("<built-in>/{name}"),
                text: text.to_string(),
            }),
            Limits::default(),
        )
    };
    let base = parse("platform.yaml".into(), BUILTIN_BASE)?;
    let mut envs = BTreeMap::new();
    for (name, text) in BUILTIN_ENVS {
        envs.insert(
            name.to_string(),
            Arc::new(parse(format!("envs/{name}.yaml"), text)?),
        );
    }
    Ok(Sources {
        origin: Origin::Builtin,
        base: Arc::new(base),
        envs,
    })
}

/// Loads a config from memory: `(relative path, text)` pairs, one
/// `platform.yaml` and any `envs/<env>.yaml` (other paths are ignored).
pub(crate) fn load_files(files: &[(String, String)]) -> Result<Sources> {
    let parse = |name: &str, text: &str| {
        parse_one(
            Arc::new(Source {
                name: name.to_string(),
                text: text.to_string(),
            }),
            Limits::default(),
        )
    };
    let base_text = files
        .iter()
        .find(|(p, _)| p == "platform.yaml")
        .map(|(_, t)| t.as_str())
        .ok_or_else(|| Error::Usage(Diagnostic::new("no platform.yaml among the files")))?;
    let base = parse("platform.yaml", base_text)?;
    let mut envs = BTreeMap::new();
    for (path, text) in files {
        let Some(name) = path
            .strip_prefix("envs/")
            .and_then(|p| p.strip_suffix(".yaml"))
        else {
            continue;
        };
        if !crate::names::is_dns_label(name) {
            return Err(Error::Usage(Diagnostic::new(format!(
                "`{name}` is not a valid env name"
            ))));
        }
        envs.insert(name.to_string(), Arc::new(parse(path, text)?));
    }
    Ok(Sources {
        origin: Origin::Files,
        base: Arc::new(base),
        envs,
    })
}

/// Loads `DIR/platform.yaml` and every `DIR/envs/*.yaml`.
pub(crate) fn load_dir(dir: &Path) -> Result<Sources> {
    let base_path = dir.join("platform.yaml");
    if !base_path.is_file() {
        return Err(Error::Usage(
            Diagnostic::new(format!("no platform.yaml in {}", dir.display()))
                .help("a config directory holds platform.yaml and envs/<env>.yaml; `gen init DIR` writes an example"),
        ));
    }
    // Every file's problems are reported at once, so the files are all read
    // before any error returns.
    let mut problems = Vec::new();
    let mut keep = |r: Result<Node>| match r {
        Ok(n) => Ok(Some(n)),
        Err(Error::Config(ds)) => {
            problems.extend(ds);
            Ok(None)
        }
        Err(e) => Err(e),
    };
    let base = keep(read_yaml(&base_path))?;
    if let Some(base) = base
        .as_ref()
        .filter(|b| matches!(b.value, crate::yaml::NodeValue::Null))
    {
        return Err(Error::config(
            Diagnostic::new("platform.yaml is empty; it describes the whole platform")
                .at(Some(base.loc.clone()))
                .help("`gen init DIR` writes a complete example to start from"),
        ));
    }
    let mut envs = BTreeMap::new();
    let env_dir = dir.join("envs");
    if env_dir.is_dir() {
        let entries = std::fs::read_dir(&env_dir).map_err(|e| Error::io("read", &env_dir, e))?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            // Dotfiles and editors' lock and backup files are not envs.
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with(['.', '#']))
            })
            .collect();
        paths.sort();
        let mut named: Vec<(String, PathBuf)> = Vec::with_capacity(paths.len());
        for path in paths {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            if !crate::names::is_dns_label(&name) {
                return Err(Error::config(
                    Diagnostic::new(format!("`{name}` is not a valid env name"))
                        .at(Some(file_start(&path)))
                        .help("env names are DNS labels: lower-case letters, digits and `-`, at most 63 characters"),
                ));
            }
            if let Some((_, first)) = named.iter().find(|(n, _)| *n == name) {
                return Err(Error::config(
                    Diagnostic::new(format!(
                        "env `{name}` has two files: {} and {}",
                        first.display(),
                        path.display()
                    ))
                    .at(Some(file_start(&path)))
                    .help("keep one of them (gen reads `.yaml` and `.yml` alike)"),
                ));
            }
            named.push((name, path));
        }
        // Overlays are independent files: read and parse them on every core.
        let paths = named;
        let nodes = crate::parallel::in_parallel(&paths, |(_, path)| read_yaml(path));
        for ((name, _), node) in paths.into_iter().zip(nodes) {
            if let Some(node) = keep(node)? {
                envs.insert(name, Arc::new(node));
            }
        }
    }
    match base {
        Some(base) if problems.is_empty() => Ok(Sources {
            origin: Origin::Dir(dir.to_path_buf()),
            base: Arc::new(base),
            envs,
        }),
        _ => Err(Error::Config(crate::error::in_file_order(problems))),
    }
}

fn file_start(path: &Path) -> Loc {
    Loc {
        source: Arc::new(Source {
            name: path.display().to_string(),
            text: String::new(),
        }),
        line: 1,
        col: 1,
    }
}

fn read_yaml(path: &Path) -> Result<Node> {
    let limits = Limits::default();
    // Followed if a link: what is read is what the link names.
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if !meta.is_file() {
        return Err(Error::config(
            Diagnostic::new("not a regular file (a directory, a FIFO or a device)")
                .at(Some(file_start(path)))
                .help("a config file is a YAML file; replace this entry with one"),
        ));
    }
    // Read to the limit whatever size the file reports (it may grow).
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            use std::io::Read;
            f.take(limits.max_bytes as u64 + 1).read_to_end(&mut bytes)
        })
        .map_err(|e| Error::io("read", path, e))?;
    if bytes.len() > limits.max_bytes {
        return Err(Error::config(
            Diagnostic::new(format!(
                "file is larger than {} bytes, the limit",
                limits.max_bytes
            ))
            .at(Some(file_start(path)))
            .help("a platform config is a few kilobytes; check that this is the right file"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..valid];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let col = valid
                - before
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1)
                + 1;
            return Err(Error::config(
                Diagnostic::new("the file is not valid UTF-8")
                    .at(Some(Loc {
                        source: Arc::new(Source {
                            name: path.display().to_string(),
                            text: String::new(),
                        }),
                        line,
                        col,
                    }))
                    .help("save the file as UTF-8"),
            ));
        }
    };
    let source = Arc::new(Source {
        name: path.display().to_string(),
        text,
    });
    parse_one(source, limits)
}

/// Parses one config file and refuses a credential anywhere in it: a
/// scalar under a key that holds one (`password`, `apiKey`, `botToken`,
/// in typed settings, labels and annotations alike), or a password in a
/// URL's or host's userinfo. Every such place is reported, none repeated.
fn parse_one(source: Arc<Source>, limits: Limits) -> Result<Node> {
    let node = crate::yaml::parse_one(source, limits).map_err(Error::config)?;
    let mut found = Vec::new();
    credentials(&node, &mut Vec::new(), &mut found);
    if found.is_empty() {
        Ok(node)
    } else {
        Err(Error::Config(found))
    }
}

fn credentials(node: &Node, path: &mut Vec<String>, found: &mut Vec<Diagnostic>) {
    credentials_below(node, false, path, found);
}

/// `named`: the key above `node` (a list's items included) holds a
/// credential.
fn credentials_below(
    node: &Node,
    named: bool,
    path: &mut Vec<String>,
    found: &mut Vec<Diagnostic>,
) {
    use crate::config::{LITERAL_SECRET, SECRET_HELP};
    use crate::names::{has_userinfo_password, holds_credential};
    // A chart's free-form values take no Secret reference of gen's: the
    // chart reads its credentials from a Secret it is told the name of.
    let in_values = path.len() > 2 && path[0] == "components" && path[2] == "values";
    let help = if in_values {
        "point the chart at a Kubernetes Secret instead (most charts take an `existingSecret` key), created by an ExternalSecret or beforehand"
    } else {
        SECRET_HELP
    };
    let literal = match &node.value {
        NodeValue::Str(s) => !s.is_empty(),
        NodeValue::Int(_) | NodeValue::Float(..) => true,
        _ => false,
    };
    if named && literal {
        found.push(
            Diagnostic::new(LITERAL_SECRET)
                .at(Some(node.loc.clone()))
                .path(path.join("."))
                .help(help)
                .hide_source(),
        );
        return;
    }
    match &node.value {
        NodeValue::Map(map) => {
            for (key, (_, value)) in map.iter() {
                path.push(key.clone());
                credentials_below(value, holds_credential(key), path, found);
                path.pop();
            }
        }
        NodeValue::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                credentials_below(item, named, path, found);
                path.pop();
            }
        }
        NodeValue::Str(s) if has_userinfo_password(s) => found.push(
            Diagnostic::new("a password in a URL or host: config never holds a credential")
                .at(Some(node.loc.clone()))
                .path(path.join("."))
                .help(if in_values {
                    "leave the userinfo out, and point the chart at a Kubernetes Secret that holds the password instead"
                } else {
                    "leave the userinfo out: Argo CD takes repository credentials from a Secret labelled `argocd.argoproj.io/secret-type: repository`, and a component's password from a Secret reference"
                })
                .hide_source(),
        ),
        _ => {}
    }
}
