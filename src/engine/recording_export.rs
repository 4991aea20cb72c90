//! The protocol's recordings, written as numpy files into the run's folder as each recorded
//! op ends (so an interrupted or failing run keeps what it recorded), with an index.
//!
//! Layout, inside the run's folder (docs/outcome.md, "Recordings"):
//!
//! ```text
//! recordings/index.csv                         one row per file
//! recordings/op002-consolidate-0/exc.spikes.t.npy   spike times, s from the op's start (float64)
//! recordings/op002-consolidate-0/exc.spikes.i.npy   their neuron indices (int32)
//! recordings/op002-consolidate-0/exc.rates.npy      population rate per bin, Hz (float32)
//! recordings/op002-consolidate-0/exc.v.npy          steps × neurons (float32), SI units
//! recordings/op002-consolidate-0/exc.v.neurons.npy  the neurons recorded (int32)
//! ```

use super::Progress;
use super::monitor::{Monitor, Trace};
use super::network::Network;
use super::weight_export::{file_stem, write};
use crate::outcome::OpRecord;
use crate::plan::recordings::variable_word;
use ndarray::{Array1, Array2};
use ndarray_npy::WriteNpyExt;
use std::path::{Path, PathBuf};

/// The folder, inside a run's folder, the recordings go to.
pub const RECORDINGS_DIR: &str = crate::outcome::recordings::DIR;
/// The index's header.
pub const INDEX_HEADER: &str =
    "op,name,kind,recording,recorder,population,variable,file,rows,cols,dt,bin,unit,steps,size";

/// One file written.
#[derive(Debug, Clone, PartialEq)]
struct Written {
    op: usize,
    /// The row's text, without its op (first column).
    rest: String,
}

/// Wraps a run's progress, writing what each op's recordings kept.
pub struct RecordingSaver<'a> {
    dir: PathBuf,
    inner: &'a mut dyn Progress,
    written: Vec<Written>,
    pub errors: Vec<String>,
    /// Neurons of each population (for rates in Hz).
    sizes: Vec<usize>,
    names: Vec<String>,
}

impl<'a> RecordingSaver<'a> {
    /// Writes into `run_dir/recordings/`. A continued run (`--resume`) keeps the rows of the
    /// ops it does not run again.
    pub fn new(run_dir: &Path, inner: &'a mut dyn Progress) -> RecordingSaver<'a> {
        let dir = run_dir.join(RECORDINGS_DIR);
        let written = std::fs::read_to_string(dir.join("index.csv"))
            .map(|t| {
                t.lines()
                    .skip(1)
                    .filter_map(|l| {
                        let (op, rest) = l.split_once(',')?;
                        Some(Written {
                            op: op.parse().ok()?,
                            rest: rest.to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        RecordingSaver {
            dir,
            inner,
            written,
            errors: Vec::new(),
            sizes: Vec::new(),
            names: Vec::new(),
        }
    }

    /// The files written so far (the index's rows).
    pub fn files(&self) -> usize {
        self.written.len()
    }

    fn save(&mut self, rec: &OpRecord, m: Monitor) -> Result<(), String> {
        let tag = file_stem(&format!(
            "op{:03}-{}",
            rec.index,
            rec.name.replace('#', "-")
        ));
        let folder = self.dir.join(&tag);
        std::fs::create_dir_all(&folder)
            .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
        // A re-run op (after --resume) replaces its rows.
        self.written.retain(|w| w.op != rec.index);
        let mut used: Vec<String> = Vec::new();
        for r in m.recordings {
            let pop = self.names.get(r.pop).cloned().unwrap_or_default();
            let size = self.sizes.get(r.pop).copied().unwrap_or(1).max(1);
            let stem = {
                let kind = match &r.trace {
                    Trace::Spikes { .. } => "spikes".to_string(),
                    Trace::Rates { .. } => "rates".to_string(),
                    Trace::State { variable, .. } => variable_word(*variable).to_string(),
                };
                let base = format!("{}.{kind}", file_stem(&pop));
                // Two recorders of one kind on one population: the second gets its index.
                let stem = if used.contains(&base) {
                    format!("{base}{}", r.index)
                } else {
                    base
                };
                used.push(stem.clone());
                stem
            };
            let mut row = |recorder: &str,
                           variable: &str,
                           file: &str,
                           rows: usize,
                           cols: usize,
                           bin: String,
                           unit: &str| {
                self.written.push(Written {
                    op: rec.index,
                    rest: format!(
                        "{},{},{},{recorder},{pop},{variable},{tag}/{file},{rows},{cols},{},{bin},{unit},{},{size}",
                        rec.name, rec.kind, r.index, m.dt, m.steps
                    ),
                });
            };
            match r.trace {
                Trace::Spikes { steps, neurons } => {
                    let n = steps.len();
                    let t = Array1::from_iter(steps.iter().map(|&s| s as f64 * m.dt));
                    let i = Array1::from_iter(neurons.iter().map(|&k| k as i32));
                    let (ft, fi) = (format!("{stem}.t.npy"), format!("{stem}.i.npy"));
                    write(&folder.join(&ft), |f| t.write_npy(f))?;
                    write(&folder.join(&fi), |f| i.write_npy(f))?;
                    row("spikes", "t", &ft, n, 1, String::new(), "s");
                    row("spikes", "i", &fi, n, 1, String::new(), "");
                }
                Trace::Rates { bin, counts, last } => {
                    let k = counts.len();
                    let hz = Array1::from_iter(counts.iter().enumerate().map(|(b, &c)| {
                        let steps = if b + 1 == k { last.max(1) } else { bin };
                        (c as f64 / (steps as f64 * m.dt * size as f64)) as f32
                    }));
                    let f = format!("{stem}.npy");
                    write(&folder.join(&f), |w| hz.write_npy(w))?;
                    row(
                        "rates",
                        "rate",
                        &f,
                        k,
                        1,
                        (bin as f64 * m.dt).to_string(),
                        "Hz",
                    );
                }
                Trace::State {
                    variable,
                    neurons,
                    values,
                } => {
                    let k = neurons.len();
                    let steps = values.len().checked_div(k).unwrap_or(0);
                    let a = Array2::from_shape_vec((steps, k), values)
                        .expect("one value per neuron per step");
                    let ids = Array1::from_iter(neurons.iter().map(|&n| n as i32));
                    let (fv, fn_) = (format!("{stem}.npy"), format!("{stem}.neurons.npy"));
                    write(&folder.join(&fv), |w| a.write_npy(w))?;
                    write(&folder.join(&fn_), |w| ids.write_npy(w))?;
                    let var = variable_word(variable);
                    row("state", var, &fv, steps, k, String::new(), "");
                    row("state", "neurons", &fn_, k, 1, String::new(), "");
                }
            }
        }
        self.write_index()
    }

    fn write_index(&self) -> Result<(), String> {
        let mut rows = self.written.clone();
        rows.sort_by_key(|w| w.op);
        let mut text = format!("{INDEX_HEADER}\n");
        for w in &rows {
            text.push_str(&format!("{},{}\n", w.op, w.rest));
        }
        let index = self.dir.join("index.csv");
        crate::outcome::write::atomic_write(&index, text.as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", index.display()))
    }
}

impl Progress for RecordingSaver<'_> {
    fn start(&mut self, what: &str, total: u64, unit: &str) {
        self.inner.start(what, total, unit);
    }
    fn advance(&mut self, done: u64) {
        self.inner.advance(done);
    }
    fn finish(&mut self) {
        self.inner.finish();
    }
    fn input_image(&mut self, shape: (usize, usize)) {
        self.inner.input_image(shape);
    }
    fn network_ready(&mut self, net: &Network) {
        self.sizes = net.pops.iter().map(|p| p.size).collect();
        self.names = net.pops.iter().map(|p| p.name.clone()).collect();
        self.inner.network_ready(net);
    }
    fn recorded(&mut self, record: &OpRecord, monitor: Monitor) {
        if let Err(e) = self.save(record, monitor) {
            self.errors.push(e);
        }
    }
    fn op_done(&mut self, record: &OpRecord, net: &Network) {
        self.inner.op_done(record, net);
    }
    fn run_done(&mut self, net: &Network) {
        self.inner.run_done(net);
    }
}
