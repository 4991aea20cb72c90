//! Probes of a spiking LCA on a copy of the network, learning off (Watkins et al.):
//! `noise_response`, how much a population answers pure Gaussian noise (hallucination),
//! and `residual`, how much of held-out input the error populations leave unexplained.

use super::Runner;
use crate::data::EvalSplit;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::network::gaussian;
use crate::engine::presenting::{Presentation, present};
use crate::engine::spiking::Sim;
use crate::plan::bind::measures::{NoiseResponse, Residual};
use crate::plan::ir::SpanIr;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

impl Runner {
    /// The fraction of the input's spikes the error populations pass on while the held-out
    /// samples of `tasks` are shown (learning off, as the last spiking wake phase showed
    /// them, without the rest between samples): Σ error spikes / Σ input spikes. With no
    /// code it is the error neurons' gain on the input (1 for a one-to-one copy); a code
    /// that reconstructs every sample exactly leaves 0.
    pub(super) fn residual(
        &mut self,
        r: &Residual,
        tasks: &[String],
        span: &SpanIr,
    ) -> Result<Vec<(String, f64)>, RunError> {
        let pres = self.last_presentation("`residual`", span)?;
        let net = &self.state.net;
        let pops: Vec<usize> = std::iter::once(&r.error)
            .chain(r.negative.as_ref())
            .map(|p| self.population(&p.0, span))
            .collect::<Result<_, _>>()?;
        let Some(input) = net.input() else {
            return Ok(Vec::new());
        };
        let (mut sim, mut rng) = self.probe("residual", &pres);
        let pres = Presentation {
            rest_steps: 0,
            ..pres
        };
        let f = self.data.features;
        let mut counts = vec![0u32; net.pops[input].size];
        // (error spikes, input spikes) per task, and over all of them.
        let mut out = Vec::new();
        let (mut passed_all, mut shown_all) = (0u64, 0u64);
        for k in tasks {
            let Some(t) = self.data.task(k) else { continue };
            let s = match self.opts.eval {
                EvalSplit::Test => &t.test,
                EvalSplit::Validation => &t.validation,
            };
            let before = sim.counts();
            for x in s.x.chunks_exact(f) {
                sim.rest_state(net);
                present(&mut sim, net, &pres, x, input, &mut rng, &mut counts);
            }
            let after = sim.counts();
            let shown = after[input] - before[input];
            let passed: u64 = pops.iter().map(|&p| after[p] - before[p]).sum();
            out.push((k.clone(), passed as f64 / shown.max(1) as f64));
            passed_all += passed;
            shown_all += shown;
        }
        out.push(("all".into(), passed_all as f64 / shown_all.max(1) as f64));
        Ok(out)
    }

    /// A simulator of the network with the models and dt of `pres`, no rules and learning
    /// off (a probe changes nothing), and the probe's own random stream.
    pub(super) fn probe(&self, what: &str, pres: &Presentation) -> (Sim, ChaCha8Rng) {
        let net = &self.state.net;
        let mut sim = Sim::new(
            net,
            pres.models.clone(),
            vec![1.0; net.pops.len()],
            Vec::new(),
            Vec::new(),
            pres.dt,
        );
        sim.learning = false;
        let rng = ChaCha8Rng::seed_from_u64(crate::plan::streams::derive(
            self.seed,
            &format!("{what}#{}", self.measures),
        ));
        (sim, rng)
    }

    /// How the last spiking wake phase presented samples (E412 when none has run).
    pub(super) fn last_presentation(
        &self,
        what: &str,
        span: &SpanIr,
    ) -> Result<Presentation, RunError> {
        self.state.presentation.clone().ok_or_else(|| {
            RunError::new(
                Code::E412,
                format!("{what} shows samples the way the last spiking wake phase did, and none has run"),
            )
            .at(span)
            .help("the plan refuses this (E318); a REPL session can reach it: run a spiking wake phase first")
        })
    }

    /// The mean firing rate (Hz) of `pop` while every input's intensity is drawn afresh
    /// each step from clip(mean + sigma·N(0, 1), 0, 1) and spikes with probability
    /// intensity · max_rate · dt; the neuron models and dt are the last spiking wake
    /// phase's. The network itself is not changed.
    pub(super) fn noise_response(
        &mut self,
        pop: usize,
        r: &NoiseResponse,
        span: &SpanIr,
    ) -> Result<f64, RunError> {
        let pres = self.last_presentation("`noise_response`", span)?;
        let net = &self.state.net;
        let Some(input) = net.input() else {
            return Ok(0.0);
        };
        let (mut sim, mut rng) = self.probe("noise_response", &pres);
        sim.rest_state(net);
        let inputs = net.pops[input].size;
        let steps = (r.length / pres.dt).round().max(1.0) as u64;
        let per_unit = (r.max_rate * pres.dt) as f32;
        let (mean, sigma) = (r.mean as f32, r.sigma as f32);
        let before = sim.counts()[pop];
        for _ in 0..steps {
            sim.set_input(|spikes| {
                for k in 0..inputs {
                    let x = (mean + sigma * gaussian(&mut rng) as f32).clamp(0.0, 1.0);
                    if rng.random::<f32>() < x * per_unit {
                        spikes.push(k as u32);
                    }
                }
            });
            sim.step(net, &mut rng);
        }
        let spikes = sim.counts()[pop] - before;
        let seconds = steps as f64 * pres.dt;
        Ok(spikes as f64 / (net.pops[pop].size as f64 * seconds))
    }
}
