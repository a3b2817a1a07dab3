//! `timeline`'s output in every format: per company and per fleet at each year's end
//! (accelerators, facility power, H100-equivalents, training and serving, capex and yearly
//! cost), the source articles' checks with the model's figure, the ratio and the verdict,
//! and the dated phases behind it all with their basis and status. JSON carries every
//! figure as a low / central / high range; CSV writes raw numbers in SI base units and
//! dollars.

use serde::Serialize;

use super::{Cell, Column, Shown, Table, Unit, View};
use crate::model::assumptions::{Assumptions, Sourced};
use crate::model::checks::{Outcome, Verdict};
use crate::model::cost::CostAssumptions;
use crate::model::phase::Phase;
use crate::model::timeline::{Figures, OutsideWindow, Setup, ShareRamp, Timeline, Window};
use crate::model::units::{range_text, sig3};
use crate::model::{Fleet, Range};

/// `fleetbench timeline`.
#[derive(Debug, Serialize)]
pub struct TimelineView<'a> {
    pub window: Window,
    pub model: String,
    /// The unit of H100-equivalents: the H100's dense BF16 FLOP/s.
    pub h100_bf16_flops: f64,
    pub inference_share: &'a Sourced<ShareRamp>,
    pub companies: &'a [crate::model::timeline::CompanyYear],
    pub fleets: &'a [crate::model::timeline::FleetYear],
    pub checks: &'a [Outcome],
    pub outside_window: &'a [OutsideWindow],
    pub phases: Vec<PhaseJson<'a>>,
    pub costs: &'a CostAssumptions,
    pub assumptions: &'a Assumptions,
}

/// One phase of a shown fleet.
#[derive(Debug, Serialize)]
pub struct PhaseJson<'a> {
    pub fleet: &'a str,
    pub company: &'a str,
    pub accelerator: &'a str,
    /// The fleet that already counts this phase (the phase's own `within`, else its fleet's).
    pub counted_in: Option<&'a str>,
    #[serde(flatten)]
    pub phase: &'a Phase,
}

impl<'a> TimelineView<'a> {
    pub fn new(
        timeline: &'a Timeline,
        fleets: &[&'a Fleet],
        checks: &'a [Outcome],
        setup: &'a Setup<'a>,
        assumptions: &'a Assumptions,
    ) -> Self {
        let phases = fleets
            .iter()
            .flat_map(|f| {
                f.phases.iter().map(move |p| PhaseJson {
                    fleet: &f.id,
                    company: f.company(),
                    accelerator: f.phase_accelerator(p),
                    counted_in: f.phase_within(p),
                    phase: p,
                })
            })
            .collect();
        TimelineView {
            window: timeline.window,
            model: setup.model.describe(),
            h100_bf16_flops: timeline.h100_bf16_flops,
            inference_share: &setup.inference_share,
            companies: &timeline.companies,
            fleets: &timeline.fleets,
            checks,
            outside_window: &timeline.outside_window,
            phases,
            costs: setup.costs,
            assumptions,
        }
    }
}

impl View for TimelineView<'_> {
    fn tables(&self) -> Vec<Table> {
        vec![
            self.companies_table(),
            self.fleets_table(),
            checks_table(self.checks),
            phases_table(&self.phases),
        ]
    }
}

/// The figure columns every per-year table shares.
fn figure_columns() -> Vec<Column> {
    let range = |header: &str, key: &str, unit: Unit| Column::range(header, key, unit, Shown::Si);
    vec![
        range("accelerators", "accelerators", Unit::Count),
        range("power", "power", Unit::Watt),
        range("H100-eq", "h100_equivalents", Unit::Count),
        range("training FLOP/s", "training", Unit::FlopPerSecond),
        range("output tokens/s", "output", Unit::TokenPerSecond),
        Column::usd("capex", "capex", Unit::Usd, 1.0),
        Column::usd("yearly cost", "yearly_cost", Unit::Usd, 1.0),
    ]
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    vec![
        f.accelerators.into(),
        f.power_w.into(),
        f.h100_equivalents.into(),
        f.training_flops_per_s.into(),
        f.output_tokens_per_s.into(),
        f.capex_usd.into(),
        f.yearly_cost_usd.into(),
    ]
}

fn year_column() -> Column {
    Column::number("year", "year", Unit::None, Shown::Whole)
}

impl TimelineView<'_> {
    fn companies_table(&self) -> Table {
        let mut columns = vec![year_column(), Column::text("company", "company")];
        columns.extend(figure_columns());
        let mut t = Table::new("companies", columns).with_title(format!(
            "Fleets over time per company, {}–{} (year-end; each accelerator counted once), {}",
            self.window.from, self.window.to, self.model
        ));
        for c in self.companies {
            let mut cells = vec![Cell::Number(f64::from(c.year)), c.company.as_str().into()];
            cells.extend(figure_cells(&c.figures));
            t.push_row(cells);
        }
        let mut gaps: Vec<String> = Vec::new();
        for c in self.companies {
            for g in &c.figures.gaps {
                if !gaps.contains(g) {
                    gaps.push(g.clone());
                }
            }
        }
        for g in gaps {
            t.push_note(format!("'-': {g}"));
        }
        for note in self.notes() {
            t.push_assumption_note(note);
        }
        t
    }

    fn fleets_table(&self) -> Table {
        let mut columns = vec![
            year_column(),
            Column::text("fleet", "fleet"),
            Column::text("company", "company").detail(),
            Column::text("counted", "counted").detail(),
            Column::text("generations", "generations"),
        ];
        columns.extend(figure_columns());
        let mut t = Table::new("fleets", columns).with_title("Each fleet at the year's end");
        for f in self.fleets {
            let mut cells = vec![
                Cell::Number(f64::from(f.year)),
                f.fleet.as_str().into(),
                f.company.as_str().into(),
                if f.counted { "yes" } else { "within another" }.into(),
                f.figures.accelerator_ids.join("+").into(),
            ];
            cells.extend(figure_cells(&f.figures));
            t.push_row(cells);
        }
        t.push_note(
            "counted: 'within another' fleets (a part of a deal, or the chip deal housed in Stargate's sites) are shown but left out of their company's total; see the phases' basis.",
        );
        t
    }

    /// The lines under the companies table: what each figure means and rests on.
    fn notes(&self) -> Vec<String> {
        let share = self.inference_share;
        let mut notes = vec![
            format!(
                "H100-equivalents = dense BF16 FLOP/s / the H100's {} TFLOP/s (BF16 derived as FP8 / 2 where unpublished: Rubin, MI450).",
                sig3(self.h100_bf16_flops / 1e12)
            ),
            format!(
                "Serving share per year: {} — {} — {}. Training FLOP/s are the rest of each fleet at the largest job's goodput; output tokens/s at {}.",
                share_text(&share.value),
                share.status,
                share.source,
                self.model
            ),
            "Capex = accelerators (price as sold) + facility per MW of IT load, for what is installed (no retirements); yearly cost = depreciation + facility amortisation + energy + operations. Scale-out network, storage, land and financing are not priced.".into(),
        ];
        for o in self.outside_window {
            notes.push(format!("{}: not shown, {}", o.fleet, o.reason));
        }
        notes.push("cost assumptions (value — status — source):".into());
        for (name, s) in self.costs.defaults.named() {
            notes.push(format!("  {}", describe(name, s)));
        }
        notes.push(format!(
            "  {}",
            describe("serving utilisation", &self.costs.serving_utilisation)
        ));
        notes.push("prices per accelerator (USD, value — status — source):".into());
        for (accelerator, price) in &self.costs.prices {
            notes.push(format!("  {}", describe(accelerator, price)));
        }
        notes.push(
            "projection assumptions (value — status — source; each fleet's PUE, power method and site as under `fleetbench project --fleet ID`):"
                .into(),
        );
        notes.extend(
            super::projection::shared_assumption_lines(self.assumptions)
                .into_iter()
                .map(|line| format!("  {line}")),
        );
        notes
    }
}

fn describe(name: &str, s: &Sourced<Range>) -> String {
    format!(
        "{name}: {} — {} — {}",
        range_text(&s.value, sig3),
        s.status,
        s.source
    )
}

fn share_text(ramp: &ShareRamp) -> String {
    match ramp {
        ShareRamp::Constant(s) => format!("{:.0}% every year", s * 100.0),
        ShareRamp::Points(points) => points
            .iter()
            .map(|(y, s)| format!("{y}: {:.0}%", s * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The articles' checks: claim, model figure, ratio, verdict and source.
pub fn checks_table(outcomes: &[Outcome]) -> Table {
    let value = |header: &str, key: &str| Column::range(header, key, Unit::PerRow, Shown::Si);
    let mut t = Table::new(
        "checks",
        vec![
            Column::text("check", "check"),
            Column::text("claim", "claim"),
            Column::number("year", "year", Unit::None, Shown::Whole),
            value("model", "model"),
            value("claimed", "claimed"),
            Column::text("unit", "unit"),
            Column::range("model / claim", "ratio", Unit::None, Shown::Scaled(1.0)),
            Column::text("verdict", "verdict"),
            Column::text("source", "source").detail(),
        ],
    )
    .with_title("The source articles' own figures against the model");
    for o in outcomes {
        let c = &o.check;
        t.push_row(vec![
            c.id.as_str().into(),
            c.claim.as_str().into(),
            c.year.map(f64::from).into(),
            o.model.into(),
            c.value.into(),
            o.unit.into(),
            o.ratio.into(),
            o.verdict.label().into(),
            c.source.as_str().into(),
        ]);
    }
    for o in outcomes {
        let c = &o.check;
        let rule = match c.kind {
            crate::model::checks::Kind::Near => format!(
                "the claim within the model's range widened {}x either way",
                sig3(c.tolerance)
            ),
            crate::model::checks::Kind::AtLeast => "the model's high end reaches the claim".into(),
            crate::model::checks::Kind::AtMost => "the model's low end is at most the claim".into(),
        };
        let verdict = match &o.verdict {
            Verdict::Pass => "passes",
            Verdict::Fail => "FAILS",
            Verdict::NotEvaluated(_) => "not evaluated",
        };
        t.push_note(format!("{} {verdict} ({rule}): {}", c.id, c.note));
    }
    t
}

/// The dated phases behind the timeline, with what is stated and what is not.
fn phases_table(phases: &[PhaseJson<'_>]) -> Table {
    let mut t = Table::new(
        "phases",
        vec![
            Column::text("fleet", "fleet"),
            Column::text("online", "online"),
            Column::text("ramp from", "ramp_from"),
            Column::text("accelerator", "accelerator"),
            Column::range("adds accelerators", "count", Unit::Count, Shown::Si),
            Column::range("adds power", "power", Unit::Watt, Shown::Si),
            Column::text("status", "status"),
            Column::text("within", "within").detail(),
            Column::text("source status", "source_status"),
            Column::text("basis", "basis").detail(),
        ],
    )
    .with_title("Build-out phases (the basis says what is stated, interpolated or assumed)");
    for p in phases {
        let ph = p.phase;
        t.push_row(vec![
            p.fleet.into(),
            ph.online.to_string().into(),
            ph.ramp
                .map_or(String::new(), |r| match r.start {
                    Some(start) => format!("{} (from {})", r.from, sig3(start)),
                    None => r.from.to_string(),
                })
                .into(),
            p.accelerator.into(),
            ph.count.into(),
            ph.power_gw.map(|gw| gw.scale(1e9)).into(),
            ph.status.label().into(),
            p.counted_in.unwrap_or("").into(),
            ph.source_status.as_str().into(),
            ph.basis.as_str().into(),
        ]);
    }
    t.push_note("Sources of every phase: --format json (phases[].source).");
    t
}
