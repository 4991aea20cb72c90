//! CSV tables: one sample per row, the features as numbers and one label column (`first`,
//! `last` or a 0-based index). An optional header row names the columns; every row must have
//! as many fields as the first row of the file.

use super::{Samples, Table};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
pub use crate::plan::bind::data::LabelColumn;
use std::path::Path;

pub fn read(path: &Path, label: LabelColumn, header: bool, scale: f64) -> Result<Table, RunError> {
    parse(path, label, header, scale)
}

fn parse(path: &Path, label: LabelColumn, header: bool, scale: f64) -> Result<Table, RunError> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| RunError::new(Code::E401, format!("cannot read `{shown}`: {e}")))?;
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(&bytes[..]);
    let mut record = ::csv::StringRecord::new();
    // The field count of the file's first row (the header when there is one), and its line.
    let mut width: Option<(usize, u64)> = None;
    let mut label_at = 0;
    let mut features = 0;
    let mut samples = Samples::default();
    let mut first = true;
    loop {
        let more = reader
            .read_record(&mut record)
            .map_err(|e| csv_error(path, &e))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |pos| pos.line());
        let fields = record.len();
        match width {
            None => {
                width = Some((fields, line));
                label_at = label_column(path, label, fields, line)?;
                features = fields - 1;
                if features == 0 {
                    return Err(RunError::new(
                        Code::E406,
                        format!(
                            "`{shown}` line {line} has a single column: the label, and no features"
                        ),
                    )
                    .help(
                        "each row needs the label and at least one feature, separated by commas",
                    ));
                }
            }
            Some((want, first_line)) if fields != want => {
                return Err(RunError::new(
                    Code::E406,
                    format!(
                        "`{shown}` line {line} has {fields} fields; line {first_line} has {want}"
                    ),
                )
                .help("every row must have the same number of comma-separated fields"));
            }
            Some(_) => {}
        }
        if std::mem::take(&mut first) && header {
            continue;
        }
        for (col, field) in record.iter().enumerate() {
            if col == label_at {
                samples.y.push(parse_label(path, line, field)?);
                continue;
            }
            let value: f64 = field.parse().map_err(|_| {
                RunError::new(
                    Code::E406,
                    format!(
                        "`{shown}` line {line}, column {}: `{field}` is not a number",
                        col + 1
                    ),
                )
                .help(if line == 1 && !header {
                    "the first row looks like column names: set `header true`"
                } else {
                    "every column but the label must hold a number"
                })
            })?;
            if !value.is_finite() {
                return Err(RunError::new(
                    Code::E406,
                    format!(
                        "`{shown}` line {line}, column {}: `{field}` is not a finite number",
                        col + 1
                    ),
                ));
            }
            samples.x.push((value * scale) as f32);
        }
    }
    if samples.is_empty() {
        return Err(
            RunError::new(Code::E408, format!("`{shown}` holds no data rows")).help(if header {
                "the first row is read as the column names (`header true`)"
            } else {
                "the file is empty"
            }),
        );
    }
    Ok(Table {
        features,
        shape: None,
        samples,
    })
}

/// The 0-based index of the label column in a row of `fields` fields.
fn label_column(
    path: &Path,
    label: LabelColumn,
    fields: usize,
    line: u64,
) -> Result<usize, RunError> {
    match label {
        LabelColumn::First => Ok(0),
        LabelColumn::Last => Ok(fields.saturating_sub(1)),
        LabelColumn::Index(i) if i >= 0.0 && i.fract() == 0.0 && i < fields as f64 => {
            Ok(i as usize)
        }
        LabelColumn::Index(i) => Err(RunError::new(
            Code::E406,
            format!(
                "`{}` line {line} has {fields} fields; there is no label column {i} (columns count from 0)",
                path.display()
            ),
        )
        .help(format!(
            "write `label first`, `label last` or a column index from 0 to {}",
            fields.saturating_sub(1)
        ))),
    }
}

/// A label: a whole number from 0 (written `3` or `3.0`).
fn parse_label(path: &Path, line: u64, field: &str) -> Result<u32, RunError> {
    if let Ok(v) = field.parse::<u32>() {
        return Ok(v);
    }
    match field.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Ok(v as u32),
        _ => Err(RunError::new(
            Code::E404,
            format!(
                "`{}` line {line}: the label `{field}` is not a whole number from 0",
                path.display()
            ),
        )
        .help("labels are class numbers 0, 1, 2, …; map class names to numbers first")),
    }
}

/// A failure of the CSV parser itself (bad UTF-8, a read error).
fn csv_error(path: &Path, e: &::csv::Error) -> RunError {
    let shown = path.display();
    let line = e.position().map(|p| p.line());
    match e.kind() {
        ::csv::ErrorKind::Io(io) => {
            RunError::new(Code::E401, format!("cannot read `{shown}`: {io}"))
        }
        ::csv::ErrorKind::Utf8 { .. } => RunError::new(
            Code::E406,
            match line {
                Some(line) => format!("`{shown}` line {line} is not valid UTF-8 text"),
                None => format!("`{shown}` is not valid UTF-8 text"),
            },
        ),
        _ => RunError::new(
            Code::E406,
            match line {
                Some(line) => format!("`{shown}` line {line}: {e}"),
                None => format!("`{shown}`: {e}"),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A fresh folder under the system's temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "somnia-csv-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(name: &str, text: &str) -> PathBuf {
        let path = temp_dir(name).join("table.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn err(path: &Path, label: LabelColumn, header: bool) -> RunError {
        let e = parse(path, label, header, 1.0).unwrap_err();
        assert!(
            e.message.contains(&path.display().to_string()),
            "message does not name the file: {}",
            e.message
        );
        e
    }

    #[test]
    fn reads_a_table_with_a_header_and_the_label_last() {
        let path = write("good", "a,b,label\n1,2,0\n3.5, 4 ,1\n\n-1,0.25,2\n");
        let t = parse(&path, LabelColumn::Last, true, 2.0).unwrap();
        assert_eq!(t.features, 2);
        assert_eq!(t.shape, None);
        assert_eq!(t.samples.x, vec![2.0, 4.0, 7.0, 8.0, -2.0, 0.5]);
        assert_eq!(t.samples.y, vec![0, 1, 2]);
    }

    #[test]
    fn reads_the_label_first_or_by_index_without_a_header() {
        let path = write("label_pos", "1,10,20\n2.0,30,40\n");
        let t = parse(&path, LabelColumn::First, false, 1.0).unwrap();
        assert_eq!(t.samples.x, vec![10.0, 20.0, 30.0, 40.0]);
        assert_eq!(t.samples.y, vec![1, 2]);
        let path = write("label_index", "10,1,20\n30,2,40\n");
        let t = parse(&path, LabelColumn::Index(1.0), false, 1.0).unwrap();
        assert_eq!(t.samples.x, vec![10.0, 20.0, 30.0, 40.0]);
        assert_eq!(t.samples.y, vec![1, 2]);
    }

    #[test]
    fn a_missing_file_is_e401() {
        let path = temp_dir("missing").join("nope.csv");
        assert_eq!(err(&path, LabelColumn::Last, true).code, Code::E401);
    }

    #[test]
    fn a_folder_is_e401() {
        let dir = temp_dir("folder");
        let e = parse(&dir, LabelColumn::Last, true, 1.0).unwrap_err();
        assert_eq!(e.code, Code::E401);
        assert!(e.message.contains(&dir.display().to_string()));
    }

    #[test]
    fn a_ragged_row_is_e406_with_its_line() {
        let path = write("ragged", "a,b,label\n1,2,0\n1,2,3,0\n");
        let e = err(&path, LabelColumn::Last, true);
        assert_eq!(e.code, Code::E406);
        assert!(
            e.message.contains("line 3 has 4 fields; line 1 has 3"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_non_numeric_feature_is_e406_with_line_and_column() {
        let path = write("nan_feature", "a,b,label\n1,2,0\n1,x,1\n");
        let e = err(&path, LabelColumn::Last, true);
        assert_eq!(e.code, Code::E406);
        assert!(e.message.contains("line 3, column 2"), "{}", e.message);
        let path = write("empty_feature", "1,,0\n");
        let e = err(&path, LabelColumn::Last, false);
        assert_eq!(e.code, Code::E406);
        assert!(e.message.contains("line 1, column 2"), "{}", e.message);
        let path = write("inf_feature", "1,inf,0\n");
        assert_eq!(err(&path, LabelColumn::Last, false).code, Code::E406);
    }

    #[test]
    fn a_header_read_as_data_is_e406() {
        let path = write("header_as_data", "a,b,label\n1,2,0\n");
        let e = err(&path, LabelColumn::Last, false);
        assert_eq!(e.code, Code::E406);
        assert!(e.help.unwrap().contains("header true"));
    }

    #[test]
    fn a_bad_label_is_e404_with_its_line() {
        for (name, label) in [("negative", "-1"), ("fraction", "2.5"), ("word", "cat")] {
            let path = write(name, &format!("a,label\n1,0\n2,{label}\n"));
            let e = err(&path, LabelColumn::Last, true);
            assert_eq!(e.code, Code::E404, "{label}");
            assert!(e.message.contains("line 3"), "{}", e.message);
            assert!(e.message.contains(label), "{}", e.message);
        }
    }

    #[test]
    fn a_label_column_outside_the_row_is_e406() {
        let path = write("label_range", "1,2,0\n");
        for label in [
            LabelColumn::Index(3.0),
            LabelColumn::Index(-1.0),
            LabelColumn::Index(0.5),
        ] {
            let e = err(&path, label, false);
            assert_eq!(e.code, Code::E406, "{label:?}");
            assert!(e.message.contains("line 1"), "{}", e.message);
        }
    }

    #[test]
    fn a_single_column_is_e406() {
        let path = write("one_column", "0\n1\n");
        assert_eq!(err(&path, LabelColumn::Last, false).code, Code::E406);
    }

    #[test]
    fn a_table_without_data_rows_is_e408() {
        let path = write("header_only", "a,b,label\n");
        assert_eq!(err(&path, LabelColumn::Last, true).code, Code::E408);
        let path = write("empty", "");
        assert_eq!(err(&path, LabelColumn::Last, false).code, Code::E408);
    }

    #[test]
    fn invalid_utf8_is_e406() {
        let path = temp_dir("utf8").join("table.csv");
        std::fs::write(&path, b"1,2,0\n1,\xff,1\n").unwrap();
        assert_eq!(err(&path, LabelColumn::Last, false).code, Code::E406);
    }
}
