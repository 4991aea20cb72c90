//! Loading: a root file and everything it imports, parsed, into one [`Loaded`] set.
//!
//! Imports are resolved relative to the importing file. A file imported twice (a diamond)
//! is loaded once; a file that imports itself, directly or not, is an import cycle (E105).
//! Text that is not UTF-8 is refused here (E008) before the parser sees it.

use crate::diagnostics::{Code, Diagnostic, Diagnostics, Suggestion};
use crate::source::{FileId, Ident, SourceFile, SourceMap, Span, Spanned};
use crate::syntax::{self, ast::Item, ast::Module};
use std::path::{Path, PathBuf};

/// An import of one module by another.
#[derive(Debug, Clone)]
pub struct ImportEdge {
    /// The imported module.
    pub module: usize,
    pub alias: Option<Ident>,
    pub span: Span,
}

/// Every file of a program, parsed. Module `i` is the file `FileId(i)`.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub modules: Vec<Module>,
    /// The imports of each module that could be loaded.
    pub imports: Vec<Vec<ImportEdge>>,
    /// The imports of each module that failed (as written), for help on undefined names.
    pub failed_imports: Vec<Vec<String>>,
}

/// Why the root file could not be loaded at all (an I/O problem, exit status 2).
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {reason}")]
pub struct LoadError {
    pub path: String,
    pub reason: String,
}

/// Loads `path` and its imports. Problems inside files become diagnostics.
pub fn load_root(path: &Path, diags: &mut Diagnostics) -> Result<Loaded, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError {
        path: path.display().to_string(),
        reason: io_reason(&e),
    })?;
    let canonical = path.canonicalize().ok();
    let mut loaded = Loaded::default();
    let mut loader = Loader {
        loaded: &mut loaded,
        stack: Vec::new(),
        diags,
    };
    loader.add_file(path.display().to_string(), canonical, bytes);
    Ok(loaded)
}

/// Loads source text that is not on disk (the REPL, tests); imports are relative to `base`.
pub fn load_text(name: &str, text: &str, base: Option<&Path>, diags: &mut Diagnostics) -> Loaded {
    let mut loaded = Loaded::default();
    let mut loader = Loader {
        loaded: &mut loaded,
        stack: Vec::new(),
        diags,
    };
    let path = base.map(|b| b.join(name));
    loader.add_file(name.to_string(), path, text.as_bytes().to_vec());
    loaded
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => e.to_string(),
    }
}

struct Loader<'a> {
    loaded: &'a mut Loaded,
    /// Canonical paths of the files being loaded, outermost first (for cycles).
    stack: Vec<(PathBuf, String)>,
    diags: &'a mut Diagnostics,
}

impl Loader<'_> {
    /// Adds a file, parses it and loads its imports; returns its module index.
    fn add_file(&mut self, name: String, path: Option<PathBuf>, bytes: Vec<u8>) -> usize {
        let (text, bad) = decode(bytes);
        let id = self
            .loaded
            .sources
            .add(SourceFile::new(name.clone(), path.clone(), text));
        let index = id.0 as usize;
        self.loaded.imports.push(Vec::new());
        self.loaded.failed_imports.push(Vec::new());
        let source = self.loaded.sources.get(id).clone();
        let module = match bad {
            Some((at, what)) => {
                // The bad byte became U+FFFD (3 bytes) in the text shown; underline all of it.
                let width = source.text[at..].chars().next().map_or(0, char::len_utf8);
                let end = at + width;
                let help = if what.contains("NUL") {
                    "protocol files are plain text; is this the right file?"
                } else {
                    "save the file as UTF-8 (an editor's encoding setting); Latin-1 characters such as µ or é are the usual cause"
                };
                self.diags.push(
                    Diagnostic::new(
                        Code::E008,
                        Span::new(id, at, end),
                        format!("{name} is not UTF-8 text"),
                    )
                    .label(what)
                    .help(help),
                );
                Module {
                    file: id,
                    items: Vec::new(),
                }
            }
            None => syntax::parse_file(id, &source, self.diags),
        };
        self.loaded.modules.push(module);
        if let Some(p) = &path {
            self.stack.push((p.clone(), name.clone()));
        }
        let imports: Vec<_> = self.loaded.modules[index]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Import(imp) => Some(imp.clone()),
                _ => None,
            })
            .collect();
        // Files are read through canonical paths, but named in messages relative to where
        // the user started, so that output does not depend on the machine.
        let dir = path
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let shown_dir = Path::new(&name)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for imp in imports {
            match self.import(&dir, &shown_dir, &imp.path) {
                Some(module) => self.loaded.imports[index].push(ImportEdge {
                    module,
                    alias: imp.alias.clone(),
                    span: imp.span,
                }),
                None => self.loaded.failed_imports[index].push(imp.path.node.clone()),
            }
        }
        if path.is_some() {
            self.stack.pop();
        }
        index
    }

    fn import(&mut self, dir: &Path, shown_dir: &Path, target: &Spanned<String>) -> Option<usize> {
        let wanted = dir.join(&target.node);
        let shown = normalize(&shown_dir.join(&target.node));
        let Ok(canonical) = wanted.canonicalize() else {
            self.diags.push(
                Diagnostic::new(
                    Code::E104,
                    target.span,
                    format!("cannot find `{}`", target.node),
                )
                .label(format!("looked for {}", shown.display()))
                .maybe_suggest(nearby_file(&wanted, target))
                .help_if_none("import paths are relative to the importing file"),
            );
            return None;
        };
        if let Some(pos) = self.stack.iter().position(|(p, _)| *p == canonical) {
            let chain: Vec<&str> = self.stack[pos..].iter().map(|(_, n)| n.as_str()).collect();
            self.diags.push(
                Diagnostic::new(Code::E105, target.span, "import cycle")
                    .label("this import leads back to a file that is still being loaded")
                    .help(format!("{} → {}", chain.join(" → "), chain[0])),
            );
            return None;
        }
        if let Some(id) = self.loaded.sources.find_path(&canonical) {
            return Some(id.0 as usize);
        }
        match std::fs::read(&canonical) {
            Ok(bytes) => {
                let name = shown.display().to_string();
                Some(self.add_file(name, Some(canonical), bytes))
            }
            Err(e) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::E104,
                        target.span,
                        format!("cannot read `{}`", target.node),
                    )
                    .label(io_reason(&e)),
                );
                None
            }
        }
    }
}

/// Text and, if the bytes are not clean UTF-8 text, the offset of the first bad byte.
fn decode(bytes: Vec<u8>) -> (String, Option<(usize, String)>) {
    match String::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            Some(at) => (
                text,
                Some((at, "a NUL byte: this looks like a binary file".into())),
            ),
            None => (text, None),
        },
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            (
                text,
                Some((at, "this byte is not UTF-8 (shown as �)".into())),
            )
        }
    }
}

/// `a/./b/../c.sleep` → `a/c.sleep`, lexically (for messages, not for reading files).
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

/// "did you mean `lib/std.sleep`?" when a file with a close name exists beside the target;
/// the replacement is the string as it would be written (`target`'s span has its quotes).
fn nearby_file(wanted: &Path, target: &Spanned<String>) -> Option<Suggestion> {
    let dir = wanted.parent()?;
    let name = wanted.file_name()?.to_str()?;
    let entries: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let close = crate::diagnostics::did_you_mean(name, entries.iter().map(String::as_str))?;
    // Keep the folder part the user wrote: `imports/standrd.sleep` → `imports/standard.sleep`.
    let suggested = Path::new(&target.node).with_file_name(close);
    let suggested = suggested.to_str()?;
    Some(Suggestion {
        message: format!("did you mean `{suggested}`?"),
        original: format!("\"{}\"", target.node),
        replacement: format!("\"{suggested}\""),
        span: target.span,
    })
}

impl Diagnostic {
    /// Adds `help` only if no help was set.
    pub fn help_if_none(self, help: &str) -> Self {
        if self.help.is_none() {
            self.help(help)
        } else {
            self
        }
    }
}

/// The file id of module `i`.
pub fn file_of(i: usize) -> FileId {
    FileId(i as u32)
}
