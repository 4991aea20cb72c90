//! Phases: kind, parameters, and body settings checked against the kind's context.

use super::eval::Eval;
use super::value::{Bindings, Value};
use crate::builtins::{self, Dynamics, Kind, PhaseKind, Ty};
use crate::diagnostics::{Code, Diagnostic, Suggestion};
use crate::source::Span;
use crate::syntax::ast::{Param, PhaseDef};
use crate::units::Dim;

/// A phase body evaluated with some arguments.
#[derive(Debug, Clone)]
pub struct PhaseInfo {
    pub kind: PhaseKind,
    pub settings: Bindings,
    pub span: Span,
}

/// The phase kind a word names.
pub fn phase_kind(word: &str) -> Option<PhaseKind> {
    builtins::phase_kinds()
        .iter()
        .map(|(k, _)| *k)
        .find(|k| k.word() == word)
}

/// The type a parameter's type name stands for.
pub fn param_type(word: &str) -> Option<Ty> {
    Some(match word {
        "task" => Ty::Task,
        "tasks" => Ty::Tasks,
        "count" | "number" => Ty::Num(Dim::NONE),
        "time" => Ty::Num(Dim::TIME),
        "frequency" => Ty::Num(Dim::FREQUENCY),
        "voltage" => Ty::Num(Dim::VOLTAGE),
        "steps" => Ty::Num(Dim::STEPS),
        "samples" => Ty::Num(Dim::SAMPLES),
        "epochs" => Ty::Num(Dim::EPOCHS),
        "moves" => Ty::Num(Dim::MOVES),
        "bool" => Ty::Bool,
        "string" => Ty::Str,
        "population" => Ty::Population,
        "projection" => Ty::Projection,
        "rule" => Ty::Rule,
        "phase" => Ty::Phase,
        "environment" => Ty::Environment,
        _ => return None,
    })
}

/// Type names from other languages, mapped to somnia's.
fn type_alias(word: &str) -> Option<&'static str> {
    let t = match word {
        "int" | "integer" | "usize" | "uint" | "n" => "count",
        "float" | "real" | "double" | "f64" | "num" => "number",
        "duration" | "ms" | "s" => "time",
        "rate" | "hz" | "Hz" => "frequency",
        "mv" | "mV" | "potential" => "voltage",
        "str" | "text" => "string",
        "boolean" => "bool",
        "list" | "task_list" => "tasks",
        "pop" | "layer" => "population",
        "proj" | "connection" => "projection",
        _ => return None,
    };
    Some(t)
}

/// The parameter type names, for "did you mean".
pub const PARAM_TYPES: &[&str] = &[
    "task",
    "tasks",
    "environment",
    "moves",
    "count",
    "number",
    "time",
    "frequency",
    "voltage",
    "steps",
    "samples",
    "epochs",
    "bool",
    "string",
    "population",
    "projection",
    "rule",
    "phase",
];

impl Eval<'_, '_> {
    /// The declared type of a phase parameter (E113 for an unknown type name).
    pub fn declared_type(&mut self, p: &Param) -> Ty {
        match param_type(&p.ty.node) {
            Some(t) => t,
            None => {
                let d = Diagnostic::new(
                    Code::E113,
                    p.ty.span,
                    format!("unknown type `{}`", p.ty.node),
                )
                .label("not a parameter type");
                let d = match type_alias(&p.ty.node) {
                    Some(t) => d.suggest(Suggestion {
                        message: format!("write `{t}`"),
                        original: p.ty.node.clone(),
                        replacement: t.to_string(),
                        span: p.ty.span,
                    }),
                    None => d.suggest_name(&p.ty.node, p.ty.span, PARAM_TYPES.iter().copied()),
                };
                self.push(d.help_if_none(&format!("parameter types: {}", PARAM_TYPES.join(", "))));
                Ty::Any
            }
        }
    }

    /// Evaluates a phase body with the locals already bound (parameters, `seen`).
    pub fn phase_info(&mut self, def: &PhaseDef) -> Option<PhaseInfo> {
        let Some(kind) = phase_kind(&def.kind.node) else {
            self.push(
                Diagnostic::new(
                    Code::E106,
                    def.kind.span,
                    format!("unknown phase kind `{}`", def.kind.node),
                )
                .label("not a kind of phase")
                .suggest_name(
                    &def.kind.node,
                    def.kind.span,
                    ["wake", "nrem", "rem", "perturb"],
                )
                .help_if_none("a phase is `wake`, `nrem`, `rem` or `perturb`"),
            );
            return None;
        };
        let ctx = builtins::context_for_phase(kind);
        let what = format!("a {} phase", kind.word());
        let settings = self.bind(
            ctx.params,
            &what,
            &[],
            &def.body.settings,
            def.body.span,
            Some(kind),
        );
        self.check_phase_settings(kind, &settings, def);
        Some(PhaseInfo {
            kind,
            settings,
            span: def.span,
        })
    }

    fn check_phase_settings(&mut self, kind: PhaseKind, settings: &Bindings, def: &PhaseDef) {
        if kind != PhaseKind::Perturb && !settings.contains_key("length") {
            let example = if kind == PhaseKind::Wake {
                "`length 2 epochs`"
            } else {
                "`length 15000 steps` or `length 10 s`"
            };
            self.push(
                Diagnostic::new(
                    Code::E306,
                    def.name.span,
                    format!("phase `{}` has no length", def.name.node),
                )
                .label(format!("this {} phase never ends", kind.word()))
                .help(format!("add {example}")),
            );
        }
        if kind == PhaseKind::Wake
            && !settings.contains_key("data")
            && !settings.contains_key("environment")
        {
            self.push(
                Diagnostic::new(
                    Code::E109,
                    def.name.span,
                    format!("wake phase `{}` has no `data`", def.name.node),
                )
                .label("nothing to learn from")
                .help("add `data t` with the tasks whose samples are shown, or `environment e` for an agent acting in a world"),
            );
        }
        // The phase-wide dynamics, when one model is given for all layers.
        let phase_dynamics = settings.get("dynamics").and_then(|ds| {
            ds.iter()
                .find(|d| d.on.is_empty())
                .and_then(|d| match &d.value {
                    Value::Builtin(b) => Some(b.entry.dynamics),
                    _ => None,
                })
        });
        for b in settings.get("plasticity").into_iter().flatten() {
            if let Value::List(rules) = &b.value {
                for r in rules {
                    if let Value::Builtin(rule) = r {
                        self.check_rule_in_phase(
                            rule.entry,
                            rule.name.as_deref(),
                            kind,
                            phase_dynamics,
                            b.span,
                        );
                    }
                }
            }
        }
        for key in ["drive", "encode"] {
            for b in settings.get(key).into_iter().flatten() {
                if let Value::Builtin(d) = &b.value
                    && !d.entry.phases.contains(kind)
                {
                    self.push(
                        Diagnostic::new(
                            Code::E302,
                            b.span,
                            format!(
                                "the drive `{}` is not valid in {} phases",
                                d.entry.name,
                                kind.word()
                            ),
                        )
                        .label(format!("allowed in {}", d.entry.phases.describe())),
                    );
                }
            }
        }
        for b in settings.get("modulate").into_iter().flatten() {
            if let Value::List(ms) = &b.value {
                for m in ms {
                    if let Value::Builtin(m) = m
                        && m.entry.kind == Kind::Modulator
                        && !m.entry.phases.contains(kind)
                    {
                        self.push(
                            Diagnostic::new(
                                Code::E302,
                                b.span,
                                format!(
                                    "`{}` is not valid in {} phases",
                                    m.entry.name,
                                    kind.word()
                                ),
                            )
                            .label(format!("allowed in {}", m.entry.phases.describe())),
                        );
                    }
                }
            }
        }
        if kind.is_sleep() && !settings.contains_key("plasticity") {
            self.push(
                Diagnostic::new(
                    Code::W007,
                    def.name.span,
                    format!("sleep phase `{}` has no plasticity", def.name.node),
                )
                .label("no weight changes during this phase")
                .help("add `plasticity <rule>`, or this phase only costs time"),
            );
        }
    }

    /// E302 (rule not valid in this kind of phase) and E307 (not with these dynamics).
    pub fn check_rule_in_phase(
        &mut self,
        rule: &builtins::Builtin,
        name: Option<&str>,
        kind: PhaseKind,
        dynamics: Option<Dynamics>,
        span: Span,
    ) {
        let shown = name.unwrap_or(rule.name);
        if !rule.phases.contains(kind) {
            let help = match rule.name {
                "backprop" => "backprop learns from labelled data; sleep phases use local rules such as `src_stdp` or `stdp`".to_string(),
                _ => format!("`{}` is allowed in {}", rule.name, rule.phases.describe()),
            };
            self.push(
                Diagnostic::new(
                    Code::E302,
                    span,
                    format!(
                        "`{shown}` ({}) is not valid in {} phases",
                        rule.name,
                        kind.word()
                    ),
                )
                .label(format!("not allowed in {} phases", kind.word()))
                .help(help),
            );
            // One mistake, one error: its dynamics are beside the point here.
            return;
        }
        if let Some(d) = dynamics
            && !rule.dynamics.compatible(d)
        {
            self.push(
                Diagnostic::new(
                    Code::E307,
                    span,
                    format!(
                        "`{shown}` ({}) needs {} dynamics, but the phase runs {} dynamics",
                        rule.name,
                        rule.dynamics.word(),
                        d.word()
                    ),
                )
                .label("rule and dynamics disagree")
                .help(match rule.dynamics {
                    Dynamics::Rate => "use a rate model such as `dynamics relu` in this phase",
                    _ => "use a spiking model such as `dynamics lif` or `dynamics integrate_fire`",
                }),
            );
        }
    }
}
