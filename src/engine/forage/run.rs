//! A phase: moves of the agent in a world, in the C++ step order.
//!
//! Each step at time `t` (the agent's step counter, C++ `ctime`):
//!
//! ```text
//! [t % spm == 0: replay kicks]  map of every cell  fired cells: PSPs, traces, votes
//! [t % spm == 0: move (random w.p. from hunger), eat, dopamine → STDP → balancing;
//!                sensor kicks from the new window; spike-rate adaptation]
//! ```
//!
//! A phase starts on a move step and runs whole moves, so the last move of one phase is
//! followed by `spm − 1` quiet steps under that phase's rules and the next phase's first
//! step is its first move — consecutive phases chain like consecutive C++ stages (whose
//! setup runs at the top of the step that holds the stage's first move).

use super::agent::Agent;
use super::homeostasis;
use super::reward;
use super::spec::Pattern;
use super::spec::{Dopamine, Learning, PhaseSpec, Role};
use super::step::{self, Scratch};
use super::traces::TraceParams;
use super::world::World;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// What a phase measured (so far, when it was stopped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseStats {
    /// Moves done (fewer than asked when stopped).
    pub moves: u64,
    /// Particles eaten per listed pattern, in the world's order.
    pub eaten: Vec<(Pattern, Role, u64)>,
    pub rewarded: u64,
    pub punished: u64,
    pub neutral: u64,
    /// rewarded / (rewarded + punished) over the last `last_n` task-relevant particles
    /// eaten in this phase; `None` if none.
    pub performance: Option<f64>,
    /// How many particles that window covered.
    pub relevant: u64,
    /// The rolling performance at the end of each aeon (NaN while none eaten).
    pub per_aeon: Vec<f64>,
    /// Spikes per population over the phase.
    pub spikes: Vec<u64>,
    /// Spikes per move of each cell of the recorded population.
    pub recorded: Option<Vec<f64>>,
    /// Position after each move, if asked.
    pub trajectory: Vec<(u16, u16)>,
}

fn finite(what: &str, v: f64) -> Result<(), String> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(format!("{what} {v} is not finite"))
    }
}

fn check_learning(a: &Agent, l: &Learning) -> Result<(), String> {
    let conns = a.conns.len();
    for s in &l.stdp {
        if s.conn >= conns {
            return Err(format!("STDP on projection {} of {conns}", s.conn));
        }
        for (w, v) in [
            ("scale", s.scale),
            ("clip", s.clip),
            ("w_min", s.w_min),
            ("w_max", s.w_max),
        ] {
            finite(w, v)?;
        }
        if !(s.tau.is_finite() && s.tau > 0.0) {
            return Err(format!("STDP tau {} is not positive", s.tau));
        }
        if !(0.0..=1.0).contains(&s.average_rate) {
            return Err(format!(
                "trace average rate {} is not in [0, 1]",
                s.average_rate
            ));
        }
        if s.w_min > s.w_max || s.clip < 0.0 {
            return Err("STDP bounds: w_min > w_max or a negative clip".into());
        }
    }
    if let Some(&c) = l.input_balance.iter().find(|&&c| c >= conns) {
        return Err(format!("input balancing of projection {c} of {conns}"));
    }
    if let Some(o) = &l.output_balance
        && (o.inhibitory >= conns || o.cells_per_group == 0)
    {
        return Err("output balancing: no such projection or no cells per group".into());
    }
    for s in &l.adapt {
        if s.pop >= a.pops.len() {
            return Err(format!("adaptation of population {}", s.pop));
        }
        for (w, v) in [
            ("target", s.target),
            ("rate", s.rate),
            ("smoothing", s.smoothing),
        ] {
            finite(w, v)?;
        }
    }
    Ok(())
}

fn check_window(a: &Agent, window: usize) -> Result<(), String> {
    let need = window.saturating_mul(window);
    if a.pops[a.input_pop].size != need {
        return Err(format!(
            "a {window}×{window} window needs {need} input cells, not {}",
            a.pops[a.input_pop].size
        ));
    }
    Ok(())
}

fn check(a: &Agent, spec: &PhaseSpec) -> Result<(), String> {
    if spec.steps_per_move == 0 {
        return Err("a move needs at least one step".into());
    }
    if !a.step.is_multiple_of(spec.steps_per_move as u64) {
        return Err(format!(
            "step {} is not a move boundary for {} steps per move",
            a.step, spec.steps_per_move
        ));
    }
    finite("sensor kick", spec.sensor_kick)?;
    finite("random move probability", spec.random_moves)?;
    match spec.dopamine {
        Dopamine::Events {
            reward,
            punish,
            nothing,
        } => {
            finite("reward", reward)?;
            finite("punishment", punish)?;
            finite("dopamine for nothing", nothing)?;
        }
        Dopamine::Constant(d) => finite("dopamine", d)?,
    }
    if let Some(l) = &spec.learning {
        check_learning(a, l)?;
    }
    if let Some(r) = &spec.replay {
        let size = a
            .pops
            .get(r.pop)
            .ok_or("replay into a missing population")?
            .size;
        if r.prob.len() != size {
            return Err(format!(
                "{} replay probabilities for {size} cells",
                r.prob.len()
            ));
        }
        if r.prob.iter().any(|p| p.is_nan()) {
            return Err("a replay probability is NaN".into());
        }
        finite("replay kick", r.kick)?;
    }
    if spec.record.is_some_and(|p| p >= a.pops.len()) {
        return Err("recording a missing population".into());
    }
    Ok(())
}

/// What the moves ate.
struct Tally {
    eaten: Vec<u64>,
    rewarded: u64,
    punished: u64,
    neutral: u64,
    last: VecDeque<bool>,
    last_n: usize,
}

impl Tally {
    fn relevant(&mut self, rewarded: bool) {
        if self.last_n == 0 {
            return;
        }
        if self.last.len() == self.last_n {
            self.last.pop_front();
        }
        self.last.push_back(rewarded);
    }

    fn performance(&self) -> Option<f64> {
        let n = self.last.len();
        (n > 0).then(|| self.last.iter().filter(|&&r| r).count() as f64 / n as f64)
    }
}

/// C++ `apply_STDP_traces` with dopamine `d`: STDP, then input, then output balancing.
fn learn(a: &mut Agent, l: &Learning, d: f64, spm: u32) {
    let now = a.step;
    for s in &l.stdp {
        reward::apply(a, s, d, now, spm);
    }
    if !l.input_balance.is_empty() {
        homeostasis::balance_inputs(a, &l.input_balance);
    }
    homeostasis::balance_outputs(a, l.output_balance.as_ref());
}

/// C++ `move_critter` then `flash_cells` then `spike_rate_adaptation`.
fn do_move(
    a: &mut Agent,
    world: &mut Option<World>,
    spec: &PhaseSpec,
    rng: &mut ChaCha8Rng,
    t: &mut Tally,
    sensed: &mut [bool],
) {
    let r = rng.random_range(0..100u32);
    if r as f64 <= spec.random_moves * 100.0 * a.hunger as f64 - 1.0 {
        let dx = rng.random_range(0..3i32) - 1;
        let dy = rng.random_range(0..3i32) - 1;
        a.dir = (dx, dy);
    }
    let s = a.arena as i64;
    a.pos = (
        (a.pos.0 as i64 + a.dir.0 as i64).rem_euclid(s) as usize,
        (a.pos.1 as i64 + a.dir.1 as i64).rem_euclid(s) as usize,
    );
    let d = match spec.dopamine {
        Dopamine::Constant(c) => c,
        Dopamine::Events {
            reward,
            punish,
            nothing,
        } => {
            let got = world.as_mut().and_then(|w| {
                let k = w.eat(a.pos.0, a.pos.1, rng)?;
                let slot = w.patterns.iter().position(|p| *p == k)?;
                Some((k.1, slot))
            });
            match got {
                Some((role, slot)) => {
                    t.eaten[slot] += 1;
                    match role {
                        Role::Rewarded => {
                            a.hunger = 0;
                            t.rewarded += 1;
                            t.relevant(true);
                            reward
                        }
                        Role::Punished => {
                            a.hunger = 0;
                            t.punished += 1;
                            t.relevant(false);
                            punish
                        }
                        Role::Neutral => {
                            a.hunger += 1;
                            t.neutral += 1;
                            nothing
                        }
                    }
                }
                None => {
                    a.hunger += 1;
                    nothing
                }
            }
        }
    };
    if let Some(l) = &spec.learning {
        learn(a, l, d, spec.steps_per_move);
    }
    a.votes.iter_mut().for_each(|v| *v = 0);
    if let Some(w) = world {
        let start = a.pops[a.input_pop].start;
        w.sensor(a.pos.0, a.pos.1, sensed);
        for (i, &on) in sensed.iter().enumerate() {
            if on {
                a.input[start + i] += spec.sensor_kick;
            }
        }
    }
    if let Some(l) = &spec.learning {
        for s in &l.adapt {
            homeostasis::adapt(a, s);
        }
    }
}

/// Run one phase of `spec.moves` moves in a world created from `spec.world`; `stop` is
/// polled before each move and ends the phase early with the stats so far.
pub fn run_phase(
    agent: &mut Agent,
    spec: &PhaseSpec,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) -> Result<PhaseStats, String> {
    check(agent, spec)?;
    if let Some(w) = &spec.world {
        check_window(agent, w.window)?;
    }
    let world = match &spec.world {
        Some(w) => Some(World::create(w, rng)?),
        None => None,
    };
    run_phase_in(agent, spec, world, rng, stop)
}

/// [`run_phase`] in a given world (`spec.world` is not read): for hand-built worlds.
pub fn run_phase_in(
    agent: &mut Agent,
    spec: &PhaseSpec,
    mut world: Option<World>,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) -> Result<PhaseStats, String> {
    check(agent, spec)?;
    if let Some(w) = &world {
        check_window(agent, w.window)?;
        agent.arena = w.size;
        agent.pos = (agent.pos.0 % w.size, agent.pos.1 % w.size);
    }
    if let Some(l) = &spec.learning {
        for s in &l.stdp {
            agent.trace_params[s.conn] = Some(TraceParams {
                scale: s.scale,
                tau: s.tau,
                window: s.window,
                memory: s.memory,
            });
        }
        let widest = agent
            .trace_params
            .iter()
            .flatten()
            .map(|p| p.window as u64)
            .max();
        agent.log_keep = widest.unwrap_or(120).max(120);
    }
    let asleep = matches!(spec.dopamine, Dopamine::Constant(_));
    let mut tally = Tally {
        eaten: vec![0; world.as_ref().map_or(0, |w| w.patterns.len())],
        rewarded: 0,
        punished: 0,
        neutral: 0,
        // Sleep eats nothing: it neither uses nor changes the window.
        last: if asleep {
            VecDeque::new()
        } else {
            let mut last = std::mem::take(&mut agent.recent);
            while last.len() > spec.last_n {
                last.pop_front();
            }
            last
        },
        last_n: spec.last_n,
    };
    let mut scratch = Scratch::new(agent.x.len());
    let mut sensed = vec![false; world.as_ref().map_or(0, |w| w.window * w.window)];
    let mut per_aeon = Vec::new();
    let mut trajectory = Vec::new();
    let mut moves = 0u64;
    while moves < spec.moves {
        if stop() {
            break;
        }
        if let Some(r) = &spec.replay {
            let start = agent.pops[r.pop].start;
            for (i, &p) in r.prob.iter().enumerate() {
                if rng.random::<f64>() <= p {
                    agent.input[start + i] += r.kick;
                }
            }
        }
        step::step(agent, &mut scratch, rng);
        do_move(agent, &mut world, spec, rng, &mut tally, &mut sensed);
        agent.step += 1;
        for _ in 1..spec.steps_per_move {
            step::step(agent, &mut scratch, rng);
            agent.step += 1;
        }
        moves += 1;
        if spec.trajectory {
            trajectory.push((agent.pos.0 as u16, agent.pos.1 as u16));
        }
        if spec.moves_per_aeon > 0 && moves.is_multiple_of(spec.moves_per_aeon) {
            per_aeon.push(tally.performance().unwrap_or(f64::NAN));
        }
    }
    let spikes = (0..agent.pops.len())
        .map(|p| scratch.spikes[agent.range(p)].iter().sum())
        .collect();
    let recorded = spec.record.map(|p| {
        scratch.spikes[agent.range(p)]
            .iter()
            .map(|&n| {
                if moves > 0 {
                    n as f64 / moves as f64
                } else {
                    0.0
                }
            })
            .collect()
    });
    let eaten = match &world {
        Some(w) => w
            .patterns
            .iter()
            .zip(&tally.eaten)
            .map(|(&(p, r), &n)| (p, r, n))
            .collect(),
        None => Vec::new(),
    };
    let performance = tally.performance();
    let relevant = tally.last.len() as u64;
    if !asleep {
        agent.recent = tally.last;
    }
    Ok(PhaseStats {
        moves,
        eaten,
        rewarded: tally.rewarded,
        punished: tally.punished,
        neutral: tally.neutral,
        performance,
        relevant,
        per_aeon,
        spikes,
        recorded,
        trajectory,
    })
}
