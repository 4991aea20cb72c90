//! Tests of the foraging plot: layout of phases in aeons, lines, marks, cycle labels.

use super::*;

/// kind, call, environment, moves, per_aeon, performance
type OpSpec<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    u64,
    Vec<Option<f64>>,
    Option<f64>,
);

/// An outcome of `ops` (kind, call, environment, moves, per_aeon, performance) with the
/// `foraging` rows (op, label, task, value).
fn outcome(ops: &[OpSpec], rows: &[(usize, &str, &str, f64)]) -> Outcome {
    let ops: Vec<serde_json::Value> = ops
        .iter()
        .enumerate()
        .map(|(i, (kind, name, env, moves, per_aeon, performance))| {
            let mut op = serde_json::json!({"index": i, "kind": kind, "name": name});
            if let Some(env) = env {
                op["forage"] = serde_json::json!({
                    "environment": env, "moves": moves, "rewarded": 0, "punished": 0,
                    "neutral": 0, "performance": performance, "per_aeon": per_aeon,
                });
            }
            op
        })
        .collect();
    let timeline: Vec<serde_json::Value> = rows
        .iter()
        .enumerate()
        .map(|(k, (op, label, task, _))| {
            serde_json::json!({"op": op, "after": "", "label": label, "measure": k,
                    "metric": "foraging", "task": task, "value": 0.0})
        })
        .collect();
    let mut o: Outcome = serde_json::from_value(serde_json::json!({
        "schema": 1, "somnia": "0", "protocol": "interleaved", "source": "s.sleep",
        "source_hash": "", "plan_hash": "", "seed": 7, "evaluated_on": "test",
        "status": "complete", "timeline": timeline, "final": {}, "expectations": [],
        "ops": ops, "timing": {"total_seconds": 0.0, "load_seconds": 0.0, "ops": []},
    }))
    .expect("an outcome");
    // JSON has no NaN: the values are set here.
    for (r, row) in o.timeline.iter_mut().zip(rows) {
        r.value = row.3;
    }
    o
}

fn small() -> Outcome {
    let mut o = outcome(
        &[
            (
                "wake",
                "explore#0",
                Some("open_field"),
                200,
                vec![None, None],
                None,
            ),
            (
                "wake",
                "train_1#0",
                Some("task_1"),
                300,
                vec![None, Some(0.5), Some(0.75)],
                Some(0.75),
            ),
            ("measure", "after_1", None, 0, vec![], None),
            (
                "wake",
                "train_2#0",
                Some("task_2"),
                100,
                vec![Some(0.2)],
                Some(0.2),
            ),
            ("nrem", "nap#0", Some("task_2"), 100, vec![None], None),
            (
                "wake",
                "train_2#1",
                Some("task_2"),
                100,
                vec![Some(f64::NAN)],
                None,
            ),
            ("nrem", "nap#1", Some("task_2"), 100, vec![None], None),
            (
                "wake",
                "train_2#2",
                Some("task_2"),
                150,
                vec![Some(0.6)],
                Some(0.7),
            ),
            ("measure", "after_2", None, 0, vec![], None),
        ],
        &[
            (2, "after_1", "task_1", 0.8),
            (2, "after_1", "task_2", 0.3),
            (8, "after_2", "task_1", f64::NAN),
            (8, "after_2", "task_2", 0.65),
        ],
    );
    // A NaN in `per_aeon` (JSON writes it as null, so it is set here).
    if let Some(f) = &mut o.ops[5].forage {
        f.per_aeon[0] = Some(f64::NAN);
    }
    o
}

#[test]
fn no_environment_phase_no_plot() {
    let o = outcome(
        &[
            ("wake", "learn#0", None, 0, vec![], None),
            ("measure", "m", None, 0, vec![], None),
        ],
        &[],
    );
    assert_eq!(of_outcome(&o), None);
    assert_eq!(svg(&o), Ok(None));
}

#[test]
fn phases_lie_end_to_end_in_aeons() {
    let o = small();
    assert_eq!(
        layout(&o.ops),
        vec![
            (0.0, 2.0),
            (2.0, 5.0),
            (5.0, 5.0),
            (5.0, 6.0),
            (6.0, 7.0),
            (7.0, 8.0),
            (8.0, 9.0),
            (9.0, 10.5),
            (10.5, 10.5),
        ]
    );
    // A phase shorter than an aeon keeps its fraction.
    let o = outcome(
        &[
            ("wake", "a#0", Some("e"), 50, vec![], Some(1.0)),
            ("wake", "b#0", Some("e"), 100, vec![Some(0.5)], Some(0.5)),
        ],
        &[],
    );
    assert_eq!(layout(&o.ops), vec![(0.0, 0.5), (0.5, 1.5)]);
    let f = of_outcome(&o).expect("a plot");
    assert_eq!(f.lines[0].points, vec![(0.5, 1.0), (1.5, 0.5)]);
}

#[test]
fn lines_skip_missing_values_and_join_across_sleep() {
    let f = of_outcome(&small()).expect("a plot");
    assert_eq!(f.aeons, 10.5);
    assert_eq!(f.environments, vec!["open_field", "task_1", "task_2"]);
    let envs: Vec<&str> = f.lines.iter().map(|l| l.environment.as_str()).collect();
    assert_eq!(envs, vec!["open_field", "task_1", "task_2"]);
    assert!(f.lines[0].points.is_empty());
    assert_eq!(f.lines[1].points, vec![(4.0, 0.5), (5.0, 0.75)]);
    // train_2#0..#2 are one line; the NaN of #1 is left out, #2 ends mid-aeon.
    assert_eq!(
        f.lines[2].points,
        vec![(6.0, 0.2), (10.0, 0.6), (10.5, 0.7)]
    );
    // The NaN measurement is not a mark; the marks sit where their measure op does.
    let marks: Vec<(f64, &str, f64)> = f
        .marks
        .iter()
        .map(|m| (m.at, m.task.as_str(), m.value))
        .collect();
    assert_eq!(
        marks,
        vec![
            (5.0, "task_1", 0.8),
            (5.0, "task_2", 0.3),
            (10.5, "task_2", 0.65)
        ]
    );
    assert_eq!(f.measurements.len(), 2);
    assert_eq!(f.measurements[1].label, "after_2");
}

#[test]
fn few_blocks_are_labelled_each_many_as_repeated_cycles() {
    let f = of_outcome(&small()).expect("a plot");
    let texts: Vec<String> = f.runs.iter().map(Run::text).collect();
    assert_eq!(
        texts,
        vec![
            "explore", "train_1", "train_2", "nap", "train_2", "nap", "train_2"
        ]
    );
    let mut ops = vec![
        ("wake", "explore#0".to_string(), 500),
        ("wake", "train_1#0".to_string(), 600),
    ];
    for k in 0..100 {
        ops.push(("wake", format!("train_2#{k}"), 100));
        ops.push(("nrem", format!("nap#{k}"), 100));
    }
    ops.push(("wake", "train_1#1".to_string(), 100));
    let ops: Vec<_> = ops
        .iter()
        .map(|(kind, name, moves)| {
            (
                *kind,
                name.as_str(),
                Some("task_2"),
                *moves,
                vec![None],
                None,
            )
        })
        .collect();
    let f = of_outcome(&outcome(&ops, &[])).expect("a plot");
    let texts: Vec<String> = f.runs.iter().map(Run::text).collect();
    assert_eq!(
        texts,
        vec!["explore", "train_1", "train_2 / nap × 100", "train_1"]
    );
    assert_eq!((f.runs[2].start, f.runs[2].end), (11.0, 211.0));
}

#[test]
fn the_svg_names_the_environments_and_chance_and_skips_missing_points() {
    let o = small();
    let svg = svg(&o).expect("drawn").expect("a plot");
    for text in [
        "open_field",
        "task_1",
        "task_2",
        "chance",
        "sleep",
        "measured",
        "interleaved",
        "seed 7",
        "after_1",
        "0.80",
        "0.65",
        "performance (fraction: rewarded / (rewarded + punished))",
        "time (aeons of 100 moves)",
    ] {
        assert!(svg.contains(text), "no {text} in the SVG");
    }
    assert!(!svg.contains("NaN"), "a NaN was drawn");
    // A plot of nothing but missing values draws no line at y = 0.
    let o = outcome(
        &[(
            "wake",
            "train_1#0",
            Some("task_1"),
            300,
            vec![None; 3],
            None,
        )],
        &[(0, "m", "task_1", f64::NAN)],
    );
    let f = of_outcome(&o).expect("a plot");
    assert!(f.lines.iter().all(|l| l.points.is_empty()));
    assert!(f.marks.is_empty());
    let svg = draw(&f).expect("drawn");
    assert!(!svg.contains("NaN"));
    assert!(svg.contains("task_1") && svg.contains("chance"));
}
