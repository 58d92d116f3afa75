//! platgen: one typed description of a Kubernetes data platform, rendered
//! into the Helm values, manifests and Argo CD Applications a GitOps
//! repository commits.
//!
//! Data flows one way: [`load`] → [`merge`] → [`resolve`] → [`graph`] →
//! [`build`] (every component's documents, smoke checks, Applications) →
//! [`plan`] / [`render`] → [`readback`] → [`write`](mod@write). Below the stages sit
//! the leaves they share: [`yaml`], [`error`], [`names`], [`config`] and
//! [`model`].
//!
//! ```no_run
//! let platform = platgen::Platform::builtin()?;
//! let tree = platform.render("prod")?;
//! tree.write(std::path::Path::new("gitops"))?;
//! # Ok::<(), platgen::Error>(())
//! ```

#![deny(missing_docs)]

pub mod build;
pub mod components;
pub mod config;
pub mod error;
pub mod fleet;
pub mod graph;
pub mod k8s;
pub mod load;
pub mod merge;

pub mod model;
pub mod names;
mod parallel;
pub mod plan;
mod platform;
pub mod readback;
pub mod render;
pub mod resolve;
pub mod schema;
mod tree;
pub mod write;
pub mod yaml;

pub use error::{Error, Result};
pub use platform::Platform;
pub use tree::RenderedTree;
