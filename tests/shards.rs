//! Sweeps and comparisons in shards (`--shard K/N`), merged (`somnia merge`), watched
//! (`somnia status`) and written for Slurm (`somnia submit slurm --dry-run`): every run in
//! exactly one shard, shards in any order give the local run's outcomes and, merged, its
//! tables byte for byte; dataset- and path-valued axes make flat folder names; missing runs
//! are named; a changed file is not merged. The real Slurm test is scripts/slurm_e2e.sh.

mod common;

use common::cli::{exits, scratch, somnia, without_timing};
use std::collections::BTreeSet;
use std::path::Path;

/// A fast rate protocol whose sweep has a dataset axis, a number axis and a string axis
/// holding path-like text, and a comparison of two arms.
const PROTOCOL: &str = r#"
let data = small
let lr = 0.1
let label = "a/b c"

dataset small = bars(side = 6, samples = 20)
dataset large = bars(side = 6, samples = 40, noise = 0.05)
tasks stream = chunks(data, 2)

network mlp {
  input x 36
  layer h 16
  output y 12
  connect x -> h -> y { init uniform(-0.1, 0.1); bias off }
}

rule sgd = backprop { lr lr }
phase learn(t: task) = wake { data t; plasticity sgd; length 2 epochs }

protocol p {
  network mlp
  schedule {
    for t in stream { learn(t) }
    measure accuracy(stream)
  }
  expect final accuracy(stream) > 0 %
}

protocol q = p with { lr = 0.2 }

sweep p over data in [small, large], lr in [0.05, 0.2], label in ["a/b c", "../x"] seeds 1..3 {
  expect mean(final accuracy(stream)) > 0 %
}

compare p vs q over seeds 1..5 {
  expect mean(q.final accuracy(stream)) > 0 %
}
"#;

fn setup(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("s.sleep"), PROTOCOL).unwrap();
    dir
}

/// The run folders under `out` (not the staging folders).
fn folders(out: &Path) -> BTreeSet<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir() && e.path().join("outcome.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap()
}

/// As a Slurm array runs them: every shard at once, into one folder that none of them has
/// made yet (they race to create it, probe it and write the manifest). Repeated: the race
/// a fixed probe name lost was rare.
#[test]
fn shards_running_at_the_same_time_into_a_new_folder_all_succeed() {
    let dir = setup("together");
    let n = 24;
    for attempt in 0..6 {
        let out = format!("o{attempt}");
        let children: Vec<std::process::Child> = (1..=n)
            .map(|k| {
                std::process::Command::new(env!("CARGO_BIN_EXE_somnia"))
                    .args(["sweep", "s.sleep", "--shard", &format!("{k}/{n}")])
                    .args(["--out", &out, "-q"])
                    .current_dir(&dir)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for (k, child) in children.into_iter().enumerate() {
            let o = child.wait_with_output().unwrap();
            assert_eq!(
                o.status.code(),
                Some(0),
                "attempt {attempt}, shard {}/{n}: {}",
                k + 1,
                String::from_utf8_lossy(&o.stderr)
            );
        }
        assert_eq!(folders(&dir.join(&out)).len(), 24);
        let leftovers: Vec<String> = std::fs::read_dir(dir.join(&out))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        exits(&somnia(&["merge", &out], &dir), 0);
    }
}

#[test]
fn shards_in_any_order_merge_into_the_local_sweep_byte_for_byte() {
    let dir = setup("sweep");
    let local = somnia(
        &["sweep", "s.sleep", "--out", "local", "-q", "-j", "2"],
        &dir,
    );
    exits(&local, 0);
    let names = folders(&dir.join("local"));
    assert_eq!(names.len(), 24, "2 × 2 × 2 points × 3 seeds");
    for n in &names {
        assert!(
            !n.contains('/') && !n.contains(' ') && !n.contains('"'),
            "{n}"
        );
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("data=large,lr=0.2,label=a_b_c-seed3-"))
    );
    for n in [1, 2, 5, 7, 24, 30] {
        let out = format!("n{n}");
        // The last shard first: the order of the shards changes nothing.
        for k in (1..=n).rev() {
            let shard = somnia(
                &[
                    "sweep",
                    "s.sleep",
                    "--shard",
                    &format!("{k}/{n}"),
                    "--out",
                    &out,
                    "-q",
                ],
                &dir,
            );
            exits(&shard, 0);
            assert!(
                !dir.join(&out).join("sweep.csv").exists(),
                "shards write no table"
            );
        }
        assert_eq!(folders(&dir.join(&out)), names, "N = {n}");
        for f in &names {
            assert_eq!(
                without_timing(&dir.join(&out).join(f).join("outcome.json")),
                without_timing(&dir.join("local").join(f).join("outcome.json")),
                "N = {n}: {f}"
            );
        }
        let merged = somnia(&["merge", &out], &dir);
        exits(&merged, 0);
        assert_eq!(
            std::fs::read_to_string(dir.join(&out).join("sweep.csv")).unwrap(),
            std::fs::read_to_string(dir.join("local/sweep.csv")).unwrap(),
            "N = {n}"
        );
        assert_eq!(
            String::from_utf8_lossy(&merged.stdout),
            String::from_utf8_lossy(&local.stdout),
            "the same summary"
        );
    }
    // The manifests agree too, and list every run once.
    assert_eq!(manifest(&dir.join("n5")), manifest(&dir.join("local")));
    let listed: BTreeSet<String> = manifest(&dir.join("local"))["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["folder"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, names);
}

#[test]
fn a_shard_run_again_keeps_what_it_finished() {
    let dir = setup("again");
    exits(
        &somnia(
            &["sweep", "s.sleep", "--shard", "2/3", "--out", "o", "-q"],
            &dir,
        ),
        0,
    );
    let again = somnia(
        &["sweep", "s.sleep", "--shard", "2/3", "--out", "o", "-q"],
        &dir,
    );
    exits(&again, 0);
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("shard 2/3: 8 runs, 0 done, 8 already complete"),
        "{err}"
    );
}

#[test]
fn status_and_merge_name_the_runs_that_are_missing() {
    let dir = setup("status");
    exits(
        &somnia(
            &["sweep", "s.sleep", "--shard", "1/4", "--out", "o", "-q"],
            &dir,
        ),
        0,
    );
    let status = somnia(&["status", "o"], &dir);
    exits(&status, 1);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("24 runs"), "{text}");
    assert!(text.contains("6 complete, 18 missing"), "{text}");
    let m = manifest(&dir.join("o"));
    let second = m["runs"][1]["folder"].as_str().unwrap();
    assert!(text.contains(second), "run 2 is shard 2's: {text}");
    assert!(
        !text.contains(m["runs"][0]["folder"].as_str().unwrap()),
        "{text}"
    );

    let merged = somnia(&["merge", "o"], &dir);
    exits(&merged, 2);
    let err = String::from_utf8_lossy(&merged.stderr);
    assert!(
        err.contains("18 of 24 runs are missing or unfinished"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{second}: missing (no shard has run it)")),
        "{err}"
    );
    // The table still holds every run: the missing ones as not_run.
    let csv = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
    assert_eq!(csv.lines().filter(|l| l.contains(",not_run,")).count(), 18);

    for k in 2..=4 {
        let shard = format!("{k}/4");
        exits(
            &somnia(
                &["sweep", "s.sleep", "--shard", &shard, "--out", "o", "-q"],
                &dir,
            ),
            0,
        );
    }
    let done = somnia(&["status", "o"], &dir);
    exits(&done, 0);
    assert!(String::from_utf8_lossy(&done.stdout).contains("24 complete"));
    exits(&somnia(&["merge", "o"], &dir), 0);
}

#[test]
fn a_comparison_in_shards_merges_into_the_local_tables() {
    let dir = setup("compare");
    exits(
        &somnia(&["compare", "s.sleep", "--out", "local", "-q"], &dir),
        0,
    );
    for k in [3, 1, 2] {
        let shard = format!("{k}/3");
        exits(
            &somnia(
                &["compare", "s.sleep", "--shard", &shard, "--out", "o", "-q"],
                &dir,
            ),
            0,
        );
    }
    assert!(!dir.join("o/compare.json").exists());
    exits(&somnia(&["merge", "o"], &dir), 0);
    for table in ["compare.json", "compare.csv"] {
        assert_eq!(
            std::fs::read_to_string(dir.join("o").join(table)).unwrap(),
            std::fs::read_to_string(dir.join("local").join(table)).unwrap(),
            "{table}"
        );
    }
}

#[test]
fn a_file_changed_after_the_runs_were_planned_is_not_merged() {
    let dir = setup("changed");
    exits(
        &somnia(
            &["sweep", "s.sleep", "--shard", "1/1", "--out", "o", "-q"],
            &dir,
        ),
        0,
    );
    std::fs::write(
        dir.join("s.sleep"),
        PROTOCOL.replace("length 2 epochs", "length 3 epochs"),
    )
    .unwrap();
    let merged = somnia(&["merge", "o"], &dir);
    exits(&merged, 2);
    let err = String::from_utf8_lossy(&merged.stderr);
    assert!(err.contains("changed since the runs were planned"), "{err}");
    assert!(!dir.join("o/sweep.csv").exists());
    // A local sweep of the edited file says the manifest lists other runs.
    let refused = somnia(&["sweep", "s.sleep", "--out", "o", "-q"], &dir);
    exits(&refused, 2);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("lists other runs"));
}

#[test]
fn bad_shards_and_missing_manifests_are_said() {
    let dir = setup("bad");
    for bad in ["0/3", "4/3", "x"] {
        let out = somnia(&["sweep", "s.sleep", "--shard", bad, "--out", "o"], &dir);
        exits(&out, 2);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("K/N"),
            "{bad}"
        );
    }
    for cmd in ["status", "merge"] {
        let out = somnia(&[cmd, "nowhere"], &dir);
        exits(&out, 2);
        assert!(String::from_utf8_lossy(&out.stderr).contains("manifest.json not found"));
    }
}

#[test]
fn submit_writes_an_array_of_shards_and_resubmits_only_what_is_left() {
    let dir = setup("submit");
    let args = [
        "submit",
        "slurm",
        "s.sleep",
        "--sweep",
        "p",
        "--out",
        "o",
        "--chunk",
        "5",
        "--time",
        "00:05:00",
        "--partition",
        "short",
        "--setup",
        "module load x",
        "--dry-run",
    ];
    let first = somnia(&args, &dir);
    exits(&first, 0);
    let script = std::fs::read_to_string(dir.join("o/slurm/runs.sbatch")).unwrap();
    assert!(
        script.contains("#SBATCH --array=1-5\n"),
        "24 runs in chunks of 5: {script}"
    );
    assert!(script.contains("#SBATCH --partition=short\n"));
    assert!(script.contains("\nmodule load x\n"));
    assert!(script.contains("--shard \"$SLURM_ARRAY_TASK_ID/5\""));
    let merge = std::fs::read_to_string(dir.join("o/slurm/merge.sbatch")).unwrap();
    assert!(merge.contains(" merge "), "{merge}");
    assert_eq!(
        manifest(&dir.join("o"))["runs"].as_array().unwrap().len(),
        24
    );

    // Shards 1, 2 and 4 done: a resubmission asks for 3 and 5 only.
    for k in [1, 2, 4] {
        let shard = format!("{k}/5");
        exits(
            &somnia(
                &[
                    "sweep", "s.sleep", "--sweep", "p", "--shard", &shard, "--out", "o", "-q",
                ],
                &dir,
            ),
            0,
        );
    }
    exits(&somnia(&args, &dir), 0);
    let script = std::fs::read_to_string(dir.join("o/slurm/runs.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --array=3,5\n"), "{script}");

    // A file with sweeps and comparisons needs to be told which.
    let which = somnia(
        &["submit", "slurm", "s.sleep", "--out", "w", "--dry-run"],
        &dir,
    );
    exits(&which, 2);
    assert!(String::from_utf8_lossy(&which.stderr).contains("--sweep or --compare"));
}
