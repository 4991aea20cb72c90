//! The pest binding of `grammar/somnia.pest`.

use std::sync::Once;

/// The generated parser; its `Rule` enum names every grammar rule.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/somnia.pest"]
pub struct SomniaParser;

/// Asks pest to record which tokens it expected at the failure point, so syntax errors can
/// list literal tokens (`{`, `=`) and not only rule names.
pub fn enable_error_detail() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| pest::set_error_detail(true));
}
