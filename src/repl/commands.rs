//! The `:commands`.

use super::session::Repl;
use super::{Status, complain, say};
use crate::diagnostics::Code;
use std::path::Path;

/// One command: its name, its arguments and what it does.
pub struct Command {
    pub name: &'static str,
    pub args: &'static str,
    pub doc: &'static str,
}

const fn cmd(name: &'static str, args: &'static str, doc: &'static str) -> Command {
    Command { name, args, doc }
}

/// Every command, in the order `:help` lists them.
pub const COMMANDS: &[Command] = &[
    cmd(
        "help",
        "[TOPIC]",
        "this list; or help on a command, a diagnostic code (E203) or a built-in (accuracy)",
    ),
    cmd(
        "load",
        "FILE",
        "start over from a protocol file's definitions",
    ),
    cmd(
        "reload",
        "",
        "read the loaded file again, keeping what was typed (and the live network if its protocol still builds the same)",
    ),
    cmd(
        "protocols",
        "",
        "list the protocols defined; * marks the one in use",
    ),
    cmd(
        "use",
        "PROTOCOL",
        "instantiate a protocol's network and data: phase calls then run on it",
    ),
    cmd(
        "plan",
        "STATEMENT|PROTOCOL",
        "show the ops a statement would run, or a protocol's whole plan",
    ),
    cmd(
        "type",
        "EXPR",
        "the dimension and unit of an expression (or what kind of value it is)",
    ),
    cmd(
        "metrics",
        "",
        "the latest value of every metric measured on the live network",
    ),
    cmd(
        "weights",
        "PROJECTION",
        "statistics, a digest and a histogram of a projection's weights (`px -> exc` or its name)",
    ),
    cmd(
        "checkpoint",
        "NAME",
        "save the live state (same as `checkpoint \"NAME\"`)",
    ),
    cmd(
        "restore",
        "NAME",
        "return to a checkpoint (same as `restore \"NAME\"`)",
    ),
    cmd(
        "save",
        "FILE",
        "write the definitions, and the statements run as protocol `repl_session`, to a new file (`:save!` overwrites)",
    ),
    cmd(
        "outcome",
        "FILE",
        "write what was measured as an outcome JSON to a new file (`:outcome!` overwrites)",
    ),
    cmd(
        "reset",
        "[all]",
        "rebuild the live network from scratch; `all` also forgets every definition",
    ),
    cmd("quit", "", "leave (also Ctrl-D)"),
];

/// The name of the protocol `:save` writes the statements run as.
pub const SAVED_PROTOCOL: &str = "repl_session";

impl Repl {
    /// Runs `:name args`.
    pub(crate) fn command(&mut self, name: &str, args: &str) -> Status {
        let (base, force) = match name.strip_suffix('!') {
            Some(b) => (b, true),
            None => (name, false),
        };
        let ok = match base {
            "help" | "h" | "?" => self.help(args),
            "load" | "l" => self.with_arg(args, "FILE", |r, a| r.load(Path::new(a))),
            "reload" => self.reload(),
            "protocols" => self.protocols(),
            "use" | "u" => self.with_arg(args, "PROTOCOL", |r, a| r.use_protocol(a)),
            "plan" | "p" => self.with_arg(args, "STATEMENT", |r, a| {
                if r.report.plan(a).is_some() {
                    let plan = r.report.plan(a).expect("just found");
                    say(crate::plan::timeline::timeline(plan).trim_end());
                    true
                } else {
                    r.plan_statement(a)
                }
            }),
            "type" | "t" => self.with_arg(args, "EXPR", |r, a| match r.evaluate(a) {
                Some(v) => {
                    say(&super::show::type_of(&v));
                    true
                }
                None => false,
            }),
            "metrics" | "m" => match &self.live {
                Some(l) => {
                    say(&super::show::metrics(l.runner.rows()));
                    true
                }
                None => no_live(),
            },
            "weights" | "w" => self.with_arg(args, "PROJECTION", |r, a| r.weights(a)),
            "checkpoint" => self.with_arg(args, "NAME", |r, a| {
                r.statement(&format!("checkpoint {}", quoted(a)))
            }),
            "restore" => self.with_arg(args, "NAME", |r, a| {
                r.statement(&format!("restore {}", quoted(a)))
            }),
            "save" => self.with_arg(args, "FILE", |r, a| r.save(Path::new(a), force)),
            "outcome" => self.with_arg(args, "FILE", |r, a| r.write_outcome(Path::new(a), force)),
            "reset" => self.reset(args),
            "quit" | "q" | "exit" => return Status::Quit,
            _ => {
                let names = COMMANDS.iter().map(|c| c.name);
                let hint = crate::diagnostics::suggestion(base, names)
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                complain(&format!(
                    "no command `:{name}`{hint}; `:help` lists the commands"
                ));
                false
            }
        };
        if ok { Status::Ok } else { Status::Failed }
    }

    fn with_arg(
        &mut self,
        args: &str,
        what: &str,
        f: impl FnOnce(&mut Repl, &str) -> bool,
    ) -> bool {
        if args.is_empty() {
            complain(&format!(
                "this command needs {what}; `:help` shows how each is used"
            ));
            return false;
        }
        f(self, args)
    }

    fn help(&self, topic: &str) -> bool {
        let topic = topic.trim().trim_start_matches(':');
        if topic.is_empty() {
            let mut out = String::from(
                "Type a definition (let, network, rule, phase, protocol, ...) to add it, a schedule\n\
                 statement (a phase call, for, repeat, until, measure, checkpoint, restore) to run it\n\
                 on the live network, or an expression to see its value. Input continues over\n\
                 several lines while a brace or bracket is open. Ctrl-C stops a running phase;\n\
                 Ctrl-D quits.\n\ncommands:\n",
            );
            for c in COMMANDS {
                out.push_str(&format!("  :{:<11} {:<19} {}\n", c.name, c.args, c.doc));
            }
            out.push_str("\n`:help E203` explains a diagnostic code; `:help accuracy` a built-in.");
            say(&out);
            return true;
        }
        if let Some(c) = COMMANDS.iter().find(|c| c.name == topic) {
            say(&format!(":{} {}\n  {}", c.name, c.args, c.doc));
            return true;
        }
        if let Some(code) = Code::parse(topic) {
            say(code.info().explanation.trim_end());
            return true;
        }
        if let Some(b) = crate::builtins::lookup(topic) {
            let mut text = String::new();
            crate::builtins::builtin_section(&mut text, b);
            say(text.trim_end());
            return true;
        }
        let candidates = COMMANDS
            .iter()
            .map(|c| c.name)
            .chain(crate::builtins::all().map(|b| b.name));
        let hint = crate::diagnostics::suggestion(topic, candidates)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        complain(&format!(
            "no help on `{topic}`{hint}: topics are commands, diagnostic codes and built-ins"
        ));
        false
    }

    fn protocols(&self) -> bool {
        let plans = &self.report.plans;
        if plans.is_empty() {
            say("no protocols defined");
            return true;
        }
        let used = self.live.as_ref().map(|l| l.protocol.as_str());
        let mut out = String::new();
        for p in plans {
            let mark = if Some(p.protocol.as_str()) == used {
                "*"
            } else {
                " "
            };
            out.push_str(&format!(
                "{mark} {:<20} network {} · seed {} · {} ops\n",
                p.protocol,
                p.network.name,
                p.seed,
                p.ops.len()
            ));
        }
        say(out.trim_end());
        true
    }

    fn reload(&mut self) -> bool {
        let Some(file) = &self.file else {
            complain("no file is loaded (`:load FILE` loads one)");
            return false;
        };
        let text = match std::fs::read_to_string(&file.path) {
            Ok(t) => t,
            Err(e) => {
                complain(&format!("cannot read {}: {e}", file.path.display()));
                return false;
            }
        };
        let new = super::session::FileDefs {
            path: file.path.clone(),
            text,
        };
        let checked = Repl::check_parts(Some(&new), &self.typed, "");
        if checked.report.has_errors() {
            self.render(
                checked.report.diagnostics.clone(),
                &checked.report,
                usize::MAX,
                "",
            );
            complain(&format!(
                "{} (with the definitions typed since) has errors; the session is unchanged",
                new.path.display()
            ));
            return false;
        }
        say(&format!("reloaded {}", new.path.display()));
        self.file = Some(new);
        self.report = checked.report;
        self.definitions_changed();
        if let Some(l) = &self.live
            && !l.stale
        {
            say(&format!("the live network of `{}` is kept", l.protocol));
        }
        true
    }

    fn weights(&self, name: &str) -> bool {
        let Some(live) = &self.live else {
            return no_live();
        };
        let net = live.runner.network();
        let want: String = name.chars().filter(|c| !c.is_whitespace()).collect();
        let found = net.projs.iter().find(|p| {
            p.name == want || format!("{}->{}", net.pops[p.from].name, net.pops[p.to].name) == want
        });
        match found {
            Some(p) => {
                say(&super::show::weights(
                    p,
                    &net.pops[p.from].name,
                    &net.pops[p.to].name,
                ));
                true
            }
            None => {
                let names: Vec<String> = net.projs.iter().map(|p| p.name.clone()).collect();
                let hint = crate::diagnostics::suggestion(&want, names.iter().map(String::as_str))
                    .map(|h| format!(" ({h})"))
                    .unwrap_or_default();
                complain(&format!(
                    "the live network has no projection `{name}`{hint}; it has {}",
                    names.join(", ")
                ));
                false
            }
        }
    }

    fn save(&self, path: &Path, force: bool) -> bool {
        if path.exists() && !force {
            complain(&format!(
                "{} exists; `:save! {}` overwrites it",
                path.display(),
                path.display()
            ));
            return false;
        }
        let mut text = format!(
            "// Written by `somnia repl` ({}).\n\n",
            env!("CARGO_PKG_VERSION")
        );
        text.push_str(&Repl::defs_text(self.file.as_ref(), &self.typed));
        if let Some(live) = &self.live
            && !live.history.is_empty()
        {
            let statements: Vec<&str> = live.history.iter().map(String::as_str).collect();
            let (schedule, _) = self.schedule_protocol(live, SAVED_PROTOCOL, &statements, true);
            text.push_str(&format!(
                "\n// The statements run in the session, on `{}`'s network.{}",
                live.protocol, schedule
            ));
        }
        match crate::outcome::write::atomic_write(path, text.as_bytes()) {
            Ok(()) => {
                say(&format!("wrote {}", path.display()));
                true
            }
            Err(e) => {
                complain(&format!("cannot write {}: {e}", path.display()));
                false
            }
        }
    }

    fn write_outcome(&self, path: &Path, force: bool) -> bool {
        let Some(live) = &self.live else {
            return no_live();
        };
        let Some(plan) = &live.plan else {
            complain("nothing has run on the live network yet");
            return false;
        };
        if path.exists() && !force {
            complain(&format!(
                "{} exists; `:outcome! {}` overwrites it",
                path.display(),
                path.display()
            ));
            return false;
        }
        let outcome = live.runner.outcome(plan, None);
        let json = crate::outcome::write::to_json(&outcome);
        match crate::outcome::write::atomic_write(path, json.as_bytes()) {
            Ok(()) => {
                say(&format!(
                    "wrote {} ({} values from {} ops)",
                    path.display(),
                    outcome.timeline.len(),
                    outcome.ops.len()
                ));
                true
            }
            Err(e) => {
                complain(&format!("cannot write {}: {e}", path.display()));
                false
            }
        }
    }

    fn reset(&mut self, args: &str) -> bool {
        match args.trim() {
            "all" => {
                *self = Repl {
                    progress: std::mem::replace(&mut self.progress, super::quiet()),
                    stop: self.stop.clone(),
                    ..Repl::new(self.color)
                };
                say("forgot every definition and the live network");
                true
            }
            "" => match self.live.as_ref().map(|l| l.protocol.clone()) {
                Some(p) => self.use_protocol(&p),
                None => {
                    say("no live network to reset (`:reset all` forgets the definitions)");
                    true
                }
            },
            other => {
                complain(&format!("`:reset` takes nothing or `all`, not `{other}`"));
                false
            }
        }
    }
}

fn no_live() -> bool {
    complain("no live network: `:use PROTOCOL` instantiates one (`:protocols` lists them)");
    false
}

/// `name` or `"name"` as a string literal.
fn quoted(name: &str) -> String {
    let n = name.trim();
    if n.starts_with('"') {
        n.to_string()
    } else {
        format!("\"{n}\"")
    }
}
