//! Recordings (`record spikes(...)`, `rates(...)`, `state(...)`): what the engine's monitor
//! keeps, checked exactly on a tiny network whose spikes are computed by hand, and what a run
//! writes (numpy files and their index), checked against the outcome's spike counts.

use ndarray::{Array1, Array2};
use ndarray_npy::ReadNpyExt;
use somnia::engine::drive::Drive;
use somnia::engine::monitor::{Monitor, Trace};
use somnia::engine::neurons::Model;
use somnia::engine::sleep::{self, Setup};
use somnia::plan::bind::Bound;
use somnia::plan::ir::{ParamIr, RecordingIr};
use std::path::Path;

mod common;
use common::cli::{exits, scratch, somnia};
use common::*;

fn recording(name: &str, ps: &[(&str, ParamIr)]) -> RecordingIr {
    RecordingIr {
        recorder: Bound::new(builtin(name, "recorder", ps)).expect("a recorder binds"),
        span: span(),
    }
}

fn population(name: &str) -> ParamIr {
    ParamIr::Population { name: name.into() }
}

#[test]
fn the_monitor_keeps_exactly_the_spikes_rates_and_potentials_computed_by_hand() {
    // p0 fires every step (probability 1); p1 integrates 0.3 per step with decay 1, θ = 1 and
    // reset 0.2: v after each step is 0.3, 0.6, 0.9, then 1.2 fires (→ 0.2), 0.5, 0.8, 1.1
    // fires (→ 0.2)…: spikes on steps 3, 6, 9, 12 (0-based) of 13.
    let p0 = pop("p0", "input", 1);
    let p1 = pop("p1", "output", 1);
    let mut net = build(vec![p0, p1], vec![proj("p0", "p1", &[])], 1);
    net.projs[0].w = vec![0.3];
    let recordings = vec![
        recording("spikes", &[("population", population("p1"))]),
        recording("spikes", &[("population", population("p0"))]),
        recording(
            "rates",
            &[("population", population("p1")), ("bin", number(0.005))],
        ),
        recording("state", &[("population", population("p1"))]),
        recording(
            "spikes",
            &[
                ("population", population("p1")),
                (
                    "during",
                    ParamIr::Phase {
                        name: "other".into(),
                    },
                ),
            ],
        ),
    ];
    let dt = 0.001;
    let monitor = Monitor::new(&recordings, &net, "consolidate", dt);
    assert_eq!(
        monitor.as_ref().map(|m| m.recordings.len()),
        Some(4),
        "the recorder `during` another phase is left out"
    );
    let setup = Setup {
        steps: 13,
        dt,
        models: vec![
            None,
            Some(Model::IntegrateFire {
                decay: 1.0,
                reset: 0.2,
                threshold: 1.0,
            }),
        ],
        scale: vec![1.0; 2],
        drive: Drive::new(vec![1.0]),
        rules: Vec::new(),
        modulators: Vec::new(),
        silenced: Vec::new(),
        record_input: false,
        monitor,
    };
    let stats = sleep::run(&mut net, &setup, &mut rng(1), |_| {}).unwrap();
    assert_eq!(stats.spikes, vec![13, 4]);
    let m = stats.monitor.expect("the monitor comes back");
    assert_eq!(m.steps, 13);
    let traces: Vec<&Trace> = m.recordings.iter().map(|r| &r.trace).collect();
    assert_eq!(
        traces[0],
        &Trace::Spikes {
            steps: vec![3, 6, 9, 12],
            neurons: vec![0; 4]
        }
    );
    assert_eq!(
        traces[1],
        &Trace::Spikes {
            steps: (0..13).collect(),
            neurons: vec![0; 13]
        }
    );
    // Bins of 5 steps: [0, 5) holds step 3, [5, 10) steps 6 and 9, [10, 13) step 12.
    assert_eq!(
        traces[2],
        &Trace::Rates {
            bin: 5,
            counts: vec![1, 2, 1],
            last: 3
        }
    );
    let Trace::State {
        values, neurons, ..
    } = traces[3]
    else {
        panic!("a state trace")
    };
    assert_eq!(neurons, &vec![0]);
    let want = [
        0.3, 0.6, 0.9, 0.2, 0.5, 0.8, 0.2, 0.5, 0.8, 0.2, 0.5, 0.8, 0.2,
    ];
    assert_eq!(values.len(), want.len());
    for (k, (g, w)) in values.iter().zip(want).enumerate() {
        assert_close(&format!("v after step {k}"), *g as f64, w, 1e-6);
    }
}

/// A small SRC-like protocol: a rate network trained awake, then two NREM sleeps.
const PROTOCOL: &str = r#"
dataset shapes = bars(side = 6, samples = 20)
tasks t = split_classes(shapes, [0, 1], [2, 3])

network mlp {
  input x 36
  layer h 20
  output y 12
  connect x -> h -> y { init uniform(-0.3, 0.3); bias off }
}

rule sgd = backprop { loss mse; lr 0.1; batch 10 }
rule replay = src_stdp { inc 0.01; dec 0.001 }

phase learn(k: tasks) = wake { data k; plasticity sgd; length 1 epoch }
phase nap = nrem {
  length 300 steps
  dynamics integrate_fire { threshold 0.5 }
  drive poisson(mean_image(seen), max_rate = 200 Hz)
  plasticity replay
}
phase dream = rem {
  length 200 steps
  dynamics integrate_fire { threshold 0.5 }
  drive poisson(mean_image(seen), max_rate = 100 Hz)
  plasticity replay
}

protocol p {
  network mlp
  record spikes(h), rates(h, bin = 10 ms), state(h, v, neurons = [0, 5])
  record spikes(x, during = dream)
  schedule {
    learn(t[0])
    nap
    dream
    measure accuracy(seen)
  }
  expect final accuracy(t[0]) >= 0 %
}
"#;

fn npy1<T: ndarray_npy::ReadableElement>(path: &Path) -> Array1<T> {
    Array1::<T>::read_npy(std::fs::File::open(path).unwrap()).unwrap()
}

#[test]
fn a_run_writes_its_recordings_as_numpy_files_that_agree_with_the_outcome() {
    let dir = scratch("recordings-run");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    let plan = somnia(&["plan", "p.sleep"], &dir);
    exits(&plan, 0);
    let text = String::from_utf8_lossy(&plan.stdout);
    assert!(
        text.contains("records ≈") && text.contains("spikes(x) during dream"),
        "the plan shows what is recorded: {text}"
    );
    // With --save-weights too: each writer passes the run's events on to the other.
    let out = somnia(
        &[
            "run",
            "p.sleep",
            "--out",
            "run",
            "-q",
            "--save-weights",
            "end",
        ],
        &dir,
    );
    exits(&out, 0);
    let run = dir.join("run");
    assert!(run.join("weights/end").is_dir(), "the weights are saved");
    let outcome: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("outcome.json")).unwrap()).unwrap();
    let index = std::fs::read_to_string(run.join("recordings/index.csv")).unwrap();
    let rows: Vec<Vec<&str>> = index
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        index.lines().next().unwrap(),
        somnia::engine::recording_export::INDEX_HEADER
    );
    // nap: h spikes (t, i), h rates, h state (v, neurons) = 5 rows; dream adds x (t, i).
    assert_eq!(
        rows.iter().filter(|r| r[1] == "nap#0").count(),
        5,
        "{index}"
    );
    assert_eq!(
        rows.iter().filter(|r| r[1] == "dream#0").count(),
        7,
        "{index}"
    );
    for op in outcome["ops"].as_array().unwrap() {
        let Some(spikes) = op["spikes"].as_object() else {
            continue;
        };
        let name = op["name"].as_str().unwrap();
        for (pop, count) in spikes {
            let row = rows
                .iter()
                .find(|r| r[1] == name && r[4] == "spikes" && r[5] == pop && r[6] == "t");
            let Some(row) = row else { continue };
            let t: Array1<f64> = npy1(&run.join("recordings").join(row[7]));
            let i_row = rows
                .iter()
                .find(|r| r[1] == name && r[4] == "spikes" && r[5] == pop && r[6] == "i")
                .unwrap();
            let i: Array1<i32> = npy1(&run.join("recordings").join(i_row[7]));
            assert_eq!(t.len() as u64, count.as_u64().unwrap(), "{name} {pop}");
            assert_eq!(i.len(), t.len());
            let steps = op["amount"].as_f64().unwrap();
            assert!(t.iter().all(|&s| (0.0..steps * 0.001).contains(&s)));
            assert!(
                t.windows(2).into_iter().all(|w| w[0] <= w[1]),
                "times in order"
            );
            if pop == "h" {
                assert!(i.iter().all(|&k| (0..20).contains(&k)));
                // The rates, × bin × neurons, sum back to the spike count.
                let r_row = rows
                    .iter()
                    .find(|r| r[1] == name && r[4] == "rates")
                    .unwrap();
                let hz: Array1<f32> = npy1(&run.join("recordings").join(r_row[7]));
                assert_eq!(hz.len(), (steps / 10.0).ceil() as usize);
                let back: f64 = hz.iter().map(|&r| r as f64 * 0.01 * 20.0).sum();
                assert_close("spikes from rates", back, t.len() as f64, 1e-3);
                let v_row = rows
                    .iter()
                    .find(|r| r[1] == name && r[4] == "state" && r[6] == "v")
                    .unwrap();
                let v = Array2::<f32>::read_npy(
                    std::fs::File::open(run.join("recordings").join(v_row[7])).unwrap(),
                )
                .unwrap();
                assert_eq!(v.dim(), (steps as usize, 2));
                // Integrate-and-fire resets to 0 below θ = 0.5 (SRC's scales apply to the
                // input, not to v).
                assert!(v.iter().all(|&x| x.is_finite() && x < 0.5 * 56.0));
            }
        }
    }
}

#[test]
fn recorders_that_cannot_run_are_refused_and_those_that_record_nothing_warned() {
    let dir = scratch("recordings-check");
    let bad = PROTOCOL.replace(
        "record spikes(x, during = dream)",
        "record spikes(h, during = learn), state(x, v)",
    );
    std::fs::write(dir.join("bad.sleep"), &bad).unwrap();
    let out = somnia(&["check", "bad.sleep"], &dir);
    exits(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("E322").count(), 2, "{err}");
    assert!(err.contains("`learn` trains rate units"), "{err}");
    assert!(err.contains("`x` is an input population"), "{err}");
    // `dream` is still defined, but the schedule no longer calls it.
    let unused = PROTOCOL.replace("    dream\n", "");
    std::fs::write(dir.join("w.sleep"), unused).unwrap();
    let out = somnia(&["check", "w.sleep"], &dir);
    exits(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("W009") && err.contains("`dream` never runs"),
        "{err}"
    );
}

#[test]
fn a_raster_is_drawn_for_each_spike_recording_with_labelled_axes_and_every_spike() {
    let dir = scratch("recordings-raster");
    std::fs::write(dir.join("p.sleep"), PROTOCOL).unwrap();
    exits(&somnia(&["run", "p.sleep", "--out", "run", "-q"], &dir), 0);
    let out = somnia(&["plot", "run"], &dir);
    exits(&out, 0);
    let listed = String::from_utf8_lossy(&out.stdout);
    // Spikes of h in nap and dream, of x in dream.
    let rasters: Vec<&str> = listed.lines().filter(|l| l.contains("raster-")).collect();
    assert_eq!(rasters.len(), 3, "{listed}");
    let outcome: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("run/outcome.json")).unwrap())
            .unwrap();
    let nap_h = outcome["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "nap#0")
        .unwrap()["spikes"]["h"]
        .as_u64()
        .unwrap();
    let svg = std::fs::read_to_string(dir.join("run/raster-op001-nap-0-h.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    for want in [
        "neuron (index)",
        "population rate (Hz)",
        "time from the phase's start (ms)",
    ] {
        assert!(texts.contains(&want), "no axis label {want:?} in {texts:?}");
    }
    let title = format!("{nap_h} spikes of h during nap#0 (nrem)");
    assert!(
        texts.contains(&title.as_str()),
        "no title {title:?} in {texts:?}"
    );
    // One black tick per spike (a short recording is drawn whole).
    let ticks = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#000000"))
        .count();
    assert_eq!(ticks as u64, nap_h);
}

#[test]
fn empty_lists_of_phases_or_neurons_are_warned_and_left_out() {
    let dir = scratch("recordings-empty");
    let text = PROTOCOL.replace(
        "record spikes(x, during = dream)",
        "record spikes(x, during = []), state(h, v, neurons = [])",
    );
    std::fs::write(dir.join("e.sleep"), text).unwrap();
    let out = somnia(&["check", "e.sleep"], &dir);
    exits(&out, 0);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`during = []` names no phase"), "{err}");
    assert!(err.contains("`neurons = []` names no neuron"), "{err}");
    let out = somnia(&["plan", "e.sleep"], &dir);
    exits(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("records")).unwrap();
    assert!(
        !line.contains("spikes(x)") && !line.contains("2 neurons,"),
        "the empty recorders are left out: {line}"
    );
    assert_eq!(line.matches("state(").count(), 1, "{line}");
}

#[test]
fn a_recorder_written_in_a_phase_is_pointed_to_the_protocol() {
    let dir = scratch("recordings-in-phase");
    let text = PROTOCOL.replace(
        "  plasticity replay\n}\nphase dream",
        "  plasticity replay\n  record spikes(h)\n}\nphase dream",
    );
    assert_ne!(text, PROTOCOL);
    std::fs::write(dir.join("p.sleep"), text).unwrap();
    let out = somnia(&["check", "p.sleep"], &dir);
    exits(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E204")
            && err.contains("recorders (`spikes`, `rates`, `state`) go in the protocol"),
        "{err}"
    );
}
