//! The session's state: its definitions as text, the report of their last check, the live
//! network; checking an entry against everything defined so far and showing the
//! diagnostics against the input.

use super::live::Live;
use super::{complain, say};
use crate::check::eval::Eval;
use crate::check::value::Value;
use crate::console::eprint;
use crate::diagnostics::render::{self, Style};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::engine::Progress;
use crate::session::{Report, check_text};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::Item;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The name of the input line in diagnostics.
pub const INPUT: &str = "<input>";
/// The name of the session's definitions when no file is loaded.
pub const SESSION: &str = "<session>";
/// The constant an expression is bound to while it is evaluated.
const IT: &str = "__it";

/// A file loaded with `:load` (or given on the command line).
pub struct FileDefs {
    /// As the user wrote it.
    pub path: PathBuf,
    pub text: String,
}

/// A live session.
pub struct Repl {
    pub(crate) color: bool,
    pub(crate) file: Option<FileDefs>,
    /// The items typed, in order, each as its text.
    pub(crate) typed: Vec<String>,
    /// The check of the definitions (file and typed items).
    pub(crate) report: Report,
    pub(crate) live: Option<Live>,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) progress: Box<dyn Progress>,
}

/// A check of the definitions plus an entry.
pub struct Checked {
    pub report: Report,
    /// Where the entry starts in the checked text.
    pub offset: usize,
}

impl Repl {
    /// An empty session.
    pub fn new(color: bool) -> Repl {
        let report = check_text(
            SESSION,
            "",
            Some(&cwd()),
            &[],
            &crate::plan::Options::default(),
        );
        Repl {
            color,
            file: None,
            typed: Vec::new(),
            report,
            live: None,
            stop: Arc::new(AtomicBool::new(false)),
            progress: super::quiet(),
        }
    }

    /// The definitions' text: the loaded file, then each typed item on its own lines.
    pub(crate) fn defs_text(file: Option<&FileDefs>, typed: &[String]) -> String {
        let mut text = String::new();
        for part in file
            .map(|f| f.text.as_str())
            .into_iter()
            .chain(typed.iter().map(String::as_str))
        {
            text.push_str(part);
            if !part.ends_with('\n') {
                text.push('\n');
            }
        }
        text
    }

    /// Checks definitions plus `extra` (which may be empty).
    pub(crate) fn check_parts(file: Option<&FileDefs>, typed: &[String], extra: &str) -> Checked {
        let defs = Repl::defs_text(file, typed);
        let offset = defs.len();
        let text = defs + extra;
        let (name, base) = match file {
            Some(f) => (f.path.display().to_string(), cwd()),
            None => (SESSION.to_string(), cwd()),
        };
        let report = check_text(
            &name,
            &text,
            Some(&base),
            &[],
            &crate::plan::Options::default(),
        );
        Checked { report, offset }
    }

    /// Checks the session's definitions plus `extra`.
    pub(crate) fn check(&self, extra: &str) -> Checked {
        Repl::check_parts(self.file.as_ref(), &self.typed, extra)
    }

    /// Names of the phases the session defines (what a phase call starts with).
    pub fn phase_names(&self) -> Vec<String> {
        let prog = &self.report.program;
        prog.items()
            .filter(|(_, i)| matches!(i, Item::Phase(_)))
            .map(|(id, _)| {
                let name = prog.name_of(id).to_string();
                match id.module {
                    0 => name,
                    m => match prog.aliases[0].iter().find(|(_, v)| **v == m) {
                        Some((alias, _)) => format!("{alias}.{name}"),
                        None => name,
                    },
                }
            })
            .collect()
    }

    /// Shows diagnostics of a check: `input` is the entry as typed, found in the checked
    /// text at `at` (spans there are shown against the input line; others against the
    /// definitions). Only errors, and warnings about the entry itself that matter in a
    /// session, are shown. Returns whether there was an error.
    pub(crate) fn show_diagnostics(
        &self,
        ds: &[Diagnostic],
        report: &Report,
        at: usize,
        input: &str,
    ) -> bool {
        let shown: Vec<Diagnostic> = ds
            .iter()
            .filter(|d| {
                d.is_error()
                    || (!matches!(d.code, Code::W001 | Code::W002 | Code::W003 | Code::W004)
                        && d.span
                            .is_some_and(|s| s.file == FileId(0) && s.start as usize >= at))
            })
            .cloned()
            .collect();
        self.render(shown, report, at, input);
        ds.iter().any(Diagnostic::is_error)
    }

    /// Renders diagnostics with the spans of the entry moved onto the input line.
    pub(crate) fn render(&self, ds: Vec<Diagnostic>, report: &Report, at: usize, input: &str) {
        if ds.is_empty() {
            return;
        }
        let mut sources = report.program.sources.clone();
        let id = sources.add(SourceFile::new(INPUT, None, input.to_string()));
        let end = at + input.len();
        let remap = |s: Span| -> Span {
            if s.file == FileId(0) && s.start as usize >= at && (s.start as usize) <= end {
                let start = s.start as usize - at;
                let stop = (s.end as usize).saturating_sub(at).min(input.len());
                Span::new(id, start.min(input.len()), stop)
            } else {
                s
            }
        };
        let ds: Vec<Diagnostic> = ds
            .into_iter()
            .map(|mut d| {
                d.span = d.span.map(remap);
                for (s, _) in &mut d.secondary {
                    *s = remap(*s);
                }
                d
            })
            .collect();
        eprint!("{}", render::render_all_human(&ds, &sources, self.style()));
    }

    fn style(&self) -> Style {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100)
            .clamp(60, 200);
        Style {
            color: self.color,
            width,
        }
    }

    /// An item: checked against everything defined so far, then added. An item with the
    /// name of an earlier typed one replaces it.
    pub(crate) fn define(&mut self, text: &str) -> bool {
        let name = super::input::item_name(text).map(str::to_string);
        let mut typed = self.typed.clone();
        let replaced = name.as_deref().and_then(|n| {
            typed
                .iter()
                .position(|t| super::input::item_name(t) == Some(n))
        });
        if let Some(i) = replaced {
            typed.remove(i);
        }
        let checked = Repl::check_parts(self.file.as_ref(), &typed, text);
        if self.show_diagnostics(
            &checked.report.diagnostics,
            &checked.report,
            checked.offset,
            text,
        ) {
            return false;
        }
        typed.push(text.to_string());
        self.typed = typed;
        self.report = checked.report;
        let word = super::input::leading_word(super::input::strip_leading_comments(text));
        match (&name, replaced) {
            (Some(n), Some(_)) => say(&format!("redefined {word} `{n}`")),
            (Some(n), None) => say(&format!("defined {word} `{n}`")),
            (None, _) => say(&format!("added the {word}")),
        }
        self.definitions_changed();
        true
    }

    /// After the definitions changed: the live network goes stale when its protocol no
    /// longer builds the same network and data.
    pub(crate) fn definitions_changed(&mut self) {
        let Some(live) = &mut self.live else { return };
        let now = self
            .report
            .plan(&live.protocol)
            .map(super::live::fingerprint);
        if now.as_deref() != Some(live.fingerprint.as_str()) && !live.stale {
            live.stale = true;
            complain(&format!(
                "the live network no longer matches `{}` as now defined; `:use {}` builds it anew",
                live.protocol, live.protocol
            ));
        }
    }

    /// Evaluates an expression: its value, and the diagnostics `check` would give.
    pub(crate) fn evaluate(&self, text: &str) -> Option<Value> {
        let prefix = format!("let {IT} = ");
        let entry = format!("{prefix}{text}");
        let checked = self.check(&entry);
        let at = checked.offset + prefix.len();
        if self.show_diagnostics(&checked.report.diagnostics, &checked.report, at, text) {
            return None;
        }
        let prog = &checked.report.program;
        let id = prog.lookup(0, IT)?;
        let mut diags = Diagnostics::new();
        let mut ev = Eval::new(prog, &mut diags);
        let v = ev.let_value(id, prog.name_span(id));
        drop(ev);
        let ds = diags.into_sorted();
        if self.show_diagnostics(&ds, &checked.report, at, text) {
            return None;
        }
        Some(v)
    }

    /// An expression entry: prints its value with its unit.
    pub(crate) fn expression(&mut self, text: &str) -> bool {
        match self.evaluate(text) {
            Some(v) => {
                say(&super::show::value(&v, &self.report.program));
                true
            }
            None => false,
        }
    }

    /// The words the line editor completes: keywords, commands, names defined, phase
    /// parameters, populations and built-ins.
    pub fn completion_words(&self) -> Vec<String> {
        let mut words: Vec<String> = crate::syntax::RESERVED
            .iter()
            .chain(super::input::ITEM_WORDS)
            .chain(super::input::SCHEDULE_WORDS)
            .map(|w| w.to_string())
            .collect();
        words.extend(
            super::commands::COMMANDS
                .iter()
                .map(|c| format!(":{}", c.name)),
        );
        let prog = &self.report.program;
        words.extend(prog.visible_names(0).map(str::to_string));
        for (_, item) in prog.items() {
            match item {
                Item::Phase(p) => words.extend(p.params.iter().map(|a| a.name.node.clone())),
                Item::Network(n) => words.extend(n.populations.iter().map(|p| p.name.node.clone())),
                _ => {}
            }
        }
        words.extend(crate::builtins::all().map(|b| b.name.to_string()));
        words.push("seen".into());
        words.sort();
        words.dedup();
        words.retain(|w| !w.starts_with("__"));
        words
    }

    /// Loads a file as the session's definitions, in place of everything before.
    pub fn load(&mut self, path: &Path) -> bool {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                complain(&format!("cannot read {}: {e}", path.display()));
                return false;
            }
        };
        let file = FileDefs {
            path: path.to_path_buf(),
            text,
        };
        let checked = Repl::check_parts(Some(&file), &[], "");
        if checked.report.has_errors() {
            self.render(
                checked.report.diagnostics.clone(),
                &checked.report,
                usize::MAX,
                "",
            );
            complain(&format!(
                "{} has errors; the session is unchanged",
                path.display()
            ));
            return false;
        }
        self.file = Some(file);
        self.typed.clear();
        self.report = checked.report;
        self.live = None;
        let names = self.report.protocol_names();
        say(&format!(
            "loaded {}: {}",
            path.display(),
            match names.as_slice() {
                [] => "no protocols".to_string(),
                [one] => format!("protocol `{one}` (`:use {one}` instantiates its network)"),
                many => format!(
                    "protocols {} (`:use NAME` instantiates one's network)",
                    many.iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        ));
        true
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}
