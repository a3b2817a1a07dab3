//! This process's place in a launched job, read from the launcher's environment, and the
//! `--output` placeholders (`{host}`, `{rank}`, `{local_rank}`, `{job}`) it fills in.
//!
//! Launchers, in the order they are looked for (the innermost launcher wins, so `mpirun`
//! inside a Slurm allocation reports MPI ranks, not the batch step's `SLURM_PROCID=0`):
//!
//! | launcher   | rank                    | world size             | local rank                   | job id |
//! |------------|-------------------------|------------------------|------------------------------|--------|
//! | mpi        | `OMPI_COMM_WORLD_RANK`  | `OMPI_COMM_WORLD_SIZE` | `OMPI_COMM_WORLD_LOCAL_RANK` | `FLEETBENCH_JOB_ID`, else `SLURM_JOB_ID` |
//! | slurm      | `SLURM_PROCID`          | `SLURM_NTASKS`         | `SLURM_LOCALID`              | `SLURM_JOB_ID` |
//! | kubernetes | `JOB_COMPLETION_INDEX`  | `FLEETBENCH_WORLD_SIZE`| 0 (one pod, its own GPUs)    | `FLEETBENCH_JOB_ID` |
//!
//! The host is Slurm's node name (`SLURMD_NODENAME`, set by slurmd for each task) when set,
//! else `HOSTNAME` (a Kubernetes pod's name), else the kernel's hostname. Slurm's comes first
//! because `srun` copies the submitting shell's exported `HOSTNAME` into every task.

use std::path::{Path, PathBuf};

use super::error::ClusterError;
use crate::results::cluster::{Launcher, RankInfo};
use crate::text::printable;

type Result<T> = std::result::Result<T, ClusterError>;

impl RankInfo {
    /// Reads the launcher's variables from the process environment. A malformed variable
    /// (e.g. `SLURM_PROCID=abc`) is reported on stderr and the process runs as if not
    /// launched, so `{rank}` in `--output` then fails with a usage error instead of every
    /// rank writing the same file.
    pub fn detect() -> RankInfo {
        match RankInfo::try_detect() {
            Ok(info) => info,
            Err(err) => {
                eprintln!("warning: {err}; running as if not under a launcher");
                RankInfo {
                    host: system_hostname(),
                    ..RankInfo::default()
                }
            }
        }
    }

    /// Like [`RankInfo::detect`], but a malformed launcher variable is an error.
    pub fn try_detect() -> Result<RankInfo> {
        RankInfo::detect_with(&|name| std::env::var(name).ok(), &system_hostname)
    }

    /// Reads the launcher's variables through `env` (None for an unset variable); `host`
    /// gives the machine's hostname when neither `SLURMD_NODENAME` nor `HOSTNAME` is set.
    pub fn detect_with(
        env: &dyn Fn(&str) -> Option<String>,
        host: &dyn Fn() -> String,
    ) -> Result<RankInfo> {
        let get = |name: &str| {
            env(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let number =
            |name: &str| -> Result<Option<u32>> {
                match get(name) {
                    None => Ok(None),
                    Some(text) => text.parse::<u32>().map(Some).map_err(|_| {
                        ClusterError::BadLauncherVariable {
                            name: name.to_string(),
                            value: printable(&text),
                        }
                    }),
                }
            };
        let host = get("SLURMD_NODENAME")
            .or_else(|| get("HOSTNAME"))
            .unwrap_or_else(host);
        let own_job = get("FLEETBENCH_JOB_ID");
        let slurm_job = get("SLURM_JOB_ID").or_else(|| get("SLURM_JOBID"));

        let info = if let Some(rank) = number("OMPI_COMM_WORLD_RANK")? {
            RankInfo {
                host,
                rank: Some(rank),
                world_size: number("OMPI_COMM_WORLD_SIZE")?,
                local_rank: number("OMPI_COMM_WORLD_LOCAL_RANK")?,
                job_id: own_job.or(slurm_job),
                launcher: Some(Launcher::Mpi),
            }
        } else if let Some(rank) = number("SLURM_PROCID")? {
            RankInfo {
                host,
                rank: Some(rank),
                world_size: number("SLURM_NTASKS")?.or(number("SLURM_NPROCS")?),
                local_rank: number("SLURM_LOCALID")?,
                job_id: slurm_job.or(own_job),
                launcher: Some(Launcher::Slurm),
            }
        } else if let Some(rank) = number("JOB_COMPLETION_INDEX")? {
            RankInfo {
                host,
                rank: Some(rank),
                world_size: number("FLEETBENCH_WORLD_SIZE")?,
                local_rank: Some(0),
                job_id: own_job,
                launcher: Some(Launcher::Kubernetes),
            }
        } else {
            RankInfo {
                host,
                ..RankInfo::default()
            }
        };
        if let (Some(rank), Some(size)) = (info.rank, info.world_size) {
            if rank >= size {
                return Err(ClusterError::RankNotBelowWorld {
                    rank,
                    world_size: size,
                    launcher: info.launcher.map_or("", Launcher::as_str),
                });
            }
        }
        Ok(info)
    }
}

/// The kernel's hostname (Linux `/proc`, else the `hostname` command), or "localhost".
pub fn system_hostname() -> String {
    let from_proc = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    let from_command = || {
        std::process::Command::new("hostname")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    from_proc
        .or_else(from_command)
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// The placeholders `--output` understands.
pub const PLACEHOLDERS: [&str; 4] = ["host", "rank", "local_rank", "job"];

/// Expands `{host}`, `{rank}`, `{local_rank}` and `{job}` in an output path. An unknown or
/// unclosed placeholder, or one whose value this process does not have (e.g. `{rank}`
/// outside a launcher), is a usage error. Values are made path-safe (`/` becomes `_`).
pub fn expand_output(path: &Path, rank: &RankInfo) -> Result<PathBuf> {
    let Some(text) = path.to_str() else {
        // A non-UTF-8 path cannot hold a placeholder we could read; use it as given.
        return Ok(path.to_path_buf());
    };
    if !text.contains(['{', '}']) {
        return Ok(path.to_path_buf());
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        out.push_str(&rest[..open]);
        if rest[open..].starts_with('}') {
            return Err(ClusterError::BadTemplate {
                path: text.to_string(),
                problem: "'}' without a matching '{'",
            });
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(ClusterError::BadTemplate {
                path: text.to_string(),
                problem: "'{' without a closing '}'",
            });
        };
        let name = &after[..close];
        out.push_str(&placeholder_value(name, rank, text)?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(PathBuf::from(out))
}

fn placeholder_value(name: &str, rank: &RankInfo, path: &str) -> Result<String> {
    let missing = |what: &'static str| ClusterError::NoPlaceholderValue {
        path: path.to_string(),
        name: name.to_string(),
        missing: what,
    };
    let value = match name {
        "host" => rank.host.clone(),
        "rank" => rank
            .rank
            .ok_or_else(|| missing("no launcher rank was found"))?
            .to_string(),
        "local_rank" => rank
            .local_rank
            .ok_or_else(|| missing("no launcher local rank was found"))?
            .to_string(),
        "job" => rank
            .job_id
            .clone()
            .ok_or_else(|| missing("no job id was found (set FLEETBENCH_JOB_ID)"))?,
        other => {
            return Err(ClusterError::UnknownPlaceholder {
                path: path.to_string(),
                name: other.to_string(),
                known: PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", "),
            });
        }
    };
    Ok(value.replace(['/', '\\', '\0'], "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(vars: &[(&str, &str)]) -> Result<RankInfo> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        RankInfo::detect_with(&env, &|| "node7".to_string())
    }

    #[test]
    fn mpi_wins_over_the_batch_step_of_slurm() {
        let info = detect(&[
            ("SLURM_PROCID", "0"),
            ("SLURM_JOB_ID", "42"),
            ("OMPI_COMM_WORLD_RANK", "3"),
            ("OMPI_COMM_WORLD_SIZE", "4"),
            ("OMPI_COMM_WORLD_LOCAL_RANK", "1"),
        ])
        .unwrap();
        assert_eq!(info.launcher, Some(Launcher::Mpi));
        assert_eq!(
            (info.rank, info.world_size, info.local_rank),
            (Some(3), Some(4), Some(1))
        );
        assert_eq!(info.job_id.as_deref(), Some("42"));
        assert_eq!(info.host, "node7");
    }

    #[test]
    fn rank_outside_world_is_rejected() {
        let err = detect(&[("SLURM_PROCID", "4"), ("SLURM_NTASKS", "4")]).unwrap_err();
        assert!(matches!(
            err,
            ClusterError::RankNotBelowWorld { rank: 4, .. }
        ));
        assert!(err.to_string().contains("rank 4"), "{err}");
    }

    #[test]
    fn unbalanced_braces_are_usage_errors() {
        let info = RankInfo::default();
        for bad in ["out/{rank.json", "out/rank}.json"] {
            let err = expand_output(Path::new(bad), &info).unwrap_err();
            assert!(
                matches!(err, ClusterError::BadTemplate { .. }),
                "{bad}: {err}"
            );
        }
    }
}
