//! Keeping totals in place: input and output balancing, spike-rate adaptation.
//!
//! Ports of C++ `init_balancing`, `input_balancing` (the multiplicative kind),
//! `output_balancing` and `spike_rate_adaptation`. The C++ `output_balancing` has a
//! multiplicative part that never runs (its iterator is already at the end), so what it
//! does — and what this does — is recompute every cell's `output_sum` and set the
//! inhibitory weights from the mean excitatory outgoing weight.

use super::agent::Agent;
use super::spec::{AdaptBy, AdaptSpec, OutputBalanceSpec};

/// The floor input balancing keeps a weight above (C++ 0.00001).
const FLOOR: f64 = 0.00001;

/// C++ `init_balancing`: each cell's input target is its summed positive input, its
/// negative inputs remember their share of it, its output target is its summed positive
/// output; then the output sums.
pub fn init_balancing(a: &mut Agent) {
    let n = a.x.len();
    for c in 0..n {
        let mut sum = 0.0;
        for k in a.inputs(c) {
            let w = a.w[a.in_syn[k] as usize];
            if w > 0.0 {
                sum += w;
            }
        }
        a.input_target[c] = sum;
        for k in a.inputs(c) {
            let s = a.in_syn[k] as usize;
            if a.w[s] < 0.0 {
                a.relative_inhib[s] = a.w[s] / sum;
            }
        }
        let mut out = 0.0;
        for s in a.outputs(c) {
            if a.w[s] > 0.0 {
                out += a.w[s];
            }
        }
        a.output_target[c] = out;
    }
    balance_outputs(a, None);
}

/// C++ `output_balancing` as it runs: every cell's `output_sum` (its positive unfrozen
/// outgoing weights); with `inhibitory`, that projection's negative weights from the
/// cell become `−mean / cells_per_group` (skipped for a cell with no positive output,
/// where the C++ would write NaN).
pub fn balance_outputs(a: &mut Agent, inhibitory: Option<&OutputBalanceSpec>) {
    for c in 0..a.x.len() {
        let (mut sum, mut n) = (0.0, 0u32);
        for s in a.outputs(c) {
            if a.w[s] > 0.0 && !a.frozen[s] {
                sum += a.w[s];
                n += 1;
            }
        }
        a.output_sum[c] = sum;
        let Some(spec) = inhibitory else { continue };
        if n == 0 || spec.cells_per_group == 0 {
            continue;
        }
        let mean = sum / n as f64;
        for s in a.outputs(c) {
            if a.conn_of[s] as usize == spec.inhibitory && a.w[s] < 0.0 {
                a.w[s] = -mean / spec.cells_per_group as f64;
            }
        }
    }
}

/// C++ `input_balancing` (multiplicative): every post cell of the listed projections has
/// its positive unfrozen inputs (in them) scaled so they sum to its input target minus
/// its frozen ones; its negative inputs there go back to their share of the target.
pub fn balance_inputs(a: &mut Agent, conns: &[usize]) {
    let listed = |c: u32| conns.contains(&(c as usize));
    // Only the post cells of listed projections can change.
    for p in 0..a.pops.len() {
        let post_of_listed = conns
            .iter()
            .any(|&i| a.conns.get(i).is_some_and(|c| c.to == p));
        if post_of_listed {
            for c in a.range(p) {
                balance_cell(a, c, &listed);
            }
        }
    }
}

fn balance_cell(a: &mut Agent, c: usize, listed: &impl Fn(u32) -> bool) {
    let (mut input_sum, mut freeze_sum, mut any) = (0.0, 0.0, false);
    for k in a.inputs(c) {
        let s = a.in_syn[k] as usize;
        if !listed(a.conn_of[s]) {
            continue;
        }
        any = true;
        if a.w[s] > 0.0 && !a.frozen[s] {
            input_sum += a.w[s];
        } else if a.w[s] > 0.0 {
            freeze_sum += a.w[s];
        }
    }
    if !any {
        return;
    }
    let target = a.input_target[c];
    for k in a.inputs(c) {
        let s = a.in_syn[k] as usize;
        if !listed(a.conn_of[s]) {
            continue;
        }
        if a.w[s] > 0.0 && !a.frozen[s] {
            a.w[s] *= (target - freeze_sum) / input_sum;
            if a.w[s] < FLOOR {
                a.w[s] = FLOOR;
            }
        }
        if a.w[s] < 0.0 {
            let v = a.relative_inhib[s] * target;
            if v.is_finite() {
                a.w[s] = v;
            }
        }
    }
}

/// C++ `spike_rate_adaptation` for one population: the smoothed rate follows the spikes
/// since the last adaptation, the cell is nudged toward the target, the count restarts.
/// Cells with at most one input are relays and are left alone (count included).
pub fn adapt(a: &mut Agent, spec: &AdaptSpec) {
    if spec.pop >= a.pops.len() {
        return;
    }
    for c in a.range(spec.pop) {
        if a.inputs(c).len() <= 1 {
            continue;
        }
        let r = a.spike_rate[c] * (1.0 - spec.smoothing) + a.move_spikes[c] as f64 * spec.smoothing;
        a.spike_rate[c] = r;
        match spec.by {
            AdaptBy::Resistance => {
                if r > spec.target {
                    a.resistance[c] *= 1.0 + spec.rate;
                }
                if r < spec.target {
                    a.resistance[c] *= 1.0 - spec.rate;
                }
            }
            AdaptBy::InputTarget => {
                if r > spec.target {
                    a.input_target[c] *= 1.0 - spec.rate;
                }
                if r < spec.target {
                    a.input_target[c] *= 1.0 + spec.rate;
                }
            }
            AdaptBy::Track => {}
        }
        a.move_spikes[c] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::forage::spec::{ConnSpec, NetSpec, PopSpec};

    /// Pre cells 0, 1 and a group of 8 output cells; 0→o0 0.2, 1→o0 0.6 (exc),
    /// 0→o0 −0.1, 1→o0 −0.1 (inh), 0→o1 0.4 (exc).
    fn net() -> Agent {
        let pop = |name: &str, size| PopSpec {
            name: name.into(),
            size,
            model: None,
        };
        Agent::new(&NetSpec {
            pops: vec![pop("pre", 2), pop("out", 8)],
            conns: vec![
                ConnSpec {
                    name: "exc".into(),
                    from: 0,
                    to: 1,
                    synapses: vec![(0, 0, 0.2), (1, 0, 0.6), (0, 1, 0.4)],
                },
                ConnSpec {
                    name: "inh".into(),
                    from: 0,
                    to: 1,
                    synapses: vec![(0, 0, -0.1), (1, 0, -0.1)],
                },
            ],
            input: 0,
            output: 1,
            actions: 8,
        })
        .unwrap()
    }

    #[test]
    fn init_balancing_by_hand() {
        let a = net();
        assert_eq!(a.input_target[2], 0.2 + 0.6);
        assert_eq!(a.input_target[3], 0.4);
        assert_eq!(a.output_target[0], 0.2 + 0.4);
        assert_eq!(a.output_target[1], 0.6);
        assert_eq!(a.output_sum[0], 0.2 + 0.4);
        let inh = a.conns[1].syns[0] as usize;
        assert_eq!(a.relative_inhib[inh], -0.1 / (0.2 + 0.6));
    }

    #[test]
    fn input_balancing_scales_back_to_the_target() {
        let mut a = net();
        let (s0, s1) = (a.conns[0].syns[0] as usize, a.conns[0].syns[1] as usize);
        let inh = a.conns[1].syns[0] as usize;
        a.w[s0] = 0.4; // grew
        a.w[inh] = -0.5; // anything; goes back to its share
        balance_inputs(&mut a, &[0, 1]);
        let f = (0.8f64 - 0.0) / (0.4 + 0.6);
        assert_eq!(a.w[s0], 0.4 * f);
        assert_eq!(a.w[s1], 0.6 * f);
        assert_eq!(a.w[inh], (-0.1 / 0.8) * 0.8);
        // A frozen input keeps its weight and counts against the target.
        a.frozen[s1] = true;
        a.w[s0] = 0.1;
        balance_inputs(&mut a, &[0]);
        assert_eq!(a.w[s0], 0.1 * ((0.8 - 0.6 * f) / 0.1));
        assert_eq!(a.w[s1], 0.6 * f);
    }

    #[test]
    fn output_balancing_sets_inhibition_from_the_mean() {
        let mut a = net();
        let spec = OutputBalanceSpec {
            inhibitory: 1,
            cells_per_group: 2,
        };
        balance_outputs(&mut a, Some(&spec));
        let (i0, i1) = (a.conns[1].syns[0] as usize, a.conns[1].syns[1] as usize);
        assert_eq!(a.w[i0], -((0.2 + 0.4) / 2.0) / 2.0);
        assert_eq!(a.w[i1], -(0.6 / 1.0) / 2.0);
        assert_eq!(a.output_sum[1], 0.6);
    }

    #[test]
    fn adaptation_moves_resistance_and_input_target() {
        let mut a = net();
        a.move_spikes[2] = 3; // out cell 0: 2 inputs... (exc 2 + inh 2 = 4)
        a.move_spikes[3] = 3; // out cell 1: a relay (1 input): untouched
        let spec = AdaptSpec {
            pop: 1,
            target: 0.5,
            by: AdaptBy::Resistance,
            rate: 1e-5,
            smoothing: 1e-4,
        };
        adapt(&mut a, &spec);
        assert_eq!(a.spike_rate[2], 0.0 * (1.0 - 1e-4) + 3.0 * 1e-4);
        assert_eq!(a.resistance[2], 1.0 - 1e-5); // 3e-4 < 0.5
        assert_eq!(a.move_spikes[2], 0);
        assert_eq!((a.spike_rate[3], a.move_spikes[3]), (0.0, 3));
        a.spike_rate[2] = 0.7;
        let by_target = AdaptSpec {
            by: AdaptBy::InputTarget,
            ..spec
        };
        adapt(&mut a, &by_target);
        assert_eq!(a.input_target[2], 0.8 * (1.0 - 1e-5));
        let track = AdaptSpec {
            by: AdaptBy::Track,
            ..spec
        };
        a.move_spikes[2] = 5;
        adapt(&mut a, &track);
        assert_eq!(a.input_target[2], 0.8 * (1.0 - 1e-5));
        assert_eq!(a.move_spikes[2], 0);
    }
}
