//! Timing one compute pass: GPU timestamps at the pass's start and end where the adapter
//! has them, always cross-checked against the wall clock around submit + wait. A stamp
//! that is zero, out of order, longer than the wall clock, or implausibly short beside it
//! (lavapipe has reported 128 MiB copies at 1,300 GB/s) is rejected and the wall clock of
//! that same submission is used instead, so no figure rests on a stamp we cannot trust.

use std::time::Instant;

use super::buffers::map_and_read;
use super::context::GpuContext;
use crate::error::Result;

/// How an elapsed time was obtained (recorded per result, so it lives in `results`).
pub use crate::results::Timing as TimingMethod;

/// One timed submission.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub seconds: f64,
    pub method: TimingMethod,
}

struct TimestampQueries {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    period_ns: f64,
}

/// Times compute passes on one device.
pub struct Timer {
    queries: Option<TimestampQueries>,
}

/// Slack for the "a stamp cannot exceed the wall clock" check (clock domains differ).
const WALL_SLACK_SECONDS: f64 = 200e-6;
/// Submission overhead the wall clock may add on top of the GPU time.
const OVERHEAD_ALLOWANCE_SECONDS: f64 = 5e-3;
/// A stamp below this share of the wall clock (beyond the overhead) is not believed.
const MIN_STAMP_SHARE_OF_WALL: f64 = 0.2;

impl Timer {
    /// Uses timestamps when the device has them and `prefer_timestamps` is set.
    pub fn new(ctx: &GpuContext, prefer_timestamps: bool) -> Self {
        let queries = (prefer_timestamps && ctx.has(wgpu::Features::TIMESTAMP_QUERY))
            .then(|| create_queries(ctx));
        Timer { queries }
    }

    /// The method this timer tries first.
    pub fn preferred_method(&self) -> TimingMethod {
        if self.queries.is_some() {
            TimingMethod::Timestamp
        } else {
            TimingMethod::WallClock
        }
    }

    /// Records one compute pass with `record`, submits it, waits, and returns its time.
    pub fn time_pass(
        &self,
        ctx: &GpuContext,
        record: impl FnOnce(&mut wgpu::ComputePass<'_>),
    ) -> Result<Sample> {
        let mut encoder = ctx.device.create_command_encoder(&Default::default());
        {
            let timestamp_writes =
                self.queries
                    .as_ref()
                    .map(|q| wgpu::ComputePassTimestampWrites {
                        query_set: &q.set,
                        beginning_of_pass_write_index: Some(0),
                        end_of_pass_write_index: Some(1),
                    });
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("timed"),
                timestamp_writes,
            });
            record(&mut pass);
        }
        if let Some(q) = &self.queries {
            encoder.resolve_query_set(&q.set, 0..2, &q.resolve, 0);
            encoder.copy_buffer_to_buffer(&q.resolve, 0, &q.readback, 0, 16);
        }
        let commands = encoder.finish();
        let start = Instant::now();
        ctx.queue.submit([commands]);
        ctx.wait()?;
        let wall = start.elapsed().as_secs_f64();
        let stamped = match &self.queries {
            Some(q) => read_stamps(ctx, q)?,
            None => None,
        };
        Ok(choose(stamped, wall))
    }
}

fn create_queries(ctx: &GpuContext) -> TimestampQueries {
    let set = ctx.device.create_query_set(&wgpu::QuerySetDescriptor {
        label: Some("pass timestamps"),
        ty: wgpu::QueryType::Timestamp,
        count: 2,
    });
    let resolve = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("timestamp resolve"),
        size: 16,
        usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let readback = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("timestamp read-back"),
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let period_ns = f64::from(ctx.queue.get_timestamp_period());
    TimestampQueries {
        set,
        resolve,
        readback,
        period_ns,
    }
}

/// The pass duration in seconds from the two stamps, or None when they are unusable.
fn read_stamps(ctx: &GpuContext, q: &TimestampQueries) -> Result<Option<f64>> {
    let bytes = map_and_read(ctx, &q.readback)?;
    let stamps: &[u64] = bytemuck::cast_slice(&bytes);
    Ok(stamp_seconds(stamps[0], stamps[1], q.period_ns))
}

/// Seconds between two raw stamps; zero or out-of-order stamps are rejected.
pub fn stamp_seconds(begin: u64, end: u64, period_ns: f64) -> Option<f64> {
    if begin == 0 || end <= begin || period_ns.is_nan() || period_ns <= 0.0 {
        return None;
    }
    Some((end - begin) as f64 * period_ns / 1e9)
}

/// Keeps the stamp when it agrees with the wall clock of the same submission.
pub fn choose(stamp: Option<f64>, wall: f64) -> Sample {
    let wall_clock = Sample {
        seconds: wall,
        method: TimingMethod::WallClock,
    };
    let Some(gpu) = stamp else { return wall_clock };
    let not_longer_than_wall = gpu <= wall + WALL_SLACK_SECONDS;
    let plausible_share =
        gpu >= wall * MIN_STAMP_SHARE_OF_WALL || wall - gpu <= OVERHEAD_ALLOWANCE_SECONDS;
    if not_longer_than_wall && plausible_share {
        Sample {
            seconds: gpu,
            method: TimingMethod::Timestamp,
        }
    } else {
        wall_clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_reversed_stamps_are_rejected() {
        assert_eq!(stamp_seconds(0, 100, 1.0), None);
        assert_eq!(stamp_seconds(100, 100, 1.0), None);
        assert_eq!(stamp_seconds(200, 100, 1.0), None);
        assert_eq!(stamp_seconds(100, 1_100, 1.0), Some(1_000e-9));
    }

    #[test]
    fn stamp_longer_than_wall_clock_falls_back() {
        let sample = choose(Some(0.5), 0.1);
        assert_eq!(sample.method, TimingMethod::WallClock);
        assert_eq!(sample.seconds, 0.1);
    }

    #[test]
    fn implausibly_short_stamp_falls_back() {
        // 0.2 ms of "GPU time" inside a 100 ms submission: the lavapipe copy case.
        let sample = choose(Some(0.0002), 0.1);
        assert_eq!(sample.method, TimingMethod::WallClock);
    }

    #[test]
    fn consistent_stamp_is_kept() {
        let sample = choose(Some(0.09), 0.1);
        assert_eq!(
            sample,
            Sample {
                seconds: 0.09,
                method: TimingMethod::Timestamp
            }
        );
        // Short kernels: overhead dominates the wall clock but the gap is small.
        let short = choose(Some(0.0001), 0.001);
        assert_eq!(short.method, TimingMethod::Timestamp);
    }
}
