//! Golden tests of issue 10: the model reproduces the source articles' own dates and money
//! within stated tolerances, each with its citation, and the gaps it does not close are
//! asserted as the documented gaps they are (reported, never fitted away). Also the README's
//! worked example (what a gigawatt of Vera Rubin costs and serves) and the H100-hour, both
//! recomputed by hand from the catalog's figures.

use fleetbench::model::assumptions::Sourced;
use fleetbench::model::checks::{self, Outcome, Verdict};
use fleetbench::model::cost::{self, CostAssumptions, HOURS_PER_YEAR};
use fleetbench::model::phase::Date;
use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::timeline::{Figures, Setup, ShareRamp, Window};
use fleetbench::model::{
    self, Assumptions, Catalog, DType, Precision, PrecisionChoice, Range, ReferenceModel,
};

struct World {
    catalog: Catalog,
    model: ReferenceModel,
    assumptions: Assumptions,
    costs: CostAssumptions,
}

fn world() -> World {
    let catalog = Catalog::embedded().unwrap();
    let model = scenario::resolve_model(&catalog, None, ModelOverrides::default()).unwrap();
    let assumptions = Assumptions::from_defaults(
        &catalog.defaults,
        Precision {
            train: DType::Bf16,
            serve: DType::Fp8,
        },
    );
    let costs = CostAssumptions::new(&catalog.costs, &catalog.prices, &assumptions);
    World {
        catalog,
        model,
        assumptions,
        costs,
    }
}

fn setup(w: &World, share: ShareRamp) -> Setup<'_> {
    Setup {
        catalog: &w.catalog,
        model: &w.model,
        assumptions: &w.assumptions,
        precision: PrecisionChoice::default(),
        costs: &w.costs,
        inference_share: Sourced::user(share, "test"),
    }
}

/// The catalog's default: OpenAI's 2024 inference share held constant.
fn default_setup(w: &World) -> Setup<'_> {
    setup(
        w,
        ShareRamp::Constant(w.catalog.defaults.timeline_inference_share.value),
    )
}

/// A fleet at the end of `year` (every phase, its own row).
fn fleet_at(s: &Setup<'_>, id: &str, t: f64) -> Figures {
    let fleet = s.catalog.fleet(id).unwrap();
    s.fleet_at(fleet, t, 0.31, false)
}

fn gw(f: &Figures) -> f64 {
    f.power_w.map_or(0.0, |p| p.central / 1e9)
}

fn outcomes(s: &Setup<'_>) -> Vec<Outcome> {
    checks::evaluate(
        s,
        &s.catalog.fleets,
        &s.catalog.checks,
        Window::new(2024, 2030).unwrap(),
    )
}

fn outcome<'a>(all: &'a [Outcome], id: &str) -> &'a Outcome {
    all.iter().find(|o| o.check.id == id).unwrap()
}

fn ratio(o: &Outcome) -> f64 {
    o.ratio.unwrap().central
}

#[test]
fn dates_the_articles_give() {
    let w = world();
    let s = default_setup(&w);
    let end = Date::year_end;
    // NVIDIA-OpenAI LOI (openai.com, 2025-09-22): the first GW, on Vera Rubin, in H2 2026.
    // AMD-OpenAI (nasdaq.com / RTTNews, 2025-10-06): the first GW of MI450 in H2 2026.
    for id in ["nvidia-openai-10gw", "amd-openai-6gw"] {
        assert!(
            fleet_at(&s, id, end(2025)).accelerators.is_none(),
            "{id} 2025"
        );
        assert!(
            (gw(&fleet_at(&s, id, end(2026))) - 1.0).abs() < 1e-9,
            "{id} 2026"
        );
    }
    // OpenAI-Broadcom (press release, 2025-10-13): 10 GW from H2 2026, complete by end-2029.
    let broadcom = |y| gw(&fleet_at(&s, "openai-broadcom-10gw", end(y)));
    assert!(broadcom(2026) > 0.0 && broadcom(2028) < 10.0);
    assert!((broadcom(2029) - 10.0).abs() < 1e-9);
    // Stargate: ~7 GW planned 'over the next three years' (2025-09-23) and 10 GW for $500B
    // over four years from 2025-01 (White House, 2025-01-21).
    let sept_2028 = "2028-09".parse::<Date>().unwrap().end();
    assert!((gw(&fleet_at(&s, "stargate", sept_2028)) - 7.0).abs() < 0.01);
    assert!((gw(&fleet_at(&s, "stargate", end(2029))) - 10.0).abs() < 1e-9);
    // Meta Hyperion: ~2 GW by ~2030 (secondary).
    assert!((gw(&fleet_at(&s, "meta-hyperion", end(2030))) - 2.0).abs() < 1e-9);
    // xAI Colossus: 100k H100 in September 2024, 200k by February 2025, ~230k by July 2025.
    let colossus = |y| {
        fleet_at(&s, "xai-colossus", end(y))
            .accelerators
            .unwrap()
            .central
    };
    assert_eq!(colossus(2024), 100_000.0);
    assert_eq!(colossus(2025), 230_000.0);
    // Meta: 'more than 1.3 million GPUs' at end-2025 (Zuckerberg, 2025-01-24).
    assert_eq!(
        fleet_at(&s, "meta-2025", end(2025))
            .accelerators
            .unwrap()
            .central,
        1_300_000.0
    );
    // AWS: Anthropic on more than 1M Trainium2 by end-2025 (AWS, 2025-10-29).
    assert_eq!(
        fleet_at(&s, "anthropic-rainier", end(2025))
            .accelerators
            .unwrap()
            .central,
        1_000_000.0
    );
}

#[test]
fn openai_passes_a_million_gpus_at_end_2025_counting_abilene_once() {
    // Altman, 2025-07-20 (moneycontrol.com): 'well over 1 million GPUs' by end-2025.
    // Tolerance: within 3% of 1M at the central figure (the 900k H100 phase is the statement
    // less Abilene's ~100k GB200, so the central figure must land on it, not double it).
    let w = world();
    let all = outcomes(&default_setup(&w));
    let o = outcome(&all, "openai-gpus-end-2025");
    assert_eq!(o.verdict, Verdict::Pass);
    assert!((ratio(o) - 1.0).abs() < 0.03, "{}", ratio(o));
}

#[test]
fn the_articles_money_against_the_model() {
    let w = world();
    let all = outcomes(&default_setup(&w));
    // Stargate's $500B for 10 GW (White House, 2025-01-21): tolerance 1.5x either way.
    let stargate = outcome(&all, "stargate-500b");
    assert_eq!(stargate.verdict, Verdict::Pass);
    assert!(
        (1.0 / 1.5..1.5).contains(&ratio(stargate)),
        "{}",
        ratio(stargate)
    );
    // Huang, NVIDIA Q2 FY2026 call (2025-08-27): ~$50B per GW. Tolerance 1.5x; the Rubin
    // price is derived from the same statement's $35B, so the facility part is what is tested.
    let huang = outcome(&all, "huang-50b-per-gw");
    assert_eq!(huang.verdict, Verdict::Pass);
    assert!((1.0 / 1.5..1.5).contains(&ratio(huang)), "{}", ratio(huang));
    // Altman, 2025-10-28 (Reuters): ~30 GW for ~$1.4T. Power within 15%, capex within 1.5x.
    let power = outcome(&all, "altman-30gw");
    assert_eq!(power.verdict, Verdict::Pass);
    assert!((0.85..1.15).contains(&ratio(power)), "{}", ratio(power));
    let trillion = outcome(&all, "altman-1.4t");
    assert_eq!(trillion.verdict, Verdict::Pass);
    assert!((1.0 / 1.5..1.5).contains(&ratio(trillion)));
    // NVIDIA's up to $100B over 10 GW (capacitymedia.com): the NVIDIA hardware 10 GW buys is
    // several times the investment (the money comes back as revenue).
    let nvidia = outcome(&all, "nvidia-100b");
    assert_eq!(nvidia.verdict, Verdict::Pass);
    assert!(ratio(nvidia) > 2.0, "{}", ratio(nvidia));
    // Clouds rent an H100 for $2.49-$3.90 an hour (mid-2025 on): owning one costs less.
    let h100 = outcome(&all, "h100-owner-below-cloud");
    assert_eq!(h100.verdict, Verdict::Pass);
    assert!(ratio(h100) < 0.5, "{}", ratio(h100));
}

#[test]
fn the_gaps_the_model_reports_and_does_not_fit_away() {
    let w = world();
    let all = outcomes(&default_setup(&w));
    // AMD (CFO, 2025-10-06): 'tens of billions' for 6 GW. The MI450 price is an assumed
    // proxy (Rubin's): the check passes only by its low end; the central figure is over twice
    // the claim's middle, the gap the proxy leaves.
    let amd = outcome(&all, "amd-6gw-tens-of-billions");
    assert_eq!(amd.verdict, Verdict::Pass);
    assert!(ratio(amd) > 2.0, "{}", ratio(amd));
    // OpenAI's ~$20B burn by 2027 (The Information, 2025-02): what its fleets cost to run in
    // 2027 is several times that; burn is cost minus revenue, and partners carry the capex.
    let burn = outcome(&all, "openai-burn-2027");
    assert_eq!(burn.verdict, Verdict::Fail);
    assert!(ratio(burn) > 2.5, "{}", ratio(burn));
    // 75% of OpenAI's compute from Stargate by 2030 (The Information, 2025-02): with the
    // later AMD and Broadcom deals beside it, Stargate holds about half of that share.
    let share = outcome(&all, "stargate-share-2030");
    assert_eq!(share.verdict, Verdict::Fail);
    assert!((0.3..0.7).contains(&ratio(share)), "{}", ratio(share));
    // Inference costing more than training by 2030 needs a shift the 2024 split (31%)
    // does not show; a ramp to 60% makes it so.
    assert_eq!(
        outcome(&all, "inference-over-training-2030").verdict,
        Verdict::Fail
    );
    let ramp = ShareRamp::parse("2025:0.3,2030:0.6", "--inference-share").unwrap();
    let with_ramp = outcomes(&setup(&w, ramp));
    assert_eq!(
        outcome(&with_ramp, "inference-over-training-2030").verdict,
        Verdict::Pass
    );
}

#[test]
fn a_gigawatt_of_vera_rubin_by_hand() {
    // README's worked example: `fleetbench project --fleet nvidia-openai-first-gw`.
    let w = world();
    let c = &w.catalog;
    let fleet = c.fleet("nvidia-openai-first-gw").unwrap();
    let s = model::Scenario::from_fleet(c, fleet, w.model.clone()).unwrap();
    let a = w
        .assumptions
        .for_accelerator(&s.accelerator, &PrecisionChoice::default())
        .unwrap();
    let p = model::project(&s, &a).unwrap();
    let money = cost::fleet_cost(&p, &w.costs).unwrap();
    // All-in IT kW: Vera Rubin NVL72 210 kW / 72 x (1 + 6% scale-out) = 3.0917 kW; with
    // PUE 1.2 a GPU draws 3.71 kW of facility power, so 1 GW feeds 269,478 GPUs.
    let kw = 210.0 / 72.0 * 1.06;
    let count = 1e9 / (kw * 1e3 * 1.2);
    assert!((p.count.central / count - 1.0).abs() < 1e-9);
    // Capex per GPU: $130,000 (Huang's $35B per GW / the GPUs it feeds) + 3.0917 kW of IT
    // load x $11.7M per MW = $166,172.5; for the GW, $44.8B.
    let unit_capex = 130_000.0 + kw / 1e3 * 11.7e6;
    assert!((money.per_accelerator.capex_usd.central - unit_capex).abs() < 1e-6);
    assert!((money.capex_usd.central / (count * unit_capex) - 1.0).abs() < 1e-9);
    assert!((money.capex_usd.central / 44.78e9 - 1.0).abs() < 0.001);
    // A year: $130k / 5.5 + facility / 20 + 3.71 kW x 8,766 h x $80.6/MWh + 7.5% of $130k.
    let yearly = 130_000.0 / 5.5
        + kw / 1e3 * 11.7e6 / 20.0
        + kw * 1.2 / 1e3 * HOURS_PER_YEAR * 80.6
        + 0.075 * 130_000.0;
    let per_hour = yearly / HOURS_PER_YEAR;
    // Of which opex (energy and operations), for the gigawatt.
    let opex = kw * 1.2 / 1e3 * HOURS_PER_YEAR * 80.6 + 0.075 * 130_000.0;
    assert!((money.yearly_opex_usd.central / (count * opex) - 1.0).abs() < 1e-9);
    assert!((money.usd_per_accelerator_hour.central - per_hour).abs() < 1e-9);
    assert!((per_hour - 4.31).abs() < 0.01, "{per_hour}");
    // A Llama 3.1 405B run: its accelerator-hours x $/hour.
    let hours = p.training.as_ref().unwrap().gpu_hours.unwrap().central;
    assert!((money.usd_per_training_run.unwrap().central - hours * per_hour).abs() < 1e-3);
    // A million output tokens at half the serving capacity sold (peak/average 2).
    let i = p.inference.as_ref().unwrap();
    let tokens_per_hour = i.decode_tokens_per_s_per_accelerator.central * 3600.0 * 0.5;
    let per_million = per_hour / tokens_per_hour * 1e6;
    let modelled = money.usd_per_million_output_tokens.unwrap().central;
    assert!((modelled - per_million).abs() < 1e-12, "{modelled}");
}

#[test]
fn an_h100_hour_by_hand() {
    let w = world();
    let h100 = w.catalog.accelerator("h100").unwrap();
    let unit = cost::accelerator_cost(h100, &w.assumptions, w.catalog.defaults.pue.value, &w.costs)
        .unwrap();
    // DGX H100 8.5 kW / 8 x 1.06 = 1.126 kW IT; $30k / 5.5 years, facility $11.7M/MW over
    // 20 years, 1.2 x 1.126 kW all year at $80.6/MWh, 7.5% of the price in operations.
    let kw = 8.5 / 8.0 * 1.06;
    let yearly = 30_000.0 / 5.5
        + kw / 1e3 * 11.7e6 / 20.0
        + kw * 1.2 / 1e3 * HOURS_PER_YEAR * 80.6
        + 0.075 * 30_000.0;
    assert!((unit.usd_per_hour.central - yearly / HOURS_PER_YEAR).abs() < 1e-12);
    assert!((unit.usd_per_hour.central - 1.06).abs() < 0.01);
    let r: Range = unit.usd_per_hour;
    assert!(r.low < r.central && r.central < r.high);
}
