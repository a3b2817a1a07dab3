//! fleetbench: measure one GPU, project the fleet.
//!
//! The pipeline runs one way: `gpu` (wgpu adapters, devices, timing) -> `measure`
//! (warm-up, sampling, verification, peak probes) -> `results` (the typed results file,
//! the seam between measuring and projecting) -> `model` (sourced accelerators and fleets,
//! power and count, training and inference projections) -> `report` (table, JSON, CSV,
//! Markdown). `cluster` reads a launcher's rank and merges per-rank results; `diff`
//! compares two results files. `model` knows nothing of wgpu; `gpu` knows nothing of
//! fleets. `commands` wires one subcommand to the library; `cli` is the clap definition.

pub mod atomic_file;
pub mod bridge;
pub mod build_info;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod diff;
pub mod error;
pub mod gpu;
pub mod kernels;
pub mod measure;
pub mod model;
pub mod report;
pub mod results;
pub mod text;

pub use error::{Error, Result};
