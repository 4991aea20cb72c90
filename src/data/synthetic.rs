//! Synthetic datasets, generated from the dataset's seed stream:
//!
//! - `patterns`: `classes` binary patches on a `side × side` image. The pixels are laid out
//!   along a path that snakes through horizontal strips about as high as a patch is wide, and
//!   pattern `k` is a stretch of that path, so patches are compact (square-ish) and neighbouring
//!   patterns `k`, `k + 1` share exactly `overlap` pixels.
//! - `bars`: one fully lit row (classes `0..side`) or column (classes `side..2 side`).
//! - `noise`: uniform `[0, 1)` features with uniformly random labels.
//!
//! In `patterns` and `bars` every pixel of a sample is flipped with probability `noise`.
//! Samples come class by class; [`super::load`] shuffles them.

use super::{Samples, Table};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::bind::Source;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Generates the samples of a synthetic source (`name` for messages).
pub fn generate(name: &str, source: &Source, seed: u64) -> Result<Table, RunError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
    match source {
        Source::Patterns(p) => {
            let patterns = patterns(n(p.classes), n(p.side), n(p.overlap))?;
            images(name, n(p.side), &patterns, n(p.samples), p.noise, &mut rng)
        }
        Source::Bars(b) => {
            let side = n(b.side);
            let rows = (0..side).map(|r| (0..side).map(|c| r * side + c).collect());
            let cols = (0..side).map(|c| (0..side).map(|r| r * side + c).collect());
            let bars: Vec<Vec<usize>> = rows.chain(cols).collect();
            images(name, side, &bars, n(b.samples), b.noise, &mut rng)
        }
        Source::Noise(s) => {
            let (features, classes, samples) = (n(s.features), s.classes, n(s.samples));
            let mut x = alloc(name, samples, features)?;
            let mut y = Vec::with_capacity(samples);
            for _ in 0..samples {
                y.push(rng.random_range(0..classes) as u32);
                x.extend((0..features).map(|_| rng.random::<f32>()));
            }
            let s = features.isqrt();
            Ok(Table {
                features,
                shape: (s * s == features).then_some((s, s)),
                samples: Samples { x, y },
            })
        }
        Source::Idx(_) | Source::Csv(_) | Source::Npy(_) => {
            unreachable!("`load` reads file sources itself")
        }
    }
}

/// The pixel sets of the `patterns` source.
fn patterns(classes: usize, side: usize, overlap: usize) -> Result<Vec<Vec<usize>>, RunError> {
    let pixels = side * side;
    // The largest patch size for which `classes` patches, each sharing `overlap` pixels with
    // the next, fit on the image: classes · size − (classes − 1) · overlap ≤ pixels.
    let size = overlap
        .checked_mul(classes - 1)
        .and_then(|o| o.checked_add(pixels))
        .map_or(0, |total| total / classes);
    if size == 0 || (classes > 1 && size <= overlap) {
        let most = pixels.saturating_sub(classes);
        return Err(RunError::new(
            Code::E211,
            format!(
                "`patterns`: {classes} patterns sharing {overlap} pixels with their neighbours do not fit on a {side} × {side} image"
            ),
        )
        .help(if classes > pixels {
            format!("a {side} × {side} image holds at most {pixels} patterns; raise `side`")
        } else {
            format!("with {classes} patterns, `overlap` can be at most {most}; or raise `side`")
        }));
    }
    let height = ((size as f64).sqrt().round() as usize).clamp(1, side);
    let path = snake(side, height);
    let stride = size - overlap;
    Ok((0..classes)
        .map(|k| path[k * stride..k * stride + size].to_vec())
        .collect())
}

/// Every pixel of a `side × side` image, strip by strip (strips of `height` rows), column by
/// column inside a strip, every other strip from right to left.
fn snake(side: usize, height: usize) -> Vec<usize> {
    let mut path = Vec::with_capacity(side * side);
    for (i, top) in (0..side).step_by(height).enumerate() {
        let rows = top..(top + height).min(side);
        let cols: Box<dyn Iterator<Item = usize>> = if i % 2 == 0 {
            Box::new(0..side)
        } else {
            Box::new((0..side).rev())
        };
        for c in cols {
            path.extend(rows.clone().map(|r| r * side + c));
        }
    }
    path
}

/// `samples` noisy copies of each class's pixel set, class by class.
fn images(
    name: &str,
    side: usize,
    classes: &[Vec<usize>],
    samples: usize,
    noise: f64,
    rng: &mut ChaCha8Rng,
) -> Result<Table, RunError> {
    let features = side * side;
    let total = classes.len().saturating_mul(samples);
    let mut x = alloc(name, total, features)?;
    let mut y = Vec::with_capacity(total);
    let mut clean = vec![0.0f32; features];
    for (label, pixels) in classes.iter().enumerate() {
        clean.fill(0.0);
        for &i in pixels {
            clean[i] = 1.0;
        }
        for _ in 0..samples {
            x.extend(clean.iter().map(|&v| {
                if rng.random::<f64>() < noise {
                    1.0 - v
                } else {
                    v
                }
            }));
            y.push(label as u32);
        }
    }
    Ok(Table {
        features,
        shape: Some((side, side)),
        samples: Samples { x, y },
    })
}

/// Room for `samples × features` values, or an error when that is more than memory holds.
fn alloc(name: &str, samples: usize, features: usize) -> Result<Vec<f32>, RunError> {
    let too_large = || {
        RunError::new(
            Code::E305,
            format!("`{name}`: {samples} samples of {features} values do not fit in memory"),
        )
    };
    let n = samples.checked_mul(features).ok_or_else(too_large)?;
    let mut x = Vec::new();
    x.try_reserve_exact(n).map_err(|_| too_large())?;
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::bind::{self, number};
    use std::collections::BTreeSet;

    fn gen_with(source: &str, params: &[(&str, f64)], seed: u64) -> Result<Table, RunError> {
        let given: Vec<(&str, _)> = params.iter().map(|&(k, v)| (k, number(v))).collect();
        let s: Source = bind::with_defaults(source, &given).expect("a synthetic source");
        generate(source, &s, seed)
    }

    fn gen_ok(source: &str, params: &[(&str, f64)], seed: u64) -> Table {
        gen_with(source, params, seed).unwrap()
    }

    /// The lit pixels of sample `i`.
    fn lit(t: &Table, i: usize) -> BTreeSet<usize> {
        let f = t.features;
        (0..f).filter(|&j| t.samples.x[i * f + j] == 1.0).collect()
    }

    #[test]
    fn patterns_share_exactly_the_overlap_with_their_neighbours() {
        for (classes, side, overlap) in [(4, 11, 12), (2, 5, 0), (5, 10, 3), (3, 4, 2), (1, 3, 7)] {
            let params = [
                ("classes", classes as f64),
                ("side", side as f64),
                ("overlap", overlap as f64),
                ("samples", 3.0),
                ("noise", 0.0),
            ];
            let t = gen_ok("patterns", &params, 1);
            assert_eq!(t.features, side * side);
            assert_eq!(t.shape, Some((side, side)));
            assert_eq!(t.samples.len(), classes * 3);
            let sets: Vec<_> = (0..classes).map(|k| lit(&t, 3 * k)).collect();
            for k in 0..classes {
                assert_eq!(lit(&t, 3 * k + 2), sets[k], "no noise: copies are equal");
                assert_eq!(t.samples.y[3 * k..3 * k + 3], [k as u32; 3]);
                assert_eq!(sets[k].len(), sets[0].len(), "patterns have one size");
                if k + 1 < classes {
                    let shared = sets[k].intersection(&sets[k + 1]).count();
                    assert_eq!(
                        shared,
                        overlap,
                        "{classes} {side} {overlap}: {k} and {}",
                        k + 1
                    );
                }
            }
        }
    }

    #[test]
    fn patterns_are_connected_and_compact() {
        for (classes, side, overlap) in [(4, 11, 12), (10, 28, 20), (3, 8, 0)] {
            let params = [
                ("classes", classes as f64),
                ("side", side as f64),
                ("overlap", overlap as f64),
                ("samples", 1.0),
                ("noise", 0.0),
            ];
            let t = gen_ok("patterns", &params, 3);
            for k in 0..classes {
                let set = lit(&t, k);
                // Connected: a flood fill from one pixel reaches all of them.
                let first = *set.iter().next().unwrap();
                let (mut seen, mut todo) = (BTreeSet::from([first]), vec![first]);
                while let Some(i) = todo.pop() {
                    let (r, c) = (i / side, i % side);
                    let near = [
                        (r > 0).then(|| i - side),
                        (r + 1 < side).then(|| i + side),
                        (c > 0).then(|| i - 1),
                        (c + 1 < side).then(|| i + 1),
                    ];
                    for j in near.into_iter().flatten() {
                        if set.contains(&j) && seen.insert(j) {
                            todo.push(j);
                        }
                    }
                }
                assert_eq!(
                    seen, set,
                    "{classes} {side} {overlap}: pattern {k} is connected"
                );
                // Compact: its bounding box is at most twice its size.
                let rows: BTreeSet<_> = set.iter().map(|i| i / side).collect();
                let cols: BTreeSet<_> = set.iter().map(|i| i % side).collect();
                assert!(
                    rows.len() * cols.len() <= 2 * set.len(),
                    "{classes} {side} {overlap}: pattern {k}: {rows:?} × {cols:?}"
                );
            }
        }
    }

    #[test]
    fn noise_flips_about_the_given_fraction() {
        let params = [
            ("classes", 2.0),
            ("side", 10.0),
            ("overlap", 0.0),
            ("samples", 200.0),
            ("noise", 0.1),
        ];
        let t = gen_ok("patterns", &params, 9);
        let clean = gen_ok(
            "patterns",
            &[
                ("noise", 0.0),
                ("samples", 200.0),
                ("classes", 2.0),
                ("side", 10.0),
                ("overlap", 0.0),
            ],
            9,
        );
        let flipped = t
            .samples
            .x
            .iter()
            .zip(&clean.samples.x)
            .filter(|(a, b)| a != b)
            .count();
        let fraction = flipped as f64 / t.samples.x.len() as f64;
        assert!((0.09..0.11).contains(&fraction), "{fraction}");
        assert!(t.samples.x.iter().all(|&v| v == 0.0 || v == 1.0));
    }

    #[test]
    fn the_same_seed_gives_the_same_data() {
        for source in ["patterns", "bars", "noise"] {
            let params = [("samples", 20.0), ("features", 9.0)];
            let params = if source == "noise" {
                &params[..]
            } else {
                &params[..1]
            };
            let a = gen_ok(source, params, 42);
            assert_eq!(a, gen_ok(source, params, 42), "{source}");
            assert_ne!(a, gen_ok(source, params, 43), "{source}");
        }
    }

    #[test]
    fn bars_light_one_row_or_column() {
        let t = gen_ok(
            "bars",
            &[("side", 4.0), ("samples", 2.0), ("noise", 0.0)],
            1,
        );
        assert_eq!(t.features, 16);
        assert_eq!(t.shape, Some((4, 4)));
        assert_eq!(t.samples.len(), 16);
        assert_eq!(lit(&t, 2), BTreeSet::from([4, 5, 6, 7]), "class 1: row 1");
        assert_eq!(
            lit(&t, 2 * 5),
            BTreeSet::from([1, 5, 9, 13]),
            "class 5: column 1"
        );
        assert_eq!(t.samples.y[10], 5);
        assert_eq!(*t.samples.y.iter().max().unwrap(), 7);
    }

    #[test]
    fn noise_is_uniform_with_random_labels() {
        let t = gen_ok(
            "noise",
            &[("features", 10.0), ("classes", 3.0), ("samples", 300.0)],
            5,
        );
        assert_eq!(t.features, 10);
        assert_eq!(t.shape, None);
        assert_eq!(t.samples.len(), 300);
        assert!(t.samples.x.iter().all(|v| (0.0..1.0).contains(v)));
        let mean = t.samples.x.iter().sum::<f32>() / 3000.0;
        assert!((0.45..0.55).contains(&mean), "{mean}");
        for c in 0..3 {
            let n = t.samples.y.iter().filter(|&&y| y == c).count();
            assert!((60..140).contains(&n), "class {c}: {n}");
        }
        let square = gen_ok("noise", &[("features", 784.0), ("samples", 2.0)], 5);
        assert_eq!(square.shape, Some((28, 28)));
    }

    #[test]
    fn impossible_patterns_are_e211() {
        let e = gen_with(
            "patterns",
            &[("classes", 4.0), ("side", 3.0), ("overlap", 6.0)],
            1,
        )
        .unwrap_err();
        assert_eq!(e.code, Code::E211);
        assert!(e.help.unwrap().contains("at most 5"));
        let e = gen_with(
            "patterns",
            &[("classes", 10.0), ("side", 3.0), ("overlap", 0.0)],
            1,
        )
        .unwrap_err();
        assert_eq!(e.code, Code::E211);
        // The largest overlap that fits.
        gen_ok(
            "patterns",
            &[
                ("classes", 4.0),
                ("side", 3.0),
                ("overlap", 5.0),
                ("samples", 1.0),
            ],
            1,
        );
    }

    #[test]
    fn more_samples_than_memory_holds_are_e305_not_a_panic() {
        let e = gen_with("noise", &[("features", 4e9), ("samples", 4e9)], 1).unwrap_err();
        assert_eq!(e.code, Code::E305);
    }
}
