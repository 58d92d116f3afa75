//! YAML in and out: a located tree for config (every value keeps its file,
//! line and column) and a serde serialiser for rendered output.

mod emit;
mod node;
mod parse;

pub use emit::to_yaml;
pub use node::{Loc, Node, NodeValue, Source};
pub use parse::{parse_documents, parse_one, Limits};
