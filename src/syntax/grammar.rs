//! The pest binding of `grammar/somnia.pest`.

use pest::Parser;
use pest::iterators::Pairs;
use std::sync::Mutex;

/// The generated parser; its `Rule` enum names every grammar rule.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/somnia.pest"]
pub struct SomniaParser;

/// Parses `text` from `rule`. pest's record of the tokens it expected at a failure point
/// costs time on every parse, so it is only turned on to parse a failing text again: the
/// happy path stays fast and syntax errors can still list literal tokens (`{`, `=`).
pub fn parse(rule: Rule, text: &str) -> Result<Pairs<'_, Rule>, Box<Failure>> {
    match SomniaParser::parse(rule, text) {
        Ok(p) => Ok(p),
        Err(plain) => match with_error_detail(|| SomniaParser::parse(rule, text)) {
            Ok(p) => Ok(p),
            Err(detailed) => Err(Box::new(Failure { plain, detailed })),
        },
    }
}

/// A failed parse, as pest reports it with and without its record of attempts: the plain
/// report names the rules expected where the failing item starts, the detailed one the
/// literal tokens expected at the furthest point reached.
pub struct Failure {
    pub plain: pest::error::Error<Rule>,
    pub detailed: pest::error::Error<Rule>,
}

/// pest's switch is global; count its users so that one thread's failing parse never
/// turns it off under another's.
static DETAIL_USERS: Mutex<usize> = Mutex::new(0);

fn with_error_detail<T>(f: impl FnOnce() -> T) -> T {
    {
        let mut n = DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
        *n += 1;
        pest::set_error_detail(true);
    }
    let out = f();
    let mut n = DETAIL_USERS.lock().unwrap_or_else(|e| e.into_inner());
    *n -= 1;
    if *n == 0 {
        pest::set_error_detail(false);
    }
    out
}
