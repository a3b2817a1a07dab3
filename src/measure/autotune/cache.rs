//! The tuning cache: the winning kernel per adapter, driver, tool version, element type
//! and shape class, kept in the user's cache directory (`FLEETBENCH_CACHE_DIR` overrides)
//! so later runs skip the search. A file that cannot be read is ignored with a warning and
//! rewritten whole (atomically) after the next search; entries for another driver never
//! match, so a driver update retunes.
//!
//! Several processes may share the file (two ranks on one node): a winner is recorded
//! under an exclusive lock on `tuning.json.lock` (advisory, via `fs4`), re-reading the
//! file under it and writing it back with this process's entry merged in, so no process's
//! entries are lost to another's write. The lock file stays (removing it would race).

use std::fs::File;
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::kernels::{Dtype, GemmKernel, GeometryError};
use crate::results::{AdapterDescription, Backend, ShapeClass};
use crate::text::printable;

const CACHE_SCHEMA: u32 = 1;

/// What identifies a tuning result: the same kernel may win elsewhere, but we only trust
/// it on the same adapter, driver and fleetbench version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    pub adapter: String,
    pub backend: Backend,
    pub driver: String,
    pub driver_info: String,
    pub tool_version: String,
    pub dtype: Dtype,
    pub class: ShapeClass,
}

impl CacheKey {
    pub fn new(adapter: &AdapterDescription, dtype: Dtype, class: ShapeClass) -> Self {
        CacheKey {
            adapter: adapter.name.clone(),
            backend: adapter.backend,
            driver: adapter.driver.clone(),
            driver_info: adapter.driver_info.clone(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            dtype,
            class,
        }
    }
}

/// One remembered winner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    pub key: CacheKey,
    pub kernel: GemmKernel,
    pub gflops: f64,
    pub tuned_unix: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    schema: u32,
    entries: Vec<CacheEntry>,
}

/// The cache on disk (or nowhere, when no cache directory exists).
#[derive(Debug)]
pub struct TuneCache {
    path: Option<PathBuf>,
    entries: Vec<CacheEntry>,
}

impl TuneCache {
    /// The default location: `$FLEETBENCH_CACHE_DIR/tuning.json`, else the user's cache dir.
    pub fn default_path() -> Option<PathBuf> {
        std::env::var_os("FLEETBENCH_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|d| d.join("fleetbench")))
            .map(|dir| dir.join("tuning.json"))
    }

    /// Loads the cache; an unreadable or foreign file is reported through `warn` and
    /// treated as empty.
    pub fn load(path: Option<PathBuf>, warn: &mut dyn FnMut(String)) -> TuneCache {
        let entries = match &path {
            Some(p) if p.exists() => match read_entries(p) {
                Ok(entries) => entries,
                Err(reason) => {
                    warn(format!(
                        "ignoring tuning cache {} ({reason}); retuning",
                        p.display()
                    ));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        };
        TuneCache { path, entries }
    }

    /// The remembered winner for `key`.
    pub fn get(&self, key: &CacheKey) -> Option<&CacheEntry> {
        self.entries.iter().find(|e| &e.key == key)
    }

    /// Whether the cache has results for this adapter under a different driver.
    pub fn has_other_driver(&self, key: &CacheKey) -> bool {
        self.entries.iter().any(|e| {
            e.key.adapter == key.adapter
                && e.key.backend == key.backend
                && (e.key.driver != key.driver || e.key.driver_info != key.driver_info)
        })
    }

    /// Records a winner: under the file's lock, re-reads the file, merges the entry in
    /// (replacing one of the same key) and rewrites it atomically. Entries other processes
    /// wrote since this one loaded are kept, and seen from now on.
    pub fn put(&mut self, entry: CacheEntry) -> Result<()> {
        let Some(path) = self.path.clone() else {
            merge_entry(&mut self.entries, entry);
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                crate::error::Error::runtime(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let _lock = lock(&path)?;
        // What is on disk now wins over what this process loaded; a file that cannot be
        // read is replaced (it was reported when loaded).
        let mut entries = read_entries(&path).unwrap_or_else(|_| self.entries.clone());
        merge_entry(&mut entries, entry);
        let file = CacheFile {
            schema: CACHE_SCHEMA,
            entries,
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|e| {
            crate::error::Error::runtime(format!("cannot encode the tuning cache: {e}"))
        })?;
        crate::atomic_file::write(&path, &text)?;
        self.entries = file.entries;
        Ok(())
    }
}

/// Adds `entry`, replacing any of the same key.
fn merge_entry(entries: &mut Vec<CacheEntry>, entry: CacheEntry) {
    entries.retain(|e| e.key != entry.key);
    entries.push(entry);
}

/// Takes the exclusive lock beside the cache file, waiting for another process to release
/// it; released when the returned file is dropped.
fn lock(cache: &Path) -> Result<File> {
    let mut name = cache.as_os_str().to_os_string();
    name.push(".lock");
    let path = PathBuf::from(name);
    let cannot = |e: std::io::Error| {
        crate::error::Error::runtime(format!("cannot lock {}: {e}", path.display()))
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(cannot)?;
    file.lock_exclusive().map_err(cannot)?;
    Ok(file)
}

/// Why a tuning cache file cannot be used (it is then ignored with a warning).
#[derive(Debug, thiserror::Error)]
pub enum CacheFileError {
    #[error("{0}")]
    Read(#[from] std::io::Error),
    /// The JSON error may quote a string of the file: its control characters stay escaped.
    #[error("not a tuning cache: {}", printable(&.parse.to_string()))]
    NotACache { parse: serde_json::Error },
    #[error("cache schema {0} is not {CACHE_SCHEMA}")]
    Schema(u32),
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    #[error("an entry has {0} GFLOP/s")]
    Rate(f64),
}

fn read_entries(path: &Path) -> std::result::Result<Vec<CacheEntry>, CacheFileError> {
    parse_entries(&std::fs::read_to_string(path)?)
}

/// The entries of a tuning cache file's text, or why it cannot be used.
pub fn parse_entries(text: &str) -> std::result::Result<Vec<CacheEntry>, CacheFileError> {
    let file: CacheFile =
        serde_json::from_str(text).map_err(|parse| CacheFileError::NotACache { parse })?;
    if file.schema != CACHE_SCHEMA {
        return Err(CacheFileError::Schema(file.schema));
    }
    for entry in &file.entries {
        entry.kernel.check_geometry()?;
        if !(entry.gflops.is_finite() && entry.gflops > 0.0) {
            return Err(CacheFileError::Rate(entry.gflops));
        }
    }
    Ok(file.entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::GemmKernel;

    fn adapter(driver_info: &str) -> AdapterDescription {
        serde_json::from_value(serde_json::json!({
            "index": 0, "name": "gpu", "backend": "vulkan", "device_type": "discrete_gpu",
            "driver": "drv", "driver_info": driver_info, "software": false, "features": [],
            "limits": {"max_compute_workgroup_storage_size": 1, "max_compute_invocations_per_workgroup": 1,
                "max_compute_workgroup_size_x": 1, "max_compute_workgroup_size_y": 1,
                "max_compute_workgroups_per_dimension": 1, "max_storage_buffer_binding_size": 1,
                "max_buffer_size": 1, "max_storage_buffers_per_shader_stage": 1,
                "min_subgroup_size": 1, "max_subgroup_size": 1}
        }))
        .unwrap()
    }

    #[test]
    fn a_winner_round_trips_and_another_driver_does_not_match() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("tuning.json");
        let key = CacheKey::new(&adapter("1.0"), Dtype::F32, ShapeClass::Square);
        let mut cache = TuneCache::load(Some(path.clone()), &mut |w| panic!("{w}"));
        cache
            .put(CacheEntry {
                key: key.clone(),
                kernel: GemmKernel::texture_default(),
                gflops: 9.0,
                tuned_unix: 1,
            })
            .unwrap();
        let reloaded = TuneCache::load(Some(path), &mut |w| panic!("{w}"));
        assert_eq!(
            reloaded.get(&key).unwrap().kernel,
            GemmKernel::texture_default()
        );
        let newer_driver = CacheKey::new(&adapter("2.0"), Dtype::F32, ShapeClass::Square);
        assert!(reloaded.get(&newer_driver).is_none());
        assert!(reloaded.has_other_driver(&newer_driver));
    }

    #[test]
    fn every_candidate_geometry_passes_the_cache_check() {
        use crate::kernels::coop::{CoopConfig, CoopOffer};
        let limits = wgpu::Limits::default();
        let configs = [(8, Dtype::F32), (16, Dtype::F16), (8, Dtype::F16F32)];
        let offer = CoopOffer {
            configs: configs
                .map(|(side, dtype)| CoopConfig { side, dtype })
                .to_vec(),
            max_subgroup: 32,
        };
        for dtype in Dtype::ALL {
            for (subgroup, coop) in [(None, None), (Some(32), Some(&offer))] {
                let shape = crate::kernels::GemmShape::square(1024);
                let list =
                    super::super::candidates::candidates(&limits, subgroup, coop, dtype, shape);
                for kernel in list {
                    assert!(kernel.check_geometry().is_ok(), "{kernel:?}");
                }
            }
        }
    }

    /// Found by fuzzing: such an entry reached `check_limits` and divided by zero.
    #[test]
    fn an_entry_with_a_zero_geometry_is_refused() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fuzz/regressions/tune_cache/zero-workgroup-divides-by-zero.json"
        ))
        .unwrap();
        let reason = parse_entries(&text).unwrap_err().to_string();
        assert!(reason.contains("at least 1"), "{reason}");
    }

    /// Found by fuzzing: a `\r` in a JSON string came back in the warning, unescaped.
    #[test]
    fn a_control_character_quoted_from_the_file_stays_escaped() {
        let text = r#"{"schema": 1, "entries": [{"kernel": {"family": "a\rb"}}]}"#;
        let reason = parse_entries(text).unwrap_err().to_string();
        assert!(!reason.contains(['\n', '\r']), "{reason:?}");
        assert!(reason.contains("a\\rb"), "{reason}");
    }

    #[test]
    fn a_corrupt_cache_is_ignored_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tuning.json");
        std::fs::write(&path, "{ truncated").unwrap();
        let mut warnings = Vec::new();
        let cache = TuneCache::load(Some(path), &mut |w| warnings.push(w));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("ignoring tuning cache"),
            "{}",
            warnings[0]
        );
        assert!(cache.entries.is_empty());
    }
}
