//! The `gaussian` and `recorded_rates` drives, the `interfere` shock, and activity metrics
//! after long phases, through real runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MNIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-10k");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-drives-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, text: &str, extra: &[&str]) -> (Output, serde_json::Value) {
    std::fs::write(dir.join("p.sleep"), text).unwrap();
    let mut args = vec!["run", "p.sleep", "--out", "out", "--force", "-q"];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(&args)
        .current_dir(dir)
        .output()
        .unwrap();
    let outcome = std::fs::read_to_string(dir.join("out/outcome.json"))
        .map(|t| serde_json::from_str(&t).unwrap())
        .unwrap_or(serde_json::Value::Null);
    (out, outcome)
}

/// Input spikes of the op named `name` (`dream#0`).
fn input_spikes(o: &serde_json::Value, name: &str) -> f64 {
    o["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["name"] == name)
        .unwrap_or_else(|| panic!("no op {name}: {o}"))["spikes"]["px"]
        .as_f64()
        .unwrap()
}

/// A 100-input spiking network: one sleep with `first`'s drive, then one with `second`'s.
fn two_sleeps(first: &str, second: &str) -> String {
    format!(
        r#"
dataset images = bars(side = 10, samples = 10)
tasks stream = chunks(images, 1)

network snn {{
  input px 100
  layer exc 10 : lif {{ tau 20 ms; threshold -55 mV; r 5 }}
  connect px -> exc {{ init uniform(0, 0.1); sign excitatory; bounds [0, 1] }}
}}

phase awake = nrem {{
  dt 1 ms
  length 20000 steps
  drive {first}
  plasticity normalize_sum {{ total 5 }}
  record true
}}

phase dream = nrem {{
  dt 1 ms
  length 20000 steps
  drive {second}
  plasticity normalize_sum {{ total 5 }}
}}

protocol p {{
  network snn
  seed 3
  schedule {{
    awake
    dream
    measure rates(exc)
  }}
  expect final rates(exc) >= 0 Hz
}}
"#
    )
}

#[test]
fn gaussian_noise_images_spike_at_the_expected_mean_rate() {
    let dir = scratch("gaussian");
    let text = two_sleeps("gaussian(sigma = 0.5, max_rate = 50 Hz)", "silence");
    let (out, o) = run(&dir, &text, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // E[clip(0.5 ξ, 0, 1)] = 0.5 (φ(0) − φ(2)) + 1 − Φ(2) = 0.195226.
    let expected = 0.195226 * 50.0 * 0.001 * 100.0 * 20000.0;
    let got = input_spikes(&o, "awake#0");
    assert!(
        (got / expected - 1.0).abs() < 0.02,
        "{got} spikes, expected ≈ {expected}"
    );
    assert_eq!(input_spikes(&o, "dream#0"), 0.0);
    // The mean shifts the intensity: mean 1, sigma 0 is always on.
    let (_, o) = run(
        &dir,
        &two_sleeps("gaussian(sigma = 0, mean = 1, max_rate = 50 Hz)", "silence"),
        &[],
    );
    let got = input_spikes(&o, "awake#0");
    let expected = 50.0 * 0.001 * 100.0 * 20000.0;
    assert!((got / expected - 1.0).abs() < 0.02, "{got} vs {expected}");
}

#[test]
fn recorded_rates_replay_what_the_recorded_phase_produced() {
    let dir = scratch("replay");
    let (out, o) = run(
        &dir,
        &two_sleeps("poisson(rates = 20 Hz)", "recorded_rates(awake)"),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (a, b) = (input_spikes(&o, "awake#0"), input_spikes(&o, "dream#0"));
    assert!(
        (a - 40000.0).abs() < 1000.0,
        "20 Hz × 100 inputs × 20 s: {a}"
    );
    assert!((b / a - 1.0).abs() < 0.03, "replayed {b} vs recorded {a}");
    // `scale` multiplies the recorded rates.
    let (_, o) = run(
        &dir,
        &two_sleeps(
            "poisson(rates = 20 Hz)",
            "recorded_rates(awake, scale = 0.5)",
        ),
        &[],
    );
    let (a, b) = (input_spikes(&o, "awake#0"), input_spikes(&o, "dream#0"));
    assert!((b / a - 0.5).abs() < 0.03, "half: {b} vs {a}");
}

#[test]
fn recorded_rates_keep_the_total_rate_in_both_modes() {
    // Inputs fire in proportion to an image (the mean of the bars); per-neuron replay keeps
    // each input's rate, uniform replay gives every input the mean: the same total.
    let dir = scratch("modes");
    let first = "poisson(mean_image(stream), max_rate = 100 Hz)";
    for (mode, total_ratio) in [("per_neuron", 1.0), ("uniform", 1.0)] {
        let text = two_sleeps(first, &format!("recorded_rates(awake, mode = {mode})"));
        let (out, o) = run(&dir, &text, &[]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (a, b) = (input_spikes(&o, "awake#0"), input_spikes(&o, "dream#0"));
        assert!(a > 1000.0, "{a}");
        assert!((b / a - total_ratio).abs() < 0.05, "{mode}: {b} vs {a}");
    }
}

#[test]
fn replaying_an_unrecorded_phase_is_e315() {
    let dir = scratch("e315");
    let text = two_sleeps("poisson(rates = 20 Hz)", "recorded_rates(awake)")
        .replace("  record true\n", "");
    let (out, _) = run(&dir, &text, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E315") && err.contains("`awake` has not recorded"),
        "{err}"
    );
}

/// A rate network trained on two MNIST classes, then an `interfere` shock on the same task.
fn interfering(shock: &str) -> String {
    format!(
        r#"
dataset mnist = idx("{MNIST}") {{ scale 1/255; test_split 20 % }}
tasks pairs = split_classes(mnist, [0, 1], [2, 3]) {{ train_cap 600 }}

network mlp {{
  input x 784
  layer h 64
  output y 10
  connect x -> h -> y {{ init uniform(-0.05, 0.05) }}
}}

rule sgd = backprop {{ lr 0.1; momentum 0.5; batch 20 }}

phase learn(t: tasks) = wake {{ data t; plasticity sgd; length 2 epochs }}

phase shock = perturb {{
  apply {shock}
}}

protocol p {{
  network mlp
  seed 5
  schedule {{
    learn(pairs[0])
    measure accuracy(pairs[0]) as "trained"
    shock
    measure accuracy(pairs[0]), accuracy(seen) as "shocked"
  }}
  expect at "trained" accuracy(pairs[0]) > 90 %
}}
"#
    )
}

fn final_value(o: &serde_json::Value, metric: &str, task: &str) -> f64 {
    o["final"][metric][task]
        .as_f64()
        .unwrap_or_else(|| panic!("{metric}[{task}] in {}", o["final"]))
}

#[test]
fn interfering_with_rotated_labels_destroys_the_task_and_keeps_seen() {
    let dir = scratch("interfere");
    let (out, o) = run(
        &dir,
        &interfering("interfere(pairs[0], length = 1 epoch)"),
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = o["timeline"].as_array().unwrap();
    let trained = rows.iter().find(|r| r["label"] == "trained").unwrap()["value"]
        .as_f64()
        .unwrap();
    let shocked = final_value(&o, "accuracy", "pairs[0]");
    assert!(trained > 0.9, "{trained}");
    assert!(shocked < 0.2, "labels 0↔1 swapped: {shocked}");
    // `seen` is still pairs[0] only: the shock's task did not join it a second time.
    assert_eq!(final_value(&o, "accuracy", "all"), shocked);
    assert!(
        o["final"]["accuracy"].get("pairs[1]").is_none(),
        "{}",
        o["final"]
    );
    let shock = o["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|op| op["name"] == "shock#0")
        .unwrap();
    assert_eq!(shock["kind"], "perturb");
    assert!(shock["amount"].as_u64().unwrap() > 500, "{shock}");

    // Without shuffled labels the extra training does not hurt.
    let (_, o) = run(
        &dir,
        &interfering("interfere(pairs[0], length = 1 epoch, shuffle_labels = false)"),
        &[],
    );
    assert!(final_value(&o, "accuracy", "pairs[0]") > 0.9);

    // Interfering with another task: the first is forgotten (catastrophic interference).
    let (_, o) = run(
        &dir,
        &interfering("interfere(pairs[1], length = 2 epochs, shuffle_labels = false)"),
        &[],
    );
    assert!(
        final_value(&o, "accuracy", "pairs[0]") < 0.5,
        "{}",
        o["final"]
    );
}

#[test]
fn interfering_before_any_wake_phase_is_refused_by_the_plan() {
    let dir = scratch("interfere-first");
    let text = interfering("interfere(pairs[0])").replace(
        "    learn(pairs[0])\n    measure accuracy(pairs[0]) as \"trained\"\n    shock\n",
        "    shock\n    learn(pairs[0])\n    measure accuracy(pairs[0]) as \"trained\"\n",
    );
    let (out, _) = run(&dir, &text, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E318") && err.contains("no wake phase before this shock"),
        "{err}"
    );
}

#[test]
fn activity_metrics_read_a_wake_phase_longer_than_the_recording_limit() {
    // 1,000 samples × 1,001 steps: past the 1,000,000 steps whose activity is kept. The
    // metrics read the first million steps instead of failing with E412.
    let dir = scratch("long-wake");
    let text = r#"
dataset images = bars(side = 4, samples = 200)
tasks all = chunks(images, 1)

network snn {
  input px 16
  layer exc 4 : lif { tau 20 ms; threshold -55 mV; r 5 }
  connect px -> exc { init uniform(0, 0.5); sign excitatory; bounds [0, 1] }
}

phase look(t: tasks) = wake {
  data t
  length 1000 samples
  dt 1 ms; present 1 s; rest 1 ms
  encode poisson(max_rate = 20 Hz)
  plasticity normalize_sum { total 2 }
}

protocol p {
  network snn
  seed 2
  schedule {
    look(all)
    measure entropy(exc), branching_ratio(exc) as "after"
  }
  expect final entropy(exc) > 0
}
"#;
    let (out, o) = run(&dir, text, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(final_value(&o, "entropy", "exc") > 0.0, "{}", o["final"]);
}
