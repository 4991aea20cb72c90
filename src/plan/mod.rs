//! Plan: a checked protocol → a flat list of ops with concrete parameters ([`ir::Plan`]).
//!
//! [`compile`] resolves one protocol, [`unroll`] and [`ops`] turn its schedule into ops,
//! [`expect`] compiles expectations, [`estimate`] sizes the result and [`cost`] times it, [`timeline`] prints it,
//! [`compare`] handles `compare` and `sweep` items.

pub mod bind;
pub mod calls;
pub mod compare;
pub mod compile;
pub mod cost;
pub mod estimate;
pub mod expect;
pub mod forage;
pub mod hash;
pub mod ir;
pub mod ops;
pub mod params;
pub mod recordings;
pub mod runnable;
pub mod streams;
pub mod ties;
pub mod timeline;
pub mod unroll;

pub use compile::{Compiled, Options, compile};
pub use ir::Plan;

use serde::Serialize;

/// Every plan of a file with its comparisons and sweeps: `somnia plan FILE --json`.
#[derive(Debug, Serialize)]
pub struct FilePlans<'a> {
    pub plans: &'a [Plan],
    pub compares: &'a [compare::CompareIr],
    pub sweeps: &'a [compare::SweepIr],
}
