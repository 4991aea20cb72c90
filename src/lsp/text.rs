//! Positions and words in a document's text: LSP counts columns in UTF-16 code units, somnia
//! in bytes; and a document being typed rarely parses, so completion reads the text itself.

use lsp_types::Position;

/// The LSP position of byte `offset`.
pub fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position (clamped to the line and the text).
pub fn offset(text: &str, pos: Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= pos.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The name under (or just before) `offset`, with its byte range.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize, &str)> {
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = &text[start..end];
    (!word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()))
        .then_some((start, end, word))
}

/// The name of the built-in whose `{ … }` block encloses `offset`: `backprop` in
/// `rule sgd = backprop { lr 0.1; | }`, `idx` in `idx("data") { | }`, `wake` in
/// `phase learn(t: tasks) = wake { | }`. Brackets in strings and comments are not counted.
pub fn enclosing_block_owner(text: &str, offset: usize) -> Option<&str> {
    let code = code_only(&text[..offset.min(text.len())]);
    let bytes = code.as_bytes();
    let mut depth = 0i32;
    let mut i = bytes.len();
    while i > 0 {
        i -= 1;
        match bytes[i] {
            b'}' => depth += 1,
            b'{' if depth == 0 => break,
            b'{' => depth -= 1,
            _ => {}
        }
        if i == 0 {
            return None;
        }
    }
    let mut j = code[..i].trim_end().len();
    if code[..j].ends_with(')') {
        let mut d = 0;
        while j > 0 {
            j -= 1;
            match bytes[j] {
                b')' => d += 1,
                b'(' => {
                    d -= 1;
                    if d == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        j = code[..j].trim_end().len();
    }
    let start = code[..j]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map(|(k, _)| k)?;
    Some(&text[start..j])
}

/// `text` with comments and strings blanked out (same length, so offsets still hold).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let (mut line_comment, mut block_comment, mut string) = (false, false, false);
    while let Some(c) = chars.next() {
        if line_comment {
            line_comment = c != '\n';
        } else if block_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                out.push(' ');
                block_comment = false;
            }
        } else if string {
            string = c != '"' && c != '\n';
            if c == '\\' && chars.peek().is_some() {
                let n = chars.next().unwrap_or(' ');
                out.push(' ');
                out.push_str(&" ".repeat(n.len_utf8()));
                continue;
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            line_comment = true;
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            out.push(' ');
            block_comment = true;
        } else if c == '"' {
            string = true;
        } else {
            out.push(c);
            continue;
        }
        out.push_str(&" ".repeat(c.len_utf8()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let t = "let µ = 1\nlet x = 2";
        let p = position(t, t.find('x').unwrap());
        assert_eq!((p.line, p.character), (1, 4));
        assert_eq!(offset(t, p), t.find('x').unwrap());
        assert_eq!(offset(t, Position::new(0, 5)), t.find(" =").unwrap());
    }

    #[test]
    fn the_owner_of_a_block_is_found_in_text_that_does_not_parse() {
        let t = "rule r = backprop { lr 0.1; ";
        assert_eq!(enclosing_block_owner(t, t.len()), Some("backprop"));
        let t = "dataset d = idx(\"a{\") { scale 1/255; /* { */ ";
        assert_eq!(enclosing_block_owner(t, t.len()), Some("idx"));
        let t = "phase p = wake { drive x { a 1 } ";
        assert_eq!(enclosing_block_owner(t, t.len()), Some("wake"));
        assert_eq!(enclosing_block_owner("let a = 1", 9), None);
    }

    #[test]
    fn the_word_under_the_cursor() {
        let t = "rule r = backprop { lr 0.1 }";
        assert_eq!(word_at(t, 12).map(|w| w.2), Some("backprop"));
        assert_eq!(word_at(t, 17).map(|w| w.2), Some("backprop"));
        assert_eq!(word_at(t, 24).map(|w| w.2), None);
    }
}
