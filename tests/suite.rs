//! `somnia test`: protocol files as regression tests — expectations, comparisons, golden
//! outcomes, the closing line and the exit status.

mod common;

use common::cli::{exits, scratch, somnia};
use std::path::Path;
use std::process::Output;

/// A small spiking network, an arm without its sleep, a comparison and a sweep.
const PROTOCOL: &str = concat!(
    crate::bars_network!(),
    r#"
let nap_length = 300 steps

phase nap = nrem {
  dt 1 ms
  length nap_length
  drive poisson(10 Hz)
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
    measure weights(afferent, stat = mean), rates(exc) as "end"
  }
  expect final rates(exc) > 0 Hz
}

protocol awake = slept with { nap = skip }

compare slept vs awake over seeds 1..2 {
  expect mean(slept.final rates(exc)) != mean(awake.final rates(exc))
}

sweep slept over nap_length in [100 steps, 300 steps] seeds 1..2 {
  expect mean(final rates(exc)) > 0 Hz
}
"#
);

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

fn setup(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("protocols")).unwrap();
    std::fs::write(dir.join("protocols/small.sleep"), PROTOCOL).unwrap();
    dir
}

#[test]
fn runs_expectations_and_comparisons_and_closes_with_the_count() {
    let dir = setup("pass");
    let out = somnia(&["test", "-j", "2", "-q"], &dir);
    exits(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("protocols/small.sleep\n"), "{text}");
    assert!(
        text.contains("  ✓ slept · seed 1  final rates(exc) > 0 Hz  value "),
        "{text}"
    );
    assert!(
        text.contains("  ✓ compare slept vs awake · seeds 1, 2  mean(slept.final rates(exc))"),
        "{text}"
    );
    assert!(
        text.contains("  - sweep slept over nap_length  sweeps are not run"),
        "{text}"
    );
    assert_eq!(last_line(&out), "2 passed, 0 failed, 1 skipped");
    // The arm `slept` on seed 1 serves its own expectation and the comparison: it ran once.
    let runs: Vec<_> = std::fs::read_dir(dir.join("runs/test/small"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.contains("-seed"))
        .collect();
    assert_eq!(runs.len(), 4, "{runs:?}");
    // The comparison's tables, as `somnia compare` writes them, and its few seeds said.
    let tables: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("runs/test/small/slept-vs-awake/compare.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(tables["seeds"], serde_json::json!([1, 2]));
    assert_eq!(tables["few_seeds"], true);
    assert_eq!(tables["runs"][0]["folder"], "../slept-seed1");
    assert!(
        dir.join("runs/test/small/slept-vs-awake/compare.csv")
            .is_file()
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning[W010]: protocols/small.sleep: `compare slept vs awake` rests on 2 seeds"
        ),
        "{err}"
    );
    // A second run may overwrite the suite's own folder.
    exits(&somnia(&["test", "-q", "--filter", "awake"], &dir), 0);
}

#[test]
fn an_impossible_expectation_fails_with_its_value_and_span() {
    let dir = setup("impossible");
    let text = PROTOCOL.replace(
        "expect final rates(exc) > 0 Hz\n}",
        "expect final rates(exc) > 0 Hz\n  expect final rates(exc) > 1000000 Hz\n}",
    );
    std::fs::write(dir.join("protocols/small.sleep"), text).unwrap();
    let out = somnia(&["test", "-q", "--filter", "slept"], &dir);
    exits(&out, 1);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("1000000 Hz"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.starts_with("  ✗ slept · seed 1  final rates(exc) > 1000000 Hz  value "),
        "{line}"
    );
    assert!(line.contains("(bound 1000000.0000)"), "{line}");
    assert!(line.ends_with("[protocols/small.sleep:43:3]"), "{line}");
    assert!(last_line(&out).contains(" passed, 1 failed"), "{text}");
}

#[test]
fn bless_writes_goldens_and_a_changed_parameter_names_what_moved() {
    let dir = setup("golden");
    let out = somnia(&["test", "-q", "--bless", "--filter", "slept"], &dir);
    exits(&out, 0);
    let golden = dir.join("protocols/small.slept.golden.json");
    assert!(golden.exists(), "{}", stdout(&out));
    assert!(
        stdout(&out)
            .contains("✎ slept · seed 1  golden written: protocols/small.slept.golden.json")
    );
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    assert_eq!(g["timing"]["total_seconds"], 0.0);

    // The same protocol again: every value where it was.
    let again = somnia(&["test", "-q", "--filter", "slept"], &dir);
    exits(&again, 0);
    assert!(
        stdout(&again).contains("✓ slept · seed 1  golden protocols/small.slept.golden.json:"),
        "{}",
        stdout(&again)
    );
    assert!(stdout(&again).contains("values within tolerance"));

    // A longer nap moves the rates and the lateral weights.
    let moved = somnia(
        &[
            "test",
            "-q",
            "--filter",
            "slept",
            "--set",
            "nap_length=600steps",
        ],
        &dir,
    );
    exits(&moved, 1);
    let text = stdout(&moved);
    assert!(
        text.contains("2 of 2 values moved (the plan changed since it was blessed)"),
        "{text}"
    );
    assert!(text.contains("      rates[exc]  golden "), "{text}");
    assert!(
        text.contains("      weights.mean[afferent]  golden "),
        "{text}"
    );

    // A declared tolerance wide enough lets the same change pass.
    let tolerant = PROTOCOL.replace(
        "expect final rates(exc) > 0 Hz\n}",
        "expect final rates(exc) > 0 Hz\n  tolerance rates 1000 Hz\n  tolerance weights 10\n}",
    );
    std::fs::write(dir.join("protocols/small.sleep"), tolerant).unwrap();
    let out = somnia(
        &[
            "test",
            "-q",
            "--filter",
            "slept",
            "--set",
            "nap_length=600steps",
        ],
        &dir,
    );
    exits(&out, 0);
}

#[test]
fn a_golden_for_another_seed_is_skipped_and_said_so() {
    let dir = setup("golden-seed");
    exits(
        &somnia(&["test", "-q", "--bless", "--filter", "slept"], &dir),
        0,
    );
    let out = somnia(&["test", "-q", "--filter", "slept", "--seeds", "2"], &dir);
    exits(&out, 0);
    assert!(
        stdout(&out).contains("its seed (1) was not run"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_file_with_errors_fails_and_shows_its_diagnostics() {
    let dir = setup("broken");
    std::fs::write(
        dir.join("protocols/bad.sleep"),
        "let a = 2 epochs + 100 ms\n",
    )
    .unwrap();
    let out = somnia(&["test", "-q", "--filter", "nothing-matches-this"], &dir);
    // The broken file is reported even under a filter: its protocols cannot be known.
    exits(&out, 1);
    let text = stdout(&out);
    assert!(
        text.contains("✗ protocols/bad.sleep  does not check: 1 error"),
        "{text}"
    );
    assert!(text.contains("E202"), "{text}");
    assert_eq!(last_line(&out), "0 passed, 1 failed");
}

#[test]
fn refuses_folders_it_did_not_write_and_paths_that_do_not_exist() {
    let dir = setup("folders");
    std::fs::create_dir_all(dir.join("mine")).unwrap();
    std::fs::write(dir.join("mine/notes.txt"), "keep me").unwrap();
    let out = somnia(&["test", "-q", "--out", "mine"], &dir);
    exits(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("was not written by `somnia test`"));
    assert_eq!(
        std::fs::read_to_string(dir.join("mine/notes.txt")).unwrap(),
        "keep me"
    );
    exits(&somnia(&["test", "missing"], &dir), 2);
    exits(&somnia(&["test", "--seeds", "3..1"], &dir), 2);
    let empty = Path::new("empty");
    std::fs::create_dir_all(dir.join(empty)).unwrap();
    exits(&somnia(&["test", "empty"], &dir), 2);
}
