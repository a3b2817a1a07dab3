//! Buffers for kernels and their read-back through a mappable staging buffer.

use wgpu::util::DeviceExt;

use super::context::GpuContext;
use crate::error::{Error, Result};

/// Storage bindings must be whole multiples of 4 bytes, and vec4 arrays of 16: sizes are
/// rounded up to 16 bytes (the tail is zero and never read as data).
const STORAGE_ALIGN: u64 = 16;

/// A storage buffer initialised with `data` (usable as a copy source for read-back).
pub fn storage_with(ctx: &GpuContext, label: &str, data: &[u8]) -> wgpu::Buffer {
    let mut contents = data.to_vec();
    contents.resize(round_up(data.len() as u64) as usize, 0);
    let usage =
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST;
    filled(ctx, label, usage, &contents)
}

/// A zeroed storage buffer of `size` bytes.
pub fn storage_zeroed(ctx: &GpuContext, label: &str, size: u64) -> wgpu::Buffer {
    ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: round_up(size),
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

/// A read-only storage texture of `width x height` texels of 4 elements each, holding
/// `data` (row-major, each row `width` texels).
pub fn storage_texture_with(
    ctx: &GpuContext,
    label: &str,
    format: wgpu::TextureFormat,
    (width, height): (u32, u32),
    data: &[u8],
) -> wgpu::Texture {
    ctx.device.create_texture_with_data(
        &ctx.queue,
        &wgpu::TextureDescriptor {
            label: Some(label),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format,
            usage: wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        },
        wgpu::util::TextureDataOrder::LayerMajor,
        data,
    )
}

/// A uniform buffer holding `data`.
pub fn uniform_with(ctx: &GpuContext, label: &str, data: &[u8]) -> wgpu::Buffer {
    let usage = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
    filled(ctx, label, usage, data)
}

/// A buffer holding `data` (a multiple of 4 bytes), written through the queue. Not
/// `create_buffer_init`: it maps the new buffer, and panics when the device refused it
/// (out of memory, too large, device lost), where this leaves an error for the caller's
/// error scope.
fn filled(ctx: &GpuContext, label: &str, usage: wgpu::BufferUsages, data: &[u8]) -> wgpu::Buffer {
    let buffer = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        size: data.len().max(4) as u64,
        usage: usage | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    if !data.is_empty() {
        ctx.queue.write_buffer(&buffer, 0, data);
    }
    buffer
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

fn round_up(size: u64) -> u64 {
    size.max(1).div_ceil(STORAGE_ALIGN) * STORAGE_ALIGN
}
