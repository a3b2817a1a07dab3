//! Golden tests: each computes a figure with the model and checks it against a published
//! number, with the tolerance and the citation beside it. The serving efficiency of each
//! format is calibrated on ONE published result (`calibration_*`, checked to reproduce);
//! every other serving case here was NOT fitted to.

use fleetbench::model::scenario::{self, ModelOverrides};
use fleetbench::model::{
    self, Assumptions, Catalog, DType, FleetSize, Layout, Precision, PrecisionChoice, Range,
    Scenario, Sourced,
};

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

fn defaults(c: &Catalog, s: &Scenario) -> Assumptions {
    let precision = PrecisionChoice::default().resolve(&s.accelerator).unwrap();
    Assumptions::from_defaults(&c.defaults, precision)
}

#[test]
fn hyperion_5_gw_feeds_the_articles_1_3_million_gpus() {
    // Article 000: "5 GW ... over 1.3 million GPUs". Tolerance: the model's own range.
    let c = catalog();
    let fleet = c.fleet("meta-hyperion").unwrap();
    let s = Scenario::from_fleet(&c, fleet, default_model(&c)).unwrap();
    let p = model::project(&s, &defaults(&c, &s)).unwrap();
    let modelled = p.count_power_fed.unwrap();
    assert!(modelled.contains(1.3e6, 0.0), "{modelled:?}");
    assert!(p.disagreement.is_none());
    assert_eq!(p.binding, Some(model::power::Binding::Count));
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
    let p = model::project(&s, &defaults(&c, &s)).unwrap();
    assert!(
        p.count.central >= 4e6 * 0.95 && p.count.central <= 5e6 * 1.05,
        "{:?}",
        p.count
    );
    assert!(p.count.overlaps(&Range::new(4e6, 4.5e6, 5e6).unwrap()));
}

#[test]
fn gb200_rack_gives_1_67_kw_and_2_0_to_2_5_kw_facility_per_gpu() {
    // Facts: 120 kW / 72 = ~1.67 kW IT per GPU in the rack (tolerance 1%); with the
    // scale-out share and PUE the facility figure lies in Huang's implied 2.0-2.5 kW.
    let c = catalog();
    let gb200 = c.accelerator("gb200").unwrap();
    let rack_only = model::accelerator::PowerAssumptions {
        host_overhead_kw: c.defaults.host_overhead_kw.value,
        scaleout_share: Range::exact(0.0),
    };
    let (kw, _) = gb200.all_in_kw(&rack_only).unwrap();
    assert!(close(kw.central, 1.67, 0.01));
    let a = Assumptions::from_defaults(
        &c.defaults,
        Precision {
            train: DType::Bf16,
            serve: DType::Fp8,
        },
    );
    let (kw, _) = gb200.all_in_kw(&a.power()).unwrap();
    let facility = model::power::facility_w_per_accelerator(kw, c.defaults.pue.value);
    assert!(
        facility.central >= 2.0e3 && facility.central <= 2.5e3,
        "{facility:?}"
    );
}

#[test]
fn same_silicon_same_power_and_blackwell_ultra_below_its_rack() {
    // H200 is H100 silicon in the same DGX chassis (NVIDIA DGX H100/H200 user guide):
    // same all-in power. B300 (TDP + host) stays below GB300 (rack / 72).
    let c = catalog();
    let a = Assumptions::from_defaults(
        &c.defaults,
        Precision {
            train: DType::Bf16,
            serve: DType::Fp8,
        },
    );
    let kw = |id: &str| c.accelerator(id).unwrap().all_in_kw(&a.power()).unwrap().0;
    assert_eq!(kw("h100"), kw("h200"));
    assert!(kw("b300").central < kw("gb300").central);
}

#[test]
fn colossus_phase_one_100k_h100_draws_about_150_mw() {
    // Facts: Colossus phase 1 (100k H100) ~150 MW. The modelled range must contain it.
    let c = catalog();
    let s =
        Scenario::from_accelerator(&c, "h100", scenario::count(1e5), default_model(&c)).unwrap();
    let p = model::project(&s, &defaults(&c, &s)).unwrap();
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

fn llama_405b_on_16k_h100(c: &Catalog) -> (Scenario, Assumptions) {
    let s = Scenario::from_accelerator(
        c,
        "h100",
        scenario::count(16_384.0),
        c.model("llama-3.1-405b").unwrap().clone(),
    )
    .unwrap();
    let a = defaults(c, &s);
    (s, a)
}

#[test]
fn llama_3_1_405b_at_41_percent_mfu_is_400_tflops_per_h100() {
    // Facts: 16,384 H100 at 41% BF16 MFU = 400 TFLOP/s per GPU. Tolerance 2%.
    let c = catalog();
    let (s, mut a) = llama_405b_on_16k_h100(&c);
    a.mfu = Sourced::user(Range::exact(0.41), "test");
    a.goodput = Some(Sourced::user(Range::exact(1.0), "test"));
    let t = model::project(&s, &a).unwrap().training.unwrap();
    assert!(close(t.flops_per_s.central / 16_384.0, 400e12, 0.02));
    // Consistency: tokens/s x days covers the 15.6e12 training tokens (6ND vs 3.8e25: 1%).
    let tokens = t.tokens_per_s.unwrap().central * t.days.unwrap().central * 86_400.0;
    assert!(close(tokens, 15.6e12, 0.01), "{tokens:e}");
}

#[test]
fn llama_3_1_405b_takes_the_h100_hours_meta_reports() {
    // Llama 3.1 model card (github.com/meta-llama/llama-models, models/llama3_1/MODEL_CARD.md):
    // 30.84M H100-80GB hours for 405B. The model, in BF16 at the catalog MFU and the
    // failure-driven goodput of its largest job (16M-token batch on 16,384 H100), must hold
    // it in its range and be within 15% at the centre. Not fitted: the MFU range is from the
    // paper's 38-43% and the interruption cost from its >90% effective training time.
    let c = catalog();
    let (s, a) = llama_405b_on_16k_h100(&c);
    let t = model::project(&s, &a).unwrap().training.unwrap();
    let hours = t.gpu_hours.unwrap();
    assert!(hours.contains(30.84e6, 0.0), "{hours:?}");
    assert!(close(hours.central, 30.84e6, 0.15), "{hours:?}");
    assert_eq!(t.largest_job.accelerators.central, 16_384.0);
}

#[test]
fn fp8_training_gains_the_sourced_speedup_never_the_peak_ratio() {
    // Same run in FP8: the hours fall by the published 1.34-1.75x (arXiv 2409.12517,
    // arXiv 2310.18313), not by the 2x of the FP8/BF16 peaks.
    let c = catalog();
    let (s, mut a) = llama_405b_on_16k_h100(&c);
    let bf16 = model::project(&s, &a)
        .unwrap()
        .training
        .unwrap()
        .gpu_hours
        .unwrap();
    a.precision.train = DType::Fp8;
    let fp8 = model::project(&s, &a)
        .unwrap()
        .training
        .unwrap()
        .gpu_hours
        .unwrap();
    let gain = bf16.central / fp8.central;
    assert!((gain - 1.5).abs() < 1e-9, "{gain}");
    assert!(bf16.central / fp8.central < 2.0);
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
fn moe_expert_figures_reproduce_the_published_totals() {
    // Routed + shared = total and shared + routed x k/E = active (model papers): 2%.
    let c = catalog();
    for id in ["deepseek-v3", "mixtral-8x7b", "qwen3-235b-a22b"] {
        let m = c.model(id).unwrap();
        let w = m.architecture().unwrap().weights;
        assert!(close(w.total(), m.params.unwrap(), 0.001), "{id}");
        let active = w.shared + w.routed * w.experts_per_token / w.experts;
        assert!(
            close(active, m.active_params.unwrap(), 0.03),
            "{id}: {active:e}"
        );
    }
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
fn huangs_ratio_disagrees_with_rubin_power_and_the_power_binds() {
    // The LOI's first GW is Vera Rubin; Huang's 4-5M for 10 GW reflects Blackwell power.
    // The count projected is what 10 GW feeds, not the stated 4.5M.
    let c = catalog();
    let s = Scenario::from_fleet(
        &c,
        c.fleet("nvidia-openai-10gw").unwrap(),
        default_model(&c),
    )
    .unwrap();
    let p = model::project(&s, &defaults(&c, &s)).unwrap();
    assert!(
        p.disagreement
            .unwrap()
            .contains("more than the model derives")
    );
    assert_eq!(p.binding, Some(model::power::Binding::Power));
    assert!(p.count.central < 4.5e6 && p.count.central == p.count_power_fed.unwrap().central);
}

/// One published offline (max-throughput) serving result: a model on `layout` accelerators
/// at fixed input/output tokens, in output tokens/s for the whole layout.
struct Published {
    accelerator: &'static str,
    model: &'static str,
    dtype: DType,
    layout: &'static str,
    input: f64,
    output: f64,
    tokens_per_s: f64,
}

const fn cell(
    accelerator: &'static str,
    model: &'static str,
    dtype: DType,
    layout: &'static str,
    io: (f64, f64),
    tokens_per_s: f64,
) -> Published {
    Published {
        accelerator,
        model,
        dtype,
        layout,
        input: io.0,
        output: io.1,
        tokens_per_s,
    }
}

/// The model's output tokens/s for a published case, on the published layout.
fn modelled(c: &Catalog, case: &Published) -> f64 {
    let layout: Layout = case.layout.parse().unwrap();
    let m = scenario::resolve_model(c, Some(case.model), ModelOverrides::default()).unwrap();
    let n = f64::from(layout.accelerators());
    let s = Scenario::from_accelerator(c, case.accelerator, scenario::count(n), m).unwrap();
    let mut a = Assumptions::from_defaults(
        &c.defaults,
        Precision {
            train: DType::Bf16,
            serve: case.dtype,
        },
    );
    a.input_tokens = Sourced::user(case.input, "test");
    a.output_tokens = Sourced::user(case.output, "test");
    a.inference_share = Some(1.0);
    a.layout = Some(layout);
    let p = model::project(&s, &a).unwrap();
    p.inference.expect("serves").tokens_per_s.central
}

fn ratios(cases: &[Published]) -> Vec<(String, f64)> {
    let c = catalog();
    cases
        .iter()
        .map(|case| {
            let label = format!(
                "{} {} {} {} {}/{}",
                case.accelerator, case.model, case.dtype, case.layout, case.input, case.output
            );
            (label, modelled(&c, case) / case.tokens_per_s)
        })
        .collect()
}

// TensorRT-LLM performance overview, v1.0 tables (github.com/NVIDIA/TensorRT-LLM,
// docs/source/performance/perf-overview.md): "Total Output Throughput (tokens/sec)" at
// max load, synthetic requests of fixed input/output length. Llama 3.3 70B has the
// llama-3-70b architecture; its FP8/FP4 checkpoints are nvidia/*-FP8 and *-FP4.
const FP8_CALIBRATION: Published = cell(
    "h100",
    "llama-3-70b",
    DType::Fp8,
    "TP2",
    (1000.0, 1000.0),
    4205.0,
);
const FP4_CALIBRATION: Published = cell(
    "b200",
    "llama-3-70b",
    DType::Fp4,
    "TP1",
    (1000.0, 1000.0),
    7007.0,
);

#[test]
fn calibration_results_are_reproduced() {
    // The one result per format the serving efficiency was set from (assumptions.toml).
    for (label, ratio) in ratios(&[FP8_CALIBRATION, FP4_CALIBRATION]) {
        assert!((ratio - 1.0).abs() < 0.01, "{label}: {ratio}");
    }
}

/// TensorRT-LLM v1.0 results the model was NOT fitted to.
const TRT_LLM: [Published; 22] = [
    cell(
        "h100",
        "llama-3-70b",
        DType::Fp8,
        "TP2",
        (128.0, 2048.0),
        6651.0,
    ),
    cell(
        "h100",
        "llama-3-70b",
        DType::Fp8,
        "TP2",
        (500.0, 2000.0),
        5222.0,
    ),
    cell(
        "h100",
        "llama-3-70b",
        DType::Fp8,
        "TP2",
        (2048.0, 128.0),
        762.0,
    ),
    cell(
        "h100",
        "llama-3-70b",
        DType::Fp8,
        "TP2",
        (2048.0, 2048.0),
        3082.0,
    ),
    cell(
        "h200",
        "llama-3-70b",
        DType::Fp8,
        "TP1",
        (128.0, 2048.0),
        4336.0,
    ),
    cell(
        "h200",
        "llama-3-70b",
        DType::Fp8,
        "TP1",
        (1000.0, 1000.0),
        2909.0,
    ),
    cell(
        "h200",
        "llama-3-70b",
        DType::Fp8,
        "TP1",
        (2048.0, 2048.0),
        2003.0,
    ),
    cell(
        "h100",
        "llama-3.1-405b",
        DType::Fp8,
        "TP8",
        (128.0, 2048.0),
        4340.0,
    ),
    cell(
        "h100",
        "llama-3.1-405b",
        DType::Fp8,
        "TP8",
        (1000.0, 1000.0),
        2919.0,
    ),
    cell(
        "h200",
        "llama-3.1-405b",
        DType::Fp8,
        "TP8",
        (1000.0, 1000.0),
        3330.0,
    ),
    cell(
        "h100",
        "llama-3.1-8b",
        DType::Fp8,
        "TP1",
        (128.0, 2048.0),
        22714.0,
    ),
    cell(
        "h100",
        "llama-3.1-8b",
        DType::Fp8,
        "TP1",
        (1000.0, 1000.0),
        15220.0,
    ),
    cell(
        "h200",
        "llama-3.1-8b",
        DType::Fp8,
        "TP1",
        (1000.0, 1000.0),
        17744.0,
    ),
    cell(
        "h100",
        "qwen3-235b-a22b",
        DType::Fp8,
        "TP8",
        (128.0, 2048.0),
        19658.0,
    ),
    cell(
        "h100",
        "qwen3-235b-a22b",
        DType::Fp8,
        "TP8",
        (1000.0, 1000.0),
        14898.0,
    ),
    cell(
        "h200",
        "qwen3-235b-a22b",
        DType::Fp8,
        "TP8",
        (1000.0, 1000.0),
        23789.0,
    ),
    cell(
        "b200",
        "llama-3-70b",
        DType::Fp4,
        "TP1",
        (128.0, 2048.0),
        9922.0,
    ),
    cell(
        "b200",
        "llama-3-70b",
        DType::Fp4,
        "TP1",
        (2048.0, 128.0),
        1339.0,
    ),
    cell(
        "gb200",
        "llama-3-70b",
        DType::Fp4,
        "TP1",
        (1000.0, 1000.0),
        7326.0,
    ),
    cell(
        "b200",
        "llama-3.1-405b",
        DType::Fp4,
        "TP4",
        (128.0, 2048.0),
        8020.0,
    ),
    cell(
        "b200",
        "llama-3.1-405b",
        DType::Fp4,
        "TP4",
        (1000.0, 1000.0),
        5209.0,
    ),
    cell(
        "b200",
        "qwen3-235b-a22b",
        DType::Fp4,
        "TP8",
        (1000.0, 1000.0),
        42391.0,
    ),
];

#[test]
fn serving_matches_tensorrt_llm_results_it_was_not_fitted_to() {
    // Tolerance: within a factor 1.5 either way of each published figure (the issue's
    // starting point was 3x either way), dense and MoE, H100/H200/B200/GB200, FP8 and FP4.
    for (label, ratio) in ratios(&TRT_LLM) {
        assert!(
            (1.0 / 1.5..=1.5).contains(&ratio),
            "{label}: model/published {ratio:.2}"
        );
    }
}

#[test]
fn serving_on_mi300x_is_within_a_factor_two_of_amds_vllm_results() {
    // AMD ROCm performance results (amd.com/en/developer/resources/rocm-hub/dev-ai/
    // performance-results.html, vLLM 0.9.0.1 container of 2025-06-18), 8x MI300X, TP8, FP8,
    // 128 input / 2048 output tokens: Llama 3.1 70B 16,581.5 and 405B 4,275 tokens/s
    // (at 128/2048 output is >94% of all tokens, so the table's "throughput" is read as
    // output). A different serving stack from the calibration's: the model overshoots it
    // by ~1.8x, so the tolerance is a factor 2 and the gap is reported, not fitted away.
    let cases = [
        cell(
            "mi300x",
            "llama-3-70b",
            DType::Fp8,
            "TP8",
            (128.0, 2048.0),
            16581.5,
        ),
        cell(
            "mi300x",
            "llama-3.1-405b",
            DType::Fp8,
            "TP8",
            (128.0, 2048.0),
            4275.0,
        ),
    ];
    for (label, ratio) in ratios(&cases) {
        assert!(
            (0.5..=2.0).contains(&ratio),
            "{label}: model/published {ratio:.2}"
        );
    }
}
