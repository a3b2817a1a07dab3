//! Golden tests: each computes a figure with the model and checks it against a number
//! from the source articles or ../shared/facts, with the tolerance stated beside it.

use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::{self, Assumptions, Catalog, DType, FleetSize, Range, Scenario, Sourced};

fn catalog() -> Catalog {
    Catalog::embedded().expect("embedded catalog loads")
}

fn close(actual: f64, expected: f64, tolerance: f64) -> bool {
    ((actual - expected) / expected).abs() <= tolerance
}

fn peak_tflops(c: &Catalog, id: &str, d: DType) -> Range {
    c.accelerator(id).unwrap().peak_tflops[&d]
}

fn default_model(c: &Catalog) -> model::ReferenceModel {
    scenario::resolve_model(c, None, ModelOverrides::default()).unwrap()
}

#[test]
fn hyperion_5_gw_feeds_the_articles_1_3_million_gpus() {
    // Article 000: "5 GW ... over 1.3 million GPUs". Tolerance: the model's own range.
    let c = catalog();
    let fleet = c.fleet("meta-hyperion").unwrap();
    let s = Scenario::from_fleet(&c, fleet, default_model(&c)).unwrap();
    let p = model::project(&s, &Assumptions::from_defaults(&c.defaults, DType::Fp8)).unwrap();
    let modelled = p.modelled_count.unwrap();
    assert!(modelled.contains(1.3e6, 0.0), "{modelled:?}");
    assert!(p.disagreement.is_none());
}

#[test]
fn huang_10_gw_is_4_to_5_million_blackwell_gpus() {
    // Huang (tweaktown): 10 GW = 4-5 million GPUs. GB200 at central PUE, tolerance 5%.
    let c = catalog();
    let s = Scenario::from_accelerator(
        &c,
        "gb200",
        FleetSize::Power(Range::exact(10e9)),
        default_model(&c),
    )
    .unwrap();
    let p = model::project(&s, &Assumptions::from_defaults(&c.defaults, DType::Bf16)).unwrap();
    assert!(
        p.count.central >= 4e6 * 0.95 && p.count.central <= 5e6 * 1.05,
        "{:?}",
        p.count
    );
    assert!(p.count.overlaps(&Range::new(4e6, 4.5e6, 5e6).unwrap()));
}

#[test]
fn gb200_rack_gives_1_67_kw_and_2_0_to_2_2_kw_facility_per_gpu() {
    // Facts: 120 kW / 72 = ~1.67 kW IT per GPU; x PUE 1.2-1.3 = 2.0-2.2 kW. Tolerance 1%.
    let c = catalog();
    let (kw, _) = c
        .accelerator("gb200")
        .unwrap()
        .all_in_kw(c.defaults.tdp_overhead.value)
        .unwrap();
    assert!(close(kw.central, 1.67, 0.01));
    let facility = model::power::facility_w_per_accelerator(kw, c.defaults.pue.value);
    assert!(close(facility.central, 2.0e3, 0.01), "{facility:?}");
}

#[test]
fn colossus_phase_one_100k_h100_draws_about_150_mw() {
    // Facts: Colossus phase 1 (100k H100) ~150 MW. The modelled range must contain it.
    let c = catalog();
    let s =
        Scenario::from_accelerator(&c, "h100", scenario::count(1e5), default_model(&c)).unwrap();
    let p = model::project(&s, &Assumptions::from_defaults(&c.defaults, DType::Bf16)).unwrap();
    assert!(p.power_w.unwrap().contains(150e6, 0.0), "{:?}", p.power_w);
}

#[test]
fn llama_3_1_405b_six_n_d_matches_the_paper() {
    // 6 x 405e9 x 15.6e12 = 3.79e25 vs the paper's 3.8e25: tolerance 1%.
    let c = catalog();
    let o = ModelOverrides {
        params: Some(405e9),
        tokens: Some(15.6e12),
        ..ModelOverrides::default()
    };
    let custom = scenario::resolve_model(&c, None, o).unwrap();
    let stated = c.model("llama-3.1-405b").unwrap().compute_flop.unwrap();
    assert!(close(custom.training_flop().unwrap(), stated, 0.01));
}

#[test]
fn llama_3_1_405b_at_41_percent_mfu_is_400_tflops_per_h100() {
    // Facts: 16,384 H100 at 41% BF16 MFU = 400 TFLOP/s per GPU. Tolerance 2%.
    let c = catalog();
    let s = Scenario::from_accelerator(
        &c,
        "h100",
        scenario::count(16_384.0),
        c.model("llama-3.1-405b").unwrap().clone(),
    )
    .unwrap();
    let mut a = Assumptions::from_defaults(&c.defaults, DType::Bf16);
    a.mfu = Sourced::user(Range::exact(0.41), "test");
    a.goodput = Sourced::user(Range::exact(1.0), "test");
    let t = model::project(&s, &a).unwrap().training.unwrap();
    assert!(close(t.flops_per_s.central / 16_384.0, 400e12, 0.02));
    // Consistency: tokens/s x days covers the 15.6e12 training tokens (6ND vs 3.8e25: 1%).
    let tokens = t.tokens_per_s.unwrap().central * t.days.unwrap().central * 86_400.0;
    assert!(close(tokens, 15.6e12, 0.01), "{tokens:e}");
}

#[test]
fn deepseek_v3_six_n_d_with_active_parameters() {
    // Facts: 6 x 37e9 x 14.8e12 = ~3.3e24. Tolerance 1%.
    let m = catalog().model("deepseek-v3").unwrap().clone();
    assert!(close(
        6.0 * m.active().unwrap() * m.tokens.unwrap(),
        3.3e24,
        0.01
    ));
}

#[test]
fn rainier_1300_ef_fp8_is_a_million_trainium2_at_dense_peak() {
    // Facts: ~1,300 EF FP8 (AWS engineer); 1M chips x 1,299 TF dense. Tolerance 1%.
    let c = catalog();
    let fleet_ef = 1e6 * peak_tflops(&c, "trainium2", DType::Fp8).central * 1e12 / 1e18;
    assert!(close(fleet_ef, 1300.0, 0.01), "{fleet_ef}");
}

#[test]
fn rack_and_pod_peaks_match_the_vendor_totals() {
    // (id, dtype, chips, expected PF, tolerance) from the facts' rack/pod rows.
    let c = catalog();
    let cases = [
        ("gb300", DType::Fp4, 72.0, 1080.0, 0.005),
        ("gb300", DType::Fp8, 72.0, 360.0, 0.005),
        ("gb300", DType::Bf16, 72.0, 180.0, 0.005),
        ("gb200", DType::Fp4, 72.0, 720.0, 0.005),
        ("gb200", DType::Fp8, 72.0, 360.0, 0.005),
        ("rubin", DType::Fp8, 72.0, 1200.0, 0.005),
        ("rubin", DType::Fp4, 72.0, 2500.0, 0.01),
        ("tpu-v7", DType::Fp8, 9216.0, 42_500.0, 0.005),
        ("tpu-v6e", DType::Bf16, 256.0, 234.9, 0.005),
        ("trainium2", DType::Fp8, 64.0, 83.2, 0.005),
        ("trainium3", DType::Fp8, 144.0, 362.0, 0.005),
    ];
    for (id, d, chips, pf, tol) in cases {
        let total = chips * peak_tflops(&c, id, d).central / 1e3;
        assert!(close(total, pf, tol), "{id} {d}: {total} PF vs {pf}");
    }
    // Rubin's 3.6 EF FP4 'inference' is the high end of its range.
    assert!(close(
        72.0 * peak_tflops(&c, "rubin", DType::Fp4).high / 1e3,
        3600.0,
        0.005
    ));
}

#[test]
fn rubin_cpx_rack_is_about_7_5x_gb300_nvl72_by_peak_fp4() {
    // Facts: NVL144 CPX = 7.5x GB300 NVL72; derived check 3.6 EF + 144 x 30 PF vs 1.08 EF. Tolerance 3%.
    let c = catalog();
    let rack = 72.0 * peak_tflops(&c, "rubin", DType::Fp4).high
        + 144.0 * peak_tflops(&c, "rubin-cpx", DType::Fp4).high;
    let gb300 = 72.0 * peak_tflops(&c, "gb300", DType::Fp4).central;
    assert!(close(rack / gb300, 7.5, 0.03), "{}", rack / gb300);
}

#[test]
fn huangs_ratio_disagrees_with_rubin_power_and_the_output_says_so() {
    // The LOI's first GW is Vera Rubin; Huang's 4-5M for 10 GW reflects Blackwell power.
    let c = catalog();
    let s = Scenario::from_fleet(
        &c,
        c.fleet("nvidia-openai-10gw").unwrap(),
        default_model(&c),
    )
    .unwrap();
    let p = model::project(&s, &Assumptions::from_defaults(&c.defaults, DType::Fp8)).unwrap();
    assert!(
        p.disagreement
            .unwrap()
            .contains("more than the model derives")
    );
}
