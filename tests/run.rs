//! `somnia run` end to end, on small protocols written into temporary folders: outcome files,
//! exit statuses, determinism, refusing to overwrite, and every runtime error code (E4xx)
//! raised by a real run with its code, file and source position.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const MNIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-10k");

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small protocol: two MNIST tasks, a 784-32-10 network, one epoch each, a short SRC
/// sleep after each. `edit` replaces text in it to make a variant.
fn protocol(dataset: &str, edits: &[(&str, &str)]) -> String {
    let mut text = format!(
        r#"dataset digits = {dataset}
tasks pairs = split_classes(digits, [0, 1], [2, 3])

network net {{
  input x 784
  layer h 32
  output y 10
  connect x -> h -> y {{ init uniform(-0.05, 0.05); bias off }}
}}

rule sgd = backprop {{ lr 0.1; momentum 0.5; batch 50 }}

phase learn(t: tasks) = wake {{
  data t
  plasticity sgd
  length 1 epochs
}}

phase nap = nrem {{
  length 200 steps
  dynamics integrate_fire {{ threshold 1 }}
  scale by activation_max(seen) * 2
  drive bernoulli(mean_image(seen)) window 11 x 11
  plasticity src_stdp {{ inc 0.001; dec 0.0001 }}
}}

protocol small {{
  network net
  seed 7
  schedule {{
    measure accuracy(pairs) as "start"
    for t in pairs {{
      learn(t)
      nap
      measure accuracy(seen) as "after"
    }}
    measure weights(x -> h) as "end"
  }}
  expect final accuracy(pairs) > 10 %
}}
"#
    );
    for (from, to) in edits {
        assert!(text.contains(from), "the template has no `{from}`");
        text = text.replace(from, to);
    }
    text
}

fn mnist(limit: usize) -> String {
    format!("idx(\"{MNIST}\") {{ limit {limit} }}")
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, file: &str, extra: &[&str], env: &[(&str, &str)]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
    cmd.arg("run")
        .arg(file)
        .args(["--quiet", "--color", "never"])
        .args(extra)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the somnia binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
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

#[test]
fn a_run_writes_the_outcome_and_the_metrics_table() {
    let dir = scratch("writes");
    write(&dir, "p.sleep", &protocol(&mnist(600), &[]));
    let r = run_in(&dir, "p.sleep", &["--out", "out"], &[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let o = outcome(&dir.join("out"));
    assert_eq!(o["schema"], 1);
    assert_eq!(o["protocol"], "small");
    assert_eq!(o["seed"], 7);
    assert_eq!(o["status"], "complete");
    let all = o["final"]["accuracy"]["all"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&all));
    assert_eq!(o["final"]["accuracy"]["pairs"].as_f64(), Some(all));
    assert!(o["final"]["accuracy"]["pairs[1]"].is_number());
    assert!(o["final"]["weights.std"]["x->h"].as_f64().unwrap() > 0.0);
    let e = &o["expectations"][0];
    assert_eq!(e["text"], "final accuracy(pairs) > 10 %");
    assert_eq!(e["passed"], true);
    assert_eq!(e["value"].as_f64(), Some(all));
    assert!(e["span"]["line"].as_u64().unwrap() > 0);
    // The sleep ran and its spikes were counted.
    let naps: Vec<_> = o["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["kind"] == "nrem")
        .collect();
    assert_eq!(naps.len(), 2);
    assert!(naps[0]["spikes"]["x"].as_u64().unwrap() > 0);
    let csv = std::fs::read_to_string(dir.join("out/metrics.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("op,after,label,measure,metric,group,task,value")
    );
    assert_eq!(lines.count(), o["timeline"].as_array().unwrap().len());
    assert!(r.stdout.contains("✓ final accuracy(pairs) > 10 %"));
}

#[test]
fn one_seed_gives_byte_identical_outcomes_whatever_the_thread_count() {
    let dir = scratch("determinism");
    write(&dir, "p.sleep", &protocol(&mnist(600), &[]));
    let a = run_in(
        &dir,
        "p.sleep",
        &["--out", "a"],
        &[("MATMUL_NUM_THREADS", "1")],
    );
    let b = run_in(
        &dir,
        "p.sleep",
        &["--out", "b"],
        &[("MATMUL_NUM_THREADS", "2")],
    );
    assert_eq!((a.code, b.code), (0, 0), "{}{}", a.stderr, b.stderr);
    assert_eq!(
        without_timing(&dir.join("a")),
        without_timing(&dir.join("b"))
    );
    assert_eq!(
        std::fs::read(dir.join("a/metrics.csv")).unwrap(),
        std::fs::read(dir.join("b/metrics.csv")).unwrap()
    );
    // Another seed is another run.
    let c = run_in(&dir, "p.sleep", &["--out", "c", "--seed", "8"], &[]);
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert_ne!(
        without_timing(&dir.join("a")),
        without_timing(&dir.join("c"))
    );
}

#[test]
fn an_existing_outcome_is_kept_unless_forced() {
    let dir = scratch("overwrite");
    write(&dir, "p.sleep", &protocol(&mnist(300), &[]));
    assert_eq!(run_in(&dir, "p.sleep", &[], &[]).code, 0);
    // The default folder is runs/<protocol>-<seed>/, relative to the working directory.
    let target = dir.join("runs/small-7/outcome.json");
    std::fs::write(&target, "my notes").unwrap();
    let r = run_in(&dir, "p.sleep", &[], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "my notes");
    let r = run_in(&dir, "p.sleep", &["--force"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(outcome(&dir.join("runs/small-7"))["protocol"], "small");
}

/// Whether this binary can tell its build apart from another: a committed, clean tree.
/// A dirty build never calls an outcome up to date (the changes are not recorded).
fn clean_build() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .arg("--version")
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    !v.contains("dirty") && !v.contains("unknown")
}

#[test]
fn the_same_command_again_reports_the_outcome_up_to_date_and_exits_as_the_run_did() {
    let dir = scratch("again");
    // A failing expectation: the second run exits 1 as the first did.
    let text = protocol(
        &mnist(300),
        &[(
            "expect final accuracy(pairs) > 10 %",
            "expect final accuracy(pairs) > 99.9 %",
        )],
    );
    write(&dir, "p.sleep", &text);
    let first = run_in(&dir, "p.sleep", &[], &[]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let file = dir.join("runs/small-7/outcome.json");
    let before = std::fs::read(&file).unwrap();
    let again = run_in(&dir, "p.sleep", &[], &[]);
    if clean_build() {
        assert_eq!(again.code, 1, "{}", again.stderr);
        assert_eq!(
            again.stdout, first.stdout,
            "the same summary, from the stored outcome"
        );
        assert!(
            again
                .stderr
                .contains("outcome up to date: runs/small-7/outcome.json")
                && again.stderr.contains("--force"),
            "{}",
            again.stderr
        );
    } else {
        assert_eq!(again.code, 2, "{}", again.stderr);
        assert!(
            again
                .stderr
                .contains("uncommitted changes cannot be compared"),
            "{}",
            again.stderr
        );
    }
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing rewritten");
    // --force runs it again.
    let forced = run_in(&dir, "p.sleep", &["--force"], &[]);
    assert_eq!(forced.code, 1, "{}", forced.stderr);
    assert!(
        forced.stderr.contains("outcome written to"),
        "{}",
        forced.stderr
    );
}

#[test]
fn a_folder_holding_a_run_of_other_inputs_is_refused_naming_what_differs() {
    let dir = scratch("other-inputs");
    write(&dir, "p.sleep", &protocol(&mnist(300), &[]));
    assert_eq!(run_in(&dir, "p.sleep", &["--out", "o"], &[]).code, 0);
    let file = dir.join("o/outcome.json");
    let before = std::fs::read(&file).unwrap();
    let seed = run_in(&dir, "p.sleep", &["--out", "o", "--seed", "8"], &[]);
    assert_eq!(seed.code, 2, "{}", seed.stderr);
    for words in ["seed 7 there, 8 now", "--force", "--out DIR"] {
        assert!(seed.stderr.contains(words), "{words}: {}", seed.stderr);
    }
    let plots = run_in(&dir, "p.sleep", &["--out", "o", "--plots"], &[]);
    assert_eq!(plots.code, 2, "{}", plots.stderr);
    assert!(plots.stderr.contains("--plots"), "{}", plots.stderr);
    // An edited rule is other work.
    write(
        &dir,
        "p.sleep",
        &protocol(&mnist(300), &[("lr 0.1;", "lr 0.2;")]),
    );
    let edited = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert_eq!(edited.code, 2, "{}", edited.stderr);
    assert!(edited.stderr.contains("the plan"), "{}", edited.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), before, "never overwritten");
}

#[test]
fn a_failing_expectation_exits_1_and_shows_its_value() {
    let dir = scratch("failing");
    let text = protocol(
        &mnist(300),
        &[(
            "expect final accuracy(pairs) > 10 %",
            "expect final accuracy(pairs) > 99.9 %",
        )],
    );
    write(&dir, "p.sleep", &text);
    let r = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("✗ final accuracy(pairs) > 99.9 %"),
        "{}",
        r.stdout
    );
    assert_eq!(outcome(&dir.join("o"))["expectations"][0]["passed"], false);
}

/// Runs a protocol expected to stop with `code`; returns stderr and the outcome written.
fn fails_with(dir: &Path, text: &str, code: &str) -> (String, serde_json::Value) {
    write(dir, "p.sleep", text);
    let r = run_in(dir, "p.sleep", &["--out", "o"], &[]);
    assert_eq!(r.code, 2, "expected {code}:\n{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(code), "expected {code}:\n{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    let o = outcome(&dir.join("o"));
    assert_eq!(o["status"], "error");
    assert_eq!(o["error"]["code"], code);
    // The rendered diagnostic, with this run's folders replaced by stable names.
    let shown = r
        .stderr
        .replace(&dir.display().to_string(), "[dir]")
        .replace(MNIST, "[mnist]");
    insta::assert_snapshot!(format!("runtime_{code}"), shown);
    (r.stderr, o)
}

/// An IDX folder holding the given images and labels files.
fn idx_folder(dir: &Path, images: &[u8], labels: &[u8]) -> String {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("t-images-idx3-ubyte"), images).unwrap();
    std::fs::write(data.join("t-labels-idx1-ubyte"), labels).unwrap();
    "idx(\"data\")".into()
}

fn idx_header(magic_dims: u8, sizes: &[u32]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, magic_dims];
    for s in sizes {
        b.extend_from_slice(&s.to_be_bytes());
    }
    b
}

#[test]
fn an_unreadable_idx_file_is_e401() {
    let dir = scratch("e401");
    // The names the checker looks for exist, but the images "file" is a folder.
    std::fs::create_dir_all(dir.join("data/t-images-idx3-ubyte")).unwrap();
    std::fs::write(dir.join("data/t-labels-idx1-ubyte"), idx_header(1, &[0])).unwrap();
    let (err, _) = fails_with(&dir, &protocol("idx(\"data\")", &[]), "E401");
    assert!(err.contains("t-images-idx3-ubyte"), "{err}");
}

#[test]
fn a_wrong_magic_number_is_e402_naming_the_file() {
    let dir = scratch("e402");
    let mut images = idx_header(3, &[2, 28, 28]);
    images[2] = 0x0d; // floats, not bytes
    images.extend(vec![0u8; 2 * 784]);
    let mut labels = idx_header(1, &[2]);
    labels.extend([0, 1]);
    let ds = idx_folder(&dir, &images, &labels);
    let (err, _) = fails_with(&dir, &protocol(&ds, &[]), "E402");
    assert!(err.contains("t-images-idx3-ubyte"), "{err}");
    // The error points at the dataset's definition.
    assert!(err.contains("p.sleep:1:"), "{err}");
}

#[test]
fn a_truncated_idx_file_is_e403() {
    let dir = scratch("e403");
    let mut images = idx_header(3, &[4, 28, 28]);
    images.extend(vec![0u8; 3 * 784]);
    let mut labels = idx_header(1, &[4]);
    labels.extend([0, 1, 2, 3]);
    let ds = idx_folder(&dir, &images, &labels);
    let (err, _) = fails_with(&dir, &protocol(&ds, &[]), "E403");
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn a_negative_csv_label_is_e404() {
    let dir = scratch("e404");
    write(&dir, "d.csv", "a,b,label\n0.1,0.2,1\n0.3,0.4,-1\n");
    let text = protocol("csv(\"d.csv\")", &[("input x 784", "input x 2")]);
    let (err, _) = fails_with(&dir, &text, "E404");
    assert!(err.contains("d.csv"), "{err}");
}

#[test]
fn images_and_labels_of_different_counts_are_e405() {
    let dir = scratch("e405");
    let mut images = idx_header(3, &[2, 28, 28]);
    images.extend(vec![0u8; 2 * 784]);
    let mut labels = idx_header(1, &[3]);
    labels.extend([0, 1, 2]);
    let ds = idx_folder(&dir, &images, &labels);
    fails_with(&dir, &protocol(&ds, &[]), "E405");
}

#[test]
fn a_ragged_csv_is_e406_with_its_line() {
    let dir = scratch("e406");
    write(&dir, "d.csv", "a,b,label\n0.1,0.2,1\n0.3,2\n");
    let text = protocol("csv(\"d.csv\")", &[("input x 784", "input x 2")]);
    let (err, _) = fails_with(&dir, &text, "E406");
    assert!(err.contains("d.csv") && err.contains('3'), "{err}");
}

#[test]
fn an_input_of_the_wrong_size_is_e407() {
    let dir = scratch("e407");
    let text = protocol(&mnist(300), &[("input x 784", "input x 100")]);
    let (err, _) = fails_with(&dir, &text, "E407");
    assert!(err.contains("784") && err.contains("100"), "{err}");
}

#[test]
fn a_task_of_absent_labels_is_e408() {
    let dir = scratch("e408");
    let text = protocol(&mnist(300), &[("[2, 3])", "[2, 42])")]);
    // Label 42 alone would be empty; together with 2 the task has samples, so use 42 alone.
    let text = text.replace("[2, 42])", "[42])");
    fails_with(&dir, &text, "E408");
}

#[test]
fn a_label_without_an_output_neuron_is_e409_before_any_op_runs() {
    let dir = scratch("e409");
    // Labels 2 and 3 with a 3-neuron output: backprop has no neuron for label 3.
    let text = protocol(&mnist(300), &[("output y 10", "output y 3")]);
    let (err, o) = fails_with(&dir, &text, "E409");
    assert!(
        err.contains("label 3") && err.contains("`y` has 3 neurons"),
        "{err}"
    );
    assert!(err.contains("`y` 4 neurons"), "{err}");
    // Refused when the data is read: not one op ran, nothing was measured.
    assert_eq!(o["ops"].as_array().map_or(0, Vec::len), 0, "{o}");
    assert_eq!(o["timeline"].as_array().map(Vec::len), Some(0), "{o}");
}

#[test]
fn diverging_training_is_e410_naming_the_op_and_keeping_the_outcome() {
    let dir = scratch("e410");
    let text = protocol(
        &mnist(300),
        &[("uniform(-0.05, 0.05)", "uniform(1e20, 2e20)")],
    );
    let (err, o) = fails_with(&dir, &text, "E410");
    assert!(err.contains("learn#0") && err.contains("`y`"), "{err}");
    // The span is the phase call in the schedule.
    assert!(err.contains("p.sleep:33:"), "{err}");
    // What was measured before the failure is kept.
    assert_eq!(o["timeline"][0]["label"], "start");
}

#[test]
fn runaway_sleep_weights_are_e411() {
    let dir = scratch("e411");
    let text = protocol(
        &mnist(300),
        &[("inc 0.001; dec 0.0001", "inc 1e7; dec 0; gate_fn none")],
    );
    let (err, _) = fails_with(&dir, &text, "E411");
    assert!(err.contains("nap#0"), "{err}");
}

#[test]
fn a_read_of_something_no_earlier_op_produced_is_refused_before_anything_runs() {
    let dir = scratch("e318");
    let text = protocol(
        &mnist(300),
        &[(
            "      nap\n",
            "      nap\n      measure clustering(h) as \"c\"\n",
        )],
    );
    write(&dir, "p.sleep", &text);
    let r = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("E318"), "{}", r.stderr);
    assert!(r.stderr.contains("`clustering`"), "{}", r.stderr);
    assert!(!dir.join("o").join("outcome.json").exists(), "nothing ran");
}

#[test]
fn the_argmax_readout_on_a_recurrent_network_is_refused_before_anything_runs() {
    let dir = scratch("argmax-recurrent");
    let text = format!(
        "{}{}",
        crate::bars_network!(),
        "protocol p {\n  network snn\n  schedule {\n    look(stream[0])\n    measure accuracy(stream)\n  }\n}\n"
    );
    write(&dir, "p.sleep", &text);
    let r = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("E317"), "{}", r.stderr);
    assert!(r.stderr.contains("`argmax` readout"), "{}", r.stderr);
    assert!(r.stderr.contains("label_assignment"), "{}", r.stderr);
    assert!(!dir.join("o").join("outcome.json").exists(), "nothing ran");
}

/// Files are refused at check time (E317, E318); an op run apart from the plan it was
/// compiled in, as the REPL runs statements, can still reach state nothing produced: E412.
#[test]
fn an_op_run_apart_from_its_plan_that_reads_missing_state_is_e412_not_a_panic() {
    let text = format!(
        "{}{}",
        crate::bars_network!(),
        "protocol p {\n  network snn\n  schedule {\n    look(stream[0])\n    measure clustering(exc)\n  }\n}\n"
    );
    let dir = scratch("e412");
    let report =
        somnia::session::check_text("p.sleep", &text, Some(&dir), &[], &Default::default());
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let plan = report.plan("p").expect("the protocol plans");
    let mut runner =
        somnia::engine::Runner::new(plan, &Default::default()).expect("the data is synthetic");
    // The measurement alone, without the spiking wake phase before it.
    let err = runner
        .ops(&plan.ops[1..], &mut somnia::engine::Quiet)
        .unwrap_err();
    assert_eq!(err.code, somnia::diagnostics::Code::parse("E412").unwrap());
    assert!(
        err.message.contains("spiking wake phase"),
        "{}",
        err.message
    );
    let style = somnia::diagnostics::render::Style {
        color: false,
        width: 100,
    };
    let d = err.to_diagnostic(&report.program.sources);
    insta::assert_snapshot!(
        "runtime_E412",
        somnia::diagnostics::render::render_human(&d, &report.program.sources, style)
    );
}

#[test]
fn every_runtime_code_has_a_test_here() {
    let this = include_str!("run.rs");
    for code in somnia::diagnostics::Code::ALL {
        let c = code.as_str();
        if c.starts_with("E4") {
            assert!(
                this.contains(&format!("\"{c}\")")),
                "no test in tests/run.rs raises {c}"
            );
        }
    }
}

/// Runs a shipped file's protocol from the project root; returns the exit status and output.
fn run_shipped(file: &str, protocol: &str, out: &Path) -> Ran {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = out.to_str().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
    cmd.args([
        "run", file, "-p", protocol, "--quiet", "--force", "--out", o,
    ])
    .current_dir(root)
    .env("NO_COLOR", "1");
    let out = cmd.output().expect("the somnia binary runs");
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

// The examples and the docs blocks run in tests/examples.rs, one test each.

/// The science guard: Sleep Replay Consolidation keeps its advantage (EXPERIMENTS.md §1).
/// Release builds only: the four runs take about 30 s there and minutes in a debug build.
#[test]
#[cfg_attr(debug_assertions, ignore = "slow in debug builds; run with --release")]
fn sleep_replay_consolidation_beats_sequential_training() {
    let dir = scratch("src");
    let mut final_acc = std::collections::HashMap::new();
    for protocol in ["sequential", "src_matlab", "src", "joint"] {
        let out = dir.join(protocol);
        let r = run_shipped("protocols/src_split_mnist.sleep", protocol, &out);
        assert_eq!(r.code, 0, "{protocol}:\n{}{}", r.stdout, r.stderr);
        let acc = outcome(&out)["final"]["accuracy"]["pairs"]
            .as_f64()
            .unwrap();
        final_acc.insert(protocol, acc);
    }
    let seq = final_acc["sequential"];
    assert!((0.15..0.25).contains(&seq), "sequential {seq}");
    assert!(final_acc["src_matlab"] > seq + 0.10, "{final_acc:?}");
    assert!(final_acc["src"] > seq + 0.25, "{final_acc:?}");
}

#[test]
fn recovery_after_a_shock_is_the_fraction_of_the_loss_regained() {
    let dir = scratch("recovery");
    let schedule_old = r#"    measure accuracy(pairs) as "start"
    for t in pairs {
      learn(t)
      nap
      measure accuracy(seen) as "after"
    }
    measure weights(x -> h) as "end""#;
    let schedule_new = r#"    learn(pairs[0])
    measure accuracy(pairs[0]) as "base"
    shock
    measure accuracy(pairs[0]) as "hit"
    learn(pairs[0])
    measure accuracy(pairs[0]), recovery(accuracy(pairs[0])) as "back""#;
    let text = protocol(
        &mnist(600),
        &[
            (
                "protocol small {",
                "phase shock = perturb { apply weight_noise(sigma = 300 %, relative = true) }\n\nprotocol small {",
            ),
            (schedule_old, schedule_new),
            (
                "expect final accuracy(pairs) > 10 %",
                "expect final recovery(accuracy(pairs[0])) > -10",
            ),
        ],
    );
    write(&dir, "p.sleep", &text);
    let r = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let o = outcome(&dir.join("o"));
    let at = |label: &str, metric: &str| {
        o["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["label"] == label && row["metric"] == metric && row["task"] == "all")
            .and_then(|row| row["value"].as_f64())
            .unwrap_or_else(|| panic!("{metric} at {label}"))
    };
    let (base, hit, now) = (
        at("base", "accuracy"),
        at("hit", "accuracy"),
        at("back", "accuracy"),
    );
    assert!(
        base > hit + 0.05,
        "the shock must cost accuracy: {base} → {hit}"
    );
    let want = (now - hit) / (base - hit);
    assert!((at("back", "recovery") - want).abs() < 1e-12);
}

/// The Diehl & Cook example read by logistic regression on PCA-whitened spike counts
/// (Massey et al.'s readout) instead of label assignment: far above chance after 150 images.
#[test]
fn linear_readout_reads_a_spiking_layer() {
    let dir = scratch("linear-readout");
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/02_network.sleep"
    ))
    .unwrap();
    let text = example
        .replace("idx(\"../data/mnist-10k\")", &format!("idx(\"{MNIST}\")"))
        .replace(
            "readout = label_assignment(exc)",
            "readout = linear_readout(exc, pca = 95 %)",
        )
        .replace("length 1000 samples", "length 150 samples")
        .replace("train_cap 1000", "train_cap 300");
    assert!(text.contains("linear_readout") && text.contains("150 samples"));
    write(&dir, "p.sleep", &text);
    let r = run_in(&dir, "p.sleep", &["--out", "o"], &[]);
    assert!(r.code == 0 || r.code == 1, "{}{}", r.stdout, r.stderr);
    let acc = outcome(&dir.join("o"))["final"]["accuracy"]["digits"]
        .as_f64()
        .unwrap();
    assert!(acc > 0.3, "accuracy {acc}");
}

#[test]
fn a_stopped_run_is_e413_and_keeps_the_network_usable() {
    // `somnia repl` sets the runner's stop flag on Ctrl-C (tests/repl.rs drives that through
    // a terminal); here another thread sets it while a long sleep runs.
    use somnia::engine::{Options, Quiet, Runner};
    use std::sync::atomic::Ordering;
    let text = r#"
dataset images = bars(side = 6, samples = 10)
network snn {
  input px 36
  layer exc 8 : lif { tau 20 ms; threshold -55 mV; r 5 }
  connect px -> exc { init uniform(0, 0.3); sign excitatory; bounds [0, 1] }
}
rule ltp = stdp { a_plus 1; a_minus 1.05; tau_plus 10 ms; tau_minus 10 ms; lr 0.01 }
phase dream = nrem { dt 1 ms; length 10000 s; drive poisson(20 Hz); plasticity ltp }
protocol p {
  network snn
  schedule { dream; measure rates(exc) }
}
"#;
    let dir = scratch("e413");
    let report = somnia::session::check_text("p.sleep", text, Some(&dir), &[], &Default::default());
    let plan = report.plan("p").expect("the protocol plans");
    let mut runner = Runner::new(plan, &Options::default()).expect("the data is synthetic");
    let before = runner.network().projs[0].w.clone();
    let flag = runner.stop_flag();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        flag.store(true, Ordering::Relaxed);
    });
    let err = runner.ops(&plan.ops, &mut Quiet).unwrap_err();
    stopper.join().unwrap();
    assert_eq!(err.code.as_str(), "E413");
    assert!(
        err.message.starts_with("interrupted after"),
        "{}",
        err.message
    );
    // The diagnostic as `somnia repl` shows it; how far the sleep got depends on timing.
    let style = somnia::diagnostics::render::Style {
        color: false,
        width: 100,
    };
    let d = err.to_diagnostic(&report.program.sources);
    let shown = somnia::diagnostics::render::render_human(&d, &report.program.sources, style);
    let at = shown
        .find("interrupted after ")
        .expect("the message is shown")
        + 18;
    let end = at + shown[at..].find(" of ").expect("N of M");
    insta::assert_snapshot!(
        "runtime_E413",
        format!("{}N{}", &shown[..at], &shown[end..])
    );
    // The steps run changed the weights, the measure after the stop did not run, and the
    // network runs again once the flag is cleared.
    assert_ne!(runner.network().projs[0].w, before);
    assert_eq!(runner.records().len(), 1);
    runner.stop_flag().store(false, Ordering::Relaxed);
    runner
        .ops(&plan.ops[1..], &mut Quiet)
        .expect("the measure runs");
    assert_eq!(runner.rows().len(), 1);
}

/// `shuffle false` on the dataset and on the wake phase shows the file's first samples in
/// order: the input spikes of 10 samples match their pixel sums (the peer benchmarks rely
/// on it to show Brian2 the same images in the same order).
#[test]
fn shuffle_false_presents_the_files_samples_in_order() {
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/protocols");
    let text = std::fs::read_to_string(format!("{bench}/stdp400.sleep"))
        .unwrap()
        .replace("\"data/", &format!("\"{bench}/data/"))
        .replace("length 100 samples", "length 10 samples");
    assert!(text.contains("shuffle false }") && text.contains("  shuffle false\n"));
    let dir = scratch("shuffle");
    write(&dir, "p.sleep", &text);
    let ran = run_in(&dir, "p.sleep", &["--out", "out"], &[]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let o = outcome(&dir.join("out"));
    let px = o["ops"][0]["spikes"]["px"].as_f64().unwrap();
    let x: ndarray::Array3<u8> =
        ndarray_npy::read_npy(format!("{bench}/data/mnist100-x.npy")).unwrap();
    // rate = pixel/255 × 63.75 Hz for 350 ms per sample.
    let expected: f64 = x
        .outer_iter()
        .take(10)
        .map(|img| {
            img.iter()
                .map(|&p| p as f64 / 255.0 * 63.75 * 0.35)
                .sum::<f64>()
        })
        .sum();
    // Poisson: sd √17,700 ≈ 0.75 %; the other 90 images average 22 % more.
    assert!(
        (px / expected - 1.0).abs() < 0.03,
        "{px} input spikes, {expected:.0} expected from the first 10 images"
    );
}

/// A small CUBA network (Brette et al. 2007): layers only, no input population, run by an
/// `nrem` phase without a drive from random initial potentials.
const NO_INPUT: &str = r#"network brette {
  layer exc 400
  layer inh 100
  connect exc -> exc { connectivity sparse(0.1); init 1.62 mV; plastic false }
  connect exc -> inh { connectivity sparse(0.1); init 1.62 mV; plastic false }
  connect inh -> exc { connectivity sparse(0.1); init -9 mV; plastic false }
  connect inh -> inh { connectivity sparse(0.1); init -9 mV; plastic false }
}

phase run = nrem {
  dt 0.1 ms
  length 200 ms
  dynamics lif {
    tau 20 ms; rest -49 mV; reset -60 mV; threshold -50 mV; refractory 5 ms
    synapse current_ei; tau_exc 5 ms; tau_inh 10 ms
    v_init uniform(-60 mV, -50 mV)
  }
}

protocol cuba {
  network brette
  seed 1
  schedule {
    run
    measure rates(exc), rates(inh)
  }
  expect final rates(exc) > 0 Hz
}
"#;

fn spikes_of(dir: &Path) -> (u64, u64) {
    let o = outcome(dir);
    let sp = &o["ops"][0]["spikes"];
    (sp["exc"].as_u64().unwrap(), sp["inh"].as_u64().unwrap())
}

#[test]
fn a_network_without_input_runs_on_its_own_activity_reproducibly() {
    let dir = scratch("no-input");
    write(&dir, "cuba.sleep", NO_INPUT);
    let first = run_in(&dir, "cuba.sleep", &["--out", "a"], &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let (exc, inh) = spikes_of(&dir.join("a"));
    assert!(exc > 0 && inh > 0, "both layers fire: {exc}, {inh}");
    // Neither too quiet nor runaway: ~500 neurons × 0.2 s at a few Hz to a few tens.
    assert!(exc + inh < 500 * 20, "no runaway: {exc} + {inh}");
    let again = run_in(&dir, "cuba.sleep", &["--out", "b"], &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        spikes_of(&dir.join("b")),
        (exc, inh),
        "the same seed, the same run"
    );
    let other = run_in(&dir, "cuba.sleep", &["--out", "c", "--seed", "2"], &[]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert_ne!(
        spikes_of(&dir.join("c")),
        (exc, inh),
        "another seed draws other potentials and synapses"
    );
}

#[test]
fn a_drive_for_a_network_without_input_is_e316() {
    let dir = scratch("no-input-drive");
    let text = NO_INPUT.replace(
        "  length 200 ms\n",
        "  length 200 ms\n  drive poisson(5 Hz)\n",
    );
    write(&dir, "cuba.sleep", &text);
    let ran = run_in(&dir, "cuba.sleep", &["--out", "a"], &[]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("E316"), "{}", ran.stderr);
    assert!(ran.stderr.contains("no input population"), "{}", ran.stderr);
}

/// The AVX2 twins of the neuron loops compute exactly what the SSE2 code does: the same
/// outcome to the bit, for a conductance network with STDP in wake and in sleep.
#[test]
fn wide_and_baseline_vector_code_give_identical_outcomes() {
    let bench = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/protocols");
    let dir = scratch("simd");
    let wake = std::fs::read_to_string(format!("{bench}/stdp400.sleep"))
        .unwrap()
        .replace("\"data/", &format!("\"{bench}/data/"))
        .replace("length 100 samples", "length 4 samples");
    let sleep = std::fs::read_to_string(format!("{bench}/sleep400.sleep"))
        .unwrap()
        .replace("length 10 s", "length 2 s");
    write(&dir, "wake.sleep", &wake);
    write(&dir, "sleep.sleep", &sleep);
    for file in ["wake.sleep", "sleep.sleep"] {
        let mut outcomes = Vec::new();
        for simd in ["baseline", "auto"] {
            let out = format!("out-{file}-{simd}");
            let ran = run_in(&dir, file, &["--out", &out], &[("SOMNIA_SIMD", simd)]);
            assert_eq!(ran.code, 0, "{}", ran.stderr);
            outcomes.push(without_timing(&dir.join(&out)));
        }
        assert_eq!(outcomes[0], outcomes[1], "{file}: SSE2 and AVX2 differ");
    }
}

/// A sleep with rules records its weight histograms before and after; one without rules
/// changes no weight and records none.
#[test]
fn only_sleeps_with_rules_record_weight_histograms() {
    let dir = scratch("histograms");
    for (name, edits, want) in [
        ("rules.sleep", vec![], true),
        (
            "none.sleep",
            vec![("  plasticity src_stdp { inc 0.001; dec 0.0001 }\n", "")],
            false,
        ),
    ] {
        write(&dir, name, &protocol(&mnist(600), &edits));
        let out = format!("out-{name}");
        let ran = run_in(&dir, name, &["--out", &out], &[]);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        let o = outcome(&dir.join(&out));
        let sleeps: Vec<_> = o["ops"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|op| op["kind"] == "nrem")
            .collect();
        assert_eq!(sleeps.len(), 2);
        for op in sleeps {
            assert_eq!(op.get("weights").is_some(), want, "{name}: {op}");
        }
    }
}
