//! Buffers for kernels and their read-back through a mappable staging buffer.

use wgpu::util::DeviceExt;

use super::context::GpuContext;
use crate::error::{Error, Result};

/// A storage buffer initialised with `data` (usable as a copy source for read-back).
pub fn storage_with(ctx: &GpuContext, label: &str, data: &[u8]) -> wgpu::Buffer {
    ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: data,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
    })
}

/// A zeroed storage buffer of `size` bytes.
pub fn storage_zeroed(ctx: &GpuContext, label: &str, size: u64) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// A uniform buffer holding `data`.
pub fn uniform_with(ctx: &GpuContext, label: &str, data: &[u8]) -> wgpu::Buffer {
    ctx.device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some(label),
        contents: data,
        usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
    })
}

/// Copies `source` to a staging buffer and returns its bytes.
pub fn read_back(ctx: &GpuContext, source: &wgpu::Buffer) -> Result<Vec<u8>> {
    let size = source.size();
    let staging = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("read-back"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(source, 0, &staging, 0, size);
    ctx.queue.submit([encoder.finish()]);
    map_and_read(ctx, &staging)
}

/// Maps a MAP_READ buffer, waits, and copies its contents out.
pub fn map_and_read(ctx: &GpuContext, staging: &wgpu::Buffer) -> Result<Vec<u8>> {
    let (sender, receiver) = std::sync::mpsc::channel();
    staging.map_async(wgpu::MapMode::Read, .., move |outcome| {
        let _ = sender.send(outcome);
    });
    ctx.wait()?;
    match receiver.recv() {
        Ok(Ok(())) => {}
        _ => return Err(Error::runtime("could not map a read-back buffer")),
    }
    let bytes = staging
        .get_mapped_range(..)
        .map_err(|e| Error::runtime(format!("could not read a mapped buffer: {e}")))?
        .to_vec();
    staging.unmap();
    Ok(bytes)
}
