//! What the server answers: diagnostics from the checker, hover from the registry and the
//! file's own definitions, completion, go to definition (imported files included), and
//! formatting through `somnia fmt`.

use super::text;
use crate::builtins;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::plan::Options;
use crate::session;
use crate::syntax::{self, ast::Item};
use lsp_types as lsp;
use std::path::{Path, PathBuf};

/// The checker's findings for a document, as LSP diagnostics of that document. Problems
/// found in an imported file are shown on the document's first line, naming the file.
pub fn diagnostics(path: Option<&Path>, text: &str) -> Vec<lsp::Diagnostic> {
    let name = path.map_or("<document>".to_string(), |p| p.display().to_string());
    let base = path.and_then(Path::parent);
    let report = session::check_text(&name, text, base, &[], &Options::default());
    let sources = &report.program.sources;
    report
        .diagnostics
        .iter()
        .map(|d| {
            let here = d.span.filter(|s| sources.get(s.file).name == name);
            let range = match here {
                Some(s) => range(text, s.start as usize, s.end as usize),
                None => lsp::Range::default(),
            };
            let mut message = d.message.clone();
            if let (None, Some(s)) = (here, d.span) {
                let f = sources.get(s.file);
                let (l, c) = f.line_col(s.start as usize);
                message = format!("{}:{l}:{c}: {message}", f.name);
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {help}"));
            }
            lsp::Diagnostic {
                range,
                severity: Some(severity(d)),
                code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
                source: Some("somnia".into()),
                message,
                ..Default::default()
            }
        })
        .collect()
}

fn severity(d: &Diagnostic) -> lsp::DiagnosticSeverity {
    match d.severity() {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        _ => lsp::DiagnosticSeverity::WARNING,
    }
}

fn range(text: &str, start: usize, end: usize) -> lsp::Range {
    lsp::Range::new(text::position(text, start), text::position(text, end))
}

/// Markdown for the name under the cursor: a built-in's reference (parameters, units,
/// defaults), a setting's documentation, or the line that defines one of the file's names.
pub fn hover(text: &str, offset: usize) -> Option<lsp::Hover> {
    let (start, end, word) = text::word_at(text, offset)?;
    let markdown = if let Some(b) = builtins::lookup(word) {
        let mut out = String::new();
        builtins::builtin_section(&mut out, b);
        out
    } else if let Some(doc) = setting_doc(text, offset, word) {
        doc
    } else {
        let (def_start, _) = definitions(text).into_iter().find(|(n, _)| n == word)?.1;
        let line_end = text[def_start..]
            .find('\n')
            .map_or(text.len(), |i| def_start + i);
        format!("```somnia\n{}\n```", &text[def_start..line_end])
    };
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(range(text, start, end)),
    })
}

/// A setting of the built-in whose block holds `offset`, or of any built-in with it.
fn setting_doc(text: &str, offset: usize, word: &str) -> Option<String> {
    let describe = |b: &builtins::Builtin, p: &builtins::Param| {
        format!(
            "`{word}` — setting of `{}`: {}.\n\nType: {}. Default: {}.",
            b.name,
            p.doc,
            p.ty.describe(),
            p.default_text()
        )
    };
    if let Some(b) = text::enclosing_block_owner(text, offset).and_then(builtins::lookup)
        && let Some(p) = b.param(word)
    {
        return Some(describe(b, p));
    }
    let owners: Vec<String> = builtins::all()
        .filter_map(|b| b.param(word).map(|p| describe(b, p)))
        .take(6)
        .collect();
    (!owners.is_empty()).then(|| owners.join("\n\n---\n\n"))
}

/// The completions at `offset`: the settings of the enclosing built-in first, then the
/// file's names, the built-ins and the keywords.
pub fn completion(text: &str, offset: usize) -> Vec<lsp::CompletionItem> {
    let mut items = Vec::new();
    let item = |label: &str, kind, detail: String, sort: &str| lsp::CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail),
        sort_text: Some(format!("{sort}{label}")),
        ..Default::default()
    };
    if let Some(b) = text::enclosing_block_owner(text, offset).and_then(builtins::lookup) {
        for p in b.params {
            let detail = format!(
                "{} (default {}) — {}",
                p.ty.describe(),
                p.default_text(),
                p.doc
            );
            items.push(item(p.name, lsp::CompletionItemKind::PROPERTY, detail, "0"));
        }
    }
    for (name, (start, _)) in definitions(text) {
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let detail = text[start..line_end].to_string();
        items.push(item(&name, lsp::CompletionItemKind::VARIABLE, detail, "1"));
    }
    for b in builtins::all() {
        let detail = format!("{} — {}", b.kind.word(), b.doc);
        items.push(item(b.name, lsp::CompletionItemKind::FUNCTION, detail, "2"));
    }
    for k in syntax::RESERVED {
        items.push(item(
            k,
            lsp::CompletionItemKind::KEYWORD,
            "keyword".into(),
            "3",
        ));
    }
    items
}

/// The names a document defines, with where their definitions start and end. Read from the
/// text line by line, so that a document being typed (which does not parse) still has them.
pub fn definitions(text: &str) -> Vec<(String, (usize, usize))> {
    const WORDS: &[&str] = &[
        "let",
        "dataset",
        "environment",
        "tasks",
        "rule",
        "network",
        "phase",
        "protocol",
    ];
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = WORDS
            .iter()
            .find_map(|w| trimmed.strip_prefix(w).filter(|r| r.starts_with(' ')))
            && let Some((s, _, name)) = text::word_at(rest, rest.len() - rest.trim_start().len())
        {
            let start = at + indent;
            let name_start = at + indent + (trimmed.len() - rest.len()) + s;
            out.push((name.to_string(), (start, name_start)));
        }
        if let Some(rest) = trimmed.strip_prefix("import ")
            && let Some(i) = rest.find(" as ")
            && let Some((_, _, name)) = text::word_at(&rest[i + 4..], 0)
        {
            out.push((name.to_string(), (at + indent, at + indent)));
        }
        at += line.len();
    }
    out
}

/// Where the name under the cursor is defined: in the document, or in a file it imports.
pub fn definition(path: Option<&Path>, text: &str, offset: usize) -> Option<lsp::Location> {
    let (_, _, word) = text::word_at(text, offset)?;
    let here = definitions(text).into_iter().find(|(n, _)| n == word);
    let (file, file_text, start) = match here {
        Some((_, (_, name_start))) => (path?.to_path_buf(), text.to_string(), name_start),
        None => imported_definition(path?, text, word)?,
    };
    let end = start + word.len();
    let uri = super::uri_of(&file)?;
    Some(lsp::Location::new(uri, range(&file_text, start, end)))
}

/// `word` defined in one of the files `text` imports (directly or not).
fn imported_definition(path: &Path, text: &str, word: &str) -> Option<(PathBuf, String, usize)> {
    let name = path.display().to_string();
    let mut diags = Diagnostics::new();
    let loaded = crate::load::load_text(&name, text, path.parent(), &mut diags);
    for (id, source) in loaded.sources.iter() {
        let (Some(file), Some(module)) = (&source.path, loaded.modules.get(id.0 as usize)) else {
            continue;
        };
        if source.name == name {
            continue;
        }
        for item in &module.items {
            if let Some(n) = item.name().filter(|n| n.node == word)
                && !matches!(item, Item::Import(_))
            {
                return Some((file.clone(), source.text.clone(), n.span.start as usize));
            }
        }
    }
    None
}

/// The document in `somnia fmt`'s layout, as one edit; none when it is already formatted
/// or does not parse (its diagnostics say why).
pub fn formatting(text: &str) -> Vec<lsp::TextEdit> {
    match crate::format::format_text(text) {
        Ok(out) if out != text => vec![lsp::TextEdit::new(range(text, 0, text.len()), out)],
        _ => Vec::new(),
    }
}
