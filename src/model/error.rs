//! What can go wrong inside the model, as data: each variant says what is wrong in one
//! line and never names a command-line flag (the command layer adds flag hints). At the
//! command boundary a `ModelError` becomes the crate's usage error (exit code 2).

use super::accelerator::DType;
use super::inference::layout::Layout;

/// A projection the model refuses to make, with its cause.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    #[error("{accelerator} has no {dtype} peak in the catalog (published: {published})")]
    NoPeak {
        accelerator: String,
        dtype: DType,
        published: String,
    },
    #[error("{accelerator} has no published power figure, so a count cannot be derived from power")]
    NoPowerFigure { accelerator: String },
    #[error("fleet '{0}' has neither a count nor a power")]
    EmptyFleet(String),
    #[error("{0}")]
    ModelFigures(String),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("{0}")]
    DoesNotFit(String),
    #[error("{0}")]
    LatencyTarget(String),
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error("{0} is not a training format: no published training run uses it")]
    NotATrainingFormat(DType),
    #[error(
        "{} buys {} {accelerator} with their facility ({} each): less than one",
        super::units::usd(*budget_usd),
        super::units::sig3(*accelerators),
        super::units::usd(*unit_usd)
    )]
    BudgetBelowOne {
        accelerator: String,
        budget_usd: f64,
        accelerators: f64,
        unit_usd: f64,
    },
}

/// A catalog that cannot be read, parsed or trusted, or an id it does not hold.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read catalog {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TOML that does not parse, or fields of the wrong shape (the line when known).
    #[error("catalog {name}:{} {message}", line.map(|l| format!(" line {l}:")).unwrap_or_default())]
    Parse {
        name: String,
        line: Option<usize>,
        message: String,
    },
    /// An entry whose figures cannot be used.
    #[error("{origin}: {entry}")]
    Invalid {
        origin: String,
        entry: String,
        #[source]
        problem: EntryProblem,
    },
    #[error("unknown {kind} '{wanted}'{}", suggestion.as_ref().map(|s| format!(": did you mean '{s}'?")).unwrap_or_default())]
    UnknownId {
        kind: IdKind,
        wanted: String,
        suggestion: Option<String>,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Cost(#[from] super::cost::CostGap),
}

/// What kind of catalog entry an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    Accelerator,
    Fleet,
    Model,
}

impl std::fmt::Display for IdKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            IdKind::Accelerator => "accelerator",
            IdKind::Fleet => "fleet",
            IdKind::Model => "model",
        })
    }
}

/// Text a user or a catalog gave that does not read as the quantity it names. `what` is
/// the name the caller gives the value (a flag, a field); `given` is the text as typed,
/// made printable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("power '{given}' has no unit: write it like 1.5GW, 500MW, 120kW or 700W")]
    PowerWithoutUnit { given: String },
    #[error("power '{given}' is not a number followed by W, kW, MW or GW (e.g. 1.5GW)")]
    NotAPower { given: String },
    #[error("power '{given}' must be a positive, finite amount")]
    PowerNotPositive { given: String },
    #[error("{what} '{given}' is not a number")]
    NotANumber { what: String, given: String },
    #[error("{what} must be a positive number (got {given})")]
    NotPositive { what: String, given: String },
    #[error("{what} must be a positive whole number (got {given})")]
    NotWhole { what: String, given: String },
    /// A value outside the interval it must lie in, written as maths writes it: "(0, 1]".
    #[error("{what} must lie in {interval} (got {given})")]
    Outside {
        what: String,
        interval: &'static str,
        given: String,
    },
    #[error("{what} '{given}' is not a number or low,central,high")]
    NotARange { what: String, given: String },
    #[error("{what} takes one value or three (low,central,high), got {count}")]
    RangeArity { what: String, count: usize },
    /// Three values that do not make a range; the range's own error says why.
    #[error("{what}: {problem}")]
    BadRange { what: String, problem: RangeError },
    #[error("{what} '{given}' has an unknown suffix '{suffix}': use k, M, B or T (e.g. 10B)")]
    UnknownMoneySuffix {
        what: String,
        given: String,
        suffix: String,
    },
    #[error("{what} '{given}' is not an amount of US dollars (e.g. 10B, 30k)")]
    NotAnAmount { what: String, given: String },
    #[error("{what} must be a positive amount (got {given})")]
    AmountNotPositive { what: String, given: String },
    /// One part of a list that is not a number: "2025:x" in a ramp.
    #[error("{what} '{given}': '{part}' is not a number")]
    PartNotANumber {
        what: String,
        given: String,
        part: String,
    },
    #[error("{what} '{given}': write a share, or YEAR:SHARE pairs like 2025:0.3,2030:0.6")]
    NotYearPairs { what: String, given: String },
    #[error("{what} '{given}': '{part}' is not a year")]
    NotAYear {
        what: String,
        given: String,
        part: String,
    },
    #[error(
        "{what}: year {year} is out of range ({}–{})",
        super::phase::FIRST_YEAR,
        super::phase::LAST_YEAR
    )]
    YearOutOfRange { what: String, year: i32 },
    #[error("{what} '{given}' is not increasing in time: {year} follows {last}")]
    NotIncreasing {
        what: String,
        given: String,
        year: i32,
        last: i32,
    },
    #[error("unknown data type '{given}': use fp64, fp32, tf32, bf16 (= fp16), fp8, fp4 or int8")]
    UnknownDtype { given: String },
    #[error("layout '{given}' is not like TP8, TP8xPP2 or TP4xEP8 (powers of TP, PP, EP)")]
    NotALayout { given: String },
    #[error("layout '{given}': every degree must be at least 1")]
    LayoutDegreeZero { given: String },
    #[error("layout '{given}': TP x PP x EP passes {} accelerators", u32::MAX)]
    LayoutTooLarge { given: String },
    #[error("date '{given}' is not a year, half-year or month (2025, 2025-H2, 2025-07)")]
    NotADate { given: String },
    #[error(
        "date '{given}' lies outside {}–{}",
        super::phase::FIRST_YEAR,
        super::phase::LAST_YEAR
    )]
    DateOutOfSpan { given: String },
}

/// Three values that cannot be a `Range`: not all finite, or not ordered.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum RangeError {
    #[error("range values must be finite numbers (got {low}, {central}, {high})")]
    NotFinite { low: f64, central: f64, high: f64 },
    #[error("range must satisfy low <= central <= high (got {low}, {central}, {high})")]
    Disordered { low: f64, central: f64, high: f64 },
}

/// Which end of a timeline's window a year was given for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display)]
pub enum WindowEnd {
    #[strum(serialize = "first")]
    First,
    #[strum(serialize = "last")]
    Last,
}

/// Years that cannot bound a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    #[error(
        "the {end} year {year} is out of range: years must lie in {}–{}",
        super::phase::FIRST_YEAR,
        super::phase::LAST_YEAR
    )]
    OutOfRange { end: WindowEnd, year: i32 },
    #[error("the first year {from} is after the last year {to}")]
    Reversed { from: i32, to: i32 },
}

/// Why a serving layout cannot be used for a model on an accelerator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    #[error("layout {0}: tensor- and expert-parallel degrees are powers of two")]
    NotPowersOfTwo(Layout),
    #[error(
        "layout {0}: tensor parallelism needs a scale-up fabric, and this accelerator has no \
         published one"
    )]
    NoFabric(Layout),
    #[error("layout {layout}: TP{} exceeds the scale-up domain of {domain} accelerators", layout.tp)]
    BeyondDomain { layout: Layout, domain: u32 },
    #[error("layout {layout}: {} pipeline stages for {layers} layers", layout.pp)]
    MoreStagesThanLayers { layout: Layout, layers: u32 },
    #[error("layout {0}: expert parallelism needs a mixture-of-experts model")]
    NoExperts(Layout),
    #[error("layout {layout}: EP{} exceeds the model's {experts} experts", layout.ep)]
    MoreExpertParallelThanExperts { layout: Layout, experts: u32 },
    #[error(
        "layout {layout} spans {} accelerators but only {} serve",
        layout.accelerators(),
        super::units::si(*serving)
    )]
    TooFewAccelerators { layout: Layout, serving: f64 },
}

/// What is wrong with one catalog entry; `CatalogError::Invalid` names the entry.
#[derive(Debug, thiserror::Error)]
pub enum EntryProblem {
    #[error("status '{0}' must start with one of {statuses}", statuses = super::catalog::STATUSES.join(", "))]
    Status(String),
    #[error("{what} must be a positive number (got {value})")]
    NotPositive { what: String, value: f64 },
    #[error("source is empty")]
    NoSource,
    #[error("system_kw needs chips_per_system >= 1")]
    SystemWithoutChips,
    #[error("scaleup_domain must be at least 1")]
    NoScaleupDomain,
    #[error("needs a count, a power_gw, or both")]
    FleetWithoutSize,
    #[error("pue must be at least 1 (got {0})")]
    PueBelowOne(f64),
    #[error("largest_site needs a count or a power_gw (one of them)")]
    SiteSize,
    #[error("a fleet cannot be within itself")]
    WithinItself,
    /// An accelerator or fleet id the entry names that the catalog does not hold.
    #[error(transparent)]
    Unknown(Box<CatalogError>),
    /// A dated build-out phase of a fleet, numbered from 1.
    #[error("phase {number} ({online})")]
    Phase {
        number: usize,
        online: super::phase::Date,
        #[source]
        problem: Box<EntryProblem>,
    },
    #[error("a phase's count or power_gw must be positive")]
    PhaseSizeNotPositive,
    #[error("a phase needs a count or a power_gw (one of them)")]
    PhaseSize,
    #[error("a phase needs a source and a basis")]
    PhaseWithoutSource,
    #[error("a ramp must start ({from}) before the phase is online ({online})")]
    RampAfterOnline {
        from: super::phase::Date,
        online: super::phase::Date,
    },
    #[error("a ramp's start ({start}) must be positive and below the phase's size ({full})")]
    RampStart { start: f64, full: f64 },
    #[error("sized by power, but {0} has no power figure: give a count")]
    PowerWithoutFigure(String),
    #[error("give usd (per accelerator), or usd_per_system with accelerators_per_system")]
    PriceWithoutAmount,
    #[error("needs params, or compute_flop")]
    ModelWithoutSize,
    /// A reference model whose figures do not make an architecture.
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("opex_share must not exceed 1")]
    OpexShareAboveOne,
    #[error("metric {metric:?} needs a {what}")]
    CheckNeeds {
        metric: super::checks::Metric,
        what: &'static str,
    },
    #[error("tolerance must be at least 1 (got {0})")]
    Tolerance(f64),
}

impl From<CatalogError> for EntryProblem {
    fn from(error: CatalogError) -> Self {
        EntryProblem::Unknown(Box::new(error))
    }
}
