//! Writing a file whole or not at all: a temporary file in the same directory is written,
//! flushed and renamed over the target, so a reader (or a crash, or Ctrl-C) never sees a
//! half-written file and an existing file is only replaced by a complete one. Also the
//! early check that an output path can be written, so a long measurement is never lost to
//! a typo in `--output`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Writes `content` to `path` atomically, keeping an existing file's permissions (new
/// files get 0644: results and reports are meant to be shared).
pub fn write(path: &Path, content: &[u8]) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let mut temp = tempfile::NamedTempFile::new_in(directory_of(path)).map_err(fail)?;
    temp.write_all(content).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644);
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Checks, before any work, that `path` could be written: its directory exists and a file
/// can be created in it, and the path is not a directory. Leaves nothing behind.
pub fn check_writable(path: &Path) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(fail(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory",
        )));
    }
    tempfile::NamedTempFile::new_in(directory_of(path))
        .map(drop)
        .map_err(fail)
}

/// True when both paths exist and name the same file: an output that would replace one
/// of the command's inputs.
pub fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_directory_fails_the_early_check_and_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no").join("such").join("x.json");
        assert!(check_writable(&path).is_err());
        assert!(write(&path, b"{}").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn a_write_replaces_the_file_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        check_writable(&path).unwrap();
        write(&path, b"first").unwrap();
        write(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
