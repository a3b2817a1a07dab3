//! An open device on one adapter, with every wgpu error caught instead of panicking:
//! operations run inside error scopes, uncaptured errors and device loss are recorded and
//! turned into runtime errors, and polling waits with a timeout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::adapter::{AdapterDescription, DiscoveredAdapter};
use crate::error::{Error, Result};

/// How long one wait for the GPU may take before the run is abandoned.
const POLL_TIMEOUT: Duration = Duration::from_secs(600);

/// A device and queue plus what was learnt about the adapter.
pub struct GpuContext {
    pub description: AdapterDescription,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub features: wgpu::Features,
    pub limits: wgpu::Limits,
    /// The first uncaptured error or device-loss message, if any.
    fault: Arc<Mutex<Option<String>>>,
}

impl GpuContext {
    /// Opens a device with the features fleetbench can use and the adapter's own limits.
    pub fn open(discovered: DiscoveredAdapter) -> Result<Self> {
        let DiscoveredAdapter {
            adapter,
            description,
        } = discovered;
        let wanted =
            wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::SHADER_F16 | wgpu::Features::SUBGROUP;
        let features = adapter.features() & wanted;
        let limits = adapter.limits();
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("fleetbench"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| {
                Error::runtime(format!("cannot open device on {}: {e}", description.name))
            })?;
        let fault = Arc::new(Mutex::new(None));
        install_fault_handlers(&device, &fault);
        Ok(GpuContext {
            description,
            device,
            queue,
            features,
            limits,
            fault,
        })
    }

    /// The subgroup size when the device has subgroups of one fixed size (kernels that
    /// hard-code the lane count need it); None otherwise.
    pub fn fixed_subgroup_size(&self) -> Option<u32> {
        let limits = &self.description.limits;
        (self.has(wgpu::Features::SUBGROUP) && limits.min_subgroup_size == limits.max_subgroup_size)
            .then_some(limits.min_subgroup_size)
            .filter(|size| (4..=128).contains(size))
    }

    /// Whether the device was opened with a feature.
    pub fn has(&self, feature: wgpu::Features) -> bool {
        self.features.contains(feature)
    }

    /// Runs `f` inside validation, out-of-memory and internal error scopes and returns
    /// the first error any of them caught, described with `what`.
    pub fn scoped<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let value = f();
        let errors = [validation.pop(), memory.pop(), internal.pop()];
        for pending in errors {
            if let Some(err) = pollster::block_on(pending) {
                return Err(Error::runtime(format!(
                    "{what}: {}",
                    one_line(&err.to_string())
                )));
            }
        }
        self.check_fault()?;
        Ok(value)
    }

    /// Blocks until all submitted work is done; device loss or a hang is an error.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(POLL_TIMEOUT),
            })
            .map_err(|e| Error::runtime(format!("waiting for the GPU failed: {e}")))?;
        self.check_fault()
    }

    /// Turns a recorded uncaptured error or device loss into an error.
    pub fn check_fault(&self) -> Result<()> {
        match self.fault.lock().map(|f| f.clone()) {
            Ok(Some(message)) => Err(Error::runtime(message)),
            _ => Ok(()),
        }
    }
}

fn install_fault_handlers(device: &wgpu::Device, fault: &Arc<Mutex<Option<String>>>) {
    let lost = Arc::clone(fault);
    device.set_device_lost_callback(move |reason, message| {
        // A deliberate destroy at drop time is not a fault.
        if reason != wgpu::DeviceLostReason::Destroyed {
            record(
                &lost,
                format!("GPU device lost ({reason:?}): {}", one_line(&message)),
            );
        }
    });
    let uncaptured = Arc::clone(fault);
    device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
        record(
            &uncaptured,
            format!("GPU error: {}", one_line(&error.to_string())),
        );
    }));
}

fn record(fault: &Mutex<Option<String>>, message: String) {
    if let Ok(mut slot) = fault.lock() {
        slot.get_or_insert(message);
    }
}

/// wgpu error texts span many lines; users get the first meaningful ones joined.
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "Caused by:")
        .take(12)
        .collect::<Vec<_>>()
        .join(" / ")
}
