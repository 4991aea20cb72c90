//! Environment phases (docs/language.md, "Environment phases"): what `check` accepts is what
//! the agent engine runs — everything else is refused with a code and a span — and a run in
//! an environment measures, records and writes what the docs say.

mod common;

use common::checked::found;
use somnia::diagnostics::Code;
use somnia::engine::{Options, Quiet, run};
use somnia::outcome::Outcome;
use somnia::plan::Options as PlanOptions;
use somnia::session::{self, Report};

/// A small agent (7 × 7 sensor, 40 hidden cells, 8 motor cells) and its rules and worlds.
const AGENT: &str = r#"
environment task_1 = foraging_grid { size 20; rewarded horizontal; punished diagonal_up; density 10 %; epoch 60 steps }
environment task_2 = foraging_grid { size 20; rewarded vertical; punished diagonal_down; density 10 %; epoch 60 steps }

network agent {
  input sensor 49
  layer hidden 40
  output motor 8
  connect sensor -> hidden as afferent { connectivity fixed_in(9, balanced = true); init chunks(0.001, 10); sign excitatory; bias off }
  connect hidden -> motor as excite { init 0.02; sign excitatory; bias off }
  connect hidden -> motor as inhibit { init -0.02; sign inhibitory; bias off }
}

rule learn = reward_stdp on excite
rule balance = input_balance on excite
rule follow = output_balance { inhibitory inhibit } on excite
rule adapt = rate_adaptation { target 0.5 } on excite
"#;

fn check(text: &str) -> Report {
    session::check_text(
        "environments.sleep",
        &format!("{AGENT}\n{text}"),
        None,
        &[],
        &PlanOptions::default(),
    )
}

/// A protocol running `schedule`, with the phases `phases`.
fn protocol(phases: &str, schedule: &str) -> String {
    format!(
        "{phases}\nprotocol p {{\n  network agent\n  schedule {{\n    {schedule}\n    measure foraging(task_1, length = 2 aeons)\n  }}\n  expect final foraging(task_1, length = 2 aeons) >= 0\n}}\n"
    )
}

const TRAIN: &str = "phase train = wake { environment task_1; length 2 aeons; plasticity learn, balance, follow, adapt; record hidden }";

#[test]
fn a_protocol_in_environments_checks_and_plans_one_forage_op_per_phase() {
    let r = check(&protocol(
        &format!(
            "{TRAIN}\nphase nap = nrem {{ environment task_1; length 1 aeon; drive recorded_kicks(train); plasticity learn }}"
        ),
        "train\n    nap",
    ));
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let plan = &r.plans[0];
    assert_eq!(plan.environments.len(), 1);
    let json = serde_json::to_value(&plan.ops).unwrap();
    assert_eq!(json[0]["op"], "forage", "{json:#}");
    assert_eq!(json[0]["moves"], 200);
    assert_eq!(json[0]["epoch"], 60);
    assert_eq!(json[0]["kind"], "wake");
    assert_eq!(json[1]["op"], "forage");
    assert_eq!(json[1]["kind"], "nrem");
    assert_eq!(json[1]["dopamine"]["name"], "tonic");
}

#[test]
fn rulkov_cells_and_agent_rules_outside_an_environment_are_e320() {
    let r = check(&protocol(
        "phase day = nrem { length 100 steps; dynamics rulkov; plasticity learn }",
        "day",
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("rulkov"), "{message}");
    assert_eq!(at, "rulkov");
    assert!(
        r.diagnostics
            .iter()
            .any(|d| d.code == Code::E320 && d.message.contains("`learn` (reward_stdp)")),
        "{:?}",
        r.diagnostics
    );
}

#[test]
fn ordinary_rules_models_and_settings_in_an_environment_are_e320() {
    let r = check(&format!(
        "rule plain = stdp on excite\n{}",
        protocol(
            "phase train = wake { environment task_1; length 2 aeons; plasticity plain }",
            "train"
        )
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("`plain` (stdp)"), "{message}");
    assert_eq!(at, "plain");

    let r = check(&protocol(
        "phase train = wake { environment task_1; length 2 aeons; dynamics lif }",
        "train",
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("runs `lif`"), "{message}");
    assert_eq!(at, "lif");

    let r = check(&protocol(
        "phase train = wake { environment task_1; length 2 aeons; dt 1 ms }",
        "train",
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("`dt` has no effect"), "{message}");
    assert_eq!(at, "dt 1 ms");
}

#[test]
fn a_length_in_steps_and_tonic_dopamine_awake_are_e320() {
    let r = check(&protocol(
        "phase train = wake { environment task_1; length 2 epochs; dopamine tonic(0.5) }",
        "train",
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("awake"), "{message}");
    assert_eq!(at, "tonic(0.5)");

    let r = check(&protocol(
        "phase nap = nrem { environment task_1; length 600 steps }",
        "nap",
    ));
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("counts moves"), "{message}");
    assert_eq!(at, "600 steps");
}

#[test]
fn a_network_that_does_not_fit_the_world_is_e320() {
    let text = protocol(
        "environment wide = foraging_grid { window 5; rewarded vertical }\nphase look = wake { environment wide; length 1 aeon }",
        "look",
    );
    let r = check(&text);
    let (message, at) = found(&r, Code::E320);
    assert!(message.contains("5 × 5 window has 25"), "{message}");
    assert_eq!(at, "sensor");
}

#[test]
fn replaying_a_phase_that_recorded_nothing_is_e315() {
    let r = check(&protocol(
        "phase look = wake { environment task_1; length 1 aeon }\nphase nap = nrem { environment task_1; length 1 aeon; drive recorded_kicks(look) }",
        "look\n    nap",
    ));
    let (message, at) = found(&r, Code::E315);
    assert!(message.contains("`look` has not recorded"), "{message}");
    assert_eq!(at, "recorded_kicks(look)");
}

#[test]
fn worlds_are_checked_where_they_are_defined() {
    let r = check("environment bad = foraging_grid { window 6; rewarded horizontal }");
    let (_, at) = found(&r, Code::E211);
    assert_eq!(at, "6");
    let r = check("environment empty = foraging_grid { size 10 }");
    found(&r, Code::E109);
    let r = check("environment twice = foraging_grid { rewarded horizontal; punished horizontal }");
    let (message, _) = found(&r, Code::E215);
    assert!(message.contains("both rewarded and punished"), "{message}");
}

fn run_text(text: &str) -> Outcome {
    let r = check(text);
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    let (o, e) = run(&r.plans[0], &Options::default(), &mut Quiet);
    assert!(e.is_none(), "{e:?}");
    o
}

#[test]
fn an_agent_forages_sleeps_and_is_measured_without_being_changed() {
    let phases = format!(
        "{TRAIN}\nphase nap = nrem {{ environment task_1; length 1 aeon; drive recorded_kicks(train); plasticity learn, balance, follow, adapt }}"
    );
    let o = run_text(&protocol(&phases, "train\n    nap\n    train"));
    let forage: Vec<_> = o.ops.iter().filter_map(|r| r.forage.as_ref()).collect();
    assert_eq!(forage.len(), 3);
    let (train, nap) = (forage[0], forage[1]);
    assert_eq!(train.moves, 200);
    assert_eq!(train.per_aeon.len(), 2);
    assert_eq!(train.trajectory.len(), 200);
    assert!(
        train.rewarded + train.punished > 0,
        "a 10 % world is eaten from"
    );
    assert_eq!(
        (nap.rewarded, nap.punished, nap.neutral),
        (0, 0, 0),
        "asleep, nothing is eaten"
    );
    assert!(
        o.ops[1].spikes["hidden"] > 0,
        "the replay kicks drive the hidden cells"
    );
    let measured = o
        .timeline
        .iter()
        .find(|r| r.metric == "foraging")
        .expect("measured");
    assert_eq!(measured.task, "task_1");
    assert!((0.0..=1.0).contains(&measured.value), "{}", measured.value);

    // A measurement runs on a copy: the same schedule with one more measurement in the
    // middle trains exactly the same.
    let o2 = run_text(&protocol(
        &phases,
        "train\n    measure foraging(task_2, length = 3 aeons)\n    nap\n    train",
    ));
    let last = |o: &Outcome| {
        o.ops
            .iter()
            .filter_map(|r| r.forage.clone())
            .next_back()
            .expect("a forage op")
    };
    assert_eq!(last(&o), last(&o2));
}

#[test]
fn a_run_folder_holds_the_performance_per_aeon_and_the_trajectories() {
    let o = run_text(&protocol(TRAIN, "train"));
    let csv = String::from_utf8(somnia::outcome::write::foraging_csv(&o).expect("a csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "op,name,environment,aeon,performance");
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("0,train#0,task_1,1,"), "{csv}");
    let files = somnia::outcome::write::trajectories(&o);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].0, "op0_train_0.npy");
    // 200 moves × 2 uint16 after the .npy header.
    assert!(files[0].1.len() > 800, "{}", files[0].1.len());
}

#[test]
fn an_expectation_without_the_measures_arguments_is_e313_and_says_so() {
    let text = protocol(TRAIN, "train").replace(
        "expect final foraging(task_1, length = 2 aeons) >= 0",
        "expect final foraging(task_1) >= 0",
    );
    let r = check(&text);
    let (message, span) = found(&r, Code::E313);
    assert!(message.contains("never measures"), "{message}");
    assert_eq!(span, "final foraging(task_1)");
    let d = r.diagnostics.iter().find(|d| d.code == Code::E313).unwrap();
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.contains("measured with other arguments"), "{help}");
}
