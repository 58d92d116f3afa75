//! Vendored Helm charts: the packages `gen vendor` keeps in the config
//! directory's `charts/`, read without Helm, and `charts.lock`, the
//! digest of each.

mod keys;
mod lock;
mod package;
pub mod upgrade;
mod vendored;

pub use keys::{ChartKeys, UnknownKey};
pub use lock::{Lock, Locked, LOCK_FILE};
pub use package::{digest, Package, PackageError, MAX_PACKAGE_BYTES, MAX_UNPACKED_BYTES};
pub use upgrade::Upgrade;
pub use vendored::{Loader, Vendored};

/// The folder of the config directory that holds vendored packages.
pub const CHARTS_DIR: &str = "charts";
