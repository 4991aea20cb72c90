//! Two outcomes side by side: every final value of either, with its change, and how
//! their provenance differs.

use super::Outcome;
use super::data_files::DataFile;
use super::provenance::{Override, Provenance};
use std::collections::BTreeSet;

/// One final value in either outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub metric: String,
    /// The task, group, projection or population it is about.
    pub key: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Change {
    /// `b − a`, when both have the value.
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// Whether the value moved by more than `tolerance` (absolute), or exists on one side.
    pub fn moved(&self, tolerance: f64) -> bool {
        match (self.a, self.b) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => false,
            (Some(a), Some(b)) => (b - a).abs() > tolerance || a.is_nan() != b.is_nan(),
            _ => true,
        }
    }
}

/// Every final value of `a` and `b`, sorted by metric then key.
pub fn final_values(a: &Outcome, b: &Outcome) -> Vec<Change> {
    let keys: BTreeSet<(&String, &String)> = [a, b]
        .iter()
        .flat_map(|o| {
            o.final_values
                .iter()
                .flat_map(|(m, vs)| vs.keys().map(move |k| (m, k)))
        })
        .collect();
    let get = |o: &Outcome, m: &str, k: &str| o.final_values.get(m).and_then(|v| v.get(k)).copied();
    keys.into_iter()
        .map(|(m, k)| Change {
            metric: m.clone(),
            key: k.clone(),
            a: get(a, m, k),
            b: get(b, m, k),
        })
        .collect()
}

/// Expectations whose verdict differs, by their text: `(text, passed in a, passed in b)`,
/// `None` where one outcome does not have it.
pub fn verdicts(a: &Outcome, b: &Outcome) -> Vec<(String, Option<bool>, Option<bool>)> {
    let texts: BTreeSet<&String> = a
        .expectations
        .iter()
        .chain(&b.expectations)
        .map(|e| &e.text)
        .collect();
    let find = |o: &Outcome, t: &str| {
        o.expectations
            .iter()
            .find(|e| e.text == t)
            .map(|e| e.passed)
    };
    texts
        .into_iter()
        .map(|t| (t.clone(), find(a, t), find(b, t)))
        .filter(|(_, x, y)| x != y)
        .collect()
}

/// One way two outcomes' provenance differs: `what` (`commit`, `override sleep_base`,
/// `data mnist/…-images-idx3-ubyte.gz`, `command`) with each side as text, `—` where a
/// side has none.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvenanceChange {
    pub what: String,
    pub a: String,
    pub b: String,
}

/// How `a`'s provenance differs from `b`'s: the build (version, commit, dirtiness), each
/// override by name, each data file by dataset and file name (so runs made from two
/// folders still pair their files), and the command line. An outcome without provenance
/// (older, or a golden) gives one change saying so instead.
pub fn provenance(a: &Outcome, b: &Outcome) -> Vec<ProvenanceChange> {
    let (pa, pb) = (&a.provenance, &b.provenance);
    let mut out = Vec::new();
    let mut differs = |what: &str, differ: bool, x: String, y: String| {
        if differ {
            out.push(ProvenanceChange {
                what: what.into(),
                a: x,
                b: y,
            });
        }
    };
    if pa.is_missing() || pb.is_missing() {
        let word = |p: &Provenance| {
            if p.is_missing() {
                "not recorded"
            } else {
                "recorded"
            }
            .to_string()
        };
        differs(
            "provenance",
            pa.is_missing() != pb.is_missing(),
            word(pa),
            word(pb),
        );
        return out;
    }
    let somnia = (pa.somnia.clone(), pb.somnia.clone());
    differs("somnia", somnia.0 != somnia.1, somnia.0, somnia.1);
    differs(
        "commit",
        pa.commit != pb.commit,
        shown_commit(pa),
        shown_commit(pb),
    );
    let tree = |p: &Provenance| match p.dirty {
        Some(true) => "dirty".to_string(),
        Some(false) => "clean".to_string(),
        None => "unknown".to_string(),
    };
    differs("tree", pa.dirty != pb.dirty, tree(pa), tree(pb));
    let names: BTreeSet<&String> = pa.overrides.keys().chain(pb.overrides.keys()).collect();
    for name in names {
        let (oa, ob) = (pa.overrides.get(name), pb.overrides.get(name));
        let show = |o: Option<&Override>| {
            o.map_or(NONE.to_string(), |o| match &o.value {
                Some(v) if !same_words(v, &o.text) => format!("{} ({v})", o.text),
                _ => o.text.clone(),
            })
        };
        differs(&format!("override {name}"), oa != ob, show(oa), show(ob));
    }
    let keys: BTreeSet<String> = pa.data.iter().chain(&pb.data).map(file_key).collect();
    for key in keys {
        let find = |p: &Provenance| p.data.iter().find(|f| file_key(f) == key).cloned();
        let (fa, fb) = (find(pa), find(pb));
        let same = match (&fa, &fb) {
            (Some(x), Some(y)) => x.sha256 == y.sha256 && x.bytes == y.bytes,
            _ => false,
        };
        // Twelve hex digits tell two files apart; the outcomes hold the whole hash.
        let show = |f: &Option<DataFile>| {
            f.as_ref().map_or(NONE.to_string(), |f| {
                let short = f.sha256.get(..12).unwrap_or(&f.sha256);
                format!("sha256 {short}… ({} bytes)", f.bytes)
            })
        };
        differs(&format!("data {key}"), !same, show(&fa), show(&fb));
    }
    differs(
        "command",
        pa.command != pb.command,
        shell_words(&pa.command),
        shell_words(&pb.command),
    );
    out
}

/// A data file as `dataset/file name`.
fn file_key(f: &DataFile) -> String {
    let name = std::path::Path::new(&f.path)
        .file_name()
        .map_or_else(|| f.path.clone(), |n| n.to_string_lossy().into_owned());
    format!("{}/{name}", f.dataset)
}

/// The abbreviated commit (the full one when there is none).
fn shown_commit(p: &Provenance) -> String {
    if p.commit_short.is_empty() {
        p.commit.clone()
    } else {
        p.commit_short.clone()
    }
}

/// `3000steps` and `3000 steps` read the same: no need to show both.
fn same_words(x: &str, y: &str) -> bool {
    x.chars()
        .filter(|c| !c.is_whitespace())
        .eq(y.chars().filter(|c| !c.is_whitespace()))
}

/// What a side without the value shows.
const NONE: &str = "—";

/// A command line as a shell would take it back: words with spaces or quotes quoted.
pub fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
