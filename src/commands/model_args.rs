//! The flags every model command shares (`project`, `compare`, `timeline`, `report`): the
//! output and catalog, the model to project (a reference id or custom figures), and the
//! overrides of the catalog's default assumptions, with their parsers.

use std::path::PathBuf;

use crate::bridge::MfuChoice;
use crate::error::Result;
use crate::model::cost::CostAssumptions;
use crate::model::error::InputError;
use crate::model::scenario::{self, ArchitectureOverrides, ModelOverrides};
use crate::model::timeline::ShareRamp;
use crate::model::units;
use crate::model::{
    self, Assumptions, BatchChoice, Catalog, DType, Layout, PrecisionChoice, Range, Sourced,
};
use crate::report::OutputArgs;

/// The flags every projecting command shares (`project`, `compare`, `timeline`): the model
/// served and trained, the assumptions, the costs, the catalog and the output.
#[derive(Debug, clap::Args)]
pub struct ProjectionFlags {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub assumptions: AssumptionArgs,
    #[command(flatten)]
    pub costs: CostArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Output and catalog flags every model command takes.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// A TOML catalog whose [[accelerator]], [[fleet]], [[model]] and [[price]] entries replace
    /// or extend the built-in ones, and whose [costs] table replaces cost figures.
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
    /// Share of the fleet serving inference in [0, 1]; the rest trains. Unset: each section
    /// uses the whole fleet. `timeline` also takes a ramp of years, e.g. 2025:0.3,2030:0.6.
    #[arg(long, value_name = "SHARE", value_parser = share_ramp("--inference-share"))]
    pub inference_share: Option<ShareRamp>,
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

/// What the value parsers below return: the model's own error, which clap shows after
/// the flag and its value.
type Parsed<T> = std::result::Result<T, InputError>;

pub fn positive(flag: &'static str) -> impl Fn(&str) -> Parsed<f64> + Clone {
    move |s| units::parse_positive(s, flag)
}

pub fn whole(flag: &'static str) -> impl Fn(&str) -> Parsed<u32> + Clone {
    move |s| units::parse_whole(s, flag)
}

fn fraction(flag: &'static str) -> impl Fn(&str) -> Parsed<Range> + Clone {
    move |s| units::parse_fraction_range(s, flag)
}

fn share_ramp(flag: &'static str) -> impl Fn(&str) -> Parsed<ShareRamp> + Clone {
    move |s| ShareRamp::parse(s, flag)
}

fn parse_dtype(s: &str) -> Parsed<DType> {
    s.parse()
}

fn parse_layout(s: &str) -> Parsed<Layout> {
    s.parse()
}

fn parse_batch(s: &str) -> Parsed<BatchChoice> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(BatchChoice::Auto);
    }
    units::parse_whole(s, "--batch").map(|n| BatchChoice::Fixed(u64::from(n)))
}

pub fn parse_power(s: &str) -> Parsed<f64> {
    units::parse_power(s)
}

fn parse_pue(s: &str) -> Parsed<Range> {
    units::parse_range_within(s, "--pue", "[1, 5]", |v| (1.0..=5.0).contains(&v))
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
        scenario::check(&model)?;
        Ok(model)
    }
}

impl AssumptionArgs {
    /// Refuses a ramp of years where one share is meant (`project`, `compare`).
    pub fn one_inference_share(&self) -> Result<()> {
        match &self.inference_share {
            Some(ShareRamp::Points(_)) => Err(crate::error::Error::usage(
                "--inference-share takes one share here (e.g. 0.3); a ramp of years \
                 (2025:0.3,2030:0.6) is for `fleetbench timeline`",
            )),
            _ => Ok(()),
        }
    }

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
        let precision = self.precision().resolve(acc)?;
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
        a.inference_share = self.inference_share.as_ref().and_then(ShareRamp::single);
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

/// Parses `--mfu`: `measured`, a share in (0, 1], or low,central,high.
pub fn parse_mfu(text: &str) -> Parsed<MfuChoice> {
    if text.trim().eq_ignore_ascii_case("measured") {
        return Ok(MfuChoice::Measured);
    }
    units::parse_fraction_range(text, "--mfu").map(MfuChoice::Given)
}

/// Overrides of the cost catalog: prices, electricity, depreciation, serving utilisation.
#[derive(Debug, Default, clap::Args)]
pub struct CostArgs {
    /// Price per accelerator in USD with k/M/B/T suffixes: ID=USD (repeatable or
    /// comma-separated, e.g. h100=30k,b200=35k), or a bare USD for every accelerator of
    /// the command [default: the cost catalog's].
    #[arg(long, value_name = "[ID=]USD", value_delimiter = ',', value_parser = parse_price)]
    pub price: Vec<PriceFlag>,
    /// Electricity price in USD per MWh, e.g. 80 or 60,80,100.
    #[arg(long, value_name = "USD", value_parser = positive_range("--usd-per-mwh"))]
    pub usd_per_mwh: Option<Range>,
    /// Depreciation life of the accelerators in years, e.g. 5 or 4,5,6.
    #[arg(long, value_name = "YEARS", value_parser = positive_range("--depreciation-years"))]
    pub depreciation_years: Option<Range>,
    /// Serving utilisation (average load over capacity) in (0, 1], for $ per million output
    /// tokens [default: 1 / the peak-to-average provisioning].
    #[arg(long, value_name = "SHARE", value_parser = fraction("--utilisation"))]
    pub utilisation: Option<Range>,
}

/// One `--price`: an accelerator's price, or every accelerator's.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceFlag {
    pub accelerator: Option<String>,
    pub usd: f64,
}

fn parse_price(text: &str) -> Parsed<PriceFlag> {
    let (accelerator, amount) = match text.split_once('=') {
        Some((id, usd)) => (Some(id.trim().to_string()), usd),
        None => (None, text),
    };
    Ok(PriceFlag {
        accelerator,
        usd: units::parse_usd(amount, "--price")?,
    })
}

fn positive_range(flag: &'static str) -> impl Fn(&str) -> Parsed<Range> + Clone {
    move |s| units::parse_range(s, flag)
}

impl CostArgs {
    /// The cost catalog with every given flag applied; a bare `--price` sets the price of
    /// each of `accelerators`.
    pub fn resolve(
        &self,
        catalog: &Catalog,
        a: &Assumptions,
        accelerators: &[&str],
    ) -> Result<CostAssumptions> {
        let mut costs = CostAssumptions::new(&catalog.costs, &catalog.prices, a);
        for flag in &self.price {
            let ids: Vec<String> = match &flag.accelerator {
                Some(id) => vec![catalog.accelerator(id)?.id.clone()],
                None => accelerators.iter().map(|id| id.to_string()).collect(),
            };
            for id in ids {
                costs
                    .prices
                    .insert(id, Sourced::user(Range::exact(flag.usd), "--price"));
            }
        }
        let d = &mut costs.defaults;
        if let Some(v) = self.usd_per_mwh {
            d.electricity_usd_per_mwh = Sourced::user(v, "--usd-per-mwh");
        }
        if let Some(v) = self.depreciation_years {
            d.depreciation_years = Sourced::user(v, "--depreciation-years");
        }
        if let Some(v) = self.utilisation {
            costs.serving_utilisation = Sourced::user(v, "--utilisation");
        }
        Ok(costs)
    }
}
