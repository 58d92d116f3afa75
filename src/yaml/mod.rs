//! YAML in and out: a located tree for config (every value keeps its file,
//! line and column), and a serde serialiser for rendered output.

mod emitted;
mod node;
mod parse;
mod scalar;
mod ser;

pub use emitted::Emitted;
pub use node::{Loc, Node, NodeValue, Source};
pub use parse::{parse_documents, parse_one, Limits};
pub use scalar::plain_ok;
pub use ser::to_yaml;
