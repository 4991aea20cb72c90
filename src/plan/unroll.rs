//! Unrolling a schedule into ops: `for` and `repeat` become copies of their bodies, phase
//! calls become ops with their arguments evaluated, `seen` grows with every wake phase.
//! Only `until` stays a loop, with its bound.

use super::expect::{self, Measured};
use super::ir::Op;
use super::params::span_ir;
use super::runnable::Runnable;
use crate::builtins::{Kind, Ty};
use crate::check::eval::Eval;
use crate::check::network::NetworkInfo;
use crate::check::program::ItemId;
use crate::check::protocol::Resolved;
use crate::check::value::{TaskList, TaskRef, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{PhaseDef, Stmt, StmtKind};
use crate::units::Dim;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The most ops a plan may have after unrolling.
pub const MAX_OPS: usize = 100_000;

/// The state of unrolling one schedule.
pub struct Unroll<'a, 'p, 'd> {
    pub ev: &'a mut Eval<'p, 'd>,
    pub res: &'a Resolved<'p>,
    pub net: &'a NetworkInfo,
    pub seed: u64,
    /// Tasks trained so far, in order.
    pub seen: Vec<TaskRef>,
    /// Calls so far of each phase (for stream names).
    pub(super) calls: HashMap<String, u64>,
    count: usize,
    too_large: bool,
    /// Metrics recorded by `measure`, with their labels.
    pub measured: Vec<Measured>,
    /// Phases called, in order (for `before`/`after` in expectations).
    pub phases_called: Vec<String>,
    /// Task lists referred to anywhere in the schedule.
    pub tasks_used: BTreeSet<ItemId>,
    /// Spans of the loops being unrolled, outermost first.
    loops: Vec<Span>,
    /// `measure` statements unrolled so far.
    measures: usize,
    /// Tasks passed as arguments to the current call.
    pub(super) arg_tasks: Vec<TaskRef>,
    /// `seen` at each checkpoint, for `restore`.
    checkpoints: HashMap<String, Vec<TaskRef>>,
    /// Sleep phases that have run with `record true` so far (for `recorded_rates`).
    pub recorded: HashSet<String>,
    /// What the engine can run after the ops so far (E317, E318).
    runnable: Runnable,
}

impl<'a, 'p, 'd> Unroll<'a, 'p, 'd> {
    pub fn new(
        ev: &'a mut Eval<'p, 'd>,
        res: &'a Resolved<'p>,
        net: &'a NetworkInfo,
        seed: u64,
    ) -> Self {
        let errors_before = ev.diags.error_count();
        Unroll {
            ev,
            res,
            net,
            seed,
            seen: Vec::new(),
            calls: HashMap::new(),
            count: 0,
            too_large: false,
            measured: Vec::new(),
            phases_called: Vec::new(),
            tasks_used: BTreeSet::new(),
            loops: Vec::new(),
            checkpoints: HashMap::new(),
            recorded: HashSet::new(),
            measures: 0,
            arg_tasks: Vec::new(),
            runnable: Runnable::new(net, errors_before),
        }
    }

    /// Runs `f` with the schedule's module in scope.
    pub fn in_schedule(&mut self, module: usize, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.ev.module, module);
        f(self);
        self.ev.module = saved;
    }

    pub(super) fn emit(&mut self, op: Op, out: &mut Vec<Op>, span: Span) {
        self.count += 1;
        if self.count > MAX_OPS {
            if !self.too_large {
                self.too_large = true;
                // The outermost loop is what to change; the statement that hit the limit is
                // only where counting stopped.
                let (at, label) = match self.loops.first() {
                    Some(&l) => (l, "this loop unrolls too many operations"),
                    None => (span, "the limit is reached here"),
                };
                self.ev.push(
                    Diagnostic::new(
                        Code::E310,
                        at,
                        format!("the schedule unrolls to more than {MAX_OPS} operations"),
                    )
                    .label(label)
                    .help("use fewer iterations, or longer phases with fewer calls"),
                );
            }
            return;
        }
        self.runnable.op(&op, span, self.ev);
        out.push(op);
    }

    /// Unrolls statements into `out`.
    pub fn stmts(&mut self, body: &[Stmt], out: &mut Vec<Op>) {
        for s in body {
            if self.too_large {
                return;
            }
            // `seen` is the tasks trained so far, as of this statement.
            let seen = Value::Tasks(TaskList {
                tasks: self.seen.clone(),
                single: false,
            });
            self.ev.locals.push(("seen".into(), seen));
            let depth = self.ev.locals.len();
            self.stmt(s, out);
            debug_assert_eq!(
                self.ev.locals.len(),
                depth,
                "statements restore their locals"
            );
            self.ev.locals.pop();
        }
    }

    /// Whether the op limit was reached (the plan is incomplete).
    pub fn too_large(&self) -> bool {
        self.too_large
    }

    fn stmt(&mut self, s: &Stmt, out: &mut Vec<Op>) {
        // A loop's header (`repeat 200000`, `for t in pairs`), without its body.
        let header = match &s.node {
            StmtKind::For { iter, .. } => Some(iter.span),
            StmtKind::Repeat { count, .. } => Some(count.span),
            StmtKind::Until { cond, max, .. } => Some(max.as_ref().map_or(cond.span, |m| m.span)),
            _ => None,
        };
        let is_loop = header.is_some();
        if let Some(h) = header {
            self.loops.push(s.span.to(h).with_end(h.end));
        }
        self.stmt_inner(s, out);
        if is_loop {
            self.loops.pop();
        }
    }

    fn stmt_inner(&mut self, s: &Stmt, out: &mut Vec<Op>) {
        match &s.node {
            StmtKind::Call { name, args } => self.call(name, args, s.span, out),
            StmtKind::For {
                var,
                index,
                iter,
                body,
            } => {
                let v = self.ev.eval(iter);
                let items: Vec<Value> = match v {
                    Value::Tasks(t) => t
                        .tasks
                        .iter()
                        .map(|r| {
                            Value::Tasks(TaskList {
                                tasks: vec![*r],
                                single: true,
                            })
                        })
                        .collect(),
                    Value::List(xs) => xs,
                    Value::Range(a, b) => {
                        (a..=b).map(|i| Value::Num(i as f64, Dim::NONE)).collect()
                    }
                    Value::Unknown(_) => return,
                    other => {
                        self.ev.push(
                            Diagnostic::new(
                                Code::E204,
                                iter.span,
                                format!(
                                    "`for` goes over a list, a range or tasks, not {}",
                                    other.describe()
                                ),
                            )
                            .label("not something to loop over"),
                        );
                        return;
                    }
                };
                for (k, item) in items.into_iter().enumerate() {
                    self.note_tasks(&item);
                    self.ev.locals.push((var.node.clone(), item));
                    if let Some(ix) = index {
                        self.ev
                            .locals
                            .push((ix.node.clone(), Value::Num(k as f64, Dim::NONE)));
                    }
                    self.stmts(body, out);
                    self.ev.locals.pop();
                    if index.is_some() {
                        self.ev.locals.pop();
                    }
                    if self.too_large {
                        return;
                    }
                }
            }
            StmtKind::Repeat { count, body } => {
                let Some(n) = self.count_value(count, "`repeat`") else {
                    // The count was reported; the body is still checked.
                    let mut scratch = Vec::new();
                    self.stmts(body, &mut scratch);
                    return;
                };
                for _ in 0..n {
                    self.stmts(body, out);
                    if self.too_large {
                        return;
                    }
                }
            }
            StmtKind::Until { cond, max, body } => {
                let Some(max) = max else {
                    // E301 is reported by the schedule check; the body is still checked.
                    let mut scratch = Vec::new();
                    self.stmts(body, &mut scratch);
                    return;
                };
                let Some(n) = self.count_value(max, "`max`") else {
                    let mut scratch = Vec::new();
                    self.stmts(body, &mut scratch);
                    return;
                };
                if n == 0 {
                    self.ev.push(
                        Diagnostic::new(Code::E207, max.span, "`max` must be at least 1")
                            .label("the loop would never run"),
                    );
                    return;
                }
                let cond_ir = {
                    let measured: Vec<Measured> = Vec::new();
                    let ctx = expect::Context {
                        measured: &measured,
                        phases: &[],
                        arms: &[],
                        complete: true,
                    };
                    expect::compile_live(self.ev, cond, &ctx)
                };
                let mut inner = Vec::new();
                self.stmts(body, &mut inner);
                if let Some(cond) = cond_ir {
                    let span = span_ir(&self.ev.prog.sources, s.span);
                    self.emit(
                        Op::Until {
                            cond,
                            max: n,
                            body: inner,
                            span,
                        },
                        out,
                        s.span,
                    );
                }
            }
            StmtKind::Measure { metrics, label } => {
                self.measure(metrics, label.as_ref().map(|l| l.node.clone()), s.span, out)
            }
            StmtKind::Checkpoint(name) => {
                self.checkpoints
                    .insert(name.node.clone(), self.seen.clone());
                let span = span_ir(&self.ev.prog.sources, s.span);
                self.emit(
                    Op::Checkpoint {
                        name: name.node.clone(),
                        span,
                    },
                    out,
                    s.span,
                );
            }
            StmtKind::Restore(name) => {
                // The network goes back to the checkpoint, and so do the tasks it has seen.
                if let Some(seen) = self.checkpoints.get(&name.node) {
                    self.seen = seen.clone();
                }
                let span = span_ir(&self.ev.prog.sources, s.span);
                self.emit(
                    Op::Restore {
                        name: name.node.clone(),
                        span,
                    },
                    out,
                    s.span,
                );
            }
        }
    }

    /// A whole number ≥ 0 from an expression (loop counts, bounds).
    fn count_value(&mut self, e: &crate::syntax::ast::Expr, what: &str) -> Option<u64> {
        match self.ev.eval(e) {
            Value::Num(x, d) if d.is_none() && x >= 0.0 && x.fract() == 0.0 => Some(x as u64),
            Value::Num(x, d) if d.is_none() && x < 0.0 => {
                self.ev.push(
                    Diagnostic::new(
                        Code::E208,
                        e.span,
                        format!(
                            "{what} needs a count of 0 or more, found {}",
                            crate::units::format_number(x)
                        ),
                    )
                    .label("negative"),
                );
                None
            }
            Value::Unknown(_) => None,
            other => {
                self.ev.push(
                    Diagnostic::new(
                        Code::E210,
                        e.span,
                        format!("{what} needs a whole number, not {}", other.describe()),
                    )
                    .label("not a count"),
                );
                None
            }
        }
    }

    /// Records every task list a value refers to, inside built-ins and lists too.
    pub fn note_data(&mut self, v: &Value) {
        match v {
            Value::Tasks(t) => self.tasks_used.extend(t.tasks.iter().map(|r| r.set)),
            Value::List(xs) => xs.iter().for_each(|x| self.note_data(x)),
            Value::Builtin(b) => b
                .params
                .values()
                .flatten()
                .for_each(|bound| self.note_data(&bound.value)),
            _ => {}
        }
    }

    pub(super) fn note_tasks(&mut self, v: &Value) {
        if let Value::Tasks(t) = v {
            self.tasks_used.extend(t.tasks.iter().map(|r| r.set));
            self.arg_tasks.extend(t.tasks.iter().copied());
        }
    }

    /// After a wake call that failed (and was reported), carry on as if its task arguments
    /// were trained, so the rest of the schedule is not buried in "nothing trained yet".
    pub(super) fn assume_trained(&mut self, def: &PhaseDef) {
        if def.kind.node == "wake" {
            for t in std::mem::take(&mut self.arg_tasks) {
                if !self.seen.contains(&t) {
                    self.seen.push(t);
                }
            }
        }
    }

    fn measure(
        &mut self,
        metrics: &[crate::syntax::ast::Expr],
        label: Option<String>,
        span: Span,
        out: &mut Vec<Op>,
    ) {
        let mut irs = Vec::new();
        for m in metrics {
            let v = self.ev.eval_want(m, Some(&Ty::Builtin(Kind::Metric)));
            let v = self.ev.conform(v, &Ty::Builtin(Kind::Metric), m.span, None);
            if let Value::Builtin(b) = &v {
                // An empty `seen` was reported (E309) when the argument was checked.
                match b.get("tasks").map(|t| &t.value) {
                    Some(Value::Tasks(list)) => {
                        self.tasks_used.extend(list.tasks.iter().map(|r| r.set))
                    }
                    Some(Value::Unknown(_)) => continue,
                    _ => {}
                }
                let Some(ir) = expect::metric_ir(self.ev, b, m.span) else {
                    continue;
                };
                self.measured.push(Measured {
                    metric: ir.clone(),
                    label: label.clone(),
                    measure: self.measures,
                });
                irs.push(ir);
            }
        }
        self.measures += 1;
        if !irs.is_empty() {
            let span_ir = span_ir(&self.ev.prog.sources, span);
            self.emit(
                Op::Measure {
                    metrics: irs,
                    label,
                    span: span_ir,
                },
                out,
                span,
            );
        }
    }
}
