//! A projection as every format shows it: the JSON contract of `project` (and of each row
//! of `compare`) as typed `Serialize` views, the figures table with raw numbers in SI base
//! units and a unit column, the serving-layout table, and the notes under them (checks,
//! gaps, every assumption with its status and source), each note tagged with what it is
//! about so `compare` and the report can pick the ones they need.

use serde::Serialize;

use super::{Cell, Column, Shown, Table, Unit, View};
use crate::bridge::Measured;
use crate::model::assumptions::PowerLaw;
use crate::model::cost::{self, CostAssumptions, FleetCost};
use crate::model::inference::Inference;
use crate::model::power::Binding;
use crate::model::units::{self, si};
use crate::model::{
    self, Assumptions, PowerMethod, Projection, Range, ReferenceModel, Sourced, Training,
};

/// `project`'s output: one projection, and what a measurement adds to it.
#[derive(Debug, Serialize)]
pub struct ProjectionView<'a> {
    #[serde(flatten)]
    pub projection: ProjectionJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<&'a Measured>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalents_of_measured: Option<Option<Range>>,
}

impl<'a> ProjectionView<'a> {
    pub fn new(
        p: &'a Projection,
        a: &'a Assumptions,
        measured: Option<&'a Measured>,
        costs: &CostAssumptions,
    ) -> Self {
        ProjectionView {
            projection: ProjectionJson::new(p, a, cost::fleet_cost(p, costs)),
            measured,
            equivalents_of_measured: measured.map(|m| equivalents(p, m)),
        }
    }
}

impl View for ProjectionView<'_> {
    fn tables(&self) -> Vec<Table> {
        let (p, a) = (self.projection.p, self.projection.a);
        let mut figures = figures_table(p, a);
        cost_rows(&mut figures, &self.projection);
        if let Some(m) = self.measured {
            measured_rows(&mut figures, p, m);
        }
        let mut tables = vec![figures];
        tables.extend(layout_table(p));
        tables
    }
}

/// The JSON object of one projection (the stable contract scripts read).
#[derive(Debug, Serialize)]
pub struct ProjectionJson<'a> {
    pub fleet: FleetJson<'a>,
    pub model: ModelJson<'a>,
    pub training: Option<&'a Training>,
    pub inference: Option<InferenceJson<'a>>,
    pub inference_unavailable: Option<&'a str>,
    pub assumptions: AssumptionsJson<'a>,
    /// Capex, yearly cost, $/accelerator-hour, $/training run, $/million output tokens.
    pub cost: Option<FleetCost>,
    /// Why there is no cost (no price, or no power figure).
    pub cost_unavailable: Option<String>,
    #[serde(skip)]
    p: &'a Projection,
    #[serde(skip)]
    a: &'a Assumptions,
}

impl<'a> ProjectionJson<'a> {
    pub fn new(
        p: &'a Projection,
        a: &'a Assumptions,
        cost: Result<FleetCost, cost::CostGap>,
    ) -> Self {
        let (cost, cost_unavailable) = match cost {
            Ok(c) => (Some(c), None),
            Err(gap) => (None, Some(gap.to_string())),
        };
        ProjectionJson {
            cost,
            cost_unavailable,
            fleet: FleetJson {
                id: &p.id,
                accelerator: &p.accelerator,
                count: p.count,
                count_stated: p.count_stated,
                count_power_fed: p.count_power_fed,
                binding: p.binding,
                power_mw: p.power_w.map(|w| w.scale(1e-6)),
                count_from_power: p.modelled_count,
                model_check: p.disagreement.as_deref(),
            },
            model: ModelJson {
                model: &p.model,
                training_flop: p.model.training_flop(),
            },
            training: p.training.as_ref(),
            inference: p.inference.as_ref().ok().map(|i| InferenceJson {
                inference: i,
                users_vs_chatgpt_weekly: &i.users.vs_chatgpt_weekly,
            }),
            inference_unavailable: p.inference.as_ref().err().map(|g| g.message()),
            assumptions: AssumptionsJson::new(p, a),
            p,
            a,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FleetJson<'a> {
    pub id: &'a str,
    pub accelerator: &'a str,
    pub count: Range,
    pub count_stated: Option<Range>,
    pub count_power_fed: Option<Range>,
    pub binding: Option<Binding>,
    pub power_mw: Option<Range>,
    pub count_from_power: Option<Range>,
    pub model_check: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ModelJson<'a> {
    #[serde(flatten)]
    pub model: &'a ReferenceModel,
    pub training_flop: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct InferenceJson<'a> {
    #[serde(flatten)]
    pub inference: &'a Inference,
    pub users_vs_chatgpt_weekly: &'a [model::users::ChatGptComparison],
}

/// The assumptions as scripts read them: every field of `Assumptions`, plus the figures
/// resolved for this accelerator and the names earlier versions used.
#[derive(Debug, Serialize)]
pub struct AssumptionsJson<'a> {
    #[serde(flatten)]
    pub assumptions: &'a Assumptions,
    /// The training format (the name before training and serving formats were apart).
    pub dtype: model::DType,
    /// The PUE used: the flag's, else the fleet's, else the catalog's.
    pub pue: &'a Sourced<Range>,
    /// The serving efficiency of the serving format, under its two earlier names.
    pub compute_util: Sourced<Range>,
    pub bandwidth_util: Sourced<Range>,
    pub context_tokens: Sourced<f64>,
    pub tokens_per_user_day: Sourced<f64>,
    pub peak_flops_per_accelerator: Range,
    pub serve_peak_flops_per_accelerator: Range,
    pub bf16_peak_derived_from: Option<model::DType>,
    pub all_in_kw_per_accelerator: Option<AllInKw>,
    /// All-in power over TDP for this accelerator (the multiplier earlier versions applied;
    /// all-in power is now system power / accelerators, or TDP + a host overhead).
    pub tdp_overhead: Option<Sourced<Range>>,
    /// The goodput training used: the user's, else the failure model's at the largest
    /// job's size (`None` without training).
    pub goodput: Option<Sourced<Range>>,
}

#[derive(Debug, Serialize)]
pub struct AllInKw {
    pub value: Range,
    pub method: PowerMethod,
}

impl<'a> AssumptionsJson<'a> {
    fn new(p: &'a Projection, a: &'a Assumptions) -> Self {
        let efficiency = a.serving_efficiency();
        AssumptionsJson {
            assumptions: a,
            dtype: a.precision.train,
            pue: &p.pue,
            compute_util: efficiency.clone(),
            bandwidth_util: efficiency,
            context_tokens: a.context_tokens(),
            tokens_per_user_day: a.tokens_per_user_day(),
            peak_flops_per_accelerator: p.peak_flops,
            serve_peak_flops_per_accelerator: p.serve_peak_flops,
            bf16_peak_derived_from: p.bf16_peak.as_ref().and_then(|b| b.derived_from),
            all_in_kw_per_accelerator: p.all_in_kw.map(|(value, method)| AllInKw { value, method }),
            tdp_overhead: tdp_overhead(p),
            goodput: goodput_used(p, a),
        }
    }
}

fn goodput_used(p: &Projection, a: &Assumptions) -> Option<Sourced<Range>> {
    if let Some(fixed) = &a.goodput {
        return Some(fixed.clone());
    }
    let job = &p.training.as_ref()?.largest_job;
    Some(Sourced {
        value: job.goodput,
        status: "derived".into(),
        source: format!(
            "1 / (1 + failures per accelerator-hour x accelerators x hours lost per interruption) \
             at the largest job's {} accelerators",
            si(job.accelerators.central)
        ),
    })
}

fn tdp_overhead(p: &Projection) -> Option<Sourced<Range>> {
    let ((kw, _), tdp_w) = (p.all_in_kw?, p.tdp_w?);
    Some(Sourced {
        value: kw.scale(1e3 / tdp_w),
        status: "derived".into(),
        source: format!(
            "all-in kW per accelerator / its {tdp_w} W TDP (kept for scripts: the all-in power is no longer TDP x a factor)"
        ),
    })
}

fn equivalents(p: &Projection, m: &Measured) -> Option<Range> {
    p.training
        .as_ref()
        .and_then(|t| model::local_equivalents(t.flops_per_s, m.flops_per_s))
}

/// The figures table: section, figure, central / low / high in SI base units, unit.
fn figures_table(p: &Projection, a: &Assumptions) -> Table {
    let title = format!(
        "{} — {} on {} (train {}, serve {}), {}",
        p.id,
        p.model.describe(),
        p.accelerator,
        p.precision.train,
        p.precision.serve,
        split_text(a)
    );
    let value = |header: &str| Column::number(header, header, Unit::PerRow, Shown::Si);
    let mut t = Table::new(
        "projection",
        vec![
            Column::text("section", "section"),
            Column::text("figure", "figure"),
            value("central"),
            value("low"),
            value("high"),
            Column::text("unit", "unit"),
        ],
    )
    .with_title(title);
    fleet_rows(&mut t, p);
    training_rows(&mut t, p);
    inference_rows(&mut t, p);
    for note in assumption_notes(p, a) {
        t.push_assumption_note(note.text);
    }
    t
}

/// One figure: its range in `unit` (an SI base unit, or a count).
fn row(t: &mut Table, section: &str, figure: &str, r: Range, unit: &str) {
    t.push_row(vec![
        section.into(),
        figure.into(),
        r.central.into(),
        r.low.into(),
        r.high.into(),
        unit.into(),
    ]);
}

fn split_text(a: &Assumptions) -> String {
    match a.inference_share {
        Some(s) => format!(
            "{:.0}% training / {:.0}% serving",
            (1.0 - s) * 100.0,
            s * 100.0
        ),
        None => "each section uses the whole fleet".into(),
    }
}

fn fleet_rows(t: &mut Table, p: &Projection) {
    if let (Some(stated), Some(fed)) = (p.count_stated, p.count_power_fed) {
        row(t, "fleet", "accelerators stated", stated, "accelerators");
        row(
            t,
            "fleet",
            "accelerators the power feeds",
            fed,
            "accelerators",
        );
    }
    let binding = match p.binding {
        Some(Binding::Power) => "accelerators (the power binds)",
        Some(Binding::Count) => "accelerators (the count binds)",
        None => "accelerators",
    };
    row(t, "fleet", binding, p.count, "accelerators");
    if let Some(w) = p.power_w {
        row(t, "fleet", "facility power", w, "W");
    }
    if let Some((kw, _)) = p.all_in_kw {
        row(
            t,
            "fleet",
            "all-in IT power per accelerator",
            kw.scale(1e3),
            "W",
        );
    }
    row(t, "fleet", "PUE", p.pue.value, "ratio");
    row(
        t,
        "fleet",
        &format!("dense {} peak per accelerator", p.precision.train),
        p.peak_flops,
        "FLOP/s",
    );
}

fn training_rows(t: &mut Table, p: &Projection) {
    let Some(tr) = &p.training else { return };
    let job = &tr.largest_job;
    row(
        t,
        "training",
        "accelerators training",
        tr.accelerators,
        "accelerators",
    );
    row(
        t,
        "training",
        "achieved compute (fleet)",
        tr.flops_per_s,
        "FLOP/s",
    );
    row(
        t,
        "training",
        &format!("largest job (limited by {})", job.limited_by.label()),
        job.accelerators,
        "accelerators",
    );
    row(
        t,
        "training",
        "goodput of the largest job",
        job.goodput,
        "ratio",
    );
    row(
        t,
        "training",
        "such jobs side by side",
        job.side_by_side,
        "jobs",
    );
    let optional = [
        (tr.tokens_per_s, "training tokens (fleet)", "tokens/s"),
        (tr.days, "days to train the model (largest job)", "days"),
        (tr.gpu_hours, "accelerator-hours for the model", "h"),
        (
            tr.models_per_year,
            "such models per year (largest job)",
            "models",
        ),
    ];
    for (value, figure, unit) in optional {
        if let Some(v) = value {
            row(t, "training", figure, v, unit);
        }
    }
}

fn inference_rows(t: &mut Table, p: &Projection) {
    let Ok(i) = &p.inference else { return };
    row(
        t,
        "inference",
        "accelerators serving",
        i.accelerators,
        "accelerators",
    );
    row(
        t,
        "inference",
        "output per accelerator",
        i.decode_tokens_per_s_per_accelerator,
        "tokens/s",
    );
    row(
        t,
        "inference",
        "input (prefill) per accelerator",
        i.prefill_tokens_per_s_per_accelerator,
        "tokens/s",
    );
    row(
        t,
        "inference",
        "time per output token",
        i.tpot_ms.scale(1e-3),
        "s",
    );
    row(
        t,
        "inference",
        "time to first token",
        i.ttft_ms.scale(1e-3),
        "s",
    );
    row(t, "inference", "fleet output", i.tokens_per_s, "tokens/s");
    row(
        t,
        "inference",
        "fleet requests",
        i.requests_per_s,
        "requests/s",
    );
    if i.users.exceeds_online_population {
        // Said in words, not printed as a number of users (issue 8).
        t.push_row(vec![
            "inference".into(),
            format!(
                "users served: more than everyone online ({:.1}x the world's internet users)",
                i.users_served.central / i.users.online_population
            )
            .into(),
            Cell::Missing,
            Cell::Missing,
            Cell::Missing,
            Cell::Missing,
        ]);
    } else if i.users_served.high > i.users.online_population {
        // Only the optimistic end passes everyone online: that bound is left out, in words.
        t.push_row(vec![
            "inference".into(),
            "users served (weekly; the high end is more than everyone online)".into(),
            i.users_served.central.into(),
            i.users_served.low.into(),
            Cell::Missing,
            "users".into(),
        ]);
    } else {
        row(
            t,
            "inference",
            "users served (weekly)",
            i.users_served,
            "users",
        );
    }
    if let (Some(j), Some(m)) = (i.joules_per_token, i.tokens_per_mwh) {
        row(t, "inference", "energy per output token (facility)", j, "J");
        row(t, "inference", "output tokens per MWh", m, "tokens");
    }
}

/// How one replica serves: its layout, size, batch and the bound that binds.
fn layout_table(p: &Projection) -> Option<Table> {
    let i = p.inference.as_ref().ok()?;
    let mut t = Table::new(
        "serving",
        vec![
            Column::text("replica layout", "layout"),
            Column::number(
                "accelerators per replica",
                "replica_size",
                Unit::Count,
                Shown::Whole,
            ),
            Column::number("batch", "batch", Unit::Count, Shown::Whole),
            Column::text("bound", "bound"),
        ],
    )
    .with_title("Serving replica");
    t.push_row(vec![
        i.layout.to_string().into(),
        i.replica_size.into(),
        Cell::Number(i.batch as f64),
        i.bound.label().into(),
    ]);
    Some(t)
}

/// The money of a projection, and the cost assumptions under the table.
fn cost_rows(t: &mut Table, json: &ProjectionJson<'_>) {
    let Some(c) = &json.cost else {
        if let Some(gap) = &json.cost_unavailable {
            t.push_note(format!("cost not projected: {gap}"));
        }
        return;
    };
    let u = &c.per_accelerator;
    row(t, "cost", "price per accelerator", u.price_usd, "USD");
    row(
        t,
        "cost",
        "capex (accelerators + facility)",
        c.capex_usd,
        "USD",
    );
    row(t, "cost", "yearly cost (fleet)", c.yearly_usd, "USD/year");
    row(
        t,
        "cost",
        "of which opex (energy + operations)",
        c.yearly_opex_usd,
        "USD/year",
    );
    row(
        t,
        "cost",
        "per accelerator-hour",
        c.usd_per_accelerator_hour,
        "USD/h",
    );
    if let Some(run) = c.usd_per_training_run {
        row(t, "cost", "per training run of the model", run, "USD");
    }
    if let Some(m) = c.usd_per_million_output_tokens {
        row(
            t,
            "cost",
            "per million output tokens",
            m,
            "USD per million tokens",
        );
    }
    for note in cost_notes(
        &[(json.p.accelerator.as_str(), &c.price)],
        &c.defaults,
        &c.serving_utilisation,
    ) {
        t.push_assumption_note(note);
    }
}

/// The cost assumptions as notes: the prices used, the cost catalog's figures, the serving
/// utilisation and the formulas.
pub fn cost_notes(
    prices: &[(&str, &Sourced<Range>)],
    defaults: &cost::CostDefaults,
    utilisation: &Sourced<Range>,
) -> Vec<String> {
    let mut notes = vec!["cost (value — status — source):".to_string()];
    for (id, price) in prices {
        notes.push(format!("  price of {id}, USD: {}", sourced_text(price)));
    }
    for (name, s) in defaults.named() {
        notes.push(format!("  {name}: {}", sourced_text(s)));
    }
    notes.push(format!(
        "  serving utilisation: {}",
        sourced_text(utilisation)
    ));
    notes.push(
        "  capex = accelerators x (price + all-in IT kW x facility $/MW); yearly = price / depreciation + facility / its life + facility kWh x $/MWh + opex share x price; per million output tokens = $/accelerator-hour / (output tokens per accelerator-hour x utilisation). Scale-out network, storage, land and financing are not priced.".to_string(),
    );
    notes
}

fn sourced_text(s: &Sourced<Range>) -> String {
    format!(
        "{} — {} — {}",
        units::range_text(&s.value, units::sig3),
        s.status,
        s.source
    )
}

fn measured_rows(t: &mut Table, p: &Projection, m: &Measured) {
    if let Some(e) = equivalents(p, m) {
        row(
            t,
            "measured",
            &format!("equivalents of {}", m.label),
            e,
            "devices",
        );
    }
    t.push_note(format!(
        "measured: {} at {} GFLOP/s on {}{}",
        m.benchmark,
        si(m.flops_per_s / 1e9),
        m.label,
        m.efficiency.map_or(String::new(), |e| format!(
            ", efficiency {:.1}% of its FMA peak",
            e * 100.0
        ))
    ));
}

/// What a note under a projection is about, so other commands can pick notes by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// The model's check of a source's count and power, and which binds.
    Check,
    /// Why serving or power figures are missing.
    Gap,
    /// Users served against ChatGPT and the online population.
    Users,
    /// How the all-in power per accelerator was obtained (differs per accelerator).
    PowerMethod,
    /// An assumption with its value, status and source.
    Assumption,
}

/// One line under a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
}

fn note(kind: NoteKind, text: String) -> Note {
    Note { kind, text }
}

fn check_notes(p: &Projection) -> Vec<Note> {
    let mut notes = Vec::new();
    match (&p.disagreement, p.modelled_count) {
        (Some(d), _) => notes.push(note(NoteKind::Check, format!("MODEL CHECK: {d}."))),
        (None, Some(c)) => notes.push(note(
            NoteKind::Check,
            format!(
                "model check: the stated count lies within the {}–{} accelerators the model derives from the stated power",
                si(c.low),
                si(c.high)
            ),
        )),
        (None, None) => {}
    }
    if let (Some(model::power::Binding::Power), Some(stated)) = (p.binding, p.count_stated) {
        notes.push(note(
            NoteKind::Check,
            format!(
                "the stated power binds: it feeds {} of the {} accelerators stated, and {} are projected",
                si(p.count.central),
                si(stated.central),
                si(p.count.central)
            ),
        ));
    }
    notes
}

/// The lines printed under a projection: checks, gaps, then every assumption and its source.
pub fn assumption_notes(p: &Projection, a: &Assumptions) -> Vec<Note> {
    let mut notes = check_notes(p);
    match &p.inference {
        Ok(i) => notes.push(note(
            NoteKind::Users,
            format!(
                "users served: {} — fleet requests per day at {} messages per weekly user per day, provisioned for peak/average {}",
                i.users.describe(),
                units::sig3(a.messages_per_user_day.value),
                units::range_text(&a.peak_to_average.value, units::sig3)
            ),
        )),
        Err(gap) => notes.push(note(
            NoteKind::Gap,
            format!("inference not projected: {}", gap.message()),
        )),
    }
    if p.power_w.is_none() {
        notes.push(note(
            NoteKind::Gap,
            format!(
                "{} has no published power figure: no facility power or energy per token",
                p.accelerator
            ),
        ));
    }
    if let Some(from) = p.bf16_peak.as_ref().and_then(|b| b.derived_from) {
        notes.push(note(
            NoteKind::Gap,
            format!(
                "{} publishes no bf16 peak: MFU applies to a bf16 peak derived from its {from} peak",
                p.accelerator
            ),
        ));
    }
    notes.push(note(
        NoteKind::Assumption,
        "assumptions (value — status — source):".into(),
    ));
    notes.extend(assumption_lines(p, a));
    notes
}

/// "  name: value — status — source".
fn sourced(kind: NoteKind, name: &str, value: String, status: &str, source: &str) -> Note {
    note(kind, format!("  {name}: {value} — {status} — {source}"))
}

fn range(s: &Sourced<Range>) -> String {
    units::range_text(&s.value, units::sig3)
}

fn assumption_lines(p: &Projection, a: &Assumptions) -> Vec<Note> {
    use NoteKind::Assumption as A;
    let mut lines = vec![
        sourced(
            A,
            "formats",
            format!("train {}, serve {}", p.precision.train, p.precision.serve),
            "user/default",
            "--train-dtype / --serve-dtype (--dtype sets both), else train bf16 and serve fp8 where native",
        ),
        sourced(
            A,
            "model",
            p.model.describe(),
            &p.model.status,
            &p.model.source,
        ),
    ];
    if p.training.is_some() {
        lines.extend(training_lines(p, a));
    }
    lines.push(sourced(
        A,
        "PUE",
        range(&p.pue),
        &p.pue.status,
        &p.pue.source,
    ));
    if let Some((kw, method)) = p.all_in_kw {
        lines.push(sourced(
            NoteKind::PowerMethod,
            "all-in IT kW per accelerator",
            units::range_text(&kw, units::sig3),
            "catalog",
            &power_method_text(method, a),
        ));
    }
    let efficiency = a.serving_efficiency();
    for (name, s) in [
        ("serving efficiency (compute and bandwidth)", &efficiency),
        ("all-reduce latency, us", &a.allreduce_latency_us),
        ("pipeline efficiency", &a.pipeline_efficiency),
        (
            "expert-parallel efficiency across domains",
            &a.expert_parallel_efficiency,
        ),
        ("peak / average provisioning", &a.peak_to_average),
    ] {
        lines.push(sourced(A, name, range(s), &s.status, &s.source));
    }
    let tokens = a.tokens_per_user_day();
    for (name, s) in [
        ("usable memory share", &a.memory_usable),
        ("input tokens per request", &a.input_tokens),
        ("output tokens per request", &a.output_tokens),
        ("messages per weekly user per day", &a.messages_per_user_day),
        ("tokens per user per day", &tokens),
        ("online population", &a.online_population),
    ] {
        lines.push(sourced(A, name, units::sig3(s.value), &s.status, &s.source));
    }
    lines
}

/// The assumptions every projection shares whatever its fleet, "name: value — status —
/// source" each: what a multi-fleet output (the timeline) lists once under its tables.
pub fn shared_assumption_lines(a: &Assumptions) -> Vec<String> {
    let mut lines = vec![format!(
        "formats: train bf16, serve fp8 where the accelerator runs it natively (else bf16) — default — {}",
        "MFU is quoted against the BF16 dense peak; FP8 and FP4 training gain the speedups below"
    )];
    let ranges = [
        ("MFU (vs BF16 peak)", &a.mfu),
        ("FP8 training speedup over BF16", &a.fp8_training_speedup),
        ("FP4 training speedup over BF16", &a.fp4_training_speedup),
        (
            "failures per accelerator-hour",
            &a.failure_rate_per_accelerator_hour,
        ),
        ("hours lost per interruption", &a.interruption_cost_hours),
        (
            "host, network and storage kW per accelerator",
            &a.host_overhead_kw,
        ),
        ("scale-out network and storage share", &a.scaleout_share),
        ("all-reduce latency, us", &a.allreduce_latency_us),
        ("pipeline efficiency", &a.pipeline_efficiency),
        (
            "expert-parallel efficiency across domains",
            &a.expert_parallel_efficiency,
        ),
        ("peak / average provisioning", &a.peak_to_average),
    ];
    for (name, s) in ranges {
        lines.push(format!(
            "{name}: {} — {} — {}",
            range(s),
            s.status,
            s.source
        ));
    }
    for (dtype, s) in &a.serving_efficiency {
        lines.push(format!(
            "serving efficiency in {dtype} (compute and bandwidth): {} — {} — {}",
            range(s),
            s.status,
            s.source
        ));
    }
    let figures = [
        (
            "fewest tokens per accelerator per step",
            &a.min_tokens_per_accelerator,
        ),
        ("usable memory share", &a.memory_usable),
        ("input tokens per request", &a.input_tokens),
        ("output tokens per request", &a.output_tokens),
        ("messages per weekly user per day", &a.messages_per_user_day),
        ("online population", &a.online_population),
    ];
    for (name, s) in figures {
        lines.push(format!(
            "{name}: {} — {} — {}",
            units::sig3(s.value),
            s.status,
            s.source
        ));
    }
    for (name, law) in [
        ("global batch (when unpublished)", &a.critical_batch),
        (
            "compute a model's size is optimal for",
            &a.compute_optimal_model,
        ),
    ] {
        lines.push(format!(
            "{name}: {} x C^{} — {} — {}",
            law.value.coefficient, law.value.exponent, law.status, law.source
        ));
    }
    lines
}

fn training_lines(p: &Projection, a: &Assumptions) -> Vec<Note> {
    use NoteKind::Assumption as A;
    let mfu_label = match model::precision::training_speedup(p.precision.train, a) {
        Some(_) => "MFU (vs BF16 peak)".to_string(),
        None => format!(
            "MFU (a BF16 figure, applied to the {} peak)",
            p.precision.train
        ),
    };
    let mut lines = vec![sourced(
        A,
        &mfu_label,
        range(&a.mfu),
        &a.mfu.status,
        &a.mfu.source,
    )];
    if let Some(s) = model::precision::training_speedup(p.precision.train, a) {
        lines.push(sourced(
            A,
            "training speedup over BF16",
            range(&s),
            &s.status,
            &s.source,
        ));
    }
    match &a.goodput {
        Some(g) => lines.push(sourced(A, "goodput", range(g), &g.status, &g.source)),
        None => {
            for (name, s) in [
                (
                    "failures per accelerator-hour",
                    &a.failure_rate_per_accelerator_hour,
                ),
                ("hours lost per interruption", &a.interruption_cost_hours),
            ] {
                lines.push(sourced(A, name, range(s), &s.status, &s.source));
            }
        }
    }
    if let Some(site) = &p.site {
        let size = match (site.count, site.power_gw) {
            (Some(c), _) => format!("{} accelerators", units::range_text(&c, si)),
            (None, Some(gw)) => format!("{} GW", units::range_text(&gw, units::sig3)),
            (None, None) => "unknown".into(),
        };
        lines.push(sourced(
            A,
            "largest site (one job stays within it)",
            size,
            &site.status,
            &site.source,
        ));
    }
    let min = &a.min_tokens_per_accelerator;
    lines.push(sourced(
        A,
        "fewest tokens per accelerator per step",
        units::sig3(min.value),
        &min.status,
        &min.source,
    ));
    lines.push(
        match (&a.global_batch_tokens, p.model.global_batch_tokens) {
            (Some(g), _) => sourced(A, "global batch tokens", si(g.value), &g.status, &g.source),
            (None, Some(g)) => sourced(
                A,
                "global batch tokens",
                si(g),
                &p.model.status,
                "the model's published batch (see its source)",
            ),
            (None, None) => law_line("global batch", &a.critical_batch),
        },
    );
    if a.global_batch_tokens.is_none()
        && p.model.global_batch_tokens.is_none()
        && p.model.training_flop().is_none()
    {
        lines.push(law_line(
            "compute the model's size is optimal for",
            &a.compute_optimal_model,
        ));
    }
    lines
}

fn law_line(what: &str, law: &Sourced<PowerLaw>) -> Note {
    sourced(
        NoteKind::Assumption,
        what,
        format!("{} x C^{}", law.value.coefficient, law.value.exponent),
        &law.status,
        &law.source,
    )
}

/// How an all-in power figure was obtained, in words.
pub fn power_method_text(method: model::PowerMethod, a: &Assumptions) -> String {
    format!(
        "{}, x (1 + scale-out network and storage share {})",
        power_method_base(method, a),
        units::range_text(&a.scaleout_share.value, units::sig3)
    )
}

/// The per-accelerator part of the power method, without the shared scale-out share.
pub fn power_method_base(method: model::PowerMethod, a: &Assumptions) -> String {
    match method {
        model::PowerMethod::SystemPerChip => "rack/system power / accelerators".to_string(),
        model::PowerMethod::TdpPlusOverhead => format!(
            "TDP + host overhead {} kW ({})",
            units::range_text(&a.host_overhead_kw.value, units::sig3),
            a.host_overhead_kw.status
        ),
        model::PowerMethod::Explicit => "catalog figure".to_string(),
    }
}

/// `compare`'s output: the accelerators side by side.
#[derive(Debug, Serialize)]
pub struct ComparisonView<'a> {
    pub rows: Vec<ComparedJson<'a>>,
    #[serde(skip)]
    compared: &'a [model::comparison::Compared],
    #[serde(skip)]
    shared: &'a Assumptions,
    #[serde(skip)]
    basis: String,
    #[serde(skip)]
    costs: &'a CostAssumptions,
}

/// One accelerator of a comparison: its projection's JSON, or why there is none.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ComparedJson<'a> {
    Projected {
        accelerator: &'a str,
        #[serde(flatten)]
        projection: Box<ProjectionJson<'a>>,
    },
    Failed {
        accelerator: &'a str,
        error: String,
    },
}

impl<'a> ComparisonView<'a> {
    /// `basis` says what is equal: "at 1GW facility power each".
    pub fn new(
        compared: &'a [model::comparison::Compared],
        shared: &'a Assumptions,
        assumptions: &'a [Assumptions],
        basis: String,
        costs: &'a CostAssumptions,
    ) -> Self {
        let rows = compared
            .iter()
            .zip(assumptions)
            .map(|(c, a)| match &c.outcome {
                Ok(p) => ComparedJson::Projected {
                    accelerator: &c.accelerator,
                    projection: Box::new(ProjectionJson::new(
                        p,
                        a,
                        c.cost(costs).unwrap_or_else(|| cost::fleet_cost(p, costs)),
                    )),
                },
                Err(e) => ComparedJson::Failed {
                    accelerator: &c.accelerator,
                    error: crate::text::chain(e),
                },
            })
            .collect();
        ComparisonView {
            rows,
            compared,
            shared,
            basis,
            costs,
        }
    }
}

impl View for ComparisonView<'_> {
    fn tables(&self) -> Vec<Table> {
        vec![comparison_table(
            self.compared,
            self.shared,
            &self.basis,
            self.costs,
        )]
    }
}

/// Each accelerator's formats resolved over the shared assumptions, in the order of the
/// comparison (for the JSON of each row).
pub fn resolved_assumptions(
    compared: &[model::comparison::Compared],
    shared: &Assumptions,
) -> Vec<Assumptions> {
    compared
        .iter()
        .map(|c| match &c.outcome {
            Ok(p) => Assumptions {
                precision: p.precision,
                ..shared.clone()
            },
            Err(_) => shared.clone(),
        })
        .collect()
}

/// The comparison table, the notes that differ per accelerator under it.
pub fn comparison_table(
    compared: &[model::comparison::Compared],
    shared: &Assumptions,
    basis: &str,
    costs: &CostAssumptions,
) -> Table {
    let model = compared
        .iter()
        .find_map(|c| c.outcome.as_ref().ok())
        .map(|p| p.model.describe())
        .unwrap_or_default();
    let range = |header: &str, key: &str, unit: Unit| Column::range(header, key, unit, Shown::Si);
    let mut t = Table::new(
        "comparison",
        vec![
            Column::text("accelerator", "accelerator"),
            range("accelerators", "accelerators", Unit::Count),
            range("power", "power", Unit::Watt),
            range("all-in W", "all_in", Unit::Watt),
            range("peak/acc FLOP/s", "peak", Unit::FlopPerSecond),
            range("train FLOP/s", "train", Unit::FlopPerSecond),
            range("days to train", "train_time", Unit::Day),
            range("output tokens/s", "output", Unit::TokenPerSecond),
            range("J/output token", "energy_per_token", Unit::Joule),
            Column::usd("capex", "capex", Unit::Usd, 1.0),
            Column::usd("$/acc-hour", "cost_per_hour", Unit::UsdPerHour, 1.0),
            Column::usd(
                "$/M output tokens",
                "cost_per_token",
                Unit::UsdPerToken,
                1e6,
            ),
        ],
    )
    .with_title(format!(
        "compare {basis}, {model}, {}",
        formats_text(compared)
    ));
    let mut notes = Vec::new();
    for c in compared {
        match &c.outcome {
            Ok(p) => {
                let money = c.cost(costs).unwrap_or_else(|| cost::fleet_cost(p, costs));
                let mut cells = comparison_cells(p);
                cells.extend(money_cells(money.as_ref().ok()));
                t.push_row(cells);
                if let Err(gap) = &money {
                    notes.push(format!("{}: no cost: {gap}", c.accelerator));
                }
                if let Err(gap) = &p.inference {
                    notes.push(format!(
                        "{}: inference not projected: {}",
                        c.accelerator,
                        gap.message()
                    ));
                }
            }
            Err(e) => {
                let mut cells = vec![Cell::from(c.accelerator.as_str())];
                cells.resize(t.columns.len(), Cell::Missing);
                t.push_row(cells);
                notes.push(format!("{}: {}", c.accelerator, crate::text::chain(e)));
            }
        }
    }
    for n in notes {
        t.push_note(n);
    }
    t.push_note(format!(
        "all-in power per accelerator: {}; each x (1 + scale-out network and storage share {})",
        power_methods(compared, shared),
        units::range_text(&shared.scaleout_share.value, units::sig3)
    ));
    let prices: Vec<(&str, &Sourced<Range>)> = compared
        .iter()
        .filter_map(|c| {
            costs
                .price(&c.accelerator)
                .ok()
                .map(|p| (c.accelerator.as_str(), p))
        })
        .collect();
    for note in cost_notes(&prices, &costs.defaults, &costs.serving_utilisation) {
        t.push_assumption_note(note);
    }
    if let Some(p) = compared.iter().find_map(|c| c.outcome.as_ref().ok()) {
        let a = Assumptions {
            precision: p.precision,
            ..shared.clone()
        };
        for n in assumption_notes(p, &a)
            .into_iter()
            .filter(|n| !matches!(n.kind, NoteKind::PowerMethod | NoteKind::Users))
        {
            t.push_assumption_note(n.text);
        }
    }
    t
}

fn money_cells(c: Option<&FleetCost>) -> Vec<Cell> {
    vec![
        c.map(|c| c.capex_usd).into(),
        c.map(|c| c.usd_per_accelerator_hour).into(),
        c.and_then(|c| c.usd_per_million_output_tokens)
            .map(|m| m.scale(1e-6))
            .into(),
    ]
}

fn comparison_cells(p: &Projection) -> Vec<Cell> {
    let training = p.training.as_ref();
    let inference = p.inference.as_ref().ok();
    vec![
        p.accelerator.as_str().into(),
        p.count.into(),
        p.power_w.into(),
        p.all_in_kw.map(|(kw, _)| kw.scale(1e3)).into(),
        p.peak_flops.into(),
        training.map(|t| t.flops_per_s).into(),
        training.and_then(|t| t.days).into(),
        inference.map(|i| i.tokens_per_s).into(),
        inference.and_then(|i| i.joules_per_token).into(),
    ]
}

fn power_methods(compared: &[model::comparison::Compared], a: &Assumptions) -> String {
    let method = |p: &Projection| match p.all_in_kw.map(|(_, m)| m) {
        Some(m) => power_method_base(m, a),
        None => "none published".to_string(),
    };
    compared
        .iter()
        .filter_map(|c| {
            c.outcome
                .as_ref()
                .ok()
                .map(|p| format!("{} {}", c.accelerator, method(p)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "train bf16, serve fp8", or each accelerator's formats when they differ.
fn formats_text(compared: &[model::comparison::Compared]) -> String {
    let each: Vec<(&str, String)> = compared
        .iter()
        .filter_map(|c| {
            c.outcome.as_ref().ok().map(|p| {
                (
                    c.accelerator.as_str(),
                    format!("train {}, serve {}", p.precision.train, p.precision.serve),
                )
            })
        })
        .collect();
    match each.first() {
        Some((_, first)) if each.iter().all(|(_, f)| f == first) => first.clone(),
        _ => each
            .iter()
            .map(|(id, f)| format!("{id}: {f}"))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

impl View for crate::bridge::FleetSummary {
    fn tables(&self) -> Vec<Table> {
        vec![fleet_summary_table(self)]
    }
}

/// The fleets against a measurement, the measurement and what the cells mean under it.
pub fn fleet_summary_table(summary: &crate::bridge::FleetSummary) -> Table {
    let m = &summary.measured;
    let range = |header: &str, key: &str, unit: Unit| Column::range(header, key, unit, Shown::Si);
    let mut table = Table::new(
        "fleets",
        vec![
            Column::text("fleet", "fleet"),
            Column::text("accelerator", "accelerator"),
            Column::text("formats", "formats"),
            range("count", "count", Unit::Count),
            range("power", "power", Unit::Watt),
            Column::range("MFU", "mfu", Unit::None, Shown::Percent),
            Column::text("MFU from", "mfu_source").detail(),
            range("training FLOP/s", "training", Unit::FlopPerSecond),
            range("days to train", "train_time", Unit::Day),
            range("output tokens/s", "output", Unit::TokenPerSecond),
            range("equivalents of measured", "equivalents", Unit::Count),
            Column::usd("$/acc-hour", "cost_per_hour", Unit::UsdPerHour, 1.0),
            Column::usd(
                "measured at fleet cost $/h",
                "measured_value",
                Unit::UsdPerHour,
                1.0,
            ),
        ],
    )
    .with_title(format!(
        "Projected fleets ({}), each also in equivalents of {}",
        summary.model, m.label
    ));
    for f in &summary.fleets {
        table.push_row(vec![
            f.fleet.as_str().into(),
            f.accelerator.as_str().into(),
            f.dtype.as_str().into(),
            f.count.into(),
            f.power_mw.map(|w| w.scale(1e6)).into(),
            f.mfu.into(),
            f.mfu_source.as_str().into(),
            f.training_flops_per_s.into(),
            f.training_days.into(),
            f.inference_tokens_per_s.into(),
            f.equivalents_of_measured.into(),
            f.usd_per_accelerator_hour.into(),
            f.measured_value_usd_per_hour.into(),
        ]);
    }
    let efficiency = m
        .efficiency
        .map_or("not measured".into(), |e| format!("{:.1}%", e * 100.0));
    let pct = |share: f64| format!("{:.0}", share * 100.0);
    table.push_note(format!(
        "Measured: {} at {} GFLOP/s, efficiency {efficiency} of its own FMA peak (catalog MFU {}–{}%, central {}%).",
        m.benchmark,
        si(m.flops_per_s / 1e9),
        pct(summary.catalog_mfu.low),
        pct(summary.catalog_mfu.high),
        pct(summary.catalog_mfu.central)
    ));
    if m.software == Some(true) {
        table.push_note("The measured device is a software adapter: equivalents compare fleets with a CPU, not a GPU.");
    }
    if summary
        .fleets
        .iter()
        .any(|f| f.inference_tokens_per_s.is_none())
    {
        table.push_note("Output '-': not projected for that fleet (e.g. the model is larger than its memory); `fleetbench project --fleet ID` says why.");
    }
    table.push_note(format!(
        "measured at fleet cost: {} GFLOP/s priced at each fleet's cost of achieved training compute ($/accelerator-hour / each accelerator's achieved FLOP/s): what the measured device's work would cost on that fleet. '-': no price or power figure for the fleet's accelerator (cost catalog: `fleetbench timeline --format json`).",
        si(m.flops_per_s / 1e9)
    ));
    table.push_note(
        "Formats: train/serve. Every fleet trains in bf16 (MFU against the bf16 peak) and serves in fp8 where native; days are the largest single job's. Cells: central (low–high). Full assumptions and sources: `fleetbench project --fleet ID`.",
    );
    table
}
