//! `prune` through a real plan and runner (as a rule of a sleep, and as a shock), and an
//! errored run's expectations: measured values kept, none reported as passed.

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-prune-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const NETWORK: &str = r#"
dataset images = bars(side = 6, samples = 10)
tasks stream = chunks(images, 2)

network snn {
  input px 36
  layer exc 8 : lif { tau 20 ms; threshold -55 mV; r 5 }
  connect px -> exc as afferent { init uniform(-0.3, 0.3); bounds [-1, 1] }
}
"#;

/// The smallest `k` magnitudes of `w`, as (index, |w|), ties in index order.
fn weakest(w: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..w.len()).collect();
    idx.sort_by(|&a, &b| w[a].abs().total_cmp(&w[b].abs()));
    let mut out = idx[..k].to_vec();
    out.sort();
    out
}

#[test]
fn prune_removes_the_weakest_synapses_as_a_rule_and_as_a_shock() {
    let text = format!(
        "{NETWORK}{}",
        r#"
phase nap = nrem { dt 1 ms; length 20 steps; drive poisson(rates = 5 Hz); plasticity prune { fraction 25 % } }
phase cut = perturb { apply prune(below = 0.2) on afferent }
protocol p {
  network snn
  schedule { nap; cut; measure weights(afferent, stat = abs_sum) }
}
"#
    );
    let dir = scratch("rule-and-shock");
    let report =
        somnia::session::check_text("p.sleep", &text, Some(&dir), &[], &Default::default());
    assert!(!report.has_errors(), "{:?}", report.diagnostics);
    let plan = report.plan("p").expect("the protocol plans");
    let mut runner =
        somnia::engine::Runner::new(plan, &Default::default()).expect("the data is synthetic");
    let w0 = runner.network().projs[0].w.clone();
    assert_eq!(w0.len(), 36 * 8);
    assert!(w0.iter().all(|&w| w != 0.0));

    // The nap: 25 % of 288 synapses, the 72 weakest, are gone; the rest are untouched.
    runner
        .ops(&plan.ops[..1], &mut somnia::engine::Quiet)
        .unwrap();
    let p = &runner.network().projs[0];
    let gone: Vec<usize> = (0..w0.len()).filter(|&k| p.w[k] == 0.0).collect();
    assert_eq!(gone, weakest(&w0, 72));
    let mask = p.mask.as_ref().expect("pruning masks the projection");
    assert!(gone.iter().all(|&k| mask[k] == 0.0));
    assert!(
        (0..w0.len())
            .filter(|k| !gone.contains(k))
            .all(|k| p.w[k] == w0[k])
    );

    // The shock: every synapse left with |w| < 0.2 goes too.
    runner
        .ops(&plan.ops[1..], &mut somnia::engine::Quiet)
        .unwrap();
    let p = &runner.network().projs[0];
    for (k, (&before, &after)) in w0.iter().zip(&p.w).enumerate() {
        let kept = !gone.contains(&k) && before.abs() >= 0.2;
        assert_eq!(after != 0.0, kept, "synapse {k}: {before} → {after}");
    }
    let abs_sum: f64 = w0
        .iter()
        .filter(|w| w.abs() >= 0.2)
        .map(|w| w.abs() as f64)
        .sum();
    let measured = runner.rows().last().expect("a measurement").value;
    assert!((measured - abs_sum).abs() < 1e-4, "{measured} vs {abs_sum}");
}

#[test]
fn a_run_that_stops_with_an_error_reports_no_expectation_as_passed() {
    // A learning rate that makes the weights run away: E410 or E411 in the wake phase,
    // after a measurement whose expectation holds.
    let text = r#"
dataset images = bars(side = 6, samples = 10)
tasks stream = chunks(images, 2)
network mlp {
  input px 36
  output y 12
  connect px -> y { init 0.5 }
}
rule wild = backprop { lr 1e30 }
phase learn(t: task) = wake { data t; plasticity wild; length 1 epochs }
protocol p {
  network mlp
  schedule {
    measure weights(px -> y, stat = mean) as "start"
    learn(stream[0])
  }
  expect at "start" weights(px -> y, stat = mean) > 0.4
}
"#;
    let dir = scratch("errored");
    std::fs::write(dir.join("p.sleep"), text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(["run", "p.sleep", "--out", "o"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("E410") || stderr.contains("E411"),
        "{stderr}"
    );
    let o: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o/outcome.json")).unwrap())
            .unwrap();
    assert_eq!(o["status"], "error");
    let e = &o["expectations"][0];
    assert_eq!(e["value"], 0.5, "the measured value is kept: {e}");
    assert_eq!(e["passed"], false, "{e}");
    assert!(e["note"].as_str().unwrap().contains("not judged"), "{e}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("✗ at \"start\""), "{stdout}");
    assert!(!stdout.contains('✓'), "{stdout}");
}
