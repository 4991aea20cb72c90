//! Plan: a checked protocol → a flat list of ops with concrete parameters ([`ir::Plan`]).
//!
//! [`compile`] resolves one protocol, [`unroll`] and [`ops`] turn its schedule into ops,
//! [`expect`] compiles expectations, [`estimate`] costs the result, [`timeline`] prints it,
//! [`compare`] handles `compare` and `sweep` items.

pub mod compare;
pub mod compile;
pub mod estimate;
pub mod expect;
pub mod ir;
pub mod ops;
pub mod params;
pub mod streams;
pub mod timeline;
pub mod unroll;

pub use compile::{Compiled, Options, compile};
pub use ir::Plan;
