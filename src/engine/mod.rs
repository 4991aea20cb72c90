//! The engine: runs a plan on a live network and records what it measures.
//!
//! ```text
//! Plan ──data──▶ datasets, tasks ──Runner──▶ ops one by one ──▶ Outcome
//! ```
//!
//! [`network`] holds the state; [`rate`] and [`backprop`] run wake phases of rate networks;
//! [`sleep`] runs spiking phases with [`neurons`], [`drive`] and [`sleep_rules`]; [`scale`]
//! computes per-layer input scales; [`metrics`] measures; [`runner`] walks the ops.

pub mod activity;
pub mod backprop;
pub mod deliver;
pub mod drive;
pub mod expf;
pub mod linear_readout;
pub mod metrics;
pub mod modulators;
pub mod network;
pub mod neurons;
pub mod perturb;
pub mod poisson_clock;
pub mod presenting;
pub mod prune;
pub mod rate;
pub mod readout;
pub mod runner;
pub mod scale;
pub mod simd;
pub mod sleep;
pub mod sleep_rules;
pub mod spiking;
pub mod weight_export;

pub use runner::{Options, Progress, Quiet, Runner, run};
