//! Reading a run's recordings back (`recordings/index.csv` and its numpy files), for plots.
//! The writer is src/engine/recording_export.rs; docs/outcome.md describes the layout.

use ndarray::Array1;
use ndarray_npy::ReadNpyExt;
use std::path::Path;

/// The folder, inside a run's folder, the recordings are in.
pub const DIR: &str = "recordings";

/// One row of `recordings/index.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub op: usize,
    pub name: String,
    pub kind: String,
    pub recording: usize,
    pub recorder: String,
    pub population: String,
    pub variable: String,
    pub file: String,
    pub dt: f64,
    pub steps: u64,
    /// The population's size (0 in indexes that do not say).
    pub size: usize,
}

/// The spikes of one population during one op.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeTrain {
    pub op: usize,
    /// The phase call (`nap#0`) and its kind (`nrem`).
    pub name: String,
    pub kind: String,
    pub population: String,
    /// Seconds from the op's start, and neuron indices.
    pub t: Vec<f64>,
    pub i: Vec<i32>,
    /// The op's length, in seconds.
    pub duration: f64,
    /// Neurons of the population.
    pub size: usize,
}

/// The index of a run folder's recordings; empty when it has none.
pub fn index(run: &Path) -> Result<Vec<Entry>, String> {
    let path = run.join(DIR).join("index.csv");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name);
    let bad = || format!("{} is not a recordings index", path.display());
    let [
        op,
        name,
        kind,
        recording,
        recorder,
        population,
        variable,
        file,
        dt,
    ] = [
        "op",
        "name",
        "kind",
        "recording",
        "recorder",
        "population",
        "variable",
        "file",
        "dt",
    ]
    .map(col);
    let (steps, size) = (col("steps"), col("size"));
    let mut out = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        let get = |c: Option<usize>| c.and_then(|c| f.get(c)).copied().ok_or_else(bad);
        out.push(Entry {
            op: get(op)?.parse().map_err(|_| bad())?,
            name: get(name)?.into(),
            kind: get(kind)?.into(),
            recording: get(recording)?.parse().map_err(|_| bad())?,
            recorder: get(recorder)?.into(),
            population: get(population)?.into(),
            variable: get(variable)?.into(),
            file: get(file)?.into(),
            dt: get(dt)?.parse().map_err(|_| bad())?,
            steps: steps
                .and_then(|c| f.get(c))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
            size: size
                .and_then(|c| f.get(c))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0),
        });
    }
    Ok(out)
}

/// Every spike recording of a run folder, op by op.
pub fn spike_trains(run: &Path) -> Result<Vec<SpikeTrain>, String> {
    let entries = index(run)?;
    let mut out = Vec::new();
    for e in entries
        .iter()
        .filter(|e| e.recorder == "spikes" && e.variable == "t")
    {
        let Some(ie) = entries.iter().find(|x| {
            x.op == e.op
                && x.recording == e.recording
                && x.recorder == "spikes"
                && x.variable == "i"
        }) else {
            continue;
        };
        let t: Array1<f64> = read(&run.join(DIR).join(&e.file))?;
        let i: Array1<i32> = read(&run.join(DIR).join(&ie.file))?;
        let last = t.iter().copied().fold(0.0, f64::max);
        out.push(SpikeTrain {
            op: e.op,
            name: e.name.clone(),
            kind: e.kind.clone(),
            population: e.population.clone(),
            t: t.to_vec(),
            i: i.to_vec(),
            size: e
                .size
                .max(i.iter().map(|&k| k as usize + 1).max().unwrap_or(0)),
            duration: if e.steps > 0 {
                e.steps as f64 * e.dt
            } else {
                last + e.dt
            },
        });
    }
    Ok(out)
}

fn read<T: ndarray_npy::ReadableElement>(path: &Path) -> Result<Array1<T>, String> {
    let f =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Array1::<T>::read_npy(f).map_err(|e| {
        format!(
            "{} is not a 1-d numpy file of the expected type: {e}",
            path.display()
        )
    })
}
