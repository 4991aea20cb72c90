//! The plan stage's semantics, checked on small protocols: unrolling, `seen`, overrides,
//! streams, unit conversion, expectations.

mod common;

use somnia::plan::Options;
use somnia::plan::ir::{Op, Plan, WakeLength};
use somnia::session::{self, Report};

const HEAD: &str = r#"
dataset b = bars(side = 4, samples = 20)
tasks t4 = chunks(b, 3) { train_cap 10 }
network n {
  input x 16
  layer h 8
  output y 8
  connect x -> h -> y
}
rule sgd = backprop { lr 0.1 }
rule replay = src_stdp { inc 0.01 }
phase learn(t: tasks) = wake { data t; length 1 epochs; plasticity sgd }
phase nap(k: count) = nrem { length 100 steps + k * 10 steps; plasticity replay }
phase timed(k: count) = rem { length 1.5 s + k * 0 s; dt 0.5 ms; plasticity replay }
"#;

fn report(body: &str) -> Report {
    common::checked::clean(&format!("{HEAD}\n{body}"))
}

fn plan<'a>(r: &'a Report, name: &str) -> &'a Plan {
    r.plan(name).unwrap_or_else(|| panic!("no plan {name}"))
}

fn groups(p: &Plan) -> Vec<String> {
    p.ops
        .iter()
        .filter_map(|o| match o {
            Op::Measure { metrics, .. } => metrics[0].group.clone(),
            _ => None,
        })
        .collect()
}

#[test]
fn seen_grows_with_each_wake_phase_and_restore_rolls_it_back() {
    let r = report(
        r#"
protocol p {
  network n
  schedule {
    learn(t4[0])
    measure accuracy(seen) as "one"
    checkpoint "after one"
    learn(t4[1])
    measure accuracy(seen) as "two"
    restore "after one"
    measure accuracy(seen) as "back"
    learn(t4[2])
    measure accuracy(seen) as "other"
  }
  expect final accuracy(t4[0]) > 0
}
"#,
    );
    assert_eq!(
        groups(plan(&r, "p")),
        ["t4[0]", "t4[0,1]", "t4[0]", "t4[0,2]"]
    );
}

#[test]
fn for_loops_unroll_with_their_index_and_skip_removes_calls() {
    let r = report(
        r#"
protocol p {
  network n
  schedule { for t, k in t4 { learn(t) nap(k) } measure accuracy(t4) }
  expect final accuracy(t4) > 0
}
protocol no_nap = p with { nap = skip; expect final accuracy(t4) > 0 }
protocol timed_nap = p with { nap = timed; expect final accuracy(t4) > 0 }
"#,
    );
    let steps: Vec<u64> = plan(&r, "p")
        .ops
        .iter()
        .filter_map(|o| {
            if let Op::Sleep { steps, .. } = o {
                Some(*steps)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(steps, [100, 110, 120]);
    assert!(
        plan(&r, "no_nap")
            .ops
            .iter()
            .all(|o| !matches!(o, Op::Sleep { .. }))
    );
    // A phase replaced by another keeps the call sites; 1.5 s at 0.5 ms is 3000 steps.
    let replaced: Vec<(String, u64)> = plan(&r, "timed_nap")
        .ops
        .iter()
        .filter_map(|o| {
            if let Op::Sleep { phase, steps, .. } = o {
                Some((phase.clone(), *steps))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(
        replaced,
        [
            ("timed".to_string(), 3000),
            ("timed".to_string(), 3000),
            ("timed".to_string(), 3000)
        ]
    );
}

#[test]
fn streams_are_named_by_phase_and_call_so_new_phases_leave_others_alone() {
    let base = report(r#"protocol a { network n schedule { learn(t4[0]) nap(0) learn(t4[1]) } }"#);
    let more = report(
        r#"protocol a { network n schedule { timed(0) learn(t4[0]) nap(0) timed(1) learn(t4[1]) } }"#,
    );
    let streams = |p: &Plan| -> Vec<(String, u64)> {
        p.ops
            .iter()
            .filter_map(|o| match o {
                Op::Wake { stream, .. } | Op::Sleep { stream, .. } => {
                    Some((stream.name.clone(), stream.seed))
                }
                _ => None,
            })
            .filter(|(n, _)| !n.starts_with("timed"))
            .collect()
    };
    assert_eq!(streams(plan(&base, "a")), streams(plan(&more, "a")));
    let names: Vec<String> = streams(plan(&base, "a"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["learn#0", "nap#0", "learn#1"]);
}

#[test]
fn set_and_seed_options_override_the_file() {
    let text = format!(
        "{HEAD}\nlet reps = 2\nprotocol p {{ network n seed 4 schedule {{ repeat reps {{ learn(t4[0]) }} }} }}\n"
    );
    let r = session::check_text(
        "t.sleep",
        &text,
        None,
        &[("reps".into(), "3".into())],
        &Options {
            seed: Some(9),
            ..Options::default()
        },
    );
    let p = plan(&r, "p");
    assert_eq!(p.seed, 9);
    assert_eq!(
        p.ops
            .iter()
            .filter(|o| matches!(o, Op::Wake { .. }))
            .count(),
        3
    );
    let r = session::check_text("t.sleep", &text, None, &[], &Options::default());
    assert_eq!(plan(&r, "p").seed, 4);
}

#[test]
fn until_stays_a_loop_with_its_bound() {
    let r = report(
        r#"
protocol p {
  network n
  schedule { until accuracy(t4[0]) > 90 % max 7 { learn(t4[0]) } measure accuracy(t4[0]) }
  expect final accuracy(t4[0]) > 0
}
"#,
    );
    match &plan(&r, "p").ops[0] {
        Op::Until { max, body, .. } => {
            assert_eq!(*max, 7);
            assert!(matches!(
                &body[0],
                Op::Wake {
                    length: WakeLength::Epochs(1),
                    ..
                }
            ));
        }
        other => panic!("expected until, found {other:?}"),
    }
}

#[test]
fn derived_arms_do_not_inherit_expectations() {
    let r = report(
        r#"
protocol p { network n schedule { learn(t4) measure accuracy(t4) as "end" } expect final accuracy(t4) > 50 % }
protocol q = p with { seed 3 }
"#,
    );
    assert_eq!(plan(&r, "p").expectations.len(), 1);
    assert!(plan(&r, "q").expectations.is_empty());
    assert_eq!(plan(&r, "q").seed, 3);
    assert!(
        r.diagnostics.iter().any(|d| d.code.as_str() == "W003"),
        "q has no expectations of its own"
    );
}

#[test]
fn defaults_are_filled_in_so_the_plan_is_explicit() {
    let r = report(r#"protocol p { network n schedule { nap(0) } }"#);
    let Op::Sleep {
        dt,
        drive,
        dynamics,
        rules,
        ..
    } = &plan(&r, "p").ops[0]
    else {
        panic!("a sleep")
    };
    assert_eq!(*dt, 0.001);
    assert_eq!(drive.name(), "silence");
    assert_eq!(dynamics["h"].name(), "integrate_fire");
    assert!(dynamics["h"].record().params.contains_key("decay"));
    let replay = &rules[0];
    assert_eq!(replay.label(), "replay");
    for p in ["inc", "dec", "gate", "gate_fn"] {
        assert!(replay.record().params.contains_key(p), "{p} missing");
    }
}

/// Each combination the engine does not run (E317) and each read of state no earlier op
/// produced (E318) is refused while the plan is built, before anything runs; the same
/// schedule in a runnable order plans.
#[test]
fn what_the_engine_cannot_run_is_refused_when_the_plan_is_built() {
    const NET: &str = r#"
dataset images = bars(side = 6, samples = 10)
tasks stream = chunks(images, 2)
network mixed {
  input px 36
  layer h 8
  output y 12
  connect px -> h -> y { init uniform(0, 0.3) }
}
rule sgd = backprop { lr 0.1 }
rule ltp = stdp { a_plus 0.01; a_minus 0.01 }
phase learn = wake { data stream; plasticity sgd; length 1 epochs }
phase look = wake { data stream; dynamics lif; plasticity ltp; length 4 samples }
phase half = wake { data stream; dynamics lif on h; plasticity ltp; length 4 samples }
phase nap = nrem { length 50 steps; drive poisson(rates = 5 Hz); plasticity ltp }
phase quiet = perturb { apply silence(h) }
phase noisy = perturb { apply interfere(stream[0]) }
"#;
    let cases: &[(&str, &str, &str)] = &[
        ("half", "E317", "`y` has rate units"),
        ("quiet; learn", "E317", "silence"),
        ("measure entropy(h)", "E318", "`entropy`"),
        (
            "learn; measure accuracy(stream, readout = label_assignment(h))",
            "E318",
            "spiking wake phase",
        ),
        ("noisy", "E318", "`interfere`"),
        (
            "quiet; measure recovery(accuracy(stream))",
            "E318",
            "`recovery`",
        ),
    ];
    let fine = [
        "look; measure accuracy(stream, readout = label_assignment(h))",
        "nap; measure entropy(h)",
        "quiet; nap",
        "learn; noisy",
        "learn; measure accuracy(stream); noisy; measure accuracy(stream); measure recovery(accuracy(stream))",
        "look; checkpoint \"a\"; learn; restore \"a\"; measure accuracy(stream, readout = label_assignment(h))",
    ];
    let plan_of = |schedule: &str| {
        let text = format!(
            "{NET}protocol p {{\n  network mixed\n  schedule {{ {} }}\n}}\n",
            schedule.replace("; ", "\n")
        );
        session::check_text("t.sleep", &text, None, &[], &Options::default())
    };
    let errors = |r: &Report| -> Vec<String> {
        r.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect()
    };
    for (schedule, code, words) in cases {
        let r = plan_of(schedule);
        let found = errors(&r);
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(code) && f.contains(words)),
            "`{schedule}`: expected {code} with {words:?}, found {found:?}"
        );
        assert!(r.plan("p").is_none(), "`{schedule}` must not plan");
    }
    for schedule in fine {
        let found = errors(&plan_of(schedule));
        assert!(found.is_empty(), "`{schedule}`: {found:?}");
    }
}
