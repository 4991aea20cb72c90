//! Eligibility traces and spike logs (C++ `Connection::trace`, `Cell::spike_log`).
//!
//! A trace is `(time, magnitude)` left on a synapse when its pre and post cells fire
//! within `window` steps of each other; the reward at a move reads the traces younger
//! than `memory`. Each synapse keeps its traces in push order (times never decrease), so
//! old ones leave from the front. The queues keep their capacity: once warm, recording
//! allocates nothing.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One trace: when it was made and its signed magnitude.
pub type Trace = (u64, f64);

/// The STDP shape a projection records with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TraceParams {
    pub scale: f64,
    pub tau: f64,
    pub window: u32,
    pub memory: u32,
}

/// `scale · exp(−Δ/τ)` in the C++ order (`exp(-(t - pre) / STDP_tau)`).
#[inline]
fn magnitude(p: &TraceParams, dt: u64) -> f64 {
    p.scale * (-(dt as f64) / p.tau).exp()
}

/// C++ `clean_trace`: drop traces older than `memory` steps.
#[inline]
pub fn clean(traces: &mut VecDeque<Trace>, now: u64, memory: u32) {
    while traces
        .front()
        .is_some_and(|&(t, _)| now.saturating_sub(t) > memory as u64)
    {
        traces.pop_front();
    }
}

/// The post cell fired at `now`: a pre→post trace for every logged pre spike closer than
/// `window` (C++ `add_pre_post_stdp_trace` over the pre cell's spike log).
#[inline]
pub fn pre_post(traces: &mut VecDeque<Trace>, now: u64, pre_log: &VecDeque<u64>, p: &TraceParams) {
    for &s in pre_log {
        let dt = now.saturating_sub(s);
        if dt < p.window as u64 {
            traces.push_back((now, magnitude(p, dt)));
        }
    }
}

/// The pre cell fired at `now`: a post→pre (negative) trace for every logged post spike
/// closer than `window` (C++ `add_post_pre_stdp_trace`, scale `-stdp_scale`).
#[inline]
pub fn post_pre(traces: &mut VecDeque<Trace>, now: u64, post_log: &VecDeque<u64>, p: &TraceParams) {
    for &s in post_log {
        let dt = now.saturating_sub(s);
        if dt < p.window as u64 {
            traces.push_back((now, -p.scale * (-(dt as f64) / p.tau).exp()));
        }
    }
}

/// C++ `clean_spike_log` then `push_back`: a cell fired at `now`; spikes more than
/// `keep` steps old leave its log first.
#[inline]
pub fn log_spike(log: &mut VecDeque<u64>, now: u64, keep: u64) {
    while log.front().is_some_and(|&t| now.saturating_sub(t) > keep) {
        log.pop_front();
    }
    log.push_back(now);
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: TraceParams = TraceParams {
        scale: 0.4,
        tau: 40.0,
        window: 120,
        memory: 3600,
    };

    #[test]
    fn pre_then_post_leaves_a_positive_trace() {
        let mut log = VecDeque::new();
        log_spike(&mut log, 10, 120);
        let mut tr = VecDeque::new();
        pre_post(&mut tr, 30, &log, &P);
        assert_eq!(tr.len(), 1);
        assert_eq!(tr[0].0, 30);
        assert_eq!(tr[0].1.to_bits(), (0.4 * (-20.0f64 / 40.0).exp()).to_bits());
    }

    #[test]
    fn post_then_pre_leaves_a_negative_trace() {
        let mut log = VecDeque::new();
        log_spike(&mut log, 100, 120);
        let mut tr = VecDeque::new();
        post_pre(&mut tr, 107, &log, &P);
        assert_eq!(tr.len(), 1);
        assert_eq!(tr[0].1.to_bits(), (-0.4 * (-7.0f64 / 40.0).exp()).to_bits());
    }

    #[test]
    fn pairs_a_window_apart_leave_none() {
        let mut log = VecDeque::new();
        log_spike(&mut log, 0, 120);
        log_spike(&mut log, 1, 120);
        let mut tr = VecDeque::new();
        pre_post(&mut tr, 120, &log, &P); // Δ 120: none; Δ 119: one
        assert_eq!(tr.len(), 1);
        assert_eq!(
            tr[0].1.to_bits(),
            (0.4 * (-119.0f64 / 40.0).exp()).to_bits()
        );
        post_pre(&mut tr, 500, &log, &P);
        assert_eq!(tr.len(), 1);
    }

    #[test]
    fn same_step_pairs_give_the_full_scale() {
        let mut log = VecDeque::new();
        log_spike(&mut log, 42, 120);
        let mut tr = VecDeque::new();
        pre_post(&mut tr, 42, &log, &P);
        assert_eq!(tr[0].1, 0.4);
    }

    #[test]
    fn old_traces_and_old_spikes_are_dropped() {
        let mut tr: VecDeque<Trace> = [(0, 0.1), (100, 0.2), (3700, 0.3)].into();
        clean(&mut tr, 3700, 3600); // age 3700 > 3600 goes, age 3600 stays
        assert_eq!(tr.iter().map(|t| t.0).collect::<Vec<_>>(), vec![100, 3700]);
        clean(&mut tr, 3701, 3600);
        assert_eq!(tr.len(), 1);
        let mut log: VecDeque<u64> = [0, 5, 100].into();
        log_spike(&mut log, 125, 120); // 0 is 125 old (goes), 5 is 120 old (stays)
        assert_eq!(log, VecDeque::from([5, 100, 125]));
    }
}
