//! Forage ops: an agent acting in an environment, or sleeping in it emptied
//! ([`crate::engine::forage`]), and the `foraging` metric's test episodes.
//!
//! The agent (cell states, traces, homeostatic targets, where the critter is) lives in the
//! run's [`State`](super::State) from the first forage op on, so phases chain like the
//! stages of the authors' code and a checkpoint or snapshot keeps it. Its weights are f64;
//! after every op they are copied into the network's f32 weights (what `weights(...)`,
//! `--save-weights` and the outcome read), and before every op a weight that no longer
//! matches its copy (a perturb phase changed it) is taken from the network.

use super::{Progress, Runner, interrupted};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::forage::{
    self, AdaptBy, AdaptSpec, Agent, ConnSpec, Dopamine, Learning, NetSpec, OutputBalanceSpec,
    Pattern, PhaseSpec, PhaseStats, PopSpec, Replay, Role, Rulkov, StdpSpec, WorldSpec,
};
use crate::outcome::{ForageRecord, OpRecord};
use crate::plan::bind::inputs::ReplayMode;
use crate::plan::bind::measures::Foraging;
use crate::plan::bind::rules::AdaptBy as RuleAdaptBy;
use crate::plan::bind::world::{ForagingGrid, Role as WorldRole, Shape};
use crate::plan::bind::{self, Bound, Drive, NeuronModel, Rule, Target, World};
use crate::plan::forage::ACTIONS;
use crate::plan::ir::{ForageKind, Op, SpanIr};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// Moves per aeon, for the per-aeon performance series.
const MOVES_PER_AEON: u64 = 100;

/// What an environment phase recorded: the population and each cell's spikes per move.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recorded {
    pub population: String,
    pub per_move: Vec<f64>,
}

impl Runner {
    pub(super) fn forage(
        &mut self,
        op: &Op,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let Op::Forage {
            kind,
            phase,
            call,
            environment,
            moves,
            epoch,
            dynamics,
            rules,
            dopamine,
            drive,
            record,
            stream,
            span,
        } = op
        else {
            unreachable!("called for forage ops")
        };
        rec.kind = match kind {
            ForageKind::Wake => "wake",
            ForageKind::Nrem => "nrem",
            ForageKind::Rem => "rem",
        }
        .into();
        rec.name = format!("{phase}#{call}");
        let grid = self.grid(environment, span)?;
        let world = (!kind.is_sleep()).then(|| world_spec(&grid));
        let learning = self.learning(rules, span)?;
        let replay = match drive {
            Some(d) => Some(self.replay(d, span)?),
            None => None,
        };
        let record_pop = match record {
            Some(p) => Some(self.population(p, span)?),
            None => None,
        };
        let spec = PhaseSpec {
            moves: *moves,
            steps_per_move: u32::try_from(*epoch).unwrap_or(u32::MAX),
            world,
            sensor_kick: grid.sensor_kick,
            dopamine: match &dopamine.kernel {
                bind::Dopamine::Rewards(r) => Dopamine::Events {
                    reward: r.reward,
                    punish: r.punish,
                    nothing: r.nothing,
                },
                bind::Dopamine::Tonic(t) => Dopamine::Constant(t.level),
            },
            learning,
            replay,
            record: record_pop,
            random_moves: grid.random_moves,
            last_n: usize::try_from(grid.last).unwrap_or(usize::MAX),
            trajectory: true,
            moves_per_aeon: MOVES_PER_AEON,
        };
        self.ensure_agent(dynamics, span)?;
        if !kind.is_sleep() && self.state.last_environment.as_ref() != Some(environment) {
            if let Some(a) = self.state.agent.as_mut() {
                a.forget_recent();
            }
            self.state.last_environment = Some(environment.clone());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed_of(stream));
        progress.start(&rec.name, *moves, "moves");
        let stats = {
            let stop = self.stop.clone();
            let done = Cell::new(0u64);
            let progress = RefCell::new(&mut *progress);
            let poll = || {
                let n = done.get();
                if n.is_multiple_of(10) {
                    progress.borrow_mut().advance(n);
                }
                done.set(n + 1);
                stop.load(std::sync::atomic::Ordering::Relaxed)
            };
            let agent = self.state.agent.as_mut().expect("ensured above");
            forage::run_phase(agent, &spec, &mut rng, &poll)
        };
        progress.finish();
        let stats = stats.map_err(|e| engine_error(e, span))?;
        self.copy_weights_out();
        rec.amount = Some(stats.moves);
        for (i, p) in self.state.net.pops.iter().enumerate() {
            rec.spikes
                .insert(p.name.clone(), stats.spikes.get(i).copied().unwrap_or(0));
        }
        if let (Some(pop), Some(per_move)) = (record, &stats.recorded) {
            self.state.recorded_moves.insert(
                phase.clone(),
                Recorded {
                    population: pop.clone(),
                    per_move: per_move.clone(),
                },
            );
        }
        rec.forage = Some(forage_record(environment, &stats));
        self.check_weights(&rec.name, span)?;
        if stats.moves < *moves {
            return Err(interrupted(span, Some((stats.moves, *moves, "moves"))));
        }
        Ok(())
    }

    /// The `foraging` metric: a test episode on a copy of the agent, learning off.
    pub(super) fn foraging(&mut self, f: &Foraging, span: &SpanIr) -> Result<f64, RunError> {
        let grid = self.grid(&f.environment.0, span)?;
        let spec = PhaseSpec {
            moves: f.length,
            steps_per_move: u32::try_from(grid.epoch).unwrap_or(u32::MAX),
            world: Some(world_spec(&grid)),
            sensor_kick: grid.sensor_kick,
            // Learning is off, so no dopamine acts; but the agent eats (a constant dopamine
            // would mean sleep: nothing is eaten).
            dopamine: Dopamine::Events {
                reward: 0.0,
                punish: 0.0,
                nothing: 0.0,
            },
            learning: None,
            replay: None,
            record: None,
            random_moves: grid.random_moves,
            last_n: usize::try_from(grid.last).unwrap_or(usize::MAX),
            trajectory: false,
            moves_per_aeon: MOVES_PER_AEON,
        };
        let mut agent = match &self.state.agent {
            Some(a) => a.clone(),
            None => {
                Agent::new(&self.net_spec(&BTreeMap::new())).map_err(|e| engine_error(e, span))?
            }
        };
        // The test counts only what it eats itself.
        agent.forget_recent();
        let seed = crate::plan::streams::derive(
            self.seed,
            &format!("foraging:{}#{}", f.environment.0, self.measures),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let stop = self.stop.clone();
        let stats = forage::run_phase(&mut agent, &spec, &mut rng, &|| {
            stop.load(std::sync::atomic::Ordering::Relaxed)
        })
        .map_err(|e| engine_error(e, span))?;
        if stats.moves < f.length {
            return Err(interrupted(span, Some((stats.moves, f.length, "moves"))));
        }
        Ok(stats.performance.unwrap_or(f64::NAN))
    }

    /// The environment's grid, as the plan bound it.
    fn grid(&self, environment: &str, span: &SpanIr) -> Result<ForagingGrid, RunError> {
        match self.environments.get(environment) {
            Some(World::ForagingGrid(g)) => Ok(g.clone()),
            None => Err(RunError::new(
                Code::E412,
                format!("the plan holds no environment `{environment}`"),
            )
            .at(span)),
        }
    }

    /// The agent's network: every population a Rulkov population with the op's model (the
    /// paper's cell where none is given), every existing synapse with its weight.
    fn net_spec(&self, dynamics: &BTreeMap<String, Bound<NeuronModel>>) -> NetSpec {
        let net = &self.state.net;
        let pops = net
            .pops
            .iter()
            .map(|p| PopSpec {
                name: p.name.clone(),
                size: p.size,
                model: match dynamics.get(&p.name).map(|m| &m.kernel) {
                    Some(NeuronModel::Rulkov(r)) => Some(rulkov(r)),
                    _ => None,
                },
            })
            .collect();
        let conns = net
            .projs
            .iter()
            .map(|p| ConnSpec {
                name: p.name.clone(),
                from: p.from,
                to: p.to,
                synapses: existing(p)
                    .map(|(i, j, k)| (i as u32, j as u32, p.w[k] as f64))
                    .collect(),
            })
            .collect();
        NetSpec {
            pops,
            conns,
            input: net.input().unwrap_or(0),
            output: net.output(),
            actions: ACTIONS as usize,
        }
    }

    /// The agent of the run, built at its first forage op; afterwards, the weights a perturb
    /// phase changed in the network are taken into it.
    fn ensure_agent(
        &mut self,
        dynamics: &BTreeMap<String, Bound<NeuronModel>>,
        span: &SpanIr,
    ) -> Result<(), RunError> {
        if self.state.agent.is_none() {
            let spec = self.net_spec(dynamics);
            let agent = Agent::new(&spec).map_err(|e| engine_error(e, span))?;
            self.state.agent = Some(agent);
            return Ok(());
        }
        let net = &self.state.net;
        let agent = self.state.agent.as_mut().expect("checked above");
        for (c, p) in net.projs.iter().enumerate() {
            let Some(conn) = agent.conns.get(c) else {
                continue;
            };
            for ((_, _, k), &s) in existing(p).zip(&conn.syns) {
                let s = s as usize;
                if agent.w[s] as f32 != p.w[k] {
                    agent.w[s] = p.w[k] as f64;
                }
            }
        }
        Ok(())
    }

    /// The agent's weights into the network (f32).
    fn copy_weights_out(&mut self) {
        let Some(agent) = &self.state.agent else {
            return;
        };
        for (c, p) in self.state.net.projs.iter_mut().enumerate() {
            for (i, j, w) in agent.weights(c) {
                p.w[j as usize * p.pre + i as usize] = w as f32;
            }
        }
    }

    /// A phase's rules as the agent's learning; `None` (a test) when it has none.
    fn learning(&self, rules: &[Bound<Rule>], span: &SpanIr) -> Result<Option<Learning>, RunError> {
        if rules.is_empty() {
            return Ok(None);
        }
        let net = &self.state.net;
        let mut l = Learning {
            stdp: Vec::new(),
            input_balance: Vec::new(),
            output_balance: None,
            adapt: Vec::new(),
        };
        for r in rules {
            let conns: Vec<usize> = self
                .applies(r)
                .iter()
                .enumerate()
                .filter(|(_, a)| **a)
                .map(|(c, _)| c)
                .collect();
            match &r.kernel {
                Rule::RewardStdp(s) => l.stdp.extend(conns.iter().map(|&conn| StdpSpec {
                    conn,
                    modulated: s.modulated,
                    scale: s.scale,
                    tau: s.tau,
                    window: u32::try_from(s.window).unwrap_or(u32::MAX),
                    memory: u32::try_from(s.memory).unwrap_or(u32::MAX),
                    clip: s.clip,
                    w_min: s.w_min,
                    w_max: s.w_max,
                    average_rate: s.average_rate,
                })),
                Rule::InputBalance => l.input_balance.extend(conns),
                Rule::OutputBalance(o) => {
                    let inhibitory = net.proj(&o.inhibitory.0).ok_or_else(|| {
                        RunError::new(
                            Code::E412,
                            format!("no projection `{}` in the network", o.inhibitory.0),
                        )
                        .at(span)
                    })?;
                    let out = &net.pops[net.output()];
                    l.output_balance = Some(OutputBalanceSpec {
                        inhibitory,
                        cells_per_group: (out.size / ACTIONS as usize).max(1),
                    });
                }
                Rule::RateAdaptation(a) => {
                    let mut pops: Vec<usize> = if r.on.is_empty() {
                        conns.iter().map(|&c| net.projs[c].to).collect()
                    } else {
                        r.on.iter()
                            .filter_map(|t| match t {
                                Target::Population(p) => net.pop(p),
                                Target::Projection(p) => net.proj(p).map(|c| net.projs[c].to),
                            })
                            .collect()
                    };
                    pops.sort_unstable();
                    pops.dedup();
                    l.adapt.extend(pops.into_iter().map(|pop| AdaptSpec {
                        pop,
                        target: a.target,
                        by: match a.by {
                            RuleAdaptBy::Resistance => AdaptBy::Resistance,
                            RuleAdaptBy::InputTarget => AdaptBy::InputTarget,
                        },
                        rate: a.rate,
                        smoothing: a.smoothing,
                    }));
                }
                // The plan keeps every other rule out of environment phases (E320).
                _ => {
                    return Err(RunError::new(
                        Code::E412,
                        format!("`{}` does not run in an environment phase", r.name()),
                    )
                    .at(span));
                }
            }
        }
        Ok(Some(l))
    }

    /// `recorded_kicks`: each cell's kick probability, the mean of what the phases
    /// recorded (their last calls).
    fn replay(&self, d: &Bound<Drive>, span: &SpanIr) -> Result<Replay, RunError> {
        let Drive::RecordedKicks(k) = &d.kernel else {
            return Err(RunError::new(
                Code::E412,
                format!("`{}` does not drive an environment phase", d.name()),
            )
            .at(span));
        };
        let mut sum: Vec<f64> = Vec::new();
        let mut population = String::new();
        for name in &k.phases.0 {
            // The plan guarantees an earlier call recorded (E315); a REPL session may not.
            let r = self.state.recorded_moves.get(name).ok_or_else(|| {
                RunError::new(
                    Code::E412,
                    format!("`{name}` has recorded no population yet"),
                )
                .at(span)
            })?;
            if sum.is_empty() {
                sum = vec![0.0; r.per_move.len()];
                population = r.population.clone();
            }
            sum.iter_mut().zip(&r.per_move).for_each(|(s, v)| *s += v);
        }
        let n = k.phases.0.len().max(1) as f64;
        let mut prob: Vec<f64> = sum.iter().map(|s| s / n).collect();
        if k.mode == ReplayMode::Uniform {
            let mean = prob.iter().sum::<f64>() / prob.len().max(1) as f64;
            prob.iter_mut().for_each(|p| *p = mean);
        }
        prob.iter_mut().for_each(|p| *p = p.clamp(0.0, 1.0));
        Ok(Replay {
            pop: self.population(&population, span)?,
            prob,
            kick: k.kick,
        })
    }
}

/// The existing synapses of a projection: `(pre, post, index into w)`, post-major — the
/// order the agent's spec lists them in.
fn existing(
    p: &crate::engine::network::Projection,
) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    (0..p.post).flat_map(move |j| {
        (0..p.pre).filter_map(move |i| {
            let k = j * p.pre + i;
            p.mask
                .as_ref()
                .is_none_or(|m| m[k] != 0.0)
                .then_some((i, j, k))
        })
    })
}

fn rulkov(r: &bind::models::Rulkov) -> Rulkov {
    Rulkov {
        alpha: r.alpha,
        sigma: r.sigma,
        mu: r.mu,
        beta: r.beta,
        decay: r.decay,
        psp_noise: r.psp_noise,
        x0: r.x0,
        u0: r.u0,
    }
}

fn world_spec(g: &ForagingGrid) -> WorldSpec {
    WorldSpec {
        size: g.size as usize,
        window: g.window as usize,
        patterns: g
            .shapes()
            .into_iter()
            .map(|(s, r)| {
                (
                    match s {
                        Shape::Horizontal => Pattern::Horizontal,
                        Shape::Vertical => Pattern::Vertical,
                        Shape::DiagonalUp => Pattern::DiagonalUp,
                        Shape::DiagonalDown => Pattern::DiagonalDown,
                    },
                    match r {
                        WorldRole::Rewarded => Role::Rewarded,
                        WorldRole::Punished => Role::Punished,
                        WorldRole::Neutral => Role::Neutral,
                    },
                )
            })
            .collect(),
        density: g.density,
        replace: g.replace,
    }
}

fn forage_record(environment: &str, s: &PhaseStats) -> ForageRecord {
    ForageRecord {
        environment: environment.to_string(),
        moves: s.moves,
        rewarded: s.rewarded,
        punished: s.punished,
        neutral: s.neutral,
        performance: s.performance,
        per_aeon: s
            .per_aeon
            .iter()
            .map(|v| v.is_finite().then_some(*v))
            .collect(),
        trajectory: s.trajectory.clone(),
    }
}

/// The engine refused what the plan asked: a mismatch inside somnia.
fn engine_error(e: String, span: &SpanIr) -> RunError {
    RunError::new(Code::E412, format!("the foraging engine stopped: {e}"))
        .at(span)
        .help("this is a mismatch inside somnia, not in the protocol: please report it")
}
