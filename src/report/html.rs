//! The self-contained HTML report (`fleetbench report RESULTS --html FILE`): one file with
//! inline CSS and inline SVG charts drawn by plotters — GFLOP/s against size with the
//! measured roofline, the catalog fleets' projected training and inference throughput
//! with their ranges, a vendor comparison at equal power, per-node bars for a merged
//! cluster, H100-equivalents per company over time as stacked areas — with the raw figures
//! as tables, the assumptions and their sources, the
//! adapter, driver and environment, and the exact command lines. It has no scripts, no
//! fonts and no links, so it reads the same with the network off.

mod bars;
mod doc;
mod fleets;
mod gemm_chart;
mod measured;
mod stack_chart;

pub use stack_chart::Stack;

use std::path::Path;

use plotters::style::RGBColor;

use crate::model::comparison::Compared;
use crate::model::{DType, Projection};
use crate::report::{RenderError, Table};
use crate::report::{ReportError, Result};
use crate::results::ResultsFile;

/// Kernel line colours of the GFLOP/s chart (RGB), in series order.
pub const KERNEL_COLOURS: [(u8, u8, u8); 6] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (23, 190, 207),
];
/// The FMA peak line.
pub const PEAK_COLOUR: (u8, u8, u8) = (90, 90, 90);
/// The roofline.
pub const ROOF_COLOUR: (u8, u8, u8) = (20, 20, 20);
/// Training-throughput bars.
pub const TRAINING_COLOUR: (u8, u8, u8) = (42, 157, 143);
/// Inference-throughput bars.
pub const INFERENCE_COLOUR: (u8, u8, u8) = (233, 150, 58);
/// Per-node bars of a cluster.
pub const NODE_COLOUR: (u8, u8, u8) = (70, 110, 200);
/// Bars of nodes holding a straggler.
pub const STRAGGLER_COLOUR: (u8, u8, u8) = (200, 30, 60);
/// The companies' bands of the timeline chart, in band order.
pub const COMPANY_COLOURS: [(u8, u8, u8); 6] = [
    (16, 163, 127),
    (66, 103, 178),
    (60, 60, 60),
    (204, 120, 92),
    (155, 89, 182),
    (241, 196, 15),
];

/// Why a fleet could not be projected: the command's error, cause chain included (shared,
/// so an outcome stays cheap to clone; `report` does not know the crate's error type).
pub type Unprojected = std::sync::Arc<dyn std::error::Error + Send + Sync>;

/// One fleet of the catalog as projected (or why it could not be).
#[derive(Debug, Clone)]
pub struct FleetOutcome {
    pub id: String,
    /// The fleet's name and operator, for tables.
    pub name: String,
    pub dtype: Option<DType>,
    pub projection: std::result::Result<Projection, Unprojected>,
}

/// Everything the report shows besides the results file itself.
pub struct Inputs<'a> {
    /// The results file as given on the command line.
    pub path: &'a Path,
    pub file: &'a ResultsFile,
    pub fleets: &'a [FleetOutcome],
    /// The vendor comparison: accelerator id and its projection at equal power.
    pub vendors: &'a [Compared],
    /// The comparison's basis, e.g. "1GW facility power each".
    pub vendor_basis: String,
    /// The comparison as `fleetbench compare` prints it.
    pub vendor_table: Table,
    /// The assumptions, each with its status and source.
    pub assumptions: Vec<String>,
    /// The fleets over time: H100-equivalents per company, and the timeline's tables
    /// (per company, and the articles' checks) as `fleetbench timeline` prints them.
    pub timeline: Stack,
    pub timeline_tables: Vec<Table>,
    /// This report's own command line.
    pub command_line: &'a [String],
}

/// Renders the whole report as one HTML document.
pub fn render(inputs: &Inputs<'_>) -> Result<String> {
    let measured = measured::Measured::of(inputs.file);
    let mut body = String::new();
    body.push_str(&doc::para(&format!(
        "From {} ({}).",
        inputs.path.display(),
        measured.kind()
    )));
    body.push_str(&measured.section()?);
    body.push_str(&fleets::fleets_section(inputs, &measured)?);
    body.push_str(&fleets::vendors_section(inputs)?);
    body.push_str(&timeline_section(inputs)?);
    body.push_str(&doc::section(
        "assumptions",
        "Assumptions and sources",
        &doc::notes(&inputs.assumptions),
    ));
    body.push_str(&measured.environment_section(inputs.command_line));
    Ok(doc::page(&measured.label(), STYLE, &body))
}

/// The fleets over time: the stacked areas, then the tables.
fn timeline_section(inputs: &Inputs<'_>) -> Result<String> {
    let mut body = doc::para(
        "Every dated phase of the catalog's fleets, installed at each year's end and summed per company (a fleet another already counts is left out of the total), under the default assumptions, as `fleetbench timeline` computes it.",
    );
    body.push_str(&doc::figure(
        &stack_chart::svg(&inputs.timeline)?,
        "H100-equivalents = dense BF16 FLOP/s over the H100's; each band one company, stacked, so the top edge is the total.",
    ));
    for table in &inputs.timeline_tables {
        body.push_str(&doc::table(table));
    }
    Ok(doc::section(
        "timeline",
        "Fleets over time and what they cost",
        &body,
    ))
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}\
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}\
table{border-collapse:collapse;margin:1em 0;font-size:.85em}caption{text-align:left;font-weight:bold;padding:.3em 0}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left}th{background:#f3f3f3}\
tbody tr:nth-child(even){background:#fafafa}figure{margin:1em 0}svg{max-width:100%;height:auto}\
figcaption{font-size:.85em;color:#555}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em;font-size:.9em}\
dt{font-weight:bold}dd{margin:0;word-break:break-all}pre{background:#f5f5f5;padding:.6em;white-space:pre-wrap;word-break:break-all}\
ul.notes{font-size:.85em;color:#444}.warn{color:#b00020;font-weight:bold}";

/// A plotters colour from an RGB triple.
fn rgb((r, g, b): (u8, u8, u8)) -> RGBColor {
    RGBColor(r, g, b)
}

/// A plotters drawing failure (its error types are generic over the backend).
fn draw_error(e: impl std::fmt::Display) -> ReportError {
    RenderError::Draw(e.to_string()).into()
}

/// Plotters' SVG as an element to inline in HTML: the namespace attribute (a URL the
/// HTML parser does not need) is dropped, so the page names no address at all.
fn svg_to_inline(svg: String) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}
