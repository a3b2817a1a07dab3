//! `fleetbench project`: one fleet (from the catalog, or an accelerator with `--gpus` or
//! `--power`) and one model, projected for training and inference with ranges, the
//! assumptions printed under the figures. Also home to the flags `compare` shares.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::model::inference::CHATGPT_WEEKLY_USERS;
use crate::model::scenario::{self, ModelOverrides};
use crate::model::units::{self, si};
use crate::model::{
    self, Assumptions, Catalog, DType, FleetSize, Projection, Range, Scenario, Sourced,
};
use crate::report::{Assembled, Destination, OutputArgs, Table};

use super::summary::{self, MfuChoice, parse_mfu};
use crate::bridge;

/// Output and catalog flags every model command takes.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// A TOML catalog whose [[accelerator]], [[fleet]] and [[model]] entries replace or extend the built-in ones.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// The model to project: a reference id or custom figures.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// Reference model id (gpt-3, llama-3-70b, llama-3.1-405b, deepseek-v3, gpt-4, palm-540b).
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Total parameters of a custom model (e.g. 405e9).
    #[arg(long, value_parser = positive("--params"))]
    pub params: Option<f64>,
    /// Parameters active per token (MoE).
    #[arg(long, value_parser = positive("--active-params"))]
    pub active_params: Option<f64>,
    /// Training tokens (compute = 6 x active params x tokens).
    #[arg(long, value_parser = positive("--tokens"))]
    pub tokens: Option<f64>,
    /// Training compute budget in FLOP (e.g. 3.8e25).
    #[arg(long, value_parser = positive("--compute"))]
    pub compute: Option<f64>,
}

/// Overrides of the catalog's default assumptions (a value or low,central,high).
#[derive(Debug, clap::Args)]
pub struct AssumptionArgs {
    /// Data type: fp64, fp32, tf32, bf16 (= fp16), fp8, fp4, int8 [default: bf16, else fp8, else fp4].
    #[arg(long, value_parser = parse_dtype)]
    pub dtype: Option<DType>,
    /// Model FLOPs utilisation in (0, 1], e.g. 0.4 or 0.35,0.4,0.45, or `measured` (the
    /// GEMM efficiency of the results file given with --from).
    #[arg(long, value_parser = parse_mfu)]
    pub mfu: Option<MfuChoice>,
    /// Share of wall-clock time doing useful training steps, in (0, 1].
    #[arg(long, value_parser = fraction("--goodput"))]
    pub goodput: Option<Range>,
    /// Power usage effectiveness (>= 1), e.g. 1.2 or 1.1,1.2,1.3.
    #[arg(long, value_parser = parse_pue)]
    pub pue: Option<Range>,
    /// Share of the fleet serving inference in [0, 1]; the rest trains. Unset: each section uses the whole fleet.
    #[arg(long, value_parser = parse_share)]
    pub inference_share: Option<f64>,
    /// Tokens each user consumes per day, for "users served".
    #[arg(long, value_parser = positive("--tokens-per-user-day"))]
    pub tokens_per_user_day: Option<f64>,
    /// Sequences decoded together per model replica.
    #[arg(long, value_parser = positive("--batch"))]
    pub batch: Option<f64>,
    /// Average context per sequence held in the KV cache, in tokens.
    #[arg(long, value_parser = positive("--context"))]
    pub context: Option<f64>,
}

/// Arguments of `fleetbench project`.
#[derive(Debug, clap::Args)]
pub struct ProjectArgs {
    /// A fleet id from `fleetbench fleets`.
    #[arg(long, value_name = "ID", conflicts_with_all = ["accelerator", "gpus", "power"])]
    pub fleet: Option<String>,
    /// An accelerator id from `fleetbench accelerators` (with --gpus or --power).
    #[arg(long, value_name = "ID")]
    pub accelerator: Option<String>,
    /// Number of accelerators.
    #[arg(long, value_name = "N", value_parser = positive("--gpus"), conflicts_with = "power")]
    pub gpus: Option<f64>,
    /// Facility power, e.g. 1.5GW, 500MW, 120kW.
    #[arg(long, value_parser = parse_power)]
    pub power: Option<f64>,
    /// A results file from `fleetbench run` (or a merged one from `merge`): every fleet (or
    /// --fleet) is also given in equivalents of what it measured; enables `--mfu measured`.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

fn positive(flag: &'static str) -> impl Fn(&str) -> std::result::Result<f64, String> + Clone {
    move |s| units::parse_positive(s, flag)
}

fn fraction(flag: &'static str) -> impl Fn(&str) -> std::result::Result<Range, String> + Clone {
    move |s| units::parse_fraction_range(s, flag)
}

fn parse_dtype(s: &str) -> std::result::Result<DType, String> {
    s.parse()
}

fn parse_power(s: &str) -> std::result::Result<f64, String> {
    units::parse_power(s)
}

fn parse_pue(s: &str) -> std::result::Result<Range, String> {
    let pue = units::parse_range(s, "--pue")?;
    if pue.low < 1.0 || pue.high > 5.0 {
        return Err(format!("--pue must lie in [1, 5] (got {s})"));
    }
    Ok(pue)
}

fn parse_share(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("--inference-share '{s}' is not a number"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!("--inference-share must lie in [0, 1] (got {s})"));
    }
    Ok(v)
}

impl ModelArgs {
    pub fn resolve(&self, catalog: &Catalog) -> Result<model::ReferenceModel> {
        let overrides = ModelOverrides {
            params: self.params,
            active_params: self.active_params,
            tokens: self.tokens,
            compute: self.compute,
        };
        scenario::resolve_model(catalog, self.model.as_deref(), overrides)
    }
}

impl AssumptionArgs {
    /// The defaults with every given flag applied; `dtype` is chosen by the caller.
    pub fn resolve(&self, catalog: &Catalog, dtype: DType) -> Assumptions {
        let mut a = Assumptions::from_defaults(&catalog.defaults, dtype);
        let set = |v: Option<Range>, flag: &str, slot: &mut Sourced<Range>| {
            if let Some(v) = v {
                *slot = Sourced::user(v, flag);
            }
        };
        if let Some(MfuChoice::Given(range)) = self.mfu {
            a.mfu = Sourced::user(range, "--mfu");
        }
        set(self.goodput, "--goodput", &mut a.goodput);
        a.pue = self.pue.map(|v| Sourced::user(v, "--pue"));
        a.inference_share = self.inference_share;
        for (value, flag, slot) in [
            (
                self.tokens_per_user_day,
                "--tokens-per-user-day",
                &mut a.tokens_per_user_day,
            ),
            (self.batch, "--batch", &mut a.batch),
            (self.context, "--context", &mut a.context_tokens),
        ] {
            if let Some(v) = value {
                *slot = Sourced::user(v, flag);
            }
        }
        a
    }
}

/// The data type to use: the flag, else the first of bf16, fp8, fp4 every accelerator has.
pub fn choose_dtype(flag: Option<DType>, accelerators: &[&model::Accelerator]) -> Result<DType> {
    if let Some(d) = flag {
        return Ok(d);
    }
    [DType::Bf16, DType::Fp8, DType::Fp4]
        .into_iter()
        .find(|d| accelerators.iter().all(|a| a.peak_tflops.contains_key(d)))
        .ok_or_else(|| Error::usage("no data type is shared by every accelerator among bf16, fp8, fp4: choose one with --dtype"))
}

fn scenario(
    args: &ProjectArgs,
    catalog: &Catalog,
    model: model::ReferenceModel,
) -> Result<Scenario> {
    if let Some(id) = &args.fleet {
        return Scenario::from_fleet(catalog, catalog.fleet(id)?, model);
    }
    let Some(id) = &args.accelerator else {
        return Err(Error::usage(
            "say what to project: --fleet ID, or --accelerator ID with --gpus N or --power 1GW",
        ));
    };
    let size = match (args.gpus, args.power) {
        (Some(n), _) => scenario::count(n),
        (None, Some(w)) => FleetSize::Power(Range::exact(w)),
        (None, None) => {
            return Err(Error::usage(
                "--accelerator needs --gpus N or --power (e.g. 1GW)",
            ));
        }
    };
    Scenario::from_accelerator(catalog, id, size, model)
}

/// Runs `fleetbench project`.
pub fn execute(args: &ProjectArgs) -> Result<()> {
    let destination = args.common.output.destination()?;
    let catalog = Catalog::load(args.common.catalog.as_deref())?;
    let model = args.model.resolve(&catalog)?;
    let measured = args.from.as_deref().map(crate::results::read).transpose()?;
    let mfu = args.assumptions.mfu.unwrap_or(MfuChoice::Catalog);
    if mfu == MfuChoice::Measured && measured.is_none() {
        return Err(Error::usage(
            "--mfu measured needs a results file: add --from results.json",
        ));
    }
    if let (Some(file), None, None) = (&measured, &args.fleet, &args.accelerator) {
        return summary_of_fleets(&destination, &catalog, &model, file, mfu);
    }
    let scenario = scenario(args, &catalog, model)?;
    let dtype = choose_dtype(args.assumptions.dtype, &[&scenario.accelerator])?;
    let mut assumptions = args.assumptions.resolve(&catalog, dtype);
    let measured = measured
        .map(|file| bridge::measured(&file, dtype))
        .transpose()?;
    if let (MfuChoice::Measured, Some(m)) = (mfu, &measured) {
        assumptions.mfu = summary::measured_mfu(m)?;
    }
    let projection = model::project(&scenario, &assumptions)?;
    // Asked explicitly to serve a model that cannot be held: bad input. Otherwise the
    // training half stands and the gap is reported beside it.
    if let (Err(model::InferenceGap::DoesNotFit(msg)), Some(share)) =
        (&projection.inference, assumptions.inference_share)
    {
        if share > 0.0 {
            return Err(Error::usage(msg));
        }
    }
    let mut json = projection_json(&projection, &assumptions);
    let mut table = projection_table(&projection, &assumptions);
    if let Some(m) = &measured {
        json["measured"] = json!(m);
        json["equivalents_of_measured"] = json!(equivalents(&projection, m));
        measured_rows(&mut table, &projection, m);
    }
    destination.write(&Assembled {
        json,
        tables: vec![table],
    })
}

/// `project --from FILE` without a fleet: every catalog fleet against the measurement.
fn summary_of_fleets(
    destination: &Destination,
    catalog: &Catalog,
    model: &model::ReferenceModel,
    file: &crate::results::ResultsFile,
    mfu: MfuChoice,
) -> Result<()> {
    let summary = summary::summarise(
        catalog,
        &[],
        model,
        &|dtype| bridge::measured(file, dtype),
        mfu,
    )?;
    destination.write(&summary)
}

fn equivalents(p: &Projection, m: &bridge::Measured) -> Option<Range> {
    p.training
        .as_ref()
        .and_then(|t| model::local_equivalents(t.flops_per_s, m.flops_per_s))
}

fn measured_rows(t: &mut Table, p: &Projection, m: &bridge::Measured) {
    if let Some(e) = equivalents(p, m) {
        row(t, "measured", &format!("equivalents of {}", m.label), e, "");
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

/// The JSON object of one projection (the stable contract).
pub fn projection_json(p: &Projection, a: &Assumptions) -> Value {
    let inference = p.inference.as_ref().ok();
    json!({
        "fleet": {
            "id": p.id,
            "accelerator": p.accelerator,
            "count": p.count,
            "power_mw": p.power_w.map(|w| w.scale(1e-6)),
            "count_from_power": p.modelled_count,
            "model_check": p.disagreement,
        },
        "model": model_json(&p.model),
        "training": p.training,
        "inference": inference.map(|i| {
            let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
            v["users_vs_chatgpt_weekly"] = json!(CHATGPT_WEEKLY_USERS.iter().map(|(date, users)| json!({
                "date": date, "weekly_users": users, "ratio": i.users_served.scale(1.0 / users),
            })).collect::<Vec<_>>());
            v
        }),
        "inference_unavailable": p.inference.as_ref().err().map(|g| g.message()),
        "assumptions": assumptions_json(p, a),
    })
}

fn model_json(m: &model::ReferenceModel) -> Value {
    let mut v = serde_json::to_value(m).unwrap_or(Value::Null);
    v["training_flop"] = json!(m.training_flop());
    v
}

fn assumptions_json(p: &Projection, a: &Assumptions) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    v["pue"] = json!(p.pue);
    v["peak_flops_per_accelerator"] = json!(p.peak_flops);
    v["all_in_kw_per_accelerator"] = json!(
        p.all_in_kw
            .map(|(kw, method)| json!({"value": kw, "method": method}))
    );
    v
}

fn row(t: &mut Table, section: &str, figure: &str, r: Range, unit: &str) {
    t.push_text_row([
        section.to_string(),
        figure.to_string(),
        si(r.central),
        si(r.low),
        si(r.high),
        unit.to_string(),
    ]);
}

/// The table of one projection, with the assumptions as notes.
pub fn projection_table(p: &Projection, a: &Assumptions) -> Table {
    let title = format!(
        "{} — {} on {} ({}), {}",
        p.id,
        p.model.describe(),
        p.accelerator,
        a.dtype,
        split_text(a)
    );
    let mut t = Table::with_text_columns(
        "projection",
        ["section", "figure", "central", "low", "high", "unit"],
    )
    .with_title(title);
    fleet_rows(&mut t, p);
    training_rows(&mut t, p);
    inference_rows(&mut t, p);
    for note in assumption_notes(p, a) {
        t.push_note(note);
    }
    t
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
    row(t, "fleet", "accelerators", p.count, "");
    if let Some(w) = p.power_w {
        row(t, "fleet", "facility power", w.scale(1e-6), "MW");
    }
    if let Some(c) = p.modelled_count {
        row(t, "fleet", "accelerators the power feeds (model)", c, "");
    }
    if let Some((kw, _)) = p.all_in_kw {
        row(t, "fleet", "all-in IT power per accelerator", kw, "kW");
    }
    row(t, "fleet", "PUE", p.pue.value, "");
    row(
        t,
        "fleet",
        "dense peak per accelerator",
        p.peak_flops,
        "FLOP/s",
    );
}

fn training_rows(t: &mut Table, p: &Projection) {
    let Some(tr) = &p.training else { return };
    row(t, "training", "accelerators training", tr.accelerators, "");
    row(t, "training", "achieved compute", tr.flops_per_s, "FLOP/s");
    let optional = [
        (tr.tokens_per_s, "training tokens", "tokens/s"),
        (tr.days, "days to train the model", "days"),
        (tr.gpu_hours, "accelerator-hours for the model", "h"),
        (tr.models_per_year, "such models per year", "models"),
    ];
    for (value, figure, unit) in optional {
        if let Some(v) = value {
            row(t, "training", figure, v, unit);
        }
    }
}

fn inference_rows(t: &mut Table, p: &Projection) {
    let Ok(i) = &p.inference else { return };
    row(t, "inference", "accelerators serving", i.accelerators, "");
    row(
        t,
        "inference",
        "replica size (tensor parallel)",
        Range::exact(f64::from(i.replica_size)),
        "accelerators",
    );
    row(
        t,
        "inference",
        &format!("decode per accelerator ({}-bound)", i.bound),
        i.decode_tokens_per_s_per_accelerator,
        "tokens/s",
    );
    row(
        t,
        "inference",
        "prefill per accelerator",
        i.prefill_tokens_per_s_per_accelerator,
        "tokens/s",
    );
    row(t, "inference", "fleet decode", i.tokens_per_s, "tokens/s");
    row(t, "inference", "users served", i.users_served, "users");
    if let (Some(j), Some(m)) = (i.joules_per_token, i.tokens_per_mwh) {
        row(t, "inference", "energy per token (facility)", j, "J");
        row(t, "inference", "tokens per MWh", m, "tokens");
    }
}

/// The lines printed under a projection: checks, gaps, then every assumption and its source.
pub fn assumption_notes(p: &Projection, a: &Assumptions) -> Vec<String> {
    let mut notes = Vec::new();
    match (&p.disagreement, p.modelled_count) {
        (Some(d), _) => notes.push(format!("MODEL CHECK: {d}.")),
        (None, Some(c)) => notes.push(format!(
            "model check: the stated count lies within the {}–{} accelerators the model derives from the stated power",
            si(c.low),
            si(c.high)
        )),
        (None, None) => {}
    }
    match &p.inference {
        Ok(i) => notes.push(format!(
            "users served (central {}) = {:.2}x ChatGPT's 700M weekly users (2025-08), {:.2}x its 800M (2025-10)",
            si(i.users_served.central),
            i.users_served.central / CHATGPT_WEEKLY_USERS[0].1,
            i.users_served.central / CHATGPT_WEEKLY_USERS[1].1
        )),
        Err(gap) => notes.push(format!("inference not projected: {}", gap.message())),
    }
    if p.power_w.is_none() {
        notes.push(format!(
            "{} has no published power figure: no facility power or energy per token",
            p.accelerator
        ));
    }
    notes.push("assumptions (value — status — source):".into());
    let mut line = |name: &str, value: String, status: &str, source: &str| {
        notes.push(format!("  {name}: {value} — {status} — {source}"));
    };
    let r = |x: &Range| units::range_text(x, units::sig3);
    line(
        "dtype",
        a.dtype.to_string(),
        "user/default",
        "--dtype, else bf16, else fp8, else fp4 (MFU figures are BF16 MFU)",
    );
    line(
        "model",
        p.model.describe(),
        &p.model.status,
        &p.model.source,
    );
    line("MFU", r(&a.mfu.value), &a.mfu.status, &a.mfu.source);
    line(
        "goodput",
        r(&a.goodput.value),
        &a.goodput.status,
        &a.goodput.source,
    );
    line("PUE", r(&p.pue.value), &p.pue.status, &p.pue.source);
    if let Some((kw, method)) = p.all_in_kw {
        let how = match method {
            model::PowerMethod::TdpTimesOverhead => format!(
                "TDP x overhead {} ({})",
                r(&a.tdp_overhead.value),
                a.tdp_overhead.source
            ),
            _ => "catalog figure (see `fleetbench accelerators --format json`)".into(),
        };
        line("all-in IT kW per accelerator", r(&kw), "catalog", &how);
    }
    for (name, s) in [
        ("serving compute util", &a.compute_util),
        ("serving bandwidth util", &a.bandwidth_util),
    ] {
        line(name, r(&s.value), &s.status, &s.source);
    }
    for (name, s) in [
        ("usable memory share", &a.memory_usable),
        ("batch", &a.batch),
        ("context tokens", &a.context_tokens),
        ("tokens per user per day", &a.tokens_per_user_day),
    ] {
        line(name, units::sig3(s.value), &s.status, &s.source);
    }
    notes
}
