//! YAML in and out: a located tree for config (every value keeps its file,
//! line and column), an emitter for rendered output, and a fast read-back
//! check of what was emitted.

mod emit;
mod emitted;
mod node;
mod parse;
mod scalar;
mod ser;
mod verify;

pub use emit::{emit, Shape, Tree};
pub use emitted::Emitted;
pub use node::{Loc, Node, NodeValue, Source};
pub use parse::{parse_documents, parse_one, Limits};
pub use scalar::plain_ok;
pub use ser::to_yaml;
pub use verify::holds;
