//! `somnia check PATH...`: files, or folders searched for `*.sleep` files. With
//! `--format json`, one document for tools ([`crate::diagnostics::json`]).

use super::output;
use super::{FAILED, Format, OK, USAGE};
use crate::console::eprintln;
use crate::diagnostics::json::{self, JsonFile, JsonReport};
use crate::plan::Options;
use crate::session;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Protocol files to check, or folders searched for `*.sleep` files.
    #[arg(required = true, value_name = "PATH")]
    pub files: Vec<PathBuf>,
    /// Output format for diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Replace a constant: `--set sleep_base=20000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = session::parse_set)]
    pub sets: Vec<(String, String)>,
}

pub fn run(a: Args, color: bool) -> i32 {
    let mut status = OK;
    let mut report_json = JsonReport::new();
    let mut files = Vec::new();
    for path in &a.files {
        if path.is_dir() {
            match crate::suite::discover::protocol_files(std::slice::from_ref(path)) {
                Ok(found) if found.is_empty() => {
                    eprintln!("error: no `*.sleep` files in {}", path.display());
                    status = USAGE;
                }
                Ok(found) => files.extend(found),
                Err(e) => {
                    eprintln!("error: {e}");
                    status = USAGE;
                }
            }
        } else {
            files.push(path.clone());
        }
    }
    for file in &files {
        let name = file.display().to_string();
        match session::check_file(file, &a.sets, &Options::default()) {
            Ok(report) => {
                let errors = report.diagnostics.iter().filter(|d| d.is_error()).count();
                let warnings = report.diagnostics.len() - errors;
                if errors > 0 || (a.deny_warnings && warnings > 0) {
                    status = status.max(FAILED);
                }
                match a.format {
                    Format::Human => {
                        output::print_human(&report.diagnostics, &report.program.sources, color);
                        // `-q`: a file with nothing to say is not named.
                        if !(output::quiet() && report.diagnostics.is_empty()) {
                            eprintln!("{}", output::summary(&report.diagnostics, &name));
                        }
                        if output::verbose() {
                            contents(&report);
                        }
                    }
                    Format::Json => {
                        report_json.errors += errors;
                        report_json.warnings += warnings;
                        report_json.files.push(JsonFile {
                            file: name,
                            io_error: None,
                            diagnostics: report
                                .diagnostics
                                .iter()
                                .map(|d| json::to_json(d, &report.program.sources))
                                .collect(),
                        });
                    }
                }
            }
            Err(e) => {
                status = USAGE;
                match a.format {
                    Format::Human => eprintln!("error: {e}"),
                    Format::Json => report_json.files.push(JsonFile {
                        file: name,
                        io_error: Some(e.to_string()),
                        diagnostics: Vec::new(),
                    }),
                }
            }
        }
    }
    if a.format == Format::Json {
        super::output::out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report_json).expect("diagnostics serialise")
        ));
    }
    status
}

/// `-v`: what a checked file defines: each protocol with its ops and estimated cost, each
/// sweep and comparison.
fn contents(report: &session::Report) {
    for p in &report.plans {
        output::detail(&format!(
            "  protocol {} · seed {} · {} ops · est. cost {:.2} s",
            p.protocol,
            p.seed,
            p.ops.len(),
            p.estimate.seconds
        ));
    }
    for s in &report.sweeps {
        output::detail(&format!("  sweep {} · {} seeds", s.name, s.seeds.len()));
    }
    for c in &report.compares {
        output::detail(&format!(
            "  compare {} · {} arms · {} seeds",
            c.name,
            c.arms.len(),
            c.seeds.len()
        ));
    }
}
