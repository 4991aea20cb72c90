//! The formatter's output: lines of code at an indentation, with the source's comments put
//! back where they were (above the code they preceded, or after the code on their line) and
//! the source's blank lines kept (at most one in a row).
//!
//! Two things are decided only once every line is known, like gofmt's columns: the names
//! of consecutive populations line up, and so do the trailing comments of consecutive lines.

use super::comments::Comment;

/// Spaces per indentation level.
const INDENT: usize = 2;

/// One output line.
#[derive(Debug, Default)]
struct Line {
    code: String,
    /// Comments after the code on this line, joined by a space.
    trailing: String,
    /// A population's line: the byte offsets in `code` of the space after its role and of
    /// the space after its name, where padding goes when populations line up.
    columns: Option<(usize, usize)>,
}

pub struct Printer<'a> {
    pub src: &'a str,
    comments: Vec<Comment>,
    /// The first comment not yet printed.
    next: usize,
    lines: Vec<Line>,
    indent: usize,
    /// How far into the source the output has come (for blank lines).
    pos: usize,
    /// Nothing printed yet since the innermost bracket opened: no blank line goes here.
    fresh: bool,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str, comments: Vec<Comment>) -> Self {
        Printer {
            src,
            comments,
            next: 0,
            lines: Vec::new(),
            indent: 0,
            pos: 0,
            fresh: true,
        }
    }

    pub fn comments(&self) -> &[Comment] {
        &self.comments
    }

    /// Whether a comment starts in `from..to`.
    pub fn has_comment_in(&self, from: usize, to: usize) -> bool {
        self.comments
            .iter()
            .any(|c| c.start >= from && c.start < to)
    }

    /// Whether `from..to` of the source crosses a line end.
    pub fn spans_lines(&self, from: usize, to: usize) -> bool {
        self.src[from.min(to)..to].contains('\n')
    }

    /// Starts a line for code that begins at `start` in the source: the comments before it
    /// go on their own lines above it, and a blank line before it stays.
    pub fn line(&mut self, start: usize) {
        self.leading(start);
        self.blank_before(start);
        self.push_line(self.indent);
        self.fresh = false;
    }

    /// Ends the code that ended at `end`: comments that follow it on its source line go
    /// after it.
    pub fn end(&mut self, end: usize) {
        self.end_before(end, usize::MAX);
    }

    /// [`Printer::end`], taking only comments before the code at `until`.
    fn end_before(&mut self, end: usize, until: usize) {
        self.inline(end);
        while let Some(c) = self.comments.get(self.next).copied() {
            if c.start < end || c.start >= until || self.spans_lines(end, c.start) {
                break;
            }
            self.trail(c);
        }
        self.pos = self.pos.max(end);
    }

    /// Appends code to the current line.
    pub fn text(&mut self, s: &str) {
        if self.lines.is_empty() {
            self.push_line(self.indent);
        }
        self.current().code.push_str(s);
    }

    /// Appends a token that is at `at` in the source, after any comment before it.
    pub fn tok(&mut self, at: usize, s: &str) {
        self.inline(at);
        self.text(s);
        self.pos = self.pos.max(at);
    }

    /// Marks the current line as a population's: `role_end` and `name_end` are where the
    /// spaces after the role and after the name are in its code.
    pub fn mark_columns(&mut self, role_end: usize, name_end: usize) {
        self.current().columns = Some((role_end, name_end));
    }

    /// Whether nothing but indentation is on the current line yet.
    pub fn at_line_start(&self) -> bool {
        self.lines.last().is_none_or(|l| l.code.trim().is_empty())
    }

    /// The length of the current line's code (to record columns).
    pub fn column(&self) -> usize {
        self.lines.last().map_or(0, |l| l.code.len())
    }

    /// `{` at `open`, then the lines of a block one level deeper; a comment after the `{`
    /// and before the block's first code (at `first`) stays on its line.
    pub fn open_block(&mut self, open: usize, first: usize, bracket: &str) {
        self.tok(open, bracket);
        self.end_before(open + 1, first);
        self.indent += 1;
        self.fresh = true;
    }

    /// The comments left before the closing bracket at `close`, then the bracket on a line
    /// of its own at the outer level.
    pub fn close_block(&mut self, close: usize, bracket: &str) {
        self.leading(close);
        self.indent -= 1;
        self.push_line(self.indent);
        self.text(bracket);
        self.pos = close + 1;
        self.fresh = false;
    }

    /// Every comment before `before`, each on its own line.
    fn leading(&mut self, before: usize) {
        while let Some(c) = self.comments.get(self.next).copied() {
            if c.start >= before {
                break;
            }
            self.blank_before(c.start);
            self.push_line(self.indent);
            let text = self.src[c.start..c.end].to_string();
            self.text(&text);
            self.next += 1;
            self.pos = c.end;
            self.fresh = false;
        }
    }

    /// Comments before `at` that are inside code printed on one line: a block comment stays
    /// in the line; a line comment ends it, and the code goes on, indented, on the next.
    fn inline(&mut self, at: usize) {
        while let Some(c) = self.comments.get(self.next).copied() {
            if c.start >= at {
                break;
            }
            let text = &self.src[c.start..c.end];
            if c.is_line(self.src) || text.contains('\n') {
                self.trail(c);
                self.push_line(self.indent + 2);
            } else {
                let text = text.to_string();
                let line = self.current();
                if !line.code.ends_with([' ', '(', '[']) && !line.code.trim().is_empty() {
                    line.code.push(' ');
                }
                line.code.push_str(&text);
                line.code.push(' ');
                self.next += 1;
                self.pos = c.end;
            }
        }
    }

    fn trail(&mut self, c: Comment) {
        let text = &self.src[c.start..c.end];
        let line = self
            .lines
            .last_mut()
            .expect("a trailing comment follows code");
        if !line.trailing.is_empty() {
            line.trailing.push(' ');
        }
        line.trailing.push_str(text);
        self.next += 1;
        self.pos = c.end;
    }

    /// A blank line when the source has one between what was printed last and `at`.
    fn blank_before(&mut self, at: usize) {
        if self.fresh || self.lines.is_empty() {
            return;
        }
        let gap = &self.src[self.pos.min(at)..at];
        if gap.matches('\n').count() >= 2 && !self.lines.last().is_some_and(is_blank) {
            self.lines.push(Line::default());
        }
    }

    fn push_line(&mut self, level: usize) {
        self.lines.push(Line {
            code: " ".repeat(level * INDENT),
            ..Line::default()
        });
    }

    fn current(&mut self) -> &mut Line {
        if self.lines.is_empty() {
            self.push_line(self.indent);
        }
        self.lines.last_mut().expect("a line was just pushed")
    }

    /// The text: the comments left at the end, columns lined up, one newline at the end.
    pub fn finish(mut self) -> String {
        self.leading(self.src.len() + 1);
        align_populations(&mut self.lines);
        align_trailing(&mut self.lines);
        let mut out = String::new();
        for line in &self.lines {
            let code = line.code.trim_end();
            if line.trailing.is_empty() {
                out.push_str(code);
            } else {
                out.push_str(&line.code);
                out.push_str(&line.trailing);
            }
            out.push('\n');
        }
        let body = out.trim_matches('\n');
        if body.is_empty() {
            String::new()
        } else {
            format!("{body}\n")
        }
    }
}

fn is_blank(line: &Line) -> bool {
    line.code.trim().is_empty() && line.trailing.is_empty()
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Runs of consecutive lines that satisfy `pred`.
fn runs(lines: &[Line], pred: impl Fn(&Line) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if pred(&lines[i]) {
            let start = i;
            while i < lines.len() && pred(&lines[i]) {
                i += 1;
            }
            out.push(start..i);
        } else {
            i += 1;
        }
    }
    out
}

/// `input x 784` / `layer hidden 100` → the names and sizes of a run of populations start
/// in the same columns.
fn align_populations(lines: &mut [Line]) {
    for run in runs(lines, |l| l.columns.is_some()) {
        let indent = |l: &Line| l.code.len() - l.code.trim_start().len();
        let (mut role_w, mut name_w) = (0, 0);
        for l in &lines[run.clone()] {
            let (r, n) = l.columns.expect("a run holds population lines");
            role_w = role_w.max(width(&l.code[indent(l)..r]));
            name_w = name_w.max(width(&l.code[r + 1..n]));
        }
        for l in &mut lines[run] {
            let (r, n) = l.columns.take().expect("a run holds population lines");
            let start = indent(l);
            let role = &l.code[start..r];
            let name = &l.code[r + 1..n];
            let rest = &l.code[n + 1..];
            l.code = format!(
                "{}{role}{}{name}{}{rest}",
                &l.code[..start],
                " ".repeat(role_w - width(role) + 1),
                " ".repeat(name_w - width(name) + 1),
            );
        }
    }
}

/// The trailing comments of consecutive lines start in one column, two spaces after the
/// longest code.
fn align_trailing(lines: &mut [Line]) {
    for run in runs(lines, |l| !l.trailing.is_empty()) {
        let col = lines[run.clone()]
            .iter()
            .map(|l| width(l.code.trim_end()))
            .max()
            .unwrap_or(0)
            + 2;
        for l in &mut lines[run] {
            let code = l.code.trim_end().to_string();
            let pad = col - width(&code);
            l.code = format!("{code}{}", " ".repeat(pad));
        }
    }
}
