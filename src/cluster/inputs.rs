//! Reading the per-rank results files `merge` is given: files and directories of `*.json`,
//! each read by `results::read` and checked to be a run's file written under a launcher. Every
//! problem is a `ClusterError` naming the file and what is wrong; when partial merges are
//! allowed a bad file is skipped and its line kept for the merged output. A rank whose run
//! stopped early (`"complete": false`) is refused like a missing rank, unless partial
//! merges are allowed: then what it measured is merged and the merge lists it.

use std::path::{Path, PathBuf};

use super::error::ClusterError;
use crate::atomic_file::same_file;
use crate::results::{self, ResultsFile, RunResults};
use crate::text::chain;

type Result<T> = std::result::Result<T, ClusterError>;

/// One rank's results file, parsed.
#[derive(Debug, Clone)]
pub struct RankFile {
    pub path: PathBuf,
    pub results: RunResults,
    /// The rank recorded in the file (checked present when loading).
    pub rank: u32,
}

/// What could be loaded, and one line per file that was skipped (`--allow-partial`).
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<RankFile>,
    pub skipped: Vec<String>,
}

/// The files named on the command line, with each directory replaced by its `*.json`
/// files (sorted, not recursive). `exclude` (the merge's own `--output`) is left out so
/// re-running a merge into the results directory does not read its previous output; named
/// as a file, it is an error (the merge would replace one of its inputs).
pub fn collect_paths(inputs: &[PathBuf], exclude: Option<&Path>) -> Result<Vec<PathBuf>> {
    let excluded = exclude.and_then(|p| p.canonicalize().ok());
    let mut paths: Vec<PathBuf> = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| ClusterError::Unreadable {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|source| ClusterError::Unlistable {
                path: input.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
                .filter(|p| excluded.is_none() || p.canonicalize().ok() != excluded)
                .collect();
            if found.is_empty() {
                return Err(ClusterError::EmptyDirectory {
                    path: input.clone(),
                });
            }
            found.sort();
            paths.extend(found);
        } else if exclude.is_some_and(|output| same_file(input, output)) {
            return Err(ClusterError::InputIsOutput {
                path: input.clone(),
            });
        } else {
            paths.push(input.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    paths.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(paths)
}

/// Loads every path; the first bad file (or partial rank) is an error unless
/// `allow_partial`, when a bad file is skipped and noted and a partial rank is kept.
pub fn load_all(paths: &[PathBuf], allow_partial: bool) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    for path in paths {
        match load(path) {
            Ok(file) if !file.results.complete && !allow_partial => {
                return Err(ClusterError::PartialRank {
                    path: file.path,
                    rank: file.rank,
                    stopped: file
                        .results
                        .stopped
                        .unwrap_or_else(|| "no reason recorded".into()),
                });
            }
            Ok(file) => loaded.files.push(file),
            Err(err) if allow_partial => loaded.skipped.push(chain(&err)),
            Err(err) => return Err(err),
        }
    }
    if loaded.files.is_empty() {
        return Err(ClusterError::NoUsableFile {
            given: paths.len(),
            first_problem: loaded.skipped.first().cloned().unwrap_or("none".into()),
        });
    }
    Ok(loaded)
}

/// Reads and checks one per-rank results file.
pub fn load(path: &Path) -> Result<RankFile> {
    let path_buf = || path.to_path_buf();
    let results = match results::read(path)? {
        ResultsFile::Run(run) => *run,
        ResultsFile::Cluster(_) => return Err(ClusterError::MergedInput { path: path_buf() }),
    };
    let Some(rank) = results.cluster.as_ref().and_then(|c| c.rank) else {
        return Err(ClusterError::NoRank { path: path_buf() });
    };
    Ok(RankFile {
        path: path.to_path_buf(),
        results,
        rank,
    })
}
