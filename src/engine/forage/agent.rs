//! The agent: everything that persists from one phase to the next.
//!
//! Cells are stored as columns (one `Vec<f64>` per state variable, all populations end
//! to end), synapses once in pre-major order (CSR: a firing cell's outgoing synapses are
//! contiguous, so delivery is a linear walk) with a post-major index for the loops that
//! go over a cell's inputs (STDP pairing, input balancing). Traces and spike logs live
//! here too, so consecutive phases chain like consecutive C++ stages.

use super::homeostasis;
use super::spec::{NetSpec, OutputBalanceSpec, Rulkov};
use super::traces::{Trace, TraceParams};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// A population's place among the cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pop {
    pub name: String,
    pub start: usize,
    pub size: usize,
    pub model: Rulkov,
}

/// A projection: its populations and where its synapses went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Conn {
    pub name: String,
    pub from: usize,
    pub to: usize,
    /// The pre-major position of the spec's synapse `k`.
    pub syns: Vec<u32>,
    /// The same positions in increasing order, for the loops where order does not matter.
    pub sorted: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Agent {
    pub(crate) pops: Vec<Pop>,
    pub(crate) conns: Vec<Conn>,
    pub(crate) input_pop: usize,
    pub(crate) output_pop: usize,
    pub(crate) actions: usize,
    // Cells (global index = pop.start + local).
    pub(crate) x: Vec<f64>,
    pub(crate) x_prev: Vec<f64>,
    pub(crate) x_prev2: Vec<f64>,
    pub(crate) u: Vec<f64>,
    pub(crate) input: Vec<f64>,
    pub(crate) resistance: Vec<f64>,
    pub(crate) input_target: Vec<f64>,
    pub(crate) output_target: Vec<f64>,
    pub(crate) output_sum: Vec<f64>,
    pub(crate) spike_rate: Vec<f64>,
    /// Spikes since the cell's rate was last adapted (C++ `epoch_spikes`).
    pub(crate) move_spikes: Vec<u32>,
    /// PSP noise of each cell (its population's `psp_noise`).
    pub(crate) noise: Vec<f64>,
    // Synapses, pre-major.
    pub(crate) out_start: Vec<u32>,
    pub(crate) w: Vec<f64>,
    pub(crate) pre: Vec<u32>,
    pub(crate) post: Vec<u32>,
    pub(crate) conn_of: Vec<u32>,
    pub(crate) frozen: Vec<bool>,
    pub(crate) relative_inhib: Vec<f64>,
    pub(crate) trace_average: Vec<f64>,
    pub(crate) traces: Vec<VecDeque<Trace>>,
    // Post-major index: `in_syn[in_start[c]..in_start[c + 1]]` are cell c's inputs in
    // projection order, then spec order (the C++ `in_connections` order).
    pub(crate) in_start: Vec<u32>,
    pub(crate) in_syn: Vec<u32>,
    pub(crate) spike_log: Vec<VecDeque<u64>>,
    /// How each projection records traces; `None` until a learning phase makes it plastic.
    pub(crate) trace_params: Vec<Option<TraceParams>>,
    /// Spike-log horizon (C++ `spike_mem`): the widest pairing window in use.
    pub(crate) log_keep: u64,
    // The critter.
    pub(crate) pos: (usize, usize),
    pub(crate) dir: (i32, i32),
    pub(crate) hunger: u64,
    pub(crate) votes: Vec<u32>,
    /// Side of the last world seen, for wrapping moves in an empty world (C++ 50).
    pub(crate) arena: usize,
    /// Steps run so far (C++ `ctime` of the next step).
    pub(crate) step: u64,
    /// The last rewarded (true) or punished pairs eaten, oldest first, at most a phase's
    /// `last_n`: the performance window, carried from one wake phase to the next (the C++
    /// keeps its ring buffer through a stage, across the sleep aeons of an interleaved one).
    #[serde(default)]
    pub(crate) recent: VecDeque<bool>,
}

/// The most cells an agent may have (the paper's has 841).
pub const MAX_CELLS: usize = 1 << 24;

fn check_model(name: &str, m: &Rulkov) -> Result<(), String> {
    let all = [
        m.alpha,
        m.sigma,
        m.mu,
        m.beta,
        m.decay,
        m.psp_noise,
        m.x0,
        m.u0,
    ];
    if all.iter().any(|v| !v.is_finite()) {
        return Err(format!(
            "population `{name}`: a Rulkov parameter is not finite"
        ));
    }
    if !(0.0..=1.0).contains(&m.psp_noise) {
        return Err(format!(
            "population `{name}`: psp_noise {} is not in [0, 1]",
            m.psp_noise
        ));
    }
    Ok(())
}

impl Agent {
    /// Build the network at rest and balance it (C++ `read_network` + `init_balancing`).
    pub fn new(spec: &NetSpec) -> Result<Agent, String> {
        let mut pops = Vec::with_capacity(spec.pops.len());
        let mut start = 0usize;
        for p in &spec.pops {
            if p.size == 0 {
                return Err(format!("population `{}` has no cells", p.name));
            }
            let model = p.model.unwrap_or_default();
            check_model(&p.name, &model)?;
            pops.push(Pop {
                name: p.name.clone(),
                start,
                size: p.size,
                model,
            });
            start = start.checked_add(p.size).ok_or("too many cells")?;
        }
        let n = start;
        if n > MAX_CELLS {
            return Err(format!("{n} cells are too many (at most {MAX_CELLS})"));
        }
        for (what, i) in [("input", spec.input), ("output", spec.output)] {
            if i >= pops.len() {
                return Err(format!("the {what} population {i} does not exist"));
            }
        }
        if spec.actions != 8 {
            return Err(format!(
                "{} actions: the agent moves in 8 directions",
                spec.actions
            ));
        }
        if pops[spec.output].size % spec.actions != 0 {
            return Err(format!(
                "{} output cells do not split into {} equal groups",
                pops[spec.output].size, spec.actions
            ));
        }
        // All synapses in spec order, checked.
        let mut all: Vec<(u32, u32, f64, u32)> = Vec::new();
        for (c, conn) in spec.conns.iter().enumerate() {
            let (Some(from), Some(to)) = (pops.get(conn.from), pops.get(conn.to)) else {
                return Err(format!(
                    "projection `{}` names a missing population",
                    conn.name
                ));
            };
            for &(i, j, w) in &conn.synapses {
                if i as usize >= from.size || j as usize >= to.size {
                    return Err(format!(
                        "projection `{}`: synapse ({i}, {j}) is outside {}×{}",
                        conn.name, from.size, to.size
                    ));
                }
                if !w.is_finite() {
                    return Err(format!(
                        "projection `{}`: weight {w} is not finite",
                        conn.name
                    ));
                }
                all.push((
                    (from.start + i as usize) as u32,
                    (to.start + j as usize) as u32,
                    w,
                    c as u32,
                ));
            }
        }
        if all.len() >= u32::MAX as usize {
            return Err("too many synapses".into());
        }
        // Pre-major order, stable: a cell's outputs in projection order, then spec order.
        let mut order: Vec<u32> = (0..all.len() as u32).collect();
        order.sort_by_key(|&g| all[g as usize].0);
        let mut pos_of = vec![0u32; all.len()];
        for (p, &g) in order.iter().enumerate() {
            pos_of[g as usize] = p as u32;
        }
        let mut out_start = vec![0u32; n + 1];
        for &(i, _, _, _) in &all {
            out_start[i as usize + 1] += 1;
        }
        for c in 0..n {
            out_start[c + 1] += out_start[c];
        }
        let pre: Vec<u32> = order.iter().map(|&g| all[g as usize].0).collect();
        let post: Vec<u32> = order.iter().map(|&g| all[g as usize].1).collect();
        let conn_of: Vec<u32> = order.iter().map(|&g| all[g as usize].3).collect();
        let w: Vec<f64> = order.iter().map(|&g| all[g as usize].2).collect();
        // Post-major index, stable in spec order.
        let mut by_post: Vec<u32> = (0..all.len() as u32).collect();
        by_post.sort_by_key(|&g| all[g as usize].1);
        let in_syn: Vec<u32> = by_post.iter().map(|&g| pos_of[g as usize]).collect();
        let mut in_start = vec![0u32; n + 1];
        for &(_, j, _, _) in &all {
            in_start[j as usize + 1] += 1;
        }
        for c in 0..n {
            in_start[c + 1] += in_start[c];
        }
        let mut conns = Vec::with_capacity(spec.conns.len());
        let mut g = 0usize;
        for conn in &spec.conns {
            let syns = pos_of[g..g + conn.synapses.len()].to_vec();
            g += conn.synapses.len();
            let mut sorted = syns.clone();
            sorted.sort_unstable();
            conns.push(Conn {
                name: conn.name.clone(),
                from: conn.from,
                to: conn.to,
                syns,
                sorted,
            });
        }
        let per_cell = |f: &dyn Fn(&Rulkov) -> f64| -> Vec<f64> {
            pops.iter()
                .flat_map(|p| std::iter::repeat_n(f(&p.model), p.size))
                .collect()
        };
        let m = all.len();
        let mut agent = Agent {
            x: per_cell(&|m| m.x0),
            x_prev: per_cell(&|m| m.x0),
            x_prev2: per_cell(&|m| m.x0),
            u: per_cell(&|m| m.u0),
            noise: per_cell(&|m| m.psp_noise),
            input: vec![0.0; n],
            resistance: vec![1.0; n],
            input_target: vec![0.0; n],
            output_target: vec![0.0; n],
            output_sum: vec![0.0; n],
            spike_rate: vec![0.0; n],
            move_spikes: vec![0; n],
            out_start,
            w,
            pre,
            post,
            conn_of,
            frozen: vec![false; m],
            relative_inhib: vec![0.0; m],
            trace_average: vec![0.0; m],
            traces: vec![VecDeque::new(); m],
            in_start,
            in_syn,
            spike_log: vec![VecDeque::new(); n],
            trace_params: vec![None; conns.len()],
            log_keep: 120,
            pos: (0, 0),
            dir: (1, 1),
            hunger: 0,
            votes: vec![0; spec.actions],
            arena: 50,
            step: 0,
            recent: VecDeque::new(),
            pops,
            conns,
            input_pop: spec.input,
            output_pop: spec.output,
            actions: spec.actions,
        };
        homeostasis::init_balancing(&mut agent);
        Ok(agent)
    }

    /// C++ `init_balancing`'s last part: set the inhibitory projection from the excitatory
    /// weights now, before the first move (a learning move does it again every time).
    /// Starts a fresh performance window (a new environment, or a test on a copy).
    pub fn forget_recent(&mut self) {
        self.recent.clear();
    }

    pub fn balance_outputs(&mut self, spec: &OutputBalanceSpec) -> Result<(), String> {
        if spec.inhibitory >= self.conns.len() || spec.cells_per_group == 0 {
            return Err("output balancing: no such projection or no cells per group".into());
        }
        homeostasis::balance_outputs(self, Some(spec));
        Ok(())
    }

    /// A projection's weights `(pre, post, w)`, local indices, in the spec's order.
    pub fn weights(&self, conn: usize) -> Vec<(u32, u32, f64)> {
        let Some(c) = self.conns.get(conn) else {
            return Vec::new();
        };
        let (a, b) = (self.pops[c.from].start as u32, self.pops[c.to].start as u32);
        c.syns
            .iter()
            .map(|&s| {
                let s = s as usize;
                (self.pre[s] - a, self.post[s] - b, self.w[s])
            })
            .collect()
    }

    /// Freeze (true) or thaw a projection's synapses, in the spec's order (C++ `freeze`).
    pub fn set_frozen(&mut self, conn: usize, mask: &[bool]) -> Result<(), String> {
        let c = self
            .conns
            .get(conn)
            .ok_or(format!("no projection {conn}"))?;
        if mask.len() != c.syns.len() {
            return Err(format!(
                "{} flags for {} synapses",
                mask.len(),
                c.syns.len()
            ));
        }
        for (&s, &f) in c.syns.iter().zip(mask) {
            self.frozen[s as usize] = f;
        }
        Ok(())
    }

    /// Steps run so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The critter's grid position.
    pub fn position(&self) -> (usize, usize) {
        self.pos
    }

    /// Place the critter (it starts at (0, 0), as in C++).
    pub fn set_position(&mut self, x: usize, y: usize) {
        self.pos = (x, y);
    }

    /// The last move's direction `(dx, dy)` (starts (1, 1)).
    pub fn direction(&self) -> (i32, i32) {
        self.dir
    }

    /// Moves since the critter last ate task-relevant food.
    pub fn hunger(&self) -> u64 {
        self.hunger
    }

    fn column<'a>(&self, col: &'a [f64], pop: usize) -> &'a [f64] {
        match self.pops.get(pop) {
            Some(p) => &col[p.start..p.start + p.size],
            None => &[],
        }
    }

    /// A population's resistances (adapted on output cells).
    pub fn resistance(&self, pop: usize) -> &[f64] {
        self.column(&self.resistance, pop)
    }

    /// A population's input targets (balanced to; adapted on hidden cells).
    pub fn input_target(&self, pop: usize) -> &[f64] {
        self.column(&self.input_target, pop)
    }

    /// A population's smoothed spike rates (spikes per move).
    pub fn spike_rate(&self, pop: usize) -> &[f64] {
        self.column(&self.spike_rate, pop)
    }

    /// Global cell range of a population.
    pub(crate) fn range(&self, pop: usize) -> std::ops::Range<usize> {
        let p = &self.pops[pop];
        p.start..p.start + p.size
    }

    /// Cell `c`'s incoming synapses (pre-major positions).
    #[inline]
    pub(crate) fn inputs(&self, c: usize) -> std::ops::Range<usize> {
        self.in_start[c] as usize..self.in_start[c + 1] as usize
    }

    /// Cell `c`'s outgoing synapses (pre-major positions).
    #[inline]
    pub(crate) fn outputs(&self, c: usize) -> std::ops::Range<usize> {
        self.out_start[c] as usize..self.out_start[c + 1] as usize
    }
}
