//! A deterministic mutation test of the front end: every shipped `.sleep` file, mutated by
//! byte flips, token deletion and duplication, splices of two files, deep nesting, huge
//! numbers and huge ranges, goes through `check` and `plan` (the plans' timelines, hashes
//! and sweep grids, and the rendered diagnostics) — never the engine.
//!
//! An input fails when anything panics or when it takes more than [`BUDGET`]: a budget
//! check, generous so it is not flaky, that catches unbounded work. A failure names the seed
//! of the input and writes it to `target/fuzz-failures/`, so that
//! `SOMNIA_FUZZ_SEED=<seed> cargo test --release --test fuzz` replays it alone.
//! `SOMNIA_FUZZ_INPUTS=N` runs N inputs instead of the default. An abort cannot be caught: then
//! `target/fuzz-running-*.txt` names the seed that was running.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use somnia::diagnostics::render::{self, Style};
use somnia::plan::{Options, hash, timeline};
use somnia::session;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The most one input may take, plus [`PER_OP`] for each op of its plans (a plan of 10,000
/// ops takes a few tenths of a second to build, print and hash twice; the plan limit bounds
/// that too). Generous: the test runs niced beside other work, and a debug build is about
/// ten times slower; what it catches is work without bound, which takes far longer.
const BUDGET: Duration = Duration::from_secs(if cfg!(debug_assertions) { 50 } else { 5 });
const PER_OP: Duration = Duration::from_micros(if cfg!(debug_assertions) { 2000 } else { 200 });

/// Inputs run by default: about half a minute on two cores in release mode.
const INPUTS: u64 = if cfg!(debug_assertions) { 1000 } else { 12_000 };

/// How deep the deep-nesting mutations go.
const DEEP: usize = 10_000;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sleep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sleep_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "sleep") {
            out.push(p);
        }
    }
}

/// A shipped file: its folder (for imports and data) and its bytes.
struct Corpus {
    dir: PathBuf,
    name: String,
    bytes: Vec<u8>,
}

fn corpus() -> Vec<Corpus> {
    let mut files = Vec::new();
    for d in [
        "protocols",
        "examples",
        "benches/protocols",
        "tests/fixtures",
    ] {
        sleep_files(&root().join(d), &mut files);
    }
    files
        .into_iter()
        .map(|p| Corpus {
            dir: p.parent().unwrap().to_path_buf(),
            name: p.strip_prefix(root()).unwrap().display().to_string(),
            bytes: std::fs::read(&p).unwrap(),
        })
        .collect()
}

/// Splits text into tokens: runs of word characters, runs of spaces, single other bytes.
fn tokens(text: &[u8]) -> Vec<&[u8]> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b >= 0x80;
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let start = i;
        if word(text[i]) {
            while i < text.len() && word(text[i]) {
                i += 1;
            }
        } else if text[i].is_ascii_whitespace() {
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
        } else {
            i += 1;
        }
        out.push(&text[start..i]);
    }
    out
}

const HUGE: &[&str] = &[
    "1e308",
    "-1e308",
    "1e309",
    "1e-308",
    "4000000000",
    "1000000000",
    "18446744073709551616",
    "99999999999999999999999999999",
    "9007199254740993",
    "-9223372036854775808",
    "0",
    "-1",
    "0.5",
];

const HUGE_RANGES: &[&str] = &[
    "1..1000000000",
    "0..4000000000",
    "-1000000000000000..1000000000000000",
    "1..99999999999999999999",
    "1000000000..1",
    "1..1e308",
];

/// Statements to drop into a schedule or an item list.
const HUGE_STATEMENTS: &[&str] = &[
    "repeat 4000000000 { measure accuracy(seen) }",
    "repeat 1000000000 { }",
    "for i in 1..1000000000 { repeat i { checkpoint \"a\" } }",
    "repeat 100000 { repeat 100000 { repeat 100000 { restore \"a\" } } }",
    "until accuracy(seen) > 1 max 1e308 { repeat 1e308 { checkpoint \"b\" } }",
    "let big = max(1..1000000000000)",
    "compare a vs b over seeds 1..1000000000",
    "sweep a over x in 1..1000000000, y in 1..1000000000 seeds 1..1000000000",
    "sweep a over x in [1..1000000000, 2] seeds 1..3",
    "let r = [1..1000000000]",
];

/// What was done to an input, for the failure report.
fn mutate(rng: &mut ChaCha8Rng, corpus: &[Corpus], base: &Corpus) -> (String, Vec<u8>) {
    let text = &base.bytes;
    let kind = rng.random_range(0..8u32);
    let toks = tokens(text);
    let pick = |rng: &mut ChaCha8Rng, n: usize| if n == 0 { 0 } else { rng.random_range(0..n) };
    let out = match kind {
        0 => {
            let mut t = text.clone();
            let flips = rng.random_range(1..=8);
            for _ in 0..flips {
                if t.is_empty() {
                    break;
                }
                let i = pick(rng, t.len());
                t[i] = if rng.random_bool(0.5) {
                    rng.random()
                } else {
                    b"(){}[]\"/*.,;:=<>-+0123456789e \n"[pick(rng, 30)]
                };
            }
            t
        }
        1 | 2 => {
            let mut ts: Vec<&[u8]> = toks.clone();
            for _ in 0..rng.random_range(1..=6) {
                if ts.is_empty() {
                    break;
                }
                let i = pick(rng, ts.len());
                if kind == 1 {
                    ts.remove(i);
                } else {
                    let n = rng.random_range(1..=4);
                    let j = (i + n).min(ts.len());
                    let run: Vec<&[u8]> = ts[i..j].to_vec();
                    for (k, tok) in run.into_iter().enumerate() {
                        ts.insert(j + k, tok);
                    }
                }
            }
            ts.concat()
        }
        3 => {
            let other = &corpus[pick(rng, corpus.len())].bytes;
            let a = pick(rng, text.len() + 1);
            let b = pick(rng, other.len() + 1);
            [&text[..a], &other[b..]].concat()
        }
        4 => {
            let n = DEEP;
            let deep = match rng.random_range(0..7u32) {
                0 => format!("let deep = {}1{}\n", "(".repeat(n), ")".repeat(n)),
                1 => format!("let deep = {}1{}\n", "[".repeat(n), "]".repeat(n)),
                2 => format!("let deep = {}1\n", "-".repeat(n)),
                3 => format!("let deep = {}true\n", "not ".repeat(n)),
                4 => format!("let deep = 1{}\n", " + 1".repeat(n)),
                5 => format!(
                    "protocol deep {{ schedule {{ {} checkpoint \"x\" {} }} }}\n",
                    "repeat 2 { ".repeat(n),
                    "}".repeat(n)
                ),
                _ => "{".repeat(n),
            };
            let at = pick(rng, toks.len() + 1);
            let before: usize = toks[..at].iter().map(|t| t.len()).sum();
            [&text[..before], deep.as_bytes(), &text[before..]].concat()
        }
        5 => {
            let nums: Vec<usize> = (0..toks.len())
                .filter(|&i| toks[i].first().is_some_and(|b| b.is_ascii_digit()))
                .collect();
            let mut ts = toks.clone();
            for _ in 0..rng.random_range(1..=3) {
                if nums.is_empty() {
                    break;
                }
                let i = nums[pick(rng, nums.len())];
                ts[i] = HUGE[pick(rng, HUGE.len())].as_bytes();
            }
            ts.concat()
        }
        6 => {
            let ranges: Vec<usize> = (0..toks.len())
                .filter(|&i| toks[i].windows(2).any(|w| w == b".."))
                .collect();
            let mut ts = toks.clone();
            if ranges.is_empty() || rng.random_bool(0.3) {
                let s = HUGE_STATEMENTS[pick(rng, HUGE_STATEMENTS.len())];
                let braces: Vec<usize> = (0..ts.len()).filter(|&i| ts[i] == b"{").collect();
                // Inside a block (a schedule, a phase) or after the last item.
                let at = if braces.is_empty() || rng.random_bool(0.3) {
                    ts.len()
                } else {
                    braces[pick(rng, braces.len())] + 1
                };
                let spaced = format!("\n{s}\n");
                let mut owned = ts.concat();
                let before: usize = ts[..at].iter().map(|t| t.len()).sum();
                owned.splice(before..before, spaced.bytes());
                return (format!("huge statement `{s}`"), owned);
            }
            let i = ranges[pick(rng, ranges.len())];
            ts[i] = HUGE_RANGES[pick(rng, HUGE_RANGES.len())].as_bytes();
            ts.concat()
        }
        _ => {
            // Several at once.
            let (a, t) = mutate(rng, corpus, base);
            let again = Corpus {
                dir: base.dir.clone(),
                name: base.name.clone(),
                bytes: t,
            };
            let (b, t) = mutate(rng, corpus, &again);
            return (format!("{a}, then {b}"), t);
        }
    };
    let what = [
        "byte flips",
        "token deletion",
        "token duplication",
        "splice",
        "deep nesting",
        "huge numbers",
        "huge ranges",
    ][kind as usize];
    (what.to_string(), out)
}

/// Everything `somnia check` and `somnia plan` do with a file; returns the ops of its plans.
fn check_and_plan(name: &str, text: &str, dir: &Path) -> usize {
    let opts = Options {
        memory_limit: Some(16 << 30),
        ..Options::default()
    };
    let r = session::check_text(name, text, Some(dir), &[], &opts);
    let _ = render::render_all_human(&r.diagnostics, &r.program.sources, Style::PLAIN);
    for d in &r.diagnostics {
        let _ = render::to_json(d, &r.program.sources);
    }
    for p in &r.plans {
        let _ = timeline::timeline(p);
        let _ = hash::plan_hash(p);
        let _ = hash::work_hash(p);
    }
    let _ = timeline::file_text(&r.plans, &r.compares, &r.sweeps);
    for s in &r.sweeps {
        let _ = somnia::sweep::grid(s);
    }
    r.plans.iter().map(|p| p.ops.len()).sum()
}

struct Failure {
    seed: u64,
    what: String,
    file: String,
    problem: String,
    input: Vec<u8>,
}

fn run_one(seed: u64, corpus: &[Corpus]) -> Result<Duration, Failure> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let base = &corpus[rng.random_range(0..corpus.len())];
    let (what, input) = mutate(&mut rng, corpus, base);
    let text = String::from_utf8_lossy(&input);
    let start = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        check_and_plan(&base.name, &text, &base.dir)
    }));
    let took = start.elapsed();
    let problem = match result {
        Err(e) => Some(format!(
            "panicked: {}",
            e.downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("?")
        )),
        Ok(ops) if took > BUDGET + PER_OP * ops as u32 => Some(format!(
            "took {took:?}, more than {BUDGET:?} + {PER_OP:?} × {ops} ops"
        )),
        Ok(_) => None,
    };
    if std::env::var_os("SOMNIA_FUZZ_SEED").is_some() {
        eprintln!("seed {seed}: {what} of {}, {took:?}\n{text}", base.name);
    }
    match problem {
        None => Ok(took),
        Some(problem) => Err(Failure {
            seed,
            what,
            file: base.name.clone(),
            problem,
            input,
        }),
    }
}

#[test]
fn mutated_files_never_panic_or_run_away() {
    let corpus = corpus();
    assert!(
        corpus.len() > 50,
        "found only {} .sleep files",
        corpus.len()
    );
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let seeds: Vec<u64> = match env("SOMNIA_FUZZ_SEED") {
        Some(s) => vec![s],
        None => (0..env("SOMNIA_FUZZ_INPUTS").unwrap_or(INPUTS)).collect(),
    };
    // Panics are caught and reported with their seed; the default hook would print each.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    let start = Instant::now();
    let (mut failures, mut slowest) = (Vec::new(), (Duration::ZERO, 0));
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (corpus, seeds) = (&corpus, &seeds);
                // The CLI checks on the main thread: give the workers the same stack.
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || {
                        let mut failures = Vec::new();
                        let mut slowest = (Duration::ZERO, 0);
                        // An abort (an allocation that fails) cannot be caught: this file
                        // names the input that was running.
                        let current = root().join(format!("target/fuzz-running-{t}.txt"));
                        for &seed in seeds.iter().skip(t).step_by(threads) {
                            let _ = std::fs::write(&current, format!("SOMNIA_FUZZ_SEED={seed}\n"));
                            match run_one(seed, corpus) {
                                Ok(d) if d > slowest.0 => slowest = (d, seed),
                                Ok(_) => {}
                                Err(f) => failures.push(f),
                            }
                        }
                        let _ = std::fs::remove_file(&current);
                        (failures, slowest)
                    })
                    .unwrap()
            })
            .collect();
        for w in workers {
            let (f, s) = w.join().unwrap();
            failures.extend(f);
            slowest = slowest.max(s);
        }
    });
    panic::set_hook(hook);
    eprintln!(
        "fuzz: {} inputs from {} files in {:.1?} on {threads} threads; slowest {:.1?} (seed {})",
        seeds.len(),
        corpus.len(),
        start.elapsed(),
        slowest.0,
        slowest.1
    );
    if failures.is_empty() {
        return;
    }
    let out = root().join("target/fuzz-failures");
    std::fs::create_dir_all(&out).unwrap();
    let mut report = Vec::new();
    for f in failures.iter().take(20) {
        let path = out.join(format!("seed{}.sleep", f.seed));
        std::fs::write(&path, &f.input).unwrap();
        let text = String::from_utf8_lossy(&f.input);
        let shown: String = text.chars().take(600).collect();
        report.push(format!(
            "seed {} ({} of {}): {}\n  input in {}\n{shown}{}",
            f.seed,
            f.what,
            f.file,
            f.problem,
            path.display(),
            if text.len() > shown.len() { "…" } else { "" }
        ));
    }
    panic!(
        "{} of {} inputs failed:\n\n{}",
        failures.len(),
        seeds.len(),
        report.join("\n\n")
    );
}

/// The mutations themselves are deterministic: the same seed gives the same input.
#[test]
fn the_same_seed_gives_the_same_input() {
    let corpus = corpus();
    let input = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let base = &corpus[rng.random_range(0..corpus.len())];
        mutate(&mut rng, &corpus, base)
    };
    for seed in [0, 7, 1234, 99_999] {
        assert_eq!(input(seed), input(seed));
    }
}
