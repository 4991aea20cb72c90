//! The live network: populations, and projections holding contiguous f32 weights.
//!
//! Weights are stored post × pre (row `j` holds neuron `j`'s incoming weights), the layout
//! of the published SRC code and the one matrix products for rate phases want. Spiking
//! phases build a pre-major copy for event-driven propagation ([`super::sleep`]).

use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::bind::network::{self as bind, Connectivity, Init, Initial};
use crate::plan::ir::{NetworkIr, SpanIr};
use crate::plan::streams;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Population {
    pub name: String,
    pub role: String,
    pub size: usize,
    pub span: SpanIr,
}

impl Population {
    pub fn is_input(&self) -> bool {
        self.role == "input"
    }
}

/// Keeps weights on one side of zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sign {
    Any,
    Excitatory,
    Inhibitory,
}

/// A projection that shares another's weights (`tie`): its `w` is a copy kept equal to
/// `factor` × the owner's weights (transposed when it runs the other way), refreshed by
/// [`Network::sync_ties`]; spiking phases read the owner's live copy.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tie {
    /// The owner's index in `Network::projs`.
    pub source: usize,
    pub factor: f32,
    /// True when this projection leaves the population the owner enters.
    pub transposed: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Projection {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub pre: usize,
    pub post: usize,
    /// post × pre, row-major.
    pub w: Vec<f32>,
    /// 1 where a synapse exists (sparse connectivities); `None` when dense.
    pub mask: Option<Vec<f32>>,
    pub bias: Option<Vec<f32>>,
    /// Momentum buffers of backprop; they persist across phases, as in the published code.
    pub vw: Vec<f32>,
    pub vb: Vec<f32>,
    pub bounds: Option<(f32, f32)>,
    pub sign: Sign,
    pub plastic: bool,
    /// Per-synapse transmission delays in seconds (post × pre); `None` when all are 0.
    pub delay: Option<Vec<f32>>,
    /// The projection whose weights this one shares, if any.
    #[serde(default)]
    pub tie: Option<Tie>,
    pub span: SpanIr,
}

impl Projection {
    /// The weights of the synapses that exist (every one when the projection is dense).
    pub fn existing(&self) -> impl Iterator<Item = f64> + Clone + '_ {
        let mask = self.mask.as_deref();
        self.w
            .iter()
            .enumerate()
            .filter(move |(i, _)| mask.is_none_or(|m| m[*i] != 0.0))
            .map(|(_, &w)| w as f64)
    }

    /// Clips into the bounds, applies the sign constraint and re-zeroes absent synapses.
    pub fn constrain(&mut self) {
        if let Some((lo, hi)) = self.bounds {
            self.w.iter_mut().for_each(|w| *w = w.clamp(lo, hi));
        }
        match self.sign {
            Sign::Any => {}
            Sign::Excitatory => self.w.iter_mut().for_each(|w| *w = w.max(0.0)),
            Sign::Inhibitory => self.w.iter_mut().for_each(|w| *w = w.min(0.0)),
        }
        if let Some(m) = &self.mask {
            self.w.iter_mut().zip(m).for_each(|(w, m)| *w *= m);
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Network {
    pub name: String,
    pub pops: Vec<Population>,
    pub projs: Vec<Projection>,
    /// Populations in the order activity flows (inputs first); recurrent loops keep
    /// declaration order.
    pub order: Vec<usize>,
    /// The projections into each population.
    pub incoming: Vec<Vec<usize>>,
    /// Adaptive-threshold offsets of spiking neurons (`lif { adapt … }`): learnt state that
    /// lasts across phases, as in Diehl & Cook.
    pub theta: Vec<Vec<f32>>,
}

impl Network {
    /// Builds the network with weights drawn from the `init:<projection>` streams.
    pub fn build(ir: &NetworkIr, seed: u64) -> Result<Network, RunError> {
        let pops: Vec<Population> = ir
            .populations
            .iter()
            .map(|p| Population {
                name: p.name.clone(),
                role: p.role.clone(),
                size: p.size as usize,
                span: p.span.clone(),
            })
            .collect();
        let index = |n: &str| pops.iter().position(|p| p.name == n);
        let mut projs = Vec::new();
        for p in &ir.projections {
            let (Some(from), Some(to)) = (index(&p.from), index(&p.to)) else {
                continue;
            };
            let (pre, post) = (pops[from].size, pops[to].size);
            let mut rng =
                ChaCha8Rng::seed_from_u64(streams::derive(seed, &format!("init:{}", p.name)));
            let c = &p.params.typed;
            let mut w = match &c.init {
                Initial::Drawn(Init::Load(l)) => {
                    let base = Path::new(&p.span.file).parent().unwrap_or(Path::new(""));
                    load_weights(&base.join(&l.path), &p.name, pre, post)
                        .map_err(|e| e.at(&p.span))?
                }
                init => init_weights(init, pre, post, &mut rng),
            };
            let mask = connectivity(&c.connectivity, pre, post, &mut rng);
            if let Initial::Drawn(Init::Chunks(ch)) = &c.init {
                w = chunk_weights(ch, mask.as_deref(), pre, post, &mut rng);
            }
            let bounds = c.bounds().map(|(lo, hi)| (lo as f32, hi as f32));
            let sign = match c.sign {
                bind::Sign::Excitatory => Sign::Excitatory,
                bind::Sign::Inhibitory => Sign::Inhibitory,
                bind::Sign::Any => Sign::Any,
            };
            if let Some(m) = &mask {
                w.iter_mut().zip(m).for_each(|(w, m)| *w *= m);
            }
            let bias = c.bias.then(|| vec![0.0; post]);
            let (d0, jitter) = (c.delay, c.delay_jitter);
            let delay = (d0 > 0.0 || jitter > 0.0).then(|| {
                let mut rng =
                    ChaCha8Rng::seed_from_u64(streams::derive(seed, &format!("delay:{}", p.name)));
                (0..pre * post)
                    .map(|_| (d0 + jitter * rng.random::<f64>()) as f32)
                    .collect()
            });
            let mut proj = Projection {
                name: p.name.clone(),
                from,
                to,
                pre,
                post,
                vw: vec![0.0; w.len()],
                vb: vec![0.0; if bias.is_some() { post } else { 0 }],
                w,
                mask,
                bias,
                bounds,
                sign,
                plastic: c.plastic && c.tie.is_none(),
                delay,
                tie: None,
                span: p.span.clone(),
            };
            proj.constrain();
            projs.push(proj);
        }
        // Ties, once every owner exists (the check makes owners dense and untied).
        for p in &ir.projections {
            let c = &p.params.typed;
            let (Some(owner), Some(at)) = (
                c.tie
                    .as_ref()
                    .and_then(|t| projs.iter().position(|q| q.name == t.0)),
                projs.iter().position(|q| q.name == p.name),
            ) else {
                continue;
            };
            let transposed = projs[at].from == projs[owner].to;
            projs[at].tie = Some(Tie {
                source: owner,
                factor: c.factor as f32,
                transposed,
            });
            projs[at].bias = None;
            projs[at].bounds = None;
            projs[at].sign = Sign::Any;
            projs[at].mask = None;
        }
        let mut net = Network {
            theta: Vec::new(),
            name: ir.name.clone(),
            pops: Vec::new(),
            order: Vec::new(),
            incoming: Vec::new(),
            projs,
        };
        net.sync_ties();
        let projs = net.projs;
        let mut incoming = vec![Vec::new(); pops.len()];
        for (i, p) in projs.iter().enumerate() {
            incoming[p.to].push(i);
        }
        let order = flow_order(&pops, &projs);
        let theta = pops.iter().map(|p| vec![0.0; p.size]).collect();
        Ok(Network {
            theta,
            name: ir.name.clone(),
            pops,
            projs,
            order,
            incoming,
        })
    }

    /// Refreshes every tied projection's copy from its owner's weights.
    pub fn sync_ties(&mut self) {
        for at in 0..self.projs.len() {
            let Some(t) = self.projs[at].tie else {
                continue;
            };
            let o = &self.projs[t.source];
            let mut w = if t.transposed {
                super::deliver::transpose(&o.w, o.post, o.pre)
            } else {
                o.w.clone()
            };
            w.iter_mut().for_each(|x| *x *= t.factor);
            self.projs[at].w = w;
        }
    }

    pub fn pop(&self, name: &str) -> Option<usize> {
        self.pops.iter().position(|p| p.name == name)
    }

    pub fn proj(&self, name: &str) -> Option<usize> {
        self.projs.iter().position(|p| p.name == name)
    }

    /// The first input population.
    pub fn input(&self) -> Option<usize> {
        self.pops.iter().position(Population::is_input)
    }

    /// The population answers are read from: the `output`, else the last in flow order.
    pub fn output(&self) -> usize {
        self.pops
            .iter()
            .position(|p| p.role == "output")
            .unwrap_or(*self.order.last().unwrap_or(&0))
    }

    /// Non-input populations in flow order: the layers `thresholds` and `scale` lists index.
    pub fn layers(&self) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|&p| !self.pops[p].is_input())
            .collect()
    }

    /// True when every projection goes forward in flow order (no recurrence).
    pub fn is_feedforward(&self) -> bool {
        let rank = |p: usize| self.order.iter().position(|&o| o == p).unwrap_or(0);
        self.projs.iter().all(|p| rank(p.from) < rank(p.to))
    }
}

/// Kahn's algorithm over the projections, ignoring edges that close a loop.
fn flow_order(pops: &[Population], projs: &[Projection]) -> Vec<usize> {
    let n = pops.len();
    let mut indeg = vec![0usize; n];
    for p in projs.iter().filter(|p| p.from != p.to) {
        indeg[p.to] += 1;
    }
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while order.len() < n {
        // Inputs first, then declaration order among the ready ones.
        let next = (0..n)
            .filter(|&i| !done[i] && indeg[i] == 0)
            .min_by_key(|&i| (!pops[i].is_input(), i))
            // A loop: take the earliest remaining population.
            .or_else(|| (0..n).find(|&i| !done[i]))
            .expect("a population is left");
        done[next] = true;
        order.push(next);
        for p in projs.iter().filter(|p| p.from == next && p.from != p.to) {
            indeg[p.to] = indeg[p.to].saturating_sub(1);
        }
    }
    order
}

fn init_weights(init: &Initial, pre: usize, post: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let n = pre * post;
    match init {
        Initial::Value(v) => vec![*v as f32; n],
        Initial::Drawn(Init::Uniform(u)) => (0..n)
            .map(|_| (u.lo + (u.hi - u.lo) * rng.random::<f64>()) as f32)
            .collect(),
        Initial::Drawn(Init::Normal(g)) => (0..n)
            .map(|_| (g.mean + g.std * gaussian(rng)) as f32)
            .collect(),
        Initial::Drawn(Init::Constant(c)) => vec![c.value as f32; n],
        Initial::Drawn(Init::Glorot) => glorot(pre, post, rng),
        // Read from its file by `load_weights`, before this is called.
        Initial::Drawn(Init::Load(_)) => vec![0.0; n],
        // Drawn over the synapses that exist, by `chunk_weights`, after the mask.
        Initial::Drawn(Init::Chunks(c)) => vec![c.size as f32; n],
    }
}

/// Golden et al.'s input weights: every synapse holds one chunk, and each pre neuron hands
/// out `per_synapse` more chunks per synapse it has, each to one of its synapses at random.
fn chunk_weights(
    c: &bind::Chunks,
    mask: Option<&[f32]>,
    pre: usize,
    post: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f32> {
    let mut chunks = vec![0u32; pre * post];
    for i in 0..pre {
        let synapses: Vec<usize> = (0..post)
            .map(|j| j * pre + i)
            .filter(|&k| mask.is_none_or(|m| m[k] != 0.0))
            .collect();
        if synapses.is_empty() {
            continue;
        }
        synapses.iter().for_each(|&k| chunks[k] = 1);
        let extra = c.per_synapse.saturating_mul(synapses.len() as u64);
        for _ in 0..extra {
            let k = synapses[rng.random_range(0..synapses.len())];
            chunks[k] = chunks[k].saturating_add(1);
        }
    }
    chunks.iter().map(|&n| (c.size * n as f64) as f32).collect()
}

/// A `post × pre` weight matrix from a `.npy` file (float32 or float64).
fn load_weights(path: &Path, proj: &str, pre: usize, post: usize) -> Result<Vec<f32>, RunError> {
    use ndarray::Array2;
    use ndarray_npy::ReadNpyExt;
    let shown = path.display();
    let open = || {
        std::fs::File::open(path)
            .map_err(|e| RunError::new(Code::E401, format!("cannot read `{shown}`: {e}")))
    };
    let w: Array2<f32> = match Array2::<f32>::read_npy(open()?) {
        Ok(w) => w,
        Err(_) => Array2::<f64>::read_npy(open()?)
            .map(|w| w.mapv(|v| v as f32))
            .map_err(|e| {
                RunError::new(
                    Code::E402,
                    format!("`{shown}` is not a 2-D float32 or float64 .npy array: {e}"),
                )
            })?,
    };
    if w.dim() != (post, pre) {
        return Err(RunError::new(
            Code::E405,
            format!(
                "`{shown}` holds a {} × {} matrix; `{proj}` needs {post} × {pre} (post × pre)",
                w.dim().0,
                w.dim().1
            ),
        ));
    }
    if w.iter().any(|v| !v.is_finite()) {
        return Err(RunError::new(
            Code::E402,
            format!("`{shown}` holds values that are not finite"),
        ));
    }
    Ok(w.iter().copied().collect())
}

fn glorot(pre: usize, post: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let r = (6.0 / (pre + post) as f64).sqrt();
    (0..pre * post)
        .map(|_| (r * (2.0 * rng.random::<f64>() - 1.0)) as f32)
        .collect()
}

/// A standard normal draw (Box–Muller; one value per call keeps the stream simple).
pub fn gaussian(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The synapse mask of a connectivity (post × pre), `None` for dense.
fn connectivity(
    c: &Connectivity,
    pre: usize,
    post: usize,
    rng: &mut ChaCha8Rng,
) -> Option<Vec<f32>> {
    let mut m = vec![0.0f32; pre * post];
    match c {
        Connectivity::Dense => return None,
        Connectivity::Sparse(s) => {
            m.iter_mut()
                .for_each(|x| *x = if rng.random::<f64>() < s.p { 1.0 } else { 0.0 });
        }
        Connectivity::OneToOne => (0..pre.min(post)).for_each(|i| m[i * pre + i] = 1.0),
        Connectivity::AllButSelf => {
            m.iter_mut().for_each(|x| *x = 1.0);
            (0..pre.min(post)).for_each(|i| m[i * pre + i] = 0.0);
        }
        Connectivity::FixedIn(f) if f.balanced => balanced_fan_in(&mut m, f.k, pre, post, rng),
        Connectivity::FixedIn(f) => {
            let k = usize::try_from(f.k).unwrap_or(usize::MAX).min(pre);
            let mut idx: Vec<usize> = (0..pre).collect();
            for j in 0..post {
                // A partial Fisher–Yates shuffle picks k distinct inputs.
                for a in 0..k {
                    let b = rng.random_range(a..pre);
                    idx.swap(a, b);
                }
                idx[..k].iter().for_each(|&i| m[j * pre + i] = 1.0);
            }
        }
    }
    Some(m)
}

/// Exactly `k` distinct inputs per post neuron, and outputs spread evenly over the pre
/// neurons: each input is drawn among the pre neurons with the fewest outputs so far that
/// this post neuron does not use yet (Golden et al.'s generator fills the lowest first).
fn balanced_fan_in(m: &mut [f32], k: u64, pre: usize, post: usize, rng: &mut ChaCha8Rng) {
    let k = usize::try_from(k).unwrap_or(usize::MAX).min(pre);
    let mut outputs = vec![0usize; pre];
    let mut candidates = Vec::with_capacity(pre);
    for j in 0..post {
        let row = j * pre;
        for _ in 0..k {
            let free = |i: &usize| m[row + *i] == 0.0;
            let least = (0..pre).filter(free).map(|i| outputs[i]).min().unwrap_or(0);
            candidates.clear();
            candidates.extend((0..pre).filter(free).filter(|&i| outputs[i] == least));
            if candidates.is_empty() {
                break;
            }
            let i = candidates[rng.random_range(0..candidates.len())];
            m[row + i] = 1.0;
            outputs[i] += 1;
        }
    }
}
