//! Finding the protocol files a `somnia test` run covers.

use std::path::{Path, PathBuf};

/// The `*.sleep` files of `paths`: a file as given, a folder searched recursively (hidden
/// folders and `target` skipped), each folder's files in name order. A path that does not
/// exist is an error.
pub fn protocol_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(format!("{} does not exist", p.display()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if e.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&e, out)?;
            }
        } else if e.extension().is_some_and(|x| x == "sleep") {
            out.push(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sleep_files_recursively_in_name_order() {
        let dir = std::env::temp_dir().join(format!("somnia-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::create_dir_all(dir.join(".hidden")).unwrap();
        for f in [
            "b.sleep",
            "a.sleep",
            "notes.md",
            "sub/c.sleep",
            ".hidden/d.sleep",
        ] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        let found = protocol_files(&[dir.clone(), dir.join("a.sleep")]).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.sleep", "b.sleep", "sub/c.sleep"]);
        assert!(protocol_files(&[dir.join("missing")]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
