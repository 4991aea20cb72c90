//! Binary operators: arithmetic with dimensions, comparisons, logic, ranges, projections.

use super::eval::{Eval, Member};
use super::value::{Projection, Value};
use crate::builtins::{Kind, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::BinOp;
use crate::units::Dim;
use std::rc::Rc;

/// Applies a binary operator.
pub fn binary(
    ev: &mut Eval,
    op: BinOp,
    l: Value,
    r: Value,
    ls: Span,
    rs: Span,
    span: Span,
) -> Value {
    use BinOp::*;
    match op {
        Add | Sub | Mul | Div | Pow => arithmetic(ev, op, l, r, ls, rs, span),
        Lt | Le | Gt | Ge | Eq | Ne => compare(ev, op, l, r, ls, rs),
        And | Or => match (l, r) {
            (Value::Bool(a), Value::Bool(b)) => {
                Value::Bool(if op == And { a && b } else { a || b })
            }
            (Value::Unknown(_), _) | (_, Value::Unknown(_)) => Value::Unknown(Ty::Bool),
            (a, b) => {
                let what = format!("`{}` needs `true` or `false`", op.symbol());
                wrong_operand(
                    ev,
                    (&a, ls),
                    (&b, rs),
                    |v| matches!(v, Value::Bool(_)),
                    &what,
                    "not a condition",
                );
                Value::Unknown(Ty::Bool)
            }
        },
        Range => range(ev, l, r, ls, rs),
        Arrow => projection(ev, l, r, ls, rs, span),
    }
}

fn arithmetic(
    ev: &mut Eval,
    op: BinOp,
    l: Value,
    r: Value,
    ls: Span,
    rs: Span,
    span: Span,
) -> Value {
    use BinOp::*;
    let (dl, dr) = (dim_of(&l), dim_of(&r));
    match (l, r) {
        (Value::Num(a, da), Value::Num(b, db)) => match op {
            Add | Sub => {
                if da != db {
                    mismatch(ev, op, da, db, ls, rs);
                    return Value::Unknown(Ty::Num(da));
                }
                Value::Num(if op == Add { a + b } else { a - b }, da)
            }
            Mul => Value::Num(a * b, da * db),
            Div => {
                if b == 0.0 {
                    ev.push(
                        Diagnostic::new(Code::E212, rs, "division by zero")
                            .label("this is zero")
                            .secondary(span, "in this division"),
                    );
                    return Value::Unknown(Ty::Num(da / db));
                }
                Value::Num(a / b, da / db)
            }
            Pow => {
                if !db.is_none() {
                    ev.push(
                        Diagnostic::new(Code::E202, rs, "an exponent must be dimensionless")
                            .label(format!("this is a {} value", db.name())),
                    );
                    return Value::Unknown(Ty::AnyNum);
                }
                if !da.is_none() && b.fract() != 0.0 {
                    ev.push(
                        Diagnostic::new(
                            Code::E210,
                            rs,
                            "a quantity with a unit can only be raised to a whole power",
                        )
                        .label("not a whole number")
                        .secondary(ls, format!("this is a {} value", da.name())),
                    );
                    return Value::Unknown(Ty::AnyNum);
                }
                Value::Num(a.powf(b), da.pow(b as i8))
            }
            _ => unreachable!("not arithmetic"),
        },
        // A scaling recipe times a number: `activation_max(seen) * 55.9`.
        (Value::Builtin(b), Value::Num(x, d)) | (Value::Num(x, d), Value::Builtin(b))
            if b.entry.kind == Kind::Recipe && d.is_none() && matches!(op, Mul | Div) =>
        {
            if op == Div && x == 0.0 {
                ev.push(
                    Diagnostic::new(Code::E212, rs, "division by zero")
                        .label("this is zero")
                        .secondary(span, "in this division"),
                );
                return Value::Unknown(Ty::Builtin(Kind::Recipe));
            }
            let mut scaled = (*b).clone();
            scaled.factor = if op == Mul {
                b.factor * x
            } else {
                b.factor / x
            };
            Value::Builtin(Rc::new(scaled))
        }
        // Element-wise on lists: `[0.95, 0.65, 0.35] * 1.1`.
        (Value::List(xs), n @ Value::Num(..)) => Value::List(
            xs.into_iter()
                .map(|x| arithmetic(ev, op, x, n.clone(), ls, rs, span))
                .collect(),
        ),
        (n @ Value::Num(..), Value::List(xs)) => Value::List(
            xs.into_iter()
                .map(|x| arithmetic(ev, op, n.clone(), x, ls, rs, span))
                .collect(),
        ),
        (Value::Unknown(t), other) | (other, Value::Unknown(t)) => {
            if matches!(op, Add | Sub)
                && let (Some(da), Some(db)) = (dl, dr)
                && da != db
            {
                mismatch(ev, op, da, db, ls, rs);
                return Value::Unknown(Ty::Num(da));
            }
            unknown_arith(op, t, other)
        }
        (a, b) => {
            let what = format!("`{}` needs numbers", op.symbol());
            wrong_operand(
                ev,
                (&a, ls),
                (&b, rs),
                |v| matches!(v, Value::Num(..)),
                &what,
                "not a number",
            );
            Value::Unknown(Ty::AnyNum)
        }
    }
}

/// The type of an arithmetic result when one side is not known yet.
fn unknown_arith(op: BinOp, t: Ty, other: Value) -> Value {
    use BinOp::*;
    let known = |t: Ty| match t {
        Ty::Num(d) => Some(d),
        _ => None,
    };
    let od = match other {
        Value::Num(_, d) => Some(d),
        Value::Unknown(t) => known(t),
        _ => None,
    };
    match (known(t), od, op) {
        (Some(a), Some(_), Add | Sub) => Value::Unknown(Ty::Num(a)),
        (Some(a), Some(b), Mul) => Value::Unknown(Ty::Num(a * b)),
        (Some(a), Some(b), Div) => Value::Unknown(Ty::Num(a / b)),
        _ => Value::Unknown(Ty::AnyNum),
    }
}

/// E204 for an operator given the wrong kind of operand: points at the side that does not
/// `fit` (the right one when the left fits).
fn wrong_operand(
    ev: &mut Eval,
    l: (&Value, Span),
    r: (&Value, Span),
    fits: impl Fn(&Value) -> bool,
    what: &str,
    label: &str,
) {
    let (bad, at) = if fits(l.0) { r } else { l };
    ev.push(
        Diagnostic::new(Code::E204, at, format!("{what}, not {}", bad.describe())).label(label),
    );
}

/// The dimension of a number, known or not.
fn dim_of(v: &Value) -> Option<Dim> {
    match v {
        Value::Num(_, d) | Value::Unknown(Ty::Num(d)) => Some(*d),
        _ => None,
    }
}

fn mismatch(ev: &mut Eval, op: BinOp, da: Dim, db: Dim, ls: Span, rs: Span) {
    let verb = if op == BinOp::Add { "add" } else { "subtract" };
    let mut d = Diagnostic::new(
        Code::E202,
        ls,
        format!("cannot {verb} {} and {}", da.name(), db.name()),
    )
    .label(format!("this is {}", da.name()))
    .secondary(rs, format!("this is {}", db.name()));
    if da.is_none() || db.is_none() {
        d = d.help("give the plain number a unit, e.g. `5000 steps`");
    } else if [da, db]
        .iter()
        .all(|d| [Dim::STEPS, Dim::SAMPLES, Dim::EPOCHS].contains(d))
    {
        d = d.help("steps, samples and epochs are different counts and never mix");
    }
    ev.push(d);
}

fn compare(ev: &mut Eval, op: BinOp, l: Value, r: Value, ls: Span, rs: Span) -> Value {
    use BinOp::*;
    match (&l, &r) {
        (Value::Num(a, da), Value::Num(b, db)) => {
            if da != db {
                ev.push(
                    Diagnostic::new(
                        Code::E202,
                        ls,
                        format!("cannot compare {} with {}", da.name(), db.name()),
                    )
                    .label(format!("this is {}", da.name()))
                    .secondary(rs, format!("this is {}", db.name())),
                );
                return Value::Unknown(Ty::Bool);
            }
            Value::Bool(match op {
                Lt => a < b,
                Le => a <= b,
                Gt => a > b,
                Ge => a >= b,
                Eq => a == b,
                _ => a != b,
            })
        }
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => {
            // An outcome value or a phase parameter: its dimension is known even if its value
            // is not (`final rates(h) < 20` compares a frequency with a number).
            if let (Some(da), Some(db)) = (dim_of(&l), dim_of(&r))
                && da != db
            {
                ev.push(
                    Diagnostic::new(
                        Code::E202,
                        rs,
                        format!("cannot compare {} with {}", da.name(), db.name()),
                    )
                    .label(format!("this is {}", db.a_value()))
                    .secondary(ls, format!("this is {}", da.a_value()))
                    .maybe_help(
                        da.is_none()
                            .then(|| {
                                "drop the unit, or compare with a quantity of the same dimension"
                                    .to_string()
                            })
                            .or_else(|| {
                                db.is_none()
                                    .then(|| format!("give the number a unit of {}", da.name()))
                            }),
                    ),
                );
            }
            Value::Unknown(Ty::Bool)
        }
        _ if matches!(op, Eq | Ne) => Value::Bool((l == r) == (op == Eq)),
        _ => {
            let what = format!("`{}` compares numbers", op.symbol());
            wrong_operand(
                ev,
                (&l, ls),
                (&r, rs),
                |v| matches!(v, Value::Num(..)),
                &what,
                "not a number",
            );
            Value::Unknown(Ty::Bool)
        }
    }
}

fn range(ev: &mut Eval, l: Value, r: Value, ls: Span, rs: Span) -> Value {
    let whole = |v: &Value| match v {
        Value::Num(x, d) if d.is_none() && x.fract() == 0.0 && x.abs() < 1e15 => Some(*x as i64),
        _ => None,
    };
    match (whole(&l), whole(&r)) {
        (Some(a), Some(b)) => Value::Range(a, b),
        _ if l.is_unknown() || r.is_unknown() => Value::Unknown(Ty::List(&Ty::Num(Dim::NONE))),
        (None, _) => {
            ev.push(
                Diagnostic::new(Code::E210, ls, "a range runs between whole numbers")
                    .label(format!("this is {}", l.describe())),
            );
            Value::Unknown(Ty::List(&Ty::Num(Dim::NONE)))
        }
        (_, None) => {
            ev.push(
                Diagnostic::new(Code::E210, rs, "a range runs between whole numbers")
                    .label(format!("this is {}", r.describe())),
            );
            Value::Unknown(Ty::List(&Ty::Num(Dim::NONE)))
        }
    }
}

fn projection(ev: &mut Eval, l: Value, r: Value, ls: Span, rs: Span, span: Span) -> Value {
    match (l, r) {
        (Value::Population(a), Value::Population(b)) => {
            if let Some(members) = ev.members() {
                let found = members.values().find_map(|m| match m {
                    Member::Projection(p) if p.from == a && p.to == b => Some(p.clone()),
                    _ => None,
                });
                return match found {
                    Some(p) => Value::Projection(p),
                    None => {
                        ev.push(
                            Diagnostic::new(Code::E111, span, format!("the network has no projection `{a} -> {b}`"))
                                .label("not connected in this protocol's network")
                                .help("add `connect` for it in the network, or name an existing projection"),
                        );
                        Value::Unknown(Ty::Projection)
                    }
                };
            }
            Value::Projection(Projection {
                from: a,
                to: b,
                name: None,
            })
        }
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => Value::Unknown(Ty::Projection),
        (a, b) => {
            let fits = |v: &Value| matches!(v, Value::Population(_));
            wrong_operand(
                ev,
                (&a, ls),
                (&b, rs),
                fits,
                "`->` joins populations",
                "not a population",
            );
            Value::Unknown(Ty::Projection)
        }
    }
}
