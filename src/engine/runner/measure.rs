//! The runner's measurements: metrics on the live network, recorded as outcome rows, and
//! the live conditions of `until` loops.

use super::{Runner, unsupported};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::metrics::{self, Value, WEIGHT_STATS};
use crate::engine::params::{builtin, num};
use crate::outcome::expect::{eval_with, metric_key, metric_subject};
use crate::plan::ir::{ExprIr, MetricIr, ParamIr, SpanIr};

impl Runner {
    /// Accuracy of one task on the evaluation split.
    pub(super) fn task_accuracy(&self, key: &str) -> f64 {
        self.task(key).map_or(f64::NAN, |t| {
            let (h, n) = metrics::task_hits(&self.net, &self.inf, t, self.opts.eval, self.features);
            h as f64 / n.max(1) as f64
        })
    }

    pub(super) fn measure(&mut self, m: &MetricIr, span: &SpanIr) -> Result<Vec<Value>, RunError> {
        let key = metric_key(m);
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
        match m.metric.as_str() {
            "accuracy" => {
                if let Some(r) = builtin(&m.params, "readout")
                    && r.name != "argmax"
                {
                    if r.name != "label_assignment" && r.name != "linear_readout" {
                        return Err(unsupported(&format!("the readout `{}`", r.name), span));
                    }
                    return self.spike_readout(m, r, span, &key);
                }
                // The default readout is a feed-forward rate pass, undefined with recurrence.
                if !self.net.is_feedforward() {
                    return Err(RunError::new(
                        Code::E412,
                        "the engine cannot run the default `argmax` readout on a recurrent network yet",
                    )
                    .at(span)
                    .help("read a spiking layer out with `readout = label_assignment(layer)` or `readout = linear_readout(layer)`"));
                }
                let (mut hits, mut total) = (0, 0);
                for k in &m.tasks {
                    let Some(t) = self.task(k) else { continue };
                    let (h, n) =
                        metrics::task_hits(&self.net, &self.inf, t, self.opts.eval, self.features);
                    let acc = h as f64 / n.max(1) as f64;
                    let b = self.best.entry(k.clone()).or_insert(acc);
                    *b = b.max(acc);
                    out.push(value(k, acc));
                    hits += h;
                    total += n;
                }
                out.push(group_value(hits as f64 / total.max(1) as f64));
            }
            "forgetting" | "bwt" => {
                let mut sum = 0.0;
                let mut counted = 0;
                let last_learnt = self.seen.last().cloned();
                for k in &m.tasks {
                    let acc = self.task_accuracy(k);
                    let v = if m.metric == "forgetting" {
                        self.best.get(k).map(|b| (b - acc).max(0.0))
                    } else if Some(k) == last_learnt.as_ref() {
                        None
                    } else {
                        self.learnt.get(k).map(|l| acc - l)
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
            "weights" => {
                let proj = metric_subject(m).and_then(|p| self.net.proj(&p));
                let Some(pi) = proj else {
                    return Err(RunError::new(Code::E412, "`weights` needs a projection").at(span));
                };
                let p = &self.net.projs[pi];
                let stats: Vec<&str> = match m.params.get("stat") {
                    Some(ParamIr::Symbol { value }) => vec![value.as_str()],
                    _ => WEIGHT_STATS.to_vec(),
                };
                for s in stats {
                    out.push(Value {
                        metric: format!("weights.{s}"),
                        group: None,
                        task: p.name.clone(),
                        value: metrics::weight_stat(p, s),
                    });
                }
            }
            "rates" => {
                let pop = metric_subject(m).and_then(|p| self.net.pop(&p));
                let Some(pop) = pop else {
                    return Err(RunError::new(Code::E412, "`rates` needs a population").at(span));
                };
                let hz = self.last_spikes.as_ref().map_or(0.0, |(s, steps, dt)| {
                    s[pop] as f64
                        / (self.net.pops[pop].size as f64 * *steps as f64 * dt)
                            .max(f64::MIN_POSITIVE)
                });
                out.push(value(&self.net.pops[pop].name, hz));
            }
            "entropy" | "branching_ratio" | "avalanches" => {
                let pop = metric_subject(m).and_then(|p| self.net.pop(&p));
                let Some(pop) = pop else {
                    return Err(
                        RunError::new(Code::E412, "this metric needs a population").at(span)
                    );
                };
                let act = self.activity.as_ref().ok_or_else(|| {
                    RunError::new(
                        Code::E412,
                        format!(
                            "`{}` reads the activity of a spiking phase: run one first",
                            m.metric
                        ),
                    )
                    .at(span)
                })?;
                let bin = num(&m.params, "bin", 0.01);
                let v = match m.metric.as_str() {
                    "entropy" => act.entropy(pop, bin),
                    "branching_ratio" => act.branching_ratio(pop, bin),
                    _ => act.avalanche_exponent(pop, bin),
                };
                out.push(value(&self.net.pops[pop].name, v));
            }
            "feature_norms" | "modularity" => {
                let proj = metric_subject(m).and_then(|p| self.net.proj(&p));
                let Some(pi) = proj else {
                    return Err(
                        RunError::new(Code::E412, "this metric needs a projection").at(span)
                    );
                };
                let p = &self.net.projs[pi];
                let v = if m.metric == "feature_norms" {
                    metrics::feature_norm(p)
                } else {
                    metrics::modularity(p)
                };
                out.push(value(&p.name, v));
            }
            "recovery" => out.push(value("all", self.recovery(m, span)?)),
            "clustering" => {
                let pop = metric_subject(m).and_then(|p| self.net.pop(&p));
                let Some(pop) = pop else {
                    return Err(
                        RunError::new(Code::E412, "`clustering` needs a population").at(span)
                    );
                };
                let phi = self.clustering(pop, span)?;
                out.push(value(&self.net.pops[pop].name, phi));
            }
            other => return Err(unsupported(&format!("the metric `{other}`"), span)),
        }
        Ok(out)
    }

    /// The recovered fraction (P_now − P_pert) / (P_base − P_pert) of a metric around the
    /// last perturb phase: P_base its last value measured before it, P_pert its first value
    /// measured after it, P_now its value now.
    pub(super) fn recovery(&mut self, m: &MetricIr, span: &SpanIr) -> Result<f64, RunError> {
        let Some(ParamIr::Builtin { builtin: inner }) = m.params.get("metric") else {
            return Err(RunError::new(Code::E412, "`recovery` needs a metric").at(span));
        };
        let mut params = inner.params.clone();
        let tasks = match params.remove("tasks") {
            Some(ParamIr::Tasks { tasks }) => tasks,
            _ => Vec::new(),
        };
        let inner_ir = MetricIr {
            metric: inner.name.clone(),
            tasks,
            group: None,
            params,
        };
        let key = metric_key(&inner_ir);
        let shock = self
            .records
            .iter()
            .rev()
            .find(|r| r.kind == "perturb")
            .map(|r| r.index);
        let missing = || {
            RunError::new(
                Code::E412,
                format!("`recovery` needs `{key}` measured before and after a perturb phase"),
            )
            .at(span)
        };
        let shock = shock.ok_or_else(missing)?;
        let rows = self
            .rows
            .iter()
            .filter(|r| r.metric == key && r.task == "all");
        let base = rows.clone().rev().find(|r| r.op < shock).map(|r| r.value);
        let pert = rows.clone().find(|r| r.op > shock).map(|r| r.value);
        let (Some(base), Some(pert)) = (base, pert) else {
            return Err(missing());
        };
        let now = self
            .measure(&inner_ir, span)?
            .iter()
            .find(|v| v.task == "all")
            .map_or(pert, |v| v.value);
        Ok(if (base - pert).abs() < 1e-12 {
            // Nothing was lost: fully recovered if still at the baseline.
            if now >= base { 1.0 } else { 0.0 }
        } else {
            (now - pert) / (base - pert)
        })
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
