//! The building blocks of a spiking LCA (Watkins et al.; docs/language.md, "Tied
//! projections"): a `tie`d projection reads its owner's weights as they are or transposed,
//! times its factor; `hebbian` changes the shared matrix once per view it names; the check
//! refuses ties that cannot work (E321, E215); and `protocols/watkins_lca.sleep`'s arms run.
//!
//! Expected values are worked out by hand from the documented semantics.

use somnia::diagnostics::Code;
use somnia::engine::network::Network;
use somnia::engine::neurons::Model;
use somnia::engine::rules::SleepRule;
use somnia::engine::spiking::Sim;
use somnia::plan::ir::ParamIr;

mod common;
use common::checked::{clean, found};
use common::*;

const DT: f64 = 0.001;

fn tie(owner: &str, from: &str, to: &str, factor: f64) -> Vec<(&'static str, ParamIr)> {
    vec![
        (
            "tie",
            ParamIr::Projection {
                name: owner.into(),
                from: from.into(),
                to: to.into(),
            },
        ),
        ("factor", number(factor)),
    ]
}

/// `x` (input, 2) → `c` (1) as `dict`, weights (0.3, 0.5); `c` → `r` (2) as `back`, tied
/// to `dict` with factor −2 (transposed: it leaves `c`, which `dict` enters).
fn rig() -> Network {
    let mut dict = proj("x", "c", &[]);
    dict.name = "dict".into();
    let mut back = proj("c", "r", &tie("dict", "x", "c", -2.0));
    back.name = "back".into();
    let mut net = build(
        vec![
            pop("x", "input", 2),
            pop("c", "layer", 1),
            pop("r", "layer", 2),
        ],
        vec![dict, back],
        1,
    );
    net.projs[0].w = vec![0.3, 0.5];
    net.sync_ties();
    net
}

/// Integrate-and-fire with no memory: v holds this step's input; `c` fires at 0.5, `r`
/// never (threshold 100), so its potential shows what arrived.
fn models(net: &Network) -> Vec<Option<Model>> {
    let m = |threshold| Model::IntegrateFire {
        decay: 0.0,
        reset: 0.0,
        threshold,
    };
    net.pops
        .iter()
        .map(|p| match p.name.as_str() {
            "c" => Some(m(0.5)),
            "r" => Some(m(100.0)),
            _ => None,
        })
        .collect()
}

/// A simulator of the rig with `hebbian { lr; tau 20 ms }` on `dict` only.
fn hebbian_on_dict(net: &Network, lr: f32) -> Sim {
    let rule = SleepRule::Hebbian { lr, tau: 0.02 };
    Sim::new(
        net,
        models(net),
        vec![1.0; 3],
        vec![(rule, vec![true, false])],
        Vec::new(),
        DT,
    )
}

#[test]
fn a_tied_copy_is_its_owner_transposed_times_the_factor() {
    let net = rig();
    let t = net.projs[1].tie.expect("`back` is tied");
    assert!(t.transposed);
    assert_eq!(t.source, 0);
    // `back` is r × c (2 × 1): −2 × dict's c × x row, transposed.
    assert_eq!(net.projs[1].w, vec![-0.6, -1.0]);
    assert!(
        !net.projs[1].plastic,
        "a tied projection is not plastic on its own"
    );
}

#[test]
fn spikes_read_the_owner_both_ways_and_hebbian_changes_it_once() {
    let mut net = rig();
    let mut sim = hebbian_on_dict(&net, 0.1);
    let mut r = rng(1);
    sim.set_input(|s| s.extend_from_slice(&[0, 1]));
    sim.step(&net, &mut r);
    // Forward, as it is: c got 0.3 + 0.5 = 0.8 ≥ 0.5 and fired.
    assert_eq!(sim.states[1].spikes, vec![0]);
    // Hebbian at c's spike: both input traces are 1 (bumped this step), so dict grows by
    // lr · 1 = 0.1 each, once: (0.4, 0.6). Backward, transposed: r reads the changed
    // matrix in the same step, −2 × (0.4, 0.6).
    let v = &sim.states[2].v;
    assert_close("r[0]", v[0] as f64, -0.8, 1e-6);
    assert_close("r[1]", v[1] as f64, -1.2, 1e-6);
    sim.finish(&mut net);
    assert_close("dict[0]", net.projs[0].w[0] as f64, 0.4, 1e-6);
    assert_close("dict[1]", net.projs[0].w[1] as f64, 0.6, 1e-6);
    // The tied copy follows its owner.
    assert_close("back[0]", net.projs[1].w[0] as f64, -0.8, 1e-6);
    assert_close("back[1]", net.projs[1].w[1] as f64, -1.2, 1e-6);
}

#[test]
fn a_learning_rate_of_zero_changes_nothing() {
    let mut net = rig();
    let mut sim = hebbian_on_dict(&net, 0.0);
    let mut r = rng(1);
    for _ in 0..5 {
        sim.set_input(|s| s.extend_from_slice(&[0, 1]));
        sim.step(&net, &mut r);
    }
    sim.finish(&mut net);
    assert_eq!(net.projs[0].w, vec![0.3, 0.5]);
}

/// A network text with `connects` inside, every population `lif`.
fn network(connects: &str) -> String {
    format!(
        r#"
network n {{
  input px 4
  layer err 4 : lif {{ tau 50 ms; rest 0 V; reset 0 V; threshold 1 V }}
  layer code 2 : lif {{ tau 20 ms; rest 0 V; reset 0 V; threshold 1 V }}
  layer other 3 : lif {{ tau 20 ms; rest 0 V; reset 0 V; threshold 1 V }}
  connect px -> err {{ connectivity one_to_one; init 1 V }}
  connect err -> code as dictionary {{ init uniform(0 V, 0.1 V) }}
{connects}
}}
"#
    )
}

#[test]
fn a_tie_that_fits_checks_clean() {
    clean(&network(
        "  connect code -> err as predict { tie dictionary; factor -2 }",
    ));
}

#[test]
fn a_tie_between_populations_of_other_sizes_is_e321() {
    let r = somnia::session::check_text(
        "t.sleep",
        &network("  connect code -> other as predict { tie dictionary }"),
        None,
        &[],
        &Default::default(),
    );
    let (message, at) = found(&r, Code::E321);
    assert!(message.contains("does not fit"), "{message}");
    assert!(message.contains("(2 → 3)"), "{message}");
    assert_eq!(at, "dictionary");
}

#[test]
fn weight_settings_on_a_tied_projection_are_e321_and_a_lone_factor_e215() {
    let text = network(
        "  connect code -> err as predict { tie dictionary; init 1 V }\n  connect code -> other { factor 2 }",
    );
    let r = somnia::session::check_text("t.sleep", &text, None, &[], &Default::default());
    let (message, at) = found(&r, Code::E321);
    assert!(message.contains("`init` of a tied projection"), "{message}");
    assert_eq!(at, "init 1 V");
    let (message, at) = found(&r, Code::E215);
    assert!(
        message.contains("`factor` has no effect without `tie`"),
        "{message}"
    );
    assert_eq!(at, "factor 2");
}

#[test]
fn a_rule_other_than_hebbian_on_a_tied_projection_is_e321() {
    let text = format!(
        "{}\n{}",
        network("  connect code -> err as predict { tie dictionary; factor -1 }"),
        r#"
rule wrong = stdp on predict
phase quiet = nrem { length 10 steps; dt 1 ms; plasticity wrong }
protocol p { network n; schedule { quiet } }
"#
    );
    let r = somnia::session::check_text("t.sleep", &text, None, &[], &Default::default());
    let (message, at) = found(&r, Code::E321);
    assert!(
        message.contains("`predict` is tied to `dictionary`"),
        "{message}"
    );
    assert_eq!(at, "predict");
}

/// One step with no input under `modulators`; the potentials of `c` and `r` after it.
fn noisy_step(modulators: Vec<somnia::engine::modulators::Modulator>) -> (Vec<f32>, Vec<f32>) {
    let net = rig();
    let mut sim = Sim::new(&net, models(&net), vec![1.0; 3], Vec::new(), modulators, DT);
    let mut r = rng(3);
    sim.set_input(|s| s.clear());
    sim.step(&net, &mut r);
    (sim.states[1].v.clone(), sim.states[2].v.clone())
}

#[test]
fn membrane_noise_on_one_population_leaves_the_others_alone() {
    use somnia::engine::modulators::Modulator;
    let noise = |rhythmic| Modulator::Noise {
        sigma: 1.0,
        population: Some("r".into()),
        rhythmic,
    };
    let (c, r) = noisy_step(vec![noise(false)]);
    assert_eq!(c, vec![0.0], "`c` gets no noise");
    assert!(r.iter().all(|v| *v != 0.0), "`r` gets noise: {r:?}");
    // Rhythmic: σ × the drive factor, here sine(offset 0, depth 0.5) at t = 0, which is 0.
    let sine = Modulator::Sine {
        freq: 1.0,
        depth: 0.5,
        offset: 0.0,
    };
    let (_, r) = noisy_step(vec![sine, noise(true)]);
    assert_eq!(
        r,
        vec![0.0, 0.0],
        "σ follows the rhythm, which is 0 at t = 0"
    );
}
