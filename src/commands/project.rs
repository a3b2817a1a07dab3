//! `fleetbench project`: one fleet (from the catalog, or an accelerator with `--gpus` or
//! `--power`) and one model, projected for training and serving with ranges, the
//! assumptions printed under the figures. Also home to the flags `compare` shares, and to
//! the flag hints the model's errors get at this boundary.

use std::path::PathBuf;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::model::scenario::{self, ArchitectureOverrides, ModelOverrides};
use crate::model::units::{self, si};
use crate::model::{
    self, Assumptions, BatchChoice, Catalog, DType, FleetSize, InferenceGap, Layout, ModelError,
    PrecisionChoice, Projection, Range, Scenario, Sourced,
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
    /// Reference model id (gpt-3, llama-2-70b, llama-3-70b, llama-3.1-8b, llama-3.1-405b, deepseek-v3, mixtral-8x7b, qwen3-235b-a22b, gpt-4, palm-540b).
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Total parameters of a custom model (e.g. 405e9).
    #[arg(long, value_parser = positive("--params"))]
    pub params: Option<f64>,
    /// Parameters active per token (mixture of experts; give --experts and --experts-per-token too).
    #[arg(long, value_parser = positive("--active-params"))]
    pub active_params: Option<f64>,
    /// Training tokens (compute = 6 x active params x tokens).
    #[arg(long, value_parser = positive("--tokens"))]
    pub tokens: Option<f64>,
    /// Training compute budget in FLOP (e.g. 3.8e25).
    #[arg(long, value_parser = positive("--compute"))]
    pub compute: Option<f64>,
    /// Transformer layers (serving needs them).
    #[arg(long, value_name = "N", value_parser = whole("--layers"))]
    pub layers: Option<u32>,
    /// Key/value heads per layer (grouped-query attention).
    #[arg(long, value_name = "N", value_parser = whole("--kv-heads"))]
    pub kv_heads: Option<u32>,
    /// Dimension of each key/value head.
    #[arg(long, value_name = "N", value_parser = whole("--head-dim"))]
    pub head_dim: Option<u32>,
    /// KV cache bytes per token at 16-bit, instead of --kv-heads and --head-dim.
    #[arg(long, value_name = "BYTES", value_parser = positive("--kv-bytes-per-token"))]
    pub kv_bytes_per_token: Option<f64>,
    /// Residual width (tensor-parallel all-reduce size); estimated from the parameters if absent.
    #[arg(long, value_name = "N", value_parser = whole("--hidden"))]
    pub hidden: Option<u32>,
    /// Routed experts of a mixture-of-experts model.
    #[arg(long, value_name = "N", value_parser = whole("--experts"))]
    pub experts: Option<u32>,
    /// Experts each token is routed to.
    #[arg(long, value_name = "N", value_parser = whole("--experts-per-token"))]
    pub experts_per_token: Option<u32>,
}

/// Overrides of the catalog's default assumptions (a value or low,central,high).
#[derive(Debug, clap::Args)]
pub struct AssumptionArgs {
    /// Data type for training and serving both: fp64, fp32, tf32, bf16 (= fp16), fp8, fp4, int8.
    #[arg(long, value_parser = parse_dtype)]
    pub dtype: Option<DType>,
    /// Training data type [default: bf16].
    #[arg(long, value_parser = parse_dtype)]
    pub train_dtype: Option<DType>,
    /// Serving data type [default: fp8 where the accelerator runs it natively, else bf16].
    #[arg(long, value_parser = parse_dtype)]
    pub serve_dtype: Option<DType>,
    /// Model FLOPs utilisation against the BF16 dense peak, in (0, 1], e.g. 0.4 or
    /// 0.35,0.4,0.45, or `measured` (the GEMM efficiency of the results file given with --from).
    #[arg(long, value_parser = parse_mfu)]
    pub mfu: Option<MfuChoice>,
    /// A fixed share of wall-clock time doing useful training steps, in (0, 1] [default: from failures per accelerator-hour].
    #[arg(long, value_parser = fraction("--goodput"))]
    pub goodput: Option<Range>,
    /// Power usage effectiveness (>= 1), e.g. 1.2 or 1.1,1.2,1.3.
    #[arg(long, value_parser = parse_pue)]
    pub pue: Option<Range>,
    /// Share of the fleet serving inference in [0, 1]; the rest trains. Unset: each section uses the whole fleet.
    #[arg(long, value_parser = parse_share)]
    pub inference_share: Option<f64>,
    /// Tokens (input + output) each user consumes per day, for "users served" [default: derived].
    #[arg(long, value_parser = positive("--tokens-per-user-day"))]
    pub tokens_per_user_day: Option<f64>,
    /// Input (prompt) tokens per request.
    #[arg(long, value_name = "N", value_parser = whole("--input-tokens"))]
    pub input_tokens: Option<u32>,
    /// Output (generated) tokens per request.
    #[arg(long, value_name = "N", value_parser = whole("--output-tokens"))]
    pub output_tokens: Option<u32>,
    /// Sequences decoded together per replica: `auto` (largest that fits) or a number.
    #[arg(long, value_parser = parse_batch)]
    pub batch: Option<BatchChoice>,
    /// Serving layout, e.g. TP8, TP8xPP2, TP4xEP8 [default: the best that fits].
    #[arg(long, value_parser = parse_layout)]
    pub layout: Option<Layout>,
    /// Time-per-output-token target in milliseconds; the batch is lowered to meet it.
    #[arg(long, value_name = "MS", value_parser = positive("--tpot-ms"))]
    pub tpot_ms: Option<f64>,
    /// Time-to-first-token target in milliseconds.
    #[arg(long, value_name = "MS", value_parser = positive("--ttft-ms"))]
    pub ttft_ms: Option<f64>,
    /// Global training batch in tokens [default: the model's published batch, else the compute-optimal law].
    #[arg(long, value_name = "TOKENS", value_parser = positive("--global-batch-tokens"))]
    pub global_batch_tokens: Option<f64>,
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

fn whole(flag: &'static str) -> impl Fn(&str) -> std::result::Result<u32, String> + Clone {
    move |s| units::parse_whole(s, flag)
}

fn fraction(flag: &'static str) -> impl Fn(&str) -> std::result::Result<Range, String> + Clone {
    move |s| units::parse_fraction_range(s, flag)
}

fn parse_dtype(s: &str) -> std::result::Result<DType, String> {
    s.parse()
}

fn parse_layout(s: &str) -> std::result::Result<Layout, String> {
    s.parse()
}

fn parse_batch(s: &str) -> std::result::Result<BatchChoice, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(BatchChoice::Auto);
    }
    units::parse_whole(s, "--batch").map(|n| BatchChoice::Fixed(u64::from(n)))
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

/// A model error as a usage error, with the flags that change what it is about.
pub fn usage(e: ModelError) -> Error {
    let hint = match &e {
        ModelError::NoPeak { .. } => "choose another --dtype, --train-dtype or --serve-dtype",
        ModelError::NoPowerFigure { .. } => "give --gpus N instead",
        ModelError::ModelFigures(_) => {
            "custom models take --params, --active-params, --layers, --kv-heads, --head-dim \
             (or --kv-bytes-per-token), --experts and --experts-per-token; --inference-share 0 \
             projects training only"
        }
        ModelError::Layout(_) => "change --layout, or leave it out to search",
        ModelError::DoesNotFit(_) => "lower --batch, change --layout, or add accelerators",
        ModelError::LatencyTarget(_) => "relax --tpot-ms / --ttft-ms",
        ModelError::EmptyFleet(_) => "",
    };
    if hint.is_empty() {
        Error::usage(e)
    } else {
        Error::usage(format!("{e} ({hint})"))
    }
}

impl ModelArgs {
    pub fn resolve(&self, catalog: &Catalog) -> Result<model::ReferenceModel> {
        let overrides = ModelOverrides {
            params: self.params,
            active_params: self.active_params,
            tokens: self.tokens,
            compute: self.compute,
            architecture: ArchitectureOverrides {
                layers: self.layers,
                kv_heads: self.kv_heads,
                head_dim: self.head_dim,
                kv_bytes_per_token: self.kv_bytes_per_token,
                hidden: self.hidden,
                experts: self.experts,
                experts_per_token: self.experts_per_token,
            },
        };
        let model = scenario::model_with_overrides(catalog, self.model.as_deref(), overrides)?;
        scenario::check(&model).map_err(usage)?;
        Ok(model)
    }
}

impl AssumptionArgs {
    /// The formats the flags ask for (`--dtype` sets both; each of the others one).
    pub fn precision(&self) -> PrecisionChoice {
        PrecisionChoice {
            both: self.dtype,
            train: self.train_dtype,
            serve: self.serve_dtype,
        }
    }

    /// The defaults with every given flag applied, in the formats `acc` resolves to.
    pub fn resolve(&self, catalog: &Catalog, acc: &model::Accelerator) -> Result<Assumptions> {
        let precision = self.precision().resolve(acc).map_err(usage)?;
        Ok(self.resolve_in(catalog, precision))
    }

    /// The defaults with every given flag applied, in the given formats.
    pub fn resolve_in(&self, catalog: &Catalog, precision: model::Precision) -> Assumptions {
        let mut a = Assumptions::from_defaults(&catalog.defaults, precision);
        if let Some(MfuChoice::Given(range)) = self.mfu {
            a.mfu = Sourced::user(range, "--mfu");
        }
        a.goodput = self.goodput.map(|v| Sourced::user(v, "--goodput"));
        a.pue = self.pue.map(|v| Sourced::user(v, "--pue"));
        a.inference_share = self.inference_share;
        a.tokens_per_user_day_override = self
            .tokens_per_user_day
            .map(|v| Sourced::user(v, "--tokens-per-user-day"));
        a.global_batch_tokens = self
            .global_batch_tokens
            .map(|v| Sourced::user(v, "--global-batch-tokens"));
        if let Some(n) = self.input_tokens {
            a.input_tokens = Sourced::user(f64::from(n), "--input-tokens");
        }
        if let Some(n) = self.output_tokens {
            a.output_tokens = Sourced::user(f64::from(n), "--output-tokens");
        }
        a.batch = self.batch.unwrap_or_default();
        a.layout = self.layout;
        a.latency = model::LatencyTargets {
            tpot_ms: self.tpot_ms,
            ttft_ms: self.ttft_ms,
        };
        a
    }
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

/// Serving asked for (a share above 0) but impossible, or a custom model without the
/// figures serving needs (unless training only): bad input. A catalog model's gap is
/// otherwise reported beside the training half.
fn refuse_gap(p: &Projection, a: &Assumptions) -> Result<()> {
    let custom = p.model.status == "user";
    let (message, hint) = match &p.inference {
        Err(InferenceGap::DoesNotFit(m)) if a.inference_share.is_some_and(|s| s > 0.0) => {
            (m, "add accelerators or choose a smaller --serve-dtype")
        }
        Err(InferenceGap::MissingFigures(m)) if custom && a.inference_share != Some(0.0) => (
            m,
            "give --layers, --kv-heads and --head-dim (or --kv-bytes-per-token), and \
             --experts and --experts-per-token for a mixture of experts; or \
             --inference-share 0 for training only",
        ),
        _ => return Ok(()),
    };
    Err(Error::usage(format!("{message} ({hint})")))
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
    let mut assumptions = args.assumptions.resolve(&catalog, &scenario.accelerator)?;
    let measured = measured
        .map(|file| bridge::measured(&file, assumptions.precision.train))
        .transpose()?;
    if let (MfuChoice::Measured, Some(m)) = (mfu, &measured) {
        assumptions.mfu = summary::measured_mfu(m)?;
    }
    let projection = model::project(&scenario, &assumptions).map_err(usage)?;
    refuse_gap(&projection, &assumptions)?;
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
            "count_stated": p.count_stated,
            "count_power_fed": p.count_power_fed,
            "binding": p.binding,
            "power_mw": p.power_w.map(|w| w.scale(1e-6)),
            "count_from_power": p.modelled_count,
            "model_check": p.disagreement,
        },
        "model": model_json(&p.model),
        "training": p.training,
        "inference": inference.map(|i| {
            let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
            v["users_vs_chatgpt_weekly"] = json!(i.users.vs_chatgpt_weekly);
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
    let efficiency = a.serving_efficiency();
    v["dtype"] = json!(a.precision.train);
    v["pue"] = json!(p.pue);
    v["compute_util"] = json!(efficiency);
    v["bandwidth_util"] = json!(efficiency);
    v["context_tokens"] = json!(a.context_tokens());
    v["tokens_per_user_day"] = json!(a.tokens_per_user_day());
    v["peak_flops_per_accelerator"] = json!(p.peak_flops);
    v["serve_peak_flops_per_accelerator"] = json!(p.serve_peak_flops);
    v["bf16_peak_derived_from"] = json!(p.bf16_peak.as_ref().and_then(|b| b.derived_from));
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
        "{} — {} on {} (train {}, serve {}), {}",
        p.id,
        p.model.describe(),
        p.accelerator,
        p.precision.train,
        p.precision.serve,
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
        t.push_note(note.text);
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
    if let (Some(stated), Some(fed)) = (p.count_stated, p.count_power_fed) {
        row(t, "fleet", "accelerators stated", stated, "");
        row(t, "fleet", "accelerators the power feeds", fed, "");
    }
    let binding = match p.binding {
        Some(model::power::Binding::Power) => "accelerators (the power binds)",
        Some(model::power::Binding::Count) => "accelerators (the count binds)",
        None => "accelerators",
    };
    row(t, "fleet", binding, p.count, "");
    if let Some(w) = p.power_w {
        row(t, "fleet", "facility power", w.scale(1e-6), "MW");
    }
    if let Some((kw, _)) = p.all_in_kw {
        row(t, "fleet", "all-in IT power per accelerator", kw, "kW");
    }
    row(t, "fleet", "PUE", p.pue.value, "");
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
    row(t, "training", "accelerators training", tr.accelerators, "");
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
    row(t, "training", "goodput of the largest job", job.goodput, "");
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
    row(t, "inference", "accelerators serving", i.accelerators, "");
    t.push_text_row([
        "inference".to_string(),
        "replica layout, batch, bound".to_string(),
        format!("{} x{}", i.layout, i.batch),
        i.bound.label().to_string(),
        String::new(),
        format!("{} accelerators", i.replica_size),
    ]);
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
    row(t, "inference", "time per output token", i.tpot_ms, "ms");
    row(t, "inference", "time to first token", i.ttft_ms, "ms");
    row(t, "inference", "fleet output", i.tokens_per_s, "tokens/s");
    row(
        t,
        "inference",
        "fleet requests",
        i.requests_per_s,
        "requests/s",
    );
    if i.users.exceeds_online_population {
        t.push_text_row([
            "inference".to_string(),
            "users served".to_string(),
            "more than everyone online".to_string(),
            String::new(),
            String::new(),
            format!(
                "{:.1}x the world's internet users",
                i.users_served.central / i.users.online_population
            ),
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

fn training_lines(p: &Projection, a: &Assumptions) -> Vec<Note> {
    use NoteKind::Assumption as A;
    let mut lines = vec![sourced(
        A,
        "MFU (vs BF16 peak)",
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
            (None, None) => {
                let law = &a.critical_batch;
                sourced(
                    A,
                    "global batch",
                    format!("{} x C^{}", law.value.coefficient, law.value.exponent),
                    &law.status,
                    &law.source,
                )
            }
        },
    );
    lines
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
