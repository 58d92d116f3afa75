//! A rule broken, at a field path of the config.

/// A rule broken, at a field path (located later against the config files).
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

/// The findings of one component's rules, with the path of its section:
/// [`at`](Findings::at) takes paths relative to it.
#[derive(Debug)]
pub struct Findings {
    section: Vec<String>,
    /// The findings so far.
    pub list: Vec<Finding>,
}

impl Findings {
    /// Findings of the section at `section` (`["components", "kafka"]`).
    pub fn new(section: &[&str]) -> Self {
        Findings {
            section: section.iter().map(|s| s.to_string()).collect(),
            list: Vec::new(),
        }
    }

    /// A finding at `path` inside the section.
    pub fn at(&mut self, path: &[&str], message: impl Into<String>, help: impl Into<String>) {
        let mut full = self.section.clone();
        full.extend(path.iter().map(|s| s.to_string()));
        self.list.push(Finding {
            path: full,
            message: message.into(),
            help: help.into(),
        });
    }

    /// A finding at a path from the config root.
    pub fn push(&mut self, finding: Finding) {
        self.list.push(finding);
    }
}
