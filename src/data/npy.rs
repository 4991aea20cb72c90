//! numpy arrays: `x` holds the samples (samples × features, or samples × rows × cols for
//! images) as floats or integers, `y` the labels as a 1-D array of integers.

use super::{Samples, Table};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use ndarray::ArrayD;
use ndarray_npy::{ReadNpyError, ReadNpyExt, ReadableElement};
use std::path::Path;

pub fn read(x: &Path, y: &Path, scale: f64) -> Result<Table, RunError> {
    let x_bytes = read_bytes(x)?;
    let y_bytes = read_bytes(y)?;
    let (dims, values) = features(&x_bytes, x)?;
    let (n, features, shape) = match dims[..] {
        [n, f] => (n, f, None),
        [n, rows, cols] => (n, rows * cols, Some((rows, cols))),
        _ => {
            return Err(RunError::new(
                Code::E402,
                format!(
                    "`{}` is a {}-D array; expected samples × features (2-D) or samples × rows × cols (3-D)",
                    x.display(),
                    dims.len()
                ),
            ));
        }
    };
    if features == 0 {
        return Err(RunError::new(
            Code::E402,
            format!(
                "`{}` holds samples without features (shape {dims:?})",
                x.display()
            ),
        ));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(RunError::new(
            Code::E402,
            format!(
                "`{}` holds a non-finite value ({}) in sample {}",
                x.display(),
                values[i],
                i / features
            ),
        )
        .help("replace missing values (NaN) before saving the array"));
    }
    let labels = labels(&y_bytes, y)?;
    if labels.len() != n {
        return Err(RunError::new(
            Code::E405,
            format!(
                "`{}` holds {n} samples but `{}` holds {} labels",
                x.display(),
                y.display(),
                labels.len()
            ),
        ));
    }
    let y = labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            u32::try_from(l).map_err(|_| {
                RunError::new(
                    Code::E404,
                    format!("`{}` holds the label {l} at index {i}", y.display()),
                )
                .help("labels are class numbers 0, 1, 2, …")
            })
        })
        .collect::<Result<Vec<u32>, RunError>>()?;
    Ok(Table {
        features,
        shape,
        samples: Samples {
            x: values.iter().map(|&v| (v * scale) as f32).collect(),
            y,
        },
    })
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, RunError> {
    std::fs::read(path)
        .map_err(|e| RunError::new(Code::E401, format!("cannot read `{}`: {e}", path.display())))
}

/// An element type a `.npy` file may hold.
trait Element: ReadableElement + Copy {
    fn to_f64(self) -> f64;
    /// The value as a label, when it is an integer type.
    fn to_i128(self) -> Option<i128>;
}

macro_rules! int_elements {
    ($($t:ty),*) => {$(
        impl Element for $t {
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn to_i128(self) -> Option<i128> {
                Some(self as i128)
            }
        }
    )*};
}

int_elements!(u8, i8, u16, i16, u32, i32, u64, i64);

impl Element for f32 {
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_i128(self) -> Option<i128> {
        None
    }
}

impl Element for f64 {
    fn to_f64(self) -> f64 {
        self
    }
    fn to_i128(self) -> Option<i128> {
        None
    }
}

/// The array in `bytes` as `T`; `None` when it holds another type.
fn try_read<T: Element>(bytes: &[u8]) -> Result<Option<ArrayD<T>>, ReadNpyError> {
    match ArrayD::<T>::read_npy(bytes) {
        Ok(a) => Ok(Some(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads the array as the first of the element types whose descriptor matches, converted by
/// `f`. Returns the shape and the values in row-major (C) order.
macro_rules! read_as {
    ($bytes:expr, $path:expr, $what:expr, $f:expr, [$($t:ty),*]) => {{
        let (bytes, path): (&[u8], &Path) = ($bytes, $path);
        check_header(bytes, path)?;
        let mut found = None;
        $(
            if found.is_none() {
                if let Some(a) = try_read::<$t>(bytes).map_err(|e| npy_error(path, e))? {
                    found = Some((a.shape().to_vec(), a.iter().map(|&v| $f(v)).collect::<Vec<_>>()));
                }
            }
        )*
        found.ok_or_else(|| {
            RunError::new(
                Code::E402,
                format!("`{}` holds {} values; expected {}", path.display(), descr(bytes), $what),
            )
        })
    }};
}

/// The samples, as `f64`, and the array's shape.
fn features(bytes: &[u8], path: &Path) -> Result<(Vec<usize>, Vec<f64>), RunError> {
    read_as!(
        bytes,
        path,
        "numbers (float32, float64 or integers)",
        Element::to_f64,
        [f32, f64, u8, i8, u16, i16, u32, i32, u64, i64]
    )
}

/// The labels of a 1-D integer array.
fn labels(bytes: &[u8], path: &Path) -> Result<Vec<i128>, RunError> {
    let (dims, values) = read_as!(
        bytes,
        path,
        "integer labels",
        |v: _| Element::to_i128(v).unwrap_or(-1),
        [i64, i32, u8, u32, u16, i16, i8, u64]
    )
    .map_err(|e| e.help("save the labels as integers: `np.save(path, y.astype(np.int64))`"))?;
    if dims.len() != 1 {
        return Err(RunError::new(
            Code::E402,
            format!(
                "`{}` is a {}-D array of shape {dims:?}; labels must be a 1-D array",
                path.display(),
                dims.len()
            ),
        )
        .help("flatten the labels before saving them: `np.save(path, y.ravel())`"));
    }
    Ok(values)
}

/// The header text (after the magic string, the version and the header length) and the data
/// that follows it; `None` when the file ends inside the header.
fn split_header(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, start): (usize, usize) = match bytes.get(6)? {
        1 => (
            u16::from_le_bytes([*bytes.get(8)?, *bytes.get(9)?]) as usize,
            10,
        ),
        _ => (
            u32::from_le_bytes([
                *bytes.get(8)?,
                *bytes.get(9)?,
                *bytes.get(10)?,
                *bytes.get(11)?,
            ]) as usize,
            12,
        ),
    };
    let end = start.checked_add(len)?;
    Some((bytes.get(start..end)?, bytes.get(end..)?))
}

/// Checks the magic string and that the file is long enough for the header and for the number
/// of values the header announces (at least one byte each), so that a corrupt shape cannot make
/// the reader allocate more than a few times the file's size.
fn check_header(bytes: &[u8], path: &Path) -> Result<(), RunError> {
    let shown = path.display();
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err(RunError::new(
            Code::E402,
            format!("`{shown}` is not a .npy file (it does not start with `\\x93NUMPY`)"),
        )
        .help("write each array with `numpy.save`; `.npz` archives are not read"));
    }
    let Some((text, data)) = split_header(bytes) else {
        return Err(RunError::new(
            Code::E403,
            format!("`{shown}` is truncated: it ends inside its header"),
        ));
    };
    let data = data.len();
    if let Some(values) = announced_values(text)
        && values > data
    {
        return Err(RunError::new(
            Code::E403,
            format!(
                "`{shown}` is truncated: its header announces {values} values, the file holds {data} bytes of data"
            ),
        ));
    }
    Ok(())
}

/// The product of the `'shape': (…)` entry of a header, when it can be read.
fn announced_values(text: &[u8]) -> Option<usize> {
    let text = std::str::from_utf8(text).ok()?;
    let after = &text[text.find("'shape'")? + "'shape'".len()..];
    let open = after.find('(')?;
    let close = after.find(')')?;
    after
        .get(open + 1..close)?
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .try_fold(1usize, |acc, d| {
            acc.checked_mul(d.trim_end_matches('L').parse().ok()?)
        })
}

/// The header's `descr` entry, for messages: `` `<f8` (float64) ``.
fn descr(bytes: &[u8]) -> String {
    split_header(bytes)
        .and_then(|(t, _)| std::str::from_utf8(t).ok())
        .and_then(|t| {
            let after = &t[t.find("'descr'")? + "'descr'".len()..];
            let rest = after[after.find(':')? + 1..].trim_start();
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            let d = rest[..end].trim().trim_matches(['\'', '"']);
            let code = d.trim_start_matches(['<', '>', '|', '=']);
            let bits = code
                .get(1..)
                .and_then(|n| n.parse::<u32>().ok())
                .map(|n| n * 8);
            let name = match (code.chars().next(), bits) {
                (Some('f'), Some(b)) => format!("float{b}"),
                (Some('i'), Some(b)) => format!("int{b}"),
                (Some('u'), Some(b)) => format!("uint{b}"),
                (Some('c'), Some(b)) => format!("complex{b}"),
                (Some('b'), _) => "bool".to_string(),
                (Some('U' | 'S'), _) => "strings".to_string(),
                (Some('O'), _) => "Python objects".to_string(),
                _ => return Some(format!("`{d}`")),
            };
            Some(format!("`{d}` ({name})"))
        })
        .unwrap_or_else(|| "other".to_string())
}

fn npy_error(path: &Path, e: ReadNpyError) -> RunError {
    let shown = path.display();
    match e {
        ReadNpyError::Io(_) | ReadNpyError::MissingData => RunError::new(
            Code::E403,
            format!("`{shown}` is truncated: it holds fewer values than its header announces"),
        ),
        ReadNpyError::ExtraBytes(n) => RunError::new(
            Code::E402,
            format!(
                "`{shown}` is not a valid .npy file: {n} bytes follow the data its header announces"
            ),
        ),
        e => RunError::new(
            Code::E402,
            format!("`{shown}` is not a valid .npy file: {e}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, Array3, array};
    use ndarray_npy::WriteNpyExt;
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("somnia-npy-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn save<T: WriteNpyExt>(dir: &Path, name: &str, a: &T) -> PathBuf {
        let path = dir.join(name);
        a.write_npy(std::fs::File::create(&path).unwrap()).unwrap();
        path
    }

    /// The error, checked to name `file`.
    fn err(x: &Path, y: &Path, file: &Path) -> RunError {
        let e = read(x, y, 1.0).unwrap_err();
        assert!(
            e.message.contains(&file.display().to_string()),
            "message does not name {}: {}",
            file.display(),
            e.message
        );
        e
    }

    #[test]
    fn reads_float32_samples_and_int64_labels() {
        let dir = temp_dir("f32");
        let x = save(&dir, "x.npy", &array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let y = save(&dir, "y.npy", &array![3i64, 0]);
        let t = read(&x, &y, 0.5).unwrap();
        assert_eq!(t.features, 3);
        assert_eq!(t.shape, None);
        assert_eq!(t.samples.x, vec![0.5, 1.0, 1.5, 2.0, 2.5, 3.0]);
        assert_eq!(t.samples.y, vec![3, 0]);
    }

    #[test]
    fn reads_float64_and_bytes_and_other_integer_labels() {
        let dir = temp_dir("types");
        let y = save(&dir, "y.npy", &array![1i32, 2]);
        let x = save(&dir, "x64.npy", &array![[0.25f64], [0.75]]);
        assert_eq!(read(&x, &y, 1.0).unwrap().samples.x, vec![0.25, 0.75]);
        let x = save(&dir, "x8.npy", &array![[255u8, 0], [1, 2]]);
        let t = read(&x, &y, 1.0 / 255.0).unwrap();
        assert_eq!(t.samples.x, vec![1.0, 0.0, 1.0 / 255.0, 2.0 / 255.0]);
        assert_eq!(t.samples.y, vec![1, 2]);
        for y in [
            save(&dir, "yu8.npy", &array![1u8, 2]),
            save(&dir, "yu32.npy", &array![1u32, 2]),
        ] {
            assert_eq!(read(&x, &y, 1.0).unwrap().samples.y, vec![1, 2]);
        }
    }

    #[test]
    fn reads_fortran_order_in_logical_order() {
        let dir = temp_dir("fortran");
        let a = Array2::from_shape_vec((2, 3), vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let x = save(&dir, "x.npy", &a.t().to_owned().reversed_axes());
        let x_f = save(&dir, "xf.npy", &a.t());
        let y = save(&dir, "y.npy", &array![0i64, 1, 2]);
        let y2 = save(&dir, "y2.npy", &array![0i64, 1]);
        assert_eq!(
            read(&x, &y2, 1.0).unwrap().samples.x,
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        );
        // The transpose is written in Fortran order: 3 samples of 2 features.
        assert_eq!(
            read(&x_f, &y, 1.0).unwrap().samples.x,
            vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
        );
    }

    #[test]
    fn reads_images_as_three_dimensions() {
        let dir = temp_dir("images");
        let images = Array3::from_shape_vec((2, 2, 3), (0..12u8).collect()).unwrap();
        let x = save(&dir, "x.npy", &images);
        let y = save(&dir, "y.npy", &array![0i64, 1]);
        let t = read(&x, &y, 1.0).unwrap();
        assert_eq!(t.features, 6);
        assert_eq!(t.shape, Some((2, 3)));
        assert_eq!(t.samples.x, (0..12).map(|v| v as f32).collect::<Vec<_>>());
    }

    #[test]
    fn a_missing_file_is_e401() {
        let dir = temp_dir("missing");
        let y = save(&dir, "y.npy", &array![0i64]);
        let x = dir.join("nope.npy");
        assert_eq!(err(&x, &y, &x).code, Code::E401);
        let x = save(&dir, "x.npy", &array![[1.0f32]]);
        let y = dir.join("nope-y.npy");
        assert_eq!(err(&x, &y, &y).code, Code::E401);
    }

    #[test]
    fn a_file_that_is_not_npy_is_e402() {
        let dir = temp_dir("not_npy");
        let y = save(&dir, "y.npy", &array![0i64]);
        let x = dir.join("x.npy");
        std::fs::write(&x, "1,2,3\n").unwrap();
        assert_eq!(err(&x, &y, &x).code, Code::E402);
        // The magic string, then a header that is not a dictionary.
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let header = b"not a dict                                                    \n";
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header);
        std::fs::write(&x, &bytes).unwrap();
        assert_eq!(err(&x, &y, &x).code, Code::E402);
    }

    #[test]
    fn the_wrong_dtype_is_e402() {
        let dir = temp_dir("dtype");
        let x = save(&dir, "x.npy", &array![[1.0f32], [2.0]]);
        let y = save(&dir, "y.npy", &array![0.0f64, 1.0]);
        let e = err(&x, &y, &y);
        assert_eq!(e.code, Code::E402);
        assert!(
            e.message.contains("`<f8` (float64) values"),
            "{}",
            e.message
        );
        let x = save(&dir, "xb.npy", &array![[true], [false]]);
        let y = save(&dir, "yi.npy", &array![0i64, 1]);
        let e = err(&x, &y, &x);
        assert_eq!(e.code, Code::E402);
        assert!(e.message.contains("`|b1` (bool) values"), "{}", e.message);
    }

    #[test]
    fn the_wrong_dimensionality_is_e402() {
        let dir = temp_dir("ndim");
        let y = save(&dir, "y.npy", &array![0i64, 1]);
        let x = save(&dir, "x1.npy", &array![1.0f32, 2.0]);
        assert_eq!(err(&x, &y, &x).code, Code::E402);
        let x = save(&dir, "x.npy", &array![[1.0f32], [2.0]]);
        let y = save(&dir, "y2.npy", &array![[0i64], [1]]);
        assert_eq!(err(&x, &y, &y).code, Code::E402);
        let x = save(&dir, "x0.npy", &Array2::<f32>::zeros((2, 0)));
        let y = save(&dir, "y1.npy", &array![0i64, 1]);
        assert_eq!(err(&x, &y, &x).code, Code::E402);
    }

    #[test]
    fn a_non_finite_feature_is_e402() {
        let dir = temp_dir("nan");
        let x = save(&dir, "x.npy", &array![[1.0f32], [f32::NAN]]);
        let y = save(&dir, "y.npy", &array![0i64, 1]);
        let e = err(&x, &y, &x);
        assert_eq!(e.code, Code::E402);
        assert!(e.message.contains("sample 1"), "{}", e.message);
    }

    #[test]
    fn a_cut_file_is_e403() {
        let dir = temp_dir("cut");
        let y = save(&dir, "y.npy", &array![0i64, 1]);
        let good = save(&dir, "good.npy", &Array2::<f32>::zeros((2, 100)));
        let bytes = std::fs::read(&good).unwrap();
        for (name, keep) in [("x-body.npy", bytes.len() - 10), ("x-head.npy", 20)] {
            let x = dir.join(name);
            std::fs::write(&x, &bytes[..keep]).unwrap();
            assert_eq!(err(&x, &y, &x).code, Code::E403, "{name}");
        }
        // A shape far beyond the file's size fails before anything is allocated.
        let mut huge = bytes.clone();
        let at = bytes.windows(8).position(|w| w == b"(2, 100)").unwrap();
        huge.splice(at..at + 8, b"(99999999999, 100)".iter().copied());
        // Keep the header's length: drop as many of its padding spaces.
        let pad = huge[at..]
            .windows(11)
            .position(|w| w == b"          \n")
            .unwrap();
        huge.drain(at + pad..at + pad + 10);
        let x = dir.join("x-huge.npy");
        std::fs::write(&x, &huge).unwrap();
        let e = err(&x, &y, &x);
        assert_eq!(e.code, Code::E403);
        assert!(
            e.message.contains("announces 9999999999900 values"),
            "{}",
            e.message
        );
    }

    #[test]
    fn trailing_bytes_are_e402() {
        let dir = temp_dir("extra");
        let y = save(&dir, "y.npy", &array![0i64]);
        let good = save(&dir, "good.npy", &array![[1.0f32]]);
        let mut bytes = std::fs::read(&good).unwrap();
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        let x = dir.join("x.npy");
        std::fs::write(&x, &bytes).unwrap();
        assert_eq!(err(&x, &y, &x).code, Code::E402);
    }

    #[test]
    fn different_sample_counts_are_e405() {
        let dir = temp_dir("count");
        let x = save(&dir, "x.npy", &array![[1.0f32], [2.0], [3.0]]);
        let y = save(&dir, "y.npy", &array![0i64, 1]);
        let e = err(&x, &y, &x);
        assert_eq!(e.code, Code::E405);
        assert!(e.message.contains(&y.display().to_string()));
    }

    #[test]
    fn a_negative_label_is_e404() {
        let dir = temp_dir("negative");
        let x = save(&dir, "x.npy", &array![[1.0f32], [2.0]]);
        let y = save(&dir, "y.npy", &Array1::from(vec![0i32, -1]));
        let e = err(&x, &y, &y);
        assert_eq!(e.code, Code::E404);
        assert!(e.message.contains("index 1"), "{}", e.message);
    }
}
