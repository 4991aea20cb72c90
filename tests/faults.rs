//! Faults a lab meets, each answered by a coded error and exit status 2, never a panic and
//! never a silent exit 0 (docs/reliability.md lists them with the test of each; the
//! interrupt, resume and output-folder rows are in tests/interrupts.rs and tests/run.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const GOLDEN: &str = "protocols/src_split_mnist.src.golden.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn somnia() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
    cmd.current_dir(root()).env("NO_COLOR", "1");
    cmd
}

/// Runs `args`; returns (status, stderr).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = somnia()
        .args(args)
        .output()
        .expect("the somnia binary runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("somnia-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn assert_coded(status: Option<i32>, stderr: &str, code: &str) {
    assert_eq!(status, Some(2), "{stderr}");
    assert!(stderr.contains(&format!("error[{code}]")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn diff_with_a_nan_tolerance_is_e502() {
    let (s, e) = run(&["diff", GOLDEN, GOLDEN, "--tolerance", "NaN"]);
    assert_coded(s, &e, "E502");
    let (s, e) = run(&["diff", GOLDEN, GOLDEN, "--tolerance=-1"]);
    assert_coded(s, &e, "E502");
}

#[test]
fn diff_on_an_unknown_schema_is_e501() {
    let dir = scratch("schema");
    let mut o: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(GOLDEN)).unwrap()).unwrap();
    o["schema"] = 99.into();
    let later = dir.join("later.json");
    std::fs::write(&later, o.to_string()).unwrap();
    let (s, e) = run(&["diff", GOLDEN, later.to_str().unwrap()]);
    assert_coded(s, &e, "E501");
    assert!(e.contains("schema 99"), "{e}");
    let (s, e) = run(&["plot", later.to_str().unwrap()]);
    assert_coded(s, &e, "E501");
}

#[test]
fn save_weights_past_the_last_op_is_e502_before_running() {
    let dir = scratch("save");
    let out = dir.join("o");
    let (s, e) = run(&[
        "run",
        "protocols/src_split_mnist.sleep",
        "-p",
        "src",
        "--save-weights",
        "99999",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_coded(s, &e, "E502");
    assert!(e.contains("at most 21 ops"), "{e}");
    assert!(!out.exists(), "nothing ran, nothing is written");
}

#[cfg(target_os = "linux")]
#[test]
fn stdout_into_a_full_disk_is_e503() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    let out = somnia()
        .args(["plan", "--json", "protocols/src_split_mnist.sleep"])
        .stdout(full)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert_coded(out.status.code(), &e, "E503");
    assert!(e.contains("stdout"), "{e}");
}

#[test]
fn stderr_into_a_closed_pipe_exits_2_without_a_panic() {
    let bad = scratch("pipe").join("bad.sleep");
    std::fs::write(&bad, "protocol p { network nowhere }\n").unwrap();
    // Each try closes the reading end before somnia writes its diagnostics: the panic it
    // replaced came in 7 of 40 tries.
    for _ in 0..10 {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let status = somnia()
            .args(["check", bad.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(writer)
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "a panic exits 101");
    }
}

#[test]
fn every_command_line_code_has_a_test_here() {
    let this = include_str!("faults.rs");
    for code in somnia::diagnostics::Code::ALL {
        let c = code.as_str();
        if c.starts_with("E5") {
            assert!(
                this.contains(&format!("\"{c}\")")),
                "no test in tests/faults.rs raises {c}"
            );
        }
    }
}
