//! `somnia repl`: driven through stdin (non-interactive) and through a pseudo-terminal.

mod common;

use common::cli::{exits, scratch, somnia};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// A 36-input spiking network on 6 × 6 bars: every phase takes milliseconds.
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

phase dream = nrem {
  dt 1 ms
  length 10000 s
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
  expect final rates(exc) > 0 Hz
}
"#
);

/// A folder with the protocol as `p.sleep`.
fn folder(name: &str) -> std::path::PathBuf {
    let dir = scratch(&format!("repl-{name}"));
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    dir
}

/// `somnia repl ARGS < script` in `dir`.
fn repl(dir: &Path, args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .arg("repl")
        .args(args)
        .current_dir(dir)
        .env("SOMNIA_HISTORY", dir.join("history"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The `digest` line of each `:weights` in the output.
fn digests(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("digest "))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_error_then_its_correction_and_the_session_goes_on() {
    let dir = folder("error");
    let out = repl(&dir, &[], "let pause = 3 mz\nlet pause = 3 ms\npause * 2\n");
    exits(&out, 1);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // The same coded diagnostic as `check`, against the input line.
    assert!(stderr.contains("E201"), "{stderr}");
    assert!(stderr.contains("<input>:1:15"), "{stderr}");
    assert!(stderr.contains("did you mean `ms`?"), "{stderr}");
    assert!(stdout.contains("defined let `pause`"), "{stdout}");
    assert!(stdout.contains("somnia> pause * 2\n6 ms"), "{stdout}");
}

#[test]
fn type_shows_dimension_and_unit() {
    let dir = folder("type");
    let out = repl(
        &dir,
        &[],
        ":type 3 ms * 20 Hz\n:type 2000 steps * 1 ms\n:type 1 / 10 ms\n3 ms * 20 Hz\n",
    );
    exits(&out, 0);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("somnia> :type 3 ms * 20 Hz\ndimensionless\n"),
        "{stdout}"
    );
    assert!(stdout.contains("s·steps (unit s·steps)"), "{stdout}");
    assert!(stdout.contains("frequency (unit s^-1)"), "{stdout}");
    assert!(stdout.contains("somnia> 3 ms * 20 Hz\n0.06\n"), "{stdout}");
}

#[test]
fn a_block_continues_over_lines_while_braces_are_open() {
    let dir = folder("block");
    let script = "network tiny {\n  input a 4\n  output b 2\n  connect a -> b {\n    init uniform(0, 1)\n  }\n}\nlet sizes = [1,\n  2]\nlen(sizes)\n";
    let out = repl(&dir, &[], script);
    exits(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("   ...>   input a 4"), "{stdout}");
    assert!(stdout.contains("defined network `tiny`"), "{stdout}");
    assert!(stdout.contains("defined let `sizes`"), "{stdout}");
    assert!(stdout.contains("somnia> len(sizes)\n2\n"), "{stdout}");
}

#[test]
fn phases_run_one_at_a_time_and_checkpoints_restore_identical_weights() {
    let dir = folder("checkpoint");
    let script = "\
:use slept
look(stream[0])
:weights px -> exc
:checkpoint before
nap
look(stream[1])
:weights px -> exc
:restore before
:weights px -> exc
measure rates(exc) as \"back\"
:metrics
";
    let out = repl(&dir, &["p.sleep"], script);
    exits(&out, 0);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("look#0  wake · 30 samples"), "{stdout}");
    assert!(stdout.contains("nap#0  nrem · 300 steps"), "{stdout}");
    assert!(stdout.contains("look#1  wake"), "{stdout}");
    let d = digests(&stdout);
    assert_eq!(d.len(), 3, "{stdout}");
    assert_ne!(d[0], d[1], "learning changed the weights");
    assert_eq!(d[0], d[2], "restore gave back the checkpoint's weights");
    assert!(stdout.contains("rates            exc"), "{stdout}");
}

#[test]
fn statements_are_checked_against_the_session_and_save_guards_files() {
    let dir = folder("save");
    let script = "\
look(stream[0])
:use slept
look(stream[9])
restore \"never\"
look(stream[0])
:save out.sleep
:save out.sleep
:save! out.sleep
:outcome o.json
:quit
look(stream[1])
";
    let out = repl(&dir, &["p.sleep"], script);
    exits(&out, 1);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stderr.contains("no live network"), "{stderr}");
    assert!(stderr.contains("E304"), "{stderr}");
    assert!(
        stderr.contains("out.sleep exists; `:save! out.sleep` overwrites it"),
        "{stderr}"
    );
    assert!(stdout.contains("look#0  wake"), "{stdout}");
    assert!(
        !stdout.contains("look(stream[1])"),
        "`:quit` ends the input: {stdout}"
    );
    // The saved file is a protocol file with the statements run.
    let saved = std::fs::read_to_string(dir.join("out.sleep")).unwrap();
    assert!(saved.contains("protocol repl_session"), "{saved}");
    assert!(saved.contains("    look(stream[0])"), "{saved}");
    exits(&somnia(&["check", "out.sleep"], &dir), 0);
    let o: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o.json")).unwrap()).unwrap();
    assert_eq!(o["ops"].as_array().unwrap().len(), 1);
}

mod pty {
    use super::*;
    use rexpect::session::{PtySession, spawn_command};

    fn spawn(dir: &Path) -> PtySession {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
        cmd.args(["--color", "never", "repl", "p.sleep"])
            .current_dir(dir)
            .env("SOMNIA_HISTORY", dir.join("history"))
            .env("TERM", "xterm");
        let mut p = spawn_command(cmd, Some(20_000)).unwrap();
        p.exp_string("somnia> ").unwrap();
        p
    }

    #[test]
    fn tab_completes_a_defined_name_and_history_persists() {
        let dir = folder("complete");
        let mut p = spawn(&dir);
        p.send_line("let threshold_gap = 12 mV").unwrap();
        p.exp_string("defined let `threshold_gap`").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send("thresh").unwrap();
        p.send("\t").unwrap();
        p.flush().unwrap();
        p.send_line(" * 2").unwrap();
        p.exp_string("24 mV").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send(":wei").unwrap();
        p.send("\t").unwrap();
        p.send_line(" nothing").unwrap();
        p.exp_string("no live network").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send_control('d').unwrap();
        p.exp_eof().unwrap();
        let history = std::fs::read_to_string(dir.join("history")).unwrap();
        assert!(history.contains("let threshold_gap = 12 mV"), "{history}");
        assert!(history.contains("threshold_gap * 2"), "{history}");
    }

    #[test]
    fn ctrl_c_stops_a_long_phase_and_the_session_goes_on() {
        let dir = folder("ctrl-c");
        let mut p = spawn(&dir);
        p.send_line(":use slept").unwrap();
        p.exp_string("using `slept`").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send_line(":checkpoint start").unwrap();
        p.exp_string("somnia> ").unwrap();
        // 10,000 s at 1 ms: ten million steps, far longer than the test.
        p.send_line("dream").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        p.send_control('c').unwrap();
        p.exp_string("E413").unwrap();
        p.exp_string("interrupted after").unwrap();
        p.exp_string("somnia> ").unwrap();
        // The state is usable: the phase's record is there and phases run again.
        p.send_line("look(stream[0])").unwrap();
        p.exp_string("look#0  wake").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send_line(":type 1 s").unwrap();
        p.exp_string("time (unit s)").unwrap();
        p.exp_string("somnia> ").unwrap();
        p.send_line(":quit").unwrap();
        p.exp_eof().unwrap();
    }
}
