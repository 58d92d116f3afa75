//! The vocabulary every stage and every component shares: the
//! [`Component`] trait and the views it is given, the documents a
//! component emits, the addresses it serves, the workloads it costs, its
//! smoke check, its findings, how it is delivered. A leaf: it imports no
//! stage.

mod address;
mod component;
mod delivery;
mod document;
mod finding;
mod prerequisite;
pub mod rules;
mod secret;
mod smoke;
mod workload;

pub use address::Address;
pub use component::{Component, Cx, Facts, Own, Registrar, Section};
pub use delivery::{Chart, Delivery, ImagePatch, KustomizeSource, Release};
pub use document::{Document, View};
pub use finding::{Finding, Findings};
pub use prerequisite::{HealthCheck, Prerequisite};
pub use secret::SecretUse;
pub use smoke::{images, target_env, Env, Interpreter, Probe, SmokeCheck};
pub(crate) use workload::ser_storage;
pub use workload::{bytes, cpu, list, merged, resources, Amount, Kind, Workload};
