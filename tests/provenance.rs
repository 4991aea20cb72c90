//! Provenance in outcomes: the build a run was made with, its command line, its `--set`
//! overrides (a sweep's swept values too) and the hash of every data file it read — and
//! `somnia diff` naming what differs.

mod common;

use common::cli::{exits, run_folder, scratch, somnia};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped example run here: small (two digits, one nap), reading MNIST.
const EXAMPLE: &str = "examples/01_units_and_lets.sleep";

fn outcome(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path.join("outcome.json")).unwrap()).unwrap()
}

/// `git ARGS` in the source tree, `None` without git or a repository.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn sha256_hex(path: &Path) -> String {
    Sha256::digest(std::fs::read(path).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Runs the example from the source tree with `args` after it, into `out`.
fn run_example(out: &Path, args: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = ["run", EXAMPLE, "--out", out.to_str().unwrap(), "-q"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    argv.extend(args.iter().map(|s| s.to_string()));
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    exits(&somnia(&words, root()), 0);
    argv
}

#[test]
fn a_run_records_its_build_command_overrides_and_data_hashes() {
    let dir = scratch("prov-run");
    let out = dir.join("o");
    let argv = run_example(&out, &["--set", "hidden=2^5", "--set", "learning_rate=0.1"]);
    let o = outcome(&out);
    let p = &o["provenance"];
    assert_eq!(p["somnia"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["somnia"], o["somnia"]);

    // The commit the binary was built from: cargo rebuilt it when HEAD moved.
    match git(&["rev-parse", "HEAD"]) {
        Some(head) => {
            assert_eq!(p["commit"], head.as_str());
            assert_eq!(
                p["commit_short"],
                git(&["rev-parse", "--short", "HEAD"]).unwrap().as_str()
            );
            let dirty = p["dirty"].as_bool().expect("dirty is known with a commit");
            // Clean when nothing at all differs from the commit; dirty when the sources do.
            if git(&["status", "--porcelain"]).unwrap().is_empty() {
                assert!(!dirty, "{p}");
            }
            if !git(&["status", "--porcelain", "--", "src"])
                .unwrap()
                .is_empty()
            {
                assert!(dirty, "{p}");
            }
        }
        None => {
            assert_eq!(p["commit"], "unknown");
            assert!(p["dirty"].is_null());
        }
    }

    // The command line, program first.
    let command: Vec<String> = p["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    assert_eq!(command[1..], argv[..], "{command:?}");
    assert_eq!(
        Path::new(&command[0]).file_stem().unwrap(),
        "somnia",
        "{command:?}"
    );

    // Each override as written and as evaluated.
    let overrides = p["overrides"].as_object().unwrap();
    assert_eq!(overrides.len(), 2, "{overrides:?}");
    assert_eq!(p["overrides"]["hidden"]["text"], "2^5");
    assert_eq!(p["overrides"]["hidden"]["value"], "32");
    assert_eq!(p["overrides"]["learning_rate"]["text"], "0.1");
    assert_eq!(p["overrides"]["learning_rate"]["value"], "0.1");

    // Both MNIST files, hashed as stored.
    let data = p["data"].as_array().unwrap();
    let names: Vec<&str> = data
        .iter()
        .map(|d| {
            Path::new(d["path"].as_str().unwrap())
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "mnist10k-images-idx3-ubyte.gz",
            "mnist10k-labels-idx1-ubyte.gz"
        ]
    );
    for d in data {
        assert_eq!(d["dataset"], "mnist");
        // Relative to the folder somnia ran in.
        let file = root().join(d["path"].as_str().unwrap());
        assert_eq!(d["sha256"], sha256_hex(&file).as_str(), "{d}");
        assert_eq!(
            d["bytes"].as_u64().unwrap(),
            std::fs::metadata(&file).unwrap().len()
        );
    }
}

#[test]
fn outcomes_without_provenance_still_read_and_goldens_leave_it_out() {
    let dir = scratch("prov-old");
    run_example(&dir.join("o"), &[]);
    let mut o = outcome(&dir.join("o"));
    o.as_object_mut().unwrap().remove("provenance");
    let old = somnia::outcome::read::parse(&o.to_string(), Path::new("old.json")).unwrap();
    assert!(old.provenance.is_missing());

    let now =
        somnia::outcome::read::file(&dir.join("o/outcome.json")).expect("the outcome reads back");
    assert!(!now.provenance.is_missing());
    let golden = dir.join("x.units.golden.json");
    somnia::outcome::golden::write(&golden, &now).unwrap();
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
    assert!(g.get("provenance").is_none(), "{g}");
    assert_eq!(g["final"], outcome(&dir.join("o"))["final"]);
}

#[test]
fn a_sweep_records_its_swept_values_and_sets_as_overrides() {
    let dir = scratch("prov-sweep");
    let mnist = root().join("data/mnist-10k");
    let text = std::fs::read_to_string(root().join(EXAMPLE))
        .unwrap()
        .replace("../data/mnist-10k", mnist.to_str().unwrap())
        + "\nsweep units over learning_rate in [0.05, 0.1] seeds 1 {\n  expect mean(final accuracy(digits)) > 0\n}\n";
    std::fs::write(dir.join("s.sleep"), text).unwrap();
    exits(
        &somnia(
            &["sweep", "s.sleep", "--out", "o", "-q", "--set", "hidden=16"],
            &dir,
        ),
        0,
    );
    let runs: Vec<(PathBuf, &str)> = vec![
        (
            run_folder(&dir.join("o"), "learning_rate=0.05-seed1"),
            "0.05",
        ),
        (run_folder(&dir.join("o"), "learning_rate=0.1-seed1"), "0.1"),
    ];
    let mut hashes = Vec::new();
    for (run, rate) in &runs {
        let p = outcome(run)["provenance"].clone();
        assert_eq!(p["overrides"]["learning_rate"]["text"], *rate, "{p}");
        assert_eq!(p["overrides"]["hidden"]["text"], "16", "{p}");
        assert_eq!(p["command"][1], "sweep");
        hashes.push(p["data"].clone());
    }
    assert_eq!(hashes[0], hashes[1], "one file, one hash");
    assert_eq!(
        hashes[0][0]["sha256"],
        sha256_hex(&mnist.join("mnist10k-images-idx3-ubyte.gz")).as_str()
    );
}

#[test]
fn diff_names_provenance_differences_without_counting_them_as_moves() {
    let dir = scratch("prov-diff");
    run_example(&dir.join("a"), &["--set", "learning_rate=0.05"]);
    run_example(&dir.join("a2"), &["--set", "learning_rate=0.05"]);
    run_example(&dir.join("b"), &["--set", "learning_rate=0.2"]);

    // One run twice: only the command line (its --out) differs, and nothing moved.
    let same = somnia(&["diff", "a", "a2"], &dir);
    exits(&same, 0);
    let text = String::from_utf8_lossy(&same.stdout);
    assert!(text.contains("provenance: 1 difference\n"), "{text}");
    assert!(text.contains("  command\n"), "{text}");
    assert!(text.contains("--out") && text.contains("/a2 -q"), "{text}");
    assert!(!text.contains("override"), "{text}");

    // Another learning rate: the override is named with both values.
    let other = somnia(&["diff", "a", "b"], &dir);
    let text = String::from_utf8_lossy(&other.stdout);
    assert!(text.contains("provenance: 2 differences"), "{text}");
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("override learning_rate"))
        .unwrap_or_else(|| panic!("no override line in\n{text}"));
    assert!(line.ends_with("0.05 → 0.2"), "{line}");
    // The provenance comes before the values.
    assert!(
        text.find("provenance:").unwrap() < text.find("final value").unwrap(),
        "{text}"
    );
    // The exit status is the values' alone: with a tolerance nothing exceeds, 0.
    exits(&somnia(&["diff", "a", "b", "--tolerance", "1000"], &dir), 0);

    // An outcome without provenance (older, or a golden) is said to be one.
    let mut old = outcome(&dir.join("a"));
    old.as_object_mut().unwrap().remove("provenance");
    std::fs::write(dir.join("old.json"), old.to_string()).unwrap();
    let text =
        String::from_utf8_lossy(&somnia(&["diff", "a", "old.json"], &dir).stdout).into_owned();
    assert!(
        text.contains("provenance") && text.contains("recorded → not recorded"),
        "{text}"
    );
}
