//! Exports of a run: `--save-weights` (.npy per projection at chosen ops) and metrics.csv.

mod common;

use common::cli::{exits, scratch, somnia};
use ndarray::Array2;
use ndarray_npy::ReadNpyExt;

const PROTOCOL: &str = concat!(
    crate::bars_network!(),
    r#"
phase nap = nrem {
  dt 1 ms
  length 300 steps
  drive poisson(10 Hz)
  plasticity ltp
}

protocol slept {
  network snn
  schedule {
    for t in stream {
      look(t)
      nap
    }
    measure rates(exc) as "end of run"
  }
  expect final rates(exc) >= 0 Hz
}
"#
);

fn load(path: &std::path::Path) -> Array2<f32> {
    Array2::<f32>::read_npy(std::fs::File::open(path).unwrap()).unwrap()
}

#[test]
fn save_weights_writes_each_projection_at_the_chosen_ops() {
    let dir = scratch("save-weights");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    let out = somnia(
        &[
            "run",
            "p.sleep",
            "--out",
            "r",
            "--save-weights",
            "start,nap",
            "--save-weights",
            "end",
        ],
        &dir,
    );
    exits(&out, 0);
    let w = dir.join("r/weights");
    let index = std::fs::read_to_string(w.join("index.csv")).unwrap();
    let rows: Vec<&str> = index.lines().collect();
    assert_eq!(
        rows[0],
        "when,op,name,projection,file,rows,cols,bias,image_rows,image_cols"
    );
    // The afferent projection comes from the 6 × 6 bar images; both have (all-zero) biases,
    // as projections do unless declared `bias off`.
    assert_eq!(
        rows[1..],
        [
            "start,,start,afferent,start/afferent.npy,8,36,start/afferent.bias.npy,6,6",
            "start,,start,lateral,start/lateral.npy,8,8,start/lateral.bias.npy,,",
            "op001-nap-0,1,nap#0,afferent,op001-nap-0/afferent.npy,8,36,op001-nap-0/afferent.bias.npy,6,6",
            "op001-nap-0,1,nap#0,lateral,op001-nap-0/lateral.npy,8,8,op001-nap-0/lateral.bias.npy,,",
            "op003-nap-1,3,nap#1,afferent,op003-nap-1/afferent.npy,8,36,op003-nap-1/afferent.bias.npy,6,6",
            "op003-nap-1,3,nap#1,lateral,op003-nap-1/lateral.npy,8,8,op003-nap-1/lateral.bias.npy,,",
            "end,,end,afferent,end/afferent.npy,8,36,end/afferent.bias.npy,6,6",
            "end,,end,lateral,end/lateral.npy,8,8,end/lateral.bias.npy,,",
        ]
    );
    // The message, the index and the folder agree on the files written.
    let mut listed: Vec<String> = rows[1..]
        .iter()
        .flat_map(|r| {
            let f: Vec<&str> = r.split(',').collect();
            [f[4].to_string(), f[7].to_string()]
        })
        .filter(|f| !f.is_empty())
        .collect();
    listed.sort();
    let mut on_disk = Vec::new();
    for when in std::fs::read_dir(&w).unwrap() {
        let when = when.unwrap().path();
        if when.is_dir() {
            for f in std::fs::read_dir(&when).unwrap() {
                let f = f.unwrap().path();
                on_disk.push(f.strip_prefix(&w).unwrap().display().to_string());
            }
        }
    }
    on_disk.sort();
    assert_eq!(listed, on_disk);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "weights: {} .npy files (8 matrices, 8 biases; index.csv lists them)",
            on_disk.len()
        )),
        "{err}"
    );
    let start = load(&w.join("start/afferent.npy"));
    let after_nap = load(&w.join("op003-nap-1/afferent.npy"));
    let end = load(&w.join("end/afferent.npy"));
    assert_eq!(start.dim(), (8, 36));
    // Initial weights are uniform(0, 0.3); learning moved them, within the bounds [0, 1].
    assert!(start.iter().all(|&x| (0.0..=0.3).contains(&x)));
    assert_ne!(start, end);
    assert!(end.iter().all(|&x| (0.0..=1.0).contains(&x)));
    // Nothing changes the weights between the last nap and the end (a measurement).
    assert_eq!(after_nap, end);
}

#[test]
fn save_weights_refuses_a_point_the_protocol_does_not_have() {
    let dir = scratch("save-weights-bad");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    let out = somnia(
        &[
            "run",
            "p.sleep",
            "-q",
            "--out",
            "r",
            "--save-weights",
            "naps",
        ],
        &dir,
    );
    exits(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no op, phase or measurement label `naps` (did you mean `nap`?)"),
        "{err}"
    );
    assert!(!dir.join("r").exists(), "nothing ran, nothing was written");
}

#[test]
fn metrics_csv_has_the_documented_columns() {
    let dir = scratch("metrics-csv");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    exits(&somnia(&["run", "p.sleep", "-q", "--out", "r"], &dir), 0);
    let text = std::fs::read_to_string(dir.join("r/metrics.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("op,after,label,measure,metric,group,task,value")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &row[..7],
        ["4", "nap#1", "end of run", "0", "rates", "", "exc"]
    );
    assert!(row[7].parse::<f64>().unwrap() >= 0.0);
}

/// Weights one run exports start another: `init load("….npy")` reads them back exactly,
/// a missing file is E115 at check time, a matrix of the wrong shape E405 when the network
/// is built.
#[test]
fn exported_weights_start_another_run_through_init_load() {
    let dir = scratch("load");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    exits(
        &somnia(
            &[
                "run",
                "p.sleep",
                "-q",
                "--out",
                "r",
                "--save-weights",
                "end",
            ],
            &dir,
        ),
        0,
    );
    let saved = load(&dir.join("r/weights/end/afferent.npy"));
    let second = format!(
        "{}\nprotocol again {{\n  network warm\n  schedule {{ measure weights(afferent, stat = sum) }}\n  expect final weights(afferent, stat = sum) > 0\n}}\n",
        PROTOCOL.replace("protocol slept", "protocol slept_twice").replace(
            "network snn {",
            "network warm {\n  input px 36\n  layer exc 8 : lif { tau 20 ms; threshold -55 mV; r 5 }\n  connect px -> exc as afferent { init load(\"r/weights/end/afferent.npy\"); sign excitatory; bounds [0, 1] }\n}\n\nnetwork snn {",
        )
    );
    std::fs::write(dir.join("q.sleep"), &second).unwrap();
    exits(
        &somnia(
            &[
                "run",
                "q.sleep",
                "-p",
                "again",
                "-q",
                "--out",
                "q",
                "--save-weights",
                "start",
            ],
            &dir,
        ),
        0,
    );
    assert_eq!(load(&dir.join("q/weights/start/afferent.npy")), saved);

    let missing = second.replace("r/weights/end/afferent.npy", "nowhere.npy");
    std::fs::write(dir.join("m.sleep"), missing).unwrap();
    let out = somnia(&["check", "m.sleep"], &dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E115"));

    let wrong = second.replace("input px 36\n  layer exc 8", "input px 36\n  layer exc 9");
    std::fs::write(dir.join("w.sleep"), wrong).unwrap();
    let out = somnia(&["run", "w.sleep", "-p", "again", "-q", "--out", "w"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E405") && err.contains("needs 9 × 36"),
        "{err}"
    );
}
