//! Integration tests, one binary (one link step): each module holds the
//! tests of one area, through the public API and the `gen` binary only.
//! Fixtures are in `tests/fixtures/`; reviewed snapshots in `snapshots/`.

mod addresses;
mod bootstrap;
mod chart_repo;
mod cli;
mod cluster;
mod common;
mod diff;
mod doris;
mod emittable;
mod explain;
mod external;
mod faults;
mod graph;
mod inputs;
mod invalid;
mod layers;
mod metadata;
mod mirror;
mod ml;
mod passthrough;
mod plan;
mod plan_mistakes;
mod properties;
mod quantity;
mod readme;
mod releases;
mod render;
mod schema;
mod secrets;
mod smoke;
mod smoke_scripts;
mod streams;
mod upstream;
mod vendor;
mod verify;
mod walkthrough;
mod writer;
