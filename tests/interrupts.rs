//! Never lose a run: a signal stops a run at the next step boundary with everything it
//! measured written (status `interrupted`, exit 128 + the signal); `--resume` continues it
//! from its last snapshot to the outcome an uninterrupted run writes, timing aside;
//! `--force` keeps the old outcome until the new one is complete; an output folder that
//! cannot hold the run is refused before anything runs. On the shipped SRC protocol.

mod common;

use common::cli::run_folder;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SRC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/protocols/src_split_mnist.sleep"
);

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-interrupt-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn somnia(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_somnia"));
    c.args(args).current_dir(dir);
    c
}

fn run(dir: &Path, args: &[&str]) -> Output {
    somnia(dir, args).output().unwrap()
}

/// Starts `src` into `out`, snapshotting after every op, and sends `signal` once its first
/// snapshot is on disk (so the run is past its first ops and inside a later one).
fn interrupted(dir: &Path, out: &str, extra: &[&str], signal: i32) -> Output {
    let mut args = vec![
        "run",
        SRC,
        "-p",
        "src",
        "--out",
        out,
        "-q",
        "--checkpoint-every",
        "1",
    ];
    args.extend_from_slice(extra);
    let child: Child = somnia(dir, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let snapshot = [
        dir.join(out).join("resume.bin"),
        dir.join(format!("{out}.partial")).join("resume.bin"),
    ];
    let start = Instant::now();
    while !snapshot.iter().any(|s| s.exists()) && start.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, signal) };
    child.wait_with_output().unwrap()
}

fn outcome(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path.join("outcome.json")).unwrap()).unwrap()
}

/// The outcome without its wall times and its provenance (`--resume` is on the command line).
fn untimed(path: &Path) -> serde_json::Value {
    let mut o = outcome(path);
    o.as_object_mut().unwrap().remove("timing");
    o.as_object_mut().unwrap().remove("provenance");
    o
}

#[test]
fn an_interrupted_run_keeps_what_it_measured_and_resumes_to_the_same_outcome() {
    if cfg!(debug_assertions) {
        return; // minutes in a debug build; CI runs the release suite
    }
    let dir = scratch("resume");
    let full = run(&dir, &["run", SRC, "-p", "src", "--out", "full", "-q"]);
    assert_eq!(
        full.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );

    let cut = interrupted(&dir, "cut", &[], libc::SIGINT);
    let err = String::from_utf8_lossy(&cut.stderr);
    assert_eq!(cut.status.code(), Some(130), "{err}");
    assert!(err.contains("E413"), "{err}");
    assert!(err.contains("--resume"), "{err}");
    let o = outcome(&dir.join("cut"));
    assert_eq!(o["status"], "interrupted");
    assert_eq!(o["error"]["code"], "E413");
    assert!(
        !o["timeline"].as_array().unwrap().is_empty(),
        "measurements kept"
    );
    assert!(dir.join("cut/metrics.csv").exists());
    assert!(dir.join("cut/resume.bin").exists());
    assert!(
        o["expectations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["passed"] == false)
    );

    let resumed = run(&dir, &["run", SRC, "-p", "src", "--out", "cut", "--resume"]);
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{err}");
    assert!(err.contains("resuming from"), "{err}");
    assert_eq!(untimed(&dir.join("cut")), untimed(&dir.join("full")));
    assert_eq!(
        std::fs::read(dir.join("cut/metrics.csv")).unwrap(),
        std::fs::read(dir.join("full/metrics.csv")).unwrap()
    );
    assert!(
        !dir.join("cut/resume.bin").exists(),
        "a complete run keeps no snapshot"
    );
    assert!(!dir.join("cut.partial").exists());

    // A second --resume has nothing to do: it reports the complete run.
    let again = run(
        &dir,
        &["run", SRC, "-p", "src", "--out", "cut", "-q", "--resume"],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stderr).contains("nothing to resume"));
}

#[test]
fn a_forced_run_that_is_stopped_keeps_the_old_outcome() {
    if cfg!(debug_assertions) {
        return;
    }
    let dir = scratch("force");
    let first = run(
        &dir,
        &[
            "run",
            SRC,
            "-p",
            "src",
            "--out",
            "r",
            "-q",
            "--set",
            "wake_length=1epochs",
        ],
    );
    assert!(
        first.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(outcome(&dir.join("r"))["status"], "complete");
    let before = std::fs::read(dir.join("r/outcome.json")).unwrap();
    let cut = interrupted(&dir, "r", &["--force"], libc::SIGTERM);
    let err = String::from_utf8_lossy(&cut.stderr);
    assert_eq!(cut.status.code(), Some(143), "{err}");
    assert!(err.contains("is kept"), "{err}");
    assert_eq!(std::fs::read(dir.join("r/outcome.json")).unwrap(), before);
    assert_eq!(outcome(&dir.join("r.partial"))["status"], "interrupted");
    // Without --force or --resume, neither folder is touched.
    let refused = run(&dir, &["run", SRC, "-p", "src", "--out", "r", "-q"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(std::fs::read(dir.join("r/outcome.json")).unwrap(), before);
}

#[test]
fn an_output_that_cannot_hold_the_run_is_refused_before_it_runs() {
    let dir = scratch("out");
    std::fs::write(dir.join("taken"), b"a file").unwrap();
    for (args, words) in [
        (vec!["run", SRC, "-p", "src", "--out", "taken"], "is a file"),
        (
            vec![
                "run",
                SRC,
                "-p",
                "src",
                "--out",
                "/proc/somnia-cannot-write",
            ],
            "cannot write",
        ),
        (
            vec![
                "sweep",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/protocols/stdp_sleep_ratio.sleep"
                ),
                "--out",
                "taken",
            ],
            "is a file",
        ),
        (
            vec!["compare", SRC, "-c", "src vs sequential", "--out", "taken"],
            "is a file",
        ),
    ] {
        let out = run(&dir, &args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(words), "{args:?}: {err}");
        // Refused before running: no run began (no staging folder, no run folders).
        let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(entries.len(), 1, "{args:?} left {entries:?}");
    }
    assert_eq!(std::fs::read(dir.join("taken")).unwrap(), b"a file");
}

/// A small sweep whose runs take a few seconds each.
const SWEEP: &str = r#"
let nap = 20000 steps

dataset images = bars(side = 20, samples = 20)
tasks stream = chunks(images, 2)

network snn {
  input px 400
  layer exc 200 : lif { tau 20 ms; threshold -55 mV; r 40 }
  connect px -> exc { init uniform(0, 0.3); sign excitatory; bounds [0, 1] }
}

rule ltp = stdp { a_plus 1; a_minus 1.05; lr 0.01 }

phase sleep = nrem { dt 1 ms; length nap; drive poisson(rates = 20 Hz); plasticity ltp }

protocol p {
  network snn
  schedule { sleep; measure weights(px -> exc, stat = mean) }
  expect final weights(px -> exc, stat = mean) > 0
}

sweep p over nap in [20000 steps, 25000 steps] seeds 1..2 {
  expect mean(final weights(px -> exc, stat = mean)) > 0
}
"#;

#[test]
fn an_interrupted_sweep_writes_what_finished_and_resumes() {
    if cfg!(debug_assertions) {
        return;
    }
    let dir = scratch("sweep");
    std::fs::write(dir.join("s.sleep"), SWEEP).unwrap();
    let child = somnia(&dir, &["sweep", "s.sleep", "--out", "o", "-q", "-j", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(129), "{err}");
    assert!(err.contains("--resume"), "{err}");
    let csv = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
    assert!(
        !csv.lines().skip(1).all(|l| l.contains(",complete,")),
        "{csv}"
    );

    let resumed = run(
        &dir,
        &[
            "sweep", "s.sleep", "--out", "o", "-q", "-j", "1", "--resume",
        ],
    );
    let err = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{err}");
    let csv = std::fs::read_to_string(dir.join("o/sweep.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.lines().skip(1).all(|l| l.contains(",complete,")),
        "{csv}"
    );
}

#[test]
fn a_resumed_sweep_reruns_a_run_whose_files_are_not_whole() {
    if cfg!(debug_assertions) {
        return;
    }
    let dir = scratch("whole");
    let text = SWEEP
        .replace("20000 steps", "200 steps")
        .replace("25000 steps", "250 steps");
    std::fs::write(dir.join("s.sleep"), text).unwrap();
    let first = run(&dir, &["sweep", "s.sleep", "--out", "o", "-q"]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let broken = run_folder(&dir.join("o"), "nap=200steps-seed1");
    std::fs::remove_file(broken.join("metrics.csv")).unwrap();
    let again = run(&dir, &["sweep", "s.sleep", "--out", "o", "--resume"]);
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("kept (--resume)").count(), 3, "{err}");
    assert!(
        broken.join("metrics.csv").exists(),
        "the broken run ran again"
    );
}
