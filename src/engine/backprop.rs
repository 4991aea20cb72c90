//! Backprop: mini-batch gradient descent with momentum, dropout and weight decay on a
//! feed-forward rate network.
//!
//! The update follows the DeepLearnToolbox code SRC was published with: `v ← μ·v + lr·∇`,
//! `w ← w − v`, the momentum buffer kept across phases; dropout masks drawn per batch;
//! the output error optionally without the transfer function's derivative. With
//! `cross_entropy` the output is a softmax of the output population's input (its own
//! transfer function is not applied, in training or at test).

use super::network::Network;
use super::rate::{Activation, Forward, forward};
use crate::plan::bind::Target;
use crate::plan::bind::rules as bind;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    Mse,
    CrossEntropy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropoutScaling {
    Inverted,
    TestTime,
}

/// The `backprop` rule's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Backprop {
    pub loss: Loss,
    pub lr: f32,
    pub momentum: f32,
    pub batch: usize,
    pub dropout: f32,
    /// Populations dropout applies to (all hidden layers when the rule names none).
    pub dropout_on: Vec<usize>,
    pub scaling: DropoutScaling,
    pub output_derivative: bool,
    pub weight_decay: f32,
    /// Projections the rule may change.
    pub plastic: Vec<bool>,
}

impl Backprop {
    /// The rule's kernel on `net`; dropout applies to the populations `on` names (all
    /// hidden layers when it names none).
    pub fn new(p: &bind::Backprop, on: &[Target], net: &Network) -> Backprop {
        let out = net.output();
        let dropout_on = if on.is_empty() {
            net.layers().into_iter().filter(|&p| p != out).collect()
        } else {
            on.iter().filter_map(|t| net.pop(t.name())).collect()
        };
        Backprop {
            loss: match p.loss {
                bind::Loss::CrossEntropy => Loss::CrossEntropy,
                bind::Loss::Mse => Loss::Mse,
            },
            lr: p.lr as f32,
            momentum: p.momentum as f32,
            batch: (p.batch as usize).max(1),
            dropout: p.dropout as f32,
            dropout_on,
            scaling: match p.dropout_scaling {
                bind::DropoutScaling::TestTime => DropoutScaling::TestTime,
                bind::DropoutScaling::Inverted => DropoutScaling::Inverted,
            },
            output_derivative: p.output_derivative,
            weight_decay: p.weight_decay as f32,
            plastic: net.projs.iter().map(|p| p.plastic).collect(),
        }
    }

    /// The factor on each population's activity at test time.
    pub fn test_scale(&self, pops: usize) -> Vec<f32> {
        let mut s = vec![1.0; pops];
        if self.scaling == DropoutScaling::TestTime {
            for &p in &self.dropout_on {
                s[p] = 1.0 - self.dropout;
            }
        }
        s
    }
}

/// Buffers for one training run, allocated once per phase.
pub struct Trainer {
    fw: Forward,
    masks: Vec<Option<Array2<f32>>>,
    deltas: Vec<Array2<f32>>,
    grad: Vec<Array2<f32>>,
    xb: Array2<f32>,
    yb: Array2<f32>,
    /// Each epoch in a fresh random order (the wake setting `shuffle`), else in the
    /// dataset's order.
    pub shuffle: bool,
}

impl Trainer {
    pub fn new(net: &Network, batch: usize, features: usize) -> Trainer {
        let out = net.output();
        Trainer {
            fw: Forward::new(net, batch),
            masks: vec![None; net.pops.len()],
            deltas: net
                .pops
                .iter()
                .map(|p| Array2::zeros((batch, p.size)))
                .collect(),
            grad: net
                .projs
                .iter()
                .map(|p| Array2::zeros((p.post, p.pre)))
                .collect(),
            xb: Array2::zeros((batch, features)),
            yb: Array2::zeros((batch, net.pops[out].size)),
            shuffle: true,
        }
    }

    /// One epoch over `(x, y)` in a fresh random order, stopping after `limit` samples
    /// (`length … samples`). Returns the mean loss, or `None` when
    /// it stopped because a value became non-finite (the population is then in `bad`).
    #[allow(clippy::too_many_arguments)]
    pub fn epoch(
        &mut self,
        net: &mut Network,
        act: &[Activation],
        rule: &Backprop,
        x: &[f32],
        y: &[u32],
        features: usize,
        limit: usize,
        rng: &mut ChaCha8Rng,
        progress: impl FnMut(usize),
    ) -> Result<f64, usize> {
        let never = std::sync::atomic::AtomicBool::new(false);
        self.epoch_stoppable(net, act, rule, x, y, features, limit, rng, progress, &never)
    }

    /// [`Trainer::epoch`], ending after the current batch once `stop` is set (the last
    /// value given to `progress` is then the number of samples trained).
    #[allow(clippy::too_many_arguments)]
    pub fn epoch_stoppable(
        &mut self,
        net: &mut Network,
        act: &[Activation],
        rule: &Backprop,
        x: &[f32],
        y: &[u32],
        features: usize,
        limit: usize,
        rng: &mut ChaCha8Rng,
        mut progress: impl FnMut(usize),
        stop: &std::sync::atomic::AtomicBool,
    ) -> Result<f64, usize> {
        // With cross-entropy the output is a softmax of its input: its own transfer
        // function is not applied (the loss and the update stay each other's gradient).
        let out = net.output();
        let linear_out;
        let act = if rule.loss == Loss::CrossEntropy && act[out] != Activation::Linear {
            let mut a = act.to_vec();
            a[out] = Activation::Linear;
            linear_out = a;
            &linear_out[..]
        } else {
            act
        };
        let n = y.len();
        let mut order: Vec<usize> = (0..n).collect();
        if self.shuffle {
            order.shuffle(rng);
        }
        order.truncate(limit);
        let mut total = 0.0f64;
        let mut done = 0;
        for chunk in order.chunks(rule.batch) {
            if stop.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(total / done.max(1) as f64);
            }
            let b = chunk.len();
            if self.xb.nrows() != b {
                let shuffle = self.shuffle;
                *self = Trainer::new(net, b, features);
                self.shuffle = shuffle;
            }
            for (r, &i) in chunk.iter().enumerate() {
                self.xb
                    .row_mut(r)
                    .as_slice_mut()
                    .expect("rows are contiguous")
                    .copy_from_slice(&x[i * features..(i + 1) * features]);
                let mut t = self.yb.row_mut(r);
                t.fill(0.0);
                if let Some(v) = t.get_mut(y[i] as usize) {
                    *v = 1.0;
                }
            }
            total += self.step(net, act, rule, rng)?;
            done += b;
            progress(done);
        }
        Ok(total / order.len().max(1) as f64)
    }

    /// Forward, backward and update on the batch in `xb`/`yb`; returns the summed loss.
    fn step(
        &mut self,
        net: &mut Network,
        act: &[Activation],
        rule: &Backprop,
        rng: &mut ChaCha8Rng,
    ) -> Result<f64, usize> {
        let b = self.xb.nrows();
        let out = net.output();
        // Forward with dropout masks.
        let masks = &mut self.masks;
        let keep_scale = match rule.scaling {
            DropoutScaling::Inverted if rule.dropout > 0.0 => 1.0 / (1.0 - rule.dropout),
            _ => 1.0,
        };
        forward(net, act, self.xb.view(), &mut self.fw, |pop, a| {
            if rule.dropout > 0.0 && rule.dropout_on.contains(&pop) {
                let mut m = Array2::zeros(a.raw_dim());
                m.iter_mut().for_each(|v: &mut f32| {
                    *v = if rng.random::<f32>() > rule.dropout {
                        keep_scale
                    } else {
                        0.0
                    }
                });
                *a *= &m;
                masks[pop] = Some(m);
            } else {
                masks[pop] = None;
            }
        });
        // Output error and loss.
        let a_out = &self.fw.acts[out];
        let d_out = &mut self.deltas[out];
        let mut loss = 0.0f64;
        match rule.loss {
            Loss::Mse => {
                for ((d, &a), &t) in d_out.iter_mut().zip(a_out).zip(&self.yb) {
                    let e = a - t;
                    loss += 0.5 * (e as f64) * (e as f64);
                    *d = if rule.output_derivative {
                        e * act[out].derivative(a)
                    } else {
                        e
                    };
                }
            }
            Loss::CrossEntropy => {
                for ((mut d, a), t) in d_out
                    .rows_mut()
                    .into_iter()
                    .zip(a_out.rows())
                    .zip(self.yb.rows())
                {
                    let m = a.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    let s: f32 = a.iter().map(|&v| (v - m).exp()).sum();
                    for ((d, &v), &t) in d.iter_mut().zip(a).zip(t) {
                        let p = (v - m).exp() / s;
                        if t > 0.0 {
                            loss -= (p.max(1e-12) as f64).ln();
                        }
                        *d = p - t;
                    }
                }
            }
        }
        if !loss.is_finite() {
            return Err(out);
        }
        // Backward, in reverse flow order.
        for &pop in net.order.iter().rev() {
            if pop == out || net.pops[pop].is_input() {
                continue;
            }
            let mut d = std::mem::take(&mut self.deltas[pop]);
            d.fill(0.0);
            for (pi, p) in net.projs.iter().enumerate() {
                if p.from == pop {
                    let w = super::rate::weights(net, pi);
                    general_mat_mul(1.0, &self.deltas[p.to], &w, 1.0, &mut d);
                }
            }
            let a = &self.fw.acts[pop];
            d.iter_mut()
                .zip(a)
                .for_each(|(d, &a)| *d *= act[pop].derivative(a));
            if let Some(m) = &self.masks[pop] {
                d *= m;
            }
            self.deltas[pop] = d;
        }
        // Gradients and momentum updates.
        let inv_b = 1.0 / b as f32;
        for (pi, p) in net.projs.iter_mut().enumerate() {
            if !rule.plastic[pi] {
                continue;
            }
            let g = &mut self.grad[pi];
            general_mat_mul(inv_b, &self.deltas[p.to].t(), &self.fw.acts[p.from], 0.0, g);
            let (lr, mu, wd) = (rule.lr, rule.momentum, rule.weight_decay);
            for ((w, v), &g) in p.w.iter_mut().zip(p.vw.iter_mut()).zip(g.iter()) {
                let step = lr * (g + wd * *w);
                *v = mu * *v + step;
                *w -= *v;
            }
            if let Some(bias) = &mut p.bias {
                let gb = self.deltas[p.to].sum_axis(Axis(0));
                for ((bv, v), &g) in bias.iter_mut().zip(p.vb.iter_mut()).zip(gb.iter()) {
                    *v = mu * *v + lr * g * inv_b;
                    *bv -= *v;
                }
            }
            if p.mask.is_some() || p.bounds.is_some() || p.sign != super::network::Sign::Any {
                p.constrain();
            }
        }
        Ok(loss)
    }
}

/// A view of sample rows.
pub fn rows(x: &[f32], features: usize) -> ArrayView2<'_, f32> {
    ArrayView2::from_shape((x.len() / features.max(1), features), x).expect("samples are rows")
}
