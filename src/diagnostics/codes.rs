//! The registry of diagnostic codes: one line per code, one explanation file per code.
//!
//! Codes are stable: a code, once shipped, keeps its meaning. Ranges: `E0xx` syntax, `E1xx`
//! names and imports, `E2xx` units, types and values, `E3xx` schedule and plan, `E4xx`
//! runtime, `E5xx` the command line and its files, `W0xx` warnings. The explanation printed by `somnia explain CODE` is the file
//! `docs/diagnostics/CODE.md`, compiled in, so a code cannot exist without one.

use super::Severity;
use serde::{Serialize, Serializer};
use std::fmt;

/// What `somnia explain` knows about a code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: Code,
    pub title: &'static str,
    pub explanation: &'static str,
}

macro_rules! codes {
    ($($code:ident => $title:literal,)*) => {
        /// A stable diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($code,)* }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code),)* }
            }

            pub fn info(self) -> CodeInfo {
                match self {
                    $(Code::$code => CodeInfo {
                        code: self,
                        title: $title,
                        explanation: include_str!(concat!("../../docs/diagnostics/", stringify!($code), ".md")),
                    },)*
                }
            }
        }
    };
}

codes! {
    E001 => "syntax error",
    E002 => "unterminated string",
    E003 => "unterminated block comment",
    E004 => "unclosed delimiter",
    E005 => "unmatched closing delimiter",
    E006 => "nesting too deep",
    E007 => "invalid escape in a string",
    E008 => "the file is not UTF-8 text",
    E009 => "reserved word used as a name",

    E101 => "undefined name",
    E102 => "duplicate definition",
    E103 => "wrong kind of item",
    E104 => "import not found",
    E105 => "import cycle",
    E106 => "unknown built-in",
    E107 => "unknown setting or parameter",
    E108 => "setting given twice",
    E109 => "missing required setting or argument",
    E110 => "definition depends on itself",
    E111 => "unknown population",
    E112 => "wrong number of arguments",
    E113 => "unknown type name",
    E115 => "data file not found",
    E116 => "built-in not available yet",

    E201 => "unknown unit",
    E202 => "mismatched dimensions",
    E203 => "unit without a number",
    E204 => "wrong type",
    E205 => "wrong dimension for this setting",
    E206 => "probability outside [0, 1]",
    E207 => "value must be positive",
    E208 => "value must not be negative",
    E209 => "value is not finite",
    E210 => "value must be a whole number",
    E211 => "value outside its allowed range",
    E212 => "division by zero",
    E213 => "unknown option",
    E214 => "index out of range",
    E215 => "setting has no effect with the other settings",

    E301 => "conditional loop without a bound",
    E302 => "rule not valid in this kind of phase",
    E303 => "setting not valid in this kind of phase",
    E304 => "restore without an earlier checkpoint",
    E305 => "estimated memory exceeds the machine's",
    E306 => "phase has no length",
    E307 => "rule not valid with these dynamics",
    E308 => "protocol is incomplete",
    E309 => "no task has been trained yet",
    E310 => "plan too large",
    E311 => "length is not a whole number of steps",
    E312 => "projection into an input population",
    E313 => "expectation reads a metric that is never measured",
    E314 => "unknown measurement label or phase",
    E315 => "replay of input rates never recorded",
    E316 => "input for a network without an input population",
    E317 => "not supported by the engine",
    E318 => "needs something no earlier phase produced",
    E319 => "too many seeds, runs or values",
    E320 => "needs an environment phase, or not in one",
    E321 => "tied projection misused",
    E322 => "cannot be recorded",
    E401 => "cannot read a data file",
    E402 => "not a valid data file",
    E403 => "data file is truncated",
    E404 => "label out of range",
    E405 => "data files disagree",
    E406 => "malformed CSV row",
    E407 => "input size does not match the dataset",
    E408 => "task has no samples",
    E409 => "label has no output neuron",
    E410 => "non-finite value during a run",
    E411 => "weights diverged",
    E412 => "needs state no earlier op produced",
    E413 => "run interrupted",
    E501 => "not a somnia outcome",
    E502 => "option value out of range",
    E503 => "cannot write output",

    W001 => "file defines nothing",
    W002 => "unused definition",
    W003 => "protocol has no expectations",
    W004 => "checkpoint never restored",
    W005 => "empty loop body",
    W006 => "name shadows a built-in",
    W007 => "sleep phase changes nothing",
    W008 => "large plan",
    W009 => "recording records nothing",
    W010 => "comparison over few seeds",
}

impl Code {
    pub fn severity(self) -> Severity {
        if self.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    /// Looks a code up by its text, ignoring case (`e101` finds `E101`).
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_in_their_ranges() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            let s = c.as_str();
            assert_eq!(s.len(), 4, "{s} is not a letter and three digits");
            assert!(s.starts_with('E') || s.starts_with('W'));
        }
    }

    #[test]
    fn every_explanation_starts_with_its_code_and_title() {
        for c in Code::ALL {
            let info = c.info();
            let first = info.explanation.lines().next().unwrap_or("");
            assert_eq!(
                first,
                format!("# {}: {}", c, info.title),
                "docs/diagnostics/{c}.md"
            );
        }
    }

    #[test]
    fn every_explanation_file_has_a_code() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if let Some(stem) = name.strip_suffix(".md") {
                assert!(
                    Code::parse(stem).is_some(),
                    "{name} has no code in the registry"
                );
            }
        }
    }
}
