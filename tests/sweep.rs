//! `somnia sweep` end to end: a grid × seeds run with 1 and with 2 threads gives identical
//! outcomes; a point reruns alone with `somnia run --set … --seed …`; expectations over seeds;
//! refusing to overwrite; choosing among several sweeps; sweep.csv in long form.

mod common;

use common::cli::{exits, run_folder, scratch, somnia, without_timing};
use std::path::{Path, PathBuf};

/// A small spiking protocol on synthetic bars: STDP wake learning, a noisy NREM sleep whose
/// length and noise are swept, so both the random input streams and the sleep noise matter.
const SPIKING: &str = r#"
let nap = 200 steps
let noise_level = 4 mV

dataset images = bars(side = 8, samples = 20)
tasks stream = chunks(images, 2)

network snn {
  input px 64
  layer exc 20 : lif { tau 20 ms; rest -70 mV; reset -75 mV; threshold -55 mV; r 40; adapt 1 mV; tau_adapt 50 ms }
  connect px -> exc { init uniform(0, 0.3); sign excitatory; bounds [0, 1] }
  connect exc -> exc as lateral { connectivity all_but_self; init -0.2; sign inhibitory; bounds [-1, 0] }
}

rule ltp = stdp { a_plus 1; a_minus 1.05; tau_plus 10 ms; tau_minus 10 ms; lr 0.01 }

phase listen(t: task) = wake {
  data t
  length 40 samples
  dt 1 ms; present 30 ms; rest 10 ms
  encode poisson(max_rate = 100 Hz)
  plasticity ltp
}

phase sleep = nrem {
  dt 1 ms
  length nap
  drive silence
  modulate noise(noise_level)
  plasticity ltp
}

protocol p {
  network snn
  seed 1
  schedule {
    for t in stream {
      listen(t)
      sleep
    }
    measure weights(px -> exc, stat = mean), weights(lateral, stat = mean), rates(exc) as "end"
  }
  expect final weights(px -> exc, stat = mean) > 0
}

sweep p over nap in [0 steps, 200 steps], noise_level in [4 mV, 20 mV] seeds 1..2 {
  expect mean(final weights(px -> exc, stat = mean)) > 0
  expect max(final rates(exc)) < 1000 Hz
}
"#;

fn outcome_files(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.join("outcome.json"))
        .collect();
    found.sort();
    found
}

#[test]
fn one_thread_and_two_threads_give_identical_outcomes() {
    let dir = scratch("threads");
    std::fs::write(dir.join("s.sleep"), SPIKING).unwrap();
    let one = somnia(&["sweep", "s.sleep", "-j", "1", "--out", "one", "-q"], &dir);
    exits(&one, 0);
    let two = somnia(&["sweep", "s.sleep", "-j", "2", "--out", "two", "-q"], &dir);
    exits(&two, 0);
    let a = outcome_files(&dir.join("one"));
    let b = outcome_files(&dir.join("two"));
    assert_eq!(a.len(), 8, "2 × 2 points × 2 seeds: {a:?}");
    let names = |v: &[PathBuf]| -> Vec<String> {
        v.iter()
            .map(|p| {
                p.parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into()
            })
            .collect()
    };
    assert_eq!(names(&a), names(&b));
    run_folder(&dir.join("one"), "nap=200steps,noise_level=0.02V-seed2");
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(without_timing(x), without_timing(y), "{}", x.display());
    }
    let csv_one = std::fs::read_to_string(dir.join("one/sweep.csv")).unwrap();
    assert_eq!(
        csv_one,
        std::fs::read_to_string(dir.join("two/sweep.csv")).unwrap()
    );
    let lines: Vec<&str> = csv_one.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 8 * 3,
        "header and 3 values of 8 runs:\n{csv_one}"
    );
    assert!(
        lines[0].starts_with(
            "point,seed,nap,nap_unit,noise_level,noise_level_unit,status,expectations_passed,folder,"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("0,1,0,steps,0.004,V,complete,true,"),
        "{}",
        lines[1]
    );
    // The points differ from each other: the swept constants reach the runs.
    let mut by_run: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in csv::Reader::from_reader(csv_one.as_bytes()).records() {
        let r = r.unwrap();
        by_run
            .entry(r[8].to_string())
            .or_default()
            .push(r[16].to_string());
    }
    assert_eq!(by_run.len(), 8);
    let distinct: std::collections::HashSet<&Vec<String>> = by_run.values().collect();
    assert_eq!(
        distinct.len(),
        6,
        "the nap = 0 points do not depend on the noise: {by_run:?}"
    );
    let stdout = String::from_utf8_lossy(&one.stdout);
    assert_eq!(
        stdout.matches("✓ mean(final weights").count(),
        4,
        "{stdout}"
    );
    assert!(
        stdout.contains("nap 200 steps, noise_level 20 mV"),
        "{stdout}"
    );
}

#[test]
fn a_point_reruns_alone_with_set_and_seed() {
    let dir = scratch("rerun");
    std::fs::write(dir.join("s.sleep"), SPIKING).unwrap();
    let sw = somnia(&["sweep", "s.sleep", "-j", "2", "--out", "sw", "-q"], &dir);
    exits(&sw, 0);
    let alone = somnia(
        &[
            "run",
            "s.sleep",
            "--set",
            "nap=200 steps",
            "--set",
            "noise_level=20 mV",
            "--seed",
            "2",
            "--out",
            "alone",
            "-q",
        ],
        &dir,
    );
    exits(&alone, 0);
    let a = without_timing(
        &run_folder(&dir.join("sw"), "nap=200steps,noise_level=0.02V-seed2").join("outcome.json"),
    );
    let b = without_timing(&dir.join("alone/outcome.json"));
    // The same plan: only the source hash differs (it covers the `--set` texts).
    assert_eq!(a["final"], b["final"]);
    assert_eq!(a["timeline"], b["timeline"]);
    assert_eq!(a["ops"], b["ops"]);
}

#[test]
fn a_failing_expectation_exits_1_and_names_its_point_and_span() {
    let dir = scratch("fail");
    let text = SPIKING.replace(
        "expect max(final rates(exc)) < 1000 Hz",
        "expect min(final rates(exc)) > 100000 Hz",
    );
    std::fs::write(dir.join("s.sleep"), text).unwrap();
    let out = somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir);
    exits(&out, 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout
            .matches("✗ min(final rates(exc)) > 100000 Hz")
            .count(),
        4,
        "{stdout}"
    );
    assert!(stdout.contains(":48:3]"), "{stdout}");
}

#[test]
fn existing_outcomes_are_kept_without_force() {
    let dir = scratch("force");
    std::fs::write(
        dir.join("s.sleep"),
        SPIKING.replace("seeds 1..2", "seeds 1"),
    )
    .unwrap();
    let first = somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir);
    exits(&first, 0);
    let before = std::fs::read(dir.join("o/sweep.csv")).unwrap();
    std::fs::write(
        run_folder(&dir.join("o"), "nap=0steps,noise_level=0.004V-seed1").join("outcome.json"),
        "mine",
    )
    .unwrap();
    let again = somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir);
    assert_eq!(again.status.code(), Some(2));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("exists") && err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(
            run_folder(&dir.join("o"), "nap=0steps,noise_level=0.004V-seed1").join("outcome.json")
        )
        .unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read(dir.join("o/sweep.csv")).unwrap(), before);
    let forced = somnia(&["sweep", "s.sleep", "--out", "o", "-q", "--force"], &dir);
    exits(&forced, 0);
    assert_ne!(
        std::fs::read_to_string(
            run_folder(&dir.join("o"), "nap=0steps,noise_level=0.004V-seed1").join("outcome.json")
        )
        .unwrap(),
        "mine"
    );
}

#[test]
fn files_without_a_sweep_or_with_several_say_so() {
    let dir = scratch("choose");
    let none = SPIKING.split("sweep p over").next().unwrap().to_string();
    std::fs::write(dir.join("none.sleep"), &none).unwrap();
    let out = somnia(&["sweep", "none.sleep", "-q"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `sweep`"));

    let two = format!(
        "{SPIKING}\nprotocol q = p with {{ nap = 100 steps }}\nsweep q over noise_level in [1 mV] seeds 1\n"
    );
    std::fs::write(dir.join("two.sleep"), &two).unwrap();
    let out = somnia(&["sweep", "two.sleep", "-q"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("several sweeps") && err.contains("`p`") && err.contains("`q`"),
        "{err}"
    );
    let out = somnia(
        &["sweep", "two.sleep", "--sweep", "q", "--out", "q", "-q"],
        &dir,
    );
    exits(&out, 0);
    assert_eq!(outcome_files(&dir.join("q")).len(), 1);
}

#[test]
fn resume_keeps_finished_runs_of_the_same_work_and_reruns_the_rest() {
    let dir = scratch("resume");
    std::fs::write(dir.join("s.sleep"), SPIKING).unwrap();
    let first = somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir);
    exits(&first, 0);
    let kept_file =
        run_folder(&dir.join("o"), "nap=200steps,noise_level=0.02V-seed1").join("outcome.json");
    let before = std::fs::read_to_string(&kept_file).unwrap();

    // An edited comment and a new point: the old runs are kept, only the new point runs.
    let edited = format!(
        "// a comment that moves every line\n{}",
        SPIKING.replace("[4 mV, 20 mV]", "[4 mV, 20 mV, 8 mV]")
    );
    std::fs::write(dir.join("s.sleep"), edited).unwrap();
    // Without -q: a line per run says which were kept.
    let again = somnia(&["sweep", "s.sleep", "--out", "o", "--resume"], &dir);
    exits(&again, 0);
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(err.matches("kept (--resume)").count(), 8, "{err}");
    assert_eq!(err.matches(": done (").count(), 4, "{err}");
    assert_eq!(
        std::fs::read_to_string(&kept_file).unwrap(),
        before,
        "kept, not rerun"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("o/sweep.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 12 * 3,
        "3 values of each of the 12 runs"
    );

    // A changed constant changes the work: its runs go to new folders, the old ones stay.
    let changed = SPIKING.replace("tau_plus 10 ms", "tau_plus 12 ms");
    std::fs::write(dir.join("s.sleep"), changed).unwrap();
    let rerun = somnia(&["sweep", "s.sleep", "--out", "o", "--resume"], &dir);
    exits(&rerun, 0);
    let err = String::from_utf8_lossy(&rerun.stderr);
    assert_eq!(err.matches(": done (").count(), 8, "{err}");
    assert_eq!(
        std::fs::read_to_string(&kept_file).unwrap(),
        before,
        "never overwritten"
    );
    let csv = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
    let old_name = kept_file.parent().unwrap().file_name().unwrap();
    assert!(!csv.contains(old_name.to_str().unwrap()), "{csv}");
    // Someone else's outcome in a run's folder is never overwritten without --force.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o/manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["runs"].as_array().unwrap().len(), 8);
    let theirs = dir
        .join("o")
        .join(manifest["runs"][0]["folder"].as_str().unwrap());
    let mut other: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(theirs.join("outcome.json")).unwrap())
            .unwrap();
    other["work_hash"] = "another".into();
    other["status"] = "interrupted".into();
    std::fs::write(theirs.join("outcome.json"), other.to_string()).unwrap();
    let refused = somnia(&["sweep", "s.sleep", "--out", "o", "-q", "--resume"], &dir);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("is not a complete run of this plan"), "{err}");
    let forced = somnia(
        &[
            "sweep", "s.sleep", "--out", "o", "-q", "--resume", "--force",
        ],
        &dir,
    );
    exits(&forced, 0);
    let back: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(theirs.join("outcome.json")).unwrap())
            .unwrap();
    assert_eq!(back["status"], "complete");
}

#[test]
fn the_long_table_holds_every_measurement_with_numeric_swept_values_and_units() {
    let dir = scratch("long");
    // A labelled measurement after each of the two chunks, besides the one at the end.
    let text = SPIKING.replace(
        "      sleep\n    }",
        "      sleep\n      measure rates(exc) as \"mid\"\n    }",
    );
    assert_ne!(text, SPIKING);
    std::fs::write(dir.join("s.sleep"), text).unwrap();
    exits(&somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir), 0);
    let mut csv = csv::Reader::from_path(dir.join("o/sweep.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "point",
            "seed",
            "nap",
            "nap_unit",
            "noise_level",
            "noise_level_unit",
            "status",
            "expectations_passed",
            "folder",
            "op",
            "after",
            "label",
            "measure",
            "metric",
            "group",
            "task",
            "value",
            "unit"
        ]
    );
    let rows: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    // 4 points × 2 seeds, each: 2 "mid" rates, then 3 values at "end".
    let mid: Vec<&Vec<String>> = rows.iter().filter(|r| r[11] == "mid").collect();
    assert_eq!(mid.len(), 4 * 2 * 2, "{rows:?}");
    assert_eq!(rows.len(), 4 * 2 * 5);
    for r in &mid {
        assert_eq!(
            (r[13].as_str(), r[15].as_str(), r[17].as_str()),
            ("rates", "exc", "Hz")
        );
    }
    // The swept values are numbers in SI base units, each with its unit.
    let naps: std::collections::BTreeSet<String> = rows.iter().map(|r| r[2].clone()).collect();
    assert_eq!(
        naps.iter()
            .map(|n| n.parse::<f64>().unwrap())
            .collect::<Vec<_>>(),
        [0.0, 200.0]
    );
    let noises: std::collections::BTreeSet<String> = rows.iter().map(|r| r[4].clone()).collect();
    let mut noises: Vec<f64> = noises.iter().map(|n| n.parse().unwrap()).collect();
    noises.sort_by(f64::total_cmp);
    assert_eq!(noises, [0.004, 0.02]);
    assert!(rows.iter().all(|r| r[3] == "steps" && r[5] == "V"));
    assert!(
        rows.iter()
            .filter(|r| r[13] == "weights.mean")
            .all(|r| r[17] == "1")
    );
    // Each run's rows are its timeline, value for value.
    let path = run_folder(&dir.join("o"), "nap=200steps,noise_level=0.02V-seed2");
    let folder = path.file_name().unwrap().to_str().unwrap();
    let outcome: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path.join("outcome.json")).unwrap()).unwrap();
    let timeline: Vec<(String, String, f64)> = outcome["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["metric"].as_str().unwrap().to_string(),
                t["label"].as_str().unwrap_or("").to_string(),
                t["value"].as_f64().unwrap(),
            )
        })
        .collect();
    let table: Vec<(String, String, f64)> = rows
        .iter()
        .filter(|r| r[8] == folder)
        .map(|r| (r[13].clone(), r[11].clone(), r[16].parse().unwrap()))
        .collect();
    assert_eq!(table, timeline);
    assert!(table.iter().any(|(_, l, _)| l == "mid"));
    // The sweep plots read the long table: finals are each run's last values.
    exits(&somnia(&["plot", "o"], &dir), 0);
    let svg = std::fs::read_to_string(dir.join("o/sweep-rates.svg")).unwrap();
    assert!(svg.contains("final rates (Hz)"), "the unit on the y axis");
}

#[test]
fn quiet_prints_no_line_per_run_and_verbose_names_each_runs_folder() {
    let dir = scratch("quiet");
    std::fs::write(
        dir.join("s.sleep"),
        SPIKING.replace("seeds 1..2", "seeds 1"),
    )
    .unwrap();
    let quiet = somnia(&["sweep", "s.sleep", "--out", "q", "-q"], &dir);
    exits(&quiet, 0);
    let err = String::from_utf8_lossy(&quiet.stderr);
    assert!(!err.contains("seed 1:"), "no line per run with -q:\n{err}");
    assert!(!err.contains("at a time"), "no header with -q:\n{err}");
    assert!(err.contains("written to"), "the result line stays:\n{err}");
    let out = String::from_utf8_lossy(&quiet.stdout);
    assert!(out.starts_with("sweep p"), "the summary stays:\n{out}");

    // Global: before the subcommand too; -v adds each run's folder to its line.
    let verbose = somnia(&["-v", "sweep", "s.sleep", "--out", "v"], &dir);
    exits(&verbose, 0);
    let err = String::from_utf8_lossy(&verbose.stderr);
    assert_eq!(err.matches(": done (").count(), 4, "{err}");
    assert_eq!(
        err.matches(" → ").count(),
        4 + 1,
        "4 runs and the header:\n{err}"
    );
    assert_eq!(
        quiet.stdout, verbose.stdout,
        "the result does not depend on -q/-v"
    );
    let both = somnia(&["sweep", "s.sleep", "-q", "-v"], &dir);
    exits(&both, 2);
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));
}
