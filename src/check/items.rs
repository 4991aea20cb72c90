//! Checking every definition once, whether or not a protocol uses it.

use super::eval::Eval;
use super::program::ItemId;
use super::value::Value;
use crate::builtins::Ty;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Item, PhaseDef};
use std::path::Path;

impl Eval<'_, '_> {
    /// Evaluates one item for its errors.
    pub fn check_item(&mut self, id: ItemId) {
        let prog = self.prog;
        match prog.item(id) {
            Item::Let(l) => {
                self.let_value(id, l.name.span);
            }
            Item::Dataset(_) => {
                if let Value::Builtin(b) = self.definition_value(id) {
                    self.check_data_files(id.module, &b);
                }
            }
            Item::Tasks(_) => {
                if let Value::Builtin(b) = self.definition_value(id) {
                    self.check_classes(&b);
                }
            }
            Item::Rule(_) => {
                self.definition_value(id);
            }
            Item::Environment(_) => {
                if let Value::Builtin(b) = self.definition_value(id) {
                    self.check_world(&b);
                }
            }
            Item::Network(_) => {
                self.network_info(id);
            }
            Item::Phase(def) => {
                self.in_module(id.module, |ev| ev.check_phase_symbolically(def));
            }
            Item::Import(_) | Item::Protocol(_) | Item::Compare(_) | Item::Sweep(_) => {}
        }
    }

    /// A phase body with its parameters unknown: finds type and dimension errors in phases
    /// no protocol calls.
    fn check_phase_symbolically(&mut self, def: &PhaseDef) {
        for p in &def.params {
            let ty = self.declared_type(p);
            if let Some(d) = &p.default {
                let v = self.eval_want(d, Some(&ty));
                self.conform(v, &ty, d.span, None);
            }
            if let Some(prev) = def
                .params
                .iter()
                .take_while(|q| !std::ptr::eq(*q, p))
                .find(|q| q.name.node == p.name.node)
            {
                self.push(
                    Diagnostic::new(
                        Code::E102,
                        p.name.span,
                        format!("parameter `{}` is declared twice", p.name.node),
                    )
                    .label("declared again here")
                    .secondary(prev.name.span, "first declared here"),
                );
            }
            self.locals.push((p.name.node.clone(), Value::Unknown(ty)));
        }
        if !def.params.iter().any(|p| p.name.node == "seen") {
            self.locals.push(("seen".into(), Value::Unknown(Ty::Tasks)));
        }
        self.phase_info(def);
        self.locals.clear();
    }

    /// E115: the files a dataset or `load(…)` reads must exist (relative to the file of
    /// `module`, where they are written).
    pub fn check_data_files(&mut self, module: usize, b: &super::value::BuiltinValue) {
        let keys: &[&str] = match b.entry.name {
            "idx" => &["path"],
            "csv" => &["path"],
            "npy" => &["x", "y"],
            "load" => &["path"],
            _ => return,
        };
        let base = self
            .prog
            .sources
            .get(crate::load::file_of(module))
            .path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        for key in keys {
            let Some(bound) = b.get(key) else { continue };
            let Value::Str(rel) = &bound.value else {
                continue;
            };
            // A path whose string already had an error (a bad escape) is not looked up.
            let inside = |s: Span| {
                s.file == bound.span.file && s.start >= bound.span.start && s.end <= bound.span.end
            };
            if self
                .diags
                .iter()
                .any(|d| d.is_error() && d.span.is_some_and(inside))
            {
                continue;
            }
            let full = match &base {
                Some(dir) => dir.join(rel),
                None => Path::new(rel).to_path_buf(),
            };
            let shown_base = Path::new(&self.prog.sources.get(crate::load::file_of(module)).name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            let shown = crate::load::normalize(&shown_base.join(rel));
            let missing = if b.entry.name == "idx" {
                !idx_folder_ok(&full)
            } else {
                !full.is_file()
            };
            if missing {
                let what = if b.entry.name == "idx" {
                    "a folder with `*images-idx3-ubyte[.gz]` and `*labels-idx1-ubyte[.gz]`"
                } else {
                    "a file"
                };
                self.push(
                    Diagnostic::new(Code::E115, bound.span, format!("`{rel}` not found"))
                        .label(format!("looked for {}", shown.display()))
                        .help(format!(
                            "`{}` needs {what}; paths are relative to the protocol file",
                            b.entry.name
                        )),
                );
            }
        }
    }

    /// `split_classes`: every task needs at least one class, each a whole number ≥ 0.
    fn check_classes(&mut self, b: &super::value::BuiltinValue) {
        if b.entry.name != "split_classes" {
            return;
        }
        if !b.params.contains_key("classes") {
            self.push(
                Diagnostic::new(
                    Code::E109,
                    b.span,
                    "`split_classes` needs at least one list of classes",
                )
                .label("no tasks")
                .help("e.g. `split_classes(mnist, [0, 1], [2, 3])`"),
            );
        }
        for bound in b.params.get("classes").into_iter().flatten() {
            if let Value::List(xs) = &bound.value {
                if xs.is_empty() {
                    self.push(
                        Diagnostic::new(Code::E211, bound.span, "a task needs at least one class")
                            .label("empty list"),
                    );
                }
                for x in xs {
                    if let Value::Num(c, _) = x
                        && (*c < 0.0 || c.fract() != 0.0)
                    {
                        self.push(
                            Diagnostic::new(
                                Code::E210,
                                bound.span,
                                format!(
                                    "class labels are whole numbers ≥ 0, found {}",
                                    crate::units::format_number(*c)
                                ),
                            )
                            .label("not a class label"),
                        );
                    }
                }
            }
        }
    }
}

/// Whether an IDX folder holds an images file and a labels file (or is itself such a file).
fn idx_folder_ok(p: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(p) else {
        return false;
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.iter().any(|n| n.contains("images-idx3-ubyte"))
        && names.iter().any(|n| n.contains("labels-idx1-ubyte"))
}
