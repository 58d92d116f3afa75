//! YAML in and out: a located tree for config (every value keeps its file,
//! line and column), and a serde serialiser for rendered output.

mod emitted;
mod node;
mod parse;
mod scalar;
mod ser;
mod values;

pub(crate) use emitted::{keeping_json, Emitted};
pub(crate) use node::{Loc, Node, NodeValue, Source};
pub(crate) use parse::{parse_documents, parse_one, Limits};
pub(crate) use scalar::plain_ok;
pub(crate) use ser::to_yaml;
pub(crate) use values::documents;
