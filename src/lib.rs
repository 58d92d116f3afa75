//! platgen: one typed description of a Kubernetes data platform, rendered
//! into the Helm values, manifests and Argo CD Applications a GitOps
//! repository commits.
//!
//! Data flows one way: [`load`] → [`merge`] → [`resolve`] → build
//! ([`components`], [`argocd`]) → [`render`] → [`check`] → write
//! ([`RenderedTree::write`]).
//!
//! ```no_run
//! let platform = platgen::Platform::builtin()?;
//! let tree = platform.render("prod")?;
//! tree.write(std::path::Path::new("gitops"))?;
//! # Ok::<(), platgen::Error>(())
//! ```

#![deny(missing_docs)]

pub mod argocd;
pub mod check;
pub mod checks;
pub mod components;
pub mod config;
pub mod error;
pub mod fleet;
pub mod graph;
pub mod load;
pub mod merge;
mod merged;
mod parallel;
pub mod plan;
mod platform;
pub mod render;
pub mod resolve;
pub mod schema;
mod tree;
pub mod write;
pub mod yaml;

pub use error::{Error, Result};
pub use platform::Platform;
pub use tree::RenderedTree;
