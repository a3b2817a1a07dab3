//! The GFLOP/s-against-size chart: one per dtype (or per adapter kind and dtype for a
//! cluster), a line per kernel through its verified medians with min–max error bars, on a
//! log2 size axis, under the measured roofline: the dtype's FMA peak as a horizontal line
//! and the bandwidth roof min(peak, intensity x bandwidth), where a square GEMM of size n
//! in a dtype of b bytes does 2n^3 FLOP over 3n^2 b bytes.

use plotters::prelude::*;

use super::{KERNEL_COLOURS, PEAK_COLOUR, ROOF_COLOUR, draw_error, rgb, svg_to_inline};
use crate::kernels::{Dtype, GemmShape};
use crate::model::units::sig3;
use crate::report::Result;
use crate::results::{ClusterResults, RunResults};

const SIZE: (u32, u32) = (900, 520);

/// One measured point: size and GFLOP/s median, min and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    pub x: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

/// One kernel's points, sorted by size.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

/// The measured ceilings of one dtype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Roof {
    pub peak_gflops: f64,
    pub bandwidth_gbps: f64,
    pub bytes_per_elem: f64,
}

impl Roof {
    /// The roof at square size n: min(peak, 2n / (3 b) FLOP/byte x bandwidth).
    pub fn at(&self, n: f64) -> f64 {
        let intensity = 2.0 * n / (3.0 * self.bytes_per_elem);
        self.peak_gflops.min(intensity * self.bandwidth_gbps)
    }
}

/// Everything one chart shows.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GemmPlot {
    pub title: String,
    pub series: Vec<Series>,
    pub roof: Option<Roof>,
}

/// The size of an M x N x K GEMM on the x axis: (MNK)^(1/3), which is M for squares.
/// The cube root of M·N·K: the side of a square problem of the same work.
pub(super) fn size(shape: GemmShape) -> f64 {
    (shape.flops() / 2.0).cbrt()
}

/// The element types present, in name order.
fn dtypes_of(dtypes: impl Iterator<Item = Dtype>) -> Vec<Dtype> {
    let mut found: Vec<Dtype> = dtypes.collect();
    found.sort_by_key(|d| d.as_str());
    found.dedup();
    found
}

/// Adds a point to the series named `name`, creating it in first-seen order.
fn push(series: &mut Vec<Series>, name: String, point: Point) {
    match series.iter_mut().find(|s| s.name == name) {
        Some(s) => s.points.push(point),
        None => series.push(Series {
            name,
            points: vec![point],
        }),
    }
}

fn finish(mut series: Vec<Series>) -> Vec<Series> {
    for s in &mut series {
        s.points.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    series
}

/// One chart per dtype with a verified result, with that dtype's measured roofline.
pub(super) fn from_run(run: &RunResults, adapter: &str) -> Vec<GemmPlot> {
    dtypes_of(run.gemm.iter().map(|g| g.dtype))
        .into_iter()
        .filter_map(|dtype| {
            let mut series = Vec::new();
            for g in run.gemm.iter().filter(|g| g.dtype == dtype && g.verified) {
                let Some(s) = g.gflops.filter(|s| s.min > 0.0) else {
                    continue;
                };
                let name = match g.workload {
                    Some(_) => format!("{} (workload shapes)", g.kernel),
                    None => g.kernel.to_string(),
                };
                let x = size(g.shape);
                let point = Point {
                    x,
                    median: s.median,
                    min: s.min,
                    max: s.max,
                };
                push(&mut series, name, point);
            }
            let roof = run.peaks.fma_gflops.for_dtype(dtype).map(|peak| Roof {
                peak_gflops: peak,
                bandwidth_gbps: run.peaks.bandwidth_gbps,
                bytes_per_elem: dtype.size() as f64,
            });
            (!series.is_empty()).then(|| GemmPlot {
                title: format!("GFLOP/s against size, {dtype} — {adapter}"),
                series: finish(series),
                roof: roof.filter(|r| r.peak_gflops > 0.0 && r.bandwidth_gbps > 0.0),
            })
        })
        .collect()
}

/// One chart per adapter kind and dtype of a merged cluster: each point is the median
/// over the ranks of their medians, the bar their min to max. No roofline: a merged file
/// keeps no peaks.
pub(super) fn from_cluster(cluster: &ClusterResults) -> Vec<GemmPlot> {
    let mut plots = Vec::new();
    for group in &cluster.adapters {
        for dtype in dtypes_of(group.gemm.iter().map(|g| g.dtype)) {
            let mut series = Vec::new();
            for g in group.gemm.iter().filter(|g| g.dtype == dtype) {
                let Some(s) = g.gflops.filter(|s| s.min > 0.0) else {
                    continue;
                };
                let point = Point {
                    x: size(g.shape),
                    median: s.median,
                    min: s.min,
                    max: s.max,
                };
                push(&mut series, g.kernel.to_string(), point);
            }
            if !series.is_empty() {
                plots.push(GemmPlot {
                    title: format!(
                        "GFLOP/s against size over ranks, {dtype} — {}",
                        group.adapter.label()
                    ),
                    series: finish(series),
                    roof: None,
                });
            }
        }
    }
    plots
}

/// The x and y extents of a plot, padded, for log axes.
fn extents(plot: &GemmPlot) -> ((f64, f64), (f64, f64)) {
    let points = plot.series.iter().flat_map(|s| s.points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points {
        x0 = x0.min(p.x);
        x1 = x1.max(p.x);
        y0 = y0.min(p.min);
        y1 = y1.max(p.max);
    }
    let (x0, x1) = (x0 / 1.5, x1 * 1.5);
    if let Some(roof) = plot.roof {
        y0 = y0.min(roof.at(x0));
        y1 = y1.max(roof.peak_gflops);
    }
    // Headroom above, and a clear band below for the legend (log axis: pad by ratios).
    let span = (y1 / y0).max(4.0);
    ((x0, x1), (y0 / span.powf(0.6), y1 * 2.0))
}

/// Points spread evenly on a log axis, for drawing the roof's bend.
fn log_steps(x0: f64, x1: f64, n: usize) -> impl Iterator<Item = f64> + Clone {
    let step = (x1 / x0).ln() / (n - 1) as f64;
    (0..n).map(move |i| x0 * (step * i as f64).exp())
}

/// The chart as an inline SVG element.
pub(super) fn svg(plot: &GemmPlot) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let ((x0, x1), (y0, y1)) = extents(plot);
        let mut chart = ChartBuilder::on(&root)
            .caption(&plot.title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d((x0..x1).log_scale().base(2.0), (y0..y1).log_scale())
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("size (M·N·K)^(1/3), log2 scale")
            .y_desc("GFLOP/s, log scale")
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| sig3(*v))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(draw_error)?;
        if let Some(roof) = plot.roof {
            draw_roof(&mut chart, roof, x0, x1)?;
        }
        for (i, series) in plot.series.iter().enumerate() {
            draw_series(
                &mut chart,
                series,
                rgb(KERNEL_COLOURS[i % KERNEL_COLOURS.len()]),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg_to_inline(out))
}

type LogChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<
        plotters::coord::combinators::LogCoord<f64>,
        plotters::coord::combinators::LogCoord<f64>,
    >,
>;

fn draw_roof(chart: &mut LogChart<'_, '_>, roof: Roof, x0: f64, x1: f64) -> Result<()> {
    let peak = rgb(PEAK_COLOUR);
    chart
        .draw_series(DashedLineSeries::new(
            [(x0, roof.peak_gflops), (x1, roof.peak_gflops)],
            8,
            5,
            peak.stroke_width(2),
        ))
        .map_err(draw_error)?
        .label(format!("FMA peak {} GFLOP/s", sig3(roof.peak_gflops)))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], peak.stroke_width(2)));
    let colour = rgb(ROOF_COLOUR);
    let line = log_steps(x0, x1, 96).map(|n| (n, roof.at(n)));
    chart
        .draw_series(LineSeries::new(line, colour.stroke_width(3)))
        .map_err(draw_error)?
        .label(format!(
            "roofline: min(peak, 2n/(3·{}B) × {} GB/s)",
            roof.bytes_per_elem,
            sig3(roof.bandwidth_gbps)
        ))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3)));
    Ok(())
}

fn draw_series(chart: &mut LogChart<'_, '_>, series: &Series, colour: RGBColor) -> Result<()> {
    let medians: Vec<(f64, f64)> = series.points.iter().map(|p| (p.x, p.median)).collect();
    chart
        .draw_series(LineSeries::new(medians.clone(), colour.stroke_width(2)))
        .map_err(draw_error)?
        .label(&series.name)
        .legend(move |(x, y)| Circle::new((x + 9, y), 5, colour.filled()));
    chart
        .draw_series(series.points.iter().map(|p| {
            ErrorBar::new_vertical(p.x, p.min, p.median, p.max, colour.stroke_width(2), 10)
        }))
        .map_err(draw_error)?;
    chart
        .draw_series(
            medians
                .iter()
                .map(|&(x, y)| Circle::new((x, y), 5, colour.filled())),
        )
        .map_err(draw_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_roof_bends_where_intensity_meets_the_peak() {
        let roof = Roof {
            peak_gflops: 100.0,
            bandwidth_gbps: 3.0,
            bytes_per_elem: 4.0,
        };
        // 2n/(3*4) FLOP/byte x 3 GB/s = n/2 GFLOP/s: bandwidth-bound below n = 200.
        assert!((roof.at(64.0) - 32.0).abs() < 1e-9);
        assert_eq!(roof.at(1024.0), 100.0);
        assert!((size(GemmShape::square(64)) - 64.0).abs() < 1e-9);
    }
}
