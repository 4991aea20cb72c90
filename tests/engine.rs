//! Unit-level correctness tests of the engine through its public API.
//!
//! Every network here is built by hand from a `NetworkIr` and its weights are then
//! overwritten with known values. Every expected value is computed independently in the
//! test (by hand, or by a small f64 reference implementation of the documented rule),
//! never copied from a run.

use somnia::engine::backprop::{Backprop, DropoutScaling, Loss, Trainer};
use somnia::engine::drive::Drive;
use somnia::engine::metrics::{WeightStat, weight_stat};
use somnia::engine::modulators::{self, Modulator};
use somnia::engine::network::{Network, Sign};
use somnia::engine::neurons::Model;
use somnia::engine::rate::{self, Activation, Forward, Inference};
use somnia::engine::rules::{Gate, SleepRule};
use somnia::engine::scale;
use somnia::engine::sleep::{self, Setup, Stats};
use somnia::plan::bind::measures::Recursion;
use somnia::plan::ir::{BuiltinIr, ParamIr};

mod common;
use common::*;

// ---------------------------------------------------------------------------------------
// Building networks by hand
// ---------------------------------------------------------------------------------------

fn connectivity(name: &str, ps: &[(&str, ParamIr)]) -> ParamIr {
    ParamIr::Builtin {
        builtin: builtin(name, "connectivity", ps),
    }
}

/// A chain of populations `p0 -> p1 -> …` (p0 the input, the last the output), one
/// projection per arrow, no bias.
fn chain(sizes: &[u64]) -> Network {
    let names: Vec<String> = (0..sizes.len()).map(|i| format!("p{i}")).collect();
    let pops = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let role = if i == 0 {
                "input"
            } else if i + 1 == sizes.len() {
                "output"
            } else {
                "layer"
            };
            pop(&names[i], role, n)
        })
        .collect();
    let projs = names.windows(2).map(|w| proj(&w[0], &w[1], &[])).collect();
    build(pops, projs, 1)
}

// ---------------------------------------------------------------------------------------
// 1. Backprop against an independent f64 reference of a 3-4-2 network
// ---------------------------------------------------------------------------------------

/// Parameters of the reference 3-4-2 network, flattened: W1 (4×3, row-major post × pre),
/// b1 (4), W2 (2×4), b2 (2).
const W1: std::ops::Range<usize> = 0..12;
const B1: std::ops::Range<usize> = 12..16;
const W2: std::ops::Range<usize> = 16..24;
const B2: std::ops::Range<usize> = 24..26;
const N_THETA: usize = 26;

fn theta0() -> Vec<f64> {
    let w1 = [
        0.5, -0.3, 0.8, //
        -0.6, 0.4, 0.2, //
        0.3, 0.7, -0.5, //
        0.1, -0.2, 0.6,
    ];
    let b1 = [0.1, -0.2, 0.05, 0.0];
    let w2 = [
        0.4, -0.5, 0.3, 0.2, //
        -0.3, 0.6, 0.1, -0.4,
    ];
    let b2 = [0.05, -0.1];
    [&w1[..], &b1[..], &w2[..], &b2[..]].concat()
}

/// Four samples of three features, and their labels.
fn samples() -> (Vec<f32>, Vec<u32>) {
    let x = vec![
        1.0, 0.5, -0.5, //
        0.2, -1.0, 0.8, //
        -0.7, 0.3, 1.0, //
        0.9, 0.9, 0.1,
    ];
    (x, vec![0, 1, 0, 1])
}

#[derive(Clone, Copy, PartialEq)]
enum Out {
    Linear,
    Relu,
}

struct Pass {
    x: [f64; 3],
    z1: [f64; 4],
    h: [f64; 4],
    z2: [f64; 2],
    a: [f64; 2],
}

fn relu(z: f64) -> f64 {
    z.max(0.0)
}

fn ref_forward(theta: &[f64], x: &[f32], out: Out) -> Pass {
    let x = [x[0] as f64, x[1] as f64, x[2] as f64];
    let (w1, b1, w2, b2) = (&theta[W1], &theta[B1], &theta[W2], &theta[B2]);
    let mut z1 = [0.0; 4];
    let mut h = [0.0; 4];
    for j in 0..4 {
        z1[j] = b1[j] + (0..3).map(|i| w1[j * 3 + i] * x[i]).sum::<f64>();
        h[j] = relu(z1[j]);
    }
    let mut z2 = [0.0; 2];
    let mut a = [0.0; 2];
    for k in 0..2 {
        z2[k] = b2[k] + (0..4).map(|j| w2[k * 4 + j] * h[j]).sum::<f64>();
        a[k] = if out == Out::Relu { relu(z2[k]) } else { z2[k] };
    }
    Pass { x, z1, h, z2, a }
}

fn one_hot(label: u32) -> [f64; 2] {
    let mut t = [0.0; 2];
    t[label as usize] = 1.0;
    t
}

/// The loss averaged over the samples: MSE ½‖a − t‖², or −ln softmax(a)_label.
fn ref_loss(theta: &[f64], x: &[f32], y: &[u32], out: Out, loss: Loss) -> f64 {
    let n = y.len();
    let mut total = 0.0;
    for (s, &label) in y.iter().enumerate() {
        let p = ref_forward(theta, &x[s * 3..s * 3 + 3], out);
        let t = one_hot(label);
        total += match loss {
            Loss::Mse => (0..2).map(|k| 0.5 * (p.a[k] - t[k]).powi(2)).sum::<f64>(),
            Loss::CrossEntropy => {
                let m = p.a[0].max(p.a[1]);
                let lse = m + ((p.a[0] - m).exp() + (p.a[1] - m).exp()).ln();
                lse - p.a[label as usize]
            }
        };
    }
    total / n as f64
}

/// Central finite differences of `f` at `theta`.
fn fd_grad(theta: &[f64], f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
    let h = 1e-6;
    (0..theta.len())
        .map(|i| {
            let mut p = theta.to_vec();
            p[i] += h;
            let up = f(&p);
            p[i] -= 2.0 * h;
            let down = f(&p);
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// The MSE update direction written out by hand: δ_out = (a − t)·g'(z2) (or a − t when the
/// output derivative is left out, as in the SRC code), δ_h = (W2ᵀ δ_out) ⊙ relu'(z1),
/// gradients averaged over the samples.
fn ref_mse_direction(
    theta: &[f64],
    x: &[f32],
    y: &[u32],
    out: Out,
    output_derivative: bool,
) -> Vec<f64> {
    let n = y.len() as f64;
    let mut g = vec![0.0; N_THETA];
    for (s, &label) in y.iter().enumerate() {
        let p = ref_forward(theta, &x[s * 3..s * 3 + 3], out);
        let t = one_hot(label);
        let mut d2 = [0.0; 2];
        for k in 0..2 {
            let deriv = match out {
                Out::Linear => 1.0,
                Out::Relu => (p.z2[k] > 0.0) as u8 as f64,
            };
            d2[k] = (p.a[k] - t[k]) * if output_derivative { deriv } else { 1.0 };
        }
        let mut d1 = [0.0; 4];
        for j in 0..4 {
            let back: f64 = (0..2).map(|k| theta[W2][k * 4 + j] * d2[k]).sum();
            d1[j] = back * (p.z1[j] > 0.0) as u8 as f64;
        }
        for j in 0..4 {
            for i in 0..3 {
                g[W1.start + j * 3 + i] += d1[j] * p.x[i] / n;
            }
            g[B1.start + j] += d1[j] / n;
        }
        for k in 0..2 {
            for j in 0..4 {
                g[W2.start + k * 4 + j] += d2[k] * p.h[j] / n;
            }
            g[B2.start + k] += d2[k] / n;
        }
    }
    g
}

/// Checks the reference point is a fair one: no pre-activation near a relu kink (so finite
/// differences are valid), and relu units both active and inactive somewhere.
fn assert_away_from_kinks(theta: &[f64], x: &[f32], out: Out) {
    let mut neg_hidden = false;
    let mut neg_out = false;
    for s in 0..4 {
        let p = ref_forward(theta, &x[s * 3..s * 3 + 3], out);
        for z in p.z1.iter().chain(&p.z2) {
            assert!(z.abs() > 0.01, "a pre-activation {z} is too close to 0");
        }
        neg_hidden |= p.z1.iter().any(|&z| z < 0.0);
        neg_out |= p.z2.iter().any(|&z| z < 0.0);
    }
    assert!(neg_hidden, "some hidden unit must be inactive somewhere");
    assert!(neg_out, "some output unit must be negative somewhere");
}

/// The 3-4-2 network in the engine, with `theta`'s weights (biases when `bias`).
fn engine_net(theta: &[f64], bias: bool) -> Network {
    let pops = vec![
        pop("x", "input", 3),
        pop("h", "layer", 4),
        pop("y", "output", 2),
    ];
    let projs = vec![
        proj("x", "h", &[("bias", boolean(bias))]),
        proj("h", "y", &[("bias", boolean(bias))]),
    ];
    let mut net = build(pops, projs, 3);
    set_theta(&mut net, theta);
    net
}

fn set_theta(net: &mut Network, theta: &[f64]) {
    let f = |r: std::ops::Range<usize>| theta[r].iter().map(|&v| v as f32).collect::<Vec<_>>();
    net.projs[0].w = f(W1);
    net.projs[1].w = f(W2);
    if let Some(b) = &mut net.projs[0].bias {
        *b = f(B1);
    }
    if let Some(b) = &mut net.projs[1].bias {
        *b = f(B2);
    }
}

/// The engine's parameters as a reference vector (absent biases read as 0).
fn get_theta(net: &Network) -> Vec<f64> {
    let mut t = vec![0.0; N_THETA];
    let mut put = |r: std::ops::Range<usize>, v: &[f32]| {
        t[r].iter_mut().zip(v).for_each(|(t, &v)| *t = v as f64)
    };
    put(W1, &net.projs[0].w);
    put(W2, &net.projs[1].w);
    if let Some(b) = &net.projs[0].bias {
        put(B1, b);
    }
    if let Some(b) = &net.projs[1].bias {
        put(B2, b);
    }
    t
}

fn rule(loss: Loss, lr: f32, momentum: f32, output_derivative: bool) -> Backprop {
    Backprop {
        loss,
        lr,
        momentum,
        batch: 4,
        dropout: 0.0,
        dropout_on: Vec::new(),
        scaling: DropoutScaling::Inverted,
        output_derivative,
        weight_decay: 0.0,
        plastic: vec![true, true],
    }
}

fn acts(out: Out) -> Vec<Activation> {
    let o = match out {
        Out::Linear => Activation::Linear,
        Out::Relu => Activation::Relu,
    };
    vec![Activation::Linear, Activation::Relu, o]
}

/// One `Trainer::epoch` over the four samples in one batch; returns the reported loss.
fn one_epoch(net: &mut Network, out: Out, r: &Backprop, seed: u64) -> f64 {
    let (x, y) = samples();
    let mut trainer = Trainer::new(net, 4, 3);
    trainer
        .epoch(net, &acts(out), r, &x, &y, 3, 4, &mut rng(seed), |_| {})
        .expect("the loss stays finite")
}

/// The parameters a configuration trains (biases only when present).
fn trained(bias: bool) -> Vec<usize> {
    if bias {
        (0..N_THETA).collect()
    } else {
        W1.chain(W2).collect()
    }
}

/// Compares the engine's step `(before − after) / lr` with the expected direction.
fn assert_step(label: &str, before: &[f64], after: &[f64], lr: f64, want: &[f64], idx: &[usize]) {
    let mut largest: f64 = 0.0;
    for &i in idx {
        let got = (before[i] - after[i]) / lr;
        largest = largest.max(want[i].abs());
        assert_close(
            &format!("{label}: parameter {i}"),
            got,
            want[i],
            2e-4 + 1e-3 * want[i].abs(),
        );
    }
    assert!(
        largest > 0.05,
        "{label}: the gradient is too small to test anything"
    );
}

fn check_gradient(out: Out, bias: bool, loss: Loss) {
    let (x, y) = samples();
    let theta = theta0();
    assert_away_from_kinks(&theta, &x, out);
    let mut t = theta.clone();
    if !bias {
        t[B1].fill(0.0);
        t[B2].fill(0.0);
    }
    let mut net = engine_net(&t, bias);
    let lr = 0.01;
    let reported = one_epoch(&mut net, out, &rule(loss, lr, 0.0, true), 5);
    let want_loss = ref_loss(&t, &x, &y, out, loss);
    assert_close(
        "reported loss",
        reported,
        want_loss,
        1e-5 * want_loss.max(1.0),
    );
    let grad = fd_grad(&t, |p| ref_loss(p, &x, &y, out, loss));
    assert_step(
        "gradient",
        &t,
        &get_theta(&net),
        lr as f64,
        &grad,
        &trained(bias),
    );
    if !bias {
        assert!(net.projs.iter().all(|p| p.bias.is_none()));
    }
}

#[test]
fn backprop_mse_linear_output_with_bias_follows_the_gradient() {
    check_gradient(Out::Linear, true, Loss::Mse);
}

#[test]
fn backprop_mse_linear_output_without_bias_follows_the_gradient() {
    check_gradient(Out::Linear, false, Loss::Mse);
}

#[test]
fn backprop_mse_relu_output_with_bias_follows_the_gradient() {
    check_gradient(Out::Relu, true, Loss::Mse);
}

#[test]
fn backprop_mse_relu_output_without_bias_follows_the_gradient() {
    check_gradient(Out::Relu, false, Loss::Mse);
}

#[test]
fn backprop_cross_entropy_softmax_linear_output_follows_the_gradient() {
    check_gradient(Out::Linear, true, Loss::CrossEntropy);
    check_gradient(Out::Linear, false, Loss::CrossEntropy);
}

/// With `cross_entropy` the output's transfer function is replaced by a softmax of its
/// input (docs: backprop), so a relu output trains exactly like a linear one and the update
/// is the gradient of the loss reported.
#[test]
fn backprop_cross_entropy_applies_softmax_to_the_output_input() {
    let (x, y) = samples();
    let theta = theta0();
    assert_away_from_kinks(&theta, &x, Out::Relu);
    let mut net = engine_net(&theta, true);
    let lr = 0.01;
    let reported = one_epoch(
        &mut net,
        Out::Relu,
        &rule(Loss::CrossEntropy, lr, 0.0, true),
        5,
    );
    let want = ref_loss(&theta, &x, &y, Out::Linear, Loss::CrossEntropy);
    assert_close("reported loss", reported, want, 1e-5 * want.max(1.0));
    let grad = fd_grad(&theta, |p| {
        ref_loss(p, &x, &y, Out::Linear, Loss::CrossEntropy)
    });
    assert_step(
        "gradient",
        &theta,
        &get_theta(&net),
        lr as f64,
        &grad,
        &trained(true),
    );
}

#[test]
fn reference_mse_direction_matches_finite_differences() {
    // The hand-written reference is itself checked, so the next test can trust it.
    let (x, y) = samples();
    let theta = theta0();
    for out in [Out::Linear, Out::Relu] {
        let fd = fd_grad(&theta, |p| ref_loss(p, &x, &y, out, Loss::Mse));
        let an = ref_mse_direction(&theta, &x, &y, out, true);
        for i in 0..N_THETA {
            assert_close(&format!("reference parameter {i}"), an[i], fd[i], 1e-7);
        }
    }
}

#[test]
fn backprop_without_output_derivative_uses_the_raw_error() {
    let (x, y) = samples();
    let theta = theta0();
    assert_away_from_kinks(&theta, &x, Out::Relu);
    let raw = ref_mse_direction(&theta, &x, &y, Out::Relu, false);
    let true_grad = ref_mse_direction(&theta, &x, &y, Out::Relu, true);
    // The two must differ enough for the test to tell them apart.
    let gap = raw
        .iter()
        .zip(&true_grad)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(
        gap > 0.05,
        "the raw error and the gradient barely differ ({gap})"
    );
    let mut net = engine_net(&theta, true);
    let lr = 0.01;
    one_epoch(&mut net, Out::Relu, &rule(Loss::Mse, lr, 0.0, false), 9);
    assert_step(
        "raw error",
        &theta,
        &get_theta(&net),
        lr as f64,
        &raw,
        &trained(true),
    );
}

#[test]
fn backprop_momentum_accumulates_across_steps() {
    let (x, y) = samples();
    let theta = theta0();
    let (lr, mu) = (0.01f32, 0.9f32);
    let r = rule(Loss::Mse, lr, mu, true);
    let mut net = engine_net(&theta, true);
    let grad = |t: &[f64]| fd_grad(t, |p| ref_loss(p, &x, &y, Out::Linear, Loss::Mse));

    // Step 1: v₁ = lr·g(θ₀), θ₁ = θ₀ − v₁.
    one_epoch(&mut net, Out::Linear, &r, 1);
    let g0 = grad(&theta);
    let v1: Vec<f64> = g0.iter().map(|g| lr as f64 * g).collect();
    let th1 = get_theta(&net);
    for i in 0..N_THETA {
        assert_close(&format!("θ₁[{i}]"), th1[i], theta[i] - v1[i], 3e-6);
    }
    let vw1: Vec<f64> = net
        .projs
        .iter()
        .flat_map(|p| p.vw.iter().map(|&v| v as f64))
        .collect();
    let want_vw1: Vec<f64> = v1[W1].iter().chain(&v1[W2]).copied().collect();
    for (i, (g, w)) in vw1.iter().zip(&want_vw1).enumerate() {
        assert_close(&format!("v₁[{i}]"), *g, *w, 1e-7);
    }

    // Step 2: v₂ = μ·v₁ + lr·g(θ₁), θ₂ = θ₁ − v₂, with g taken at the engine's θ₁.
    one_epoch(&mut net, Out::Linear, &r, 2);
    let g1 = grad(&th1);
    let th2 = get_theta(&net);
    let mut moved_by_momentum = 0.0f64;
    for i in 0..N_THETA {
        let v2 = mu as f64 * v1[i] + lr as f64 * g1[i];
        assert_close(&format!("θ₂[{i}]"), th2[i], th1[i] - v2, 3e-6);
        moved_by_momentum = moved_by_momentum.max((mu as f64 * v1[i]).abs());
    }
    // Without the μ·v₁ term the second step would differ by at least this much somewhere.
    assert!(moved_by_momentum > 1e-3);
}

#[test]
fn backprop_weight_decay_adds_to_the_weight_gradient_only() {
    let (x, y) = samples();
    let theta = theta0();
    let mut r = rule(Loss::Mse, 0.01, 0.0, true);
    r.weight_decay = 0.5;
    let mut net = engine_net(&theta, true);
    one_epoch(&mut net, Out::Linear, &r, 4);
    let mut want = fd_grad(&theta, |p| ref_loss(p, &x, &y, Out::Linear, Loss::Mse));
    for i in W1.chain(W2) {
        want[i] += 0.5 * theta[i];
    }
    assert_step(
        "weight decay",
        &theta,
        &get_theta(&net),
        0.01,
        &want,
        &trained(true),
    );
}

#[test]
fn backprop_leaves_non_plastic_projections_alone() {
    let theta = theta0();
    let mut net = engine_net(&theta, true);
    let mut r = rule(Loss::Mse, 0.01, 0.0, true);
    r.plastic = vec![false, true];
    one_epoch(&mut net, Out::Linear, &r, 4);
    let after = get_theta(&net);
    for i in W1.chain(B1) {
        assert_eq!(
            after[i], theta[i] as f32 as f64,
            "parameter {i} of a frozen projection moved"
        );
    }
    assert!(W2.chain(B2).any(|i| after[i] != theta[i] as f32 as f64));
}

// ---------------------------------------------------------------------------------------
// 2. Dropout scaling at test time
// ---------------------------------------------------------------------------------------

fn backprop_of(ir: &BuiltinIr, net: &Network) -> Backprop {
    let b: somnia::plan::bind::Bound<somnia::plan::bind::Rule> =
        somnia::plan::bind::Bound::new(ir.clone()).expect("backprop binds");
    let somnia::plan::bind::Rule::Backprop(p) = &b.kernel else {
        panic!("not backprop")
    };
    Backprop::new(p, &b.on, net)
}

fn backprop_ir(scaling: &str, dropout: f64, on: &[&str]) -> BuiltinIr {
    let mut b = builtin(
        "backprop",
        "plasticity rule",
        &[
            ("dropout", number(dropout)),
            ("dropout_scaling", symbol(scaling)),
        ],
    );
    b.on = on
        .iter()
        .map(|n| ParamIr::Population {
            name: n.to_string(),
        })
        .collect();
    b
}

#[test]
fn dropout_test_time_scales_only_the_dropout_populations() {
    // p0 (input) -> p1 -> p2 -> p3 (output).
    let net = chain(&[3, 4, 4, 2]);
    let b = backprop_of(&backprop_ir("test_time", 0.25, &[]), &net);
    assert_eq!(b.test_scale(4), vec![1.0, 0.75, 0.75, 1.0]);
    let b = backprop_of(&backprop_ir("test_time", 0.25, &["p2"]), &net);
    assert_eq!(b.test_scale(4), vec![1.0, 1.0, 0.75, 1.0]);
    let b = backprop_of(&backprop_ir("inverted", 0.25, &[]), &net);
    assert_eq!(b.test_scale(4), vec![1.0; 4]);
}

#[test]
fn inference_applies_the_test_scale_to_activity() {
    // 1 -> 1 -> 1, weights 2 and 3, linear: y = 3·(s·2x).
    let mut net = chain(&[1, 1, 1]);
    net.projs[0].w = vec![2.0];
    net.projs[1].w = vec![3.0];
    let inf = Inference {
        act: vec![Activation::Linear; 3],
        test_scale: vec![1.0, 0.5, 1.0],
    };
    let mut fw = Forward::new(&net, 1);
    rate::infer(
        &net,
        &inf,
        somnia::engine::backprop::rows(&[1.5], 1),
        &mut fw,
    );
    assert_eq!(fw.acts[1][[0, 0]], 1.5);
    assert_eq!(fw.acts[2][[0, 0]], 4.5);
}

// ---------------------------------------------------------------------------------------
// 3. argmax
// ---------------------------------------------------------------------------------------

#[test]
fn argmax_takes_the_first_of_ties_and_zero_for_all_zeros() {
    assert_eq!(rate::argmax(&[0.1, 0.7, 0.7, 0.2]), 1);
    assert_eq!(rate::argmax(&[0.0, 0.0, 0.0]), 0);
    assert_eq!(rate::argmax(&[-3.0, -1.0, -1.0]), 1);
    assert_eq!(rate::argmax(&[0.2, 0.1, 0.9]), 2);
    assert_eq!(rate::argmax(&[5.0]), 0);
}

// ---------------------------------------------------------------------------------------
// 4. Activation-max scaling
// ---------------------------------------------------------------------------------------

#[test]
fn activation_max_matlab_and_diehl_recursions() {
    // p0 (input) -> p1 -> p2 -> p3.
    let mut net = chain(&[2, 2, 2, 2]);
    net.projs[0].w = vec![0.5, -1.0, 0.2, 0.1]; // max positive 0.5
    net.projs[1].w = vec![-2.0, 3.0, 1.0, 0.5]; // max positive 3.0
    net.projs[2].w = vec![-0.5, -0.1, -0.2, -4.0]; // no positive weight
    let maxima = [9.0, 2.0, 1.5, 0.8]; // the input's maximum is never used
    // λ = max(largest positive weight in, largest activation).
    let (l1, l2, l3) = (2.0f64, 3.0f64, 0.8f64);
    let factor = 2.5;

    let m = scale::activation_max(&net, &maxima, Recursion::Matlab, factor);
    let a1 = l1 / 1.0;
    let a2 = l2 / a1;
    let a3 = l3 / a2;
    let want = [1.0, factor / a1, factor / a2, factor / a3];
    for (i, (g, w)) in m.iter().zip(&want).enumerate() {
        assert_close(&format!("matlab scale of p{i}"), *g as f64, *w, 1e-6);
    }
    // By hand: 1.25, 2.5/1.5, 2.5/(0.8/1.5) = 4.6875.
    assert_close("matlab p3", m[3] as f64, 4.6875, 1e-6);

    let d = scale::activation_max(&net, &maxima, Recursion::Diehl, factor);
    let want = [1.0, factor * 1.0 / l1, factor * l1 / l2, factor * l2 / l3];
    for (i, (g, w)) in d.iter().zip(&want).enumerate() {
        assert_close(&format!("diehl scale of p{i}"), *g as f64, *w, 1e-6);
    }
    assert_close("diehl p3", d[3] as f64, 9.375, 1e-6);
}

// ---------------------------------------------------------------------------------------
// 5. Sleep
// ---------------------------------------------------------------------------------------

fn integrate_fire(decay: f32, reset: f32, threshold: f32) -> Model {
    Model::IntegrateFire {
        decay,
        reset,
        threshold,
    }
}

/// A phase over `net` with one model on every non-input population and the input driven
/// with probabilities `prob`.
fn setup(net: &Network, steps: u64, model: Model, prob: Vec<f32>) -> Setup {
    Setup {
        steps,
        dt: 0.001,
        models: net
            .pops
            .iter()
            .map(|p| (!p.is_input()).then(|| model.clone()))
            .collect(),
        scale: vec![1.0; net.pops.len()],
        drive: Drive::new(prob),
        rules: Vec::new(),
        modulators: Vec::new(),
        silenced: Vec::new(),
        record_input: false,
        monitor: None,
    }
}

fn run(net: &mut Network, s: &Setup, seed: u64) -> Stats {
    sleep::run(net, s, &mut rng(seed), |_| {}).expect("the potentials stay finite")
}

#[test]
fn sleep_spikes_cross_every_layer_in_the_step_they_are_emitted() {
    let mut net = chain(&[1, 1, 1, 1]);
    net.projs.iter_mut().for_each(|p| p.w = vec![1.0]);
    let s = setup(&net, 1, integrate_fire(1.0, 0.0, 0.5), vec![1.0]);
    let stats = run(&mut net.clone(), &s, 1);
    assert_eq!(stats.spikes, vec![1, 1, 1, 1]);
    assert_eq!(stats.steps, 1);
    let mut s5 = s;
    s5.steps = 5;
    assert_eq!(run(&mut net, &s5, 1).spikes, vec![5, 5, 5, 5]);
}

/// Steps until v ← d·v + I first reaches θ from 0: the smallest n with I(1 − dⁿ)/(1 − d) ≥ θ.
fn steps_to_threshold(d: f64, input: f64, theta: f64) -> u64 {
    let mut v = 0.0;
    for n in 1.. {
        v = d * v + input;
        if v >= theta {
            // Cross-check with the closed form.
            let closed = ((1.0 - theta * (1.0 - d) / input).ln() / d.ln()).ceil() as u64;
            assert_eq!(n, closed);
            return n;
        }
    }
    unreachable!()
}

#[test]
fn sleep_decay_delays_the_first_spike_as_predicted() {
    let (d, w, theta) = (0.5f32, 0.3f32, 0.55f32);
    let n = steps_to_threshold(d as f64, w as f64, theta as f64);
    assert_eq!(n, 4); // 0.3, 0.45, 0.525, 0.5625
    let mut net = chain(&[1, 1]);
    net.projs[0].w = vec![w];
    let mut s = setup(&net, n - 1, integrate_fire(d, 0.0, theta), vec![1.0]);
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 0);
    s.steps = n;
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 1);
    // With reset to 0 the cycle repeats every n steps.
    s.steps = 3 * n;
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 3);
    // The population's scale multiplies its input: w/2 scaled by 2 is the same input.
    net.projs[0].w = vec![w / 2.0];
    s.scale[1] = 2.0;
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 3);
    s.scale[1] = 1.0;
    assert_eq!(
        run(&mut net, &s, 1).spikes[1],
        0,
        "half the input never reaches θ (limit 0.3)"
    );
}

#[test]
fn sleep_resets_to_the_reset_potential_after_a_spike() {
    // Decay 1, input 0.3, θ = 1: from 0 the first spike is on step 4 (1.2); from a reset of
    // 0.2 each next one takes 3 steps (0.5, 0.8, 1.1): spikes on 4, 7, 10, 13.
    let mut net = chain(&[1, 1]);
    net.projs[0].w = vec![0.3];
    let s = setup(&net, 13, integrate_fire(1.0, 0.2, 1.0), vec![1.0]);
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 4);
    // Reset to 0: every 4 steps, spikes on 4, 8, 12.
    let s = setup(&net, 13, integrate_fire(1.0, 0.0, 1.0), vec![1.0]);
    assert_eq!(run(&mut net.clone(), &s, 1).spikes[1], 3);
    // Reset below 0 (-0.3): 4, then every 5 steps: 4, 9 (and 14 is past the end).
    let s = setup(&net, 13, integrate_fire(1.0, -0.3, 1.0), vec![1.0]);
    assert_eq!(run(&mut net, &s, 1).spikes[1], 2);
}

#[test]
fn sleep_spike_counts_follow_the_chain() {
    // Input spikes every step; p1 (w 0.5, θ 0.9) every 2nd step; p2 (w 1) with each p1
    // spike; p3 (w 0.5) with every 2nd p2 spike.
    let mut net = chain(&[1, 1, 1, 1]);
    net.projs[0].w = vec![0.5];
    net.projs[1].w = vec![1.0];
    net.projs[2].w = vec![0.5];
    let s = setup(&net, 12, integrate_fire(1.0, 0.0, 0.9), vec![1.0]);
    assert_eq!(run(&mut net, &s, 1).spikes, vec![12, 6, 6, 3]);
}

/// SRC's `matlab` gate: f(w) = 2 / (1 + exp(w / gate)).
fn matlab_gate(w: f64, gate: f64) -> f64 {
    2.0 / (1.0 + (w / gate).exp())
}

/// x (2 inputs: 0 always spikes, 1 never) -> y (2 neurons). y0 gets w = [1.0, −0.2] and
/// spikes every step (θ 0.5, decay 1, reset 0); y1 gets [0.1, 0.1] and stays below θ for
/// 4 steps.
fn stdp_net() -> Network {
    let mut net = chain(&[2, 2]);
    net.projs[0].w = vec![1.0, -0.2, 0.1, 0.1];
    net
}

fn stdp_run(gate: Gate, steps: u64) -> (Network, Stats) {
    let mut net = stdp_net();
    let mut s = setup(&net, steps, integrate_fire(1.0, 0.0, 0.5), vec![1.0, 0.0]);
    s.rules = vec![(
        SleepRule::SrcStdp {
            inc: 0.01,
            dec: 0.002,
            gate,
        },
        vec![true],
    )];
    let stats = run(&mut net, &s, 3);
    (net, stats)
}

#[test]
fn src_stdp_potentiates_active_and_depresses_silent_inputs_through_the_gate() {
    let gate = 0.5;
    let steps = 3;
    let (net, stats) = stdp_run(
        Gate::Matlab {
            inv_gate: (1.0 / gate) as f32,
        },
        steps,
    );
    assert_eq!(stats.spikes, vec![steps, steps]);
    let (mut w0, mut w1) = (1.0f64, -0.2f64);
    for _ in 0..steps {
        w0 += 0.01 * matlab_gate(w0, gate);
        w1 -= 0.002 * matlab_gate(w1, gate);
    }
    let w = &net.projs[0].w;
    assert_close("w(x0 -> y0)", w[0] as f64, w0, 2e-6);
    assert_close("w(x1 -> y0)", w[1] as f64, w1, 2e-6);
    // A single step by hand: 1 + 0.01·2/(1 + e²) and −0.2 − 0.002·2/(1 + e^−0.4).
    assert!((w0 - 1.0 - 3.0 * 0.01 * 0.2384).abs() < 1e-4);
    // y1 never spiked: its synapses are untouched.
    assert_eq!(&w[2..], &[0.1, 0.1]);
}

#[test]
fn src_stdp_without_a_gate_changes_by_inc_and_dec() {
    let (net, stats) = stdp_run(Gate::None, 4);
    assert_eq!(stats.spikes, vec![4, 4]);
    let w = &net.projs[0].w;
    assert_close("w(x0 -> y0)", w[0] as f64, 1.0 + 4.0 * 0.01, 1e-6);
    assert_close("w(x1 -> y0)", w[1] as f64, -0.2 - 4.0 * 0.002, 1e-6);
    assert_eq!(&w[2..], &[0.1, 0.1]);
}

#[test]
fn src_stdp_spares_projections_it_does_not_apply_to() {
    let mut net = stdp_net();
    let mut s = setup(&net, 3, integrate_fire(1.0, 0.0, 0.5), vec![1.0, 0.0]);
    s.rules = vec![(
        SleepRule::SrcStdp {
            inc: 0.01,
            dec: 0.002,
            gate: Gate::None,
        },
        vec![false],
    )];
    run(&mut net, &s, 3);
    assert_eq!(net.projs[0].w, vec![1.0, -0.2, 0.1, 0.1]);
}

#[test]
fn src_stdp_rule_reads_its_parameters() {
    let b = builtin(
        "src_stdp",
        "plasticity rule",
        &[
            ("inc", number(0.032)),
            ("dec", number(0.0033)),
            ("gate", number(0.25)),
            ("gate_fn", symbol("matlab")),
        ],
    );
    let Some(SleepRule::SrcStdp { inc, dec, gate }) = rule_of(&b) else {
        panic!("src_stdp is a sleep rule")
    };
    assert_eq!((inc, dec), (0.032, 0.0033));
    assert_close("gate f(0)", gate.f(0.0) as f64, 1.0, 1e-7);
    assert_close(
        "gate f(0.25)",
        gate.f(0.25) as f64,
        matlab_gate(0.25, 0.25),
        1e-6,
    );
    assert_close(
        "gate f(-0.5)",
        gate.f(-0.5) as f64,
        2.0 / (1.0 + (-2.0f64).exp()),
        1e-6,
    );
}

#[test]
fn downscale_multiplies_every_weight_each_step() {
    let mut net = chain(&[2, 3, 1]);
    let w0 = vec![0.5, -0.25, 1.0, 2.0, -4.0, 0.125];
    let w1 = vec![3.0, -1.0, 0.75];
    net.projs[0].w = w0.clone();
    net.projs[1].w = w1.clone();
    let mut s = setup(&net, 5, integrate_fire(1.0, 0.0, 1.0), vec![0.0, 0.0]);
    s.rules = vec![(SleepRule::Downscale { factor: 0.9 }, vec![true, false])];
    let stats = run(&mut net, &s, 1);
    assert_eq!(stats.spikes, vec![0, 0, 0]);
    let k = 0.9f64.powi(5);
    for (g, w) in net.projs[0].w.iter().zip(&w0) {
        assert_close(
            "downscaled weight",
            *g as f64,
            *w as f64 * k,
            1e-6 * w.abs().max(1.0) as f64,
        );
    }
    assert_eq!(
        net.projs[1].w, w1,
        "downscale touched a projection it does not apply to"
    );
}

fn random_phase() -> (Network, Setup) {
    let mut net = chain(&[4, 3, 2]);
    net.projs[0].w = vec![0.6, 0.2, -0.1, 0.4, 0.3, 0.5, 0.7, -0.2, 0.1, 0.9, 0.2, 0.3];
    net.projs[1].w = vec![0.8, 0.4, 0.6, 0.5, 0.9, 0.3];
    let mut s = setup(
        &net,
        300,
        integrate_fire(0.95, 0.0, 0.7),
        vec![0.5, 0.4, 0.3, 0.6],
    );
    s.rules = vec![
        (
            SleepRule::SrcStdp {
                inc: 0.01,
                dec: 0.001,
                gate: Gate::Matlab { inv_gate: 2.0 },
            },
            vec![true, true],
        ),
        (
            SleepRule::WeightNoise {
                sigma: 0.001,
                relative: false,
            },
            vec![true, true],
        ),
    ];
    (net, s)
}

#[test]
fn sleep_is_deterministic_for_a_seed() {
    let (net, s) = random_phase();
    let (mut a, mut b, mut c) = (net.clone(), net.clone(), net.clone());
    let sa = run(&mut a, &s, 42);
    let sb = run(&mut b, &s, 42);
    assert_eq!(sa, sb);
    assert_eq!(a.projs, b.projs);
    assert!(
        sa.spikes.iter().all(|&n| n > 0),
        "every population is active: {sa:?}"
    );
    // A different seed draws different input spikes (and weight noise).
    run(&mut c, &s, 43);
    assert_ne!(c.projs[0].w, a.projs[0].w);
}

#[test]
fn sleep_modulators_gate_the_drive() {
    // slow, square, 1 Hz, depth 1, up half the cycle; dt = 1/8 s: the drive is on for
    // t = 0, 1/8, 2/8, 3/8 and off for the next four steps, in each of two cycles.
    let mut net = chain(&[3, 1]);
    let mut s = setup(&net, 16, integrate_fire(1.0, 0.0, 100.0), vec![1.0; 3]);
    s.dt = 0.125;
    s.modulators = vec![Modulator::Slow {
        freq: 1.0,
        depth: 1.0,
        up_fraction: 0.5,
        smooth: false,
    }];
    assert_eq!(run(&mut net, &s, 1).spikes[0], 3 * 8);
}

#[test]
fn integrate_fire_from_ir_multiplies_the_threshold_by_the_layer_factor() {
    let b = builtin(
        "integrate_fire",
        "neuron model",
        &[
            ("decay", number(0.9)),
            ("reset", number(0.1)),
            ("threshold", number(2.0)),
            (
                "thresholds",
                ParamIr::List {
                    items: vec![number(3.0), number(5.0)],
                },
            ),
        ],
    );
    assert_eq!(model_of(&b, 1, 0.001), Some(integrate_fire(0.9, 0.1, 10.0)));
    assert_eq!(model_of(&b, 0, 0.001), Some(integrate_fire(0.9, 0.1, 6.0)));
    // Past the end of the list the factor is 1.
    assert_eq!(model_of(&b, 2, 0.001), Some(integrate_fire(0.9, 0.1, 2.0)));
}

/// Synapses a connectivity leaves out stay absent while the phase runs, not only after it:
/// here x -> h is one_to_one, and h1 must see only x1.
///
/// Both inputs spike every step. h0 (w 1, θ 0.5) spikes every step; h1 (w 0.2) first on
/// step 3. src_stdp (inc 0.1, no gate) then raises w(x1 -> h1) to 0.3 and, if the rule also
/// touched the absent synapse x0 -> h1, that one to 0.1. Without the absent synapse h1
/// spikes on steps 3 and 5 (0.3, 0.6 → spike, w 0.4; then 0.4); with it on 3, 5 and 6.
#[test]
fn sleep_keeps_absent_synapses_absent_during_the_phase() {
    let pops = vec![pop("x", "input", 2), pop("h", "output", 2)];
    let projs = vec![proj(
        "x",
        "h",
        &[
            ("connectivity", connectivity("one_to_one", &[])),
            ("init", number(1.0)),
        ],
    )];
    let mut net = build(pops, projs, 1);
    net.projs[0].w = vec![1.0, 0.0, 0.0, 0.2];
    let mut s = setup(&net, 6, integrate_fire(1.0, 0.0, 0.5), vec![1.0, 1.0]);
    s.rules = vec![(
        SleepRule::SrcStdp {
            inc: 0.1,
            dec: 0.0,
            gate: Gate::None,
        },
        vec![true],
    )];
    let stats = run(&mut net, &s, 1);
    assert_eq!(stats.spikes, vec![12, 6 + 2]);
}

// ---------------------------------------------------------------------------------------
// 6. Drive
// ---------------------------------------------------------------------------------------

#[test]
fn drive_window_spikes_exactly_its_square() {
    // (w, h) over (cols, rows): square and non-square windows and images.
    for (w, h, cols, rows) in [
        (2usize, 2usize, 4usize, 4usize),
        (2, 3, 4, 4),
        (3, 1, 5, 3),
        (5, 3, 5, 3),
    ] {
        let mut d = Drive::new(vec![1.0; cols * rows]);
        d.window = Some((w, h, cols, rows));
        let mut r = rng(7);
        let mut spikes = Vec::new();
        let mut corners = std::collections::BTreeSet::new();
        for _ in 0..400 {
            d.step(&mut r, 1.0, &mut spikes);
            assert_eq!(spikes.len(), w * h, "window {w}x{h} over {cols}x{rows}");
            let cs: Vec<usize> = spikes.iter().map(|&k| k as usize % cols).collect();
            let rs: Vec<usize> = spikes.iter().map(|&k| k as usize / cols).collect();
            let (c0, r0) = (*cs.iter().min().unwrap(), *rs.iter().min().unwrap());
            let mut want: Vec<u32> = (r0..r0 + h)
                .flat_map(|r| (c0..c0 + w).map(move |c| (r * cols + c) as u32))
                .collect();
            want.sort_unstable();
            assert_eq!(spikes, want, "the spikes are not a {w} x {h} block");
            assert!(c0 + w <= cols && r0 + h <= rows);
            corners.insert((c0, r0));
        }
        // Every position of the window turns up.
        assert_eq!(corners.len(), (cols - w + 1) * (rows - h + 1));
    }
}

#[test]
fn drive_with_zero_gain_is_silent() {
    let mut spikes = vec![99];
    for window in [None, Some((2, 2, 4, 4))] {
        let mut d = Drive::new(vec![1.0; 16]);
        d.window = window;
        let mut r = rng(1);
        for _ in 0..50 {
            d.step(&mut r, 0.0, &mut spikes);
            assert!(spikes.is_empty());
        }
    }
    assert!(Drive::silent(5).is_silent());
    let mut r = rng(1);
    Drive::silent(5).step(&mut r, 1.0, &mut spikes);
    assert!(spikes.is_empty());
}

#[test]
fn drive_rate_matches_its_probability() {
    let (p, n, steps) = (0.3f64, 10usize, 4000usize);
    let mut d = Drive::new(vec![p as f32; n]);
    let mut r = rng(11);
    let mut spikes = Vec::new();
    let mut total = 0usize;
    let mut per_input = vec![0usize; n];
    for _ in 0..steps {
        d.step(&mut r, 1.0, &mut spikes);
        total += spikes.len();
        spikes.iter().for_each(|&k| per_input[k as usize] += 1);
        assert!(spikes.windows(2).all(|w| w[0] < w[1]));
    }
    let trials = (n * steps) as f64;
    let rate = total as f64 / trials;
    let sigma = (p * (1.0 - p) / trials).sqrt();
    assert!(
        (rate - p).abs() < 5.0 * sigma,
        "rate {rate}, want {p} ± {}",
        5.0 * sigma
    );
    let sigma1 = (p * (1.0 - p) / steps as f64).sqrt();
    for (k, &c) in per_input.iter().enumerate() {
        let r1 = c as f64 / steps as f64;
        assert!((r1 - p).abs() < 5.0 * sigma1, "input {k}: rate {r1}");
    }
    // The gain multiplies the probability: 0.3 × 2 = 0.6 (the drive restarted with its
    // bound on the gain).
    let mut d = d.restarted(4.0);
    let mut total = 0usize;
    for _ in 0..steps {
        d.step(&mut r, 2.0, &mut spikes);
        total += spikes.len();
    }
    let rate = total as f64 / trials;
    let sigma = (0.6f64 * 0.4 / trials).sqrt();
    assert!((rate - 0.6).abs() < 5.0 * sigma, "rate {rate} with gain 2");
    // A probability above 1 after the gain always spikes.
    for _ in 0..20 {
        d.step(&mut r, 4.0, &mut spikes);
        assert_eq!(spikes.len(), n);
    }
}

// ---------------------------------------------------------------------------------------
// 7. Connectivity and constraints
// ---------------------------------------------------------------------------------------

fn one_projection(pre: u64, post: u64, ps: &[(&str, ParamIr)], seed: u64) -> Network {
    build(
        vec![pop("a", "input", pre), pop("b", "output", post)],
        vec![proj("a", "b", ps)],
        seed,
    )
}

#[test]
fn one_to_one_is_the_identity() {
    for (pre, post) in [(4, 4), (3, 5), (5, 3)] {
        let net = one_projection(
            pre,
            post,
            &[
                ("connectivity", connectivity("one_to_one", &[])),
                ("init", number(0.7)),
            ],
            1,
        );
        let p = &net.projs[0];
        let m = p.mask.as_ref().expect("a mask");
        for j in 0..post as usize {
            for i in 0..pre as usize {
                let want = (i == j) as u8 as f32;
                assert_eq!(
                    m[j * pre as usize + i],
                    want,
                    "mask[{j}][{i}] of {pre}->{post}"
                );
                assert_eq!(p.w[j * pre as usize + i], 0.7 * want);
            }
        }
    }
}

#[test]
fn all_but_self_has_a_zero_diagonal() {
    let net = one_projection(
        4,
        4,
        &[
            ("connectivity", connectivity("all_but_self", &[])),
            ("init", number(-0.5)),
        ],
        1,
    );
    let p = &net.projs[0];
    let m = p.mask.as_ref().expect("a mask");
    for j in 0..4 {
        for i in 0..4 {
            let want = (i != j) as u8 as f32;
            assert_eq!(m[j * 4 + i], want);
            assert_eq!(p.w[j * 4 + i], -0.5 * want);
        }
    }
}

#[test]
fn dense_has_no_mask() {
    let net = one_projection(3, 2, &[("connectivity", connectivity("dense", &[]))], 1);
    assert!(net.projs[0].mask.is_none());
    let net = one_projection(3, 2, &[], 1);
    assert!(net.projs[0].mask.is_none());
}

#[test]
fn sparse_keeps_about_p_of_the_synapses() {
    let p = 0.3;
    let (pre, post) = (100usize, 100usize);
    let net = one_projection(
        pre as u64,
        post as u64,
        &[
            ("connectivity", connectivity("sparse", &[("p", number(p))])),
            ("init", number(1.0)),
        ],
        5,
    );
    let pr = &net.projs[0];
    let m = pr.mask.as_ref().expect("a mask");
    assert!(m.iter().all(|&v| v == 0.0 || v == 1.0));
    let n = (pre * post) as f64;
    let kept = m.iter().sum::<f32>() as f64;
    let sigma = (p * (1.0 - p) / n).sqrt();
    assert!((kept / n - p).abs() < 5.0 * sigma, "kept {}", kept / n);
    // The weights of absent synapses are zero, the others keep their initial value.
    assert!(pr.w.iter().zip(m).all(|(&w, &m)| w == m));
}

#[test]
fn fixed_in_gives_exactly_k_inputs_per_post_neuron() {
    let (pre, post, k) = (10usize, 20usize, 3usize);
    let net = one_projection(
        pre as u64,
        post as u64,
        &[
            (
                "connectivity",
                connectivity("fixed_in", &[("k", number(k as f64))]),
            ),
            ("init", number(1.0)),
        ],
        2,
    );
    let m = net.projs[0].mask.as_ref().expect("a mask");
    let mut used = vec![0usize; pre];
    for j in 0..post {
        let row = &m[j * pre..(j + 1) * pre];
        assert!(row.iter().all(|&v| v == 0.0 || v == 1.0));
        assert_eq!(
            row.iter().filter(|&&v| v == 1.0).count(),
            k,
            "post neuron {j}"
        );
        row.iter()
            .enumerate()
            .filter(|(_, v)| **v == 1.0)
            .for_each(|(i, _)| used[i] += 1);
    }
    // The choice varies between neurons: more than k inputs are used overall.
    assert!(used.iter().filter(|&&u| u > 0).count() > k);
    // k larger than the pre population: every input.
    let net = one_projection(
        4,
        3,
        &[(
            "connectivity",
            connectivity("fixed_in", &[("k", number(9.0))]),
        )],
        2,
    );
    assert!(
        net.projs[0]
            .mask
            .as_ref()
            .unwrap()
            .iter()
            .all(|&v| v == 1.0)
    );
}

fn uniform_init(lo: f64, hi: f64) -> ParamIr {
    ParamIr::Builtin {
        builtin: builtin(
            "uniform",
            "initialiser",
            &[("lo", number(lo)), ("hi", number(hi))],
        ),
    }
}

#[test]
fn sign_constraints_clip_weights() {
    let net = one_projection(
        10,
        10,
        &[
            ("init", uniform_init(-1.0, 1.0)),
            ("sign", symbol("excitatory")),
        ],
        3,
    );
    let mut p = net.projs[0].clone();
    assert_eq!(p.sign, Sign::Excitatory);
    assert!(
        p.w.iter().all(|&w| w >= 0.0),
        "build applies the constraint"
    );
    assert!(p.w.iter().any(|&w| w > 0.0));
    p.w = vec![-0.5, 0.25, -2.0, 0.0, 3.0];
    p.constrain();
    assert_eq!(p.w, vec![0.0, 0.25, 0.0, 0.0, 3.0]);

    let net = one_projection(
        10,
        10,
        &[
            ("init", uniform_init(-1.0, 1.0)),
            ("sign", symbol("inhibitory")),
        ],
        3,
    );
    let mut p = net.projs[0].clone();
    assert!(p.w.iter().all(|&w| w <= 0.0));
    p.w = vec![-0.5, 0.25, -2.0, 0.0, 3.0];
    p.constrain();
    assert_eq!(p.w, vec![-0.5, 0.0, -2.0, 0.0, 0.0]);
}

#[test]
fn bounds_clamp_weights() {
    let bounds = ParamIr::List {
        items: vec![number(-0.2), number(0.3)],
    };
    let net = one_projection(
        10,
        10,
        &[("init", uniform_init(-1.0, 1.0)), ("bounds", bounds)],
        4,
    );
    let mut p = net.projs[0].clone();
    assert_eq!(p.bounds, Some((-0.2, 0.3)));
    assert!(p.w.iter().all(|&w| (-0.2..=0.3).contains(&w)));
    assert!(
        p.w.contains(&-0.2) && p.w.contains(&0.3),
        "uniform(-1, 1) reaches both bounds"
    );
    p.w = vec![-1.0, -0.2, 0.0, 0.1, 0.3, 7.0];
    p.constrain();
    assert_eq!(p.w, vec![-0.2, -0.2, 0.0, 0.1, 0.3, 0.3]);
}

#[test]
fn constrain_rezeroes_absent_synapses() {
    let net = one_projection(
        3,
        3,
        &[
            ("connectivity", connectivity("one_to_one", &[])),
            ("init", number(1.0)),
        ],
        1,
    );
    let mut p = net.projs[0].clone();
    p.w = vec![2.0; 9];
    p.constrain();
    assert_eq!(p.w, vec![2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0]);
}

#[test]
fn build_reads_bias_plastic_and_initialisers() {
    let net = one_projection(
        3,
        2,
        &[
            ("bias", boolean(true)),
            ("plastic", boolean(false)),
            ("init", number(0.25)),
        ],
        1,
    );
    let p = &net.projs[0];
    assert_eq!(p.bias, Some(vec![0.0, 0.0]));
    assert_eq!(p.vb.len(), 2);
    assert!(!p.plastic);
    assert_eq!(p.w, vec![0.25; 6]);
    assert_eq!((p.pre, p.post), (3, 2));
    let net = one_projection(30, 30, &[("init", uniform_init(0.5, 0.75))], 1);
    assert!(net.projs[0].w.iter().all(|&w| (0.5..=0.75).contains(&w)));
    assert!(net.projs[0].plastic);
}

// ---------------------------------------------------------------------------------------
// 8. Weight statistics
// ---------------------------------------------------------------------------------------

fn with_weights(
    w: Vec<f32>,
    pre: u64,
    post: u64,
    ps: &[(&str, ParamIr)],
) -> somnia::engine::network::Projection {
    let mut p = one_projection(pre, post, ps, 1).projs.remove(0);
    p.w = w;
    p
}

#[test]
fn weight_stats_on_hand_chosen_weights() {
    let p = with_weights(vec![-1.0, 0.0, 1.0, 2.0], 2, 2, &[]);
    assert_close("mean", weight_stat(&p, WeightStat::Mean), 0.5, 1e-12);
    // Deviations −1.5, −0.5, 0.5, 1.5: population variance 5/4.
    assert_close(
        "std",
        weight_stat(&p, WeightStat::Std),
        1.25f64.sqrt(),
        1e-12,
    );
    assert_close("sum", weight_stat(&p, WeightStat::Sum), 2.0, 1e-12);
    assert_close("abs_sum", weight_stat(&p, WeightStat::AbsSum), 4.0, 1e-12);
    assert_eq!(weight_stat(&p, WeightStat::Min), -1.0);
    assert_eq!(weight_stat(&p, WeightStat::Max), 2.0);
    // Without bounds, saturated is the fraction within 1 % of the range (0.03) of the
    // extremes: −1 and 2.
    assert_close(
        "saturated",
        weight_stat(&p, WeightStat::Saturated),
        0.5,
        1e-12,
    );
    // Four values in four different bins of 64: 2 bits.
    assert_close("entropy", weight_stat(&p, WeightStat::Entropy), 2.0, 1e-12);
}

#[test]
fn weight_stat_saturated_uses_declared_bounds() {
    let bounds = ParamIr::List {
        items: vec![number(-1.0), number(3.0)],
    };
    // 1 % of the range is 0.04: −1 and −0.97 are at the low bound, 2.97 at the high one.
    let p = with_weights(
        vec![-1.0, -0.97, 0.0, 1.0, 2.0, 2.9, 2.97, 3.0],
        4,
        2,
        &[("bounds", bounds)],
    );
    assert_close(
        "saturated",
        weight_stat(&p, WeightStat::Saturated),
        4.0 / 8.0,
        1e-12,
    );
}

#[test]
fn weight_entropy_of_two_even_values_is_one_bit() {
    let p = with_weights(vec![0.2, -0.3, 0.2, -0.3, -0.3, 0.2], 3, 2, &[]);
    assert_close("entropy", weight_stat(&p, WeightStat::Entropy), 1.0, 1e-12);
    // Uneven: 1 of 4 vs 3 of 4.
    let p = with_weights(vec![0.2, -0.3, -0.3, -0.3], 2, 2, &[]);
    let want = -(0.25f64 * 0.25f64.log2() + 0.75 * 0.75f64.log2());
    assert_close("entropy", weight_stat(&p, WeightStat::Entropy), want, 1e-12);
    // All equal: 0.
    let p = with_weights(vec![0.4; 4], 2, 2, &[]);
    assert_eq!(weight_stat(&p, WeightStat::Entropy), 0.0);
}

#[test]
fn weight_stats_exclude_absent_synapses() {
    // one_to_one over 2 × 2: only w[0] and w[3] exist; the others hold junk on purpose.
    let p = with_weights(
        vec![5.0, 100.0, -100.0, 7.0],
        2,
        2,
        &[
            ("connectivity", connectivity("one_to_one", &[])),
            ("init", number(1.0)),
        ],
    );
    assert_close("mean", weight_stat(&p, WeightStat::Mean), 6.0, 1e-12);
    assert_close("std", weight_stat(&p, WeightStat::Std), 1.0, 1e-12);
    assert_close("sum", weight_stat(&p, WeightStat::Sum), 12.0, 1e-12);
    assert_close("abs_sum", weight_stat(&p, WeightStat::AbsSum), 12.0, 1e-12);
    assert_eq!(weight_stat(&p, WeightStat::Min), 5.0);
    assert_eq!(weight_stat(&p, WeightStat::Max), 7.0);
    assert_close("entropy", weight_stat(&p, WeightStat::Entropy), 1.0, 1e-12);
}

// ---------------------------------------------------------------------------------------
// 9. Modulators
// ---------------------------------------------------------------------------------------

#[test]
fn drive_factor_of_several_modulators_is_the_product() {
    let mods = vec![
        Modulator::Rhythm {
            freq: 1.0,
            depth: 0.5,
        },
        Modulator::Slow {
            freq: 1.0,
            depth: 0.8,
            up_fraction: 0.5,
            smooth: false,
        },
        Modulator::Sine {
            freq: 1.0,
            depth: 0.5,
            offset: 1.0,
        },
        Modulator::Noise {
            sigma: 0.3,
            population: None,
            rhythmic: false,
        },
    ];
    // t = 1/4: rhythm 1 + 0.5 = 1.5; slow up: 1; sine 1 + 0.5 = 1.5; noise 1.
    assert_close(
        "t = 0.25",
        modulators::drive_factor(&mods, 0.25) as f64,
        2.25,
        1e-6,
    );
    // t = 3/4: rhythm 0.5; slow down: 1 − 0.8 = 0.2; sine 0.5.
    assert_close(
        "t = 0.75",
        modulators::drive_factor(&mods, 0.75) as f64,
        0.05,
        1e-6,
    );
    // t = 0: 1 · 1 · 1.
    assert_close(
        "t = 0",
        modulators::drive_factor(&mods, 0.0) as f64,
        1.0,
        1e-6,
    );
    assert_eq!(modulators::drive_factor(&[], 0.3), 1.0);
    assert_eq!(modulators::drive_factor(&mods[3..], 0.3), 1.0);
    // A factor of zero anywhere silences the product.
    let zero = [
        mods[0].clone(),
        Modulator::Slow {
            freq: 1.0,
            depth: 1.0,
            up_fraction: 0.5,
            smooth: false,
        },
    ];
    assert_eq!(modulators::drive_factor(&zero, 0.6), 0.0);
}

/// `lif` with `current` synapses: τ_syn dI = (−I + Σ w s) dt, τ dv = (rest − v + r·I) dt,
/// integrated with Euler steps exactly as a reference loop in f64 predicts the first spike.
#[test]
fn lif_current_synapses_follow_the_euler_reference() {
    let b = builtin(
        "lif",
        "neuron model",
        &[
            ("tau", number(0.02)),
            ("rest", number(-0.07)),
            ("reset", number(-0.08)),
            ("threshold", number(-0.055)),
            ("r", number(30.0)),
            ("synapse", symbol("current")),
            ("tau_syn", number(0.01)),
            ("v_min", number(-0.1)),
            ("v_max", number(0.04)),
        ],
    );
    let dt = 0.001;
    let model = model_of(&b, 0, dt).expect("current synapses are supported");
    let mut net = chain(&[1, 1]);
    net.projs[0].w = vec![0.01];
    let steps = 60;
    let s = setup(&net, steps, model, vec![1.0]);
    let stats = run(&mut net, &s, 1);
    // The reference: the input spikes every step.
    let (tau, tau_s, rest, reset, th, r, w) = (0.02, 0.01, -0.07, -0.08, -0.055, 30.0, 0.01);
    let (mut v, mut i, mut spikes) = (rest, 0.0f64, 0u64);
    for _ in 0..steps {
        v += dt / tau * (rest - v + r * i);
        i -= dt / tau_s * i;
        i += dt / tau_s * w;
        if v >= th {
            spikes += 1;
            v = reset;
        }
    }
    assert!(
        spikes > 0,
        "the reference must spike for the test to mean something"
    );
    assert_eq!(stats.spikes, vec![steps, spikes]);
}

/// `lif` with `conductance` synapses (Diehl & Cook): excitatory weights open g_e, which
/// decays with τ_exc and pulls v toward e_exc; the spike times follow an f64 reference that
/// integrates v exactly over each step with g_e held.
#[test]
fn lif_conductance_synapses_follow_the_exact_reference() {
    let b = builtin(
        "lif",
        "neuron model",
        &[
            ("tau", number(0.1)),
            ("rest", number(-0.065)),
            ("reset", number(-0.065)),
            ("threshold", number(-0.052)),
            ("synapse", symbol("conductance")),
            ("tau_exc", number(0.001)),
            ("tau_inh", number(0.002)),
            ("e_exc", number(0.0)),
            ("e_inh", number(-0.1)),
        ],
    );
    let dt = 0.0005;
    let model = model_of(&b, 0, dt).expect("conductance synapses are supported");
    let mut net = chain(&[1, 1]);
    net.projs[0].w = vec![0.3];
    let steps = 400;
    let mut s = setup(&net, steps, model, vec![1.0]);
    s.dt = dt;
    let stats = run(&mut net, &s, 1);
    let (tau, rest, reset, th, w) = (0.1, -0.065, -0.065, -0.052, 0.3);
    let de = (-dt / 0.001f64).exp();
    let (mut v, mut ge, mut spikes) = (rest, 0.0f64, 0u64);
    for _ in 0..steps {
        let g = 1.0 + ge;
        let target = rest / g;
        v = target + (v - target) * (-dt / tau * g).exp();
        ge *= de;
        ge += w;
        if v >= th {
            spikes += 1;
            v = reset;
        }
    }
    assert!(
        spikes > 1,
        "the reference must spike for the test to mean something"
    );
    assert_eq!(stats.spikes, vec![steps, spikes]);
}

/// A huge inhibitory conductance (dt·G/τ ≫ 2) pulls v to e_inh and holds it there: no
/// oscillation, no spike. Euler's update overshot and made such neurons fire.
#[test]
fn lif_conductance_update_is_stable_under_massive_inhibition() {
    let b = builtin(
        "lif",
        "neuron model",
        &[
            ("tau", number(0.1)),
            ("rest", number(-0.065)),
            ("reset", number(-0.065)),
            ("threshold", number(-0.052)),
            ("synapse", symbol("conductance")),
            ("e_inh", number(-0.1)),
        ],
    );
    let model = model_of(&b, 0, 0.0005).unwrap();
    let mut st = somnia::engine::neurons::State::new(&model, 1);
    st.v[0] = -0.06;
    for _ in 0..50 {
        st.gi[0] = 17.0 * 100.0; // a hundred inhibitory spikes every step
        st.decay(&model);
        st.fire(&model);
        assert!(st.spikes.is_empty());
        assert!((-0.1 - 1e-6..=-0.06).contains(&st.v[0]), "{}", st.v[0]);
    }
    assert!((st.v[0] + 0.1).abs() < 1e-3, "pulled to e_inh: {}", st.v[0]);
}

fn shock(name: &str, ps: &[(&str, ParamIr)], on: Vec<ParamIr>) -> BuiltinIr {
    BuiltinIr {
        on,
        ..builtin(name, "perturbation", ps)
    }
}

#[test]
fn a_lesion_cuts_every_synapse_of_the_removed_neurons_for_good() {
    let mut net = chain(&[4, 10, 3]);
    net.projs
        .iter_mut()
        .for_each(|p| p.w.iter_mut().for_each(|w| *w = 0.5));
    let s = shock(
        "lesion",
        &[
            ("target", ParamIr::Population { name: "p1".into() }),
            ("fraction", number(0.3)),
        ],
        Vec::new(),
    );
    let silenced = apply_shock(&mut net, &s, &mut rng(3));
    assert!(silenced.is_empty());
    // Exactly 3 of the 10 neurons lost all their inputs, and the same 3 all their outputs.
    let (into, out) = (&net.projs[0], &net.projs[1]);
    let dead_in: Vec<usize> = (0..10)
        .filter(|&j| into.w[j * 4..(j + 1) * 4].iter().all(|&w| w == 0.0))
        .collect();
    let dead_out: Vec<usize> = (0..10)
        .filter(|&i| (0..3).all(|j| out.w[j * 10 + i] == 0.0))
        .collect();
    assert_eq!(dead_in.len(), 3);
    assert_eq!(dead_in, dead_out);
    // The cut is kept by the mask: constraining after a change re-zeroes it.
    let mut p = net.projs[0].clone();
    p.w.iter_mut().for_each(|w| *w = 1.0);
    p.constrain();
    assert!(
        dead_in
            .iter()
            .all(|&j| p.w[j * 4..(j + 1) * 4].iter().all(|&w| w == 0.0))
    );
}

#[test]
fn weight_noise_shocks_only_the_projections_named_and_silence_names_its_target() {
    let mut net = chain(&[3, 3, 3]);
    net.projs
        .iter_mut()
        .for_each(|p| p.w.iter_mut().for_each(|w| *w = 0.5));
    let on = vec![ParamIr::Projection {
        name: net.projs[1].name.clone(),
        from: "p1".into(),
        to: "p2".into(),
    }];
    let s = shock(
        "weight_noise",
        &[("sigma", number(0.3)), ("relative", boolean(true))],
        on,
    );
    apply_shock(&mut net, &s, &mut rng(5));
    assert!(net.projs[0].w.iter().all(|&w| w == 0.5));
    assert!(net.projs[1].w.iter().any(|&w| w != 0.5));
    let quiet = shock(
        "silence",
        &[("target", ParamIr::Population { name: "p2".into() })],
        Vec::new(),
    );
    let silenced = apply_shock(&mut net, &quiet, &mut rng(5));
    assert_eq!(silenced, vec![2]);
}

#[test]
fn a_silenced_population_fires_nothing_during_the_phase() {
    let mut net = chain(&[1, 1, 1]);
    net.projs.iter_mut().for_each(|p| p.w = vec![1.0]);
    let mut s = setup(&net, 5, integrate_fire(1.0, 0.0, 0.5), vec![1.0]);
    assert_eq!(run(&mut net.clone(), &s, 1).spikes, vec![5, 5, 5]);
    s.silenced = vec![1];
    assert_eq!(run(&mut net, &s, 1).spikes, vec![5, 0, 0]);
}

#[test]
fn feature_norms_and_modularity_on_hand_made_weights() {
    let mut net = chain(&[2, 2]);
    net.projs[0].w = vec![3.0, 4.0, 1.0, 0.0];
    assert!((somnia::engine::metrics::feature_norm(&net.projs[0]) - 5.0).abs() < 1e-9);
    // Two separate pairs pre i → post i: Q = 2 · (1/2 − (2/4)²) = 0.5.
    net.projs[0].w = vec![1.0, 0.0, 0.0, 1.0];
    assert!((somnia::engine::metrics::modularity(&net.projs[0]) - 0.5).abs() < 1e-9);
    // Every pre neuron equally onto every post neuron: both join post 0, Q = 1/4 − 1/4 = 0
    // for community 0 ((2 edges of 4: 1/2) − (6/8)² = −1/16) plus community 1 (0 − (2/8)²).
    net.projs[0].w = vec![1.0; 4];
    let want = (0.5 - (6.0f64 / 8.0).powi(2)) + (0.0 - (2.0f64 / 8.0).powi(2));
    assert!((somnia::engine::metrics::modularity(&net.projs[0]) - want).abs() < 1e-9);
}

#[test]
fn decay_to_baseline_contracts_magnitudes_by_a_power_law_and_ends_at_baseline() {
    use somnia::engine::rules::{DecayMode, Limits, decay_to_baseline};
    let mut net = chain(&[2, 1]);
    net.projs[0].w = vec![0.8, -0.05];
    let l = Limits::of(&net.projs[0]);
    let mut w = net.projs[0].w.clone();
    decay_to_baseline(&mut w, 1, 0.2, 0.5, DecayMode::Static, &l);
    // 0.2·(0.8/0.2)^½ = 0.4; −0.2·(0.05/0.2)^½ = −0.1.
    assert!(
        (w[0] - 0.4).abs() < 1e-6 && (w[1] + 0.1).abs() < 1e-6,
        "{w:?}"
    );
    // Group mode: the target is the mean |w| (0.425): the two move toward each other.
    let mut g = net.projs[0].w.clone();
    decay_to_baseline(&mut g, 1, 0.2, 0.5, DecayMode::Group, &l);
    let t = 0.425f32;
    assert!((g[0] - t * (0.8 / t).sqrt()).abs() < 1e-6);
    assert!((g[1] + t * (0.05 / t).sqrt()).abs() < 1e-6);
    // In a sleep, the phase ends once Σ|w| is back within tolerance of the baseline.
    let mut s = setup(&net, 1000, integrate_fire(1.0, 0.0, 100.0), vec![0.0, 0.0]);
    s.rules = vec![(
        SleepRule::DecayToBaseline {
            target: 0.2,
            lambda: 0.5,
            mode: DecayMode::Static,
            stop_at_baseline: true,
            tolerance: 0.01,
            baseline: 0.5,
        },
        vec![true],
    )];
    // Σ|w| per step: 0.85 → 0.5 (0.4 + 0.1) on step 1: the phase ends there.
    let stats = run(&mut net, &s, 1);
    assert_eq!(stats.steps, 1);
}

#[test]
fn clustering_is_the_share_of_spread_between_label_means() {
    use somnia::engine::metrics::clustering;
    // Each label answers the same way every time: all spread is between labels.
    let r = vec![vec![5, 0], vec![5, 0], vec![0, 5], vec![0, 5]];
    assert!((clustering(&r, &[0, 0, 1, 1]) - 1.0).abs() < 1e-12);
    // Labels unrelated to the responses: class means equal the overall mean.
    assert!(clustering(&r, &[0, 1, 0, 1]).abs() < 1e-12);
    // By hand: 1-D responses 0, 2 (label 0) and 4, 6 (label 1): means 1 and 5, overall 3;
    // BCSS = 2·4 + 2·4 = 16, WCSS = 1 + 1 + 1 + 1 = 4: φ = 0.8.
    let r = vec![vec![0], vec![2], vec![4], vec![6]];
    assert!((clustering(&r, &[0, 0, 1, 1]) - 0.8).abs() < 1e-12);
}

#[test]
fn decay_to_baseline_post_mode_contracts_each_neuron_toward_its_own_mean() {
    use somnia::engine::rules::{DecayMode, Limits, decay_to_baseline};
    let net = chain(&[2, 2]);
    let l = Limits::of(&net.projs[0]);
    // Pre-major: post 0 receives 0.8 and 0.2 (mean 0.5), post 1 receives 0.4 and 0.4.
    let mut wt = vec![0.8, 0.4, 0.2, 0.4];
    decay_to_baseline(&mut wt, 2, 9.0, 0.5, DecayMode::Post, &l);
    let want = [
        0.5 * (0.8f32 / 0.5).sqrt(),
        0.4,
        0.5 * (0.2f32 / 0.5).sqrt(),
        0.4,
    ];
    for (g, w) in wt.iter().zip(want) {
        assert!((g - w).abs() < 1e-6, "{wt:?}");
    }
}

fn lif_current_ei(extra: &[(&str, ParamIr)]) -> BuiltinIr {
    let mut ps = vec![
        ("tau", number(0.02)),
        ("rest", number(-0.049)),
        ("reset", number(-0.06)),
        ("threshold", number(-0.05)),
        ("synapse", symbol("current_ei")),
        ("tau_exc", number(0.005)),
        ("tau_inh", number(0.01)),
    ];
    ps.extend(extra.iter().cloned());
    builtin("lif", "neuron model", &ps)
}

/// `current_ei`: the excitatory current decays with τ_exc, the inhibitory one with τ_inh,
/// and v follows the exact solution of τ dv/dt = rest − v + i_e − i_i with both currents
/// decaying exponentially over the step (checked against an f64 reference).
#[test]
fn lif_current_ei_currents_decay_with_their_own_tau_and_v_is_exact() {
    use somnia::engine::neurons::State;
    let dt = 0.0001;
    let model = model_of(&lif_current_ei(&[("threshold", number(1.0))]), 0, dt)
        .expect("current_ei synapses are supported");
    let mut st = State::new(&model, 1);
    assert_eq!(st.i.len(), 1, "an excitatory current per neuron");
    assert_eq!(st.gi.len(), 1, "an inhibitory current per neuron");
    let (ie0, ii0, v0) = (0.004f64, 0.003f64, -0.055f64);
    st.i[0] = ie0 as f32;
    st.gi[0] = ii0 as f32;
    st.v[0] = v0 as f32;
    let n = 200;
    for _ in 0..n {
        st.decay(&model);
    }
    let t = n as f64 * dt;
    let (tau, te, ti, rest) = (0.02f64, 0.005f64, 0.01f64, -0.049f64);
    assert_close("i_e", st.i[0] as f64, ie0 * (-t / te).exp(), 1e-7);
    assert_close("i_i", st.gi[0] as f64, ii0 * (-t / ti).exp(), 1e-7);
    // v(t) = rest + (v0 − rest)e^(−t/τ) + Σ ±i0·τs/(τs − τ)·(e^(−t/τs) − e^(−t/τ)).
    let k = |ts: f64| ts / (ts - tau) * ((-t / ts).exp() - (-t / tau).exp());
    let v = rest + (v0 - rest) * (-t / tau).exp() + ie0 * k(te) - ii0 * k(ti);
    assert_close("v", st.v[0] as f64, v, 1e-6);
}

/// A spike's weight is the jump of the current: positive weights into i_e, negative ones
/// (their magnitude) into i_i; `r` is not applied twice.
#[test]
fn lif_current_ei_spikes_jump_the_current_of_their_sign() {
    let dt = 0.0001;
    let model = model_of(&lif_current_ei(&[("threshold", number(1.0))]), 0, dt).unwrap();
    assert_eq!(model.gain(), 1.0);
    let mut net = chain(&[2, 1]);
    net.projs[0].w = vec![0.00162, -0.009];
    let mut s = setup(&net, 1, model, vec![1.0, 1.0]);
    s.dt = dt;
    let mut sim = somnia::engine::spiking::Sim::new(
        &net,
        s.models.clone(),
        s.scale.clone(),
        Vec::new(),
        Vec::new(),
        dt,
    );
    sim.set_input(|spikes| spikes.extend([0, 1]));
    sim.step(&net, &mut rng(1));
    assert_close("i_e", sim.states[1].i[0] as f64, 0.00162, 1e-9);
    assert_close("i_i", sim.states[1].gi[0] as f64, 0.009, 1e-9);
}

/// `v_init uniform(lo, hi)`: every neuron starts inside [lo, hi), neurons differ, the same
/// stream gives the same draws (and a population put back at its start between samples gets
/// them again), another stream other draws.
#[test]
fn lif_v_init_draws_are_in_bounds_distinct_and_reproducible() {
    use somnia::engine::neurons::State;
    let init = ParamIr::Builtin {
        builtin: builtin(
            "uniform",
            "initialiser",
            &[("lo", number(-0.06)), ("hi", number(-0.05))],
        ),
    };
    let b = lif_current_ei(&[("v_init", init)]);
    let draw = |seed: u64| {
        let mut m = model_of(&b, 0, 0.0001).unwrap();
        m.seed_initial(seed);
        State::new(&m, 1000).v
    };
    let v = draw(7);
    assert!(
        v.iter().all(|&x| (-0.06..-0.05).contains(&x)),
        "in [lo, hi)"
    );
    let mut sorted = v.clone();
    sorted.sort_by(f32::total_cmp);
    sorted.dedup();
    assert!(sorted.len() > 990, "neurons start at different potentials");
    let mean = v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    assert_close("mean", mean, -0.055, 0.0005);
    assert_eq!(v, draw(7), "the same stream gives the same draws");
    assert_ne!(v, draw(8), "another stream gives other draws");
    let mut m = model_of(&b, 0, 0.0001).unwrap();
    m.seed_initial(7);
    let mut again = vec![0.0; 1000];
    m.initial_potentials(&mut again);
    assert_eq!(
        again, v,
        "back at the start between samples: the same potentials"
    );
    // Without v_init every neuron starts at rest.
    let plain = model_of(&lif_current_ei(&[]), 0, 0.0001).unwrap();
    assert!(State::new(&plain, 3).v.iter().all(|&x| x == -0.049f32));
}

/// `shuffle false`: an epoch visits the samples in the dataset's order, so with batches of
/// one the weights no longer depend on the stream; shuffled, they do.
#[test]
fn backprop_without_shuffle_keeps_the_dataset_order() {
    let (x, y) = samples();
    let mut r = rule(Loss::Mse, 0.1, 0.0, true);
    r.batch = 1;
    let train = |shuffle: bool, seed: u64| {
        let mut net = engine_net(&theta0(), true);
        let mut trainer = Trainer::new(&net, 1, 3);
        trainer.shuffle = shuffle;
        trainer
            .epoch(
                &mut net,
                &acts(Out::Linear),
                &r,
                &x,
                &y,
                3,
                4,
                &mut rng(seed),
                |_| {},
            )
            .expect("the loss stays finite");
        get_theta(&net)
    };
    assert_eq!(train(false, 1), train(false, 2));
    assert_ne!(
        train(true, 1),
        train(true, 2),
        "seeds 1 and 2 order the four samples alike"
    );
}
