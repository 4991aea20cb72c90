//! What a weight may become during a phase, and the synapse lists of sparse projections
//! that rules and propagation visit instead of the dense copy's holes.

/// What a weight may become during a phase: clipped into `[lo, hi]` (bounds and sign
/// constraint together) and kept at zero where the connectivity has no synapse.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub lo: f32,
    pub hi: f32,
    /// Pre-major (`i·post + j`), 1 where a synapse exists; `None` when dense, and when
    /// `synapses` lists them (every rule visits the lists then).
    pub mask: Option<Vec<f32>>,
    /// The existing synapses listed, for sparse masks (at most half the synapses exist).
    /// Propagation and rules then visit only these; the weights stay in the dense copy.
    pub synapses: Option<Synapses>,
}

/// The non-zero entries of a row-major `rows × cols` mask listed by row (`row_start`,
/// `col_of`: columns ascending) and by column (`col_start`, `row_of`: rows ascending, by a
/// counting sort of the row lists).
fn lists(mask: &[f32], rows: usize, cols: usize) -> (Vec<usize>, Vec<u32>, Vec<usize>, Vec<u32>) {
    let mut row_start = Vec::with_capacity(rows + 1);
    let mut col_of = Vec::new();
    row_start.push(0);
    for r in 0..rows {
        let row = &mask[r * cols..(r + 1) * cols];
        col_of.extend((0..cols as u32).filter(|&c| row[c as usize] != 0.0));
        row_start.push(col_of.len());
    }
    let mut col_start = vec![0usize; cols + 1];
    for &c in &col_of {
        col_start[c as usize + 1] += 1;
    }
    for c in 0..cols {
        col_start[c + 1] += col_start[c];
    }
    let mut next = col_start.clone();
    let mut row_of = vec![0u32; col_of.len()];
    for r in 0..rows {
        for &c in &col_of[row_start[r]..row_start[r + 1]] {
            row_of[next[c as usize]] = r as u32;
            next[c as usize] += 1;
        }
    }
    (row_start, col_of, col_start, row_of)
}

/// Spikes propagate through the synapse lists when at most 1 in this many synapses exist.
const PROPAGATE_SPARSER_THAN: usize = 16;

/// A sparse projection's existing synapses, by pre neuron and by post neuron (both in
/// ascending order, so visiting them is visiting the dense copy without its holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Synapses {
    pub pre: usize,
    pub post: usize,
    /// Whether spikes propagate through the lists. A dense row adds in SIMD lanes; the
    /// lists win only when few synapses exist.
    pub propagate: bool,
    /// The post neurons of pre neuron i: `post_of[pre_start[i]..pre_start[i + 1]]`.
    pre_start: Vec<usize>,
    post_of: Vec<u32>,
    /// The pre neurons of post neuron j: `pre_of[post_start[j]..post_start[j + 1]]`.
    post_start: Vec<usize>,
    pre_of: Vec<u32>,
}

impl Synapses {
    /// From a post-major mask (`j·pre + i`, a projection's own layout): no transposed
    /// copy of the mask is made.
    pub fn of_post_major(mask: &[f32], pre: usize, post: usize) -> Synapses {
        let (post_start, pre_of, pre_start, post_of) = lists(mask, post, pre);
        Synapses {
            pre,
            post,
            propagate: post_of.len() * PROPAGATE_SPARSER_THAN <= pre * post,
            pre_start,
            post_of,
            post_start,
            pre_of,
        }
    }

    /// Where pre neuron `i`'s synapses start in the lists (the position of its first post
    /// neuron in [`Synapses::posts`] order, counted over all pre neurons).
    #[inline(always)]
    pub fn start(&self, i: usize) -> usize {
        self.pre_start[i]
    }

    /// The number of synapses.
    pub fn count(&self) -> usize {
        self.post_of.len()
    }

    /// The post neurons pre neuron `i` reaches, ascending.
    #[inline(always)]
    pub fn posts(&self, i: usize) -> &[u32] {
        &self.post_of[self.pre_start[i]..self.pre_start[i + 1]]
    }

    /// The pre neurons reaching post neuron `j`, ascending.
    #[inline(always)]
    pub fn pres(&self, j: usize) -> &[u32] {
        &self.pre_of[self.post_start[j]..self.post_start[j + 1]]
    }

    /// Every synapse's pre-major index `i·post + j`, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.pre).flat_map(move |i| {
            self.posts(i)
                .iter()
                .map(move |&j| i * self.post + j as usize)
        })
    }

    /// The pre-major indices of post neuron `j`'s synapses, ascending.
    pub fn column(&self, j: usize) -> impl Iterator<Item = usize> + '_ {
        self.pres(j)
            .iter()
            .map(move |&i| i as usize * self.post + j)
    }
}

impl Limits {
    pub fn of(p: &crate::engine::network::Projection) -> Limits {
        let (mut lo, mut hi) = p.bounds.unwrap_or((f32::NEG_INFINITY, f32::INFINITY));
        match p.sign {
            crate::engine::network::Sign::Excitatory => lo = lo.max(0.0),
            crate::engine::network::Sign::Inhibitory => hi = hi.min(0.0),
            crate::engine::network::Sign::Any => {}
        }
        // Lists only pay off when sparse, and are exact only when the missing synapses hold
        // zero weights (constrain() keeps them so; a hand-set network might not).
        let synapses = p.mask.as_ref().and_then(|m| {
            let existing = m.iter().filter(|&&x| x != 0.0).count();
            let holes_zero = m.iter().zip(&p.w).all(|(&m, &w)| m != 0.0 || w == 0.0);
            (existing * 2 <= m.len() && holes_zero)
                .then(|| Synapses::of_post_major(m, p.pre, p.post))
        });
        // The lists stand for the mask; a dense pre-major copy only for the others.
        let mask = match (&p.mask, &synapses) {
            (Some(m), None) => Some(crate::engine::sleep::transpose(m, p.post, p.pre)),
            _ => None,
        };
        Limits {
            lo,
            hi,
            mask,
            synapses,
        }
    }

    #[inline(always)]
    pub(super) fn exists(&self, k: usize) -> bool {
        self.mask.as_ref().is_none_or(|m| m[k] != 0.0)
    }
}
