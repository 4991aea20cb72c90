//! A sweep's final values against the swept constant: per metric one plot, per key of the
//! metric (a task, group or projection) and per value of the other swept constants one
//! series — its mean over seeds as a line, the range over seeds (min to max) as a band, and
//! every seed as a dot. Read from the sweep's `sweep.csv` (long form: every value each run
//! measured; a run's final values are the last of each metric and key, as in its outcome).

use super::{Entry, FONT, LIGHT, PlotError, anchored, fit, font, legend, series_color};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;

/// `sweep.csv`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The swept constants, in column order.
    pub axes: Vec<String>,
    pub runs: Vec<Run>,
    /// Each metric's unit (the `unit` column): `Hz`, `1` when dimensionless.
    pub units: BTreeMap<String, String>,
}

/// A run of a point on a seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The constants' values with their units (`200 steps`, `0.004 V`, `0.05`), in the
    /// order of `axes`.
    pub point: Vec<String>,
    pub seed: u64,
    /// Final values by `metric[key]` (`accuracy[pairs]`): the last of each metric and task,
    /// of each group (`task` `all`, by its `group`) and `all`; non-finite ones left out.
    pub values: BTreeMap<String, f64>,
}

/// Reads the text of a `sweep.csv`.
pub fn parse(text: &str) -> Result<Table, PlotError> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| PlotError(format!("not a sweep table: {e}")))?
        .iter()
        .map(String::from)
        .collect();
    if header.first().map(String::as_str) != Some("point") || !header.iter().any(|h| h == "seed") {
        return Err(PlotError(
            "not a sweep table: it needs the columns `point`, `seed`, …".into(),
        ));
    }
    let older = || {
        PlotError(
            "not a sweep table in long form: it needs the columns `point`, `seed`, the axes, `metric`, `task` and `value` (an older somnia wrote one column per final value: `somnia sweep FILE --resume` rewrites sweep.csv from the run folders)".into(),
        )
    };
    if header[1] != "seed" {
        return Err(older());
    }
    // The axes: `name,name_unit` pairs after `seed`.
    let mut axes = Vec::new();
    let mut i = 2;
    while i + 1 < header.len() && header[i + 1] == format!("{}_unit", header[i]) {
        axes.push(header[i].clone());
        i += 2;
    }
    let at = |name: &str| header.iter().skip(i).position(|h| h == name).map(|p| p + i);
    let (Some(metric_at), Some(task_at), Some(value_at)) = (at("metric"), at("task"), at("value"))
    else {
        return Err(older());
    };
    let (group_at, unit_at) = (at("group"), at("unit"));
    let mut runs: Vec<Run> = Vec::new();
    let mut units = BTreeMap::new();
    for (line, rec) in r.records().enumerate() {
        let row = line + 2;
        let rec = rec.map_err(|e| PlotError(format!("sweep table, row {row}: {e}")))?;
        let cell = |i: usize| rec.get(i).unwrap_or("").trim();
        let seed: u64 = cell(1)
            .parse()
            .map_err(|_| PlotError(format!("sweep table, row {row}: no seed")))?;
        let point: Vec<String> = (0..axes.len())
            .map(|a| with_unit(cell(2 + 2 * a), cell(3 + 2 * a)))
            .collect();
        let run = match runs.iter().position(|r| r.seed == seed && r.point == point) {
            Some(k) => k,
            None => {
                runs.push(Run {
                    point,
                    seed,
                    values: BTreeMap::new(),
                });
                runs.len() - 1
            }
        };
        let metric = cell(metric_at);
        // A run that measured nothing has one row without a metric.
        let Ok(value) = cell(value_at).parse::<f64>() else {
            continue;
        };
        if metric.is_empty() {
            continue;
        }
        if let Some(u) = unit_at.map(cell).filter(|u| !u.is_empty()) {
            units
                .entry(metric.to_string())
                .or_insert_with(|| u.to_string());
        }
        // As an outcome's `final`: a group's value (`task` `all`) is also its group's.
        let task = cell(task_at);
        let values = &mut runs[run].values;
        values.insert(format!("{metric}[{task}]"), value);
        if let Some(g) = group_at
            .map(cell)
            .filter(|g| task == "all" && !g.is_empty())
        {
            values.insert(format!("{metric}[{g}]"), value);
        }
    }
    for r in &mut runs {
        r.values.retain(|_, v| v.is_finite());
    }
    Ok(Table { axes, runs, units })
}

/// A swept value with its unit: `200 steps`, `0.004 V`; a dimensionless one (`1`) or text
/// alone.
fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() || unit == "1" {
        value.to_string()
    } else {
        format!("{value} {unit}")
    }
}

/// A swept value as people read it (`0.004 V` → `4 mV`), for series names.
fn shown(point: &str) -> String {
    match number(point) {
        Some((v, u)) => match crate::units::lookup(&u) {
            Some(unit) => crate::units::format_quantity(v * unit.factor, unit.dim),
            None => point.to_string(),
        },
        None => point.to_string(),
    }
}

/// `accuracy[pairs[0]]` → (`accuracy`, `pairs[0]`).
fn split_column(c: &str) -> Option<(&str, &str)> {
    let open = c.find('[')?;
    c.ends_with(']')
        .then(|| (&c[..open], &c[open + 1..c.len() - 1]))
}

/// The metrics of a table's columns, in order.
pub fn metrics(t: &Table) -> Vec<String> {
    let mut m: Vec<String> = Vec::new();
    for r in &t.runs {
        for c in r.values.keys() {
            if let Some((metric, _)) = split_column(c)
                && !m.iter().any(|x| x == metric)
            {
                m.push(metric.to_string());
            }
        }
    }
    m.sort();
    m
}

/// `200 steps` → (200, `steps`): the longest leading number and the rest; `None` for a
/// value that does not start with a number.
fn number(label: &str) -> Option<(f64, String)> {
    let t = label.trim();
    let ends = t.char_indices().map(|(i, _)| i).skip(1).chain([t.len()]);
    let mut found = None;
    for end in ends {
        if let Ok(v) = t[..end].parse::<f64>()
            && v.is_finite()
        {
            found = Some((v, t[end..].trim().to_string()));
        }
    }
    found
}

/// One line of a sweep plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The metric's key and the other constants' values: `pairs · noise=4 mV`.
    pub name: String,
    /// (x, every seed's value), by x.
    pub points: Vec<(f64, Vec<f64>)>,
}

/// What one sweep plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPlot {
    pub metric: String,
    /// The metric's unit (`Hz`), `1` or empty when it has none.
    pub unit: String,
    /// The swept constant on x, with its unit: `nap (steps)`.
    pub axis: String,
    /// Tick labels when the values are not numbers (x is then their index).
    pub categories: Option<Vec<String>>,
    pub series: Vec<Series>,
    pub seeds: usize,
}

/// At most this many keys of a metric get a line (groups before single tasks).
pub const MAX_KEYS: usize = 6;

/// The plot of one metric of a sweep, or `None` when no run has it.
pub fn of_table(t: &Table, metric: &str) -> Option<SweepPlot> {
    let first = t.axes.first()?;
    // The keys of the metric; single tasks (`pairs[0]`) are dropped when there are many.
    let mut keys: Vec<&str> = Vec::new();
    for r in &t.runs {
        for c in r.values.keys() {
            if let Some((m, k)) = split_column(c)
                && m == metric
                && !keys.contains(&k)
            {
                keys.push(k);
            }
        }
    }
    if keys.is_empty() {
        return None;
    }
    // Groups (`pairs`, `x->h`) before single tasks (`pairs[0]`).
    keys.sort_by_key(|k| k.contains('['));
    if keys.len() > MAX_KEYS {
        let groups: Vec<&str> = keys.iter().copied().filter(|k| !k.contains('[')).collect();
        if !groups.is_empty() {
            keys = groups;
        }
        keys.truncate(MAX_KEYS);
    }
    // `all` repeats the last group measured: left out when it equals another key everywhere.
    if keys.len() > 1 && keys.contains(&"all") {
        let same = keys.iter().filter(|k| **k != "all").any(|k| {
            t.runs.iter().all(|r| {
                r.values.get(&format!("{metric}[all]")) == r.values.get(&format!("{metric}[{k}]"))
            })
        });
        if same {
            keys.retain(|k| *k != "all");
        }
    }
    // x: the first constant, as numbers when every value is one.
    let parsed: Vec<Option<(f64, String)>> = t.runs.iter().map(|r| number(&r.point[0])).collect();
    let numeric = parsed.iter().all(Option::is_some);
    let mut categories: Vec<String> = Vec::new();
    let xs: Vec<f64> = t
        .runs
        .iter()
        .zip(&parsed)
        .map(|(r, p)| match p {
            Some((v, _)) if numeric => *v,
            _ => {
                let label = &r.point[0];
                match categories.iter().position(|c| c == label) {
                    Some(i) => i as f64,
                    None => {
                        categories.push(label.clone());
                        (categories.len() - 1) as f64
                    }
                }
            }
        })
        .collect();
    let unit = parsed
        .iter()
        .flatten()
        .map(|(_, u)| u.as_str())
        .find(|u| !u.is_empty())
        .unwrap_or("");
    let axis = if numeric && !unit.is_empty() {
        format!("{first} ({unit})")
    } else {
        first.clone()
    };
    let mut series: Vec<Series> = Vec::new();
    let mut seeds = std::collections::BTreeSet::new();
    for key in &keys {
        let column = format!("{metric}[{key}]");
        // The other constants' values, each a series.
        let mut by_rest: Vec<(String, BTreeMap<u64, Vec<f64>>)> = Vec::new();
        for (r, &x) in t.runs.iter().zip(&xs) {
            let Some(&v) = r.values.get(&column) else {
                continue;
            };
            seeds.insert(r.seed);
            let rest: Vec<String> = t
                .axes
                .iter()
                .zip(&r.point)
                .skip(1)
                .map(|(a, p)| format!("{a}={}", shown(p)))
                .collect();
            let rest = rest.join(", ");
            let slot = match by_rest.iter().position(|(n, _)| *n == rest) {
                Some(i) => i,
                None => {
                    by_rest.push((rest, BTreeMap::new()));
                    by_rest.len() - 1
                }
            };
            // Keyed by x's bits: x values are exact copies of parsed numbers.
            by_rest[slot].1.entry(x.to_bits()).or_default().push(v);
        }
        for (rest, points) in by_rest {
            let mut points: Vec<(f64, Vec<f64>)> = points
                .into_iter()
                .map(|(bits, vs)| (f64::from_bits(bits), vs))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let name = if rest.is_empty() {
                key.to_string()
            } else {
                format!("{key} · {rest}")
            };
            series.push(Series { name, points });
        }
    }
    Some(SweepPlot {
        metric: metric.to_string(),
        unit: t.units.get(metric).cloned().unwrap_or_default(),
        axis,
        categories: (!numeric).then_some(categories),
        series,
        seeds: seeds.len(),
    })
}

/// Every plot of a sweep table: (`sweep-<metric>.svg`, its SVG), one per metric.
pub fn svgs(t: &Table) -> Result<Vec<(String, String)>, PlotError> {
    let mut out = Vec::new();
    for m in metrics(t) {
        if let Some(p) = of_table(t, &m) {
            out.push((format!("sweep-{}.svg", super::file_safe(&m)), draw(&p)?));
        }
    }
    Ok(out)
}

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 520;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Accuracies and the like are fractions; shown in % like everywhere else.
fn percent(metric: &str) -> bool {
    matches!(metric, "accuracy" | "forgetting" | "bwt")
}

/// Draws one sweep plot.
pub fn draw(p: &SweepPlot) -> Result<String, PlotError> {
    let scale = if percent(&p.metric) { 100.0 } else { 1.0 };
    let all_x = p.series.iter().flat_map(|s| s.points.iter().map(|q| q.0));
    let (x_lo, x_hi) = all_x.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let all_y = p
        .series
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|q| q.1.iter().map(|v| v * scale)));
    let (y_lo, y_hi) = all_y.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
        (a.min(y), b.max(y))
    });
    if !x_lo.is_finite() || !y_lo.is_finite() {
        return Err(PlotError(format!("no value of `{}` to plot", p.metric)));
    }
    let pad_x = if x_hi > x_lo {
        (x_hi - x_lo) * 0.05
    } else {
        0.5
    };
    let pad_y = if y_hi > y_lo {
        (y_hi - y_lo) * 0.08
    } else {
        (y_lo.abs() * 0.1).max(1e-3)
    };
    let (y0, y1) = if percent(&p.metric) {
        ((y_lo - pad_y).max(0.0), (y_hi + pad_y).min(100.0))
    } else {
        (y_lo - pad_y, y_hi + pad_y)
    };
    let y_desc = if percent(&p.metric) {
        format!("final {} (%)", p.metric)
    } else if p.unit.is_empty() || p.unit == "1" {
        format!("final {}", p.metric)
    } else {
        format!("final {} ({})", p.metric, p.unit)
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let (main, side) = root.split_horizontally(WIDTH - 230);
        let mut chart = ChartBuilder::on(&main)
            .caption(
                format!(
                    "{} against {} — mean and range over {} seed{}",
                    p.metric,
                    p.axis,
                    p.seeds,
                    if p.seeds == 1 { "" } else { "s" }
                ),
                (FONT, 18),
            )
            .margin(12)
            .set_label_area_size(LabelAreaPosition::Left, 70)
            .set_label_area_size(LabelAreaPosition::Bottom, 50)
            .build_cartesian_2d((x_lo - pad_x)..(x_hi + pad_x), y0..y1)
            .map_err(PlotError::drawing)?;
        let categories = p.categories.clone();
        let x_fmt = move |x: &f64| match &categories {
            Some(c) => {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 {
                    c.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            None => format!("{}", (x * 1e6).round() / 1e6),
        };
        let mut mesh = chart.configure_mesh();
        mesh.light_line_style(LIGHT.mix(0.5))
            .bold_line_style(LIGHT)
            .x_desc(p.axis.clone())
            .y_desc(y_desc)
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&|y| format!("{}", (y * 1e6).round() / 1e6));
        if let Some(c) = &p.categories {
            mesh.x_labels(c.len() * 4 + 1);
        }
        mesh.draw().map_err(PlotError::drawing)?;
        let mut entries = Vec::new();
        for (i, s) in p.series.iter().enumerate() {
            let color = series_color(i);
            let lo: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|(x, v)| (*x, scale * v.iter().copied().fold(f64::INFINITY, f64::min)))
                .collect();
            let hi: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|(x, v)| {
                    (
                        *x,
                        scale * v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    )
                })
                .collect();
            let band: Vec<(f64, f64)> = lo.iter().chain(hi.iter().rev()).copied().collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(PlotError::drawing)?;
            chart
                .draw_series(s.points.iter().flat_map(|(x, v)| {
                    v.iter()
                        .map(move |y| Circle::new((*x, scale * y), 2, color.mix(0.6).filled()))
                }))
                .map_err(PlotError::drawing)?;
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|(x, v)| (*x, scale * mean(v))),
                    color.stroke_width(2),
                ))
                .map_err(PlotError::drawing)?;
            chart
                .draw_series(
                    s.points
                        .iter()
                        .map(|(x, v)| Circle::new((*x, scale * mean(v)), 4, color.filled())),
                )
                .map_err(PlotError::drawing)?;
            entries.push(Entry {
                color,
                text: fit(&s.name, 12, 190.0).unwrap_or_default(),
                filled: false,
            });
        }
        legend(&side, (6, 50), &entries)?;
        let y = 50 + 18 * entries.len() as i32 + 14;
        for (k, line) in [
            "line: mean over seeds",
            "band: min to max",
            "dots: each seed",
        ]
        .iter()
        .enumerate()
        {
            side.draw(&Text::new(
                *line,
                (6, y + 15 * k as i32),
                anchored(font(11), HPos::Left, VPos::Center).color(&super::GREY),
            ))
            .map_err(PlotError::drawing)?;
        }
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "point,seed,nap,nap_unit,noise,noise_unit,status,expectations_passed,folder,op,after,label,measure,metric,group,task,value,unit
0,1,0,steps,0.004,V,complete,true,a,1,learn#0,mid,0,accuracy,pairs,all,0.1,1
0,1,0,steps,0.004,V,complete,true,a,3,nap#0,end,1,accuracy,pairs,pairs[0],0.5,1
0,1,0,steps,0.004,V,complete,true,a,3,nap#0,end,1,accuracy,pairs,all,0.5,1
0,1,0,steps,0.004,V,complete,true,a,3,nap#0,end,1,rates,,exc,10,Hz
0,2,0,steps,0.004,V,complete,true,b,3,nap#0,end,1,accuracy,pairs,all,0.7,1
0,2,0,steps,0.004,V,complete,true,b,3,nap#0,end,1,rates,,exc,12,Hz
1,1,200,steps,0.004,V,complete,true,c,3,nap#0,end,1,accuracy,pairs,all,0.6,1
1,1,200,steps,0.004,V,complete,true,c,3,nap#0,end,1,rates,,exc,NaN,Hz
1,2,200,steps,0.004,V,complete,true,d,3,nap#0,end,1,accuracy,pairs,all,0.8,1
1,2,200,steps,0.004,V,complete,true,d,3,nap#0,end,1,rates,,exc,14,Hz
1,3,200,steps,0.004,V,not_run,,e,,,,,,,,,
";

    #[test]
    fn a_sweep_table_reads_into_series_of_final_values_over_seeds() {
        let t = parse(CSV).unwrap();
        assert_eq!(t.axes, ["nap", "noise"]);
        assert_eq!(t.runs.len(), 5, "the run that measured nothing is a run");
        assert_eq!(t.runs[0].point, ["0 steps", "0.004 V"]);
        assert_eq!(t.units["rates"], "Hz");
        assert_eq!(metrics(&t), ["accuracy", "rates"]);
        let p = of_table(&t, "accuracy").unwrap();
        assert_eq!(p.axis, "nap (steps)");
        assert_eq!(p.seeds, 2);
        // `all` equals `pairs` everywhere; the measurement "mid" is not the final one.
        let pairs = p
            .series
            .iter()
            .find(|s| s.name.starts_with("pairs "))
            .unwrap();
        assert_eq!(pairs.name, "pairs · noise=4 mV");
        assert_eq!(
            pairs.points,
            vec![(0.0, vec![0.5, 0.7]), (200.0, vec![0.6, 0.8])]
        );
        let r = of_table(&t, "rates").unwrap();
        assert_eq!(r.unit, "Hz");
        assert_eq!(r.series[0].points[1], (200.0, vec![14.0]), "NaN left out");
    }

    #[test]
    fn numbers_with_units() {
        assert_eq!(number("200 steps"), Some((200.0, "steps".into())));
        assert_eq!(number("5 %"), Some((5.0, "%".into())));
        assert_eq!(number("-0.5"), Some((-0.5, String::new())));
        assert_eq!(number("on"), None);
    }

    #[test]
    fn not_a_sweep_table_is_an_error() {
        assert!(parse("a,b\n1,2\n").is_err());
        let wide = "point,nap,seed,status,expectations_passed,folder,accuracy[all]\n0,0 steps,1,complete,true,a,0.5\n";
        let e = parse(wide).unwrap_err();
        assert!(e.0.contains("--resume"), "{}", e.0);
    }
}
