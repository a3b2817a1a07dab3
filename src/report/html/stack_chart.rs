//! The stacked-area chart of the timeline: H100-equivalents installed per company at each
//! year's end, one filled band per company stacked on the ones below it, so the top edge is
//! the total. Drawn with plotters' polygons into inline SVG, a legend naming each band.

use plotters::prelude::*;

use super::{COMPANY_COLOURS, draw_error, rgb, svg_to_inline};
use crate::model::timeline::Timeline;
use crate::model::units::si;
use crate::report::Result;

const SIZE: (u32, u32) = (900, 460);

/// Bands stacked over the years, bottom band first.
#[derive(Debug, Clone, PartialEq)]
pub struct Stack {
    pub title: String,
    /// The y axis description, with its unit.
    pub axis: String,
    pub years: Vec<i32>,
    /// Each band's name and its value per year (same length as `years`).
    pub bands: Vec<(String, Vec<f64>)>,
}

impl Stack {
    /// H100-equivalents per company and year (central), bands in order of first appearance;
    /// a company with nothing installed in a year counts zero there.
    pub fn h100_equivalents(timeline: &Timeline) -> Stack {
        let years: Vec<i32> = timeline.window.years().collect();
        let mut bands: Vec<(String, Vec<f64>)> = Vec::new();
        for c in &timeline.companies {
            let i = match bands.iter().position(|(name, _)| *name == c.company) {
                Some(i) => i,
                None => {
                    bands.push((c.company.clone(), vec![0.0; years.len()]));
                    bands.len() - 1
                }
            };
            let slot = usize::try_from(c.year - timeline.window.from).unwrap_or(0);
            bands[i].1[slot] = c.figures.h100_equivalents.map_or(0.0, |r| r.central);
        }
        Stack {
            title: format!(
                "H100-equivalents installed per company, {}–{}",
                timeline.window.from, timeline.window.to
            ),
            axis: "H100-equivalents (dense BF16 FLOP/s / the H100's)".into(),
            years,
            bands,
        }
    }

    /// The top of every band per year: running sums, bottom band first.
    fn tops(&self) -> Vec<Vec<f64>> {
        let mut running = vec![0.0; self.years.len()];
        self.bands
            .iter()
            .map(|(_, values)| {
                for (sum, v) in running.iter_mut().zip(values) {
                    *sum += v.max(0.0);
                }
                running.clone()
            })
            .collect()
    }
}

/// The chart as an inline SVG element.
pub(super) fn svg(stack: &Stack) -> Result<String> {
    let tops = stack.tops();
    let highest = tops
        .last()
        .map_or(0.0, |t| t.iter().copied().fold(0.0, f64::max))
        .max(1.0);
    let (first, last) = match (stack.years.first(), stack.years.last()) {
        (Some(f), Some(l)) => (f64::from(*f), f64::from(*l)),
        _ => (0.0, 1.0),
    };
    let x_end = if last > first { last } else { first + 1.0 };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&stack.title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(first..x_end, 0.0..highest * 1.15)
            .map_err(draw_error)?;
        chart
            .configure_mesh()
            .x_desc("year (figures at the year's end)")
            .y_desc(stack.axis.as_str())
            .x_labels(stack.years.len().max(2))
            .x_label_formatter(&|v| format!("{v:.0}"))
            .y_label_formatter(&|v| si(*v))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(draw_error)?;
        let xs: Vec<f64> = stack.years.iter().map(|y| f64::from(*y)).collect();
        let mut below = vec![0.0; xs.len()];
        for (i, ((name, _), top)) in stack.bands.iter().zip(&tops).enumerate() {
            let colour = rgb(COMPANY_COLOURS[i % COMPANY_COLOURS.len()]);
            let mut outline: Vec<(f64, f64)> =
                xs.iter().copied().zip(top.iter().copied()).collect();
            outline.extend(xs.iter().copied().zip(below.iter().copied()).rev());
            chart
                .draw_series(std::iter::once(Polygon::new(outline, colour.filled())))
                .map_err(draw_error)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled())
                });
            below.clone_from(top);
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font(("sans-serif", 14))
            .draw()
            .map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    Ok(svg_to_inline(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_stack_and_each_is_a_filled_polygon_in_its_colour() {
        let stack = Stack {
            title: "t".into(),
            axis: "H100-equivalents".into(),
            years: vec![2024, 2025, 2026],
            bands: vec![
                ("a".into(), vec![1.0, 2.0, 3.0]),
                ("b".into(), vec![0.0, 1.0, 5.0]),
            ],
        };
        assert_eq!(stack.tops()[1], vec![1.0, 3.0, 8.0]);
        let svg = svg(&stack).unwrap();
        for (r, g, b) in &COMPANY_COLOURS[..2] {
            let fill = format!("fill=\"#{r:02X}{g:02X}{b:02X}\"");
            assert!(svg.contains(&fill), "no {fill}");
        }
        assert!(svg.matches("<polygon").count() >= 2, "{svg}");
    }
}
