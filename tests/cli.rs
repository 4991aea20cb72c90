//! The real `somnia` binary, run as a user would: exit statuses, what goes to stdout and
//! stderr, JSON that parses.

use std::path::Path;
use std::process::{Command, Output};

/// A command line for the binary under test.
struct Run {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
}

fn somnia(args: &[&str]) -> Run {
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        stdin: None,
    }
}

impl Run {
    fn output(self) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
        cmd.args(&self.args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env("COLUMNS", "80");
        if self.stdin.is_some() {
            cmd.stdin(std::process::Stdio::piped());
        }
        cmd.output().expect("the somnia binary runs")
    }

    /// Runs and checks the exit status; returns (stdout, stderr).
    fn status(self, code: i32) -> (String, String) {
        let args = self.args.join(" ");
        let out = self.output();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "somnia {args}\nstdout:\n{stdout}\nstderr:\n{stderr}"
        );
        (stdout, stderr)
    }
}

fn temp_file(name: &str, text: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_passes_on_every_shipped_protocol() {
    let (_, err) = somnia(&["check", "protocols"]).status(0);
    let files: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("protocols/"))
        .collect();
    // The comparisons over 3 seeds are warned about (W010) and nothing else is.
    assert_eq!(
        files,
        [
            "protocols/diehl_cook.sleep: ok",
            "protocols/golden_foraging.sleep: ok",
            "protocols/nrem_rem_resilience.sleep: ok",
            "protocols/src_split_mnist.sleep: ok, 2 warnings",
            "protocols/stdp_sleep_ratio.sleep: ok, 1 warning",
            "protocols/watkins_lca.sleep: ok",
        ]
    );
    let codes: Vec<&str> = err
        .lines()
        .filter(|l| l.len() == 4 && l.starts_with(['E', 'W']))
        .collect();
    assert_eq!(codes, ["W010", "W010", "W010"], "{err}");
}

#[test]
fn check_reports_errors_with_status_1() {
    let p = temp_file(
        "bad.sleep",
        b"let a = 2 epochs + 100 ms\nlet b = sleep_bse\n",
    );
    let (out, err) = somnia(&["check", p.to_str().unwrap()]).status(1);
    assert!(out.is_empty(), "diagnostics go to stderr");
    assert!(
        err.contains("E202") && err.contains("cannot add epochs and time"),
        "{err}"
    );
    assert!(
        err.contains("E101") && err.contains("`sleep_bse` is not defined"),
        "{err}"
    );
    assert!(err.trim_end().ends_with(": 2 errors"), "{err}");
}

#[test]
fn check_refuses_missing_files_with_status_2() {
    let (_, err) = somnia(&["check", "no/such/file.sleep"]).status(2);
    assert_eq!(
        err.trim(),
        "error: cannot read no/such/file.sleep: no such file"
    );
}

#[test]
fn check_with_several_files_reports_each() {
    let bad = temp_file("several.sleep", b"let x = 1 mss\n");
    let (_, err) = somnia(&[
        "check",
        "protocols/src_split_mnist.sleep",
        bad.to_str().unwrap(),
    ])
    .status(1);
    assert!(err.contains("protocols/src_split_mnist.sleep: ok"));
    assert!(err.contains("E201"));
}

#[test]
fn check_json_lists_every_diagnostic_with_spans() {
    let p = temp_file("json.sleep", b"let a = 100 mss\n");
    let (out, _) = somnia(&["check", "--format", "json", p.to_str().unwrap()]).status(1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["errors"], 1);
    let d = &v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E201")
        .cloned()
        .unwrap();
    assert_eq!(d["line"], 1);
    assert_eq!(d["column"], 13);
    assert_eq!(d["span"]["start"], 12);
    assert_eq!(d["span"]["end"], 15);
    assert_eq!(d["help"], "did you mean `ms`?");
}

#[test]
fn plan_json_unrolls_the_five_task_loop() {
    let (out, _) = somnia(&["plan", "protocols/src_split_mnist.sleep", "--json"]).status(0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let plans = v["plans"].as_array().unwrap();
    let src = plans
        .iter()
        .find(|p| p["protocol"] == "src")
        .expect("the src protocol");
    let ops = src["ops"].as_array().unwrap();
    let wakes: Vec<_> = ops.iter().filter(|o| o["op"] == "wake").collect();
    let sleeps: Vec<_> = ops.iter().filter(|o| o["op"] == "sleep").collect();
    assert_eq!(wakes.len(), 5);
    assert_eq!(sleeps.len(), 5);
    let data: Vec<&str> = wakes
        .iter()
        .map(|w| w["data"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        data,
        ["pairs[0]", "pairs[1]", "pairs[2]", "pairs[3]", "pairs[4]"]
    );
    let steps: Vec<u64> = sleeps
        .iter()
        .map(|s| s["steps"].as_u64().unwrap())
        .collect();
    assert_eq!(steps, [15000, 20000, 25000, 30000, 35000]);
    // Every sleep has its own stream, named after the phase and the call.
    let streams: Vec<&str> = sleeps
        .iter()
        .map(|s| s["stream"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        streams,
        [
            "consolidate#0",
            "consolidate#1",
            "consolidate#2",
            "consolidate#3",
            "consolidate#4"
        ]
    );
    // The sequential arm has no sleep.
    let seq = plans
        .iter()
        .find(|p| p["protocol"] == "sequential")
        .unwrap();
    assert!(
        seq["ops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["op"] != "sleep")
    );
}

#[test]
fn plan_prints_one_protocol_as_a_timeline() {
    let (out, _) = somnia(&[
        "plan",
        "protocols/src_split_mnist.sleep",
        "--protocol",
        "sequential",
    ])
    .status(0);
    assert!(
        out.starts_with("protocol sequential · seed 1 · network mlp"),
        "{out}"
    );
    assert_eq!(out.lines().filter(|l| l.contains(" wake ")).count(), 5);
    assert!(!out.contains("consolidate"));
}

#[test]
fn plan_seed_and_set_change_the_plan() {
    let (out, _) = somnia(&[
        "plan",
        "protocols/src_split_mnist.sleep",
        "-p",
        "src",
        "--seed",
        "7",
        "--set",
        "sleep_base=1000 steps",
        "--json",
    ])
    .status(0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["seed"], 7);
    let first = v["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == "sleep")
        .unwrap();
    assert_eq!(first["steps"], 1000);
}

#[test]
fn plan_set_with_a_wrong_unit_is_a_diagnostic() {
    let (_, err) = somnia(&[
        "plan",
        "protocols/src_split_mnist.sleep",
        "--set",
        "sleep_base=10 epochs",
    ])
    .status(1);
    assert!(
        err.contains("E205")
            && err
                .contains("`sleep_base` is a steps value, but the override gives an epochs value"),
        "{err}"
    );
}

#[test]
fn plan_of_an_unknown_protocol_names_the_ones_there() {
    let (_, err) = somnia(&["plan", "protocols/src_split_mnist.sleep", "-p", "srcc"]).status(2);
    assert!(err.contains("did you mean `src`?"), "{err}");
    assert!(err.contains("src_matlab, src, sequential, joint"), "{err}");
}

#[test]
fn plan_refuses_a_file_with_errors() {
    let p = temp_file("plan-bad.sleep", b"protocol p { seed 1 }\n");
    let (out, err) = somnia(&["plan", p.to_str().unwrap()]).status(1);
    assert!(out.is_empty());
    assert!(err.contains("E308"), "{err}");
}

#[test]
fn explain_prints_the_explanation() {
    let (out, _) = somnia(&["explain", "E101"]).status(0);
    assert!(out.starts_with("# E101: undefined name"), "{out}");
    let (lower, _) = somnia(&["explain", "e101"]).status(0);
    assert_eq!(out, lower);
}

#[test]
fn explain_unknown_code_is_a_usage_error() {
    let (_, err) = somnia(&["explain", "E999"]).status(2);
    assert!(err.contains("no diagnostic code `E999`"), "{err}");
}

#[test]
fn explain_lists_codes_and_builtins() {
    let (out, _) = somnia(&["explain", "--list"]).status(0);
    assert!(out.lines().any(|l| l.starts_with("E305  estimated memory")));
    let (out, _) = somnia(&["explain", "--builtins"]).status(0);
    assert!(out.contains("#### `src_stdp`"));
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        vec!["--help"],
        vec!["check", "--help"],
        vec!["plan", "--help"],
        vec!["explain", "--help"],
    ] {
        let (out, _) = somnia(&sub).status(0);
        assert!(out.contains("Usage: somnia"), "{out}");
    }
    let (_, err) = somnia(&["frobnicate"]).status(2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
    let (_, err) = somnia(&["check"]).status(2);
    assert!(err.contains("required"), "{err}");
}

#[test]
fn adversarial_files_give_diagnostics_not_crashes() {
    let deep = format!("let x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
    let blocks = format!("protocol p {{ schedule {}\n", "{ repeat 1 ".repeat(10_000));
    let long_line = format!("let x = {}1\n", "1 + ".repeat(250_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.sleep", Vec::new(), "W001"),
        (
            "binary.sleep",
            (0..=255u8).cycle().take(4096).collect(),
            "E008",
        ),
        ("string.sleep", b"let s = \"never closed\n".to_vec(), "E002"),
        ("deep.sleep", deep.into_bytes(), "E006"),
        ("blocks.sleep", blocks.into_bytes(), "E006"),
        ("long.sleep", long_line.into_bytes(), "E006"),
        ("huge.sleep", b"let t = 1e999 ms\n".to_vec(), "E209"),
    ];
    for (name, bytes, code) in cases {
        let p = temp_file(name, &bytes);
        let out = somnia(&["check", p.to_str().unwrap()]).output();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{name}: status {:?}\n{err}",
            out.status
        );
        assert!(
            err.contains(code),
            "{name}: expected {code}\n{}",
            &err[..err.len().min(2000)]
        );
        assert!(
            err.len() < 20_000,
            "{name}: the report is {} bytes long",
            err.len()
        );
    }
}

#[test]
fn a_megabyte_line_that_is_valid_checks_quickly() {
    let items: Vec<String> = (0..100_000).map(|i| format!("{i}")).collect();
    let text = format!("let _xs = [{}]\n", items.join(", "));
    assert!(text.len() > 500_000);
    let p = temp_file("wide.sleep", text.as_bytes());
    let (_, err) = somnia(&["check", p.to_str().unwrap()]).status(0);
    assert!(err.contains(": ok"), "{err}");
    assert!(Path::new(&p).exists());
}

/// `git ARGS` in the source tree, `None` without git or a repository.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn version_names_the_build_commit_on_every_subcommand() {
    let (top, _) = somnia(&["--version"]).status(0);
    let (short, _) = somnia(&["-V"]).status(0);
    assert_eq!(top, short);
    let prefix = format!("somnia {} (", env!("CARGO_PKG_VERSION"));
    assert!(
        top.starts_with(&prefix) && top.trim_end().ends_with(')'),
        "{top}"
    );
    // The commit cargo built from: build.rs reruns when HEAD moves.
    match git(&["rev-parse", "--short", "HEAD"]) {
        Some(commit) => {
            let date = git(&["log", "-1", "--format=%cs", "HEAD"]).unwrap();
            assert!(top.contains(&format!("({commit} {date}")), "{top}");
        }
        None => assert!(top.contains("(commit unknown)"), "{top}"),
    }
    let (run, _) = somnia(&["run", "--version"]).status(0);
    assert_eq!(
        run.split_once(' ').unwrap().1,
        top.split_once(' ').unwrap().1
    );
}

#[test]
fn bash_completions_name_every_subcommand() {
    let (help, _) = somnia(&["--help"]).status(0);
    let subcommands: Vec<&str> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.split_whitespace().next())
        .filter(|w| *w != "help")
        .collect();
    assert!(subcommands.len() >= 15, "{subcommands:?}");
    let (bash, _) = somnia(&["completions", "bash"]).status(0);
    assert!(bash.contains("complete -F _somnia"), "{bash}");
    for sub in &subcommands {
        assert!(bash.contains(&format!("somnia,{sub})")), "{sub} missing");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let (text, _) = somnia(&["completions", shell]).status(0);
        assert!(text.contains("run"), "{shell}");
    }
    let (_, err) = somnia(&["completions", "tcsh"]).status(2);
    assert!(err.contains("possible values"), "{err}");
}

#[test]
fn man_pages_are_written_for_every_subcommand_and_never_over_a_users_file() {
    let (page, _) = somnia(&["man"]).status(0);
    assert!(
        page.lines().any(|l| l.starts_with(".TH somnia 1 ")),
        "{page}"
    );
    assert!(page.contains(".SH SYNOPSIS") && page.contains("somnia\\-run(1)"));
    let dir = std::env::temp_dir().join(format!("somnia-cli-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.to_str().unwrap();
    let (_, err) = somnia(&["man", "--out", out]).status(0);
    assert!(err.contains("written, 0 unchanged"), "{err}");
    for sub in [
        "run",
        "sweep",
        "check",
        "completions",
        "man",
        "submit-slurm",
    ] {
        let text = std::fs::read_to_string(dir.join(format!("somnia-{sub}.1"))).unwrap();
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!(".TH somnia-{sub} 1 "))),
            "{sub}: {text}"
        );
    }
    assert_eq!(std::fs::read_to_string(dir.join("somnia.1")).unwrap(), page);
    // Again: the same pages, nothing to do; an older page of ours is replaced.
    let (_, err) = somnia(&["man", "--out", out]).status(0);
    assert!(err.contains(" 0 written"), "{err}");
    // A file of the user's with a page's name stops it before anything is written.
    std::fs::write(dir.join("somnia-run.1"), "my own notes").unwrap();
    std::fs::remove_file(dir.join("somnia-plan.1")).unwrap();
    let (_, err) = somnia(&["man", "--out", out]).status(2);
    assert!(
        err.contains("somnia-run.1 exists") && err.contains("--force"),
        "{err}"
    );
    assert!(!dir.join("somnia-plan.1").exists(), "nothing written");
    assert_eq!(
        std::fs::read_to_string(dir.join("somnia-run.1")).unwrap(),
        "my own notes"
    );
    somnia(&["man", "--out", out, "--force"]).status(0);
    assert!(
        std::fs::read_to_string(dir.join("somnia-run.1"))
            .unwrap()
            .contains(".TH")
    );
    // `man` itself reads the pages, where it is installed.
    if let Ok(m) = Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(dir.join("somnia-run.1"))
        .env("MANWIDTH", "80")
        .output()
        && m.status.success()
    {
        assert!(String::from_utf8_lossy(&m.stdout).contains("--resume"));
    }
}

#[test]
fn verbose_says_more_than_the_default_and_quiet_less_on_run_and_check() {
    let dir = std::env::temp_dir().join(format!("somnia-cli-verbose-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = |flag: &str, name: &str| {
        let out = dir.join(name);
        let mut args = vec![
            "run",
            "examples/01_units_and_lets.sleep",
            "--out",
            out.to_str().unwrap(),
        ];
        if !flag.is_empty() {
            args.push(flag);
        }
        somnia(&args).status(0)
    };
    let (out_default, err_default) = run("", "default");
    let (out_verbose, err_verbose) = run("-v", "verbose");
    let (out_quiet, err_quiet) = run("--quiet", "quiet");
    assert_eq!(out_default, out_verbose);
    assert_eq!(out_default, out_quiet);
    for words in [
        "wall time",
        "op   0  wake",
        "outcome.json (",
        "metrics.csv (",
    ] {
        assert!(err_verbose.contains(words), "{words}: {err_verbose}");
        assert!(!err_default.contains(words), "{words}: {err_default}");
    }
    assert!(err_quiet.contains("outcome written to"), "{err_quiet}");

    let check = |flag: &str| {
        let mut args = vec!["check", "examples/05_derived_arms.sleep"];
        if !flag.is_empty() {
            args.push(flag);
        }
        somnia(&args).status(0).1
    };
    let (default, verbose, quiet) = (check(""), check("-v"), check("-q"));
    assert!(
        default.contains("examples/05_derived_arms.sleep: ok"),
        "{default}"
    );
    assert!(verbose.starts_with(&default), "{verbose}");
    assert!(
        verbose.contains("  protocol with_sleep · seed") && verbose.contains("  sweep "),
        "{verbose}"
    );
    assert_eq!(quiet, default, "warnings stay with -q");
    let (_, clean) = somnia(&["check", "-q", "examples/01_units_and_lets.sleep"]).status(0);
    assert_eq!(clean, "", "a clean file is not named with -q");
}
