//! Reading an outcome document back: one reader for `diff`, `plot`, `run --resume` and the
//! goldens, so each refuses the same things the same way.
//!
//! The schema is checked before the fields: an outcome written by a later somnia (a higher
//! `schema`) may mean something else by the same field names, and reading it as this schema
//! would compare or plot the wrong numbers without a word.

use super::{Outcome, SCHEMA};
use std::path::Path;

/// The outcome in `text` (read from `path`), or why it is not one this somnia reads.
pub fn parse(text: &str, path: &Path) -> Result<Outcome, String> {
    let shown = path.display();
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("{shown} is not JSON: {e}"))?;
    match value.get("schema").and_then(serde_json::Value::as_u64) {
        Some(s) if s == u64::from(SCHEMA) => {}
        Some(s) => {
            return Err(format!(
                "{shown} has outcome schema {s}; this somnia reads schema {SCHEMA} (rerun the protocol, or use the somnia that wrote it)"
            ));
        }
        None => {
            return Err(format!(
                "{shown} is not a somnia outcome: it has no `schema`"
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| format!("{shown} is not a somnia outcome: {e}"))
}

/// The outcome in the file at `path`.
pub fn file(path: &Path) -> Result<Outcome, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_schema_or_none_is_refused_before_the_fields() {
        let p = Path::new("o.json");
        let e = parse(r#"{"schema": 99}"#, p).unwrap_err();
        assert!(e.contains("schema 99") && e.contains("schema 1"), "{e}");
        let e = parse(r#"{"protocol": "x"}"#, p).unwrap_err();
        assert!(e.contains("no `schema`"), "{e}");
        let e = parse("not json", p).unwrap_err();
        assert!(e.contains("not JSON"), "{e}");
        let e = parse(r#"{"schema": 1}"#, p).unwrap_err();
        assert!(e.contains("not a somnia outcome"), "{e}");
    }
}
