//! Readouts of a spiking layer: samples shown to the network with learning off, the way
//! the last spiking wake phase showed them, and the layer's spike counts answered by label
//! assignment or a linear readout; and Massey's clustering φ of those counts.

use super::Runner;
use crate::data::EvalSplit;
use crate::diagnostics::runtime::RunError;
use crate::engine::metrics::Value;
use crate::engine::network::Network;
use crate::engine::presenting::{Presentation, present};
use crate::engine::spiking::Sim;
use crate::plan::bind::Readout;
use crate::plan::ir::{MetricIr, SpanIr};
use rand_chacha::ChaCha8Rng;

impl Runner {
    /// Accuracy read from a spiking layer's spike counts: the training samples of the
    /// measured tasks fit the readout (learning off), their held-out samples are answered.
    pub(super) fn spike_readout(
        &mut self,
        m: &MetricIr,
        readout: &Readout,
        span: &SpanIr,
        key: &str,
    ) -> Result<Vec<Value>, RunError> {
        let net = &self.state.net;
        let layer = readout
            .spiking_layer()
            .flatten()
            .and_then(|name| net.pop(name))
            .unwrap_or_else(|| net.output());
        let mut counter = self.spike_counter("a spike-count readout", layer, span)?;
        let net = &self.state.net;
        let f = self.data.features;
        let mut count = |x: &[f32]| counter.counts(net, x, f);
        let (tx, ty) = self.data.train(&m.tasks);
        let train_counts = count(&tx);
        let classes = ty.iter().max().map_or(1, |&c| c as usize + 1).max(
            m.tasks
                .iter()
                .filter_map(|k| self.data.task(k))
                .flat_map(|t| t.classes.iter())
                .max()
                .map_or(0, |&c| c as usize + 1),
        );
        let assigned = matches!(readout, Readout::LabelAssignment(_))
            .then(|| crate::engine::readout::assign_labels(&train_counts, &ty, classes));
        let keep = match readout {
            Readout::LinearReadout(r) => r.pca,
            _ => 1.0,
        };
        let mut out = Vec::new();
        let (mut hits, mut total) = (0usize, 0usize);
        for k in &m.tasks {
            let Some(t) = self.data.task(k) else { continue };
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
        let pres = self.last_presentation(what, span)?;
        let net = &self.state.net;
        let (sim, rng) = self.probe("readout", &pres);
        Ok(SpikeCounter {
            sim,
            rng,
            pres: Presentation {
                rest_steps: 0,
                ..pres
            },
            layer,
            size: net.pops[layer].size,
        })
    }

    /// Massey et al.'s φ = BCSS / (BCSS + WCSS) of a spiking layer's spike counts grouped by
    /// label, over (at most 1,000 of) the held-out samples of the first dataset.
    pub(super) fn clustering(&mut self, pop: usize, span: &SpanIr) -> Result<f64, RunError> {
        let mut counter = self.spike_counter("`clustering`", pop, span)?;
        let Some(ds) = self
            .data
            .first_dataset
            .as_ref()
            .and_then(|d| self.data.datasets.get(d))
        else {
            return Ok(0.0);
        };
        let s = match self.opts.eval {
            EvalSplit::Test => &ds.test,
            EvalSplit::Validation => &ds.validation,
        };
        let n = s.len().min(1000);
        let f = self.data.features;
        let counts = counter.counts(&self.state.net, &s.x[..n * f], f);
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
