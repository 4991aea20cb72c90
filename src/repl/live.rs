//! The live network: a protocol's network and data instantiated once (`:use`), and the
//! schedule statements run on it.
//!
//! A statement is compiled as the last statement of a schedule whose earlier statements are
//! those run so far, in a protocol on the used protocol's network and seed (derived from
//! the same chain of arms, so `with` overrides apply). The plan's ops past those already
//! run are the statement's: they run on the live [`Runner`].

use super::session::Repl;
use super::{complain, say};
use crate::engine::{self, Runner};
use crate::plan::ir::Plan;
use crate::syntax::ast::Item;

/// The name of the protocol a statement is compiled in.
pub const PROTOCOL: &str = "__repl";

/// A protocol's network, running.
pub struct Live {
    /// The protocol used.
    pub protocol: String,
    /// What the network and data were built from (to notice redefinitions).
    pub fingerprint: String,
    pub network: String,
    pub seed: u64,
    pub runner: Runner,
    /// The statements run, in order.
    pub history: Vec<String>,
    /// The ops of the history's plan (all run).
    pub ops: usize,
    /// The plan of the history, once a statement ran.
    pub plan: Option<Plan>,
    /// The definitions changed the network or data since `:use`.
    pub stale: bool,
}

/// What builds the network and reads the data: equal fingerprints, same live state.
pub fn fingerprint(p: &Plan) -> String {
    serde_json::to_string(&(&p.network, &p.datasets, &p.task_lists, p.seed)).unwrap_or_default()
}

impl Repl {
    /// `:use NAME`: instantiates the protocol's network and reads its data.
    pub(crate) fn use_protocol(&mut self, name: &str) -> bool {
        let Some(plan) = self.report.plan(name) else {
            let names = self.report.protocol_names();
            let hint = crate::diagnostics::suggestion(name, names.iter().map(String::as_str))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            complain(&format!(
                "no protocol `{name}`{hint}; {}",
                if names.is_empty() {
                    "none is defined yet".to_string()
                } else {
                    format!("defined: {}", names.join(", "))
                }
            ));
            return false;
        };
        let runner = match Runner::new(plan, &engine::Options::default()) {
            Ok(r) => r,
            Err(e) => {
                let d = e.to_diagnostic(&self.report.program.sources);
                self.render(vec![d], &self.report, usize::MAX, "");
                return false;
            }
        };
        let mut runner = runner;
        runner.set_stop_flag(self.stop.clone());
        let net = runner.network();
        let pops: Vec<String> = net
            .pops
            .iter()
            .map(|p| format!("{} {}", p.name, p.size))
            .collect();
        let projs: Vec<&str> = net.projs.iter().map(|p| p.name.as_str()).collect();
        let tasks: Vec<String> = plan.task_lists.iter().map(|t| t.name.clone()).collect();
        say(&format!(
            "using `{name}`: network `{}` ({}; projections {}), seed {}{}",
            plan.network.name,
            pops.join(", "),
            projs.join(", "),
            plan.seed,
            if tasks.is_empty() {
                String::new()
            } else {
                format!(", tasks {}", tasks.join(", "))
            }
        ));
        self.live = Some(Live {
            protocol: name.to_string(),
            fingerprint: fingerprint(plan),
            network: plan.network.name.clone(),
            seed: plan.seed,
            runner,
            history: Vec::new(),
            ops: 0,
            plan: None,
            stale: false,
        });
        true
    }

    /// The text of a protocol named `name` on the live network whose schedule is
    /// `statements`, derived along the used protocol's chain of arms; and where the last
    /// statement starts in it.
    /// `indent` indents the statements (for a file; the offset is then that of the first
    /// line only).
    pub(crate) fn schedule_protocol(
        &self,
        live: &Live,
        name: &str,
        statements: &[&str],
        indent: bool,
    ) -> (String, usize) {
        // The chain of `with` blocks, base first.
        let prog = &self.report.program;
        let mut chain: Vec<Vec<String>> = Vec::new();
        let mut current = live.protocol.clone();
        let mut guard = 0;
        while let Some(p) = prog.modules[0].items.iter().find_map(|i| match i {
            Item::Protocol(p) if p.name.node == current => Some(p),
            _ => None,
        }) {
            let Some(base) = &p.base else { break };
            chain.push(
                p.overrides
                    .iter()
                    .map(|o| prog.sources.get(o.span.file).slice(o.span).to_string())
                    .collect(),
            );
            current = base.node.clone();
            guard += 1;
            if guard > 100 {
                break;
            }
        }
        chain.reverse();
        let root = if chain.is_empty() {
            name.to_string()
        } else {
            format!("{name}_0")
        };
        let mut text = format!(
            "\nprotocol {root} {{\n  network {}\n  seed {}\n  schedule {{\n",
            live.network, live.seed
        );
        let mut at = 0;
        for (i, s) in statements.iter().enumerate() {
            if i + 1 == statements.len() {
                at = text.len();
            }
            if indent {
                for line in s.lines() {
                    text.push_str("    ");
                    text.push_str(line);
                    text.push('\n');
                }
            } else {
                text.push_str(s);
                text.push('\n');
            }
        }
        text.push_str("  }\n}\n");
        for (k, overrides) in chain.iter().enumerate() {
            let from = if k == 0 {
                root.clone()
            } else {
                format!("{name}_{k}")
            };
            let to = if k + 1 == chain.len() {
                name.to_string()
            } else {
                format!("{name}_{}", k + 1)
            };
            text.push_str(&format!("protocol {to} = {from} with {{\n"));
            for o in overrides {
                text.push_str(&format!("  {o}\n"));
            }
            text.push_str("}\n");
        }
        (text, at)
    }

    /// Compiles `statement` after the history; returns the plan and the new ops' start.
    fn compile_statement(&self, statement: &str) -> Option<(Plan, usize)> {
        let Some(live) = &self.live else {
            complain("no live network: `:use PROTOCOL` instantiates one (`:protocols` lists them)");
            return None;
        };
        if live.stale {
            complain(&format!(
                "the live network no longer matches `{}` as now defined; `:use {}` builds it anew",
                live.protocol, live.protocol
            ));
            return None;
        }
        let mut statements: Vec<&str> = live.history.iter().map(String::as_str).collect();
        statements.push(statement);
        let (text, at) = self.schedule_protocol(live, PROTOCOL, &statements, false);
        let checked = self.check(&text);
        let at = checked.offset + at;
        if self.show_diagnostics(&checked.report.diagnostics, &checked.report, at, statement) {
            return None;
        }
        let Some(plan) = checked.report.plan(PROTOCOL).cloned() else {
            complain("the statement did not compile");
            return None;
        };
        Some((plan, live.ops))
    }

    /// A schedule statement: compiled after those run so far, then its ops run on the live
    /// network. Ctrl-C stops it at a step boundary (E413); the state stays usable.
    pub(crate) fn statement(&mut self, statement: &str) -> bool {
        let Some((plan, from)) = self.compile_statement(statement) else {
            return false;
        };
        let live = self.live.as_mut().expect("compiled against a live network");
        let new_ops = plan.ops.get(from..).unwrap_or(&[]).to_vec();
        let (records, rows) = (live.runner.records().len(), live.runner.rows().len());
        self.stop.store(false, std::sync::atomic::Ordering::Relaxed);
        let progress = self.progress.as_mut();
        // An engine bug must not end the session: a panic becomes an error.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            live.runner.ops(&new_ops, progress)
        }));
        let result = match result {
            Ok(r) => r.map_err(Some),
            Err(_) => Err(None),
        };
        self.stop.store(false, std::sync::atomic::Ordering::Relaxed);
        live.history.push(statement.to_string());
        live.ops = plan.ops.len();
        let text = super::show::ran(
            &live.runner.records()[records..],
            &live.runner.rows()[rows..],
        );
        live.plan = Some(plan);
        if new_ops.is_empty() {
            say("(nothing to run)");
        } else if !text.is_empty() {
            say(&text);
        }
        match result {
            Ok(()) => true,
            Err(None) => {
                complain(
                    "internal error: the engine failed on this statement (a bug in somnia); \
                     the live state may be inconsistent: `:restore` a checkpoint or `:reset`",
                );
                false
            }
            Err(Some(e)) => {
                // The statement's spans are in the text it was compiled from.
                let (text, at) = {
                    let live = self.live.as_ref().expect("still live");
                    let statements: Vec<&str> = live.history.iter().map(String::as_str).collect();
                    self.schedule_protocol(live, PROTOCOL, &statements, false)
                };
                let checked = self.check(&text);
                let d = e.to_diagnostic(&checked.report.program.sources);
                self.render(vec![d], &checked.report, checked.offset + at, statement);
                false
            }
        }
    }

    /// `:plan <statement>`: the ops a statement would run, without running them.
    pub(crate) fn plan_statement(&self, statement: &str) -> bool {
        let Some((plan, from)) = self.compile_statement(statement) else {
            return false;
        };
        let ops = plan.ops.get(from..).unwrap_or(&[]).to_vec();
        if ops.is_empty() {
            say("(no ops)");
            return true;
        }
        let shown = Plan { ops, ..plan };
        let text = crate::plan::timeline::timeline(&shown);
        // The header describes the whole history; the rows are the statement's.
        let rows: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with('#'))
            .collect();
        say(&rows.join("\n"));
        true
    }
}
