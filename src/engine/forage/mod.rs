//! A closed-loop spiking foraging agent: a port of Golden, Delanois, Sanda & Bazhenov
//! 2022 (PLoS Comput Biol 18(11): e1010628), the authors' C++ `spirit`.
//!
//! A 7×7 sensor window over a toroidal grid of two-pixel food particles drives Rulkov-map
//! input cells; hidden and output cells are Rulkov cells too; the output cells vote for
//! one of 8 moves; what the agent eats sets dopamine, which turns STDP eligibility traces
//! into weight changes; balancing and spike-rate adaptation keep totals in place. Sleep
//! is a phase with an empty world, constant dopamine and replay kicks into the hidden
//! layer.
//!
//! The engine knows nothing of the language: the caller builds a [`NetSpec`], an
//! [`Agent`] from it, and runs [`PhaseSpec`]s on the agent with [`run_phase`]; the agent
//! persists between phases, so phases chain like the C++ stages.
//!
//! - [`spec`]: the plain-data inputs; [`paper`]: the paper's network.
//! - [`rulkov`]: the cell; [`world`]: the grid; [`traces`]: eligibility traces.
//! - [`reward`]: dopamine-gated STDP; [`homeostasis`]: balancing and adaptation.
//! - [`agent`]: the persistent state; [`step`]: one network step; [`run`]: a phase.

pub mod agent;
pub mod homeostasis;
pub mod paper;
pub mod reward;
pub mod rulkov;
pub mod run;
pub mod spec;
pub mod step;
pub mod traces;
pub mod world;

#[cfg(test)]
mod tests;

pub use agent::Agent;
pub use paper::paper_network;
pub use run::{PhaseStats, run_phase, run_phase_in};
pub use spec::{
    AdaptBy, AdaptSpec, ConnSpec, Dopamine, Learning, NetSpec, OutputBalanceSpec, Pattern,
    PhaseSpec, PopSpec, Replay, Role, Rulkov, StdpSpec, WorldSpec,
};
pub use world::World;
