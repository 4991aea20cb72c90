//! Dopamine at a move: the traces of a projection become weight changes.
//!
//! A port of C++ `apply_STDP_traces` for one projection. Per synapse: the trace sum
//! (each trace divided by its age plus one move, so recent spikes do not dominate), a
//! slow average of it, then one multiplicative change per trace, in trace order, scaled
//! by the pre cell's output balance `output_target / output_sum` (the sums of the last
//! balancing, as in C++), then the bounds. Negative and frozen synapses are left alone.

use super::agent::Agent;
use super::spec::StdpSpec;
use super::traces;

/// Apply dopamine `dopamine` at step `now` to the projection of `spec`.
pub fn apply(a: &mut Agent, spec: &StdpSpec, dopamine: f64, now: u64, steps_per_move: u32) {
    let Some(conn) = a.conns.get(spec.conn) else {
        return;
    };
    let spm = steps_per_move as u64;
    // Synapses are independent here: walk them in memory order.
    for &s in &conn.sorted {
        let s = s as usize;
        let tr = &mut a.traces[s];
        traces::clean(tr, now, spec.memory);
        if a.w[s] < 0.0 || a.frozen[s] {
            continue;
        }
        let age = |t: u64| (now.saturating_sub(t) + spm) as f64;
        let (front, back) = tr.as_slices();
        let mut sumtr = 0.0;
        for &(t, mag) in front.iter().chain(back) {
            sumtr += mag * 1.0 / age(t);
        }
        let mut avg = a.trace_average[s] * (1.0 - spec.average_rate) + spec.average_rate * sumtr;
        if (0.0..1e-10).contains(&avg) {
            avg = 1e-10;
        }
        if avg < 0.0 && avg > -1e-10 {
            avg = -1e-10;
        }
        a.trace_average[s] = avg;
        let mut w = a.w[s];
        if !tr.is_empty() {
            let pre = a.pre[s] as usize;
            let balancing = if a.output_sum[pre] != 0.0 {
                a.output_target[pre] / a.output_sum[pre]
            } else {
                0.0
            };
            for &(t, mag) in front.iter().chain(back) {
                let stdp_dt = mag * 1.0 / age(t);
                let mut delta = if spec.modulated {
                    stdp_dt * dopamine * sumtr / avg
                } else {
                    stdp_dt
                };
                if delta > spec.clip {
                    delta = spec.clip;
                }
                if delta < -spec.clip {
                    delta = -spec.clip;
                }
                w *= 1.0 + balancing * delta;
            }
        }
        if spec.modulated {
            if w > spec.w_max {
                w = spec.w_max;
            }
        } else if w > spec.w_max {
            w = spec.w_max * a.resistance[a.post[s] as usize];
        }
        if w <= spec.w_min {
            w = spec.w_min;
        }
        a.w[s] = w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::forage::spec::{ConnSpec, NetSpec, PopSpec};

    fn one_synapse(w: f64) -> Agent {
        let pop = |name: &str, size| PopSpec {
            name: name.into(),
            size,
            model: None,
        };
        Agent::new(&NetSpec {
            pops: vec![pop("pre", 1), pop("out", 8)],
            conns: vec![ConnSpec {
                name: "c".into(),
                from: 0,
                to: 1,
                synapses: vec![(0, 0, w), (0, 1, 0.3)],
            }],
            input: 0,
            output: 1,
            actions: 8,
        })
        .unwrap()
    }

    fn spec(modulated: bool) -> StdpSpec {
        StdpSpec {
            conn: 0,
            modulated,
            scale: 0.4,
            tau: 40.0,
            window: 120,
            memory: 3600,
            clip: 0.01,
            w_min: 1e-5,
            w_max: 1.0,
            average_rate: 0.001,
        }
    }

    #[test]
    fn one_trace_with_dopamine_one() {
        let mut a = one_synapse(0.1);
        let s = a.conns[0].syns[0] as usize;
        let mag = 0.4 * (-20.0f64 / 40.0).exp();
        a.traces[s].push_back((1000, mag));
        // The pre's outputs are balanced to their target: b = 0.4 / 0.4.
        a.output_sum[0] = 0.5; // pretend the last balancing saw more: b = 0.4 / 0.5
        apply(&mut a, &spec(true), 1.0, 1200, 600);
        let sumtr = mag / 800.0;
        let avg = 0.001 * sumtr; // from 0
        assert_eq!(a.trace_average[s], 0.0 * 0.999 + avg);
        // delta = stdp_dt·D·sumtr/avg = sumtr·sumtr/(0.001·sumtr) = 1000·sumtr > 0.01: clipped.
        assert!(sumtr * 1.0 * sumtr / avg > 0.01);
        assert_eq!(a.w[s], 0.1 * (1.0 + (0.4 / 0.5) * 0.01));
        // A second move: the trace has aged, the average has memory.
        let w1 = a.w[s];
        apply(&mut a, &spec(true), -0.001, 1800, 600);
        let sumtr2 = mag / 1400.0;
        let avg2 = avg * (1.0 - 0.001) + 0.001 * sumtr2;
        assert_eq!(a.trace_average[s], avg2);
        let delta = sumtr2 * -0.001 * sumtr2 / avg2;
        assert!(delta.abs() < 0.01);
        assert_eq!(a.w[s], w1 * (1.0 + (0.4 / 0.5) * delta));
    }

    #[test]
    fn unmodulated_changes_by_the_trace_and_caps_by_resistance() {
        let mut sp = spec(false);
        sp.w_max = 0.012;
        sp.clip = 1.0;
        let mut a = one_synapse(0.0119);
        let s = a.conns[0].syns[0] as usize;
        a.traces[s].push_back((600, 0.4));
        a.traces[s].push_back((650, -0.2));
        apply(&mut a, &sp, 123.0, 650, 600);
        let b = a.output_target[0] / a.output_sum[0];
        assert_eq!(b, 1.0);
        let w = 0.0119 * (1.0 + b * (0.4 / 650.0)) * (1.0 + b * (-0.2 / 600.0));
        assert!(w < 0.012);
        assert_eq!(a.w[s], w);
        // Over the hidden cap: 0.012 · resistance(post).
        let mut a = one_synapse(0.011995);
        let s = a.conns[0].syns[0] as usize;
        a.traces[s].push_back((600, 0.4));
        a.resistance[1] = 0.9;
        apply(&mut a, &sp, 1.0, 600, 600);
        assert_eq!(a.w[s], 0.012 * 0.9);
        // Negative and frozen synapses are skipped; old traces go.
        let mut a = one_synapse(-0.1);
        let s = a.conns[0].syns[0] as usize;
        a.traces[s].push_back((0, 0.4));
        apply(&mut a, &spec(true), 1.0, 4000, 600);
        assert!(a.traces[s].is_empty());
        assert_eq!(a.w[s], -0.1);
    }

    #[test]
    fn no_traces_no_change_but_the_floor() {
        let mut a = one_synapse(1e-7);
        let s = a.conns[0].syns[0] as usize;
        apply(&mut a, &spec(true), 1.0, 600, 600);
        assert_eq!(a.w[s], 1e-5);
        assert_eq!(a.trace_average[s], 1e-10);
    }
}
