//! Spiking wake phases: samples shown one by one to the live network as input spikes, local
//! rules on.

use super::{MAX_RECORDED_STEPS, Progress, Runner, WakeCall, non_finite};
use crate::diagnostics::runtime::RunError;
use crate::engine::activity::Recorder;
use crate::engine::modulators::Modulator;
use crate::engine::monitor::Monitor;
use crate::engine::presenting::{Presentation, present};
use crate::engine::rules::SleepRule;
use crate::engine::spiking::Sim;
use crate::outcome::OpRecord;
use crate::plan::bind::{Bound, NeuronModel, WakeSettings};
use crate::plan::ir::{SpanIr, WakeLength};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

/// Diehl & Cook raise the input rate by 32 Hz per retry.
const RETRY_RATE: f64 = 32.0;

impl Runner {
    pub(super) fn spiking_wake(
        &mut self,
        call: &WakeCall,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let WakeCall {
            name,
            data,
            length,
            dynamics,
            rules,
            settings,
            seed,
            span,
            ..
        } = *call;
        let dt = settings.dt;
        let mut pres = self.presentation_of(settings, dynamics, span)?;
        super::seed_initials(&mut pres.models, &self.state.net, seed);
        let mut sim_rules = Vec::new();
        for r in rules {
            let applies = self.applies(r);
            // The plan gives spiking phases rules of spiking dynamics only (E307).
            if let Some(rule) = SleepRule::new(&r.kernel, self.baseline(&applies)) {
                sim_rules.push((rule, applies));
            }
        }
        let modulators: Vec<Modulator> = settings
            .modulate
            .iter()
            .flatten()
            .map(Modulator::new)
            .collect();
        let (x, y) = self.data.train(data);
        let n = y.len();
        let total = match length {
            WakeLength::Epochs(e) => e as usize * n,
            WakeLength::Samples(s) => s as usize,
        };
        rec.amount = Some(total as u64);
        let net = &self.state.net;
        let scale = vec![1.0; net.pops.len()];
        let mut sim = Sim::new(net, pres.models.clone(), scale, sim_rules, modulators, dt);
        for p in std::mem::take(&mut self.state.silenced) {
            sim.silenced[p] = true;
        }
        let phase_steps = total as u64 * (pres.present_steps + pres.rest_steps);
        sim.recorder = Some(Recorder::new(
            net.pops.len(),
            phase_steps.min(MAX_RECORDED_STEPS) as usize,
            dt,
        ));
        sim.monitor = Monitor::new(&self.recordings, net, &name_phase(name), dt);
        // Activity metrics after this phase read this phase, never an earlier one.
        self.state.activity = None;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let watch = net.layers().first().copied().unwrap_or(0);
        let mut counts = vec![0u32; net.pops[watch].size];
        let f = self.data.features;
        progress.start(name, total as u64, "samples");
        let mut order: Vec<usize> = Vec::new();
        let mut shown = total;
        let mut simulated = 0u64;
        for k in 0..total {
            if self.stopped() {
                shown = k;
                break;
            }
            if k % n.max(1) == 0 {
                use rand::seq::SliceRandom;
                order = (0..n).collect();
                if settings.shuffle {
                    order.shuffle(&mut rng);
                }
            }
            let i = order[k % n];
            let net = &self.state.net;
            simulated += present(
                &mut sim,
                net,
                &pres,
                &x[i * f..(i + 1) * f],
                watch,
                &mut rng,
                &mut counts,
            );
            sim.sample_rules(net);
            if sim
                .recorder
                .as_ref()
                .is_some_and(|r| r.counts[0].len() as u64 >= MAX_RECORDED_STEPS)
            {
                // Activity metrics read the phase's first steps only (memory).
                self.state.activity = sim.recorder.take();
            }
            if let Some(pop) = sim.non_finite() {
                let name_of = self.state.net.pops[pop].name.clone();
                self.monitor = sim.monitor.take();
                sim.finish(&mut self.state.net);
                return Err(non_finite(&name_of, name, span));
            }
            progress.advance(k as u64 + 1);
        }
        progress.finish();
        let steps = shown as u64 * (pres.present_steps + pres.rest_steps);
        rec.amount = Some(shown as u64);
        rec.sim_seconds = Some(simulated as f64 * dt);
        let spikes = sim.counts();
        for (p, &c) in self.state.net.pops.iter().zip(&spikes) {
            rec.spikes.insert(p.name.clone(), c);
        }
        // A long phase handed its first MAX_RECORDED_STEPS steps over already.
        if let Some(r) = sim.recorder.take() {
            self.state.activity = Some(r);
        }
        self.monitor = sim.monitor.take();
        sim.finish(&mut self.state.net);
        self.state.last_spikes = Some((spikes, steps, dt));
        self.state.presentation = Some(pres);
        self.check_weights(name, span)?;
        if shown < total {
            return Err(super::interrupted(
                span,
                Some((shown as u64, total as u64, "samples")),
            ));
        }
        if call.interference.is_none() {
            self.note_seen(data);
        }
        Ok(())
    }

    /// How a spiking wake phase shows samples.
    fn presentation_of(
        &self,
        settings: &WakeSettings,
        dynamics: &BTreeMap<String, Bound<NeuronModel>>,
        span: &SpanIr,
    ) -> Result<Presentation, RunError> {
        let dt = settings.dt;
        let models = self.spiking_models(dynamics, dt, span)?;
        // `encode` is `poisson` (gain 1) or `bernoulli` (gain 2): the checker allows no other.
        let (gain, max_rate) = settings.encode.encoding().unwrap_or((1.0, 0.0));
        Ok(Presentation {
            dt,
            present_steps: (settings.present / dt).round() as u64,
            rest_steps: (settings.rest / dt).round() as u64,
            prob_per_unit: (gain * max_rate * dt) as f32,
            retry: settings.retry,
            retry_step: (gain * RETRY_RATE * dt) as f32,
            models,
        })
    }
}

/// The phase of a call's name (`learn` of `learn#2`).
fn name_phase(name: &str) -> String {
    name.rsplit_once('#').map_or(name, |(p, _)| p).to_string()
}
