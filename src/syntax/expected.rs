//! Syntax errors in the language's words.
//!
//! pest reports the grammar rules and literal tokens it tried at the furthest position it
//! reached. Users should never see rule names, so each rule that can appear there has a
//! phrase ("a name", "a number such as `100 ms`"), and the found text is described as a
//! person would ("the word `lett`", "the end of the file").

use super::grammar::Rule;
use crate::console::eprintln;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};
use std::collections::BTreeSet;

/// Converts a pest error into an E001 (or E009 for a reserved word in a name's place).
pub fn syntax_error(file: FileId, text: &str, failure: &super::grammar::Failure) -> Diagnostic {
    let e = &failure.detailed;
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Candidates: rules pest tried at `pos`, literal tokens at the furthest position.
    let mut rules: Vec<(u8, String)> = Vec::new();
    let mut keywords: Vec<String> = Vec::new();
    let plain_positives = match (&failure.plain.variant, failure.plain.location.clone()) {
        (ErrorVariant::ParsingError { positives, .. }, InputLocation::Pos(p)) if p == pos => {
            positives.clone()
        }
        _ => Vec::new(),
    };
    if let ErrorVariant::ParsingError { positives, .. } = &e.variant {
        for r in positives.iter().chain(&plain_positives) {
            if let Some(k) = format!("{r:?}").strip_prefix("kw_") {
                keywords.push(k.to_string());
            }
            if *r == Rule::file {
                keywords.extend(ITEMS.iter().map(|k| k.to_string()));
            }
            rules.extend(rule_words(*r));
        }
    }
    let mut tokens: Vec<(u8, String)> = Vec::new();
    let mut at = pos;
    let mut context: Option<Rule> = None;
    if let Some(attempts) = e.parse_attempts() {
        let literal: Vec<(u8, String)> = attempts
            .expected_tokens()
            .into_iter()
            .map(|t| t.to_string())
            .filter(|t| is_meaningful_token(t))
            .map(|t| token_words(&t))
            .collect();
        // pest reports the start of the item that failed; its furthest attempt often knows
        // better (`let x 5` needs `=` at `5`). Lookaheads such as `!ident_char` also reach
        // further, into the middle of a word, so only a position between tokens is trusted.
        let max = attempts.max_position;
        if std::env::var_os("SOMNIA_DEBUG_PARSE").is_some() {
            eprintln!(
                "pos {pos} max {max} {:?} {:?} plain {:?} {:?}",
                e.variant,
                attempts.expected_tokens(),
                failure.plain.variant,
                failure.plain.location
            );
        }
        if max > pos && at_token_boundary(text, max) && !literal.is_empty() {
            at = max;
            rules.clear();
            keywords.clear();
            tokens = literal;
        } else if max == pos {
            tokens = literal;
        }
        for stack in attempts.call_stacks() {
            if let Some(r) = stack.parent.filter(|r| context_words(*r).is_some()) {
                context.get_or_insert(r);
            }
        }
    }
    let mut expected: BTreeSet<(u8, String)> = BTreeSet::new();
    for (k, w) in rules.into_iter().chain(tokens) {
        if !expected.iter().any(|(_, x)| *x == w) {
            expected.insert((k, w));
        }
    }
    drop_continuations(&mut expected);
    let (found, found_span) = describe_found(text, at);
    let span = Span::new(file, found_span.0, found_span.1);
    let names_expected = expected.iter().any(|(_, w)| w == "a name");
    let found_word = &text[found_span.0..found_span.1];
    if names_expected && super::is_reserved(found_word) {
        return Diagnostic::new(
            Code::E009,
            span,
            format!("`{found_word}` is a reserved word"),
        )
        .label("a name was expected here")
        .help(format!(
            "reserved words cannot name things; try `{found_word}_` or a longer name"
        ));
    }
    let list: Vec<String> = expected.into_iter().map(|(_, w)| w).collect();
    let wanted = join_or(&list);
    let mut message = if wanted.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {wanted}, found {found}")
    };
    if let Some(c) = context.and_then(context_words) {
        message.push_str(&format!(" in {c}"));
    }
    let label = if wanted.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {wanted}")
    };
    let before = &text[..found_span.0];
    let d = Diagnostic::new(Code::E001, span, message).label(label);
    match hint(found_word, before, &list) {
        Some(help) => d.help(help),
        None => {
            let words = list
                .iter()
                .flat_map(|w| w.split('`').skip(1).step_by(2))
                .chain(keywords.iter().map(String::as_str));
            d.suggest_name(found_word, span, words)
        }
    }
}

/// Whether `i` falls between tokens (not inside a word).
fn at_token_boundary(text: &str, i: usize) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let prev = text[..i.min(text.len())].chars().next_back();
    let next = text.get(i..).and_then(|t| t.chars().next());
    !(prev.is_some_and(word) && next.is_some_and(word))
}

/// Tokens pest tried that say nothing to a user: whitespace, comment openers, the first
/// characters of names.
fn is_meaningful_token(token: &str) -> bool {
    !token.is_empty()
        && !token.contains("..")
        && token != "BUILTIN_RULE"
        && token != "_"
        && token != "/*"
        && token != "//"
        && token != "\u{feff}"
        && !token.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

/// When something else was possible, "an operator" and postfix tokens are noise: they only
/// say the previous expression could have continued.
fn drop_continuations(expected: &mut BTreeSet<(u8, String)>) {
    const CONTINUATIONS: &[&str] = &["an operator", "`(`", "`[`", "`.`", "`->`", "`..`"];
    const VALUE_STARTS: &[&str] = &[
        "`(`",
        "`[`",
        "`-`",
        "`\"`",
        "`not`",
        "`true`",
        "`false`",
        "`on`",
        "`off`",
        "`final`",
        "`initial`",
        "`at`",
        "`before`",
        "`after`",
        "`true` or `false`",
        "a name",
        "a number such as `100 ms`",
        "a string in double quotes",
    ];
    if expected.iter().any(|(_, w)| w.starts_with("a unit")) {
        expected.retain(|(_, w)| w != "`%`" && w != "`µ`");
    }
    let value = expected.iter().any(|(_, w)| w == "a value");
    if value {
        expected.retain(|(_, w)| !VALUE_STARTS.contains(&w.as_str()));
    }
    let other = expected
        .iter()
        .any(|(_, w)| !CONTINUATIONS.contains(&w.as_str()) && w != "the end of the file");
    if other {
        expected.retain(|(_, w)| !CONTINUATIONS.contains(&w.as_str()));
    }
}

/// Extra advice for mistakes that are easy to make.
fn hint(found: &str, before: &str, expected: &[String]) -> Option<String> {
    let prev = before.trim_end();
    if found.starts_with('=') && expected.iter().any(|w| w.contains("value")) {
        return Some("settings are written `name value`, without `=`".into());
    }
    if found == ":" {
        return Some("settings are written `name value`, without `:`".into());
    }
    if crate::units::lookup(found).is_some() && before.ends_with('\n')
        || (crate::units::lookup(found).is_some()
            && prev.ends_with(|c: char| c.is_ascii_digit())
            && before[prev.len()..].contains('\n'))
    {
        return Some(format!(
            "a unit follows its number on the same line: `… {found}`"
        ));
    }
    // `inc 0.03, dec 0.003`: the comma made `dec` a second value of `inc`.
    let word_start = prev.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    let last_word = &prev[word_start.len()..];
    let comma_then_setting =
        word_start.trim_end().ends_with(',') && crate::builtins::is_setting_name(last_word);
    if (prev.ends_with(',') && crate::builtins::is_setting_name(found)) || comma_then_setting {
        return Some("settings are separated by `;` or a line break, not `,`".into());
    }
    if prev.ends_with("as") && expected.iter().any(|w| w.contains("string")) {
        return Some(format!("labels are strings: `as \"{found}\"`"));
    }
    None
}

/// "a, b or c"
fn join_or(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        n => format!("{} or {}", items[..n - 1].join(", "), items[n - 1]),
    }
}

/// What is at `pos`, in words, and the span to underline.
fn describe_found(text: &str, pos: usize) -> (String, (usize, usize)) {
    let pos = pos.min(text.len());
    let rest = &text[pos..];
    let Some(c) = rest.chars().next() else {
        return ("the end of the file".into(), (pos, pos));
    };
    if c.is_ascii_alphabetic() || c == '_' {
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..len];
        return (format!("`{word}`"), (pos, pos + len));
    }
    if c.is_ascii_digit() {
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
            .unwrap_or(rest.len());
        return (format!("the number `{}`", &rest[..len]), (pos, pos + len));
    }
    if c == '"' {
        let len = rest[1..].find('"').map(|i| i + 2).unwrap_or(1);
        return ("a string".into(), (pos, pos + len));
    }
    if c.is_whitespace() {
        return ("a line break".into(), (pos, pos + c.len_utf8()));
    }
    let two = rest.get(..2).unwrap_or("");
    if ["->", "..", "<=", ">=", "==", "!="].contains(&two) {
        return (format!("`{two}`"), (pos, pos + 2));
    }
    (format!("`{c}`"), (pos, pos + c.len_utf8()))
}

/// The words that start a top-level item (`environment` is one, though not reserved).
const ITEMS: &[&str] = &[
    "import",
    "let",
    "dataset",
    "environment",
    "tasks",
    "network",
    "rule",
    "phase",
    "protocol",
    "compare",
    "sweep",
];

/// A literal token in the words of an error message (with a sort key: punctuation last).
fn token_words(token: &str) -> (u8, String) {
    const OPERATORS: &[&str] = &[
        "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or", "..", "->",
    ];
    const STATEMENTS: &[&str] = &["for", "repeat", "until", "measure", "checkpoint", "restore"];
    if OPERATORS.contains(&token) {
        return (3, "an operator".into());
    }
    if ITEMS.contains(&token) {
        return (2, "an item (`let`, `network`, `phase`, `protocol`…)".into());
    }
    if STATEMENTS.contains(&token) {
        return (
            2,
            "a schedule statement (a phase call, `for`, `repeat`, `until`, `measure`…)".into(),
        );
    }
    if token == "\"" {
        return (1, "a string in double quotes".into());
    }
    let key = if token.chars().all(|c| c.is_ascii_alphabetic()) {
        2
    } else {
        3
    };
    (key, format!("`{token}`"))
}

/// The phrase for a grammar rule that can be expected at an error position.
/// `None` for rules that are an implementation detail.
fn rule_words(rule: Rule) -> Option<(u8, String)> {
    use Rule::*;
    let (key, w): (u8, &str) = match rule {
        EOI => (4, "the end of the file"),
        // pest names the whole file when no item could start here.
        file => (2, "an item (`let`, `network`, `phase`, `protocol`…)"),
        ident | qualified => (0, "a name"),
        word => (0, "a setting name"),
        number | quantity => (1, "a number such as `100 ms`"),
        unit => (1, "a unit such as `ms`"),
        string | string_body => (1, "a string in double quotes"),
        boolean => (1, "`true` or `false`"),
        expr | paren | list | query | neg | not_op => (1, "a value"),
        spec | block => (1, "`{`"),
        setting => (1, "a setting"),
        call_args => (3, "`(`"),
        index => (3, "`[`"),
        field => (3, "`.`"),
        arrow => (3, "`->`"),
        range_op => (3, "`..`"),
        or_op | and_op | le | ge | eq | ne | lt | gt | add | sub | mul | div | pow => {
            (3, "an operator")
        }
        import | let_item | dataset | environment | tasks | network | rule_def | phase
        | protocol | compare | sweep => (2, "an item (`let`, `network`, `phase`, `protocol`…)"),
        population | pop_role => (2, "a population (`input`, `layer`, `output`)"),
        connect => (2, "`connect`"),
        chain => (1, "a chain such as `a -> b`"),
        param | params => (1, "a parameter such as `t: task`"),
        schedule => (2, "`schedule`"),
        expect => (2, "`expect`"),
        tolerance => (2, "`tolerance`"),
        override_item => (1, "an override such as `name = value`"),
        skip => (2, "`skip`"),
        for_stmt | repeat_stmt | until_stmt | measure | checkpoint | restore | call_stmt => (
            2,
            "a schedule statement (a phase call, `for`, `repeat`, `until`, `measure`…)",
        ),
        max_bound => (2, "`max`"),
        sweep_axis => (1, "a sweep axis such as `ratio in [0, 10 %]`"),
        on_clause => (2, "`on`"),
        window_clause => (2, "`window`"),
        by_kw => (2, "`by`"),
        selector | sel_final | sel_initial | sel_at | sel_before | sel_after => {
            (2, "`final`, `initial`, `at`, `before` or `after`")
        }
        r => return keyword_rule_words(r),
    };
    Some((key, w.to_string()))
}

fn keyword_rule_words(r: Rule) -> Option<(u8, String)> {
    use Rule::*;
    let phrase = match r {
        kw_import | kw_let | kw_dataset | kw_environment | kw_tasks | kw_network | kw_rule
        | kw_phase | kw_protocol | kw_compare | kw_sweep => {
            "an item (`let`, `network`, `phase`, `protocol`…)"
        }
        kw_for | kw_repeat | kw_until | kw_measure | kw_checkpoint | kw_restore => {
            "a schedule statement (a phase call, `for`, `repeat`, `until`, `measure`…)"
        }
        _ => {
            let name = format!("{r:?}");
            return name.strip_prefix("kw_").map(|k| (2, format!("`{k}`")));
        }
    };
    Some((2, phrase.to_string()))
}

/// "in a phase definition" — the construct being read when the error happened.
fn context_words(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        let_item => "a `let`",
        dataset => "a dataset definition",
        environment => "an environment definition",
        tasks => "a task list definition",
        rule_def => "a rule definition",
        network => "a network",
        population => "a population",
        connect => "a `connect`",
        phase => "a phase definition",
        params => "a parameter list",
        protocol | protocol_body => "a protocol",
        derive => "a `with` block",
        compare => "a `compare`",
        sweep => "a `sweep`",
        schedule | stmt_block => "a schedule",
        block => "a settings block",
        call_args => "an argument list",
        list => "a list",
        _ => return None,
    })
}
