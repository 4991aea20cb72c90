//! Binding arguments and settings to the parameters of a built-in or a block, and checking
//! each value against the parameter's type, dimension and range.

use super::eval::Eval;
use super::value::{Bindings, Bound, Value};
use crate::builtins::{self, Kind, Param, PhaseKind, Range, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, Arg, Setting};
use crate::units::{Dim, format_number};

impl Eval<'_, '_> {
    /// Binds positional and named arguments, then block settings, to `params`.
    ///
    /// `what` names the thing for messages ("`backprop`", "a wake phase"); `phase` is the
    /// kind of the phase whose body is bound, so a setting of another kind of phase is
    /// reported as misplaced (E303) rather than unknown.
    pub fn bind(
        &mut self,
        params: &'static [Param],
        what: &str,
        args: &[Arg],
        settings: &[Setting],
        span: Span,
        phase: Option<PhaseKind>,
    ) -> Bindings {
        let mut out = Bindings::new();
        let mut next = 0;
        for arg in args {
            let param = match &arg.name {
                Some(name) => match params.iter().find(|p| p.name == name.node) {
                    Some(p) => p,
                    None => {
                        self.unknown_param(params, what, &name.node, name.span, None);
                        self.eval(&arg.value);
                        continue;
                    }
                },
                None => {
                    while next < params.len()
                        && out.contains_key(params[next].name)
                        && !params[next].variadic
                    {
                        next += 1;
                    }
                    match params.get(next) {
                        Some(p) => p,
                        None => {
                            self.push(
                                Diagnostic::new(
                                    Code::E112,
                                    arg.value.span,
                                    format!("too many arguments to {what}"),
                                )
                                .label("this argument has no parameter")
                                .help(format!("{what} takes {}", signature(params))),
                            );
                            self.eval(&arg.value);
                            continue;
                        }
                    }
                }
            };
            if !param.variadic && out.contains_key(param.name) {
                self.given_twice(
                    &out,
                    param,
                    arg.name
                        .as_ref()
                        .map_or(arg.value.span, |n| n.span.to(arg.value.span)),
                );
                continue;
            }
            let v = self.eval_want(&arg.value, Some(&param.ty));
            let v = self.conform(v, &param.ty, arg.value.span, Some(param));
            let whole = arg
                .name
                .as_ref()
                .map_or(arg.value.span, |n| n.span.to(arg.value.span));
            out.entry(param.name).or_default().push(Bound {
                value: v,
                span: arg.value.span,
                whole,
                on: Vec::new(),
                window: None,
            });
        }
        for s in settings {
            self.bind_setting(params, what, s, phase, &mut out);
        }
        for p in params {
            if p.is_required() && !out.contains_key(p.name) {
                self.push(
                    Diagnostic::new(Code::E109, span, format!("{what} needs `{}`", p.name))
                        .label(format!("`{}` is missing", p.name))
                        .help(format!(
                            "`{}`: {} — {}, e.g. {}",
                            p.name,
                            p.doc,
                            p.ty.describe(),
                            example(&p.ty)
                        )),
                );
            }
        }
        out
    }

    fn bind_setting(
        &mut self,
        params: &'static [Param],
        what: &str,
        s: &Setting,
        phase: Option<PhaseKind>,
        out: &mut Bindings,
    ) {
        let Some(param) = params.iter().find(|p| p.name == s.name.node) else {
            self.unknown_param(params, what, &s.name.node, s.name.span, phase);
            for v in &s.values {
                if let ast::Value::Expr(e) = v {
                    self.eval(e);
                }
            }
            return;
        };
        if !param.repeat && out.contains_key(param.name) {
            self.given_twice(out, param, s.span);
            return;
        }
        if s.by && param.name != "scale" {
            self.push(
                Diagnostic::new(
                    Code::E107,
                    s.name.span,
                    format!("`{} by` is not a setting", param.name),
                )
                .label("only `scale` is written with `by`"),
            );
        }
        let value = if s.values.len() > 1 {
            let elem = match param.ty {
                Ty::List(t) => t,
                Ty::OneOf(ts) => ts
                    .iter()
                    .find_map(|t| if let Ty::List(e) = t { Some(*e) } else { None })
                    .unwrap_or(&param.ty),
                _ => {
                    let extra = s.values[1].span().to(s.values[s.values.len() - 1].span());
                    self.push(
                        Diagnostic::new(
                            Code::E112,
                            extra,
                            format!("`{}` takes one value", param.name),
                        )
                        .label("extra values")
                        .help(format!(
                            "`{}` is {}",
                            param.name,
                            param.ty.describe()
                        )),
                    );
                    &param.ty
                }
            };
            let items = s.values.iter().map(|v| self.eval_value(v, elem)).collect();
            Value::List(items)
        } else {
            let v = &s.values[0];
            self.eval_value_with(v, &param.ty, Some(param))
        };
        let on = match &s.on {
            Some(targets) if param.targets => targets
                .node
                .iter()
                .map(|t| (self.target(t), t.span))
                .collect(),
            Some(targets) => {
                self.push(
                    Diagnostic::new(Code::E107, targets.span, format!("`{}` does not take `on`", param.name))
                        .label("`on` is not accepted here")
                        .help("`on` restricts settings such as `dynamics` and `dropout` to some populations"),
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        let window = match &s.window {
            Some(w) if param.window => {
                let (a, b) = &w.node;
                let wa = self.window_side(a);
                let wb = self.window_side(b);
                Some([(wa, a.span), (wb, b.span)])
            }
            Some(w) => {
                self.push(
                    Diagnostic::new(
                        Code::E107,
                        w.span,
                        format!("`{}` does not take `window`", param.name),
                    )
                    .label("only `drive` takes a window"),
                );
                None
            }
            None => None,
        };
        // The values, not the setting name: what a range or kind error should underline.
        let values_span = s.values[0].span().to(s.values[s.values.len() - 1].span());
        out.entry(param.name).or_default().push(Bound {
            value,
            span: values_span,
            whole: s.span,
            on,
            window,
        });
    }

    fn window_side(&mut self, e: &ast::Expr) -> Value {
        let v = self.eval(e);
        let side = Param {
            range: Range::Positive,
            whole: true,
            ..builtins::param("window", Ty::Num(Dim::NONE), "window side")
        };
        self.conform(v, &Ty::Num(Dim::NONE), e.span, Some(&side))
    }

    /// A target of `on`: a population or a projection.
    pub fn target(&mut self, e: &ast::Expr) -> Value {
        let v = self.eval_want(e, Some(&Ty::OneOf(&[Ty::Population, Ty::Projection])));
        match v {
            Value::Population(_) | Value::Projection(_) | Value::Unknown(_) => v,
            other => {
                self.push(
                    Diagnostic::new(
                        Code::E204,
                        e.span,
                        format!(
                            "`on` takes populations or projections, not {}",
                            other.describe()
                        ),
                    )
                    .label("not a population or projection"),
                );
                Value::Unknown(Ty::Population)
            }
        }
    }

    /// Evaluates a value position and checks it against a parameter.
    pub fn eval_value_with(&mut self, v: &ast::Value, ty: &Ty, p: Option<&Param>) -> Value {
        let (raw, span) = match v {
            ast::Value::Expr(e) => (self.eval_want(e, Some(ty)), e.span),
            ast::Value::Spec(s) => (self.eval_spec(s, ty), s.span),
        };
        self.conform(raw, ty, span, p)
    }

    fn given_twice(&mut self, out: &Bindings, param: &Param, span: Span) {
        let first = out[param.name][0].whole;
        self.push(
            Diagnostic::new(Code::E108, span, format!("`{}` is given twice", param.name))
                .label("given again here")
                .secondary(first, "first given here")
                .help("remove one of them"),
        );
    }

    fn unknown_param(
        &mut self,
        params: &'static [Param],
        what: &str,
        name: &str,
        span: Span,
        phase: Option<PhaseKind>,
    ) {
        if let Some(kind) = phase {
            let other = [PhaseKind::Wake, PhaseKind::Nrem, PhaseKind::Perturb]
                .into_iter()
                .filter(|k| {
                    builtins::context_for_phase(*k).name != builtins::context_for_phase(kind).name
                })
                .find(|k| builtins::context_for_phase(*k).param(name).is_some());
            if let Some(k) = other {
                let kinds = if k.is_sleep() {
                    "sleep (nrem and rem)".to_string()
                } else {
                    k.word().to_string()
                };
                self.push(
                    Diagnostic::new(
                        Code::E303,
                        span,
                        format!("`{name}` is not a setting of {} phases", kind.word()),
                    )
                    .label(format!("`{name}` belongs to {kinds} phases"))
                    .help(misplaced_help(name, kind)),
                );
                return;
            }
        }
        let mut d = Diagnostic::new(Code::E107, span, format!("{what} has no setting `{name}`"))
            .label("unknown setting")
            .suggest_name(name, span, params.iter().map(|p| p.name));
        if d.help.is_none() {
            if let Some(alias) = length_alias(name) {
                d = d.help(alias);
            } else {
                let names: Vec<&str> = params.iter().map(|p| p.name).collect();
                d = d.help(if names.is_empty() {
                    format!("{what} takes no settings")
                } else {
                    format!("{what} takes: {}", names.join(", "))
                });
            }
        }
        self.push(d);
    }

    /// Checks a value against a type, reporting a mismatch and any range violation.
    pub fn conform(&mut self, v: Value, ty: &Ty, span: Span, p: Option<&Param>) -> Value {
        if let Value::Unknown(t) = v {
            if let Ty::Num(have) = t {
                let dims = ty.dims();
                if !dims.is_empty() && !dims.contains(&have) && !matches!(ty, Ty::List(_)) {
                    self.wrong_dimension(&dims, &have.a_value(), have.is_none(), span, p);
                    return Value::Unknown(*ty);
                }
            }
            return Value::Unknown(t);
        }
        match ty {
            Ty::List(elem) => match v {
                Value::List(xs) => Value::List(
                    xs.into_iter()
                        .map(|x| self.conform(x, elem, span, p))
                        .collect(),
                ),
                Value::Range(a, b) if matches!(elem, Ty::Num(d) if d.is_none()) => {
                    let n = super::limits::range_len(a, b);
                    if n > super::limits::MAX_VALUES {
                        self.push(super::limits::too_many_values(span, n, "this range"));
                        return Value::Unknown(*ty);
                    }
                    Value::List((a..=b).map(|i| Value::Num(i as f64, Dim::NONE)).collect())
                }
                single => {
                    let one = self.conform(single, elem, span, p);
                    Value::List(vec![one])
                }
            },
            Ty::OneOf(ts) => match ts.iter().find(|t| accepts(&v, t)) {
                Some(t) => self.conform(v, t, span, p),
                None => {
                    self.mismatch(&v, ty, span, p);
                    Value::Unknown(*ty)
                }
            },
            Ty::Tasks | Ty::Task if matches!(&v, Value::Tasks(t) if t.tasks.is_empty()) => {
                self.push(
                    Diagnostic::new(Code::E309, span, "no task has been trained yet")
                        .label("this task list is empty here")
                        .help("`seen` grows with every wake phase; use it after one, or name the tasks (`pairs`)"),
                );
                Value::Unknown(*ty)
            }
            _ if accepts(&v, ty) => {
                if let Some(p) = p {
                    self.check_range(&v, p, span);
                }
                v
            }
            _ => {
                self.mismatch(&v, ty, span, p);
                Value::Unknown(*ty)
            }
        }
    }

    fn mismatch(&mut self, v: &Value, ty: &Ty, span: Span, p: Option<&Param>) {
        let dims = ty.dims();
        if let Value::Num(_, have) = v
            && !dims.is_empty()
        {
            self.wrong_dimension(&dims, &v.describe(), have.is_none(), span, p);
            return;
        }
        let of = p.map(|p| format!(" for `{}`", p.name)).unwrap_or_default();
        let recorder = matches!(v, Value::Builtin(b) if b.entry.kind == Kind::Recorder);
        self.push(
            Diagnostic::new(
                Code::E204,
                span,
                format!("expected {}{of}, found {}", ty.describe(), v.describe()),
            )
            .label(format!("this is {}", v.describe()))
            .maybe_help(recorder.then(|| builtins::RECORDER_PLACE.to_string())),
        );
    }

    fn wrong_dimension(
        &mut self,
        dims: &[Dim],
        found: &str,
        unitless: bool,
        span: Span,
        p: Option<&Param>,
    ) {
        let wanted: Vec<String> = dims.iter().map(|d| d.a_value()).collect();
        let of = p
            .map(|p| format!("`{}` needs ", p.name))
            .unwrap_or_else(|| "expected ".into());
        let mut d = Diagnostic::new(
            Code::E205,
            span,
            format!("{of}{}, found {found}", wanted.join(" or ")),
        )
        .label("wrong dimension");
        if unitless {
            let example = match dims[0] {
                Dim::TIME => "`100 ms`",
                Dim::FREQUENCY => "`20 Hz`",
                Dim::VOLTAGE => "`-65 mV`",
                Dim::STEPS => "`1000 steps`",
                Dim::SAMPLES => "`5000 samples`",
                Dim::EPOCHS => "`2 epochs`",
                _ => "a unit",
            };
            d = d.help(format!("add a unit, e.g. {example}"));
        }
        self.push(d);
    }

    /// Checks a number (or each number of a list) against a parameter's range.
    fn check_range(&mut self, v: &Value, p: &Param, span: Span) {
        let Value::Num(x, dim) = v else {
            return;
        };
        let mut shown = crate::units::format_quantity(*x, *dim);
        // Fractions are often written in percent; show both.
        let upper = match p.range {
            Range::Probability => Some(1.0),
            Range::Between(_, hi) => Some(hi),
            _ => None,
        };
        if dim.is_none() && upper.is_some_and(|h| h <= 1.0) {
            shown = format!("{shown} ({} %)", crate::units::format_number(x * 100.0));
        }
        if !x.is_finite() {
            self.push(
                Diagnostic::new(Code::E209, span, format!("`{}` is not finite", p.name))
                    .label("infinite or not a number"),
            );
            return;
        }
        if p.whole && x.fract() != 0.0 {
            self.push(
                Diagnostic::new(
                    Code::E210,
                    span,
                    format!("`{}` must be a whole number, found {shown}", p.name),
                )
                .label("not a whole number")
                .help(format!("`{}`: {}", p.name, p.doc)),
            );
        }
        let (ok, code, needs) = match p.range {
            Range::Any => (true, Code::E211, String::new()),
            Range::Positive => (*x > 0.0, Code::E207, "greater than 0".to_string()),
            Range::NonNegative => (*x >= 0.0, Code::E208, "0 or more".to_string()),
            Range::Probability => (
                (0.0..=1.0).contains(x),
                Code::E206,
                "between 0 and 1 (0 % to 100 %)".to_string(),
            ),
            Range::Between(lo, hi) => (
                *x >= lo && *x <= hi,
                Code::E211,
                format!("between {} and {}", format_number(lo), format_number(hi)),
            ),
        };
        if !ok {
            self.push(
                Diagnostic::new(
                    code,
                    span,
                    format!("`{}` must be {needs}, found {shown}", p.name),
                )
                .label("out of range")
                .help(format!("`{}`: {}", p.name, p.doc)),
            );
        }
    }
}

/// Whether a value has the shape of a type (dimensions included, ranges not).
pub fn accepts(v: &Value, ty: &Ty) -> bool {
    match (ty, v) {
        (_, Value::Unknown(_)) | (Ty::Any, _) => true,
        (Ty::Num(d), Value::Num(_, h)) => d == h,
        (Ty::AnyNum, Value::Num(..)) => true,
        (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Str, Value::Str(_)) => true,
        (Ty::Symbol(words), Value::Symbol(s)) => words.contains(&s.as_str()),
        (Ty::Task, Value::Tasks(t)) => t.single,
        (Ty::Tasks, Value::Tasks(_)) => true,
        (Ty::Dataset, Value::Dataset(_)) => true,
        (Ty::Environment, Value::Environment(_)) => true,
        (Ty::Population, Value::Population(_)) => true,
        (Ty::Projection, Value::Projection(_)) => true,
        (Ty::Rule, Value::Builtin(b)) => b.entry.kind == builtins::Kind::Rule,
        (Ty::Phase, Value::Phase(_)) => true,
        (Ty::Network, Value::Network(_)) => true,
        (Ty::Builtin(k), Value::Builtin(b)) => b.entry.kind == *k,
        (Ty::BuiltinOf(k, names), Value::Builtin(b)) => {
            b.entry.kind == *k && names.contains(&b.entry.name)
        }
        (Ty::List(t), Value::List(xs)) => xs.iter().all(|x| accepts(x, t)),
        (Ty::List(t), Value::Range(..)) => matches!(t, Ty::Num(d) if d.is_none()),
        (Ty::List(t), other) => accepts(other, t),
        (Ty::OneOf(ts), v) => ts.iter().any(|t| accepts(v, t)),
        _ => false,
    }
}

/// `a, b = default` for "takes ..." help.
fn signature(params: &[Param]) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|p| {
            if p.is_required() {
                p.name.to_string()
            } else {
                format!("{} = {}", p.name, p.default_text())
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// Help for the length settings of the design sketch (`epochs 2`, `steps 100`).
fn length_alias(name: &str) -> Option<String> {
    match name {
        "epochs" | "samples" | "steps" | "duration" | "time" => Some(format!(
            "a phase's length is one setting with a unit: `length 2 epochs`, `length 15000 steps`, `length 10 s` (not `{name}`)"
        )),
        _ => None,
    }
}

fn misplaced_help(name: &str, kind: PhaseKind) -> String {
    match (name, kind) {
        ("drive", PhaseKind::Wake) => {
            "wake phases take their input from `data`; `encode` sets how samples become spikes"
                .into()
        }
        ("data", _) => {
            "sleep phases have no data; use `drive` (e.g. `drive bernoulli(mean_image(seen))`)"
                .into()
        }
        ("apply", _) => {
            "shocks go in a `perturb` phase: `phase shock = perturb { apply lesion(h1, 10 %) }`"
                .into()
        }
        _ => format!("move `{name}` to a phase of the right kind"),
    }
}

/// A short example of a value of a type, for help texts.
fn example(ty: &Ty) -> String {
    let text = match ty {
        Ty::Num(d) => match *d {
            Dim::TIME => "100 ms",
            Dim::FREQUENCY => "20 Hz",
            Dim::VOLTAGE => "-65 mV",
            Dim::STEPS => "1000 steps",
            Dim::SAMPLES => "500 samples",
            Dim::EPOCHS => "2 epochs",
            _ => "0.5",
        },
        Ty::AnyNum | Ty::Any => "0.5",
        Ty::Bool => "true",
        Ty::Str => "\"data/mnist-10k\"",
        Ty::Task => "pairs[0]",
        Ty::Tasks => "pairs",
        Ty::Dataset => "mnist",
        Ty::Environment => "task_1",
        Ty::Population => "h1",
        Ty::Projection => "x -> h1",
        Ty::Rule => "sgd",
        Ty::Phase => "learn",
        Ty::Network => "mlp",
        Ty::Builtin(k) => builtins::names_of(*k).next().unwrap_or("…"),
        Ty::BuiltinOf(_, names) => names.first().copied().unwrap_or("…"),
        Ty::Symbol(words) => words.first().copied().unwrap_or("…"),
        Ty::List(t) => return format!("`[{}, …]`", example(t).trim_matches('`')),
        Ty::OneOf(ts) => return ts.first().map_or_else(|| "…".to_string(), example),
    };
    format!("`{text}`")
}
