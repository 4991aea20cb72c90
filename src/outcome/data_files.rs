//! The data files a plan reads, each with its SHA-256 and size, for the outcome's
//! provenance. A file is hashed once per process (a sweep runs many seeds on one file):
//! the cache keeps each hash with the size and modification time it was computed for, so
//! a file rewritten meanwhile is hashed again.

use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

/// One file a dataset read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFile {
    /// The dataset that read it.
    pub dataset: String,
    /// The path as the run opened it (relative to the folder somnia ran in, or absolute).
    pub path: String,
    /// SHA-256 of the file's bytes as stored (a `.gz` file is hashed compressed).
    pub sha256: String,
    pub bytes: u64,
}

/// Every file `plan`'s datasets read, in dataset order. A file that cannot be found or
/// read is left out: the run stopped on it with an error that names it (E401).
pub fn of_plan(plan: &Plan) -> Vec<DataFile> {
    let mut out = Vec::new();
    for ds in &plan.datasets {
        let Ok(files) = crate::data::files(ds) else {
            continue;
        };
        for path in files {
            if let Some((sha256, bytes)) = hash(&path) {
                out.push(DataFile {
                    dataset: ds.name.clone(),
                    path: path.display().to_string(),
                    sha256,
                    bytes,
                });
            }
        }
    }
    out
}

/// What a file was when it was hashed.
#[derive(Clone, PartialEq)]
struct Stamp {
    bytes: u64,
    modified: Option<SystemTime>,
}

type Cache = HashMap<PathBuf, (Stamp, String)>;

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The SHA-256 (hex) and size of the file at `path`, from the cache when it has not
/// changed since.
pub fn hash(path: &Path) -> Option<(String, u64)> {
    let key = std::fs::canonicalize(path).ok()?;
    let meta = std::fs::metadata(&key).ok()?;
    let stamp = Stamp {
        bytes: meta.len(),
        modified: meta.modified().ok(),
    };
    // Held while hashing, so threads asking for one file at once hash it once.
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some((s, h)) = cache.get(&key)
        && *s == stamp
    {
        return Some((h.clone(), stamp.bytes));
    }
    let digest = sha256_of(&key)?;
    let bytes = stamp.bytes;
    cache.insert(key, (stamp, digest.clone()));
    Some((digest, bytes))
}

fn sha256_of(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_and_follow_a_rewritten_file() {
        let dir = std::env::temp_dir().join(format!("somnia-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("d.csv");
        std::fs::write(&f, b"abc").unwrap();
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(hash(&f), Some((abc.to_string(), 3)));
        assert_eq!(hash(&f), Some((abc.to_string(), 3)), "from the cache");
        std::fs::write(&f, b"abcd").unwrap();
        let (h, n) = hash(&f).unwrap();
        assert_eq!(n, 4);
        assert_ne!(h, abc, "a rewritten file is hashed again");
        assert_eq!(hash(&dir.join("missing")), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
