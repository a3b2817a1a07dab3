//! `fleetbench devices`: every adapter wgpu finds, with its features and GEMM limits.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::gpu::adapter::{self, NO_ADAPTER_HELP};
use crate::report::{Cell, Column, OutputArgs, Shown, Table, Unit, View};
use crate::results::AdapterDescription;

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Only these backends (comma list: vulkan, metal, dx12, gl); default all, or WGPU_BACKEND.
    #[arg(long)]
    pub backend: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn execute(args: &DevicesArgs) -> Result<()> {
    let destination = args.output.destination()?;
    let backends = adapter::backends_to_search(args.backend.as_deref())?;
    let found: Vec<AdapterDescription> = adapter::discover(backends)
        .into_iter()
        .map(|a| a.description)
        .collect();
    if found.is_empty() {
        return Err(Error::runtime(NO_ADAPTER_HELP));
    }
    Ok(destination.write(&Devices(found))?)
}

/// The adapters found: JSON is the list of descriptions, as results files record them.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Devices(pub Vec<AdapterDescription>);

impl View for Devices {
    fn tables(&self) -> Vec<Table> {
        let bytes = |header: &str, key: &str| Column::number(header, key, Unit::Byte, Shown::Bytes);
        let mut table = Table::new(
            "adapters",
            vec![
                Column::number("index", "index", Unit::None, Shown::Whole),
                Column::text("name", "name"),
                Column::text("backend", "backend"),
                Column::text("type", "device_type"),
                Column::text("software", "software"),
                Column::text("driver", "driver"),
                Column::text("features", "features"),
                bytes("wg storage", "workgroup_storage"),
                Column::number("invocations", "invocations", Unit::None, Shown::Whole),
                bytes("binding size", "binding_size"),
                bytes("buffer size", "buffer_size"),
            ],
        )
        .with_title("Adapters");
        for d in &self.0 {
            table.push_row(vec![
                d.index.into(),
                d.name.as_str().into(),
                d.backend.as_str().into(),
                d.device_type.as_str().into(),
                if d.software { "yes" } else { "no" }.into(),
                format!("{} {}", d.driver, d.driver_info).trim().into(),
                d.features.join(", ").into(),
                d.limits.max_compute_workgroup_storage_size.into(),
                d.limits.max_compute_invocations_per_workgroup.into(),
                Cell::Number(d.limits.max_storage_buffer_binding_size as f64),
                Cell::Number(d.limits.max_buffer_size as f64),
            ]);
        }
        if self.0.iter().any(|d| d.software) {
            table.push_note("software = a CPU rasteriser (lavapipe, llvmpipe, SwiftShader, WARP): its figures are not a GPU's.");
        }
        vec![table]
    }
}
