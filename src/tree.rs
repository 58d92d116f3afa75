//! The rendered files of one env, in memory, sorted by path.

use std::collections::BTreeMap;

/// Every file of one env's render: path inside the env directory → text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedTree {
    /// Env name (the directory under `--out`).
    pub env: String,
    /// Where the env's Applications read it in the GitOps repository:
    /// `argocd.path/<env>` (`gitops/prod`).
    pub repo_dir: String,
    /// Path (`apps/root.yaml`, `values/kafka.yaml`, …) → file text.
    pub files: BTreeMap<String, String>,
}

impl RenderedTree {
    /// All files as one YAML stream, each introduced by `# Source: <env>/<path>`
    /// (like `helm template`).
    pub fn to_stream(&self) -> String {
        let mut out = String::new();
        for (path, text) in &self.files {
            out.push_str("---\n# Source: ");
            out.push_str(&self.env);
            out.push('/');
            out.push_str(path);
            out.push('\n');
            out.push_str(text);
        }
        out
    }

    /// All files joined under `=== <env>/<path> ===` headers, for review and
    /// snapshots.
    pub fn to_listing(&self) -> String {
        let mut out = String::new();
        for (path, text) in &self.files {
            out.push_str(&format!("=== {}/{path} ===\n{text}", self.env));
        }
        out
    }

    /// Total bytes of all files.
    pub fn bytes(&self) -> usize {
        self.files.values().map(String::len).sum()
    }
}
