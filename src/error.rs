//! Errors: every one names where it comes from and, where it can, how to fix it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A config file's name (as shown to the user) and text.
#[derive(Debug, PartialEq, Eq)]
pub struct Source {
    /// File name as shown to the user (relative to the config directory).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// Where a value came from: a file and a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// The file.
    pub source: Arc<Source>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

impl Loc {
    /// The source line this location points into, if any.
    pub fn line_text(&self) -> Option<&str> {
        self.source.text.lines().nth(self.line.checked_sub(1)?)
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.source.name, self.line, self.col)
    }
}

/// One problem found in the input or the output.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Where in the config the problem is, when it comes from config.
    pub loc: Option<Loc>,
    /// The field path (`components.kafka.controller.replicas`), when known.
    pub path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Whether the offending source line may be shown (never for secrets).
    pub show_source: bool,
}

impl Diagnostic {
    /// A problem with a message only.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            loc: None,
            path: None,
            message: message.into(),
            help: None,
            show_source: true,
        }
    }

    /// Sets the location.
    pub fn at(mut self, loc: Option<Loc>) -> Self {
        self.loc = loc;
        self
    }

    /// Sets the field path.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let p = path.into();
        self.path = (!p.is_empty()).then_some(p);
        self
    }

    /// Sets the fix suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Hides the source line (the value there may be a secret).
    pub fn hide_source(mut self) -> Self {
        self.show_source = false;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if let Some(loc) = &self.loc {
            write!(f, "{loc}: ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(loc), true) = (&self.loc, self.show_source) {
            if let Some(text) = loc.line_text() {
                let gutter = loc.line.to_string();
                let text: String = crate::names::mask_credentials(text)
                    .chars()
                    .take(200)
                    .collect();
                write!(f, "\n {gutter} | {text}")?;
                let pad = " ".repeat(gutter.len());
                let caret = " ".repeat(loc.col.saturating_sub(1).min(200));
                write!(f, "\n {pad} | {caret}^")?;
            }
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong, grouped by the exit code it maps to.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The config is unreadable or invalid (exit 2).
    Config(Vec<Diagnostic>),
    /// Bad usage: an env that does not exist, a bad flag combination (exit 2).
    Usage(Diagnostic),
    /// The rendered output failed its checks (exit 1).
    Validation(Vec<Diagnostic>),
    /// A file could not be read or written (exit 2).
    Io {
        /// The path involved.
        path: PathBuf,
        /// What the operation was.
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
}

impl Error {
    /// A config error with one diagnostic.
    pub fn config(d: Diagnostic) -> Self {
        Error::Config(vec![d])
    }

    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// The process exit code this error maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Validation(_) => 1,
            Error::Config(_) | Error::Usage(_) | Error::Io { .. } => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(ds) | Error::Validation(ds) => {
                for (i, d) in ds.iter().take(SHOWN).enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{d}")?;
                }
                if ds.len() > SHOWN {
                    write!(
                        f,
                        "\nerror: {} more problems not shown: fix these and run again",
                        ds.len() - SHOWN
                    )?;
                }
                Ok(())
            }
            Error::Usage(d) => write!(f, "{d}"),
            Error::Io {
                path,
                action,
                source,
            } => write!(f, "error: cannot {action} {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Problems in the order of the files — `platform.yaml` first, then the
/// env overlays by name — each by line and column; those without a place
/// last. The same problem found twice (two envs read one base) is kept once.
pub(crate) fn in_file_order(mut ds: Vec<Diagnostic>) -> Vec<Diagnostic> {
    ds.sort_by_cached_key(|d| {
        (
            d.loc.is_none(),
            d.loc.as_ref().map(|l| {
                (
                    !l.source.name.ends_with("platform.yaml"),
                    l.source.name.clone(),
                    l.line,
                    l.col,
                )
            }),
        )
    });
    let mut seen = std::collections::HashSet::new();
    ds.retain(|d| seen.insert(d.to_string()));
    ds
}

/// Merges the results of several envs: all of them, or every config
/// problem any had (each once, in file order); other errors come first
/// by env.
pub(crate) fn all_of<T>(results: Vec<Result<T>>) -> Result<Vec<T>> {
    if results.iter().all(Result::is_ok) {
        return results.into_iter().collect();
    }
    let mut config = Vec::new();
    for r in results {
        match r {
            Ok(_) => {}
            Err(Error::Config(ds)) => config.extend(ds),
            Err(other) => return Err(other),
        }
    }
    Err(Error::Config(in_file_order(config)))
}

/// The most problems one report shows; the rest are counted.
pub(crate) const SHOWN: usize = 20;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A serde error that is only its message: from gen's own YAML serialiser
/// and merged-config reader, whose failures are bugs in a type or are read
/// again through a path-tracking reader to be located.
#[derive(Debug)]
pub(crate) struct SerdeMessage(pub(crate) String);

impl fmt::Display for SerdeMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SerdeMessage {}

impl serde::ser::Error for SerdeMessage {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerdeMessage(msg.to_string())
    }
}

impl serde::de::Error for SerdeMessage {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerdeMessage(msg.to_string())
    }
}
