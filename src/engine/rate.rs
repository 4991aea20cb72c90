//! Rate dynamics: the network as a feed-forward function of its input, computed a batch at
//! a time with matrix products. Used by backprop, by the accuracy readout and by the
//! activation statistics that scale a sleep.

use super::network::Network;
use crate::plan::bind::NeuronModel;
use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2};

/// A rate unit's transfer function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Activation {
    Relu,
    Sigmoid,
    Linear,
}

impl Activation {
    /// The transfer function of a rate model; `None` for spiking models.
    pub fn of(m: &NeuronModel) -> Option<Activation> {
        match m {
            NeuronModel::Relu => Some(Activation::Relu),
            NeuronModel::Sigmoid => Some(Activation::Sigmoid),
            NeuronModel::Linear => Some(Activation::Linear),
            NeuronModel::IntegrateFire(_) | NeuronModel::Lif(_) | NeuronModel::Rulkov(_) => None,
        }
    }

    pub fn apply(self, z: &mut [f32]) {
        match self {
            Activation::Relu => z.iter_mut().for_each(|x| *x = x.max(0.0)),
            Activation::Sigmoid => z.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp())),
            Activation::Linear => {}
        }
    }

    /// The derivative, from the activation's value.
    pub fn derivative(self, a: f32) -> f32 {
        match self {
            Activation::Relu => (a > 0.0) as u8 as f32,
            Activation::Sigmoid => a * (1.0 - a),
            Activation::Linear => 1.0,
        }
    }
}

/// How the network computes at test time: each population's transfer function and the
/// factor on its activity (dropout trained with `test_time` scaling multiplies by 1 − p).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Inference {
    pub act: Vec<Activation>,
    pub test_scale: Vec<f32>,
}

impl Inference {
    pub fn relu(net: &Network) -> Inference {
        Inference {
            act: vec![Activation::Relu; net.pops.len()],
            test_scale: vec![1.0; net.pops.len()],
        }
    }
}

/// Activations of every population for one batch (batch × size each; inputs included).
pub struct Forward {
    pub acts: Vec<Array2<f32>>,
}

impl Forward {
    pub fn new(net: &Network, batch: usize) -> Forward {
        Forward {
            acts: net
                .pops
                .iter()
                .map(|p| Array2::zeros((batch, p.size)))
                .collect(),
        }
    }

    /// Resizes the buffers to `batch` rows (reuses them when the size is unchanged).
    pub fn resize(&mut self, net: &Network, batch: usize) {
        if self.acts.first().is_some_and(|a| a.nrows() != batch) {
            *self = Forward::new(net, batch);
        }
    }
}

/// A weight matrix as a post × pre view.
pub fn weights(net: &Network, proj: usize) -> ArrayView2<'_, f32> {
    let p = &net.projs[proj];
    ArrayView2::from_shape((p.post, p.pre), &p.w).expect("weights are post × pre")
}

/// Computes every population's activity for the input rows `x` (batch × input size),
/// in test mode: no dropout, test-time scales applied.
pub fn infer(net: &Network, inf: &Inference, x: ArrayView2<f32>, fw: &mut Forward) {
    forward(net, &inf.act, x, fw, |pop, a| {
        let s = inf.test_scale[pop];
        if s != 1.0 {
            a.iter_mut().for_each(|v| *v *= s);
        }
    });
}

/// The forward pass; `after(pop, activity)` runs on each population's activity once it is
/// computed (dropout while training, test-time scaling at test).
pub fn forward(
    net: &Network,
    act: &[Activation],
    x: ArrayView2<f32>,
    fw: &mut Forward,
    mut after: impl FnMut(usize, &mut Array2<f32>),
) {
    let input = net.input().unwrap_or(0);
    fw.acts[input].assign(&x);
    for &pop in &net.order {
        if net.pops[pop].is_input() {
            continue;
        }
        let mut z = std::mem::take(&mut fw.acts[pop]);
        z.fill(0.0);
        for &pi in &net.incoming[pop] {
            let p = &net.projs[pi];
            let w = weights(net, pi);
            general_mat_mul(1.0, &fw.acts[p.from], &w.t(), 1.0, &mut z);
            if let Some(b) = &p.bias {
                for mut row in z.rows_mut() {
                    row.iter_mut().zip(b).for_each(|(z, b)| *z += b);
                }
            }
        }
        act[pop].apply(z.as_slice_mut().expect("activations are contiguous"));
        after(pop, &mut z);
        fw.acts[pop] = z;
    }
}

/// The index of the largest value of a row; the first on ties, so an all-zero output reads
/// as class 0 (as MATLAB's `max`).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

/// Rows per inference batch: large enough for efficient matrix products, small enough to
/// keep the activations in cache-friendly sizes.
pub const INFER_BATCH: usize = 500;

/// Runs inference over the samples `x` (n × features) in batches of [`INFER_BATCH`];
/// `each` sees every batch's activations.
pub fn infer_batches(
    net: &Network,
    inf: &Inference,
    x: &[f32],
    features: usize,
    mut each: impl FnMut(&Forward),
) {
    let n = x.len() / features.max(1);
    let mut fw = Forward::new(net, INFER_BATCH.min(n.max(1)));
    for start in (0..n).step_by(INFER_BATCH) {
        let end = (start + INFER_BATCH).min(n);
        fw.resize(net, end - start);
        let view = ArrayView2::from_shape(
            (end - start, features),
            &x[start * features..end * features],
        )
        .expect("samples are rows");
        infer(net, inf, view, &mut fw);
        each(&fw);
    }
}

/// Predicted labels of the samples `x` (n × features).
pub fn predict(net: &Network, inf: &Inference, x: &[f32], features: usize) -> Vec<u32> {
    let out = net.output();
    let mut labels = Vec::with_capacity(x.len() / features.max(1));
    infer_batches(net, inf, x, features, |fw| {
        for row in fw.acts[out].rows() {
            labels.push(argmax(row.as_slice().expect("rows are contiguous")) as u32);
        }
    });
    labels
}

/// Per population, the largest activity over the samples `x` (or the given percentile).
pub fn activation_max(
    net: &Network,
    inf: &Inference,
    x: &[f32],
    features: usize,
    percentile: f64,
) -> Vec<f32> {
    let mut maxima = vec![0.0f32; net.pops.len()];
    let mut all: Vec<Vec<f32>> = vec![Vec::new(); net.pops.len()];
    let keep_all = percentile < 1.0;
    infer_batches(net, inf, x, features, |fw| {
        for (pop, a) in fw.acts.iter().enumerate() {
            if keep_all {
                all[pop].extend(a.iter().copied());
            } else {
                maxima[pop] = a.iter().fold(maxima[pop], |m, &v| m.max(v));
            }
        }
    });
    if keep_all {
        for (pop, mut v) in all.into_iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            v.sort_by(f32::total_cmp);
            let k = ((v.len() - 1) as f64 * percentile).round() as usize;
            maxima[pop] = v[k];
        }
    }
    maxima
}
