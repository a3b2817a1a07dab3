//! The one loader for the results-file family: a run's file or a merged cluster file, told
//! apart by `kind`, each checked against its own schema version. Every failure names the
//! file and keeps its cause (the io or JSON error) as the error's source.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::cluster::{CLUSTER_SCHEMA_VERSION, ClusterResults};
use super::run::{RunResults, SCHEMA_VERSION};

/// A file of the results family, as read.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultsFile {
    Run(Box<RunResults>),
    Cluster(Box<ClusterResults>),
}

impl ResultsFile {
    /// What a reader should know before using the figures: a run that stopped early, or a
    /// merge that used partial ranks or lacks some. `None` for a whole file.
    pub fn incompleteness(&self) -> Option<String> {
        match self {
            ResultsFile::Run(run) if !run.complete => Some(format!(
                "a partial run ({}): its figures cover only what was measured",
                run.stopped.as_deref().unwrap_or("stopped early")
            )),
            ResultsFile::Cluster(c) if !c.partial_ranks.is_empty() => Some(format!(
                "merged with the partial runs of ranks {:?}",
                c.partial_ranks
            )),
            ResultsFile::Cluster(c) if !c.missing_ranks.is_empty() => {
                Some(format!("merged without ranks {:?}", c.missing_ranks))
            }
            _ => None,
        }
    }
}

/// Why a results file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: cannot read", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: empty file", path.display())]
    Empty { path: PathBuf },
    #[error("{}: truncated JSON", path.display())]
    Truncated {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: not JSON", path.display())]
    NotJson {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: not a fleetbench results file (expected a JSON object)", path.display())]
    NotAnObject { path: PathBuf },
    #[error("{}: not a fleetbench results file (no schema_version)", path.display())]
    NoVersion { path: PathBuf },
    #[error(
        "{}: schema_version {found}, but this fleetbench reads {what} files of schema_version {expected}",
        path.display()
    )]
    Version {
        path: PathBuf,
        what: &'static str,
        found: u64,
        expected: u32,
    },
    #[error("{}: not a fleetbench {what} file of schema_version {version}", path.display())]
    Shape {
        path: PathBuf,
        what: &'static str,
        version: u32,
        #[source]
        source: serde_json::Error,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Empty { path }
            | ReadError::Truncated { path, .. }
            | ReadError::NotJson { path, .. }
            | ReadError::NotAnObject { path }
            | ReadError::NoVersion { path }
            | ReadError::Version { path, .. }
            | ReadError::Shape { path, .. } => path,
        }
    }
}

/// The two fields that decide how the rest of a file is read.
#[derive(Deserialize)]
struct Header {
    schema_version: Option<serde_json::Value>,
    kind: Option<serde_json::Value>,
}

/// Reads a run's results file or a merged cluster file.
pub fn read(path: &Path) -> Result<ResultsFile, ReadError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, path)
}

/// Parses the text of a results file; `path` only names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<ResultsFile, ReadError> {
    let path_buf = || path.to_path_buf();
    if text.trim().is_empty() {
        return Err(ReadError::Empty { path: path_buf() });
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|source| {
        if source.is_eof() {
            ReadError::Truncated {
                path: path_buf(),
                source,
            }
        } else {
            ReadError::NotJson {
                path: path_buf(),
                source,
            }
        }
    })?;
    if !value.is_object() {
        return Err(ReadError::NotAnObject { path: path_buf() });
    }
    let header =
        Header::deserialize(&value).map_err(|_| ReadError::NotAnObject { path: path_buf() })?;
    let cluster = header.kind.as_ref().and_then(|k| k.as_str()) == Some("cluster");
    let (what, expected) = if cluster {
        ("merged cluster result", CLUSTER_SCHEMA_VERSION)
    } else {
        ("results", SCHEMA_VERSION)
    };
    match header.schema_version.as_ref().map(|v| v.as_u64()) {
        None | Some(None) => return Err(ReadError::NoVersion { path: path_buf() }),
        Some(Some(found)) if found != u64::from(expected) => {
            return Err(ReadError::Version {
                path: path_buf(),
                what,
                found,
                expected,
            });
        }
        Some(Some(_)) => {}
    }
    let shape = |source| ReadError::Shape {
        path: path_buf(),
        what,
        version: expected,
        source,
    };
    if cluster {
        ClusterResults::deserialize(value)
            .map(|c| ResultsFile::Cluster(Box::new(c)))
            .map_err(shape)
    } else {
        RunResults::deserialize(value)
            .map(|r| ResultsFile::Run(Box::new(r)))
            .map_err(shape)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(text: &str) -> ReadError {
        parse(text, Path::new("x.json")).unwrap_err()
    }

    #[test]
    fn each_kind_of_bad_text_is_named() {
        assert!(matches!(error_of(""), ReadError::Empty { .. }));
        assert!(matches!(error_of("{\"a\": "), ReadError::Truncated { .. }));
        assert!(matches!(error_of("a,b\n1,2"), ReadError::NotJson { .. }));
        assert!(matches!(error_of("[1]"), ReadError::NotAnObject { .. }));
        assert!(matches!(error_of("{}"), ReadError::NoVersion { .. }));
        assert!(matches!(
            error_of("{\"schema_version\": 9}"),
            ReadError::Version { found: 9, .. }
        ));
        assert!(matches!(
            error_of("{\"schema_version\": 1}"),
            ReadError::Shape {
                what: "results",
                ..
            }
        ));
    }

    #[test]
    fn a_merged_file_is_checked_against_the_merged_schema() {
        let err = error_of("{\"schema_version\": 1, \"kind\": \"cluster\"}");
        assert!(
            matches!(
                err,
                ReadError::Shape {
                    what: "merged cluster result",
                    ..
                }
            ),
            "{err}"
        );
        assert_eq!(err.path(), Path::new("x.json"));
    }
}
