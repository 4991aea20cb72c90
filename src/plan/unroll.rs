//! Unrolling a schedule into ops: `for` and `repeat` become copies of their bodies, phase
//! calls become ops with their arguments evaluated, `seen` grows with every wake phase.
//! Only `until` stays a loop, with its bound.

use super::expect::{self, Measured};
use super::ir::Op;
use super::params::span_ir;
use super::runnable::Runnable;
use crate::builtins::{Kind, Ty};
use crate::check::eval::Eval;
use crate::check::limits::{range_len, size_text};
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
pub use crate::check::limits::MAX_OPS;

/// A loop being unrolled: its header, how many times it runs, which iteration this is.
#[derive(Debug, Clone, Copy)]
struct Frame {
    span: Span,
    n: u64,
    k: u64,
}

/// What a `for` goes over, without copying a range into a list.
enum Items {
    Tasks(Vec<TaskRef>),
    List(Vec<Value>),
    Range(i64, u64),
}

impl Items {
    fn len(&self) -> u64 {
        match self {
            Items::Tasks(t) => t.len() as u64,
            Items::List(xs) => xs.len() as u64,
            Items::Range(_, n) => *n,
        }
    }

    fn get(&self, k: u64) -> Value {
        match self {
            Items::Tasks(t) => Value::Tasks(TaskList {
                tasks: vec![t[k as usize]],
                single: true,
            }),
            Items::List(xs) => xs[k as usize].clone(),
            Items::Range(a, _) => Value::Num((*a as i128 + k as i128) as f64, Dim::NONE),
        }
    }
}

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
    /// The loops being unrolled, outermost first.
    loops: Vec<Frame>,
    /// `measure` statements unrolled so far.
    measures: usize,
    /// Tasks passed as arguments to the current call.
    pub(super) arg_tasks: Vec<TaskRef>,
    /// `seen` at each checkpoint, for `restore`.
    checkpoints: HashMap<String, Vec<TaskRef>>,
    /// Sleep phases that have run with `record true` so far (for `recorded_rates`).
    pub recorded: HashSet<String>,
    /// Environment phases that have run with `record <population>` so far, and the
    /// population (for `recorded_kicks`).
    pub recorded_pops: HashMap<String, String>,
    /// Environments referred to anywhere in the schedule.
    pub environments_used: BTreeSet<ItemId>,
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
            recorded_pops: HashMap::new(),
            environments_used: BTreeSet::new(),
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
                    Some(l) => (l.span, "this loop unrolls too many operations"),
                    None => (span, "the limit is reached here"),
                };
                self.ev.push(
                    Diagnostic::new(
                        Code::E310,
                        at,
                        format!(
                            "the schedule unrolls to more than {} operations",
                            size_text(MAX_OPS as u64)
                        ),
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

    /// The ops unrolled so far, `until` bodies included.
    pub fn op_count(&self) -> usize {
        self.count
    }

    /// Runs `body` `n` times for the innermost loop. After the first iteration the loop is
    /// sized — the ops of that iteration × `n` × what the loops around it still repeat, in
    /// saturating arithmetic — and refused with E310 before any more is built when that is
    /// past [`MAX_OPS`]. An iteration without ops counts as one, so that a loop over nothing
    /// cannot run for ever either.
    fn iterate(
        &mut self,
        n: u64,
        out: &mut Vec<Op>,
        mut body: impl FnMut(&mut Self, u64, &mut Vec<Op>),
    ) {
        let start = self.count;
        if let Some(f) = self.loops.last_mut() {
            f.n = n;
        }
        for k in 0..n {
            if let Some(f) = self.loops.last_mut() {
                f.k = k;
            }
            body(self, k, out);
            if self.too_large || (k == 0 && n > 1 && self.refuse_loop(start, n)) {
                return;
            }
        }
    }

    /// E310 when the innermost loop, sized from its first iteration, makes the plan too large.
    fn refuse_loop(&mut self, start: usize, n: u64) -> bool {
        let Some((&here, around)) = self.loops.split_last() else {
            return false;
        };
        let ops = (self.count - start) as u64;
        let size = ops.max(1).saturating_mul(n);
        let repeats = around
            .iter()
            .fold(1u64, |acc, f| acc.saturating_mul(f.n - f.k));
        let total = (start as u64).saturating_add(size.saturating_mul(repeats));
        if total <= MAX_OPS as u64 {
            return false;
        }
        self.too_large = true;
        let (message, label) = if ops == 0 {
            (
                format!(
                    "this loop runs {} times; a schedule unrolls at most {} iterations",
                    size_text(n.saturating_mul(repeats)),
                    size_text(MAX_OPS as u64)
                ),
                format!("{} iterations", size_text(n)),
            )
        } else {
            (
                format!(
                    "the schedule unrolls to {} operations; a plan may hold at most {}",
                    size_text(total),
                    size_text(MAX_OPS as u64)
                ),
                format!(
                    "{} iterations × {} operation{}",
                    size_text(n),
                    size_text(ops),
                    if ops == 1 { "" } else { "s" }
                ),
            )
        };
        let mut d = Diagnostic::new(Code::E310, here.span, message).label(label);
        for f in around.iter().filter(|f| f.n - f.k > 1) {
            d = d.secondary(
                f.span,
                format!("repeated {} times here", size_text(f.n - f.k)),
            );
        }
        self.ev
            .push(d.help("use fewer iterations, or longer phases with fewer calls"));
        true
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
            self.loops.push(Frame {
                span: s.span.to(h).with_end(h.end),
                n: 1,
                k: 0,
            });
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
                let items = match v {
                    Value::Tasks(t) => Items::Tasks(t.tasks),
                    Value::List(xs) => Items::List(xs),
                    Value::Range(a, b) => Items::Range(a, range_len(a, b)),
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
                self.iterate(items.len(), out, |u, k, out| {
                    let item = items.get(k);
                    u.note_tasks(&item);
                    u.ev.locals.push((var.node.clone(), item));
                    if let Some(ix) = index {
                        u.ev.locals
                            .push((ix.node.clone(), Value::Num(k as f64, Dim::NONE)));
                    }
                    u.stmts(body, out);
                    u.ev.locals.pop();
                    if index.is_some() {
                        u.ev.locals.pop();
                    }
                });
            }
            StmtKind::Repeat { count, body } => {
                let Some(n) = self.count_value(count, "`repeat`") else {
                    // The count was reported; the body is still checked.
                    let mut scratch = Vec::new();
                    self.stmts(body, &mut scratch);
                    return;
                };
                self.iterate(n, out, |u, _, out| u.stmts(body, out));
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
            Value::Environment(id) => {
                self.environments_used.insert(*id);
            }
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
            self.note_data(&v);
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
