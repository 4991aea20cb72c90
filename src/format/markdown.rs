//! The ```` ```sleep ```` blocks of a Markdown file, formatted in place: documentation shows
//! protocols in the layout `somnia fmt` gives them. Other text is left exactly as it is.

use super::{FormatError, format_source};
use crate::source::{FileId, SourceFile};

/// A block that could not be formatted, with the line its code starts on (1-based).
#[derive(Debug)]
pub struct BlockError {
    pub first_line: usize,
    pub source: SourceFile,
    pub error: FormatError,
}

/// `text` with every ```` ```sleep ```` block formatted; the blocks that cannot be are
/// left as they were and returned as errors.
pub fn format_markdown(name: &str, text: &str) -> (String, Vec<BlockError>) {
    let mut out = String::with_capacity(text.len());
    let mut errors = Vec::new();
    let mut lines = text.split_inclusive('\n').enumerate();
    // The backticks that opened another fenced block (```text, an indented ```sleep, a
    // ````markdown block that shows a ```sleep one): its lines are not ours.
    let mut other_fence: Option<usize> = None;
    while let Some((_, line)) = lines.next() {
        out.push_str(line);
        let fence = line.trim_end();
        let ticks = fence
            .trim_start()
            .bytes()
            .take_while(|&b| b == b'`')
            .count();
        if let Some(open) = other_fence {
            if ticks >= open && fence.trim_start().len() == ticks {
                other_fence = None;
            }
            continue;
        }
        if fence != "```sleep" {
            if ticks >= 3 {
                other_fence = Some(ticks);
            }
            continue;
        }
        let mut code = String::new();
        let mut first_line = None;
        let mut closing = None;
        for (i, l) in lines.by_ref() {
            first_line.get_or_insert(i + 1);
            if l.trim_end() == "```" {
                closing = Some(l);
                break;
            }
            code.push_str(l);
        }
        let first_line = first_line.unwrap_or(0);
        // Blank lines in front, which the formatter drops, so that a syntax error in the
        // block is reported at its line of the Markdown file.
        let padded = "\n".repeat(first_line.saturating_sub(1)) + &code;
        let source = SourceFile::new(name, None, padded);
        match format_source(FileId(0), &source) {
            Ok(formatted) => out.push_str(&formatted),
            Err(error) => {
                out.push_str(&code);
                errors.push(BlockError {
                    first_line,
                    source,
                    error,
                });
            }
        }
        if let Some(c) = closing {
            out.push_str(c);
        }
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sleep_blocks_change() {
        let md = "# T\n\n```sleep\nlet  a=1\n```\n\n```text\nlet  a=1\n```\n";
        let (out, errors) = format_markdown("x.md", md);
        assert!(errors.is_empty());
        assert_eq!(
            out,
            "# T\n\n```sleep\nlet a = 1\n```\n\n```text\nlet  a=1\n```\n"
        );
    }

    #[test]
    fn a_sleep_fence_shown_inside_another_block_is_text() {
        let md = "````text\n```sleep\nlet  a=1\n```\n````\n";
        let (out, errors) = format_markdown("x.md", md);
        assert!(errors.is_empty());
        assert_eq!(out, md);
    }

    #[test]
    fn a_block_that_does_not_parse_is_kept_and_reported() {
        let md = "```sleep\nlet = \n```\n";
        let (out, errors) = format_markdown("x.md", md);
        assert_eq!(out, md);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].first_line, 2);
    }
}
