//! Correctness tests of the spiking simulator (`engine::spiking::Sim`): trace STDP,
//! transmission delays, `normalize_sum`, sample presentation (`presenting::present`),
//! `rest_state`, and one small spiking protocol run end to end through the binary.
//!
//! Networks are built by hand from a `NetworkIr`, their weights overwritten with known
//! values, and input spikes set step by step. Expected values come from the documented
//! semantics, worked out by hand or by a small f64 reference in the test, never from a run.
//!
//! The STDP rig: input `x` (2 neurons) → `y` (1 neuron, `integrate_fire` with decay 0,
//! threshold 0.5). Input 0 is the *probe* (weight ≈ 0.1, never enough to fire `y`);
//! input 1 is the *drive* (weight 1, fires `y` in the step it spikes). With decay 0 the
//! potential holds only this step's input, so `y` fires exactly on the drive's steps and
//! the probe synapse sees pre and post spikes at chosen times.

use rand_chacha::ChaCha8Rng;
use somnia::engine::network::Network;
use somnia::engine::neurons::Model;
use somnia::engine::presenting::{Presentation, present};
use somnia::engine::rules::{DecayMode, Gate, SleepRule, Stdp, normalize_sum};
use somnia::engine::spiking::Sim;
use somnia::plan::ir::ParamIr;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::*;

// ---------------------------------------------------------------------------------------
// Building networks by hand (as in tests/engine.rs)
// ---------------------------------------------------------------------------------------

/// `x` (input, `pre` neurons) → `y` (output, `post` neurons), weights `w` (post × pre).
fn pair(pre: u64, post: u64, w: Vec<f32>) -> Network {
    let mut net = build(
        vec![pop("x", "input", pre), pop("y", "output", post)],
        vec![proj("x", "y", &[])],
        1,
    );
    assert_eq!(w.len(), (pre * post) as usize);
    net.projs[0].w = w;
    net
}

// ---------------------------------------------------------------------------------------
// Driving a simulator by hand
// ---------------------------------------------------------------------------------------

const DT: f64 = 0.001;

fn integrate_fire(decay: f32, reset: f32, threshold: f32) -> Model {
    Model::IntegrateFire {
        decay,
        reset,
        threshold,
    }
}

/// `model` on every non-input population.
fn models_for(net: &Network, model: &Model) -> Vec<Option<Model>> {
    net.pops
        .iter()
        .map(|p| (!p.is_input()).then(|| model.clone()))
        .collect()
}

fn new_sim(net: &Network, model: &Model, rules: Vec<(SleepRule, Vec<bool>)>) -> Sim {
    Sim::new(
        net,
        models_for(net, model),
        vec![1.0; net.pops.len()],
        rules,
        Vec::new(),
        DT,
    )
}

/// One step in which exactly the input neurons `input` spike.
fn step_with(sim: &mut Sim, net: &Network, rng: &mut ChaCha8Rng, input: &[u32]) {
    // `set_input` hands over last step's spike list: clear it before writing this step's.
    sim.set_input(|s| {
        s.clear();
        s.extend_from_slice(input);
    });
    sim.step(net, rng);
}

/// Runs `steps` steps, the input neurons `input(t)` spiking at step t; returns the steps at
/// which each neuron of population `watch` spiked.
fn run_steps(
    sim: &mut Sim,
    net: &Network,
    steps: u64,
    input: impl Fn(u64) -> Vec<u32>,
    watch: usize,
) -> Vec<Vec<u64>> {
    let mut r = rng(5);
    let mut fired = vec![Vec::new(); net.pops[watch].size];
    for t in 0..steps {
        step_with(sim, net, &mut r, &input(t));
        for &j in &sim.states[watch].spikes {
            fired[j as usize].push(t);
        }
    }
    fired
}

// ---------------------------------------------------------------------------------------
// 1. STDP with traces
// ---------------------------------------------------------------------------------------

const TAU_PLUS: f64 = 0.020;
const TAU_MINUS: f64 = 0.010;
const A_PLUS: f64 = 0.05;
const A_MINUS: f64 = 0.03;
const LR: f64 = 0.5;

fn stdp(multiplicative: bool, nearest: bool, w_min: f32, w_max: f32) -> Stdp {
    Stdp {
        a_plus: A_PLUS as f32,
        a_minus: A_MINUS as f32,
        tau_plus: TAU_PLUS,
        tau_minus: TAU_MINUS,
        lr: LR as f32,
        multiplicative,
        nearest,
        w_min,
        w_max,
    }
}

fn additive() -> Stdp {
    stdp(false, false, -10.0, 10.0)
}

const PROBE: u32 = 0;
const DRIVE: u32 = 1;

/// Runs the STDP rig for `steps` steps with the probe spiking on `probe` and the drive on
/// `drive`; returns the final weights `[probe, drive]` and the steps at which `y` fired.
fn rig(
    s: Stdp,
    w0: [f32; 2],
    probe: &[u64],
    drive: &[u64],
    steps: u64,
    learning: bool,
) -> ([f32; 2], Vec<u64>) {
    let mut net = pair(2, 1, w0.to_vec());
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 0.5),
        vec![(SleepRule::Stdp(s), vec![true])],
    );
    sim.learning = learning;
    let fired = run_steps(
        &mut sim,
        &net,
        steps,
        |t| {
            let mut v = Vec::new();
            if probe.contains(&t) {
                v.push(PROBE);
            }
            if drive.contains(&t) {
                v.push(DRIVE);
            }
            v
        },
        1,
    );
    // Pre-major with one post neuron: [w(probe→y), w(drive→y)].
    let wt = [sim.wt[0][0], sim.wt[0][1]];
    sim.finish(&mut net);
    assert_eq!(
        net.projs[0].w,
        wt.to_vec(),
        "finish writes the weights back"
    );
    (wt, fired[0].clone())
}

/// The f64 reference of the documented rule on the rig. Per step: traces decay by
/// exp(−dt/τ); pre spikes bump x (+1, or reset to 1 when `nearest`); each pre spike
/// depresses its synapse by lr·a_minus·y (y before this step's post spike); a post spike
/// potentiates every synapse by lr·a_plus·x (x including this step's pre spikes); then the
/// post spike bumps y. `multiplicative` scales by (w_max − w) and (w − w_min); weights are
/// clipped to [w_min, w_max]. The post neuron fires exactly on the drive's steps.
fn reference(s: &Stdp, w0: [f32; 2], probe: &[u64], drive: &[u64], steps: u64) -> [f64; 2] {
    let (dx, dy) = ((-DT / s.tau_plus).exp(), (-DT / s.tau_minus).exp());
    let (lr, ap, am) = (s.lr as f64, s.a_plus as f64, s.a_minus as f64);
    let (lo, hi) = (s.w_min as f64, s.w_max as f64);
    let bump = |v: f64| if s.nearest { 1.0 } else { v + 1.0 };
    let mut w = [w0[0] as f64, w0[1] as f64];
    let mut x = [0.0f64; 2];
    let mut y = 0.0f64;
    for t in 0..steps {
        let pre = [probe.contains(&t), drive.contains(&t)];
        let post = drive.contains(&t);
        x.iter_mut().for_each(|v| *v *= dx);
        y *= dy;
        for i in 0..2 {
            if pre[i] {
                x[i] = bump(x[i]);
            }
        }
        for i in 0..2 {
            if pre[i] && y != 0.0 {
                let scale = if s.multiplicative { w[i] - lo } else { 1.0 };
                w[i] = (w[i] - lr * am * y * scale).clamp(lo, hi);
            }
        }
        if post {
            for i in 0..2 {
                if x[i] != 0.0 {
                    let scale = if s.multiplicative { hi - w[i] } else { 1.0 };
                    w[i] = (w[i] + lr * ap * x[i] * scale).clamp(lo, hi);
                }
            }
            y = bump(y);
        }
    }
    w
}

#[test]
fn rig_fires_y_exactly_on_the_drive_steps() {
    let (_, fired) = rig(additive(), [0.1, 1.0], &[0, 1, 2, 7], &[3, 7, 9], 12, false);
    assert_eq!(fired, vec![3, 7, 9]);
}

#[test]
fn stdp_simultaneous_pre_and_post_potentiate_by_lr_a_plus() {
    // Both inputs spike at step 4: y fires in the same step. The pre trace already holds
    // this step's pre spike (x = 1) and y's trace is still 0, so both synapses gain lr·a_plus
    // and nothing is depressed.
    let (w, fired) = rig(additive(), [0.1, 1.0], &[4], &[4], 10, true);
    assert_eq!(fired, vec![4]);
    let gain = LR * A_PLUS;
    assert_close("probe", w[0] as f64, 0.1 + gain, 1e-6);
    assert_close("drive", w[1] as f64, 1.0 + gain, 1e-6);
}

#[test]
fn stdp_pre_then_post_potentiates_by_the_decayed_pre_trace() {
    for k in [1u64, 3, 10, 40] {
        let (w, fired) = rig(additive(), [0.1, 1.0], &[2], &[2 + k], 2 + k + 5, true);
        assert_eq!(fired, vec![2 + k]);
        let want = 0.1 + LR * A_PLUS * (-(k as f64) * DT / TAU_PLUS).exp();
        assert_close(&format!("probe, Δt = {k} steps"), w[0] as f64, want, 1e-6);
        // The drive spiked with y: simultaneous, + lr·a_plus.
        assert_close("drive", w[1] as f64, 1.0 + LR * A_PLUS, 1e-6);
    }
}

#[test]
fn stdp_post_then_pre_depresses_by_the_decayed_post_trace() {
    for k in [1u64, 3, 10, 40] {
        let (w, fired) = rig(additive(), [0.1, 1.0], &[2 + k], &[2], 2 + k + 5, true);
        assert_eq!(fired, vec![2]);
        // τ− (10 ms), not τ+ (20 ms): the post trace decays with tau_minus.
        let want = 0.1 - LR * A_MINUS * (-(k as f64) * DT / TAU_MINUS).exp();
        assert_close(&format!("probe, Δt = −{k} steps"), w[0] as f64, want, 1e-6);
        assert_close("drive", w[1] as f64, 1.0 + LR * A_PLUS, 1e-6);
    }
}

#[test]
fn stdp_all_pairs_accumulates_traces_and_nearest_keeps_the_latest() {
    let (a, b) = (7.0, 4.0);
    // Two probe spikes (steps 2 and 5), then y fires at 9: x = e^{−7dt/τ+} + e^{−4dt/τ+}.
    let x_all = (-a * DT / TAU_PLUS).exp() + (-b * DT / TAU_PLUS).exp();
    let x_near = (-b * DT / TAU_PLUS).exp();
    let (w, _) = rig(additive(), [0.1, 1.0], &[2, 5], &[9], 12, true);
    assert_close(
        "all pairs, LTP",
        w[0] as f64,
        0.1 + LR * A_PLUS * x_all,
        1e-6,
    );
    let (w, _) = rig(
        stdp(false, true, -10.0, 10.0),
        [0.1, 1.0],
        &[2, 5],
        &[9],
        12,
        true,
    );
    assert_close(
        "nearest, LTP",
        w[0] as f64,
        0.1 + LR * A_PLUS * x_near,
        1e-6,
    );

    // Two post spikes (2 and 5), then the probe at 9: y = e^{−7dt/τ−} + e^{−4dt/τ−}.
    let y_all = (-a * DT / TAU_MINUS).exp() + (-b * DT / TAU_MINUS).exp();
    let y_near = (-b * DT / TAU_MINUS).exp();
    let (w, _) = rig(additive(), [0.1, 1.0], &[9], &[2, 5], 12, true);
    assert_close(
        "all pairs, LTD",
        w[0] as f64,
        0.1 - LR * A_MINUS * y_all,
        1e-6,
    );
    let (w, _) = rig(
        stdp(false, true, -10.0, 10.0),
        [0.1, 1.0],
        &[9],
        &[2, 5],
        12,
        true,
    );
    assert_close(
        "nearest, LTD",
        w[0] as f64,
        0.1 - LR * A_MINUS * y_near,
        1e-6,
    );
}

#[test]
fn stdp_multiplicative_scales_by_the_distance_to_the_bounds() {
    let (w_min, w_max) = (0.05f32, 2.0f32);
    let s = stdp(true, false, w_min, w_max);
    // Simultaneous: + lr·a_plus·1·(w_max − w).
    let (w, _) = rig(s.clone(), [0.2, 1.0], &[3], &[3], 6, true);
    let ltp = |w: f64| w + LR * A_PLUS * (w_max as f64 - w);
    assert_close("probe LTP", w[0] as f64, ltp(0.2), 1e-6);
    assert_close("drive LTP", w[1] as f64, ltp(1.0), 1e-6);
    // Post at 2, probe at 5: − lr·a_minus·y·(w − w_min), w_min 0.05 (not 0).
    let (w, _) = rig(s, [0.2, 1.0], &[5], &[2], 8, true);
    let y = (-3.0 * DT / TAU_MINUS).exp();
    let want = 0.2 - LR * A_MINUS * y * (0.2 - w_min as f64);
    assert_close("probe LTD", w[0] as f64, want, 1e-6);
}

#[test]
fn stdp_clips_weights_to_w_min_and_w_max() {
    // Potentiation by lr·a_plus = 0.025 from 0.1 would pass w_max = 0.11.
    let s = stdp(false, false, 0.0, 0.11);
    let (w, _) = rig(s, [0.1, 0.3], &[3], &[], 6, true);
    // (No post spike: nothing changes; the drive at 0.3 < 0.5 would not fire y anyway.)
    assert_eq!(w, [0.1, 0.3]);
    let s = stdp(false, false, 0.0, 0.11);
    let net_w = [0.1f32, 1.0];
    let (w, fired) = rig(s, net_w, &[3], &[3], 6, true);
    assert_eq!(fired, vec![3]);
    assert_eq!(w[0], 0.11, "potentiation clipped at w_max");
    // The drive started above w_max: its update lands on w_max too.
    assert_eq!(
        w[1], 0.11,
        "an updated weight is clipped into [w_min, w_max]"
    );
    // Depression by lr·a_minus·y ≈ 0.0111 from 0.03 would pass w_min = 0.02.
    let s = stdp(false, false, 0.02, 10.0);
    let (w, _) = rig(s, [0.03, 1.0], &[3], &[2], 6, true);
    assert_eq!(w[0], 0.02, "depression clipped at w_min");
}

#[test]
fn stdp_is_also_clipped_by_the_projection_bounds() {
    // `bounds [0, 0.105]` on the projection is tighter than the rule's w_max.
    let mut net = build(
        vec![pop("x", "input", 2), pop("y", "output", 1)],
        vec![proj(
            "x",
            "y",
            &[(
                "bounds",
                ParamIr::List {
                    items: vec![number(0.0), number(0.105)],
                },
            )],
        )],
        1,
    );
    // Written after build, so the drive weight is not clipped by `constrain`.
    net.projs[0].w = vec![0.1, 1.0];
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 0.5),
        vec![(SleepRule::Stdp(additive()), vec![true])],
    );
    run_steps(
        &mut sim,
        &net,
        4,
        |t| if t == 2 { vec![0, 1] } else { vec![] },
        1,
    );
    assert_eq!(sim.wt[0][0], 0.105);
}

#[test]
fn stdp_irregular_trains_follow_the_reference() {
    let probe = [1, 2, 6, 9, 10, 17, 18, 19, 25, 33, 34];
    let drive = [0, 4, 6, 11, 12, 18, 22, 23, 30, 34, 38];
    for s in [
        additive(),
        stdp(false, true, -10.0, 10.0),
        stdp(true, false, 0.0, 2.0),
        stdp(true, true, 0.0, 2.0),
    ] {
        // A smaller rate keeps the probe weight far below y's threshold.
        let s = Stdp { lr: 0.1, ..s };
        let (w, fired) = rig(s.clone(), [0.1, 1.0], &probe, &drive, 40, true);
        assert_eq!(fired, drive.to_vec());
        let want = reference(&s, [0.1, 1.0], &probe, &drive, 40);
        let label = format!("mult {} nearest {}", s.multiplicative, s.nearest);
        assert_close(&format!("{label}: probe"), w[0] as f64, want[0], 1e-5);
        assert_close(&format!("{label}: drive"), w[1] as f64, want[1], 1e-5);
        // The reference must have moved both weights for the comparison to mean something.
        assert!((want[0] - 0.1).abs() > 1e-3 && (want[1] - 1.0).abs() > 1e-3);
    }
}

#[test]
fn stdp_changes_nothing_without_learning_or_outside_its_projections() {
    let probe = [1, 2, 6, 9];
    let drive = [0, 4, 6, 11];
    let (w, fired) = rig(additive(), [0.1, 1.0], &probe, &drive, 15, false);
    assert_eq!(fired, drive.to_vec());
    assert_eq!(w, [0.1, 1.0]);
    // A rule that applies to no projection.
    let net = pair(2, 1, vec![0.1, 1.0]);
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 0.5),
        vec![(SleepRule::Stdp(additive()), vec![false])],
    );
    run_steps(
        &mut sim,
        &net,
        15,
        |t| if t % 3 == 0 { vec![0, 1] } else { vec![] },
        1,
    );
    assert_eq!(sim.wt[0], vec![0.1, 1.0]);
}

#[test]
fn stdp_reads_its_parameters_from_the_builtin() {
    let b = builtin(
        "stdp",
        "rule",
        &[
            ("a_plus", number(0.02)),
            ("a_minus", number(0.003)),
            ("tau_plus", number(0.015)),
            ("tau_minus", number(0.025)),
            ("lr", number(0.5)),
            ("mode", symbol("multiplicative")),
            ("nearest", boolean(true)),
            ("w_min", number(-0.1)),
            ("w_max", number(0.7)),
        ],
    );
    assert_eq!(
        rule_of(&b),
        Some(SleepRule::Stdp(Stdp {
            a_plus: 0.02,
            a_minus: 0.003,
            tau_plus: 0.015,
            tau_minus: 0.025,
            lr: 0.5,
            multiplicative: true,
            nearest: true,
            w_min: -0.1,
            w_max: 0.7,
        }))
    );
}

#[test]
fn stdp_pairs_spikes_of_hidden_layers_in_the_step_they_cross() {
    // x → a → b, all relays with weight 1, STDP on a → b only: a and b fire together at
    // steps 2 and 5. At 2: + lr·a_plus (a's trace holds its spike of the step). At 5: the
    // pre spike depresses by lr·a_minus·e^{−3dt/τ−}, then the post spike potentiates by
    // lr·a_plus·(1 + e^{−3dt/τ+}).
    let mut net = build(
        vec![
            pop("x", "input", 1),
            pop("a", "layer", 1),
            pop("b", "output", 1),
        ],
        vec![proj("x", "a", &[]), proj("a", "b", &[])],
        1,
    );
    net.projs.iter_mut().for_each(|p| p.w = vec![1.0]);
    let mut sim = new_sim(
        &net,
        &relay(),
        vec![(SleepRule::Stdp(additive()), vec![false, true])],
    );
    let fired = run_steps(
        &mut sim,
        &net,
        8,
        |t| if t == 2 || t == 5 { vec![0] } else { vec![] },
        2,
    );
    assert_eq!(fired[0], vec![2, 5]);
    let want = 1.0 + LR * A_PLUS - LR * A_MINUS * (-3.0 * DT / TAU_MINUS).exp()
        + LR * A_PLUS * (1.0 + (-3.0 * DT / TAU_PLUS).exp());
    assert_close("a->b", sim.wt[1][0] as f64, want, 1e-6);
    assert_eq!(sim.wt[0], vec![1.0], "x->a is not under the rule");
}

#[test]
fn stdp_on_a_recurrent_projection_pairs_neurons_that_fire_together() {
    // x → a (2 neurons, both relays fired by x), a → a with only a0 → a1 present (0.1).
    // x spikes at step 2: a0 and a1 fire together. apply_stdp's documented semantics
    // (potentiation "by the pre trace, which includes this step's pre spikes") give
    // a0 → a1 + lr·a_plus. (Read by arrival instead — a0's spike reaches a1 at step 3,
    // after a1's spike at 2 — it would be depressed by lr·a_minus·e^{−dt/τ−}; the code does
    // neither and leaves it at 0.1.)
    let mut net = build(
        vec![pop("x", "input", 1), pop("a", "output", 2)],
        vec![
            proj("x", "a", &[("plastic", boolean(false))]),
            proj("a", "a", &[]),
        ],
        1,
    );
    net.projs[0].w = vec![1.0, 1.0];
    // post × pre: row 1 (a1) column 0 (a0).
    net.projs[1].w = vec![0.0, 0.0, 0.1, 0.0];
    let mut sim = new_sim(
        &net,
        &relay(),
        vec![(SleepRule::Stdp(additive()), vec![false, true])],
    );
    let fired = run_steps(
        &mut sim,
        &net,
        6,
        |t| if t == 2 { vec![0] } else { vec![] },
        1,
    );
    assert_eq!(fired, vec![vec![2], vec![2]]);
    // Pre-major: a0 → a1 is wt[0·2 + 1].
    assert_close("a0->a1", sim.wt[1][1] as f64, 0.1 + LR * A_PLUS, 1e-6);
}

// ---------------------------------------------------------------------------------------
// 2. Delays
// ---------------------------------------------------------------------------------------

/// `y` fires whenever at least 0.5 arrives in a step, and keeps nothing (decay 0).
fn relay() -> Model {
    integrate_fire(0.0, 0.0, 0.5)
}

fn delayed_pair(pre: u64, post: u64, delay: Option<Vec<f32>>) -> Network {
    let mut net = pair(pre, post, vec![1.0; (pre * post) as usize]);
    net.projs[0].delay = delay;
    net
}

#[test]
fn a_delay_delivers_round_d_over_dt_steps_later() {
    // (delay in seconds, steps): 2.6 ms rounds to 3 steps, 0.4 ms to 0.
    for (d, k) in [
        (0.001, 1u64),
        (0.003, 3),
        (0.0026, 3),
        (0.007, 7),
        (0.0004, 0),
    ] {
        let net = delayed_pair(1, 1, Some(vec![d]));
        let mut sim = new_sim(&net, &relay(), Vec::new());
        let fired = run_steps(
            &mut sim,
            &net,
            20,
            |t| if t == 2 { vec![0] } else { vec![] },
            1,
        );
        assert_eq!(fired[0], vec![2 + k], "delay {d} s");
    }
}

#[test]
fn without_a_delay_the_post_fires_in_the_same_step() {
    let net = delayed_pair(1, 1, None);
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        10,
        |t| if t == 2 { vec![0] } else { vec![] },
        1,
    );
    assert_eq!(fired[0], vec![2]);
}

#[test]
fn a_delay_line_carries_a_train_unchanged() {
    // Input spikes at every step 0..10 and at 13 (the ring has 4 slots and wraps around).
    let net = delayed_pair(1, 1, Some(vec![0.003]));
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let train: Vec<u64> = (0..10).chain([13]).collect();
    let fired = run_steps(
        &mut sim,
        &net,
        25,
        |t| if train.contains(&t) { vec![0] } else { vec![] },
        1,
    );
    let want: Vec<u64> = train.iter().map(|t| t + 3).collect();
    assert_eq!(fired[0], want);
    assert_eq!(sim.counts(), vec![11, 11]);
}

#[test]
fn per_synapse_delays_deliver_each_at_its_own_time() {
    // 2 → 1 with delays 1 ms and 4 ms: both inputs spike at step 0, y fires at 1 and 4.
    let net = delayed_pair(2, 1, Some(vec![0.001, 0.004]));
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        10,
        |t| if t == 0 { vec![0, 1] } else { vec![] },
        1,
    );
    assert_eq!(fired[0], vec![1, 4]);

    // Threshold 1.5: one arrival (1) is not enough, two together (2) are.
    let both = integrate_fire(0.0, 0.0, 1.5);
    let net = delayed_pair(2, 1, Some(vec![0.002, 0.002]));
    let mut sim = new_sim(&net, &both, Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        10,
        |t| if t == 0 { vec![0, 1] } else { vec![] },
        1,
    );
    assert_eq!(fired[0], vec![2], "equal delays arrive together");
    let net = delayed_pair(2, 1, Some(vec![0.001, 0.002]));
    let mut sim = new_sim(&net, &both, Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        10,
        |t| if t == 0 { vec![0, 1] } else { vec![] },
        1,
    );
    assert!(fired[0].is_empty(), "different delays arrive apart");
    // The same inputs one step apart realign: pre 1 (2 ms) at step 0, pre 0 (1 ms) at 1.
    let mut sim = new_sim(&net, &both, Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        10,
        |t| match t {
            0 => vec![1],
            1 => vec![0],
            _ => vec![],
        },
        1,
    );
    assert_eq!(fired[0], vec![2]);
}

#[test]
fn a_delay_matrix_is_read_post_by_pre() {
    // 2 → 2, delays (post × pre) [[1, 2], [3, 4]] ms.
    let net = delayed_pair(2, 2, Some(vec![0.001, 0.002, 0.003, 0.004]));
    let only = |k: u32| move |t: u64| if t == 0 { vec![k] } else { vec![] };
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let fired = run_steps(&mut sim, &net, 10, only(0), 1);
    assert_eq!(
        fired,
        vec![vec![1], vec![3]],
        "pre 0 reaches post 0 after 1, post 1 after 3"
    );
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let fired = run_steps(&mut sim, &net, 10, only(1), 1);
    assert_eq!(
        fired,
        vec![vec![2], vec![4]],
        "pre 1 reaches post 0 after 2, post 1 after 4"
    );
}

// ---------------------------------------------------------------------------------------
// 3. normalize_sum
// ---------------------------------------------------------------------------------------

/// x (3) → y (3) with y2's incoming weights all zero; x → z (2) too.
fn norm_net() -> Network {
    let mut net = build(
        vec![
            pop("x", "input", 3),
            pop("y", "layer", 3),
            pop("z", "output", 2),
        ],
        vec![proj("x", "y", &[]), proj("x", "z", &[])],
        1,
    );
    // post × pre
    net.projs[0].w = vec![0.1, 0.2, 0.3, 0.5, -0.1, 0.1, 0.0, 0.0, 0.0];
    net.projs[1].w = vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0];
    net
}

/// Each row of a post × pre matrix scaled to sum to `total` (zero rows kept).
fn normalized(w: &[f32], pre: usize, total: f64) -> Vec<f64> {
    w.chunks(pre)
        .flat_map(|row| {
            let s: f64 = row.iter().map(|&v| v as f64).sum();
            row.iter().map(move |&v| {
                if s == 0.0 {
                    v as f64
                } else {
                    v as f64 * total / s
                }
            })
        })
        .collect()
}

fn assert_all_close(what: &str, got: &[f32], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (k, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert_close(&format!("{what}[{k}]"), g as f64, w, tol);
    }
}

#[test]
fn normalize_sum_scales_each_column_of_the_pre_major_copy() {
    // Pre-major 2 pre × 3 post: columns sum 1, 4, 0.
    let mut wt = vec![0.25f32, 1.0, 0.0, 0.75, 3.0, 0.0];
    normalize_sum(&mut wt, 3, 2.0);
    assert_eq!(wt, vec![0.5, 0.5, 0.0, 1.5, 1.5, 0.0]);
}

#[test]
fn normalize_sum_per_sample_acts_in_sample_rules_only() {
    let mut net = norm_net();
    let rule = SleepRule::NormalizeSum {
        total: 2.0,
        every_step: false,
    };
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 100.0),
        vec![(rule, vec![true, false])],
    );
    let before = (net.projs[0].w.clone(), net.projs[1].w.clone());
    run_steps(&mut sim, &net, 3, |_| vec![0, 1, 2], 1);
    sim.sample_rules(&net);
    sim.finish(&mut net);
    let want = normalized(&before.0, 3, 2.0);
    // Row 0 sums 0.6, row 1 sums 0.5, row 2 is all zero and stays so.
    assert_all_close("x->y", &net.projs[0].w, &want, 1e-6);
    assert_eq!(&net.projs[0].w[6..], &[0.0, 0.0, 0.0]);
    for row in net.projs[0].w[..6].chunks(3) {
        assert_close("row sum", row.iter().map(|&v| v as f64).sum(), 2.0, 1e-6);
    }
    // The rule does not apply to x->z.
    assert_eq!(net.projs[1].w, before.1);

    // Steps alone never normalise per sample.
    let mut net = norm_net();
    let rule = SleepRule::NormalizeSum {
        total: 2.0,
        every_step: false,
    };
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 100.0),
        vec![(rule, vec![true, true])],
    );
    run_steps(&mut sim, &net, 3, |_| vec![0, 1, 2], 1);
    sim.finish(&mut net);
    assert_eq!(net.projs[0].w, norm_net().projs[0].w);
}

#[test]
fn normalize_sum_every_step_acts_in_steps_while_learning() {
    let mut net = norm_net();
    let rule = SleepRule::NormalizeSum {
        total: 3.0,
        every_step: true,
    };
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 100.0),
        vec![(rule, vec![true, true])],
    );
    // sample_rules leaves an every-step rule alone.
    sim.sample_rules(&net);
    assert_eq!(
        sim.wt[0],
        somnia::engine::spiking::transpose(&net.projs[0].w, 3, 3)
    );
    run_steps(&mut sim, &net, 1, |_| vec![], 1);
    sim.finish(&mut net);
    let base = norm_net();
    assert_all_close(
        "x->y",
        &net.projs[0].w,
        &normalized(&base.projs[0].w, 3, 3.0),
        1e-6,
    );
    assert_all_close(
        "x->z",
        &net.projs[1].w,
        &normalized(&base.projs[1].w, 3, 3.0),
        1e-6,
    );
    assert_eq!(&net.projs[0].w[6..], &[0.0, 0.0, 0.0]);

    // Learning off: no step rule acts.
    let mut net = norm_net();
    let rule = SleepRule::NormalizeSum {
        total: 3.0,
        every_step: true,
    };
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 100.0),
        vec![(rule, vec![true, true])],
    );
    sim.learning = false;
    run_steps(&mut sim, &net, 3, |_| vec![0], 1);
    sim.finish(&mut net);
    assert_eq!(net, norm_net());
}

#[test]
fn sample_rules_change_nothing_without_learning() {
    let mut net = norm_net();
    let rule = SleepRule::NormalizeSum {
        total: 2.0,
        every_step: false,
    };
    let mut sim = new_sim(
        &net,
        &integrate_fire(0.0, 0.0, 100.0),
        vec![(rule, vec![true, true])],
    );
    sim.learning = false;
    sim.sample_rules(&net);
    sim.finish(&mut net);
    assert_eq!(net.projs[0].w, norm_net().projs[0].w);
}

// ---------------------------------------------------------------------------------------
// 4. present
// ---------------------------------------------------------------------------------------

/// x (3) → y (2), all weights 1, y a relay: y fires in every step an input spikes.
fn present_rig() -> (Network, Sim) {
    let net = pair(3, 2, vec![1.0; 6]);
    let sim = new_sim(&net, &relay(), Vec::new());
    (net, sim)
}

fn presentation(net: &Network, present: u64, rest: u64, retry: u64, step: f32) -> Presentation {
    Presentation {
        dt: DT,
        present_steps: present,
        rest_steps: rest,
        prob_per_unit: 1.0,
        retry,
        retry_step: step,
        models: models_for(net, &relay()),
    }
}

#[test]
fn present_shows_a_sample_for_its_present_steps_and_counts_the_watched_layer() {
    let (net, mut sim) = present_rig();
    let p = presentation(&net, 7, 4, 0, 0.0);
    let mut counts = vec![99u32; 2];
    present(
        &mut sim,
        &net,
        &p,
        &[1.0, 1.0, 1.0],
        1,
        &mut rng(1),
        &mut counts,
    );
    // Probability 1 per step: every input spikes on each of the 7 present steps, none
    // during the 4 rest steps; y fires with them.
    assert_eq!(counts, vec![7, 7]);
    assert_eq!(sim.counts(), vec![3 * 7, 2 * 7]);
    // A pixel of value 0 never spikes.
    let mut counts = vec![0u32; 2];
    present(
        &mut sim,
        &net,
        &p,
        &[1.0, 0.0, 1.0],
        1,
        &mut rng(1),
        &mut counts,
    );
    assert_eq!(counts, vec![7, 7]);
    assert_eq!(sim.counts(), vec![3 * 7 + 2 * 7, 2 * 7 + 2 * 7]);
}

#[test]
fn present_counts_only_the_present_steps() {
    // With a 3 ms delay the last 3 present steps' spikes reach y during the rest.
    let mut net = pair(3, 2, vec![1.0; 6]);
    net.projs[0].delay = Some(vec![0.003; 6]);
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let p = presentation(&net, 7, 4, 0, 0.0);
    let mut counts = vec![0u32; 2];
    present(
        &mut sim,
        &net,
        &p,
        &[1.0, 1.0, 1.0],
        1,
        &mut rng(1),
        &mut counts,
    );
    assert_eq!(counts, vec![4, 4]);
    assert_eq!(sim.counts(), vec![21, 14]);
}

#[test]
fn present_retries_at_most_six_times() {
    // y fires 2 × P spikes per showing; asking for more can never be met: the sample is
    // shown once and retried 5 times (the loop breaks when `attempt > 5`).
    let (net, mut sim) = present_rig();
    let (pr, rest) = (5u64, 2u64);
    let p = presentation(&net, pr, rest, 2 * pr + 1, 0.1);
    let mut counts = vec![0u32; 2];
    let steps = present(&mut sim, &net, &p, &[1.0; 3], 1, &mut rng(2), &mut counts);
    assert_eq!(sim.counts(), vec![6 * 3 * pr, 6 * 2 * pr]);
    // Each showing simulated present + rest steps: biological time a phase reports.
    assert_eq!(steps, 6 * (pr + rest));
    // The counts are those of the last showing.
    assert_eq!(counts, vec![pr as u32; 2]);

    // Exactly achievable: shown once.
    let (net, mut sim) = present_rig();
    let p = presentation(&net, pr, rest, 2 * pr, 0.1);
    let steps = present(&mut sim, &net, &p, &[1.0; 3], 1, &mut rng(2), &mut counts);
    assert_eq!(sim.counts(), vec![3 * pr, 2 * pr]);
    assert_eq!(steps, pr + rest);
}

#[test]
fn a_retry_raises_the_rate_by_retry_step() {
    // Rate 0 shows nothing; the retry at prob 0 + 1 fires every input on every step.
    let (net, mut sim) = present_rig();
    let mut p = presentation(&net, 4, 1, 1, 1.0);
    p.prob_per_unit = 0.0;
    let mut counts = vec![0u32; 2];
    present(&mut sim, &net, &p, &[1.0; 3], 1, &mut rng(3), &mut counts);
    assert_eq!(sim.counts(), vec![3 * 4, 2 * 4]);
    assert_eq!(counts, vec![4, 4]);
}

// ---------------------------------------------------------------------------------------
// 5. rest_state
// ---------------------------------------------------------------------------------------

fn lif(ps: &[(&str, ParamIr)]) -> Model {
    model_of(&builtin("lif", "neuron model", ps), 0, DT).expect("a lif model")
}

#[test]
fn rest_state_puts_potentials_at_their_initial_values_and_clears_currents() {
    // x → a (integrate_fire, never fires), x → b (lif, current synapses, never fires),
    // x → c (lif, delta synapses, refractory 5 ms, fires on every input it is free for).
    let mut net = build(
        vec![
            pop("x", "input", 1),
            pop("a", "layer", 2),
            pop("b", "layer", 2),
            pop("c", "output", 1),
        ],
        vec![
            proj("x", "a", &[]),
            proj("x", "b", &[]),
            proj("x", "c", &[]),
        ],
        1,
    );
    net.projs[0].w = vec![0.3, 0.2];
    net.projs[1].w = vec![0.001, 0.002];
    net.projs[2].w = vec![1.0];
    let rest = -0.065;
    let models = vec![
        None,
        Some(integrate_fire(0.9, 0.0, 100.0)),
        Some(lif(&[
            ("rest", number(rest)),
            ("synapse", symbol("current")),
            ("threshold", number(1.0)),
        ])),
        Some(lif(&[
            ("rest", number(rest)),
            ("reset", number(-0.07)),
            ("refractory", number(0.005)),
        ])),
    ];
    let mut sim = Sim::new(&net, models, vec![1.0; 4], Vec::new(), Vec::new(), DT);
    let fired = run_steps(&mut sim, &net, 3, |_| vec![0], 3);
    // c fired at step 0 and is refractory for the next 5 steps.
    assert_eq!(fired[0], vec![0]);
    assert!(sim.states[1].v.iter().all(|&v| v > 0.0));
    assert!(sim.states[2].v.iter().all(|&v| v != rest as f32));
    assert!(sim.states[2].i.iter().all(|&i| i > 0.0));
    let counts = sim.counts();
    sim.rest_state(&net);
    assert_eq!(sim.states[1].v, vec![0.0; 2], "integrate_fire starts at 0");
    assert_eq!(sim.states[2].v, vec![rest as f32; 2], "lif starts at rest");
    assert_eq!(sim.states[2].i, vec![0.0; 2]);
    assert_eq!(sim.states[3].v, vec![rest as f32]);
    assert_eq!(sim.states[3].refractory, vec![0]);
    assert_eq!(sim.counts(), counts, "counts are kept");
    // Out of its refractory period, c fires on the next input.
    let fired = run_steps(&mut sim, &net, 1, |_| vec![0], 3);
    assert_eq!(fired[0], vec![0]);
}

#[test]
fn rest_state_forgets_delayed_spikes_and_stdp_traces() {
    // A spike in flight on a 3 ms delay is dropped.
    let net = delayed_pair(1, 1, Some(vec![0.003]));
    let mut sim = new_sim(&net, &relay(), Vec::new());
    step_with(&mut sim, &net, &mut rng(1), &[0]);
    sim.rest_state(&net);
    let fired = run_steps(&mut sim, &net, 6, |_| vec![], 1);
    assert!(fired[0].is_empty());

    // A probe spike before the rest does not pair with a post spike after it.
    let net = pair(2, 1, vec![0.1, 1.0]);
    let mut sim = new_sim(
        &net,
        &relay(),
        vec![(SleepRule::Stdp(additive()), vec![true])],
    );
    let mut r = rng(1);
    step_with(&mut sim, &net, &mut r, &[PROBE]);
    sim.rest_state(&net);
    step_with(&mut sim, &net, &mut r, &[DRIVE]);
    assert_eq!(sim.states[1].spikes, vec![0]);
    assert_eq!(sim.wt[0][0], 0.1, "the probe's trace was cleared");
    assert_close("drive", sim.wt[0][1] as f64, 1.0 + LR * A_PLUS, 1e-6);
}

#[test]
fn rest_state_clears_conductances_and_restores_thresholds_only_for_readouts() {
    // x (2) → a (lif, conductance synapses: input 0 excitatory, input 1 inhibitory),
    // x → b (lif, delta synapses, adaptive threshold 3 mV, fires on input 0).
    let mut net = build(
        vec![
            pop("x", "input", 2),
            pop("a", "layer", 1),
            pop("b", "output", 1),
        ],
        vec![proj("x", "a", &[]), proj("x", "b", &[])],
        1,
    );
    net.projs[0].w = vec![0.5, -0.5];
    net.projs[1].w = vec![1.0, 0.0];
    let models = vec![
        None,
        Some(lif(&[
            ("synapse", symbol("conductance")),
            ("threshold", number(1.0)),
        ])),
        Some(lif(&[("adapt", number(0.003))])),
    ];
    for learning in [true, false] {
        let mut sim = Sim::new(
            &net,
            models.clone(),
            vec![1.0; 3],
            Vec::new(),
            Vec::new(),
            DT,
        );
        sim.learning = learning;
        let fired = run_steps(&mut sim, &net, 1, |_| vec![0, 1], 2);
        assert_eq!(fired[0], vec![0]);
        assert!(sim.states[1].i[0] > 0.0 && sim.states[1].gi[0] > 0.0);
        assert_close(
            "theta after a spike",
            sim.states[2].theta[0] as f64,
            0.003,
            1e-9,
        );
        sim.rest_state(&net);
        assert_eq!(sim.states[1].i, vec![0.0], "g_e cleared");
        assert_eq!(sim.states[1].gi, vec![0.0], "g_i cleared");
        assert_eq!(
            sim.states[1].v,
            vec![-0.065],
            "lif starts at its default rest"
        );
        // Learnt while learning; put back to the network's value (0) for a readout.
        let want = if learning { 0.003 } else { 0.0 };
        assert_close(
            "theta after rest",
            sim.states[2].theta[0] as f64,
            want,
            1e-9,
        );
    }
}

#[test]
fn rest_state_forgets_undelayed_recurrent_spikes() {
    // x → a, a → a (self-excitation, w 1): a relay that keeps itself firing every step.
    let net = {
        let mut n = build(
            vec![pop("x", "input", 1), pop("a", "output", 1)],
            vec![proj("x", "a", &[]), proj("a", "a", &[])],
            1,
        );
        n.projs[0].w = vec![1.0];
        n.projs[1].w = vec![1.0];
        n
    };
    let mut sim = new_sim(&net, &relay(), Vec::new());
    let fired = run_steps(
        &mut sim,
        &net,
        4,
        |t| if t == 0 { vec![0] } else { vec![] },
        1,
    );
    assert_eq!(fired[0], vec![0, 1, 2, 3], "the loop sustains itself");
    // At rest nothing is in flight: with no input, `a` must stay silent. The same spike on
    // a delayed synapse is dropped by rest_state (see the test above); an undelayed one is
    // still in `states[a].spikes` and is propagated by the next step.
    sim.rest_state(&net);
    let fired = run_steps(&mut sim, &net, 3, |_| vec![], 1);
    assert!(
        fired[0].is_empty(),
        "a fired at {:?} after rest_state",
        fired[0]
    );
}

// ---------------------------------------------------------------------------------------
// 6. End to end through the binary
// ---------------------------------------------------------------------------------------

const MNIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-10k");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-spiking-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A 784-20 network learning 50 MNIST samples by STDP, then read by label assignment.
fn spiking_protocol() -> String {
    format!(
        r#"dataset mnist = idx("{MNIST}") {{ limit 300 }}
tasks digits = chunks(mnist, 1)

network dc {{
  input px 784
  layer exc 20 : lif {{ tau 20 ms; rest -65 mV; reset -65 mV; threshold -52 mV }}
  connect px -> exc as afferent {{ init uniform(0, 0.002); sign excitatory; bounds [0, 1] }}
}}

rule ltp = stdp {{ a_plus 0.01; a_minus 0.0001; tau_plus 20 ms; tau_minus 20 ms }} on afferent
rule norm = normalize_sum {{ total 0.02 }} on afferent

phase show(t: tasks) = wake {{
  data t
  length 50 samples
  present 50 ms
  rest 20 ms
  encode poisson(max_rate = 63.75 Hz)
  plasticity ltp, norm
}}

protocol tiny {{
  network dc
  seed 11
  schedule {{
    show(digits)
    measure rates(exc), weights(afferent), accuracy(digits, readout = label_assignment(exc)) as "end"
  }}
  expect final accuracy(digits, readout = label_assignment(exc)) > 5 %
}}
"#
    )
}

fn somnia(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the somnia binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn outcome(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("outcome.json")).expect("outcome.json written");
    serde_json::from_str(&text).expect("outcome.json parses")
}

/// The outcome without its wall times and its provenance (the command line differs).
fn without_timing(dir: &Path) -> String {
    let mut o = outcome(dir);
    o.as_object_mut().unwrap().remove("timing");
    o.as_object_mut().unwrap().remove("provenance");
    serde_json::to_string_pretty(&o).unwrap()
}

/// The mean over the first `n` MNIST images of the sum of their pixels scaled to [0, 1].
fn mean_ink(n: usize) -> f64 {
    use std::io::Read;
    let f = std::fs::File::open(format!("{MNIST}/mnist10k-images-idx3-ubyte.gz")).unwrap();
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(f)
        .read_to_end(&mut bytes)
        .unwrap();
    let body = &bytes[16..16 + n * 784];
    body.iter().map(|&b| b as f64 / 255.0).sum::<f64>() / n as f64
}

#[test]
fn a_spiking_wake_phase_runs_end_to_end_deterministically() {
    let dir = scratch("e2e");
    std::fs::write(dir.join("p.sleep"), spiking_protocol()).unwrap();
    let (code, text) = somnia(&dir, &["check", "p.sleep", "--color", "never"]);
    assert_eq!(code, 0, "{text}");

    let mut runs = Vec::new();
    for out in ["a", "b"] {
        let (code, text) = somnia(
            &dir,
            &[
                "run", "p.sleep", "--quiet", "--color", "never", "--out", out,
            ],
        );
        assert!(code == 0 || code == 1, "exit {code}:\n{text}");
        assert!(!text.contains("panicked"), "{text}");
        runs.push(code);
    }
    assert_eq!(runs[0], runs[1]);
    let o = outcome(&dir.join("a"));
    assert_eq!(o["status"], "complete");
    let wake = &o["ops"][0];
    assert_eq!(wake["kind"], "wake");
    assert_eq!(wake["amount"], 50);
    // Biological time: 50 samples × (50 ms present + 20 ms rest), no retries asked for.
    let sim = wake["sim_seconds"]
        .as_f64()
        .expect("a spiking wake simulates time");
    assert!((sim - 50.0 * 0.070).abs() < 1e-9, "{sim}");
    let px = wake["spikes"]["px"].as_u64().expect("px spikes recorded");
    let exc = wake["spikes"]["exc"].as_u64().expect("exc spikes recorded");
    // Poisson input: pixel p spikes with probability 63.75 Hz · 0.5 ms · p per step (dt
    // 0.5 ms by default), 100 present steps per sample, 50 samples; the images shown are a
    // shuffle of the training part, so compare with the mean ink of the whole set.
    let want = 50.0 * 100.0 * 63.75 * 0.0005 * mean_ink(300);
    assert!(
        (px as f64 - want).abs() < 0.15 * want,
        "px spikes {px}, expected about {want:.0}"
    );
    // exc spikes, but not on every step of every neuron (20 × 50 × 140 steps).
    assert!(exc > 0 && exc < 20 * 50 * 140, "exc spikes {exc}");
    let rate = o["final"]["rates"]["exc"].as_f64().unwrap();
    assert_close(
        "rates(exc)",
        rate,
        exc as f64 / (20.0 * 50.0 * 140.0 * 0.0005),
        1e-6,
    );
    // normalize_sum runs after every sample: each of the 20 neurons sums to 0.02.
    let sum = o["final"]["weights.sum"]["afferent"].as_f64().unwrap();
    assert_close("weights.sum", sum, 20.0 * 0.02, 1e-4);
    let acc = o["final"]["accuracy"]["digits"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(
        without_timing(&dir.join("a")),
        without_timing(&dir.join("b")),
        "one seed, one outcome"
    );
}

// ---------------------------------------------------------------------------------------
// 7. Synapse lists of sparse projections
// ---------------------------------------------------------------------------------------

/// x (40) → h (30) → o (12), h → h, o → h (inhibitory), every projection sparse; one
/// projection delayed. Rules: trace STDP, src_stdp, decay_to_baseline (in `mode`) and
/// weight noise, each on some projections.
fn sparse_net(delays: bool) -> Network {
    let sparse = |p: f64| ParamIr::Builtin {
        builtin: builtin("sparse", "connectivity", &[("p", number(p))]),
    };
    let uniform = |lo: f64, hi: f64| ParamIr::Builtin {
        builtin: builtin("uniform", "init", &[("lo", number(lo)), ("hi", number(hi))]),
    };
    let mut xh = vec![
        ("connectivity", sparse(0.3)),
        ("init", uniform(0.0, 0.6)),
        (
            "bounds",
            ParamIr::List {
                items: vec![number(0.0), number(1.0)],
            },
        ),
    ];
    if delays {
        xh.push(("delay_jitter", number(0.004)));
    }
    build(
        vec![
            pop("x", "input", 40),
            pop("h", "layer", 30),
            pop("o", "output", 12),
        ],
        vec![
            proj("x", "h", &xh),
            proj(
                "h",
                "o",
                &[("connectivity", sparse(0.4)), ("init", uniform(0.0, 0.8))],
            ),
            proj(
                "h",
                "h",
                &[("connectivity", sparse(0.15)), ("init", uniform(0.0, 0.3))],
            ),
            proj(
                "o",
                "h",
                &[
                    ("connectivity", sparse(0.25)),
                    ("init", uniform(-0.5, 0.0)),
                    ("sign", symbol("inhibitory")),
                ],
            ),
        ],
        3,
    )
}

/// How a sparse run uses the synapse lists.
#[derive(Clone, Copy, PartialEq)]
enum Lists {
    None,
    /// As the simulator chooses: rules always, propagation only through very sparse ones.
    Default,
    Everywhere,
}

/// Runs `steps` steps of random input on `net` using the synapse lists as `lists` says;
/// returns the weights, the spike counts and whether each step ended at the baseline.
fn run_sparse(
    net: &Network,
    model: &Model,
    mode: DecayMode,
    lists: Lists,
    steps: u64,
) -> (Vec<Vec<f32>>, Vec<u64>, Vec<bool>) {
    let rules = vec![
        (
            SleepRule::Stdp(stdp(false, false, -1.0, 1.0)),
            vec![true, false, true, true],
        ),
        (
            SleepRule::SrcStdp {
                inc: 0.01,
                dec: 0.002,
                gate: Gate::Logistic,
            },
            vec![false, true, false, false],
        ),
        (
            SleepRule::DecayToBaseline {
                target: 0.2,
                lambda: 0.99,
                mode,
                stop_at_baseline: true,
                // Σ|w| passes through [405, 495] in some of the runs.
                tolerance: 0.1,
                baseline: 450.0,
            },
            vec![true, true, true, false],
        ),
        (
            SleepRule::WeightNoise {
                sigma: 0.001,
                relative: false,
            },
            vec![false, true, false, true],
        ),
    ];
    let mut sim = new_sim(net, model, rules);
    match lists {
        Lists::None => sim.without_synapse_lists(),
        Lists::Default => {}
        Lists::Everywhere => sim.propagate_through_lists(),
    }
    let mut r = rng(11);
    let mut input = rng(12);
    let mut at_baseline = Vec::new();
    for _ in 0..steps {
        let spikes: Vec<u32> = (0..40u32)
            .filter(|_| rand::Rng::random::<f32>(&mut input) < 0.1)
            .collect();
        step_with(&mut sim, net, &mut r, &spikes);
        at_baseline.push(sim.at_baseline());
    }
    (sim.wt.clone(), sim.counts(), at_baseline)
}

#[test]
fn synapse_lists_of_sparse_projections_change_no_result() {
    let models = [
        integrate_fire(0.8, 0.0, 1.0),
        lif(&[
            ("rest", number(-0.065)),
            ("threshold", number(-0.064)),
            ("synapse", symbol("current")),
            ("tau_syn", number(0.002)),
            ("r", number(0.5)),
        ]),
        lif(&[
            ("rest", number(-0.065)),
            ("threshold", number(-0.060)),
            ("synapse", symbol("conductance")),
            ("adapt", number(0.001)),
        ]),
    ];
    for delays in [false, true] {
        let net = sparse_net(delays);
        for model in &models {
            for mode in [DecayMode::Static, DecayMode::Group, DecayMode::Post] {
                let without = run_sparse(&net, model, mode, Lists::None, 300);
                assert!(
                    without.1.iter().skip(1).all(|&c| c > 0),
                    "every layer fires: {:?}",
                    without.1
                );
                for lists in [Lists::Default, Lists::Everywhere] {
                    assert!(
                        run_sparse(&net, model, mode, lists, 300) == without,
                        "{model:?}, {mode:?}, delays {delays}"
                    );
                }
            }
        }
    }
}

/// Very sparse projections that no rule changes keep their weights in synapse-list order
/// (no dense copy): every spike, potential and conductance is as through the dense copy.
#[test]
fn static_very_sparse_projections_propagate_as_the_dense_copy() {
    let sparse = |p: f64| ParamIr::Builtin {
        builtin: builtin("sparse", "connectivity", &[("p", number(p))]),
    };
    let uniform = |lo: f64, hi: f64| ParamIr::Builtin {
        builtin: builtin("uniform", "init", &[("lo", number(lo)), ("hi", number(hi))]),
    };
    // 1/20 of the synapses: listed; a mixed-sign projection for conductances.
    let net = build(
        vec![
            pop("x", "input", 200),
            pop("h", "layer", 200),
            pop("o", "output", 100),
        ],
        vec![
            proj(
                "x",
                "h",
                &[("connectivity", sparse(0.05)), ("init", uniform(0.0, 3.0))],
            ),
            proj(
                "h",
                "o",
                &[("connectivity", sparse(0.05)), ("init", uniform(-1.0, 4.0))],
            ),
            proj(
                "h",
                "h",
                &[("connectivity", sparse(0.05)), ("init", uniform(-1.0, 1.0))],
            ),
        ],
        5,
    );
    let models = [
        integrate_fire(0.8, 0.0, 1.0),
        lif(&[
            ("rest", number(-0.065)),
            ("threshold", number(-0.064)),
            ("synapse", symbol("current")),
            ("tau_syn", number(0.002)),
        ]),
        lif(&[
            ("rest", number(-0.065)),
            ("threshold", number(-0.060)),
            ("synapse", symbol("conductance")),
        ]),
    ];
    for model in &models {
        let run = |dense: bool| {
            let mut sim = new_sim(&net, model, Vec::new());
            if dense {
                sim.without_synapse_lists();
            } else {
                assert!(
                    sim.wt.iter().all(|w| w.is_empty()),
                    "every projection listed"
                );
            }
            let (mut r, mut input) = (rng(3), rng(4));
            let mut trace = Vec::new();
            for _ in 0..200 {
                let spikes: Vec<u32> = (0..200u32)
                    .filter(|_| rand::Rng::random::<f32>(&mut input) < 0.2)
                    .collect();
                step_with(&mut sim, &net, &mut r, &spikes);
                trace.push(
                    sim.states
                        .iter()
                        .map(|s| (s.v.clone(), s.i.clone(), s.gi.clone()))
                        .collect::<Vec<_>>(),
                );
            }
            (sim.counts(), trace)
        };
        let dense = run(true);
        assert!(
            dense.0.iter().skip(1).all(|&c| c > 0),
            "every layer fires: {:?}",
            dense.0
        );
        assert!(run(false) == dense, "{model:?}");
    }
}
