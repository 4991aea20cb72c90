//! MNIST's IDX format: a folder holding `*images-idx3-ubyte[.gz]` and
//! `*labels-idx1-ubyte[.gz]`. Big-endian header: magic `00 00 08 dims`, then one u32 per
//! dimension, then unsigned bytes.

use super::{Samples, Table};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use flate2::read::GzDecoder;
use std::io::Read;
use std::path::{Path, PathBuf};

pub fn read(dir: &Path, scale: f64, limit: Option<u64>) -> Result<Table, RunError> {
    let [images_path, labels_path] = files(dir)?;
    let images = read_file(&images_path)?;
    let labels = read_file(&labels_path)?;
    let (idims, ibody) = header(&images, &images_path, 3)?;
    let (ldims, lbody) = header(&labels, &labels_path, 1)?;
    let (n, rows, cols) = (idims[0], idims[1], idims[2]);
    if ldims[0] != n {
        return Err(RunError::new(
            Code::E405,
            format!(
                "`{}` holds {n} images but `{}` holds {} labels",
                images_path.display(),
                labels_path.display(),
                ldims[0]
            ),
        ));
    }
    let features = rows * cols;
    let n_used = limit.map_or(n, |l| (l as usize).min(n));
    let scale = scale as f32;
    let x = ibody[..n_used * features]
        .iter()
        .map(|&b| b as f32 * scale)
        .collect();
    let y = lbody[..n_used].iter().map(|&b| b as u32).collect();
    Ok(Table {
        features,
        shape: Some((rows, cols)),
        samples: Samples { x, y },
    })
}

/// The images file and the labels file in `dir`: what [`read`] reads.
pub fn files(dir: &Path) -> Result<[PathBuf; 2], RunError> {
    Ok([
        find(dir, "images-idx3-ubyte")?,
        find(dir, "labels-idx1-ubyte")?,
    ])
}

/// The one file in `dir` whose name contains `stem`.
fn find(dir: &Path, stem: &str) -> Result<PathBuf, RunError> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        RunError::new(
            Code::E401,
            format!("cannot read the folder `{}`: {e}", dir.display()),
        )
    })?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(stem))
        })
        .collect();
    found.sort();
    match found.len() {
        0 => Err(RunError::new(
            Code::E401,
            format!("no `*{stem}[.gz]` file in `{}`", dir.display()),
        )),
        1 => Ok(found.remove(0)),
        _ => Err(RunError::new(
            Code::E401,
            format!(
                "more than one `*{stem}` file in `{}`: {}",
                dir.display(),
                found
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The file's bytes, gunzipped when its name ends in `.gz`.
fn read_file(path: &Path) -> Result<Vec<u8>, RunError> {
    let raw = std::fs::read(path)
        .map_err(|e| RunError::new(Code::E401, format!("cannot read `{}`: {e}", path.display())))?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| {
                let code = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    Code::E403
                } else {
                    Code::E402
                };
                RunError::new(code, format!("`{}` is not valid gzip: {e}", path.display()))
            })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

/// Checks the magic number and dimension count; returns the dimensions and the body,
/// which must hold exactly their product of bytes.
fn header<'a>(
    bytes: &'a [u8],
    path: &Path,
    want_dims: usize,
) -> Result<(Vec<usize>, &'a [u8]), RunError> {
    let shown = path.display();
    if bytes.len() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 {
        return Err(RunError::new(
            Code::E402,
            format!("`{shown}` is not an IDX file of unsigned bytes (wrong magic number)"),
        )
        .help("IDX files start with the bytes 00 00 08 followed by the number of dimensions"));
    }
    let dims = bytes[3] as usize;
    if dims != want_dims {
        return Err(RunError::new(
            Code::E402,
            format!("`{shown}` has {dims} dimensions; expected {want_dims}"),
        ));
    }
    let head = 4 + 4 * dims;
    if bytes.len() < head {
        return Err(RunError::new(
            Code::E403,
            format!("`{shown}` ends inside its header"),
        ));
    }
    let sizes: Vec<usize> = (0..dims)
        .map(|i| {
            let b = &bytes[4 + 4 * i..8 + 4 * i];
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize
        })
        .collect();
    let body = &bytes[head..];
    // In u128: three u32 sizes cannot overflow it (their product could overflow a usize).
    let want = sizes.iter().map(|&d| d as u128).product::<u128>();
    if (body.len() as u128) < want {
        return Err(RunError::new(
            Code::E403,
            format!(
                "`{shown}` is truncated: its header announces {want} bytes of data, the file holds {}",
                body.len()
            ),
        ));
    }
    if (body.len() as u128) > want {
        // Two files concatenated, or a header from another file: reading the first `want`
        // bytes would silently drop (or misalign) samples.
        return Err(RunError::new(
            Code::E402,
            format!(
                "`{shown}` has {} bytes after the {want} bytes of data its header announces",
                body.len() as u128 - want
            ),
        )
        .help("an IDX file holds its header and exactly the data it announces: re-export or re-download it"));
    }
    Ok((sizes, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// A fresh folder under the system's temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("somnia-idx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An IDX file of unsigned bytes: magic, one big-endian u32 per dimension, the body.
    fn idx(dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut out = vec![0, 0, 0x08, dims.len() as u8];
        for d in dims {
            out.extend_from_slice(&d.to_be_bytes());
        }
        out.extend_from_slice(body);
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    const PIXELS: [u8; 8] = [0, 255, 51, 102, 10, 20, 30, 40];

    /// A folder with the two files, written as given.
    fn pair(name: &str, images: &[u8], labels: &[u8], gz: bool) -> PathBuf {
        let dir = temp_dir(name);
        let ext = if gz { ".gz" } else { "" };
        std::fs::write(dir.join(format!("t-images-idx3-ubyte{ext}")), images).unwrap();
        std::fs::write(dir.join(format!("t-labels-idx1-ubyte{ext}")), labels).unwrap();
        dir
    }

    fn good_images() -> Vec<u8> {
        idx(&[2, 2, 2], &PIXELS)
    }

    fn good_labels() -> Vec<u8> {
        idx(&[2], &[7, 3])
    }

    /// The error, checked to name `file` (in `dir`).
    fn err(dir: &Path, file: &str) -> RunError {
        let e = read(dir, 1.0, None).unwrap_err();
        let named = dir.join(file).display().to_string();
        assert!(
            e.message.contains(&named),
            "message does not name {named}: {}",
            e.message
        );
        e
    }

    #[test]
    fn reads_a_raw_pair() {
        let dir = pair("raw", &good_images(), &good_labels(), false);
        let t = read(&dir, 0.5, None).unwrap();
        assert_eq!(t.features, 4);
        assert_eq!(t.shape, Some((2, 2)));
        assert_eq!(
            t.samples.x,
            PIXELS.iter().map(|&b| b as f32 * 0.5).collect::<Vec<_>>()
        );
        assert_eq!(t.samples.y, vec![7, 3]);
    }

    #[test]
    fn reads_a_gzipped_pair_and_honours_the_limit() {
        let dir = pair("gz", &gzip(&good_images()), &gzip(&good_labels()), true);
        let t = read(&dir, 1.0 / 255.0, None).unwrap();
        assert_eq!(t.samples.x[1], 1.0);
        assert_eq!(t.samples.y, vec![7, 3]);
        let t = read(&dir, 1.0, Some(1)).unwrap();
        assert_eq!(t.samples.x, vec![0.0, 255.0, 51.0, 102.0]);
        assert_eq!(t.samples.y, vec![7]);
    }

    #[test]
    fn a_missing_folder_or_file_is_e401() {
        let dir = temp_dir("missing").join("nope");
        let e = read(&dir, 1.0, None).unwrap_err();
        assert_eq!(e.code, Code::E401);
        assert!(
            e.message.contains(&dir.display().to_string()),
            "{}",
            e.message
        );
        let dir = temp_dir("no_labels");
        std::fs::write(dir.join("t-images-idx3-ubyte"), good_images()).unwrap();
        let e = read(&dir, 1.0, None).unwrap_err();
        assert_eq!(e.code, Code::E401);
        assert!(e.message.contains("labels-idx1-ubyte"), "{}", e.message);
        assert!(
            e.message.contains(&dir.display().to_string()),
            "{}",
            e.message
        );
    }

    #[test]
    fn two_images_files_are_e401() {
        let dir = pair("two", &good_images(), &good_labels(), false);
        std::fs::write(dir.join("u-images-idx3-ubyte"), good_images()).unwrap();
        let e = read(&dir, 1.0, None).unwrap_err();
        assert_eq!(e.code, Code::E401);
        assert!(e.message.contains("more than one"), "{}", e.message);
    }

    #[test]
    fn a_wrong_magic_number_is_e402() {
        let mut images = good_images();
        images[2] = 0x0D; // floats, not unsigned bytes
        let dir = pair("magic", &images, &good_labels(), false);
        assert_eq!(err(&dir, "t-images-idx3-ubyte").code, Code::E402);
        let dir = pair("not_idx", b"P5\n2 2\n255\n", &good_labels(), false);
        assert_eq!(err(&dir, "t-images-idx3-ubyte").code, Code::E402);
    }

    #[test]
    fn a_wrong_dimension_count_is_e402() {
        let dir = pair("dims", &good_images(), &idx(&[2, 1], &[7, 3]), false);
        let e = err(&dir, "t-labels-idx1-ubyte");
        assert_eq!(e.code, Code::E402);
        assert!(
            e.message.contains("2 dimensions; expected 1"),
            "{}",
            e.message
        );
    }

    #[test]
    fn trailing_bytes_are_e402() {
        let mut images = good_images();
        images.extend([7, 7, 7]);
        let dir = pair("trailing", &images, &good_labels(), false);
        let e = err(&dir, "t-images-idx3-ubyte");
        assert_eq!(e.code, Code::E402);
        assert!(
            e.message.contains("3 bytes after the 8 bytes"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_truncated_body_is_e403() {
        let images = good_images();
        let dir = pair("body", &images[..images.len() - 3], &good_labels(), false);
        let e = err(&dir, "t-images-idx3-ubyte");
        assert_eq!(e.code, Code::E403);
        assert!(e.message.contains("announces 8 bytes"), "{}", e.message);
        let dir = pair("head", &images[..10], &good_labels(), false);
        assert_eq!(err(&dir, "t-images-idx3-ubyte").code, Code::E403);
    }

    #[test]
    fn a_header_announcing_more_than_memory_is_e403() {
        let images = idx(&[u32::MAX, u32::MAX, u32::MAX], &PIXELS);
        let dir = pair("huge", &images, &good_labels(), false);
        assert_eq!(err(&dir, "t-images-idx3-ubyte").code, Code::E403);
    }

    #[test]
    fn different_counts_are_e405() {
        let dir = pair("count", &good_images(), &idx(&[3], &[7, 3, 1]), false);
        let e = err(&dir, "t-images-idx3-ubyte");
        assert_eq!(e.code, Code::E405);
        assert!(e.message.contains("t-labels-idx1-ubyte"), "{}", e.message);
    }

    #[test]
    fn a_cut_gzip_is_e403_and_a_corrupt_one_e402() {
        let gz = gzip(&good_images());
        let dir = pair("gz_cut", &gz[..gz.len() / 2], &gzip(&good_labels()), true);
        assert_eq!(err(&dir, "t-images-idx3-ubyte.gz").code, Code::E403);
        let dir = pair(
            "gz_bad",
            b"this is not gzip at all",
            &gzip(&good_labels()),
            true,
        );
        assert_eq!(err(&dir, "t-images-idx3-ubyte.gz").code, Code::E402);
    }
}
