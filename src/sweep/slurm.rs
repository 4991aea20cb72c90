//! The sbatch scripts of a submission: a job array with one task per shard of the runs, and
//! a merge job that starts after it (whatever became of its tasks) and builds the tables.
//!
//! Each array task runs `somnia sweep|compare FILE --shard $SLURM_ARRAY_TASK_ID/N --out
//! DIR`: the shard's runs, one after another (or `--cpus` at a time). A task that runs out
//! of time gets SIGTERM from Slurm; somnia stops at the next step boundary with a snapshot,
//! and the next submission continues it. Everything is written with absolute paths, so the
//! scripts run from any working directory and can be resubmitted by hand with `sbatch`.

use std::path::PathBuf;

/// Slurm's default `MaxArraySize`: array indices go up to one less.
pub const DEFAULT_MAX_ARRAY_SIZE: usize = 1001;

/// What to submit.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The somnia binary the nodes run (absolute).
    pub somnia: PathBuf,
    /// `sweep` or `compare`.
    pub command: &'static str,
    /// The sweep's or comparison's name.
    pub item: String,
    /// The protocol file as the submission named it, from `workdir`.
    pub file: PathBuf,
    /// Where the jobs run (the folder the submission ran in), so they name the file as it
    /// did and their outcomes say what a local run's say.
    pub workdir: PathBuf,
    pub out: PathBuf,
    pub sets: Vec<(String, String)>,
    /// `test` or `validation`.
    pub eval: String,
    /// N of `--shard K/N`.
    pub shards: usize,
    /// The shards to run (1-based): all, or those with runs still to do.
    pub array: Vec<usize>,
    /// At most this many array tasks at once (`%P`).
    pub max_running: Option<usize>,
    /// Threads per task (`--cpus-per-task`, somnia's `-j`).
    pub cpus: usize,
    pub partition: Option<String>,
    pub time: Option<String>,
    pub mem: Option<String>,
    pub account: Option<String>,
    /// Further `#SBATCH` options, as written (`--qos=short`).
    pub sbatch_args: Vec<String>,
    /// Shell lines run before somnia on the node (`module load gcc`).
    pub setup: Vec<String>,
}

/// `'text'` for a POSIX shell.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `1-12`, `3,7`, `1-4,6,9-10`, then `%P` when given.
pub fn array_spec(shards: &[usize], max_running: Option<usize>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < shards.len() {
        let mut j = i;
        while j + 1 < shards.len() && shards[j + 1] == shards[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", shards[i], shards[j])
        } else {
            shards[i].to_string()
        });
        i = j + 1;
    }
    let mut spec = parts.join(",");
    if let Some(p) = max_running {
        spec.push_str(&format!("%{p}"));
    }
    spec
}

/// How many shards `total` runs make in chunks of `chunk`, within the cluster's array
/// limit (array indices below `max_array_size`): `(shards, chunk)`, the chunk raised when
/// the limit needs it.
pub fn shards_for(total: usize, chunk: usize, max_array_size: usize) -> (usize, usize) {
    let limit = max_array_size.saturating_sub(1).max(1);
    let mut chunk = chunk.max(1);
    if total.div_ceil(chunk) > limit {
        chunk = total.div_ceil(limit);
    }
    (total.div_ceil(chunk).max(1), chunk)
}

fn header(r: &Request, name: &str, log: &str) -> String {
    let mut s = String::from("#!/bin/bash\n");
    let mut opt = |o: String| s.push_str(&format!("#SBATCH {o}\n"));
    opt(format!("--job-name={name}"));
    opt(format!(
        "--output={}",
        r.out.join("slurm/logs").join(log).display()
    ));
    opt("--ntasks=1".into());
    for (flag, value) in [
        ("partition", &r.partition),
        ("time", &r.time),
        ("mem", &r.mem),
        ("account", &r.account),
    ] {
        if let Some(v) = value {
            opt(format!("--{flag}={v}"));
        }
    }
    for a in &r.sbatch_args {
        opt(a.clone());
    }
    s
}

fn job_name(r: &Request) -> String {
    let item: String = r
        .item
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("somnia-{}", item.trim_matches('_'))
}

fn setup(r: &Request) -> String {
    let mut s = String::from("set -euo pipefail\n");
    for line in &r.setup {
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// The job array: one task per shard.
pub fn array_script(r: &Request) -> String {
    let mut s = header(r, &job_name(r), "runs-%A_%a.out");
    s.push_str(&format!(
        "#SBATCH --array={}\n",
        array_spec(&r.array, r.max_running)
    ));
    s.push_str(&format!("#SBATCH --cpus-per-task={}\n", r.cpus));
    s.push_str(&format!(
        "# Written by `somnia submit slurm`: shard $SLURM_ARRAY_TASK_ID of {} of the runs of `{} {}`.\n",
        r.shards, r.command, r.item
    ));
    s.push_str(&setup(r));
    s.push_str(&format!("cd {}\n", quote(&r.workdir.to_string_lossy())));
    let mut cmd = vec![
        quote(&r.somnia.to_string_lossy()),
        r.command.to_string(),
        quote(&r.file.to_string_lossy()),
        format!("--{}", r.command),
        quote(&r.item),
        "--shard".into(),
        format!("\"$SLURM_ARRAY_TASK_ID/{}\"", r.shards),
        "--out".into(),
        quote(&r.out.to_string_lossy()),
        "-j".into(),
        r.cpus.to_string(),
        "-q".into(),
        "--eval".into(),
        r.eval.clone(),
    ];
    for (n, v) in &r.sets {
        cmd.push("--set".into());
        cmd.push(quote(&format!("{n}={v}")));
    }
    s.push_str(&format!("exec {}\n", cmd.join(" ")));
    s
}

/// The merge job, submitted to start after the array (`afterany`).
pub fn merge_script(r: &Request) -> String {
    let mut s = header(r, &format!("{}-merge", job_name(r)), "merge-%j.out");
    s.push_str("#SBATCH --cpus-per-task=1\n");
    s.push_str(
        "# Written by `somnia submit slurm`: the tables of the runs, once the array has ended.\n",
    );
    s.push_str(&setup(r));
    s.push_str(&format!(
        "exec {} merge {} -j 1\n",
        quote(&r.somnia.to_string_lossy()),
        quote(&r.out.to_string_lossy())
    ));
    s
}

/// The job id `sbatch --parsable` printed (`123` or `123;cluster`).
pub fn job_id(stdout: &str) -> Option<String> {
    let id = stdout.trim().split(';').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

/// `MaxArraySize` from `scontrol show config` output.
pub fn max_array_size(config: &str) -> Option<usize> {
    config.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        (key.trim() == "MaxArraySize")
            .then(|| value.trim().parse().ok())
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> Request {
        Request {
            somnia: "/opt/somnia/bin/somnia".into(),
            command: "sweep",
            item: "p over nap".into(),
            file: "it's/p.sleep".into(),
            workdir: "/home/me".into(),
            out: "/scratch/me/runs".into(),
            sets: vec![("lr".into(), "0.1".into())],
            eval: "test".into(),
            shards: 12,
            array: (1..=12).collect(),
            max_running: Some(4),
            cpus: 2,
            partition: Some("short".into()),
            time: Some("01:00:00".into()),
            mem: None,
            account: None,
            sbatch_args: vec!["--qos=normal".into()],
            setup: vec!["module load gcc".into()],
        }
    }

    #[test]
    fn arrays_are_written_as_ranges_and_lists_with_their_limit() {
        assert_eq!(array_spec(&[1, 2, 3, 4], None), "1-4");
        assert_eq!(array_spec(&[3, 7], None), "3,7");
        assert_eq!(array_spec(&[1, 2, 3, 4, 6, 9, 10], Some(2)), "1-4,6,9-10%2");
        assert_eq!(array_spec(&[5], None), "5");
    }

    #[test]
    fn chunks_grow_to_fit_the_array_limit() {
        assert_eq!(shards_for(12, 3, 1001), (4, 3));
        assert_eq!(shards_for(12, 5, 1001), (3, 5));
        assert_eq!(shards_for(5000, 1, 1001), (1000, 5));
        assert_eq!(shards_for(2001, 1, 1001), (667, 3));
        assert_eq!(shards_for(0, 1, 1001), (1, 1));
        let (n, chunk) = shards_for(100_000, 1, 11);
        assert!(n <= 10 && n * chunk >= 100_000);
    }

    #[test]
    fn the_array_script_runs_its_shard_with_everything_quoted() {
        let s = array_script(&request());
        assert!(s.starts_with("#!/bin/bash\n"));
        for line in [
            "#SBATCH --array=1-12%4",
            "#SBATCH --partition=short",
            "#SBATCH --time=01:00:00",
            "#SBATCH --cpus-per-task=2",
            "#SBATCH --qos=normal",
            "#SBATCH --output=/scratch/me/runs/slurm/logs/runs-%A_%a.out",
            "module load gcc",
            "cd '/home/me'",
            "exec '/opt/somnia/bin/somnia' sweep 'it'\\''s/p.sleep' --sweep 'p over nap' --shard \"$SLURM_ARRAY_TASK_ID/12\" --out '/scratch/me/runs' -j 2 -q --eval test --set 'lr=0.1'",
        ] {
            assert!(s.lines().any(|l| l == line), "no `{line}` in\n{s}");
        }
        assert!(!s.contains("--mem"));
        let m = merge_script(&request());
        assert!(m.contains("exec '/opt/somnia/bin/somnia' merge '/scratch/me/runs' -j 1\n"));
        assert!(!m.contains("--array"));
    }

    #[test]
    fn job_ids_and_the_array_limit_are_read_from_slurms_output() {
        assert_eq!(job_id("1234\n").as_deref(), Some("1234"));
        assert_eq!(job_id("77;cluster2\n").as_deref(), Some("77"));
        assert_eq!(job_id("sbatch: error"), None);
        let cfg = "MailProg                = /bin/mail\nMaxArraySize            = 501\nMaxJobCount = 10000\n";
        assert_eq!(max_array_size(cfg), Some(501));
        assert_eq!(max_array_size("nothing"), None);
    }
}
