//! The spiking simulator: the network run step by step as spiking neurons, shared by sleep
//! phases, spiking wake phases and spike-count readouts.
//!
//! Propagation is event-driven: each spike adds its pre-major weight row to the post
//! neurons (their potential, or their synaptic current), so a step costs spikes × fan-out.
//! Populations update in flow order within a step, so a spike crosses every feed-forward
//! layer in the step it is emitted (as SRC); recurrent and backward projections carry the
//! spikes of the previous step. Synapses with delays deliver through a ring buffer per
//! projection. The step loop allocates nothing.

use super::activity::Recorder;
pub use super::deliver::transpose;
use super::deliver::{Delays, Traces, deliver_listed, deliver_tied, open, schedule};
use super::modulators::Modulator;
use super::network::{Network, gaussian};
use super::neurons::{Model, State, Synapse, flush};
use super::rules::{Limits, SleepRule, decay_to_baseline, downscale, normalize_sum, weight_noise};
use rand_chacha::ChaCha8Rng;

mod at_spikes;

/// The live spiking state of a network during a phase.
pub struct Sim {
    /// Pre-major weight copies (`wt[p][i·post + j]`), written back by [`Sim::finish`];
    /// empty for the projections kept in `listed`.
    pub wt: Vec<Vec<f32>>,
    /// The weights of sparse projections that no rule of the phase changes, in synapse
    /// list order: a spike reads its fan-out contiguously, and the phase never builds (or
    /// writes back) the dense copy, which for 2 % of a 4000 × 4000 matrix is 50 times
    /// larger.
    listed: Vec<Option<Vec<f32>>>,
    pub states: Vec<State>,
    pub models: Vec<Option<Model>>,
    pub scale: Vec<f32>,
    pub rules: Vec<(SleepRule, Vec<bool>)>,
    pub modulators: Vec<Modulator>,
    /// Whether rules change weights (off while a readout counts spikes).
    pub learning: bool,
    /// Populations kept from firing (a `silence` shock), by index.
    pub silenced: Vec<bool>,
    /// Spike counts and patterns per step, when the phase records them (for activity
    /// metrics).
    pub recorder: Option<Recorder>,
    /// The protocol's recordings of this op (`record spikes(...)`), when it has any.
    pub monitor: Option<super::monitor::Monitor>,
    limits: Vec<Limits>,
    delays: Vec<Option<Delays>>,
    traces: Vec<Option<Traces>>,
    order: Vec<usize>,
    input: Option<usize>,
    /// Membrane noise: σ, the one population it is limited to, and whether σ follows the
    /// rhythms (resolved from the `noise` modulators).
    noise: Vec<(f32, Option<usize>, bool)>,
    dt: f64,
    t: u64,
}

impl Sim {
    pub fn new(
        net: &Network,
        models: Vec<Option<Model>>,
        scale: Vec<f32>,
        rules: Vec<(SleepRule, Vec<bool>)>,
        modulators: Vec<Modulator>,
        dt: f64,
    ) -> Sim {
        let states = net
            .pops
            .iter()
            .enumerate()
            .map(|(i, p)| match &models[i] {
                Some(m) => State {
                    theta: net.theta[i].clone(),
                    ..State::new(m, p.size)
                },
                None => State {
                    spiked: vec![0; p.size],
                    spikes: Vec::with_capacity(p.size),
                    ..State::default()
                },
            })
            .collect();
        let delays = net
            .projs
            .iter()
            .map(|p| {
                let d = p.delay.as_ref()?;
                let steps: Vec<u16> = transpose(d, p.post, p.pre)
                    .iter()
                    .map(|&s| (s as f64 / dt).round().clamp(0.0, u16::MAX as f64) as u16)
                    .collect();
                let slots = *steps.iter().max().unwrap_or(&0) as usize + 1;
                Some(Delays {
                    steps,
                    ring: vec![0.0; slots * p.post],
                    slots,
                })
            })
            .collect();
        let traces = rules
            .iter()
            .map(|(r, _)| match r {
                SleepRule::Stdp(s) => Some(Traces {
                    x: net.pops.iter().map(|p| vec![0.0; p.size]).collect(),
                    y: net.pops.iter().map(|p| vec![0.0; p.size]).collect(),
                    decay_x: (-dt / s.tau_plus).exp() as f32,
                    decay_y: (-dt / s.tau_minus).exp() as f32,
                }),
                // Only the pre trace; `y` stays empty.
                SleepRule::Hebbian { tau, .. } => Some(Traces {
                    x: net.pops.iter().map(|p| vec![0.0; p.size]).collect(),
                    y: net.pops.iter().map(|_| Vec::new()).collect(),
                    decay_x: (-dt / tau).exp() as f32,
                    decay_y: 0.0,
                }),
                _ => None,
            })
            .collect();
        let limits: Vec<Limits> = net.projs.iter().map(Limits::of).collect();
        let listed: Vec<Option<Vec<f32>>> = net
            .projs
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                let syn = limits[pi].synapses.as_ref().filter(|s| s.propagate)?;
                let changed = rules.iter().any(|(_, applies)| applies[pi]);
                (!changed && p.delay.is_none() && p.tie.is_none()).then(|| {
                    // Gathered from the post-major weights, pre by pre.
                    let mut w = Vec::with_capacity(syn.count());
                    for i in 0..p.pre {
                        w.extend(syn.posts(i).iter().map(|&j| p.w[j as usize * p.pre + i]));
                    }
                    w
                })
            })
            .collect();
        let noise = modulators
            .iter()
            .filter_map(|m| match m {
                Modulator::Noise {
                    sigma,
                    population,
                    rhythmic,
                } => Some((
                    *sigma,
                    population.as_deref().and_then(|p| net.pop(p)),
                    *rhythmic,
                )),
                _ => None,
            })
            .collect();
        Sim {
            noise,
            dt,
            wt: net
                .projs
                .iter()
                .zip(&listed)
                .map(|(p, l)| match (l, p.tie) {
                    // Tied projections read (and `hebbian` writes) their owner's copy.
                    (Some(_), _) | (None, Some(_)) => Vec::new(),
                    (None, None) => transpose(&p.w, p.post, p.pre),
                })
                .collect(),
            listed,
            states,
            models,
            scale,
            rules,
            modulators,
            learning: true,
            silenced: vec![false; net.pops.len()],
            recorder: None,
            monitor: None,
            limits,
            delays,
            traces,
            order: net.layers(),
            input: net.input(),
            t: 0,
        }
    }

    /// Forgets the synapse lists of sparse projections: every spike and rule then walks
    /// the dense copy, as before the lists (tests compare the two).
    #[doc(hidden)]
    pub fn without_synapse_lists(&mut self) {
        for (pi, l) in self.limits.iter_mut().enumerate() {
            if let (Some(w), Some(s)) = (self.listed[pi].take(), &l.synapses) {
                // Back to the dense copy: every listed weight at its pre-major place.
                let mut wt = vec![0.0; s.pre * s.post];
                for (k, at) in s.indices().enumerate() {
                    wt[at] = w[k];
                }
                self.wt[pi] = wt;
            }
            if let Some(s) = l.synapses.take() {
                // The mask the lists stood for.
                let mut mask = vec![0.0; s.pre * s.post];
                s.indices().for_each(|k| mask[k] = 1.0);
                l.mask = Some(mask);
            }
        }
    }

    /// Propagates spikes through every synapse list, however dense (tests compare).
    #[doc(hidden)]
    pub fn propagate_through_lists(&mut self) {
        for s in self.limits.iter_mut().filter_map(|l| l.synapses.as_mut()) {
            s.propagate = true;
        }
    }

    /// Sets the input population's spikes for the next step: `fill` writes them.
    pub fn set_input(&mut self, fill: impl FnOnce(&mut Vec<u32>)) {
        let Some(inp) = self.input else { return };
        let st = &mut self.states[inp];
        for &k in &st.spikes {
            st.spiked[k as usize] = 0;
        }
        st.spikes.clear();
        if !self.silenced[inp] {
            fill(&mut st.spikes);
        }
        for &k in &st.spikes {
            st.spiked[k as usize] = 1;
        }
        st.count += st.spikes.len() as u64;
    }

    /// Puts every population back at rest (between samples), keeping weights and counts.
    /// While not learning, adaptive thresholds go back to their values at the phase's start
    /// (a readout must not change the network it reads).
    pub fn rest_state(&mut self, net: &Network) {
        for (pop, (st, m)) in self.states.iter_mut().zip(&self.models).enumerate() {
            // Spikes of the last step must not reach the next sample.
            for &k in &st.spikes {
                st.spiked[k as usize] = 0;
            }
            st.spikes.clear();
            if let Some(m) = m {
                m.initial_potentials(&mut st.v);
                st.i.iter_mut().for_each(|i| *i = 0.0);
                st.gi.iter_mut().for_each(|g| *g = 0.0);
                if !self.learning {
                    st.theta.copy_from_slice(&net.theta[pop]);
                }
                st.refractory.iter_mut().for_each(|r| *r = 0);
            }
        }
        for d in self.delays.iter_mut().flatten() {
            d.ring.iter_mut().for_each(|r| *r = 0.0);
        }
        for t in self.traces.iter_mut().flatten() {
            t.x.iter_mut()
                .chain(t.y.iter_mut())
                .for_each(|v| v.fill(0.0));
        }
    }

    /// One step: input spikes (already set) → every layer in flow order → per-step rules.
    pub fn step(&mut self, net: &Network, rng: &mut ChaCha8Rng) {
        let learning = self.learning;
        // Traces decay, then the input's spikes bump them.
        for t in self.traces.iter_mut().flatten() {
            for (x, y) in t.x.iter_mut().zip(t.y.iter_mut()) {
                x.iter_mut().for_each(|v| *v = flush(*v * t.decay_x));
                y.iter_mut().for_each(|v| *v = flush(*v * t.decay_y));
            }
        }
        if let Some(inp) = self.input {
            self.bump_traces(inp);
            if let Some(r) = &mut self.recorder {
                r.record(inp, &self.states[inp].spikes);
            }
            if let Some(m) = &mut self.monitor {
                m.record(inp, self.t, &self.states[inp], None);
            }
        }
        let slot = self.t as usize;
        // The rhythms' factor now, for membrane noise that follows them.
        let rhythm = if self.noise.iter().any(|n| n.2) {
            super::modulators::drive_factor(&self.modulators, self.t as f64 * self.dt)
        } else {
            1.0
        };
        for oi in 0..self.order.len() {
            let pop = self.order[oi];
            // A model is a few numbers: copying it frees `self` for the rules below.
            let Some(model) = self.models[pop].clone() else {
                continue;
            };
            let model = &model;
            let mut st = std::mem::take(&mut self.states[pop]);
            st.decay(model);
            for &(sigma, only, rhythmic) in &self.noise {
                if only.is_some_and(|p| p != pop) {
                    continue;
                }
                let sigma = if rhythmic { sigma * rhythm } else { sigma };
                for v in st.v.iter_mut() {
                    *v += sigma * gaussian(rng) as f32;
                }
            }
            let gain = self.scale[pop] * model.gain();
            let synapse = model.synapse();
            for &pi in &net.incoming[pop] {
                let p = &net.projs[pi];
                let spikes = if p.from == pop {
                    &st.spikes
                } else {
                    &self.states[p.from].spikes
                };
                if let Some(tie) = p.tie {
                    let target = match synapse {
                        Synapse::Delta => &mut st.v,
                        _ => &mut st.i,
                    };
                    let owner = &net.projs[tie.source];
                    let w = &self.wt[tie.source];
                    deliver_tied(
                        target, &mut st.gi, synapse, spikes, w, owner.post, tie, gain,
                    );
                    continue;
                }
                let w = &self.wt[pi];
                // Sparse projections list their synapses: a spike visits only those.
                let syn = self.limits[pi].synapses.as_ref().filter(|s| s.propagate);
                if let (Some(lw), Some(syn)) = (&self.listed[pi], syn) {
                    // No delays here (those keep the dense copy).
                    let target = match synapse {
                        Synapse::Delta => &mut st.v,
                        _ => &mut st.i,
                    };
                    deliver_listed(target, &mut st.gi, synapse, spikes, syn, lw, gain);
                    continue;
                }
                if synapse == Synapse::Conductance {
                    // By sign (`open`). With delays, what arrives at a neuron in one step
                    // is split by its sign.
                    match &mut self.delays[pi] {
                        None => {
                            for &i in spikes {
                                let row = &w[i as usize * p.post..(i as usize + 1) * p.post];
                                if let Some(syn) = syn {
                                    for &j in syn.posts(i as usize) {
                                        let j = j as usize;
                                        open(&mut st.i[j], &mut st.gi[j], gain * row[j]);
                                    }
                                    continue;
                                }
                                for ((ge, gi), &w) in st.i.iter_mut().zip(st.gi.iter_mut()).zip(row)
                                {
                                    open(ge, gi, gain * w);
                                }
                            }
                        }
                        Some(d) => {
                            schedule(d, spikes, w, p.post, slot, gain, syn);
                            let now = slot % d.slots;
                            let arriving = &mut d.ring[now * p.post..(now + 1) * p.post];
                            for ((ge, gi), a) in
                                st.i.iter_mut()
                                    .zip(st.gi.iter_mut())
                                    .zip(arriving.iter_mut())
                            {
                                open(ge, gi, *a);
                                *a = 0.0;
                            }
                        }
                    }
                    continue;
                }
                let target = if synapse == Synapse::Current {
                    &mut st.i
                } else {
                    &mut st.v
                };
                match &mut self.delays[pi] {
                    None => match syn {
                        Some(syn) => {
                            for &i in spikes {
                                let row = &w[i as usize * p.post..(i as usize + 1) * p.post];
                                for &j in syn.posts(i as usize) {
                                    target[j as usize] += gain * row[j as usize];
                                }
                            }
                        }
                        None => {
                            for &i in spikes {
                                let row = &w[i as usize * p.post..(i as usize + 1) * p.post];
                                for (v, &w) in target.iter_mut().zip(row) {
                                    *v += gain * w;
                                }
                            }
                        }
                    },
                    Some(d) => {
                        schedule(d, spikes, w, p.post, slot, gain, syn);
                        let now = slot % d.slots;
                        let arriving = &mut d.ring[now * p.post..(now + 1) * p.post];
                        for (v, a) in target.iter_mut().zip(arriving.iter_mut()) {
                            *v += *a;
                            *a = 0.0;
                        }
                    }
                }
            }
            st.fire(model);
            if self.silenced[pop] {
                st.count -= st.spikes.len() as u64;
                for &k in &st.spikes {
                    st.spiked[k as usize] = 0;
                }
                st.spikes.clear();
            }
            if learning {
                self.spike_rules(net, pop, &st);
            }
            st.reset(model);
            if let Some(r) = &mut self.recorder {
                r.record(pop, &st.spikes);
            }
            if let Some(m) = &mut self.monitor {
                m.record(pop, self.t, &st, Some(model));
            }
            self.states[pop] = st;
            self.bump_traces(pop);
        }
        if learning {
            self.step_rules(net, rng);
        }
        if let Some(m) = &mut self.monitor {
            m.stepped();
        }
        self.t += 1;
    }

    /// Rules applied every step to whole projections.
    fn step_rules(&mut self, net: &Network, rng: &mut ChaCha8Rng) {
        for (rule, applies) in &self.rules {
            for (pi, p) in net.projs.iter().enumerate() {
                if !applies[pi] {
                    continue;
                }
                let w = &mut self.wt[pi];
                match *rule {
                    SleepRule::Downscale { factor } => downscale(w, factor),
                    SleepRule::WeightNoise { sigma, relative } => {
                        weight_noise(w, sigma, relative, &self.limits[pi], || {
                            gaussian(rng) as f32
                        })
                    }
                    SleepRule::NormalizeSum {
                        total,
                        every_step: true,
                    } => normalize_sum(w, p.post, total),
                    SleepRule::DecayToBaseline {
                        target,
                        lambda,
                        mode,
                        ..
                    } => decay_to_baseline(w, p.post, target, lambda, mode, &self.limits[pi]),
                    _ => {}
                }
            }
        }
    }

    /// Rules applied once per presented sample (`normalize_sum` by default).
    pub fn sample_rules(&mut self, net: &Network) {
        if !self.learning {
            return;
        }
        for (rule, applies) in &self.rules {
            if let SleepRule::NormalizeSum {
                total,
                every_step: false,
            } = *rule
            {
                for (pi, p) in net.projs.iter().enumerate() {
                    if applies[pi] {
                        normalize_sum(&mut self.wt[pi], p.post, total);
                    }
                }
            }
        }
    }

    /// True when a `decay_to_baseline` rule that stops at its baseline has reached it: the
    /// summed |w| of its projections is within its tolerance of the baseline.
    pub fn at_baseline(&self) -> bool {
        self.rules.iter().any(|(r, applies)| match *r {
            SleepRule::DecayToBaseline {
                stop_at_baseline: true,
                tolerance,
                baseline,
                ..
            } if baseline.is_finite() => {
                // One running sum in index order, as before the synapse lists; missing
                // synapses hold 0, so skipping them leaves it unchanged.
                let mut sum = 0.0f64;
                for ((w, l), &a) in self.wt.iter().zip(&self.limits).zip(applies) {
                    if !a {
                        continue;
                    }
                    match &l.synapses {
                        Some(s) => s.indices().for_each(|k| sum += w[k].abs() as f64),
                        None => w.iter().for_each(|w| sum += w.abs() as f64),
                    }
                }
                (sum - baseline).abs() <= tolerance * baseline.abs()
            }
            _ => false,
        })
    }

    /// The first population (in flow order) with a non-finite potential.
    pub fn non_finite(&self) -> Option<usize> {
        self.order
            .iter()
            .copied()
            .find(|&p| self.states[p].v.iter().any(|v| !v.is_finite()))
    }

    /// Spikes per population since the phase began.
    pub fn counts(&self) -> Vec<u64> {
        self.states.iter().map(|s| s.count).collect()
    }

    /// Writes the weights back into the network (post × pre) and applies its constraints.
    pub fn finish(self, net: &mut Network) {
        for (theta, st) in net.theta.iter_mut().zip(&self.states) {
            if st.theta.len() == theta.len() {
                theta.copy_from_slice(&st.theta);
            }
        }
        for ((p, wt), listed) in net.projs.iter_mut().zip(&self.wt).zip(&self.listed) {
            if listed.is_some() || p.tie.is_some() {
                // No rule changed it (or it is a view of its owner's weights, synced
                // below): the network holds these weights already.
                continue;
            }
            p.w = transpose(wt, p.pre, p.post);
            if p.mask.is_some() || p.bounds.is_some() || p.sign != super::network::Sign::Any {
                p.constrain();
            }
        }
        net.sync_ties();
    }
}
