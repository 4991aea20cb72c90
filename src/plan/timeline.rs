//! The plan as a timeline — a hypnogram in text: one line per op with its kind, length,
//! cumulative biological time and estimated cost.

use super::bind::{Bound, Rule};
use super::compare::{CompareIr, SweepIr};
use super::estimate::bytes;
use super::ir::{ForageKind, Op, ParamIr, Plan, SleepKind, WakeLength};
use std::fmt::Write;

/// The text shown by `somnia plan FILE`.
pub fn timeline(plan: &Plan) -> String {
    let mut out = String::new();
    let e = &plan.estimate;
    let pops = plan.network.populations.len();
    let _ = writeln!(
        out,
        "protocol {} · seed {} · network {} ({} population{}, {} synapses)",
        plan.protocol,
        plan.seed,
        plan.network.name,
        pops,
        if pops == 1 { "" } else { "s" },
        group_digits(e.synapses)
    );
    let _ = writeln!(
        out,
        "memory ≈ {} (weights {}, state {}) · sleep {} steps · {} biological · est. cost {}{}",
        bytes(e.total_bytes),
        bytes(e.weight_bytes),
        bytes(e.state_bytes),
        group_digits(e.sleep_steps),
        seconds(e.bio_seconds),
        seconds(e.seconds),
        if e.sizes.from_data {
            ""
        } else {
            " (task sizes from their caps: the data was not read)"
        }
    );
    if !plan.recordings.is_empty() {
        let what: Vec<String> = plan
            .recordings
            .iter()
            .map(|r| recording_text(&r.recorder.kernel))
            .collect();
        let _ = writeln!(
            out,
            "records ≈ {} on disk: {}",
            bytes(e.record_bytes),
            what.join(", ")
        );
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "{:>4}  {:<10} {:<16} {:<6} {:<28} {:>10} {:>10}",
        "#", "op", "phase", "kind", "length", "bio time", "est. cost"
    );
    let mut bio = 0.0;
    let mut index = 0;
    rows(&plan.ops, plan, 0, &mut index, &mut bio, &mut out);
    out
}

/// Every plan of a file, then its comparisons and sweeps: `somnia plan FILE`.
pub fn file_text(plans: &[Plan], compares: &[CompareIr], sweeps: &[SweepIr]) -> String {
    let texts: Vec<String> = plans.iter().map(timeline).collect();
    let mut out = texts.join("\n");
    for c in compares {
        let _ = writeln!(
            out,
            "\ncompare {} over seeds {}",
            c.name,
            seed_list(&c.seeds)
        );
    }
    for s in sweeps {
        let points: usize = s.axes.iter().map(|(_, v)| v.len()).product();
        let _ = writeln!(
            out,
            "\nsweep {} · {} points × {} seeds {}",
            s.name,
            points,
            s.seeds.len(),
            seed_list(&s.seeds)
        );
    }
    out
}

/// `1..5` for a contiguous run, else `1, 3, 7`.
fn seed_list(s: &[u64]) -> String {
    let contiguous = s.windows(2).all(|w| w[1] == w[0] + 1);
    match (s.first(), s.last()) {
        (Some(a), Some(b)) if contiguous && s.len() > 2 => format!("{a}..{b}"),
        _ => s.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
    }
}

fn rows(ops: &[Op], plan: &Plan, depth: usize, index: &mut usize, bio: &mut f64, out: &mut String) {
    for op in ops {
        let (name, phase, kind, length) = describe(op);
        *bio += super::estimate::bio_time(op, &plan.task_lists);
        let indent = "  ".repeat(depth);
        let c = plan.estimate.op_seconds.get(*index).copied().unwrap_or(0.0);
        let shown_cost = if matches!(op, Op::Until { .. }) {
            format!("≤ {}", seconds(c))
        } else {
            seconds(c)
        };
        let _ = writeln!(
            out,
            "{:>4}  {:<10} {:<16} {:<6} {:<28} {:>10} {:>10}",
            index,
            format!("{indent}{name}"),
            clip(&phase, 16),
            kind,
            clip(&length, 28),
            seconds(*bio),
            shown_cost
        );
        *index += 1;
        if let Op::Until { body, .. } = op {
            rows(body, plan, depth + 1, index, bio, out);
        }
    }
}

fn describe(op: &Op) -> (&'static str, String, &'static str, String) {
    match op {
        Op::Wake {
            phase,
            data,
            length,
            rules,
            ..
        } => {
            let len = match length {
                WakeLength::Epochs(n) => format!("{n} epoch{}", if *n == 1 { "" } else { "s" }),
                WakeLength::Samples(n) => format!("{n} samples"),
            };
            let rules = names(rules);
            (
                "wake",
                phase.clone(),
                "wake",
                format!("{len} on {}{}", data.join(","), rules),
            )
        }
        Op::Sleep {
            kind,
            phase,
            steps,
            dt,
            rules,
            ..
        } => {
            let k = if *kind == SleepKind::Nrem {
                "nrem"
            } else {
                "rem"
            };
            let dt_ms = dt * 1e3;
            (
                "sleep",
                phase.clone(),
                k,
                format!(
                    "{} steps × {} ms{}",
                    group_digits(*steps),
                    crate::units::format_number(dt_ms),
                    names(rules)
                ),
            )
        }
        Op::Forage {
            kind,
            phase,
            environment,
            moves,
            epoch,
            rules,
            ..
        } => (
            if kind.is_sleep() { "sleep" } else { "wake" },
            phase.clone(),
            match kind {
                ForageKind::Wake => "wake",
                ForageKind::Nrem => "nrem",
                ForageKind::Rem => "rem",
            },
            format!(
                "{} moves × {} steps in {environment}{}",
                group_digits(*moves),
                group_digits(*epoch),
                names(rules)
            ),
        ),
        Op::Perturb { phase, shocks, .. } => (
            "perturb",
            phase.clone(),
            "shock",
            shocks
                .iter()
                .map(|s| s.name())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Op::Measure { metrics, label, .. } => {
            let what: Vec<String> = metrics
                .iter()
                .map(|m| match &m.group {
                    Some(g) => format!("{}({g})", m.metric),
                    None => match m.params.values().find_map(|p| match p {
                        ParamIr::Projection { name, .. } | ParamIr::Population { name } => {
                            Some(name.clone())
                        }
                        _ => None,
                    }) {
                        Some(target) => format!("{}({target})", m.metric),
                        None => m.metric.clone(),
                    },
                })
                .collect();
            (
                "measure",
                label
                    .as_ref()
                    .map(|l| format!("\"{l}\""))
                    .unwrap_or_default(),
                "",
                what.join(", "),
            )
        }
        Op::Checkpoint { name, .. } => ("checkpoint", format!("\"{name}\""), "", String::new()),
        Op::Restore { name, .. } => ("restore", format!("\"{name}\""), "", String::new()),
        Op::Until { max, .. } => (
            "until",
            String::new(),
            "loop",
            format!("at most {max} times"),
        ),
    }
}

fn names(rules: &[Bound<Rule>]) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let n: Vec<&str> = rules.iter().map(Bound::label).collect();
    format!(" · {}", n.join(", "))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub use crate::units::group_digits;

/// `0.35 s`, `12 ms`, `2.5 min`
pub fn seconds(s: f64) -> String {
    if s == 0.0 {
        "0 s".into()
    } else if s < 0.01 {
        format!("{:.1} ms", s * 1e3)
    } else if s < 120.0 {
        format!("{s:.2} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// `spikes(h1) during consolidate`, `state(h1, v, 3 neurons)`.
fn recording_text(r: &super::bind::Recorder) -> String {
    use super::bind::Recorder;
    let what = match r {
        Recorder::Spikes(s) => format!("spikes({})", s.population.0),
        Recorder::Rates(x) => format!(
            "rates({}, {})",
            x.population.0,
            crate::units::format_quantity(x.bin, crate::units::Dim::TIME)
        ),
        Recorder::State(s) => format!(
            "state({}, {}, {})",
            s.population.0,
            super::recordings::variable_word(s.variable),
            match &s.neurons {
                Some(n) if n.len() == 1 => "1 neuron".to_string(),
                Some(n) => format!("{} neurons", n.len()),
                None => "every neuron".to_string(),
            }
        ),
    };
    if r.during().is_empty() {
        what
    } else {
        format!("{what} during {}", r.during().join(", "))
    }
}
