//! Progress bars (indicatif) for long ops, on stderr when it is a terminal.

use crate::engine::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;

pub struct Bars {
    bar: Option<ProgressBar>,
}

impl Bars {
    pub fn new() -> Bars {
        Bars { bar: None }
    }

    /// Whether bars can be shown (stderr is a terminal).
    pub fn available() -> bool {
        std::io::stderr().is_terminal()
    }
}

impl Progress for Bars {
    fn start(&mut self, what: &str, total: u64, unit: &str) {
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template(&format!(
            "{{prefix:>16}} [{{bar:32}}] {{pos}}/{{len}} {unit} ({{elapsed}}, eta {{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(what.to_string());
        self.bar = Some(bar);
    }

    fn advance(&mut self, done: u64) {
        if let Some(b) = &self.bar {
            b.set_position(done);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
