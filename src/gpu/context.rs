//! An open device on one adapter, with every wgpu error caught instead of panicking:
//! operations run inside error scopes, uncaptured errors and device loss are recorded and
//! turned into errors (a lost device is `Error::DeviceLost`, a buffer the device will not
//! hold `Error::Allocation`), and polling waits with a timeout.
//!
//! Test hook: `FLEETBENCH_TEST_DEVICE_MAX_BUFFER_SIZE=BYTES` opens the device with that
//! maximum buffer size while `limits` (what plans are checked against) stays the adapter's,
//! so a large buffer is refused when allocated, as on a device out of memory. For tests of
//! that path only; it changes no measurement.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::adapter::{AdapterDescription, DiscoveredAdapter};
use crate::error::{Error, Result};
use crate::kernels::coop::{self, AdapterCoop, CoopSupport};
use crate::kernels::gemm::AdapterOffer;

/// How long one wait for the GPU may take before the run is abandoned.
const POLL_TIMEOUT: Duration = Duration::from_secs(600);

/// The test hook lowering the device's maximum buffer size (see the module's doc).
const MAX_BUFFER_SIZE_HOOK: &str = "FLEETBENCH_TEST_DEVICE_MAX_BUFFER_SIZE";

/// What went wrong on the device outside any error scope: the first is kept.
#[derive(Debug, Clone)]
enum Fault {
    /// The device was lost (or destroyed): nothing more will run on it.
    Lost(String),
    /// An error no scope caught.
    Uncaptured(String),
}

/// A device and queue plus what was learnt about the adapter.
pub struct GpuContext {
    pub description: AdapterDescription,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub features: wgpu::Features,
    pub limits: wgpu::Limits,
    /// Whether the cooperative-matrix family runs here (with what), or why not.
    pub coop: CoopSupport,
    /// The first uncaptured error or device loss, if any.
    fault: Arc<Mutex<Option<Fault>>>,
}

impl GpuContext {
    /// Opens a device with the features fleetbench can use and the adapter's own limits
    /// (lowered only by the test hook above). Cooperative matrices are requested only when
    /// the adapter reports configurations the kernel can run.
    pub fn open(discovered: DiscoveredAdapter) -> Result<Self> {
        let DiscoveredAdapter {
            adapter,
            description,
        } = discovered;
        let properties = adapter.cooperative_matrix_properties();
        let coop = coop::support(AdapterCoop {
            features: adapter.features(),
            properties: &properties,
            max_subgroup: description.limits.max_subgroup_size,
        });
        let mut wanted =
            wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::SHADER_F16 | wgpu::Features::SUBGROUP;
        if coop.offer().is_some() {
            wanted |= wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX;
        }
        let features = adapter.features() & wanted;
        let limits = adapter.limits();
        let experimental_features =
            if features.contains(wgpu::Features::EXPERIMENTAL_COOPERATIVE_MATRIX) {
                // SAFETY: wgpu asks callers of experimental features to accept that its
                // implementation of them may have bugs. The one requested here is used
                // only by the cooperative-matrix GEMMs, and every result of those is
                // verified against the CPU reference before it counts.
                unsafe { wgpu::ExperimentalFeatures::enabled() }
            } else {
                wgpu::ExperimentalFeatures::disabled()
            };
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("fleetbench"),
            required_features: features,
            required_limits: device_limits(&limits)?,
            experimental_features,
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
            coop,
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

    /// What the fixed kernels depend on here (`KernelId::fixed`).
    pub fn offer(&self) -> AdapterOffer<'_> {
        AdapterOffer {
            limits: &self.limits,
            subgroup: self.fixed_subgroup_size(),
            coop: &self.coop,
        }
    }

    /// Whether the device was opened with a feature.
    pub fn has(&self, feature: wgpu::Features) -> bool {
        self.features.contains(feature)
    }

    /// Runs `f` inside error scopes and returns the first error they caught, described
    /// with `what`. A lost device is said as such, whatever error its loss made an
    /// operation report.
    pub fn scoped<T>(&self, what: &str, f: impl FnOnce() -> T) -> Result<T> {
        let scopes = self.error_scopes();
        let value = f();
        match scopes.close()? {
            Some(err) => Err(Error::runtime(format!("{what}: {err}"))),
            None => Ok(value),
        }
    }

    /// Opens validation, out-of-memory and internal error scopes until the returned value
    /// is closed (or dropped).
    pub fn error_scopes(&self) -> ErrorScopes<'_> {
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        ErrorScopes {
            ctx: self,
            validation,
            memory,
            internal,
        }
    }

    /// Blocks until all submitted work is done; device loss or a hang is an error.
    pub fn wait(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(POLL_TIMEOUT),
            })
            .map_err(|e| match self.check_fault() {
                Err(lost @ Error::DeviceLost { .. }) => lost,
                _ => Error::runtime(format!("waiting for the GPU failed: {e}")),
            })?;
        self.check_fault()
    }

    /// Turns a recorded device loss or uncaptured error into an error.
    pub fn check_fault(&self) -> Result<()> {
        match self.fault.lock().map(|f| f.clone()) {
            Ok(Some(Fault::Lost(reason))) => Err(Error::DeviceLost {
                during: None,
                reason,
            }),
            Ok(Some(Fault::Uncaptured(message))) => Err(Error::runtime(message)),
            _ => Ok(()),
        }
    }

    /// Destroys the device as a driver reset would lose it: the loss is reported through
    /// wgpu's device-lost callback like any other. For tests of what a run does then.
    pub fn destroy_for_test(&self) {
        self.device.destroy();
        let _ = self.device.poll(wgpu::PollType::Poll);
    }
}

/// Error scopes open on the device; popped (innermost first) by `close` or on drop.
pub struct ErrorScopes<'a> {
    ctx: &'a GpuContext,
    // Declared innermost first, so dropping pops them in the order they were pushed back.
    validation: wgpu::ErrorScopeGuard,
    memory: wgpu::ErrorScopeGuard,
    internal: wgpu::ErrorScopeGuard,
}

impl ErrorScopes<'_> {
    /// Pops the scopes: the first error they caught, on one line; Err when the device is
    /// lost or an uncaptured error was recorded.
    pub fn close(self) -> Result<Option<String>> {
        let ErrorScopes {
            ctx,
            validation,
            memory,
            internal,
        } = self;
        let mut caught = None;
        for pending in [validation.pop(), memory.pop(), internal.pop()] {
            if let Some(err) = pollster::block_on(pending) {
                caught.get_or_insert_with(|| one_line(&err.to_string()));
            }
        }
        if caught.is_some() {
            // A destroyed device reports its loss on the next poll, and an operation on it
            // may fail first with an error that does not say why.
            let _ = ctx.device.poll(wgpu::PollType::Poll);
        }
        ctx.check_fault()?;
        Ok(caught)
    }

    /// Closes scopes opened around a benchmark's buffers: an error they caught (out of
    /// memory, a size the device refuses) is `Error::Allocation` for `what`, which a run
    /// records and goes on from; a lost device is still `Error::DeviceLost`.
    pub fn allocated(self, what: &str) -> Result<()> {
        match self.close()? {
            Some(reason) => Err(Error::Allocation {
                what: what.to_string(),
                reason,
            }),
            None => Ok(()),
        }
    }
}

/// The limits the device is opened with: the adapter's own, unless the test hook lowers
/// the maximum buffer size.
fn device_limits(adapter: &wgpu::Limits) -> Result<wgpu::Limits> {
    let mut limits = adapter.clone();
    if let Ok(text) = std::env::var(MAX_BUFFER_SIZE_HOOK) {
        let bytes: u64 = text.trim().parse().map_err(|_| {
            Error::usage(format!(
                "{MAX_BUFFER_SIZE_HOOK}={} is not a number of bytes",
                crate::text::printable(&text)
            ))
        })?;
        limits.max_buffer_size = limits.max_buffer_size.min(bytes);
    }
    Ok(limits)
}

fn install_fault_handlers(device: &wgpu::Device, fault: &Arc<Mutex<Option<Fault>>>) {
    let lost = Arc::clone(fault);
    device.set_device_lost_callback(move |reason, message| {
        // `Destroyed` counts too: while the context lives nothing but a loss (or the test
        // hook standing in for one) destroys the device; at drop nobody reads the slot.
        let reason = match (reason, one_line(&message)) {
            (wgpu::DeviceLostReason::Destroyed, text) if text.is_empty() => {
                "the device was destroyed".to_string()
            }
            (reason, text) => format!("GPU device lost ({reason:?}): {text}"),
        };
        record(&lost, Fault::Lost(reason));
    });
    let uncaptured = Arc::clone(fault);
    device.on_uncaptured_error(Arc::new(move |error: wgpu::Error| {
        record(
            &uncaptured,
            Fault::Uncaptured(format!("GPU error: {}", one_line(&error.to_string()))),
        );
    }));
}

/// Keeps the first fault, except that a loss replaces an uncaptured error (which the loss
/// probably caused, and which would not say that nothing more can run).
fn record(fault: &Mutex<Option<Fault>>, new: Fault) {
    if let Ok(mut slot) = fault.lock() {
        match (&*slot, &new) {
            (None, _) | (Some(Fault::Uncaptured(_)), Fault::Lost(_)) => *slot = Some(new),
            _ => {}
        }
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
