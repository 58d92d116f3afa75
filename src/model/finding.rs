//! A rule broken, at a field path of the config.

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
