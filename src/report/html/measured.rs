//! The measured half of the report: for one GPU, the GFLOP/s charts with the roofline,
//! the raw GEMM figures, the peaks and the tuning; for a merged cluster, the per-node
//! bars with stragglers marked, the per-adapter GFLOP/s charts and the rank tables; and
//! for both, the environment block with the exact command lines.

use super::bars::{self, Bar, BarChart};
use super::{NODE_COLOUR, doc, gemm_chart};
use crate::model::Range;
use crate::model::units::sig3;
use crate::report::Result;
use crate::report::{Table, results_tables};
use crate::results::{ClusterResults, ResultsFile, RunResults};

/// The results file, seen by the report.
pub(super) struct Measured<'a>(&'a ResultsFile);

impl<'a> Measured<'a> {
    pub fn of(file: &'a ResultsFile) -> Self {
        Measured(file)
    }

    /// The adapter, or the cluster, in a few words.
    pub fn label(&self) -> String {
        match self.0 {
            ResultsFile::Run(run) => adapter_label(run),
            ResultsFile::Cluster(c) => format!(
                "cluster of {} ranks on {} nodes",
                c.ranks.len(),
                c.nodes.len()
            ),
        }
    }

    /// What kind of file it is.
    pub fn kind(&self) -> &'static str {
        match self.0 {
            ResultsFile::Run(_) => "a `fleetbench run` results file",
            ResultsFile::Cluster(_) => "a merged cluster file from `fleetbench merge`",
        }
    }

    /// What fleets are expressed in: "this GPU" or "this cluster".
    pub fn unit(&self) -> &'static str {
        match self.0 {
            ResultsFile::Run(_) => "this GPU",
            ResultsFile::Cluster(_) => "this cluster",
        }
    }

    /// The measured FLOP/s a fleet computing in `dtype` is divided by, chosen as
    /// `project --from` chooses it (the bridge), and what it is.
    pub fn local_flops(&self, dtype: Option<crate::model::DType>) -> Option<(f64, String)> {
        let measured =
            crate::bridge::measured(self.0, dtype.unwrap_or(crate::model::DType::Fp32)).ok()?;
        (measured.flops_per_s > 0.0).then(|| {
            let text = format!(
                "{} at {} GFLOP/s on {}",
                measured.benchmark,
                sig3(measured.flops_per_s / 1e9),
                measured.label
            );
            (measured.flops_per_s, text)
        })
    }

    /// The measured section: charts and raw figures.
    pub fn section(&self) -> Result<String> {
        match self.0 {
            ResultsFile::Run(run) => run_section(run),
            ResultsFile::Cluster(c) => cluster_section(c),
        }
    }

    /// The environment block and the command lines.
    pub fn environment_section(&self, report_command: &[String]) -> String {
        let mut body = match self.0 {
            ResultsFile::Run(run) => run_environment(run),
            ResultsFile::Cluster(c) => doc::key_values(&[
                ("tool", format!("{} {}", c.tool.name, c.tool.version)),
                ("schema version", c.schema_version.to_string()),
            ]),
        };
        body.push_str("<h3>This report's command line</h3>\n");
        body.push_str(&doc::command_line(report_command));
        doc::section("environment", "Adapter, driver and environment", &body)
    }
}

fn adapter_label(run: &RunResults) -> String {
    let label = run.adapter_label();
    if run.adapter.software {
        format!("{label} — software adapter")
    } else {
        label
    }
}

fn run_section(run: &RunResults) -> Result<String> {
    let mut body = String::new();
    if run.adapter.software {
        body.push_str(&doc::warning(
            "Software adapter: these figures are a CPU rasteriser's, not a GPU's.",
        ));
    }
    let plots = gemm_chart::from_run(run, &adapter_label(run));
    if plots.is_empty() {
        body.push_str(&doc::para("No verified GEMM result to chart."));
    }
    for plot in &plots {
        let caption = "Verified results only: median GFLOP/s per kernel with min–max bars; \
             the dashed line is the measured FMA peak, the solid line the measured roofline.";
        body.push_str(&doc::figure(&gemm_chart::svg(plot)?, caption));
    }
    for table in results_tables::run(run) {
        body.push_str(&doc::table(&table));
    }
    Ok(doc::section("measured", "Measured GEMM throughput", &body))
}

fn run_environment(run: &RunResults) -> String {
    let (a, e) = (&run.adapter, &run.environment);
    let mut rows = vec![
        ("adapter", a.name.clone()),
        ("backend", a.backend.to_string()),
        ("device type", a.device_type.as_str().to_string()),
        (
            "software adapter",
            if a.software { "yes" } else { "no" }.into(),
        ),
        ("driver", a.driver.clone()),
        ("driver info", a.driver_info.clone()),
        ("features", a.features.join(", ")),
        ("tool", format!("{} {}", run.tool.name, run.tool.version)),
        (
            "git commit",
            e.git_commit.clone().unwrap_or("unknown".into()),
        ),
        ("wgpu", e.wgpu_version.clone().unwrap_or("unknown".into())),
        ("OS", format!("{} {}", e.os, e.arch)),
        ("started", doc::utc(e.started_unix)),
        ("timing", run.timing.to_string()),
    ];
    if let Some(c) = &run.cluster {
        rows.push(("host", c.host.clone()));
        rows.push(("rank", c.rank.map(|r| r.to_string()).unwrap_or_default()));
    }
    let limits = serde_json::to_value(&a.limits).unwrap_or_default();
    let mut out = doc::key_values(&rows);
    if let Some(map) = limits.as_object() {
        let mut t =
            Table::with_text_columns("limits", ["limit", "value"]).with_title("Adapter limits");
        for (k, v) in map {
            t.push_text_row([k.clone(), v.to_string()]);
        }
        out.push_str(&doc::table(&t));
    }
    out.push_str("<h3>The measuring command line</h3>\n");
    out.push_str(&doc::command_line(&e.command_line));
    out
}

fn cluster_section(c: &ClusterResults) -> Result<String> {
    let mut body = doc::key_values(&[
        ("job", c.job_id.clone().unwrap_or("unknown".into())),
        (
            "launcher",
            c.launcher.map_or("none".into(), |l| l.to_string()),
        ),
        ("world size", c.world_size.to_string()),
        ("complete", if c.complete { "yes" } else { "no" }.into()),
        (
            "benchmark",
            format!("{} ({})", c.benchmark.label(), c.benchmark.chosen_by),
        ),
        ("cluster GFLOP/s", sig3(c.cluster_gflops.total)),
        (
            "straggler threshold",
            format!("{}%", c.straggler_threshold_percent),
        ),
    ]);
    body.push_str(&doc::figure(
        &bars::svg(&node_chart(c))?,
        "Per-node GFLOP/s: the sum of each node's verified ranks on the benchmark; nodes holding a straggler rank are in red.",
    ));
    for plot in gemm_chart::from_cluster(c) {
        let caption = "Median over ranks of each rank's median GFLOP/s, bars from the slowest to the fastest rank.";
        body.push_str(&doc::figure(&gemm_chart::svg(&plot)?, caption));
    }
    for table in results_tables::cluster(c) {
        body.push_str(&doc::table(&table));
    }
    Ok(doc::section(
        "measured",
        "Measured cluster throughput",
        &body,
    ))
}

fn node_chart(c: &ClusterResults) -> BarChart {
    let bars = c
        .nodes
        .iter()
        .map(|node| Bar {
            label: node.host.clone(),
            value: (node.ranks_counted > 0).then_some(Range::exact(node.gflops)),
            marked: c.stragglers.iter().any(|s| s.host == node.host),
        })
        .collect();
    BarChart {
        title: format!("GFLOP/s per node, {}", c.benchmark.label()),
        axis: "GFLOP/s (sum over the node's ranks)".into(),
        colour: NODE_COLOUR,
        log: false,
        bars,
    }
}
