//! `somnia diff`: two outcomes compared metric by metric.

mod common;

use common::cli::{scratch, somnia};
use std::path::PathBuf;

const PROTOCOL: &str = r#"
dataset images = bars(side = 6, samples = 10)
tasks stream = chunks(images, 1)

network snn {
  input px 36
  layer exc 8 : lif { tau 20 ms; threshold -55 mV; r 5 }
  connect px -> exc { init uniform(0, 0.3); sign excitatory; bounds [0, 1] }
}

rule ltp = stdp { a_plus 1; a_minus 1.05; tau_plus 10 ms; tau_minus 10 ms; lr 0.01 }

phase look(t: tasks) = wake {
  data t
  length 60 samples
  dt 1 ms; present 40 ms; rest 10 ms
  encode poisson(max_rate = 80 Hz)
  plasticity ltp
}

protocol p {
  network snn
  seed 1
  schedule {
    look(stream)
    measure weights(px -> exc, stat = mean), rates(exc) as "end"
  }
  expect final weights(px -> exc, stat = mean) > 0.1
}
"#;

fn setup(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    for (seed, out) in [("1", "a"), ("1", "a2"), ("2", "b")] {
        let r = somnia(
            &["run", "p.sleep", "--seed", seed, "--out", out, "-q"],
            &dir,
        );
        assert!(
            r.status.code().is_some_and(|c| c <= 1),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
    }
    dir
}

#[test]
fn diff_reports_moved_values_and_exits_by_whether_anything_moved() {
    let dir = setup("moved");
    let same = somnia(&["diff", "a", "a2/outcome.json"], &dir);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    let text = String::from_utf8_lossy(&same.stdout);
    assert!(text.contains("same work (equal work hashes)"), "{text}");
    assert!(
        text.contains("0 of 2 final values moved, 0 expectation verdicts changed"),
        "{text}"
    );

    let other = somnia(&["diff", "a", "b"], &dir);
    assert_eq!(other.status.code(), Some(1));
    let text = String::from_utf8_lossy(&other.stdout);
    assert!(text.contains("different plans"), "{text}");
    assert!(text.contains("* rates[exc]"), "{text}");
    assert!(text.contains("2 of 2 final values moved"), "{text}");
    // The printed change is B − A.
    let read = |d: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(d).join("outcome.json")).unwrap())
            .unwrap()
    };
    let (ra, rb) = (
        read("a")["final"]["rates"]["exc"].as_f64().unwrap(),
        read("b")["final"]["rates"]["exc"].as_f64().unwrap(),
    );
    assert!(text.contains(&format!("{:+.6}", rb - ra)), "{text}");

    let tolerant = somnia(&["diff", "a", "b", "--tolerance", "1000"], &dir);
    assert_eq!(
        tolerant.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&tolerant.stdout)
    );
}

#[test]
fn diff_names_a_file_it_cannot_read() {
    let dir = setup("unreadable");
    std::fs::write(dir.join("junk.json"), "{not json").unwrap();
    let out = somnia(&["diff", "a", "junk.json"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error[E501]: junk.json is not JSON"), "{err}");
    let out = somnia(&["diff", "a", "missing"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing"));
}
