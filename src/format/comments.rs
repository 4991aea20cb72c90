//! Where the comments of a file are: the grammar skips them, so the formatter finds them
//! in the text itself (outside strings) and puts each back next to the code it was next to.

/// A comment's byte range in the source, `//` or `/*` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

impl Comment {
    /// `// …` runs to the end of its line, so nothing can follow it on that line.
    pub fn is_line(self, src: &str) -> bool {
        src[self.start..].starts_with("//")
    }
}

/// Every comment of `src`, in order. The text has passed the prescan, so strings and block
/// comments are terminated; an unterminated one simply ends at the end of the text.
pub fn scan(src: &str) -> Vec<Comment> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = src[i..].find('\n').map_or(src.len(), |n| i + n);
                out.push(Comment {
                    start: i,
                    end: trim_end(src, i, end),
                });
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = src[i + 2..].find("*/").map_or(src.len(), |n| i + 2 + n + 2);
                out.push(Comment { start: i, end });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The offset just past the string that opens at `open`.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' | b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `end` moved back over trailing whitespace (a `\r` before the newline included).
fn trim_end(src: &str, start: usize, end: usize) -> usize {
    start + src[start..end].trim_end().len()
}

/// The offset of the first `ch` at or after `from` that is code: not in a comment or a
/// string. Used to find the brackets the tree does not record.
pub fn find_code_char(src: &str, comments: &[Comment], from: usize, ch: u8) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if let Ok(k) = comments.binary_search_by_key(&i, |c| c.start) {
            i = comments[k].end;
            continue;
        }
        match bytes[i] {
            b if b == ch => return Some(i),
            b'"' => i = string_end(bytes, i),
            _ => i += 1,
        }
    }
    None
}

/// The bracket that closes the one at `open`, counting brackets in code only.
pub fn matching_close(src: &str, comments: &[Comment], open: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        if let Ok(k) = comments.binary_search_by_key(&i, |c| c.start) {
            i = comments[k].end;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<&str> {
        scan(src).iter().map(|c| &src[c.start..c.end]).collect()
    }

    #[test]
    fn comments_outside_strings_are_found() {
        let src = "let a = \"// not\" // yes  \n/* b\n c */ let d = 1 /* e */";
        assert_eq!(texts(src), ["// yes", "/* b\n c */", "/* e */"]);
    }

    #[test]
    fn an_escaped_quote_does_not_end_a_string() {
        assert_eq!(texts(r#"import "a\"//b" // c"#), ["// c"]);
    }

    #[test]
    fn brackets_inside_comments_and_strings_are_not_code() {
        let src = "x /* { */ \"{\" {";
        let cs = scan(src);
        assert_eq!(find_code_char(src, &cs, 0, b'{'), Some(src.len() - 1));
    }
}
