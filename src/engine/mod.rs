//! The engine: runs a plan on a live network and records what it measures.
//!
//! ```text
//! Plan ──data──▶ datasets, tasks ──Runner──▶ ops one by one ──▶ Recording ──outcome──▶ Outcome
//! ```
//!
//! The engine reads the plan's typed kernels (`plan::bind`), never a built-in's name.
//! [`network`] holds the weights; [`rate`] and [`backprop`] run wake phases of rate networks;
//! [`spiking`] runs spiking phases with [`neurons`], [`drive`], [`modulators`] and the
//! [`rules`]; [`scale`] computes per-layer input scales; [`perturb`] applies shocks;
//! [`metrics`] measures; [`runner`] walks the ops; [`weight_export`] watches the network
//! for `--save-weights`.

pub mod activity;
pub mod backprop;
pub mod deliver;
pub mod drive;
pub mod expf;
pub mod forage;
pub mod linear_readout;
pub mod metrics;
pub mod modulators;
pub mod monitor;
pub mod network;
pub mod neurons;
pub mod perturb;
pub mod poisson_clock;
pub mod presenting;
pub mod rate;
pub mod readout;
pub mod recording_export;
pub mod rules;
pub mod runner;
pub mod scale;
pub mod simd;
pub mod sleep;
pub mod spiking;
pub mod weight_export;

pub use runner::{
    Control, Every, Options, Progress, Quiet, Runner, Snapshot, Snapshots, run, run_with,
};
