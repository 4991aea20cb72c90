//! Plots (`somnia plan --svg`, `somnia plot`, `run --plots`): each SVG is a well-formed
//! document that shows what it claims — the phases as blocks, one line per task, a panel per
//! sleep and projection, a series per key over seeds — and the commands refuse what they
//! should with exit 2.

mod common;

use common::cli::{exits, scratch, somnia};
use std::path::Path;

const MNIST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-10k");

/// Three MNIST tasks on a 784-32-10 network, each learnt then slept on (NREM then REM),
/// a shock and a last NREM: every plot has something to show, in well under a second.
fn protocol() -> String {
    format!(
        r#"dataset digits = idx("{MNIST}") {{ scale 1/255; test_split 20 % }}
tasks pairs = split_classes(digits, [0, 1], [2, 3], [4, 5]) {{ train_cap 300 }}

network net {{
  input x 784
  layer h 32
  output y 10
  connect x -> h -> y {{ init uniform(-0.05, 0.05); bias off }}
}}

rule sgd = backprop {{ lr 0.1; momentum 0.5; batch 50 }}

let nap_len = 200 steps

phase learn(t: tasks) = wake {{ data t; plasticity sgd; length 1 epochs }}

phase nap = nrem {{
  length nap_len
  dynamics integrate_fire {{ threshold 1 }}
  scale by activation_max(seen) * 2
  drive bernoulli(mean_image(seen)) window 11 x 11
  plasticity src_stdp {{ inc 0.001; dec 0.0001 }}
}}

phase dream = rem {{
  length 100 steps
  drive poisson(rates = 2 Hz)
  plasticity stdp {{ a_plus 0.001; a_minus 0.001; tau_plus 20 ms; tau_minus 20 ms; w_min -1 }}
}}

phase shock = perturb {{ apply weight_noise(20 %) on x -> h }}

protocol small {{
  network net
  seed 7
  schedule {{
    measure accuracy(pairs) as "start"
    for t in pairs {{
      learn(t)
      measure accuracy(seen) as "wake"
      nap
      dream
      measure accuracy(seen) as "sleep"
    }}
    shock
    measure accuracy(pairs) as "shocked"
    nap
    measure accuracy(pairs) as "end"
  }}
}}

protocol other = small with {{ dream = skip }}

sweep small over nap_len in [0 steps, 300 steps] seeds 1..2
"#
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The checks every plot passes: a well-formed XML document (parsed) whose root is an
/// `<svg>` of the SVG namespace with a size, and nothing NaN.
fn well_formed(svg: &str) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{}", &svg[..svg.len().min(200)]));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    assert!(root.attribute("width").is_some() && root.attribute("height").is_some());
    assert_eq!(count(svg, "<svg"), 1);
    assert!(!svg.contains("NaN"), "a NaN coordinate");
}

/// The widths of the filled rectangles of one colour left of `x_max` (the legend's
/// swatches are right of the plot), in document order.
fn rect_widths(svg: &str, fill: &str, x_max: f64) -> Vec<f64> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(fill))
        .filter(|n| n.attribute("x").and_then(|x| x.parse::<f64>().ok()) < Some(x_max))
        .map(|n| n.attribute("width").unwrap().parse().unwrap())
        .collect()
}

fn count(s: &str, what: &str) -> usize {
    s.matches(what).count()
}

/// The texts of an SVG, trimmed.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(
                body.trim()
                    .replace("&gt;", ">")
                    .replace("&lt;", "<")
                    .replace("&apos;", "'")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// Lines thicker than the axes and ticks (1 px): data series and legend swatches.
fn thick_lines(svg: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<polyline") && !l.contains("stroke-width=\"1\""))
        .count()
}

/// Filled rectangles of one colour (`#3163AA`).
fn rects_of(svg: &str, fill: &str) -> usize {
    svg.lines()
        .filter(|l| l.starts_with("<rect") && l.contains(&format!("fill=\"{fill}\"")))
        .count()
}

/// The hypnogram's colours (src/plot/mod.rs).
const WAKE: &str = "#F0A830";
const NREM: &str = "#3163AA";
const REM: &str = "#9B59B6";
const PERTURB: &str = "#D62728";

#[test]
fn plan_svg_draws_one_block_per_phase_and_refuses_to_overwrite() {
    let dir = scratch("plots-plan");
    std::fs::write(dir.join("p.sleep"), protocol()).unwrap();
    let out = somnia(&["plan", "p.sleep", "-p", "small", "--svg", "h.svg"], &dir);
    exits(&out, 0);
    let svg = read(&dir.join("h.svg"));
    well_formed(&svg);
    // 3 × (learn, nap, dream), a shock and a last nap; one legend swatch of each colour.
    assert_eq!(rects_of(&svg, WAKE), 3 + 1);
    assert_eq!(rects_of(&svg, NREM), 4 + 1);
    assert_eq!(rects_of(&svg, REM), 3 + 1);
    assert_eq!(rects_of(&svg, PERTURB), 1 + 1);
    let t = texts(&svg);
    for level in ["wake", "REM", "NREM", "perturb"] {
        assert!(t.iter().any(|x| x == level), "no level {level}: {t:?}");
    }
    assert!(
        t.iter().any(|x| x.starts_with("Hypnogram — small")),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "estimated compute time (s)"), "{t:?}");
    assert!(t.iter().any(|x| x == "state (sleep stage)"), "{t:?}");
    assert!(
        t.iter().any(|x| x == "start"),
        "the first measurement's label: {t:?}"
    );

    // An existing file is kept unless --force.
    std::fs::write(dir.join("h.svg"), "mine").unwrap();
    let again = somnia(&["plan", "p.sleep", "-p", "small", "--svg", "h.svg"], &dir);
    exits(&again, 2);
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(read(&dir.join("h.svg")), "mine");
    let forced = somnia(
        &[
            "plan", "p.sleep", "-p", "other", "--svg", "h.svg", "--force",
        ],
        &dir,
    );
    exits(&forced, 0);
    let other = read(&dir.join("h.svg"));
    assert_eq!(
        rects_of(&other, REM),
        1,
        "the `other` arm skips REM: only the legend's"
    );

    // Two protocols and no --protocol: which one to draw is asked for.
    let which = somnia(&["plan", "p.sleep", "--svg", "x.svg"], &dir);
    exits(&which, 2);
    assert!(String::from_utf8_lossy(&which.stderr).contains("--protocol"));
    assert!(!dir.join("x.svg").exists());
}

#[test]
fn run_plots_writes_the_hypnogram_accuracy_and_weights_beside_the_outcome() {
    let dir = scratch("plots-run");
    std::fs::write(dir.join("p.sleep"), protocol()).unwrap();
    let out = somnia(
        &[
            "run",
            "p.sleep",
            "-p",
            "small",
            "--out",
            "r",
            "-q",
            "--plots",
            "--save-weights",
            "end",
        ],
        &dir,
    );
    exits(&out, 0);
    let r = dir.join("r");

    // The outcome records a histogram per projection before and after each sleep.
    let o: serde_json::Value = serde_json::from_str(&read(&r.join("outcome.json"))).unwrap();
    let slept: Vec<&serde_json::Value> = o["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["kind"] == "nrem" || op["kind"] == "rem")
        .collect();
    assert_eq!(slept.len(), 7);
    for op in &slept {
        let w = op["weights"].as_array().expect("weights recorded");
        let names: Vec<&str> = w
            .iter()
            .map(|p| p["projection"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["x->h", "h->y"], "in the network's order");
        for p in w {
            for side in ["before", "after"] {
                let counts = p[side]["counts"].as_array().unwrap();
                assert_eq!(counts.len(), 40);
                let n: u64 = counts.iter().map(|c| c.as_u64().unwrap()).sum();
                let synapses = if p["projection"] == "x->h" {
                    784 * 32
                } else {
                    32 * 10
                };
                assert_eq!(n, synapses);
                assert!(p[side]["min"].as_f64().unwrap() <= p[side]["max"].as_f64().unwrap());
            }
            // Before and after share their bins, over the range of both.
            assert_eq!(p["before"]["min"], p["after"]["min"]);
            assert_eq!(p["before"]["max"], p["after"]["max"]);
        }
        // A sleep simulated steps × dt (1 ms) of biological time.
        let steps = op["amount"].as_f64().unwrap();
        assert_eq!(op["sim_seconds"].as_f64(), Some(steps * 0.001));
    }
    // Rate wake phases and measurements simulate no time.
    assert!(o["ops"].as_array().unwrap().iter().all(|op| {
        (op["kind"] == "nrem" || op["kind"] == "rem") || op.get("sim_seconds").is_none()
    }));
    assert!(o["ops"].as_array().unwrap().iter().all(|op| {
        (op["kind"] == "nrem" || op["kind"] == "rem") || op.get("weights").is_none()
    }));

    // The hypnogram of the run: one block per phase run, in biological time. The naps
    // (200 steps) are twice as wide as the dreams (100 steps); the rate wake phases, which
    // take none, stand in as wide as the median sleep (a nap).
    let h = read(&r.join("hypnogram.svg"));
    well_formed(&h);
    assert_eq!(rects_of(&h, WAKE), 3 + 1);
    assert_eq!(rects_of(&h, NREM), 4 + 1);
    assert_eq!(rects_of(&h, REM), 3 + 1);
    assert_eq!(rects_of(&h, PERTURB), 1 + 1);
    let t = texts(&h);
    assert!(
        t.iter().any(|x| x
            == "biological time (s) · phases without biological time (rate wake) drawn lighter, 0.20 s wide each"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "state (sleep stage)"), "{t:?}");
    assert!(t.iter().any(|x| x == "11 phases · 1.70 s"), "{t:?}");
    let naps = rect_widths(&h, NREM, 870.0);
    let dreams = rect_widths(&h, REM, 870.0);
    let wakes = rect_widths(&h, WAKE, 870.0);
    assert_eq!((naps.len(), dreams.len(), wakes.len()), (4, 3, 3));
    for d in &dreams {
        assert!((naps[0] / d - 2.0).abs() < 0.05, "{naps:?} {dreams:?}");
    }
    for w in naps.iter().chain(&wakes) {
        assert!((w - naps[0]).abs() <= 1.0, "{naps:?} {wakes:?}");
    }
    // The wall-time view beside it.
    let wall = read(&r.join("hypnogram-wall.svg"));
    well_formed(&wall);
    assert_eq!(rects_of(&wall, NREM), 4 + 1);
    let t = texts(&wall);
    assert!(t.iter().any(|x| x == "wall time (s)"), "{t:?}");
    assert!(t.iter().any(|x| x.ends_with("· wall time")), "{t:?}");

    // Accuracy: a line per task and one for the group, over the 9 measurements.
    let a = read(&r.join("accuracy.svg"));
    well_formed(&a);
    let t = texts(&a);
    for name in [
        "pairs[0]",
        "pairs[1]",
        "pairs[2]",
        "all (group)",
        "accuracy (%)",
        "measurement (in run order: label · after phase)",
    ] {
        assert!(t.iter().any(|x| x == name), "no {name}: {t:?}");
    }
    assert_eq!(
        thick_lines(&a),
        4 + 4,
        "a line per task and the group, and their legend"
    );
    // Under each measurement: its label over the phase it followed.
    let ticks = [
        "start", "start", "wake", "learn#0", "sleep", "dream#0", "wake", "learn#1", "sleep",
        "dream#1", "wake", "learn#2", "sleep", "dream#2", "shocked", "shock#0", "end", "nap#3",
    ];
    assert_eq!(t[t.len() - ticks.len()..], ticks, "{t:?}");
    // Every task is measured at the start, then from its wake on: a point each time.
    assert_eq!(count(&a, "<circle"), 9 + (1 + 6) + (1 + 4) + 9);

    // Weights: a panel per sleep and projection, each with the histogram before (40 bars)
    // and the line after.
    let w = read(&r.join("weights.svg"));
    well_formed(&w);
    let t = texts(&w);
    let panels: Vec<&String> = t
        .iter()
        .filter(|x| x.contains(" · x->h") || x.contains(" · h->y"))
        .collect();
    assert_eq!(panels.len(), 7 * 2, "{t:?}");
    assert!(t.iter().any(|x| x == "dream#0 (REM) · x->h"), "{t:?}");
    assert!(t.iter().any(|x| x == "nap#3 (NREM) · h->y"), "{t:?}");
    assert_eq!(
        thick_lines(&w),
        7 * 2 + 2,
        "a line per panel, two in the legend"
    );
    assert!(
        rects_of(&w, "#A0A0A0") >= 7 * 2 * 20,
        "grey bars before each sleep"
    );
    // Every panel's axes say what they measure.
    assert_eq!(t.iter().filter(|x| *x == "weight").count(), 7 * 2);
    assert_eq!(
        t.iter().filter(|x| *x == "density (1/weight unit)").count(),
        7 * 2
    );

    // Receptive fields of the projection from the 28 × 28 input: one image per neuron of
    // `h`; `h -> y` comes from no image and has none.
    let index = read(&r.join("weights/index.csv"));
    assert!(
        index.contains("end,,end,x->h,end/x_to_h.npy,32,784,,28,28\n"),
        "{index}"
    );
    assert!(
        index.contains("end,,end,h->y,end/h_to_y.npy,10,32,,,\n"),
        "{index}"
    );
    let f = read(&r.join("receptive_fields-x_to_h.svg"));
    well_formed(&f);
    assert_eq!(count(&f, "<image class=\"field\""), 32);
    let t = texts(&f);
    assert!(
        t.iter()
            .any(|x| x == "Receptive fields — small, seed 7 · x->h at end"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "weight"), "{t:?}");
    assert!(
        t.iter()
            .any(|x| x.starts_with("32 neurons: each cell is one neuron's 28 × 28")),
        "{t:?}"
    );
    assert!(!r.join("receptive_fields-h_to_y.svg").exists());

    // `somnia plot` gives the same files, from the outcome or its folder.
    let before = read(&r.join("accuracy.svg"));
    std::fs::remove_file(r.join("accuracy.svg")).unwrap();
    let again = somnia(&["plot", "r/outcome.json"], &dir);
    exits(&again, 0);
    let listed = String::from_utf8_lossy(&again.stdout);
    assert_eq!(
        listed.lines().count(),
        5,
        "hypnogram, its wall view, accuracy, weights, receptive fields: {listed}"
    );
    assert_eq!(read(&r.join("accuracy.svg")), before);
    let elsewhere = somnia(&["plot", "r", "--out", "figs"], &dir);
    exits(&elsewhere, 0);
    for f in [
        "hypnogram.svg",
        "hypnogram-wall.svg",
        "accuracy.svg",
        "weights.svg",
        "receptive_fields-x_to_h.svg",
    ] {
        assert!(dir.join("figs").join(f).is_file(), "{f}");
    }

    // An index written before image shapes were recorded: a square input is assumed, and
    // the figure says so.
    let old: String = index
        .lines()
        .map(|l| l.split(',').take(7).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    std::fs::write(r.join("weights/index.csv"), old).unwrap();
    exits(&somnia(&["plot", "r", "--out", "old"], &dir), 0);
    let f = read(&dir.join("old/receptive_fields-x_to_h.svg"));
    assert_eq!(count(&f, "<image class=\"field\""), 32);
    assert!(f.contains("image shape assumed square: index.csv records none"));
    assert!(
        !dir.join("old/receptive_fields-h_to_y.svg").exists(),
        "32 is not a square"
    );
}

#[test]
fn a_sweep_plots_each_metric_against_the_swept_value_over_seeds() {
    let dir = scratch("plots-sweep");
    std::fs::write(dir.join("p.sleep"), protocol()).unwrap();
    let out = somnia(&["sweep", "p.sleep", "--out", "s", "-q", "-j", "2"], &dir);
    exits(&out, 0);
    let plot = somnia(&["plot", "s"], &dir);
    exits(&plot, 0);
    let svg = read(&dir.join("s").join("sweep-accuracy.svg"));
    well_formed(&svg);
    let t = texts(&svg);
    assert!(
        t.iter()
            .any(|x| x == "accuracy against nap_len (steps) — mean and range over 2 seeds"),
        "{t:?}"
    );
    assert!(t.iter().any(|x| x == "nap_len (steps)"), "{t:?}");
    assert!(t.iter().any(|x| x == "final accuracy (%)"), "{t:?}");
    // `all` equals `pairs` in every run: left out. Groups first.
    let series = ["pairs", "pairs[0,1]", "pairs[0]", "pairs[1]", "pairs[2]"];
    for s in series {
        assert!(t.iter().any(|x| x == s), "no series {s}: {t:?}");
    }
    assert!(!t.iter().any(|x| x == "all"));
    // Per series: a band, a mean line over the 2 values, and a dot per seed and value.
    assert_eq!(count(&svg, "<polygon"), series.len());
    assert_eq!(
        thick_lines(&svg),
        series.len() * 2,
        "mean lines and legend lines"
    );
    assert_eq!(count(&svg, "<circle"), series.len() * (2 * 2 + 2));
    // sweep.csv itself is accepted too.
    let csv = somnia(&["plot", "s/sweep.csv", "--out", "figs"], &dir);
    exits(&csv, 0);
    assert!(dir.join("figs/sweep-accuracy.svg").is_file());
}

#[test]
fn what_cannot_be_plotted_is_refused_with_exit_2() {
    let dir = scratch("plots-errors");
    let missing = somnia(&["plot", "nothing.json"], &dir);
    exits(&missing, 2);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    std::fs::write(dir.join("bad.json"), "{\"schema\": 1}").unwrap();
    let bad = somnia(&["plot", "bad.json"], &dir);
    exits(&bad, 2);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a somnia outcome"));
    std::fs::write(dir.join("t.csv"), "a,b\n1,2\n").unwrap();
    let table = somnia(&["plot", "t.csv"], &dir);
    exits(&table, 2);
    assert!(String::from_utf8_lossy(&table.stderr).contains("not a sweep table"));
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    let empty = somnia(&["plot", "empty"], &dir);
    exits(&empty, 2);
    assert!(String::from_utf8_lossy(&empty.stderr).contains("holds neither"));
    let other = somnia(&["plot", "."], &dir);
    exits(&other, 2);
    assert!(!dir.join("hypnogram.svg").exists());
}
