//! `fleetbench devices`: every adapter wgpu finds, with its features and GEMM limits.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::gpu::adapter::{self, AdapterDescription, NO_ADAPTER_HELP};
use crate::report::{self, Format, Table};

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Only these backends (comma list: vulkan, metal, dx12, gl); default all, or WGPU_BACKEND.
    #[arg(long)]
    pub backend: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

pub fn execute(args: &DevicesArgs) -> Result<()> {
    let backends = adapter::backends_to_search(args.backend.as_deref())?;
    let found: Vec<AdapterDescription> = adapter::discover(backends)
        .into_iter()
        .map(|a| a.description)
        .collect();
    if found.is_empty() {
        return Err(Error::runtime(NO_ADAPTER_HELP));
    }
    let text = match args.format {
        Format::Json => report::to_json(&found)?,
        other => report::render_tables(&[devices_table(&found)], other)?,
    };
    report::emit(&text, args.output.as_deref())
}

fn devices_table(found: &[AdapterDescription]) -> Table {
    let mut table = Table::new([
        "index",
        "name",
        "backend",
        "type",
        "software",
        "driver",
        "features",
        "wg storage",
        "invocations",
        "binding size",
        "buffer size",
    ])
    .with_title("Adapters");
    for d in found {
        table.push_row([
            d.index.to_string(),
            d.name.clone(),
            d.backend.to_string(),
            d.device_type.as_str().to_string(),
            if d.software { "yes" } else { "no" }.to_string(),
            format!("{} {}", d.driver, d.driver_info).trim().to_string(),
            d.features.join(", "),
            format!("{} B", d.limits.max_compute_workgroup_storage_size),
            d.limits.max_compute_invocations_per_workgroup.to_string(),
            format_bytes(d.limits.max_storage_buffer_binding_size),
            format_bytes(d.limits.max_buffer_size),
        ]);
    }
    if found.iter().any(|d| d.software) {
        table.push_note("software = a CPU rasteriser (lavapipe, llvmpipe, SwiftShader, WARP): its figures are not a GPU's.");
    }
    table
}

/// Bytes in binary units, e.g. "128 MiB".
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
