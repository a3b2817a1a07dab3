//! An adapter as `devices --format json` prints it and as results files record it: name,
//! backend, device type, driver, the features that matter here and the limits that bound
//! a GEMM. Plain data: `gpu::adapter` fills it from wgpu.

use serde::{Deserialize, Serialize};

/// The limits that bound a GEMM on this adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GemmLimits {
    pub max_compute_workgroup_storage_size: u32,
    pub max_compute_invocations_per_workgroup: u32,
    pub max_compute_workgroup_size_x: u32,
    pub max_compute_workgroup_size_y: u32,
    pub max_compute_workgroups_per_dimension: u32,
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_storage_buffers_per_shader_stage: u32,
    pub min_subgroup_size: u32,
    pub max_subgroup_size: u32,
}

/// The graphics API an adapter is reached through.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Vulkan,
    Metal,
    Dx12,
    Gl,
    /// A backend this version does not name (browser WebGPU, no-op).
    #[serde(other)]
    Other,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What kind of device the adapter drives.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DeviceType {
    DiscreteGpu,
    IntegratedGpu,
    VirtualGpu,
    Cpu,
    #[serde(other)]
    Other,
}

impl DeviceType {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One adapter, as `devices --format json` prints it and as results files record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdapterDescription {
    /// Position in the discovery order; stable for one machine and driver set.
    pub index: usize,
    pub name: String,
    pub backend: Backend,
    pub device_type: DeviceType,
    pub driver: String,
    pub driver_info: String,
    /// True for software rasterisers (device type Cpu: lavapipe, llvmpipe, SwiftShader, WARP).
    pub software: bool,
    /// The features that matter here: timestamp-query, shader-f16, subgroups, cooperative-matrix.
    pub features: Vec<String>,
    pub limits: GemmLimits,
}

impl AdapterDescription {
    /// Whether the adapter lists a feature by its reported name.
    pub fn has_feature(&self, name: &str) -> bool {
        self.features.iter().any(|f| f == name)
    }

    /// A short label for tables: "name (backend, software)".
    pub fn label(&self) -> String {
        let kind = if self.software {
            "software".to_string()
        } else {
            self.device_type.as_str().replace('_', " ")
        };
        format!("{} ({}, {})", self.name, self.backend, kind)
    }

    /// A software rasteriser on GL: every pipeline compiles for tens of seconds there.
    pub fn is_slow_software_gl(&self) -> bool {
        self.software && self.backend == Backend::Gl
    }
}
