//! The ```` ```sleep ```` blocks of a Markdown page — each with its line and the heading it
//! stands under — and the "checks only" convention, shared by tests/docs.rs (every block
//! checks) and tests/examples.rs (every block and example runs, unless it is checks only).

/// A block or an example file whose first line starts with this is only checked, never run.
/// The rest of the line says why: `// checks only: 30 minutes of training on 60,000 images`.
pub const CHECKS_ONLY: &str = "// checks only:";

/// A fenced ```sleep block.
pub struct Block {
    /// The line of its first line of code (1-based).
    pub line: usize,
    /// The text of the closest Markdown heading above it, without the `#`s.
    pub heading: String,
    pub text: String,
}

/// Every ```sleep block of a Markdown text, in order.
pub fn sleep_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    let mut other_fence = false;
    let mut heading = String::new();
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim();
        match &mut current {
            Some(b) => {
                if fence == "```" {
                    blocks.push(current.take().expect("inside a block"));
                } else {
                    b.text.push_str(line);
                    b.text.push('\n');
                }
            }
            None if other_fence => {
                if fence == "```" {
                    other_fence = false;
                }
            }
            None => {
                if fence == "```sleep" {
                    current = Some(Block {
                        line: i + 2,
                        heading: heading.clone(),
                        text: String::new(),
                    });
                } else if fence.starts_with("```") {
                    other_fence = true;
                } else if line.starts_with('#') {
                    heading = line.trim_start_matches('#').trim().to_string();
                }
            }
        }
    }
    if let Some(b) = current {
        panic!(
            "the ```sleep block starting at line {} is never closed",
            b.line - 1
        );
    }
    blocks
}

/// Why a file is only checked: the rest of its first line when that line starts with
/// [`CHECKS_ONLY`], `None` for a file that runs.
pub fn checks_only(text: &str) -> Option<&str> {
    let first = text.lines().next()?.trim();
    first.strip_prefix(CHECKS_ONLY).map(str::trim)
}

/// The `expect` lines of a file (trimmed), to make sure a checks-only file claims nothing.
pub fn expectations(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("expect ") || *l == "expect")
        .collect()
}
