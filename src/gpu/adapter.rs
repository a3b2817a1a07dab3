//! Adapter discovery and selection: every adapter on every backend, described in the
//! `devices` JSON contract, and the rules for picking one (`--adapter`, `--backend`,
//! `WGPU_ADAPTER_NAME`, `WGPU_BACKEND`). Everything reported comes from the adapter
//! itself; nothing is assumed from the device's name.

use crate::error::{Error, Result};
pub use crate::results::adapter::{AdapterDescription, Backend, DeviceType, GemmLimits};

/// The line shown whenever no adapter can be found.
pub const NO_ADAPTER_HELP: &str = "no GPU adapter found on any backend; on Debian/Ubuntu install a software \
     Vulkan driver with `apt-get install mesa-vulkan-drivers libvulkan1`, or install your GPU's driver";

/// A wgpu adapter together with its description.
pub struct DiscoveredAdapter {
    pub adapter: wgpu::Adapter,
    pub description: AdapterDescription,
}

/// The features fleetbench uses, with the names reported for them.
pub const TRACKED_FEATURES: [(wgpu::Features, &str); 4] = [
    (wgpu::Features::TIMESTAMP_QUERY, "timestamp-query"),
    (wgpu::Features::SHADER_F16, "shader-f16"),
    (wgpu::Features::SUBGROUP, "subgroups"),
    (
        wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX,
        "cooperative-matrix",
    ),
];

fn device_type(device_type: wgpu::DeviceType) -> DeviceType {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => DeviceType::DiscreteGpu,
        wgpu::DeviceType::IntegratedGpu => DeviceType::IntegratedGpu,
        wgpu::DeviceType::VirtualGpu => DeviceType::VirtualGpu,
        wgpu::DeviceType::Cpu => DeviceType::Cpu,
        wgpu::DeviceType::Other => DeviceType::Other,
    }
}

fn backend(backend: wgpu::Backend) -> Backend {
    match backend {
        wgpu::Backend::Vulkan => Backend::Vulkan,
        wgpu::Backend::Metal => Backend::Metal,
        wgpu::Backend::Dx12 => Backend::Dx12,
        wgpu::Backend::Gl => Backend::Gl,
        _ => Backend::Other,
    }
}

fn describe(index: usize, adapter: &wgpu::Adapter) -> AdapterDescription {
    let info = adapter.get_info();
    let limits = adapter.limits();
    let features = adapter.features();
    AdapterDescription {
        index,
        name: info.name.clone(),
        backend: backend(info.backend),
        device_type: device_type(info.device_type),
        driver: info.driver.clone(),
        driver_info: info.driver_info.clone(),
        software: info.device_type == wgpu::DeviceType::Cpu,
        features: TRACKED_FEATURES
            .iter()
            .filter(|(flag, _)| features.contains(*flag))
            .map(|(_, name)| (*name).to_string())
            .collect(),
        limits: GemmLimits {
            max_compute_workgroup_storage_size: limits.max_compute_workgroup_storage_size,
            max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
            max_compute_workgroup_size_x: limits.max_compute_workgroup_size_x,
            max_compute_workgroup_size_y: limits.max_compute_workgroup_size_y,
            max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
            max_buffer_size: limits.max_buffer_size,
            max_storage_buffers_per_shader_stage: limits.max_storage_buffers_per_shader_stage,
            min_subgroup_size: info.subgroup_min_size,
            max_subgroup_size: adapter_subgroup_max(adapter),
        },
    }
}

fn adapter_subgroup_max(adapter: &wgpu::Adapter) -> u32 {
    adapter.get_info().subgroup_max_size
}

/// Parses a comma-separated backend list strictly (unlike wgpu, which ignores typos).
pub fn parse_backends(list: &str) -> Result<wgpu::Backends> {
    let mut backends = wgpu::Backends::empty();
    for name in list.split(',').map(|s| s.trim().to_ascii_lowercase()) {
        backends |= match name.as_str() {
            "vulkan" | "vk" => wgpu::Backends::VULKAN,
            "metal" | "mtl" => wgpu::Backends::METAL,
            "dx12" | "d3d12" => wgpu::Backends::DX12,
            "gl" | "gles" | "opengl" => wgpu::Backends::GL,
            other => {
                return Err(Error::usage(format!(
                    "unknown backend '{other}'; expected vulkan, metal, dx12 or gl"
                )));
            }
        };
    }
    Ok(backends)
}

/// Which backends to search: `--backend` first, then `WGPU_BACKEND`, else all of them.
pub fn backends_to_search(flag: Option<&str>) -> Result<wgpu::Backends> {
    match flag {
        Some(list) => parse_backends(list),
        None => match std::env::var("WGPU_BACKEND") {
            Ok(list) if !list.trim().is_empty() => {
                parse_backends(&list).map_err(|e| Error::usage(format!("WGPU_BACKEND: {e}")))
            }
            _ => Ok(wgpu::Backends::all() - wgpu::Backends::BROWSER_WEBGPU - wgpu::Backends::NOOP),
        },
    }
}

/// Finds every adapter on the given backends, in wgpu's order.
pub fn discover(backends: wgpu::Backends) -> Vec<DiscoveredAdapter> {
    let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
        backends,
        ..wgpu::InstanceDescriptor::new_without_display_handle()
    });
    pollster::block_on(instance.enumerate_adapters(backends))
        .into_iter()
        .enumerate()
        .map(|(index, adapter)| {
            let description = describe(index, &adapter);
            DiscoveredAdapter {
                adapter,
                description,
            }
        })
        .collect()
}

/// How the user named an adapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdapterSelector {
    /// Pick the best one: hardware first, and Vulkan before the slow GL software path.
    Best,
    Index(usize),
    /// Under a launcher: the n-th hardware adapter of the best kind (wrapping around when a
    /// node has fewer adapters than ranks), so each rank on a node gets its own GPU.
    LocalRank(usize),
    /// Case-insensitive substring of the adapter name.
    Name(String),
}

impl AdapterSelector {
    /// `--adapter` wins; otherwise `WGPU_ADAPTER_NAME`; otherwise the best adapter.
    pub fn from_flag_or_env(flag: Option<&str>) -> Self {
        let named = flag.map(str::to_string).or_else(|| {
            std::env::var("WGPU_ADAPTER_NAME")
                .ok()
                .filter(|s| !s.trim().is_empty())
        });
        match named {
            None => AdapterSelector::Best,
            Some(text) => match text.trim().parse::<usize>() {
                Ok(index) => AdapterSelector::Index(index),
                Err(_) => AdapterSelector::Name(text.trim().to_string()),
            },
        }
    }
}

/// Ranks adapters for the default choice: lower is better.
fn preference(description: &AdapterDescription) -> u32 {
    let type_rank = match description.device_type {
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        DeviceType::Other => 3,
        DeviceType::Cpu => 4,
    };
    // GL software adapters compile each pipeline for tens of seconds: last resort.
    let gl_software = u32::from(description.is_slow_software_gl());
    gl_software * 10 + type_rank
}

/// Picks one adapter; a selector that matches nothing is a usage error naming what exists.
pub fn select(
    adapters: Vec<DiscoveredAdapter>,
    selector: &AdapterSelector,
) -> Result<DiscoveredAdapter> {
    if adapters.is_empty() {
        return Err(Error::runtime(NO_ADAPTER_HELP));
    }
    let available = adapters
        .iter()
        .map(|a| format!("{}: {}", a.description.index, a.description.label()))
        .collect::<Vec<_>>()
        .join("; ");
    let position = match selector {
        AdapterSelector::Best => adapters
            .iter()
            .enumerate()
            .min_by_key(|(i, a)| (preference(&a.description), *i))
            .map(|(i, _)| i),
        AdapterSelector::Index(index) => {
            adapters.iter().position(|a| a.description.index == *index)
        }
        AdapterSelector::LocalRank(local) => {
            let best = adapters.iter().map(|a| preference(&a.description)).min();
            let candidates: Vec<usize> = (0..adapters.len())
                .filter(|&i| Some(preference(&adapters[i].description)) == best)
                .collect();
            candidates.get(local % candidates.len().max(1)).copied()
        }
        AdapterSelector::Name(name) => {
            let needle = name.to_lowercase();
            adapters
                .iter()
                .enumerate()
                .filter(|(_, a)| a.description.name.to_lowercase().contains(&needle))
                .min_by_key(|(i, a)| (preference(&a.description), *i))
                .map(|(i, _)| i)
        }
    };
    match position {
        Some(i) => Ok(adapters.into_iter().nth(i).expect("position is in range")),
        None => Err(Error::usage(format!(
            "no adapter matches {}; available: {available}",
            describe_selector(selector)
        ))),
    }
}

fn describe_selector(selector: &AdapterSelector) -> String {
    match selector {
        AdapterSelector::Best => "the default choice".into(),
        AdapterSelector::Index(i) => format!("index {i}"),
        AdapterSelector::LocalRank(r) => format!("local rank {r}"),
        AdapterSelector::Name(n) => format!("name '{n}'"),
    }
}
