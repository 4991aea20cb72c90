//! A pass over the raw text before the grammar runs.
//!
//! pest is a recursive-descent parser: 10,000 nested brackets would overflow its stack, and
//! an unterminated string or comment makes it report a confusing error far from the cause.
//! This scan finds those problems with a flat loop and reports them where they start.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Deepest bracket nesting accepted. Real protocols stay under ten.
pub const MAX_DEPTH: usize = 64;

/// Scans `text`, pushing E002–E006 diagnostics.
pub fn prescan(file: FileId, text: &str, diags: &mut Diagnostics) {
    let bytes = text.as_bytes();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(end) => i += end + 4,
                None => {
                    diags.push(
                        Diagnostic::new(
                            Code::E003,
                            Span::new(file, i, i + 2),
                            "unterminated block comment",
                        )
                        .label("this comment is never closed")
                        .help("close it with `*/`"),
                    );
                    return;
                }
            },
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        Some(b'"') => break,
                        Some(b'\\') if i + 1 < bytes.len() && bytes[i + 1] != b'\n' => i += 2,
                        Some(b'\n') | None => {
                            diags.push(
                                Diagnostic::new(Code::E002, Span::new(file, start, start + 1), "unterminated string")
                                    .label("this string is never closed")
                                    .help("add a closing `\"` on the same line; strings cannot span lines"),
                            );
                            return;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            open @ (b'(' | b'[' | b'{') => {
                stack.push((open, i));
                if stack.len() > MAX_DEPTH {
                    diags.push(
                        Diagnostic::new(Code::E006, Span::new(file, i, i + 1), "brackets nested too deeply")
                            .label(format!("this is level {} of nesting", stack.len()))
                            .help(format!(
                                "somnia accepts at most {MAX_DEPTH} levels of (), [] and {{}}; name inner parts with `let` or a phase"
                            )),
                    );
                    return;
                }
            }
            close @ (b')' | b']' | b'}') => match stack.pop() {
                Some((open, _)) if matching(open) == close => {}
                Some((open, at)) => {
                    diags.push(
                        Diagnostic::new(
                            Code::E005,
                            Span::new(file, i, i + 1),
                            format!("`{}` does not close `{}`", close as char, open as char),
                        )
                        .label(format!("expected `{}` here", matching(open) as char))
                        .secondary(Span::new(file, at, at + 1), "opened here"),
                    );
                    return;
                }
                None => {
                    diags.push(
                        Diagnostic::new(
                            Code::E005,
                            Span::new(file, i, i + 1),
                            format!("unmatched closing `{}`", close as char),
                        )
                        .label("nothing is open here"),
                    );
                    return;
                }
            },
            _ => {}
        }
        i += 1;
    }
    if let Some(&(open, at)) = stack.last() {
        diags.push(
            Diagnostic::new(
                Code::E004,
                Span::new(file, at, at + 1),
                format!("unclosed `{}`", open as char),
            )
            .label("opened here and never closed")
            .help(format!("add `{}` where this ends", matching(open) as char)),
        );
    }
}

fn matching(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<Code> {
        let mut d = Diagnostics::new();
        prescan(FileId(0), text, &mut d);
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn finds_structural_problems() {
        assert_eq!(codes("let a = \"abc\nlet b = 1"), vec![Code::E002]);
        assert_eq!(codes("/* open"), vec![Code::E003]);
        assert_eq!(codes("network n {"), vec![Code::E004]);
        assert_eq!(codes("let a = (1]"), vec![Code::E005]);
        assert_eq!(codes(&"(".repeat(10_000)), vec![Code::E006]);
        assert!(codes("let s = \"a // not a comment ( \" // ( in a comment").is_empty());
    }
}
