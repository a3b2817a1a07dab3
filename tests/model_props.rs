//! Property tests of the projection: doubling power doubles throughput, more MFU never
//! lowers it, every output range is ordered and finite, parsers never panic.

use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::units::parse_power;
use fleetbench::model::{
    self, Assumptions, Catalog, DType, FleetSize, Projection, Range, Scenario, Sourced,
};
use proptest::prelude::*;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap()
}

fn run(acc: &str, size: FleetSize, model_id: &str, dtype: DType, mfu: f64) -> Projection {
    let c = catalog();
    let m = scenario::resolve_model(&c, Some(model_id), ModelOverrides::default()).unwrap();
    let s = Scenario::from_accelerator(&c, acc, size, m).unwrap();
    let mut a = Assumptions::from_defaults(&c.defaults, dtype);
    a.mfu = Sourced::user(Range::exact(mfu), "test");
    model::project(&s, &a).unwrap()
}

fn ranges(p: &Projection) -> Vec<Range> {
    let mut out = vec![p.count, p.peak_flops, p.pue.value];
    out.extend(p.power_w);
    if let Some(t) = &p.training {
        out.push(t.flops_per_s);
        out.extend(
            [t.tokens_per_s, t.days, t.gpu_hours, t.models_per_year]
                .into_iter()
                .flatten(),
        );
    }
    if let Ok(i) = &p.inference {
        out.extend([
            i.tokens_per_s,
            i.users_served,
            i.decode_tokens_per_s_per_accelerator,
            i.prefill_tokens_per_s_per_accelerator,
        ]);
        out.extend([i.joules_per_token, i.tokens_per_mwh].into_iter().flatten());
    }
    out
}

/// Accelerators with a power figure and an fp8 peak, so power-sized runs always work.
const POWERED_FP8: [&str; 8] = [
    "h100",
    "b200",
    "gb200",
    "gb300",
    "mi355x",
    "rubin",
    "tpu-v7",
    "trainium2",
];
const MODELS: [&str; 4] = ["llama-3-70b", "llama-3.1-405b", "deepseek-v3", "gpt-4"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn doubling_power_doubles_count_and_throughput(i in 0usize..8, m in 0usize..4, gw in 0.01f64..20.0) {
        let one = run(POWERED_FP8[i], FleetSize::Power(Range::exact(gw * 1e9)), MODELS[m], DType::Fp8, 0.4);
        let two = run(POWERED_FP8[i], FleetSize::Power(Range::exact(2.0 * gw * 1e9)), MODELS[m], DType::Fp8, 0.4);
        let ratio = |a: f64, b: f64| b / a;
        prop_assert!((ratio(one.count.central, two.count.central) - 2.0).abs() < 1e-9);
        let (t1, t2) = (one.training.unwrap(), two.training.unwrap());
        prop_assert!((ratio(t1.flops_per_s.low, t2.flops_per_s.low) - 2.0).abs() < 1e-9);
        prop_assert!((ratio(t1.flops_per_s.high, t2.flops_per_s.high) - 2.0).abs() < 1e-9);
        if let (Ok(i1), Ok(i2)) = (&one.inference, &two.inference) {
            prop_assert!((ratio(i1.tokens_per_s.central, i2.tokens_per_s.central) - 2.0).abs() < 1e-9);
        }
    }

    #[test]
    fn more_mfu_never_lowers_training(i in 0usize..8, lo in 0.01f64..1.0, extra in 0.0f64..1.0) {
        let hi = (lo + extra).min(1.0);
        let a = run(POWERED_FP8[i], scenario::count(1000.0), "llama-3.1-405b", DType::Fp8, lo).training.unwrap();
        let b = run(POWERED_FP8[i], scenario::count(1000.0), "llama-3.1-405b", DType::Fp8, hi).training.unwrap();
        prop_assert!(b.flops_per_s.central >= a.flops_per_s.central);
        prop_assert!(b.tokens_per_s.unwrap().central >= a.tokens_per_s.unwrap().central);
        prop_assert!(b.days.unwrap().central <= a.days.unwrap().central);
    }

    #[test]
    fn every_range_is_ordered_and_finite(
        acc in 0usize..27, m in 0usize..4, n in 1.0f64..1e8, d in 0usize..7, mfu in 0.01f64..1.0,
        pue_lo in 1.0f64..1.5, spread in 0.0f64..0.5, share in proptest::option::of(0.0f64..=1.0),
    ) {
        let c = catalog();
        let accelerator = c.accelerators[acc % c.accelerators.len()].clone();
        let dtype = DType::ALL[d];
        prop_assume!(accelerator.peak_tflops.contains_key(&dtype));
        let model = scenario::resolve_model(&c, Some(MODELS[m]), ModelOverrides::default()).unwrap();
        let s = Scenario::from_accelerator(&c, &accelerator.id, scenario::count(n), model).unwrap();
        let mut a = Assumptions::from_defaults(&c.defaults, dtype);
        a.mfu = Sourced::user(Range::exact(mfu), "test");
        a.pue = Some(Sourced::user(Range::new(pue_lo, pue_lo + spread / 2.0, pue_lo + spread).unwrap(), "test"));
        a.inference_share = share;
        let p = model::project(&s, &a).unwrap();
        for r in ranges(&p) {
            prop_assert!(r.is_valid(), "{r:?}");
        }
    }

    #[test]
    fn power_parser_never_panics_and_accepts_only_positive_watts(text in ".{0,12}") {
        if let Ok(w) = parse_power(&text) {
            prop_assert!(w.is_finite() && w > 0.0);
        }
    }
}
