//! Property tests of issue 10: more budget never buys fewer accelerators; a later year never
//! has less installed power for a fleet that only grows (every catalog fleet, and any set of
//! phases); $/token falls when utilisation rises; every timeline figure is finite and
//! ordered; and the new parsers (money, dates, share ramps) never panic.

use fleetbench::model::cost::{self, CostAssumptions};
use fleetbench::model::fleet::FleetStatus;
use fleetbench::model::phase::{Date, Phase, Ramp};
use fleetbench::model::timeline::ShareRamp;
use fleetbench::model::units::parse_usd;
use fleetbench::model::{Assumptions, Catalog, DType, Precision, Range};
use proptest::prelude::*;

fn assumptions(c: &Catalog) -> Assumptions {
    Assumptions::from_defaults(
        &c.defaults,
        Precision {
            train: DType::Bf16,
            serve: DType::Fp8,
        },
    )
}

/// The accelerators with a price and a power figure.
fn priced() -> Vec<String> {
    let c = Catalog::embedded().unwrap();
    c.prices.iter().map(|p| p.accelerator.clone()).collect()
}

fn range(low: f64, spread: f64) -> Range {
    Range::new(low, low * (1.0 + spread / 2.0), low * (1.0 + spread)).unwrap()
}

fn date(year: i32, month: u8) -> Date {
    format!("{year}-{month:02}").parse().unwrap()
}

/// A phase online at `year`-`month`, ramping from `from` years earlier when given.
fn phase(year: i32, month: u8, gw: f64, ramp: Option<(i32, Option<f64>)>) -> Phase {
    Phase {
        online: date(year, month),
        ramp: ramp.map(|(back, start)| Ramp {
            from: date(year - back, month),
            start: start.map(|s| s * gw),
        }),
        count: None,
        power_gw: Some(Range::exact(gw)),
        accelerator: None,
        status: FleetStatus::Announced,
        basis: "test".into(),
        within: None,
        source: "test".into(),
        source_status: "assumed".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_budget_never_buys_fewer_accelerators(
        which in 0usize..64,
        budget in 1e6f64..1e12,
        more in 1.0f64..10.0,
    ) {
        let c = Catalog::embedded().unwrap();
        let a = assumptions(&c);
        let costs = CostAssumptions::new(&c.costs, &c.prices, &a);
        let ids = priced();
        let acc = c.accelerator(&ids[which % ids.len()]).unwrap();
        let unit = cost::accelerator_cost(acc, &a, c.defaults.pue.value, &costs).unwrap();
        let few = cost::accelerators_for_budget(&unit, budget);
        let many = cost::accelerators_for_budget(&unit, budget * more);
        prop_assert!(few.is_valid() && many.is_valid());
        prop_assert!(many.low >= few.low && many.central >= few.central && many.high >= few.high);
    }

    #[test]
    fn a_growing_fleet_never_has_less_power_later(
        phases in proptest::collection::vec(
            (2020i32..2032, 1u8..=12, 0.01f64..5.0, proptest::option::of((1i32..5, proptest::option::of(0.001f64..0.9)))),
            1..6,
        ),
        t1 in 2019.0f64..2040.0,
        dt in 0.0f64..10.0,
    ) {
        let phases: Vec<Phase> = phases
            .into_iter()
            .map(|(y, m, gw, ramp)| phase(y, m, gw, ramp))
            .collect();
        let installed = |t: f64| -> f64 {
            phases
                .iter()
                .map(|p| p.online_share(t) * p.power_gw.unwrap().central)
                .sum()
        };
        prop_assert!(installed(t1 + dt) >= installed(t1) - 1e-12);
    }

    #[test]
    fn dollars_per_token_fall_as_utilisation_rises(
        per_hour in 0.1f64..20.0,
        spread in 0.0f64..1.0,
        tokens in 1.0f64..1e5,
        low in 0.01f64..0.9,
        rise in 1.01f64..1.1,
    ) {
        let usd = range(per_hour, spread);
        let rate = range(tokens, spread);
        let busy = (low * rise).min(1.0);
        let idle = cost::serving_usd_per_million_tokens(usd, rate, Range::exact(low));
        let full = cost::serving_usd_per_million_tokens(usd, rate, Range::exact(busy));
        prop_assert!(full.low < idle.low && full.central < idle.central && full.high < idle.high);
    }

    #[test]
    fn new_parsers_never_panic(text in ".{0,24}") {
        let _ = parse_usd(&text, "--budget");
        let _ = text.parse::<Date>();
        if let Ok(r) = ShareRamp::parse(&text, "--inference-share") {
            for year in 2015..2041 {
                prop_assert!((0.0..=1.0).contains(&r.at(year)));
            }
        }
    }
}

#[test]
fn every_catalog_fleet_only_grows_year_by_year() {
    let c = Catalog::embedded().unwrap();
    for fleet in &c.fleets {
        let mut last = 0.0;
        for tenth in 0..=250 {
            let t = 2015.0 + f64::from(tenth) / 10.0;
            let installed: f64 = fleet.phases.iter().map(|p| p.online_share(t)).sum();
            assert!(installed >= last - 1e-12, "{} at {t}", fleet.id);
            last = installed;
        }
    }
}

#[test]
fn every_timeline_figure_is_finite_and_ordered() {
    use fleetbench::model::assumptions::Sourced;
    use fleetbench::model::scenario::{self, ModelOverrides};
    use fleetbench::model::timeline::{Figures, Setup, Window};
    let c = Catalog::embedded().unwrap();
    let model = scenario::resolve_model(&c, None, ModelOverrides::default()).unwrap();
    let a = assumptions(&c);
    let costs = CostAssumptions::new(&c.costs, &c.prices, &a);
    let setup = Setup {
        catalog: &c,
        model: &model,
        assumptions: &a,
        precision: Default::default(),
        costs: &costs,
        inference_share: Sourced::user(
            ShareRamp::parse("2024:0.2,2030:0.7", "--inference-share").unwrap(),
            "test",
        ),
    };
    let fleets: Vec<_> = c.fleets.iter().collect();
    let t = setup.timeline(&fleets, Window::new(2020, 2035).unwrap());
    let check = |f: &Figures, what: &str| {
        for r in [
            f.accelerators,
            f.power_w,
            f.h100_equivalents,
            f.training_flops_per_s,
            f.output_tokens_per_s,
            f.capex_usd,
            f.yearly_cost_usd,
            f.inference_cost_usd,
        ]
        .into_iter()
        .flatten()
        {
            assert!(r.is_valid() && r.low >= 0.0, "{what}: {r:?}");
        }
    };
    for f in &t.fleets {
        check(&f.figures, &format!("{} {}", f.fleet, f.year));
    }
    for co in &t.companies {
        check(&co.figures, &format!("{} {}", co.company, co.year));
    }
    // Installed power per company never falls from one year to the next.
    for co in &t.companies {
        if let Some(next) = t
            .companies
            .iter()
            .find(|n| n.company == co.company && n.year == co.year + 1)
        {
            let (a, b) = (co.figures.power_w.unwrap(), next.figures.power_w.unwrap());
            assert!(b.central >= a.central - 1.0, "{} {}", co.company, co.year);
        }
    }
}
