//! Reading what the user typed: when an entry is complete (multi-line input continues while
//! a brace, bracket or parenthesis is open), and what kind of entry it is.

/// Words that start an item: the entry adds a definition to the session.
pub const ITEM_WORDS: &[&str] = &[
    "import", "let", "dataset", "tasks", "network", "rule", "phase", "protocol", "compare", "sweep",
];

/// Words that start a schedule statement other than a phase call.
pub const SCHEDULE_WORDS: &[&str] = &["for", "repeat", "until", "measure", "checkpoint", "restore"];

/// Whether `text` ends with a bracket still open, skipping strings and comments (an
/// unclosed block comment counts as open). A closing bracket that does not match the
/// innermost open one ends the entry: it is an error for the checker to report.
fn open_at_end(text: &str) -> bool {
    let b = text.as_bytes();
    let mut open: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => match text[i + 2..].find("*/") {
                Some(end) => i += end + 3,
                None => return true,
            },
            c @ (b'{' | b'[' | b'(') => open.push(c),
            c @ (b'}' | b']' | b')') => {
                let opener = match c {
                    b'}' => b'{',
                    b']' => b'[',
                    _ => b'(',
                };
                if open.pop() != Some(opener) {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    !open.is_empty()
}

/// Whether an entry is complete: every bracket closed (a closing bracket too many, or the
/// wrong one, is complete too, and an error for the checker to report) and no block
/// comment open.
pub fn is_complete(text: &str) -> bool {
    !open_at_end(text)
}

/// What an entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Only spaces and comments.
    Empty,
    /// `:name args` (`:save!` keeps its `!` in the name).
    Command { name: String, args: String },
    /// A definition.
    Item,
    /// A schedule statement: a phase call, a loop, `measure`, `checkpoint`, `restore`.
    Statement,
    /// Anything else is an expression to evaluate.
    Expr,
}

/// The text without leading spaces and comments.
pub fn strip_leading_comments(mut text: &str) -> &str {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("//") {
            text = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = text.strip_prefix("/*") {
            text = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return text;
        }
    }
}

/// The leading name of `text` (letters, digits, `_` and `.`), if it starts with one.
pub fn leading_word(text: &str) -> &str {
    let end = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '.'))
        .map_or(text.len(), |(i, _)| i);
    &text[..end]
}

/// Classifies an entry; `is_phase` says whether a name is a phase of the session.
pub fn classify(text: &str, is_phase: &dyn Fn(&str) -> bool) -> Entry {
    let t = strip_leading_comments(text);
    if t.is_empty() {
        return Entry::Empty;
    }
    if let Some(rest) = t.strip_prefix(':') {
        let rest = rest.trim();
        let (name, args) = rest
            .split_once(char::is_whitespace)
            .map_or((rest, ""), |(n, a)| (n, a.trim()));
        return Entry::Command {
            name: name.to_string(),
            args: args.to_string(),
        };
    }
    let word = leading_word(t);
    if ITEM_WORDS.contains(&word) {
        return Entry::Item;
    }
    if SCHEDULE_WORDS.contains(&word) {
        return Entry::Statement;
    }
    let after = t[word.len()..].trim_start();
    if !word.is_empty()
        && is_phase(word)
        && (after.is_empty() || after.starts_with('(') || after.starts_with(';'))
    {
        return Entry::Statement;
    }
    Entry::Expr
}

/// The name an item defines (`phase learn(...)` → `learn`), when it defines one.
pub fn item_name(text: &str) -> Option<&str> {
    let t = strip_leading_comments(text);
    let word = leading_word(t);
    if !ITEM_WORDS.contains(&word) || matches!(word, "import" | "compare" | "sweep") {
        return None;
    }
    let name = leading_word(t[word.len()..].trim_start());
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_continue_while_brackets_are_open() {
        assert!(!is_complete("network n {"));
        assert!(!is_complete("let x = [1,\n 2"));
        assert!(is_complete("network n {\n input x 4 }"));
        assert!(is_complete("let s = \"{\""));
        assert!(is_complete("let x = 1 // {"));
        assert!(!is_complete("/* {"));
        assert!(is_complete("}"));
        assert!(is_complete("learn(pairs[2)"));
    }

    #[test]
    fn entries_are_classified() {
        let phase = |n: &str| n == "learn";
        assert_eq!(classify("  ", &phase), Entry::Empty);
        assert_eq!(classify("// just a note", &phase), Entry::Empty);
        assert_eq!(classify("let x = 1", &phase), Entry::Item);
        assert_eq!(classify("learn(t)", &phase), Entry::Statement);
        assert_eq!(classify("learn", &phase), Entry::Statement);
        assert_eq!(classify("measure accuracy(seen)", &phase), Entry::Statement);
        assert_eq!(classify("3 ms * 20 Hz", &phase), Entry::Expr);
        assert_eq!(classify("len(pairs)", &phase), Entry::Expr);
        assert_eq!(
            classify(":type 3 ms", &phase),
            Entry::Command {
                name: "type".into(),
                args: "3 ms".into()
            }
        );
        assert_eq!(item_name("phase learn(t: task) = wake {"), Some("learn"));
        assert_eq!(item_name("import \"x.sleep\""), None);
    }
}
