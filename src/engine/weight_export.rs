//! `--save-weights`, a monitor of the live network: each projection's weights as `.npy` files at chosen points of a run.
//!
//! Layout, inside the run's folder:
//!
//! ```text
//! weights/index.csv                      one row per matrix: when, op, name, projection, file,
//!                                        rows, cols, bias, image_rows, image_cols
//! weights/start/x_to_h1.npy              before the first op
//! weights/op007-consolidate-2/x_to_h1.npy after op 7 (`consolidate#2` in the outcome's ops)
//! weights/end/x_to_h1.npy                as the run ends
//! ```
//!
//! A weight matrix is `post × pre` float32 (row `i` holds the weights into target neuron `i`),
//! so `numpy.load("x_to_h1.npy") @ x` is the projection's input to `h1`. A projection with a
//! bias also writes `x_to_h1.bias.npy` (length `post`), named in the row's `bias` column (so
//! the index lists every file written; spiking projections have all-zero biases unless
//! declared `bias off`). A projection from the input population whose samples are images
//! records the image's shape (`image_rows`, `image_cols`): each row of its matrix is then a
//! receptive field (`somnia plot`). Absent synapses of sparse projections are 0.

use super::Progress;
use super::network::Network;
use crate::outcome::OpRecord;
use crate::plan::ir::{Op, Plan};
use ndarray::{Array1, Array2};
use ndarray_npy::WriteNpyExt;
use std::path::{Path, PathBuf};

/// The folder, inside a run's folder, the weights go to.
pub const WEIGHTS_DIR: &str = "weights";

/// When to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// Before the first op.
    Start,
    /// As the run ends.
    End,
    /// After every op.
    All,
    /// After the op with this index (`ops[].index` of the outcome).
    Op(usize),
    /// After every op of this kind (`wake`, `nrem`, `rem`, `perturb`, `measure`), of this
    /// phase (`consolidate`), or with this exact name (`consolidate#2`, a measurement label).
    Name(String),
}

impl When {
    pub fn parse(s: &str) -> When {
        match s {
            "start" => When::Start,
            "end" => When::End,
            "all" => When::All,
            _ => match s.parse() {
                Ok(i) => When::Op(i),
                Err(_) => When::Name(s.to_string()),
            },
        }
    }

    fn after(&self, rec: &OpRecord) -> bool {
        match self {
            When::All => true,
            When::Op(i) => rec.index == *i,
            When::Name(n) => {
                rec.kind == *n
                    || rec.name == *n
                    || rec
                        .name
                        .split_once('#')
                        .is_some_and(|(phase, _)| phase == n)
            }
            When::Start | When::End => false,
        }
    }
}

const KINDS: [&str; 7] = [
    "wake",
    "nrem",
    "rem",
    "perturb",
    "measure",
    "checkpoint",
    "restore",
];

/// Checks that every named point exists in the plan: an op kind, a phase it calls or a
/// measurement label. Returns what is wrong, with the names it has.
pub fn check(whens: &[When], plan: &Plan) -> Result<(), String> {
    let mut names: Vec<String> = KINDS.iter().map(|k| k.to_string()).collect();
    collect_names(&plan.ops, &mut names);
    let records = max_records(&plan.ops);
    for w in whens {
        if let When::Op(i) = w
            && *i >= records
        {
            return Err(format!(
                "--save-weights {i}: the protocol `{}` runs at most {records} ops (indices 0 to {}); `somnia plan` lists them",
                plan.protocol,
                records.saturating_sub(1)
            ));
        }
        if let When::Name(n) = w
            && !names.contains(n)
        {
            names.sort();
            names.dedup();
            let hint = crate::diagnostics::suggestion(n, names.iter().map(String::as_str))
                .map(|h| format!(" ({h})"))
                .unwrap_or_default();
            return Err(format!(
                "--save-weights {n}: the protocol `{}` has no op, phase or measurement label `{n}`{hint}; use start, end, all, an op index, an op kind, or one of: {}",
                plan.protocol,
                names
                    .iter()
                    .filter(|x| !KINDS.contains(&x.as_str()))
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(())
}

/// The most ops a run of `ops` can record: an `until` loop's body counted `max` times.
fn max_records(ops: &[Op]) -> usize {
    ops.iter().fold(0usize, |n, op| {
        n.saturating_add(match op {
            Op::Until { body, max, .. } => {
                usize::try_from(*max).map_or(usize::MAX, |m| m.saturating_mul(max_records(body)))
            }
            _ => 1,
        })
    })
}

fn collect_names(ops: &[Op], names: &mut Vec<String>) {
    for op in ops {
        match op {
            Op::Wake { phase, call, .. }
            | Op::Sleep { phase, call, .. }
            | Op::Perturb { phase, call, .. } => {
                names.push(phase.clone());
                names.push(format!("{phase}#{call}"));
            }
            Op::Measure { label: Some(l), .. } => names.push(l.clone()),
            Op::Until { body, .. } => collect_names(body, names),
            _ => {}
        }
    }
}

/// One file written.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// `start`, `end` or `op007-consolidate-2`.
    pub tag: String,
    pub op: Option<usize>,
    pub name: String,
    pub projection: String,
    pub file: PathBuf,
    pub rows: usize,
    pub cols: usize,
    /// The bias file beside it (`start/x_to_h1.bias.npy`), when the projection has biases.
    pub bias: Option<PathBuf>,
    /// `(rows, cols)` of the input images, when the projection comes from the input
    /// population and its `cols` (pre) are the pixels of an image.
    pub image: Option<(usize, usize)>,
}

/// The header of `index.csv`.
pub const INDEX_HEADER: &str = "when,op,name,projection,file,rows,cols,bias,image_rows,image_cols";

impl Saved {
    /// A row of `index.csv` (also of the 7-column index written before `bias` and the image
    /// shape were recorded).
    pub fn parse(line: &str) -> Option<Saved> {
        let f: Vec<&str> = line.split(',').collect();
        let (&[tag, op, name, projection, file, rows, cols], rest) = f.split_first_chunk::<7>()?;
        let (bias, image) = match rest {
            [] => (None, None),
            [bias, image_rows, image_cols] => (
                (!bias.is_empty()).then(|| PathBuf::from(bias)),
                image_rows.parse().ok().zip(image_cols.parse().ok()),
            ),
            _ => return None,
        };
        Some(Saved {
            tag: tag.into(),
            op: op.parse().ok(),
            name: name.into(),
            projection: projection.into(),
            file: file.into(),
            rows: rows.parse().ok()?,
            cols: cols.parse().ok()?,
            bias,
            image,
        })
    }

    /// The files this row stands for: the matrix, and the bias when there is one.
    pub fn files(&self) -> usize {
        1 + usize::from(self.bias.is_some())
    }
}

/// A run's `weights/index.csv`, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub rows: Vec<Saved>,
    /// Whether the index records image shapes (written since `image_rows` exists): when not,
    /// a projection's image shape is unknown rather than absent.
    pub shapes_recorded: bool,
}

/// Reads `dir/index.csv` (`dir` is the `weights` folder).
pub fn read_index(dir: &Path) -> Result<Index, String> {
    let path = dir.join("index.csv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let shapes_recorded = lines.next().is_some_and(|h| h.contains("image_rows"));
    let rows = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            Saved::parse(l).ok_or_else(|| format!("{}: cannot read the row `{l}`", path.display()))
        })
        .collect::<Result<_, _>>()?;
    Ok(Index {
        rows,
        shapes_recorded,
    })
}

/// A saved matrix (`post × pre` float32), row-major, with its shape.
pub fn read_matrix(path: &Path) -> Result<(Vec<f32>, usize, usize), String> {
    use ndarray_npy::ReadNpyExt;
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let m = Array2::<f32>::read_npy(std::io::BufReader::new(file))
        .map_err(|e| format!("{}: not a float32 matrix: {e}", path.display()))?;
    let (rows, cols) = m.dim();
    let values = m.as_standard_layout().iter().copied().collect();
    Ok((values, rows, cols))
}

/// Passes progress on to `inner` and saves the weights at the chosen points.
pub struct Saver<'a> {
    whens: Vec<When>,
    dir: PathBuf,
    inner: &'a mut dyn Progress,
    pub saved: Vec<Saved>,
    /// Files that could not be written (the run goes on).
    pub errors: Vec<String>,
    /// A resumed run: its start was saved by the run it continues.
    resumed: bool,
    /// The input images' `(rows, cols)`, when the samples are images.
    image: Option<(usize, usize)>,
}

impl<'a> Saver<'a> {
    /// Saves into `run_dir/weights/`, which is emptied first: it belongs to this run.
    pub fn new(whens: Vec<When>, run_dir: &Path, inner: &'a mut dyn Progress) -> Saver<'a> {
        let dir = run_dir.join(WEIGHTS_DIR);
        let _ = std::fs::remove_dir_all(&dir);
        Saver {
            whens,
            dir,
            inner,
            saved: Vec::new(),
            errors: Vec::new(),
            resumed: false,
            image: None,
        }
    }

    /// Saves into `run_dir/weights/` after what the run it continues saved there (read back
    /// from its `index.csv`): a resumed run.
    pub fn continuing(whens: Vec<When>, run_dir: &Path, inner: &'a mut dyn Progress) -> Saver<'a> {
        let dir = run_dir.join(WEIGHTS_DIR);
        let saved = std::fs::read_to_string(dir.join("index.csv"))
            .map(|t| t.lines().skip(1).filter_map(Saved::parse).collect())
            .unwrap_or_default();
        Saver {
            whens,
            dir,
            inner,
            saved,
            errors: Vec::new(),
            resumed: true,
            image: None,
        }
    }

    fn save(&mut self, tag: String, op: Option<usize>, name: &str, net: &Network) {
        let folder = self.dir.join(&tag);
        if let Err(e) = std::fs::create_dir_all(&folder) {
            self.errors
                .push(format!("cannot create {}: {e}", folder.display()));
            return;
        }
        for p in &net.projs {
            let stem = file_stem(&p.name);
            let file = folder.join(format!("{stem}.npy"));
            let w = Array2::from_shape_vec((p.post, p.pre), p.w.clone())
                .expect("a projection's weights are post × pre");
            let mut result = write(&file, |f| w.write_npy(f));
            let mut bias_file = None;
            if let Some(b) = &p.bias {
                let bias = Array1::from_vec(b.clone());
                let bf = folder.join(format!("{stem}.bias.npy"));
                result = result.and_then(|()| write(&bf, |f| bias.write_npy(f)));
                bias_file = Some(self.relative(&bf));
            }
            let image = self
                .image
                .filter(|&(r, c)| net.pops[p.from].is_input() && r * c == p.pre);
            match result {
                Ok(()) => self.saved.push(Saved {
                    tag: tag.clone(),
                    op,
                    name: name.to_string(),
                    projection: p.name.clone(),
                    file: self.relative(&file),
                    rows: p.post,
                    cols: p.pre,
                    bias: bias_file,
                    image,
                }),
                Err(e) => self.errors.push(e),
            }
        }
    }

    /// `file` inside the weights folder.
    fn relative(&self, file: &Path) -> PathBuf {
        file.strip_prefix(&self.dir).unwrap_or(file).to_path_buf()
    }

    /// How many `.npy` files were written: matrices and biases.
    pub fn files(&self) -> usize {
        self.saved.iter().map(Saved::files).sum()
    }

    /// Writes `weights/index.csv`; returns the folder when anything was saved.
    pub fn finish_index(&mut self) -> Option<PathBuf> {
        if self.saved.is_empty() {
            return None;
        }
        let mut text = format!("{INDEX_HEADER}\n");
        for s in &self.saved {
            let (image_rows, image_cols) = s
                .image
                .map(|(r, c)| (r.to_string(), c.to_string()))
                .unwrap_or_default();
            text.push_str(&format!(
                "{},{},{},{},{},{},{},{},{image_rows},{image_cols}\n",
                s.tag,
                s.op.map(|o| o.to_string()).unwrap_or_default(),
                s.name,
                s.projection,
                s.file.display(),
                s.rows,
                s.cols,
                s.bias
                    .as_ref()
                    .map(|b| b.display().to_string())
                    .unwrap_or_default(),
            ));
        }
        let index = self.dir.join("index.csv");
        if let Err(e) = crate::outcome::write::atomic_write(&index, text.as_bytes()) {
            self.errors
                .push(format!("cannot write {}: {e}", index.display()));
        }
        Some(self.dir.clone())
    }
}

pub(crate) fn write(
    file: &Path,
    f: impl FnOnce(std::io::BufWriter<std::fs::File>) -> Result<(), ndarray_npy::WriteNpyError>,
) -> Result<(), String> {
    std::fs::File::create(file)
        .map_err(|e| e.to_string())
        .and_then(|h| f(std::io::BufWriter::new(h)).map_err(|e| e.to_string()))
        .map_err(|e| format!("cannot write {}: {e}", file.display()))
}

/// `x->h1` → `x_to_h1`: a file name without shell-special characters.
pub fn file_stem(projection: &str) -> String {
    projection
        .replace("->", "_to_")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Progress for Saver<'_> {
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
        self.image = Some(shape);
        self.inner.input_image(shape);
    }
    fn network_ready(&mut self, net: &Network) {
        if self.whens.contains(&When::Start) && !self.resumed {
            self.save("start".into(), None, "start", net);
        }
        self.inner.network_ready(net);
    }
    fn recorded(&mut self, rec: &OpRecord, monitor: super::monitor::Monitor) {
        self.inner.recorded(rec, monitor);
    }
    fn op_done(&mut self, rec: &OpRecord, net: &Network) {
        if self.whens.iter().any(|w| w.after(rec)) {
            let tag = format!("op{:03}-{}", rec.index, rec.name.replace('#', "-"));
            self.save(file_stem(&tag), Some(rec.index), &rec.name, net);
        }
        self.inner.op_done(rec, net);
    }
    fn run_done(&mut self, net: &Network) {
        if self.whens.contains(&When::End) {
            self.save("end".into(), None, "end", net);
        }
        self.inner.run_done(net);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_and_match_ops_by_kind_phase_name_or_index() {
        assert_eq!(When::parse("end"), When::End);
        assert_eq!(When::parse("7"), When::Op(7));
        let rec = OpRecord {
            index: 7,
            kind: "nrem".into(),
            name: "consolidate#2".into(),
            amount: None,
            sim_seconds: None,
            spikes: Default::default(),
            loss: Vec::new(),
            weights: Vec::new(),
            forage: None,
        };
        for yes in ["nrem", "consolidate", "consolidate#2", "7", "all"] {
            assert!(When::parse(yes).after(&rec), "{yes}");
        }
        for no in ["rem", "consolidate#1", "consol", "8", "end", "start"] {
            assert!(!When::parse(no).after(&rec), "{no}");
        }
    }

    #[test]
    fn index_rows_read_back_with_and_without_the_bias_and_image_columns() {
        let new =
            Saved::parse("end,,end,px->exc,end/px_to_exc.npy,100,784,end/px_to_exc.bias.npy,28,28")
                .unwrap();
        assert_eq!(
            new.bias.as_deref(),
            Some(Path::new("end/px_to_exc.bias.npy"))
        );
        assert_eq!((new.image, new.files()), (Some((28, 28)), 2));
        let bare = Saved::parse("end,,end,exc->inh,end/exc_to_inh.npy,100,100,,,").unwrap();
        assert_eq!(
            (bare.bias.clone(), bare.image, bare.files()),
            (None, None, 1)
        );
        let old = Saved::parse("op001-nap-0,1,nap#0,a,op001-nap-0/a.npy,8,36").unwrap();
        assert_eq!(
            (old.op, old.rows, old.cols, old.image),
            (Some(1), 8, 36, None)
        );
        assert_eq!(Saved::parse("a,b,c"), None);
    }

    #[test]
    fn projection_names_become_plain_file_names() {
        assert_eq!(file_stem("x->h1"), "x_to_h1");
        assert_eq!(file_stem("op007-consolidate-2"), "op007-consolidate-2");
        assert_eq!(file_stem("a b/c"), "a_b_c");
    }
}
