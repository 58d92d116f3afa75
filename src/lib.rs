//! platgen: one typed description of a Kubernetes data platform, rendered
//! into the Helm values, manifests and Argo CD Applications a GitOps
//! repository commits.
//!
//! Data flows one way: load → merge → resolve → graph → build (every
//! component's documents, smoke checks, Applications) → plan / render →
//! read back → write. Below the stages sit the leaves they share: `yaml`,
//! `error`, `names`, [`config`], [`k8s`] and [`model`].
//!
//! The public surface is [`Platform`] (load, render, plan, graph, check,
//! write), [`RenderedTree`], [`Error`], and for programs that add
//! components, the [`model::Component`] trait with the [`model`],
//! [`config`] and [`k8s`] types it works with.
//!
//! ```no_run
//! let platform = platgen::Platform::builtin()?;
//! let tree = platform.render("prod")?;
//! tree.write(std::path::Path::new("gitops"))?;
//! # Ok::<(), platgen::Error>(())
//! ```

#![deny(missing_docs)]
#![warn(unreachable_pub)]

mod build;
mod chart_check;
pub mod charts;
mod components;
pub mod config;
pub mod diff;
mod error;
pub mod explain;
mod graph;
pub mod k8s;
mod load;
mod merge;
pub mod model;
mod names;
mod parallel;
mod plan;
mod platform;
mod readback;
mod render;
mod resolve;
mod schema;
mod tree;
pub mod vendor;
pub mod verify;
mod write;
mod yaml;

pub use error::{Diagnostic, Error, Loc, Result, Source};
pub use graph::{Graph, GraphFormat};
pub use load::Origin;
pub use plan::report::Format as PlanFormat;
pub use plan::{Headroom, Plan, Totals};
pub use platform::Platform;
/// The schema derive components' settings use, at the version platgen's
/// trait requires (`#[derive(platgen::schemars::JsonSchema)]`).
pub use schemars;
pub use tree::RenderedTree;
pub use write::{leftovers, Drift, WriteOptions, WriteReport, MANIFEST};
