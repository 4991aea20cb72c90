//! The runner's spiking wake phases and spike-count readouts: samples shown to the live
//! network as input spikes, with learning on (a wake phase) or off (a readout).

use super::{MAX_RECORDED_STEPS, Runner, WakeCall, non_finite, unsupported};
use crate::data::EvalSplit;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::activity::Recorder;
use crate::engine::metrics::Value;
use crate::engine::modulators::Modulator;
use crate::engine::network::Network;
use crate::engine::neurons::Model;
use crate::engine::params::{builtin, flag, num};
use crate::engine::presenting::{Presentation, present};
use crate::engine::runner::Progress;
use crate::engine::sleep_rules::SleepRule;
use crate::engine::spiking::Sim;
use crate::outcome::OpRecord;
use crate::plan::ir::{BuiltinIr, MetricIr, ParamIr, SpanIr, WakeLength};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

impl Runner {
    /// A spiking wake phase: samples shown one by one as input spikes, local rules on.
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
        let dt = num(settings, "dt", 0.0005);
        let mut pres = self.presentation_of(settings, dynamics, dt, span)?;
        super::seed_initials(&mut pres.models, &self.net, seed);
        let mut sim_rules = Vec::new();
        for r in rules {
            let rule = self
                .with_baseline(r, SleepRule::from_ir(r))
                .ok_or_else(|| {
                    unsupported(
                        &format!("the rule `{}` in spiking wake phases", r.name),
                        span,
                    )
                })?;
            sim_rules.push((rule, self.applies(r)));
        }
        let mut modulators = Vec::new();
        if let Some(ParamIr::List { items }) = settings.get("modulate") {
            for m in items {
                if let ParamIr::Builtin { builtin: b } = m {
                    modulators.push(Modulator::from_ir(b).ok_or_else(|| {
                        unsupported(&format!("the modulator `{}`", b.name), span)
                    })?);
                }
            }
        }
        let (x, y) = self.train_data(data);
        let n = y.len();
        let total = match length {
            WakeLength::Epochs(e) => e as usize * n,
            WakeLength::Samples(s) => s as usize,
        };
        rec.amount = Some(total as u64);
        let scale = vec![1.0; self.net.pops.len()];
        let mut sim = Sim::new(
            &self.net,
            pres.models.clone(),
            scale,
            sim_rules,
            modulators,
            dt,
        );
        for p in std::mem::take(&mut self.silenced) {
            sim.silenced[p] = true;
        }
        let phase_steps = total as u64 * (pres.present_steps + pres.rest_steps);
        sim.recorder = Some(Recorder::new(
            self.net.pops.len(),
            phase_steps.min(MAX_RECORDED_STEPS) as usize,
            dt,
        ));
        // Activity metrics after this phase read this phase, never an earlier one.
        self.activity = None;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let watch = self.net.layers().first().copied().unwrap_or(0);
        let mut counts = vec![0u32; self.net.pops[watch].size];
        let f = self.features;
        progress.start(name, total as u64, "samples");
        let shuffle = flag(settings, "shuffle", true);
        let mut order: Vec<usize> = Vec::new();
        let mut shown = total;
        for k in 0..total {
            if self.stopped() {
                shown = k;
                break;
            }
            if k % n.max(1) == 0 {
                use rand::seq::SliceRandom;
                order = (0..n).collect();
                if shuffle {
                    order.shuffle(&mut rng);
                }
            }
            let i = order[k % n];
            present(
                &mut sim,
                &self.net,
                &pres,
                &x[i * f..(i + 1) * f],
                watch,
                &mut rng,
                &mut counts,
            );
            sim.sample_rules(&self.net);
            if sim
                .recorder
                .as_ref()
                .is_some_and(|r| r.counts[0].len() as u64 >= MAX_RECORDED_STEPS)
            {
                // Activity metrics read the phase's first steps only (memory).
                self.activity = sim.recorder.take();
            }
            if let Some(pop) = sim.non_finite() {
                let name_of = self.net.pops[pop].name.clone();
                sim.finish(&mut self.net);
                return Err(non_finite(&name_of, name, span));
            }
            progress.advance(k as u64 + 1);
        }
        progress.finish();
        let steps = shown as u64 * (pres.present_steps + pres.rest_steps);
        rec.amount = Some(shown as u64);
        let spikes = sim.counts();
        for (p, &c) in self.net.pops.iter().zip(&spikes) {
            rec.spikes.insert(p.name.clone(), c);
        }
        // A long phase handed its first MAX_RECORDED_STEPS steps over already.
        if let Some(r) = sim.recorder.take() {
            self.activity = Some(r);
        }
        sim.finish(&mut self.net);
        self.last_spikes = Some((spikes, steps, dt));
        self.presentation = Some(pres);
        self.check_weights(name, span)?;
        if shown < total {
            return Err(super::interrupted(
                span,
                Some((shown as u64, total as u64, "samples")),
            ));
        }
        if call.interference.is_some() {
            return Ok(());
        }
        for k in data {
            if self.task(k).is_some() && !self.seen.contains(k) {
                self.seen.push(k.clone());
            }
        }
        Ok(())
    }

    /// How a spiking wake phase shows samples.
    pub(super) fn presentation_of(
        &self,
        settings: &BTreeMap<String, ParamIr>,
        dynamics: &BTreeMap<String, BuiltinIr>,
        dt: f64,
        span: &SpanIr,
    ) -> Result<Presentation, RunError> {
        let mut models = vec![None; self.net.pops.len()];
        for (li, pop) in self.net.layers().into_iter().enumerate() {
            let pname = &self.net.pops[pop].name;
            let b = dynamics.get(pname).ok_or_else(|| {
                RunError::new(
                    Code::E412,
                    format!("no neuron model for `{pname}` in this phase"),
                )
                .at(span)
            })?;
            models[pop] = Some(Model::from_ir(b, li, dt).ok_or_else(|| {
                unsupported(
                    &format!("`{}` neurons in a spiking wake phase", b.name),
                    span,
                )
            })?);
        }
        let encode = builtin(settings, "encode");
        let (kind, max_rate) = encode.map_or(("poisson", 63.75), |e| {
            (e.name.as_str(), num(&e.params, "max_rate", 63.75))
        });
        let k = match kind {
            "poisson" => 1.0,
            "bernoulli" => 2.0,
            other => return Err(unsupported(&format!("the encoding `{other}`"), span)),
        };
        Ok(Presentation {
            dt,
            present_steps: (num(settings, "present", 0.35) / dt).round() as u64,
            rest_steps: (num(settings, "rest", 0.15) / dt).round() as u64,
            prob_per_unit: (k * max_rate * dt) as f32,
            retry: num(settings, "retry", 0.0) as u64,
            // Diehl & Cook raise the input rate by 32 Hz per retry.
            retry_step: (k * 32.0 * dt) as f32,
            models,
        })
    }

    /// Accuracy read from a spiking layer's spike counts, by label assignment or by a linear
    /// readout: the training samples of the measured tasks fit the readout (learning off),
    /// their held-out samples are answered.
    pub(super) fn spike_readout(
        &mut self,
        m: &MetricIr,
        r: &BuiltinIr,
        span: &SpanIr,
        key: &str,
    ) -> Result<Vec<Value>, RunError> {
        let layer = match r.params.get("layer") {
            Some(ParamIr::Population { name }) => self.net.pop(name),
            _ => None,
        }
        .unwrap_or_else(|| self.net.output());
        let mut counter = self.spike_counter(&r.name, layer, span)?;
        let net = &self.net;
        let f = self.features;
        let mut count = |x: &[f32]| counter.counts(net, x, f);
        let (tx, ty) = self.train_data(&m.tasks);
        let train_counts = count(&tx);
        let classes = ty.iter().max().map_or(1, |&c| c as usize + 1).max(
            m.tasks
                .iter()
                .filter_map(|k| self.task(k))
                .flat_map(|t| t.classes.iter())
                .max()
                .map_or(0, |&c| c as usize + 1),
        );
        let assigned = (r.name == "label_assignment")
            .then(|| crate::engine::readout::assign_labels(&train_counts, &ty, classes));
        let keep = num(&r.params, "pca", 0.95);
        let mut out = Vec::new();
        let (mut hits, mut total) = (0usize, 0usize);
        for k in &m.tasks {
            let Some(t) = self.task(k) else { continue };
            let s = match self.opts.eval {
                EvalSplit::Test => &t.test,
                EvalSplit::Validation => &t.validation,
            };
            let counts = count(&s.x);
            let answers: Vec<u32> = match &assigned {
                Some(a) => counts
                    .iter()
                    .map(|c| crate::engine::readout::predict(c, a, classes))
                    .collect(),
                None => crate::engine::linear_readout::fit_predict(
                    &train_counts,
                    &ty,
                    &counts,
                    classes,
                    keep,
                ),
            };
            let h = answers.iter().zip(&s.y).filter(|(a, y)| a == y).count();
            out.push(Value {
                metric: key.to_string(),
                group: None,
                task: k.clone(),
                value: h as f64 / s.len().max(1) as f64,
            });
            hits += h;
            total += s.len();
        }
        out.push(Value {
            metric: key.to_string(),
            group: m.group.clone(),
            task: "all".into(),
            value: hits as f64 / total.max(1) as f64,
        });
        Ok(out)
    }

    /// A simulator that shows samples with learning off and counts the spikes of `layer`,
    /// the way the last spiking wake phase showed them.
    fn spike_counter(
        &self,
        what: &str,
        layer: usize,
        span: &SpanIr,
    ) -> Result<SpikeCounter, RunError> {
        let pres = self.presentation.clone().ok_or_else(|| {
            RunError::new(
                Code::E412,
                format!("`{what}` reads a spiking layer: run a spiking wake phase first"),
            )
            .at(span)
        })?;
        let mut sim = Sim::new(
            &self.net,
            pres.models.clone(),
            vec![1.0; self.net.pops.len()],
            Vec::new(),
            Vec::new(),
            pres.dt,
        );
        sim.learning = false;
        Ok(SpikeCounter {
            sim,
            rng: ChaCha8Rng::seed_from_u64(crate::plan::streams::derive(
                self.seed,
                &format!("readout#{}", self.measures),
            )),
            pres: Presentation {
                rest_steps: 0,
                ..pres
            },
            layer,
            size: self.net.pops[layer].size,
        })
    }

    /// Massey et al.'s φ = BCSS / (BCSS + WCSS) of a spiking layer's spike counts grouped by
    /// label, over (at most 1,000 of) the held-out samples of the first dataset.
    pub(super) fn clustering(&mut self, pop: usize, span: &SpanIr) -> Result<f64, RunError> {
        let mut counter = self.spike_counter("clustering", pop, span)?;
        let Some(ds) = self
            .first_dataset
            .as_ref()
            .and_then(|d| self.datasets.get(d))
        else {
            return Ok(0.0);
        };
        let s = match self.opts.eval {
            EvalSplit::Test => &ds.test,
            EvalSplit::Validation => &ds.validation,
        };
        let n = s.len().min(1000);
        let f = self.features;
        let counts = counter.counts(&self.net, &s.x[..n * f], f);
        Ok(crate::engine::metrics::clustering(&counts, &s.y[..n]))
    }
}

/// Shows samples to a copy of the network with learning off and counts a layer's spikes.
struct SpikeCounter {
    sim: Sim,
    rng: ChaCha8Rng,
    pres: Presentation,
    layer: usize,
    size: usize,
}

impl SpikeCounter {
    fn counts(&mut self, net: &Network, x: &[f32], f: usize) -> Vec<Vec<u32>> {
        x.chunks_exact(f)
            .map(|s| {
                let mut c = vec![0u32; self.size];
                self.sim.rest_state(net);
                present(
                    &mut self.sim,
                    net,
                    &self.pres,
                    s,
                    self.layer,
                    &mut self.rng,
                    &mut c,
                );
                c
            })
            .collect()
    }
}
