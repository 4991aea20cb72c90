//! Measure ops: metrics on the live network, recorded as outcome rows, and the live
//! conditions of `until` loops.

use super::Runner;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::metrics::{self, Value, WeightStat};
use crate::outcome::expect::eval_with;
use crate::outcome::{OpRecord, Row};
use crate::plan::bind::measures::NormStat;
use crate::plan::bind::{Metric, Readout};
use crate::plan::ir::{ExprIr, MetricIr, SpanIr};

impl Runner {
    /// A `measure` op: each metric's values become rows of the timeline.
    pub(super) fn measure_op(
        &mut self,
        metrics: &[MetricIr],
        label: &Option<String>,
        span: &SpanIr,
        rec: &mut OpRecord,
    ) -> Result<(), RunError> {
        rec.kind = "measure".into();
        rec.name = label.clone().unwrap_or_default();
        let id = self.measures;
        self.measures += 1;
        for m in metrics {
            for v in self.measure(m, span)? {
                self.rows.push(Row {
                    op: rec.index,
                    after: self.after.clone(),
                    label: label.clone(),
                    measure: id,
                    metric: v.metric,
                    group: v.group,
                    task: v.task,
                    value: v.value,
                });
            }
        }
        Ok(())
    }

    /// Accuracy of one task on the evaluation split.
    pub(super) fn task_accuracy(&self, key: &str) -> f64 {
        self.data.task(key).map_or(f64::NAN, |t| {
            let (h, n) = metrics::task_hits(
                &self.state.net,
                &self.state.inf,
                t,
                self.opts.eval,
                self.data.features,
            );
            h as f64 / n.max(1) as f64
        })
    }

    pub(super) fn measure(&mut self, m: &MetricIr, span: &SpanIr) -> Result<Vec<Value>, RunError> {
        let key = m.key();
        let value = |task: &str, v: f64| Value {
            metric: key.clone(),
            group: None,
            task: task.to_string(),
            value: v,
        };
        let group_value = |v: f64| Value {
            metric: key.clone(),
            group: m.group.clone(),
            task: "all".into(),
            value: v,
        };
        let mut out = Vec::new();
        match &m.kernel {
            Metric::Accuracy(a) => {
                if !matches!(a.readout, Readout::Argmax) {
                    return self.spike_readout(m, &a.readout, span, &key);
                }
                // The default readout is a feed-forward rate pass, undefined with recurrence.
                if !self.state.net.is_feedforward() {
                    return Err(RunError::new(
                        Code::E412,
                        "the `argmax` readout cannot read a network with recurrent projections",
                    )
                    .at(span)
                    .help("the plan refuses this (E317): read a spiking layer out with `readout = label_assignment(layer)` or `readout = linear_readout(layer)`"));
                }
                let (mut hits, mut total) = (0, 0);
                for k in &m.tasks {
                    let Some(t) = self.data.task(k) else { continue };
                    let (h, n) = metrics::task_hits(
                        &self.state.net,
                        &self.state.inf,
                        t,
                        self.opts.eval,
                        self.data.features,
                    );
                    let acc = h as f64 / n.max(1) as f64;
                    let b = self.state.best.entry(k.clone()).or_insert(acc);
                    *b = b.max(acc);
                    out.push(value(k, acc));
                    hits += h;
                    total += n;
                }
                out.push(group_value(hits as f64 / total.max(1) as f64));
            }
            kernel @ (Metric::Forgetting(_) | Metric::Bwt(_)) => {
                let mut sum = 0.0;
                let mut counted = 0;
                let last_learnt = self.state.seen.last().cloned();
                for k in &m.tasks {
                    let acc = self.task_accuracy(k);
                    let v = if matches!(kernel, Metric::Forgetting(_)) {
                        self.state.best.get(k).map(|b| (b - acc).max(0.0))
                    } else if Some(k) == last_learnt.as_ref() {
                        None
                    } else {
                        self.state.learnt.get(k).map(|l| acc - l)
                    };
                    if let Some(v) = v {
                        out.push(value(k, v));
                        sum += v;
                        counted += 1;
                    }
                }
                out.push(group_value(if counted > 0 {
                    sum / counted as f64
                } else {
                    0.0
                }));
            }
            Metric::Weights(w) => {
                let p = self.projection(&w.projection.0, span)?;
                let stats = match w.stat {
                    Some(s) => vec![s],
                    None => WeightStat::ALL.to_vec(),
                };
                for s in stats {
                    out.push(Value {
                        metric: format!("weights.{}", s.word()),
                        group: None,
                        task: p.name.clone(),
                        value: metrics::weight_stat(p, s),
                    });
                }
            }
            Metric::Rates(r) => {
                let pop = self.population(&r.population.0, span)?;
                let net = &self.state.net;
                let hz = self
                    .state
                    .last_spikes
                    .as_ref()
                    .map_or(0.0, |(s, steps, dt)| {
                        s[pop] as f64
                            / (net.pops[pop].size as f64 * *steps as f64 * dt)
                                .max(f64::MIN_POSITIVE)
                    });
                out.push(value(&net.pops[pop].name, hz));
            }
            kernel @ (Metric::Entropy(b) | Metric::BranchingRatio(b) | Metric::Avalanches(b)) => {
                let pop = self.population(&b.population.0, span)?;
                let act = self.state.activity.as_ref().ok_or_else(|| {
                    RunError::new(
                        Code::E412,
                        format!(
                            "`{}` reads the activity of a spiking phase, and none has run",
                            m.metric
                        ),
                    )
                    .at(span)
                    .help("the plan refuses this (E318); a REPL session can reach it")
                })?;
                let v = match kernel {
                    Metric::Entropy(_) => act.entropy(pop, b.bin),
                    Metric::BranchingRatio(_) => act.branching_ratio(pop, b.bin),
                    _ => act.avalanche_exponent(pop, b.bin),
                };
                out.push(value(&self.state.net.pops[pop].name, v));
            }
            Metric::FeatureNorms(f) => {
                let p = self.projection(&f.projection.0, span)?;
                let norms = metrics::feature_norms(p);
                let n = norms.len().max(1) as f64;
                match f.stat {
                    NormStat::Max => {
                        out.push(value(&p.name, norms.iter().copied().fold(0.0, f64::max)))
                    }
                    NormStat::Min => out.push(value(
                        &p.name,
                        norms.iter().copied().fold(f64::INFINITY, f64::min),
                    )),
                    NormStat::Mean => out.push(value(&p.name, norms.iter().sum::<f64>() / n)),
                    NormStat::Each => out.extend(
                        norms
                            .iter()
                            .enumerate()
                            .map(|(j, &v)| value(&j.to_string(), v)),
                    ),
                }
            }
            Metric::Residual(r) => {
                for (task, v) in self.residual(r, &m.tasks, span)? {
                    out.push(if task == "all" {
                        group_value(v)
                    } else {
                        value(&task, v)
                    });
                }
            }
            Metric::NoiseResponse(r) => {
                let pop = self.population(&r.population.0, span)?;
                let hz = self.noise_response(pop, r, span)?;
                out.push(value(&self.state.net.pops[pop].name, hz));
            }
            Metric::Modularity(p) => {
                let p = self.projection(&p.projection.0, span)?;
                out.push(value(&p.name, metrics::modularity(p)));
            }
            Metric::Recovery(r) => out.push(value("all", self.recovery(&r.metric, span)?)),
            Metric::TimeToRecover(r) => {
                let v = self.time_to_recover(&r.metric, r.fraction, span)?;
                out.push(value("all", v));
            }
            Metric::Foraging(f) => {
                let v = self.foraging(f, span)?;
                out.push(value(&f.environment.0, v));
            }
            Metric::Clustering(c) => {
                let pop = self.population(&c.population.0, span)?;
                let phi = self.clustering(pop, span)?;
                out.push(value(&self.state.net.pops[pop].name, phi));
            }
        }
        Ok(out)
    }

    pub(super) fn population(&self, name: &str, span: &SpanIr) -> Result<usize, RunError> {
        self.state.net.pop(name).ok_or_else(|| missing(name, span))
    }

    fn projection(
        &self,
        name: &str,
        span: &SpanIr,
    ) -> Result<&crate::engine::network::Projection, RunError> {
        self.state
            .net
            .proj(name)
            .map(|i| &self.state.net.projs[i])
            .ok_or_else(|| missing(name, span))
    }

    /// A condition over live metrics (`until`).
    pub(super) fn live(&mut self, cond: &ExprIr, span: &SpanIr) -> Result<f64, RunError> {
        let mut err = None;
        let mut read = |e: &ExprIr| -> Result<f64, String> {
            let ExprIr::Metric { metric, task } = e else {
                return Err("an outcome value cannot be read while running".into());
            };
            match self.measure(metric, span) {
                Ok(values) => values
                    .iter()
                    .find(|v| &v.task == task || (task == "all" && v.task == "all"))
                    .or_else(|| values.last())
                    .map(|v| v.value)
                    .ok_or_else(|| "nothing measured".to_string()),
                Err(e) => {
                    let msg = e.message.clone();
                    err = Some(e);
                    Err(msg)
                }
            }
        };
        let v = eval_with(cond, &mut read);
        if let Some(e) = err {
            return Err(e);
        }
        v.map_err(|m| RunError::new(Code::E412, m).at(span))
    }
}

/// A population or projection a metric names that the network does not have: the plan
/// checks names against the network, so only a REPL session on another network gets here.
fn missing(name: &str, span: &SpanIr) -> RunError {
    RunError::new(Code::E412, format!("the network has no `{name}`")).at(span)
}
