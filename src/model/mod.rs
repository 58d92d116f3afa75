//! The vocabulary every stage and every component shares: the
//! [`Component`] trait, the documents a component emits, the workloads it
//! costs, its smoke check, its findings, how it is delivered. A leaf: it
//! imports no stage.

mod component;
mod delivery;
mod document;
mod finding;
mod smoke;
mod workload;

pub use component::{Component, Placement, SecretUse, Shared};
pub use delivery::{Chart, Delivery, KustomizeSource};
pub use document::{Document, View};
pub use finding::Finding;
pub use smoke::{images, target_env, Env, Probe, SmokeCheck};
pub(crate) use workload::ser_storage;
pub use workload::{bytes, cpu, list, merged, resources, Amount, Kind, Workload};
