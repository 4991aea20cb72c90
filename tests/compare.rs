//! `somnia compare`: arms over shared seeds, in parallel, with paired differences.

mod common;

use common::cli::{exits, run_folder, scratch, somnia, without_timing};

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
            let name = run_folder(&dir.join("one"), &format!("{arm}-seed{seed}"));
            let f = format!(
                "{}/outcome.json",
                name.file_name().unwrap().to_str().unwrap()
            );
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
        without_timing(&run_folder(&dir.join("one"), "awake-seed3").join("outcome.json"))["final"]
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
                    &std::fs::read_to_string(
                        run_folder(&dir.join("o"), &format!("{arm}-seed{s}")).join("outcome.json"),
                    )
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
    let resumed = somnia(&["compare", "c.sleep", "--out", "o", "--resume"], &dir);
    exits(&resumed, 1);
    assert_eq!(
        String::from_utf8_lossy(&resumed.stderr)
            .matches("kept (--resume)")
            .count(),
        8
    );
}

/// Each arm's final `rates[exc]` per seed, read from its outcome.json in `out`.
fn final_rates(out: &std::path::Path, arm: &str, seeds: std::ops::RangeInclusive<u64>) -> Vec<f64> {
    seeds
        .map(|s| {
            let v =
                without_timing(&run_folder(out, &format!("{arm}-seed{s}")).join("outcome.json"));
            v["final"]["rates"]["exc"].as_f64().unwrap()
        })
        .collect()
}

fn mean_of(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn the_tables_beside_the_runs_hold_what_the_outcomes_say() {
    let dir = scratch("tables");
    let three = PROTOCOL.replace("over seeds 1..4", "over seeds 1..3");
    std::fs::write(dir.join("c.sleep"), three).unwrap();
    let out = somnia(&["compare", "c.sleep", "--out", "o", "-q"], &dir);
    exits(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("W010") && err.contains("`compare slept vs awake` rests on 3 seeds"),
        "{err}"
    );
    let o = dir.join("o");
    let (slept, awake) = (
        final_rates(&o, "slept", 1..=3),
        final_rates(&o, "awake", 1..=3),
    );
    let diffs: Vec<f64> = awake.iter().zip(&slept).map(|(a, s)| a - s).collect();
    assert!(
        mean_of(&diffs) != 0.0,
        "the arms must differ for the test to mean anything"
    );

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(o.join("compare.json")).unwrap()).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["compare"], "slept vs awake");
    assert_eq!(doc["arms"], serde_json::json!(["slept", "awake"]));
    assert_eq!(doc["seeds"], serde_json::json!([1, 2, 3]));
    assert_eq!(doc["few_seeds"], true);
    assert!(doc["effect_size"].as_str().unwrap().contains("Cohen's d"));
    assert_eq!(doc["expectations"].as_array().unwrap().len(), 2);
    assert_eq!(doc["runs"].as_array().unwrap().len(), 6);
    assert_eq!(
        doc["runs"][0]["folder"].as_str().unwrap(),
        run_folder(&o, "slept-seed1")
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
    );
    let rates = doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "rates" && m["key"] == "exc")
        .unwrap();
    assert_eq!(rates["unit"], "Hz");
    for (i, values) in [&slept, &awake].iter().enumerate() {
        let arm = &rates["arms"][i];
        assert_eq!(arm["n"], 3);
        assert!(
            (arm["mean"].as_f64().unwrap() - mean_of(values)).abs() < 1e-9,
            "{arm}"
        );
        let (lo, hi) = (
            arm["ci_low"].as_f64().unwrap(),
            arm["ci_high"].as_f64().unwrap(),
        );
        assert!(
            lo <= mean_of(values) + 1e-9 && mean_of(values) <= hi + 1e-9,
            "{arm}"
        );
    }
    let d = &rates["differences"][0];
    assert_eq!(d["arm"], "awake");
    assert_eq!(d["against"], "slept");
    assert_eq!(d["n_pairs"], 3);
    assert_eq!(d["few_seeds"], true);
    assert!(
        (d["mean"].as_f64().unwrap() - mean_of(&diffs)).abs() < 1e-9,
        "{d}"
    );
    let sd = (diffs
        .iter()
        .map(|x| (x - mean_of(&diffs)).powi(2))
        .sum::<f64>()
        / 2.0)
        .sqrt();
    assert!(
        (d["effect_size"].as_f64().unwrap() - mean_of(&diffs) / sd).abs() < 1e-9,
        "{d}"
    );

    // compare.csv: the same numbers, one statistic a row.
    let mut csv = csv::Reader::from_path(o.join("compare.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "compare",
            "metric",
            "key",
            "unit",
            "kind",
            "arm",
            "against",
            "statistic",
            "value",
            "n",
            "few_seeds"
        ]
    );
    let rows: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let cell = |kind: &str, arm: &str, stat: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| {
                r[1] == "rates" && r[2] == "exc" && r[4] == kind && r[5] == arm && r[7] == stat
            })
            .unwrap_or_else(|| panic!("no row {kind} {arm} {stat}: {rows:?}"));
        assert_eq!(r[9], "3");
        assert_eq!(r[10], "true");
        r[8].parse().unwrap()
    };
    assert!((cell("arm", "slept", "mean") - mean_of(&slept)).abs() < 1e-9);
    assert!((cell("arm", "awake", "mean") - mean_of(&awake)).abs() < 1e-9);
    assert!((cell("difference", "awake", "mean") - mean_of(&diffs)).abs() < 1e-9);
    // 4 statistics per arm and metric key, 5 per difference.
    let keys = doc["metrics"].as_array().unwrap().len();
    assert_eq!(rows.len(), keys * (2 * 4 + 5));
}

#[test]
fn five_seeds_are_not_few() {
    let dir = scratch("five");
    for (name, seeds) in [("three", "1..3"), ("five", "1..5")] {
        let text = PROTOCOL.replace("over seeds 1..4", &format!("over seeds {seeds}"));
        std::fs::write(dir.join(format!("{name}.sleep")), text).unwrap();
    }
    let three = somnia(&["check", "three.sleep"], &dir);
    exits(&three, 0);
    let err = String::from_utf8_lossy(&three.stderr);
    assert!(
        err.contains("W010") && err.contains("three.sleep:44:35"),
        "{err}"
    );
    let five = somnia(&["check", "five.sleep"], &dir);
    exits(&five, 0);
    assert!(!String::from_utf8_lossy(&five.stderr).contains("W010"));

    let out = somnia(&["compare", "five.sleep", "--out", "o", "-q"], &dir);
    exits(&out, 0);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("W010"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o/compare.json")).unwrap())
            .unwrap();
    assert_eq!(doc["few_seeds"], false);
    let rates = doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "rates")
        .unwrap();
    assert_eq!(rates["differences"][0]["n_pairs"], 5);
    assert_eq!(rates["differences"][0]["few_seeds"], false);
    let csv = std::fs::read_to_string(dir.join("o/compare.csv")).unwrap();
    assert!(!csv.contains(",true\n"), "{csv}");
}
