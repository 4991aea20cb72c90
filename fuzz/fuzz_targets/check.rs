//! Any bytes through `check` and `plan`, as `somnia check` and `somnia plan` take a file:
//! nothing may panic, and the front end's limits (docs/language.md, "Limits") keep every
//! input small and quick. Seed the corpus with the shipped files:
//! `mkdir -p corpus/check && cp ../protocols/*.sleep ../examples/*.sleep corpus/check/`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use somnia::diagnostics::render::{self, Style};
use somnia::plan::{Options, hash, timeline};
use somnia::session;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let opts = Options {
        memory_limit: Some(16 << 30),
        ..Options::default()
    };
    let r = session::check_text("fuzz.sleep", &text, None, &[], &opts);
    let _ = render::render_all_human(&r.diagnostics, &r.program.sources, Style::PLAIN);
    for p in &r.plans {
        let _ = timeline::timeline(p);
        let _ = hash::plan_hash(p);
    }
    for s in &r.sweeps {
        let _ = somnia::sweep::grid(s);
    }
});
