//! Horizontal bar charts with low–high whiskers: the fleets' projected throughput, the
//! vendors at equal power (both on a log axis) and a cluster's per-node GFLOP/s (linear,
//! stragglers in their own colour). A bar is drawn to the central value; a row with no
//! figure keeps its label, marked "n/a", so nothing silently drops out of a chart.

use plotters::coord::ranged1d::{AsRangedCoord, SegmentValue, ValueFormatter};
use plotters::prelude::*;

use super::{STRAGGLER_COLOUR, draw_error, rgb, svg_to_inline};
use crate::model::Range;
use crate::model::units::si;
use crate::report::Result;

const WIDTH: u32 = 900;
const ROW_HEIGHT: u32 = 30;

/// One row: its label, its figure (None: not available) and whether it is marked.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bar {
    pub label: String,
    pub value: Option<Range>,
    pub marked: bool,
}

/// A whole chart.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BarChart {
    pub title: String,
    /// The x axis description, with its unit.
    pub axis: String,
    pub colour: (u8, u8, u8),
    pub log: bool,
    pub bars: Vec<Bar>,
}

/// The chart as an inline SVG element.
pub(super) fn svg(chart: &BarChart) -> Result<String> {
    let values: Vec<Range> = chart.bars.iter().filter_map(|b| b.value).collect();
    let high = values.iter().map(|r| r.high).fold(0.0, f64::max);
    let low = values.iter().map(|r| r.low).fold(f64::MAX, f64::min);
    let rows = u32::try_from(chart.bars.len()).unwrap_or(u32::MAX).max(1);
    let height = 110 + rows * ROW_HEIGHT;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        if chart.log && high > 0.0 {
            let (x0, x1) = (low / 4.0, high * 4.0);
            draw(&root, chart, (x0..x1).log_scale(), x0)?;
        } else {
            draw(&root, chart, 0.0..(high * 1.2).max(1.0), 0.0)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg_to_inline(out))
}

/// The label of a row, top row first (plotters counts rows from the bottom).
fn label_of(chart: &BarChart, v: &SegmentValue<u32>) -> String {
    let SegmentValue::CenterOf(i) = v else {
        return String::new();
    };
    let n = chart.bars.len();
    let Some(bar) = usize::try_from(*i)
        .ok()
        .filter(|i| *i < n)
        .map(|i| &chart.bars[n - 1 - i])
    else {
        return String::new();
    };
    match (bar.value, bar.marked) {
        (None, _) => format!("{} (n/a)", bar.label),
        (Some(_), true) => format!("{} (straggler)", bar.label),
        (Some(_), false) => bar.label.clone(),
    }
}

fn draw<X>(
    root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    chart: &BarChart,
    x: X,
    base: f64,
) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = u32::try_from(chart.bars.len()).unwrap_or(u32::MAX);
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 18))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(200)
        .build_cartesian_2d(x, (0..n.max(1)).into_segmented())
        .map_err(draw_error)?;
    ctx.configure_mesh()
        .disable_y_mesh()
        .y_labels(chart.bars.len().max(1))
        .y_label_formatter(&|v| label_of(chart, v))
        .x_label_formatter(&|v| si(*v))
        .x_desc(chart.axis.as_str())
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(draw_error)?;
    let rows = chart.bars.iter().rev().enumerate();
    for (i, bar) in rows {
        let Some(value) = bar.value else { continue };
        let i = u32::try_from(i).unwrap_or(0);
        let colour = rgb(if bar.marked {
            STRAGGLER_COLOUR
        } else {
            chart.colour
        });
        let mut rect = Rectangle::new(
            [
                (base, SegmentValue::Exact(i)),
                (value.central, SegmentValue::Exact(i + 1)),
            ],
            colour.filled(),
        );
        rect.set_margin(5, 5, 0, 0);
        let y = SegmentValue::CenterOf(i);
        ctx.draw_series([rect]).map_err(draw_error)?;
        if !value.is_exact() {
            let whisker = ErrorBar::new_horizontal(
                y.clone(),
                value.low,
                value.central,
                value.high,
                BLACK.stroke_width(2),
                12,
            );
            ctx.draw_series([whisker]).map_err(draw_error)?;
        }
        let label = EmptyElement::at((value.high, y))
            + Text::new(si(value.central), (6, -7), ("sans-serif", 13));
        ctx.draw_series([label]).map_err(draw_error)?;
    }
    Ok(())
}
