//! `somnia compare`: arms over shared seeds, in parallel, with paired differences.

mod common;

use common::cli::{exits, scratch, somnia, without_timing};

/// Two arms: with a noisy STDP sleep after each chunk, and without it.
const PROTOCOL: &str = concat!(
    crate::bars_network!(),
    r#"
phase nap = nrem {
  dt 1 ms
  length 300 steps
  drive silence
  modulate noise(20 mV)
  plasticity ltp
}

protocol slept {
  network snn
  seed 1
  schedule {
    for t in stream {
      look(t)
      nap
    }
    measure weights(lateral, stat = mean), rates(exc) as "end"
  }
}

protocol awake = slept with { nap = skip }

compare slept vs awake over seeds 1..4 {
  expect mean(slept.final rates(exc)) != mean(awake.final rates(exc))
  expect ci_low(slept.final rates(exc)) <= ci_high(slept.final rates(exc))
}
"#
);

#[test]
fn arms_share_seeds_and_give_the_same_outcomes_on_any_thread_count() {
    let dir = scratch("threads");
    std::fs::write(dir.join("c.sleep"), PROTOCOL).unwrap();
    let one = somnia(
        &["compare", "c.sleep", "-j", "1", "--out", "one", "-q"],
        &dir,
    );
    exits(&one, 0);
    let two = somnia(
        &["compare", "c.sleep", "-j", "2", "--out", "two", "-q"],
        &dir,
    );
    exits(&two, 0);
    for arm in ["slept", "awake"] {
        for seed in 1..=4 {
            let f = format!("{arm}-seed{seed}/outcome.json");
            let (a, b) = (
                without_timing(&dir.join("one").join(&f)),
                without_timing(&dir.join("two").join(&f)),
            );
            assert_eq!(a, b, "{f}");
            assert_eq!(a["seed"], seed);
        }
    }
    assert_eq!(
        String::from_utf8_lossy(&one.stdout),
        String::from_utf8_lossy(&two.stdout)
    );
    // Each arm alone reproduces its runs.
    let alone = somnia(
        &[
            "run", "c.sleep", "-p", "awake", "--seed", "3", "--out", "alone", "-q",
        ],
        &dir,
    );
    exits(&alone, 0);
    assert_eq!(
        without_timing(&dir.join("alone/outcome.json"))["final"],
        without_timing(&dir.join("one/awake-seed3/outcome.json"))["final"]
    );
}

#[test]
fn the_report_gives_each_arm_and_the_paired_difference_with_its_interval() {
    let dir = scratch("report");
    std::fs::write(dir.join("c.sleep"), PROTOCOL).unwrap();
    let out = somnia(&["compare", "c.sleep", "--out", "o", "-q"], &dir);
    exits(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("compare slept vs awake · seeds [1, 2, 3, 4]"),
        "{text}"
    );
    let rates = |arm: &str| -> Vec<f64> {
        (1..=4)
            .map(|s| {
                let v: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(dir.join(format!("o/{arm}-seed{s}/outcome.json")))
                        .unwrap(),
                )
                .unwrap();
                v["final"]["rates"]["exc"].as_f64().unwrap()
            })
            .collect()
    };
    let (s, a) = (rates("slept"), rates("awake"));
    let d: Vec<f64> = a.iter().zip(&s).map(|(x, y)| x - y).collect();
    let mean = d.iter().sum::<f64>() / 4.0;
    assert!(
        mean != 0.0,
        "the sleep must change something for the test to mean anything"
    );
    let line = text
        .lines()
        .find(|l| l.contains("awake − slept") && text.contains("rates[exc]"))
        .unwrap();
    assert!(
        text.contains(&format!("awake − slept: {mean:+.6}")),
        "{mean} in\n{text}"
    );
    // The interval brackets the mean difference and lies within the observed differences.
    let nums: Vec<f64> = line
        .split(['[', ']', ','])
        .filter_map(|p| p.trim().parse().ok())
        .collect();
    assert_eq!(nums.len(), 2, "{line}");
    let (lo, hi) = (nums[0], nums[1]);
    let (dmin, dmax) = d
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    assert!(
        lo <= mean + 1e-9 && mean <= hi + 1e-9 && lo >= dmin - 1e-6 && hi <= dmax + 1e-6,
        "{line} {d:?}"
    );
    assert_eq!(text.matches("✓").count(), 2, "{text}");
}

#[test]
fn a_failing_comparison_exits_1_and_existing_outcomes_are_kept() {
    let dir = scratch("fail");
    let text = PROTOCOL.replace(
        "expect mean(slept.final rates(exc)) != mean(awake.final rates(exc))",
        "expect ci_low(slept.final rates(exc)) > ci_high(awake.final rates(exc)) + 1000 Hz",
    );
    std::fs::write(dir.join("c.sleep"), text).unwrap();
    let out = somnia(&["compare", "c.sleep", "--out", "o", "-q"], &dir);
    exits(&out, 1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(
            "✗ ci_low(slept.final rates(exc)) > ci_high(awake.final rates(exc)) + 1000 Hz"
        )
    );
    let again = somnia(&["compare", "c.sleep", "--out", "o", "-q"], &dir);
    exits(&again, 2);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--resume"));
    let resumed = somnia(
        &["compare", "c.sleep", "--out", "o", "-q", "--resume"],
        &dir,
    );
    exits(&resumed, 1);
    assert_eq!(
        String::from_utf8_lossy(&resumed.stderr)
            .matches("kept (--resume)")
            .count(),
        8
    );
}
