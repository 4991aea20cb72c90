//! The line editor's helper: tab completion of keywords, `:commands`, defined names and
//! parameters; syntax highlighting (when colour is on); a hint with a command's arguments.

use super::commands::COMMANDS;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};
use std::borrow::Cow;

/// The helper; [`Editor::words`] is refreshed after every entry.
#[derive(Default)]
pub struct Editor {
    /// Everything completable, sorted.
    pub words: Vec<String>,
    pub color: bool,
}

/// The start of the word that ends at `pos` (a `:` starts a command word).
fn word_start(line: &str, pos: usize) -> usize {
    line[..pos]
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == ':' || *c == '!'))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

impl Editor {
    /// Candidates for the word being typed at `pos`: (where it starts, the words).
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let start = word_start(line, pos);
        let prefix = &line[start..pos];
        if prefix.is_empty() {
            return (start, Vec::new());
        }
        // Commands only at the start of the line; names anywhere else.
        let command = prefix.starts_with(':');
        let words = self
            .words
            .iter()
            .filter(|w| w.starts_with(prefix) && w.starts_with(':') == command)
            .cloned()
            .collect();
        (start, words)
    }
}

impl Completer for Editor {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = self.candidates(line, pos);
        Ok((
            start,
            words
                .into_iter()
                .map(|w| Pair {
                    display: w.clone(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

impl Hinter for Editor {
    type Hint = String;

    /// The rest of a command and its arguments, once the command is unambiguous.
    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if pos != line.len() || !line.starts_with(':') || line.contains(' ') || line.len() < 2 {
            return None;
        }
        let typed = &line[1..];
        let mut found = COMMANDS.iter().filter(|c| c.name.starts_with(typed));
        let c = found.next()?;
        if found.next().is_some() {
            return None;
        }
        let rest = &c.name[typed.len()..];
        Some(if c.args.is_empty() {
            rest.to_string()
        } else {
            format!("{rest} {}", c.args)
        })
    }
}

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[36m";
const COMMENT: &str = "\x1b[2m";
const COMMAND: &str = "\x1b[1;35m";
const RESET: &str = "\x1b[0m";

/// The line with ANSI colours around keywords, strings, numbers, comments and a leading
/// `:command`; the visible text is unchanged.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let b = line.as_bytes();
    let mut i = 0;
    if line.starts_with(':') {
        let end = line.find(' ').unwrap_or(line.len());
        out.push_str(COMMAND);
        out.push_str(&line[..end]);
        out.push_str(RESET);
        i = end;
    }
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            out.push_str(COMMENT);
            out.push_str(&line[i..]);
            out.push_str(RESET);
            break;
        } else if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i = crate::source::floor_char_boundary(line, (i + 1).min(b.len()));
            out.push_str(STRING);
            out.push_str(&line[start..i]);
            out.push_str(RESET);
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            out.push_str(NUMBER);
            out.push_str(&line[start..i]);
            out.push_str(RESET);
        } else if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &line[start..i];
            if crate::syntax::is_reserved(word) {
                out.push_str(KEYWORD);
                out.push_str(word);
                out.push_str(RESET);
            } else {
                out.push_str(word);
            }
        } else {
            let ch = line[i..].chars().next().expect("inside the line");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

impl Highlighter for Editor {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{COMMENT}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// Multi-line input is gathered by the REPL itself (the same way from a terminal and from
/// a pipe), so every line is accepted as typed.
impl Validator for Editor {}

impl Helper for Editor {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_names_and_commands() {
        let e = Editor {
            words: vec![
                ":weights".into(),
                "learn".into(),
                "learning_rate".into(),
                "let".into(),
            ],
            color: false,
        };
        assert_eq!(
            e.candidates("lea", 3),
            (0, vec!["learn".into(), "learning_rate".into()])
        );
        assert_eq!(e.candidates("x = le", 6).1.len(), 3);
        assert_eq!(e.candidates(":we", 3), (0, vec![":weights".into()]));
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = ":type 3 ms // \"x\" let";
        let plain: String = highlight(line)
            .replace(KEYWORD, "")
            .replace(STRING, "")
            .replace(NUMBER, "")
            .replace(COMMENT, "")
            .replace(COMMAND, "")
            .replace(RESET, "");
        assert_eq!(plain, line);
        let line2 = "let s = \"a\\\"b\" + 2.5e3";
        let plain2: String = highlight(line2)
            .replace(KEYWORD, "")
            .replace(STRING, "")
            .replace(NUMBER, "")
            .replace(RESET, "");
        assert_eq!(plain2, line2);
    }
}
