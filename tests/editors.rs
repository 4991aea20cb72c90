//! The editor support under editors/ against the language itself, without node:
//!
//! - the TextMate grammar's keyword rules hold every reserved word of the language and no
//!   other word but its three contextual ones (`environment`, `max`, `x`); the lists of
//!   words it refuses as names and units are the reserved words;
//! - its built-in names are the registry's (`SOMNIA_BLESS_EDITORS=1` rewrites them);
//! - every `#rule` it includes exists;
//! - the VS Code extension's package.json is valid and points at files that exist, and its
//!   copy of the grammar is the same file as editors/textmate/'s.
//!
//! The tokenization itself (every comment, string, unit and keyword of the shipped files
//! scoped right) is checked with node: `cd editors/textmate && npm ci && node check.mjs`.

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const GRAMMAR: &str = "editors/textmate/somnia.tmLanguage.json";
const VSCODE: &str = "editors/vscode";
const VSCODE_GRAMMAR: &str = "editors/vscode/syntaxes/somnia.tmLanguage.json";

/// Keywords of the grammar that the language does not reserve: `environment` starts an item
/// but is also a phase setting, `x` is a keyword only in `window a x b`, `max` only in
/// `until ... max n` (elsewhere it is the function).
const NOT_RESERVED: &[&str] = &["environment", "max", "x"];

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn json(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not valid JSON: {e}"))
}

fn grammar() -> Value {
    json(GRAMMAR)
}

fn repository(grammar: &Value) -> &serde_json::Map<String, Value> {
    grammar["repository"]
        .as_object()
        .expect("the grammar has a repository")
}

/// The words of a rule's leading `\b(a|b|c)` alternation, and of its nested patterns'.
fn rule_words(rule: &Value) -> Vec<String> {
    let mut rules = vec![rule];
    if let Some(patterns) = rule["patterns"].as_array() {
        rules.extend(patterns);
    }
    let mut words = Vec::new();
    for r in rules {
        let Some(m) = r["match"].as_str() else {
            continue;
        };
        let Some(rest) = m.strip_prefix("\\b(") else {
            continue;
        };
        let rest = rest.strip_prefix("?:").unwrap_or(rest);
        let end = rest.find(')').expect("the alternation closes");
        words.extend(rest[..end].split('|').map(str::to_string));
    }
    words
}

/// Every regex of the grammar (`match`, `begin`, `end`), however deeply nested.
fn regexes<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("match" | "begin" | "end", Value::String(s)) => out.push(s),
                    _ => regexes(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| regexes(v, out)),
        _ => {}
    }
}

fn set<'a>(words: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    words.into_iter().map(str::to_string).collect()
}

#[test]
fn every_reserved_word_is_a_keyword_of_the_grammar() {
    let g = grammar();
    let mut words = BTreeSet::new();
    for (name, rule) in repository(&g) {
        if name.starts_with("keywords-") || name == "booleans" {
            words.extend(rule_words(rule));
        }
    }
    let reserved = set(somnia::syntax::RESERVED.iter().copied());
    let contextual = set(NOT_RESERVED.iter().copied());
    assert!(
        reserved.is_disjoint(&contextual),
        "the language now reserves {:?}: take it out of NOT_RESERVED in tests/editors.rs",
        reserved.intersection(&contextual).collect::<Vec<_>>()
    );
    let missing: Vec<_> = reserved.difference(&words).collect();
    assert!(
        missing.is_empty(),
        "reserved words missing from the keywords-* rules of {GRAMMAR}: {missing:?}"
    );
    let extra: Vec<_> = words
        .iter()
        .filter(|w| !reserved.contains(*w) && !contextual.contains(*w))
        .collect();
    assert!(
        extra.is_empty(),
        "keywords of {GRAMMAR} that the language does not reserve: {extra:?}"
    );
}

#[test]
fn names_and_units_exclude_exactly_the_reserved_words() {
    // Definition names (`rule sgd =`), setting names and units are written with a lookahead
    // `(?!(?:after|and|...)\b)` that must list the reserved words (units also `x` and `max`).
    let g = grammar();
    let mut all = Vec::new();
    regexes(&g, &mut all);
    let reserved = set(somnia::syntax::RESERVED.iter().copied());
    let mut lists = 0;
    for re in all {
        for (i, _) in re.match_indices("(?!(?:") {
            let rest = &re[i + "(?!(?:".len()..];
            let end = rest
                .find(")\\b)")
                .expect("an exclusion list ends with `)\\b)`");
            let mut words = set(rest[..end].split('|'));
            words.remove("x");
            words.remove("max");
            assert_eq!(
                words, reserved,
                "an exclusion list of {GRAMMAR} is not the reserved words, in {re}"
            );
            lists += 1;
        }
    }
    assert!(
        lists >= 10,
        "only {lists} exclusion lists found in {GRAMMAR}: did their form change?"
    );
}

#[test]
fn the_builtin_names_are_the_registry_s() {
    let mut names: Vec<&str> = somnia::builtins::all().map(|b| b.name).collect();
    names.sort_unstable();
    names.dedup();
    let mut kinds: Vec<&str> = somnia::builtins::phase_kinds()
        .iter()
        .map(|(k, _)| k.word())
        .collect();
    kinds.sort_unstable();

    let g = grammar();
    let repo = repository(&g);
    let mut stale = Vec::new();
    for (rule, expected) in [("builtins", &names), ("phase-kinds", &kinds)] {
        let have = rule_words(&repo[rule]);
        if have != **expected {
            let old = repo[rule]["match"].as_str().expect("a match").to_string();
            let new = format!("\\b({})\\b", expected.join("|"));
            stale.push((rule, have, expected.clone(), old, new));
        }
    }
    if stale.is_empty() {
        return;
    }
    if std::env::var_os("SOMNIA_BLESS_EDITORS").is_some() {
        let mut text = read(GRAMMAR);
        for (rule, _, _, old, new) in &stale {
            let old = serde_json::to_string(old).unwrap();
            let new = serde_json::to_string(new).unwrap();
            assert_eq!(
                text.matches(&old).count(),
                1,
                "the `{rule}` pattern is not unique in {GRAMMAR}"
            );
            text = text.replace(&old, &new);
        }
        std::fs::write(path(GRAMMAR), &text).expect("the grammar is writable");
        std::fs::write(path(VSCODE_GRAMMAR), &text).expect("the VS Code copy is writable");
        return;
    }
    let report: Vec<String> = stale
        .iter()
        .map(|(rule, have, expected, _, _)| {
            let have = set(have.iter().map(String::as_str));
            let expected = set(expected.iter().copied());
            format!(
                "`{rule}`: missing {:?}, not in the registry {:?}",
                expected.difference(&have).collect::<Vec<_>>(),
                have.difference(&expected).collect::<Vec<_>>()
            )
        })
        .collect();
    panic!(
        "the built-in names of {GRAMMAR} differ from the registry:\n  {}\n\
         Update both copies with `SOMNIA_BLESS_EDITORS=1 cargo test --release --test editors`.",
        report.join("\n  ")
    );
}

#[test]
fn every_included_rule_exists() {
    let g = grammar();
    let text = read(GRAMMAR);
    let repo = repository(&g);
    assert_eq!(g["scopeName"], "source.somnia");
    assert!(
        g["fileTypes"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t == "sleep")),
        "{GRAMMAR}: fileTypes lacks \"sleep\""
    );
    for (i, _) in text.match_indices("\"include\": \"#") {
        let rest = &text[i + "\"include\": \"#".len()..];
        let name = &rest[..rest.find('"').expect("a closing quote")];
        assert!(
            repo.contains_key(name),
            "{GRAMMAR} includes #{name}, which its repository lacks"
        );
    }
}

#[test]
fn the_vscode_extension_points_at_files_that_exist() {
    let package = json(&format!("{VSCODE}/package.json"));
    let file = |rel: &str| {
        let rel = rel.trim_start_matches("./");
        let p = path(&format!("{VSCODE}/{rel}"));
        assert!(
            p.is_file(),
            "{VSCODE}/package.json names {rel}, which is missing"
        );
        format!("{VSCODE}/{rel}")
    };
    file(package["main"].as_str().expect("package.json: main"));

    let languages = package["contributes"]["languages"]
        .as_array()
        .expect("package.json: contributes.languages");
    let somnia = languages
        .iter()
        .find(|l| l["id"] == "somnia")
        .expect("package.json: a language with id somnia");
    assert!(
        somnia["extensions"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e == ".sleep")),
        "package.json: the somnia language lacks the extension .sleep"
    );
    json(&file(
        somnia["configuration"]
            .as_str()
            .expect("package.json: the language's configuration"),
    ));

    let grammars = package["contributes"]["grammars"]
        .as_array()
        .expect("package.json: contributes.grammars");
    let tm = grammars
        .iter()
        .find(|g| g["language"] == "somnia")
        .expect("package.json: a grammar for somnia");
    assert_eq!(tm["scopeName"], grammar()["scopeName"]);
    assert_eq!(
        file(
            tm["path"]
                .as_str()
                .expect("package.json: the grammar's path")
        ),
        VSCODE_GRAMMAR
    );

    let server = &package["contributes"]["configuration"]["properties"]["somnia.server.path"];
    assert_eq!(
        server["default"], "somnia",
        "package.json: the setting somnia.server.path defaults to `somnia`"
    );
}

#[test]
fn the_vscode_copy_of_the_grammar_is_the_same_file() {
    if std::env::var_os("SOMNIA_BLESS_EDITORS").is_some() {
        // the_builtin_names_are_the_registry_s may be rewriting both copies right now.
        return;
    }
    assert!(
        read(GRAMMAR) == read(VSCODE_GRAMMAR),
        "{VSCODE_GRAMMAR} differs from {GRAMMAR}: edit {GRAMMAR}, then \
         `cp {GRAMMAR} {VSCODE_GRAMMAR}`"
    );
}
