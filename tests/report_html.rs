//! `fleetbench report --html` as a user runs it, on a real results file of this machine's
//! adapter: the page is self-contained (no address, no script, no external style) with a
//! chart per dtype and a point per verified result, the fleet and vendor bars; a merged
//! cluster file gets per-node bars with its straggler marked; the timeline's stacked areas
//! have one band per company; headless Chromium renders the page (and the timeline section
//! on its own) to PNGs that show the charts in their colours; and bad input is one line with exit 2 that
//! leaves an existing report untouched. Without an adapter the real-file tests skip
//! (unless FLEETBENCH_REQUIRE_ADAPTER=1); without /usr/bin/chromium the browser test skips
//! (unless FLEETBENCH_REQUIRE_BROWSER=1, as in CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use fleetbench::report::html::{
    COMPANY_COLOURS, KERNEL_COLOURS, NODE_COLOUR, STRAGGLER_COLOUR, TRAINING_COLOUR,
};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";

fn fleetbench() -> Command {
    Command::cargo_bin("fleetbench").expect("binary")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report_html")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A real results file (three sizes, two kernels), made once; None without an adapter.
fn results(test: &str) -> Option<PathBuf> {
    static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
    let file = FILE.get_or_init(|| {
        if !common::cli_adapter_or_skip("report_html results run") {
            return None;
        }
        let file = scratch("run").join("results.json");
        fleetbench()
            .args(["run", "--backend", "vulkan", "--sizes", "32,48,64"])
            .args(["--kernel", "naive,tiled", "--samples", "2", "--warmup", "0"])
            .args(["--probes", "quick"])
            .args(["--format", "json", "--output"])
            .arg(&file)
            .assert()
            .success();
        Some(file)
    });
    if file.is_none() {
        eprintln!("{test}: skipped, no adapter");
    }
    file.clone()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `report` on `input` into `html`, expecting success, and returns the page.
fn report(input: &Path, html: &Path) -> String {
    fleetbench()
        .arg("report")
        .arg(input)
        .arg("--html")
        .arg(html)
        .assert()
        .success();
    std::fs::read_to_string(html).unwrap()
}

/// The page's inline SVG charts, each as its text.
fn svgs(page: &str) -> Vec<&str> {
    page.split("<svg")
        .skip(1)
        .map(|s| &s[..s.find("</svg>").expect("closed svg")])
        .collect()
}

fn hex((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Filled data-point circles of a colour in one chart.
fn points(svg: &str, colour: (u8, u8, u8)) -> usize {
    svg.matches(&format!(
        "r=\"5\" opacity=\"1\" fill=\"{}\" stroke=\"none\"",
        hex(colour)
    ))
    .count()
}

fn bars(svg: &str, colour: (u8, u8, u8)) -> usize {
    let fill = format!("fill=\"{}\"", hex(colour));
    svg.split("<rect")
        .skip(1)
        .filter(|rect| rect[..rect.find('>').unwrap()].contains(&fill))
        .count()
}

/// Filled polygons (stacked bands) of a colour in one chart.
fn bands(svg: &str, colour: (u8, u8, u8)) -> usize {
    let fill = format!("fill=\"{}\"", hex(colour));
    svg.split("<polygon")
        .skip(1)
        .filter(|p| p[..p.find('>').unwrap()].contains(&fill))
        .count()
}

/// The catalog's companies with a dated phase, in band order (first appearance).
fn companies() -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for f in fleetbench::model::Catalog::embedded().unwrap().fleets {
        let company = f.company().to_string();
        if !f.phases.is_empty() && f.within.is_none() && !seen.contains(&company) {
            seen.push(company);
        }
    }
    seen
}

fn assert_self_contained(page: &str) {
    for needle in [
        "http://", "https://", "<script", "<link", "<iframe", "<img", "@import", "url(",
    ] {
        assert!(!page.contains(needle), "the page contains {needle}");
    }
}

#[test]
fn report_is_self_contained_with_a_point_per_verified_result() {
    let Some(input) = results("self_contained") else {
        return;
    };
    let run = read_json(&input);
    let html = scratch("self_contained").join("report.html");
    let page = report(&input, &html);
    assert_self_contained(&page);

    let gemm = run["gemm"].as_array().unwrap();
    let mut dtypes: Vec<&str> = gemm.iter().map(|g| g["dtype"].as_str().unwrap()).collect();
    dtypes.sort_unstable();
    dtypes.dedup();
    let charts = svgs(&page);
    let fleets = fleetbench::model::Catalog::embedded().unwrap().fleets.len();
    // One GEMM chart per dtype, then fleets' training and inference, two vendor charts and
    // the timeline's stacked areas.
    assert_eq!(charts.len(), dtypes.len() + 5, "{} charts", charts.len());
    for (chart, dtype) in charts.iter().zip(&dtypes) {
        assert!(
            chart.contains(&format!("GFLOP/s against size, {dtype}")),
            "{dtype}"
        );
        assert!(
            chart.contains("FMA peak") && chart.contains("roofline"),
            "{dtype} roof"
        );
        for (i, kernel) in ["naive", "tiled"].iter().enumerate() {
            let verified = gemm
                .iter()
                .filter(|g| g["dtype"] == *dtype && g["kernel"] == *kernel && g["verified"] == true)
                .count();
            // One filled circle per verified result, plus the legend's.
            let expected = verified + usize::from(verified > 0);
            assert_eq!(
                points(chart, KERNEL_COLOURS[i]),
                expected,
                "{kernel} {dtype}"
            );
        }
    }
    let training = charts[dtypes.len()];
    assert_eq!(
        bars(training, TRAINING_COLOUR),
        fleets,
        "a bar per catalog fleet"
    );
    assert_eq!(
        bars(charts[dtypes.len() + 2], TRAINING_COLOUR),
        6,
        "a bar per vendor"
    );
    let stack = charts[dtypes.len() + 4];
    assert!(stack.contains("H100-equivalents installed per company"));
    for (i, company) in companies().iter().enumerate() {
        assert!(stack.contains(company.as_str()), "no band label {company}");
        assert_eq!(
            bands(stack, COMPANY_COLOURS[i]),
            1,
            "one filled band for {company}"
        );
    }
    for text in [
        "equivalents of this GPU",
        "Assumptions and sources",
        "MFU",
        "Vendors at equal power",
        "Fleets over time and what they cost",
        "stargate-500b",
    ] {
        assert!(page.contains(text), "no {text}");
    }
    // The measuring command line, quoted so that a shell splits it back into the arguments.
    let args: Vec<String> = run["environment"]["command_line"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    let shown = page
        .split("<pre>")
        .skip(1)
        .map(|p| {
            p.split("</pre>")
                .next()
                .unwrap()
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&amp;", "&")
        })
        .find(|line| line.contains("--sizes"))
        .expect("the measuring command line");
    assert_eq!(shlex::split(&shown).unwrap(), args, "{shown}");
    assert!(page.contains(run["adapter"]["name"].as_str().unwrap()));
}

/// Plants rank files from the real results (one host slow) and merges them.
fn merged_cluster(dir: &Path, input: &Path) -> PathBuf {
    let base = read_json(input);
    let ranks = dir.join("ranks");
    std::fs::create_dir_all(&ranks).unwrap();
    for (rank, host, scale) in [
        (0, "node-a", 1.0),
        (1, "node-a", 1.0),
        (2, "node-slow", 0.5),
    ] {
        let mut v = base.clone();
        v["cluster"] = json!({"host": host, "rank": rank, "world_size": 3, "local_rank": rank % 2, "job_id": "9", "launcher": "slurm"});
        for g in v["gemm"].as_array_mut().unwrap() {
            if let Some(s) = g["gflops"].as_object_mut() {
                for field in ["median", "min", "max"] {
                    s[field] = json!(s[field].as_f64().unwrap() * scale);
                }
            }
        }
        std::fs::write(ranks.join(format!("r{rank}.json")), v.to_string()).unwrap();
    }
    let merged = dir.join("merged.json");
    fleetbench()
        .args(["merge", "--format", "json", "--output"])
        .arg(&merged)
        .arg(&ranks)
        .assert()
        .success();
    merged
}

#[test]
fn a_cluster_file_gets_per_node_bars_with_the_straggler_marked() {
    let Some(input) = results("cluster") else {
        return;
    };
    let dir = scratch("cluster");
    let merged = merged_cluster(&dir, &input);
    let page = report(&merged, &dir.join("cluster.html"));
    assert_self_contained(&page);
    let charts = svgs(&page);
    let nodes = charts
        .iter()
        .find(|c| c.contains("GFLOP/s per node"))
        .expect("node chart");
    assert_eq!(bars(nodes, NODE_COLOUR), 1, "node-a");
    assert_eq!(bars(nodes, STRAGGLER_COLOUR), 1, "node-slow");
    assert!(nodes.contains("node-slow (straggler)"));
    assert!(page.contains("equivalents of this cluster"));
    assert!(
        charts.iter().any(|c| c.contains("over ranks")),
        "per-adapter GEMM chart"
    );
}

/// Waits for a child process, killing it after `limit`.
fn wait_or_kill(mut child: std::process::Child, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromium did not finish within {limit:?}");
}

fn screenshot(html: &Path, png: &Path, (width, height): (u32, u32)) {
    let profile = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
        ])
        .args(["--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("file://{}", html.canonicalize().unwrap().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    assert!(
        wait_or_kill(child, Duration::from_secs(120)),
        "chromium failed"
    );
}

/// RGB pixels of a PNG.
fn decode(png_path: &Path) -> Vec<(u8, u8, u8)> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(png_path).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| (p[0], p[1], p[2]))
        .collect()
}

fn near(a: (u8, u8, u8), b: (u8, u8, u8)) -> bool {
    a.0.abs_diff(b.0) <= 8 && a.1.abs_diff(b.1) <= 8 && a.2.abs_diff(b.2) <= 8
}

#[test]
fn headless_chromium_renders_the_charts() {
    if !Path::new(CHROMIUM).exists() {
        let required = std::env::var("FLEETBENCH_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "FLEETBENCH_REQUIRE_BROWSER=1 but {CHROMIUM} is missing"
        );
        eprintln!("headless_chromium: skipped, no {CHROMIUM} (apt-get install chromium)");
        return;
    }
    let Some(input) = results("headless_chromium") else {
        return;
    };
    let dir = scratch("chromium");
    let html = dir.join("report.html");
    report(&input, &html);
    let png = dir.join("report.png");
    let _ = std::fs::remove_file(&png);
    screenshot(&html, &png, (1280, 2400));
    let pixels = decode(&png);
    assert_eq!(pixels.len(), 1280 * 2400, "the window size");
    let inked = pixels
        .iter()
        .filter(|p| p.0 < 235 || p.1 < 235 || p.2 < 235)
        .count();
    let share = inked as f64 / pixels.len() as f64;
    assert!(
        share > 0.03,
        "a blank page: {:.2}% non-white",
        share * 100.0
    );
    // The first two kernels' lines and points are drawn in their colours.
    for colour in &KERNEL_COLOURS[..2] {
        let hits = pixels.iter().filter(|p| near(**p, *colour)).count();
        assert!(hits > 100, "{} pixels of {}", hits, hex(*colour));
    }
    // The timeline lies below the first screen: its section, exactly as the report has it
    // (with the report's style), rendered on its own shows every company's band.
    let page = std::fs::read_to_string(&html).unwrap();
    let start = page
        .find("<section id=\"timeline\"")
        .expect("timeline section");
    let end = start + page[start..].find("</section>").unwrap() + "</section>".len();
    let head = &page[..page.find("<body>").unwrap() + "<body>".len()];
    let section = dir.join("timeline.html");
    std::fs::write(
        &section,
        format!("{head}\n{}\n</body></html>\n", &page[start..end]),
    )
    .unwrap();
    let png = dir.join("timeline.png");
    let _ = std::fs::remove_file(&png);
    screenshot(&section, &png, (1100, 700));
    let pixels = decode(&png);
    for (i, company) in companies().iter().enumerate() {
        let colour = COMPANY_COLOURS[i];
        let hits = pixels.iter().filter(|p| near(**p, colour)).count();
        assert!(hits > 100, "{hits} pixels of {company}'s {}", hex(colour));
    }
}

#[test]
fn bad_results_files_are_one_line_exit_2_and_leave_the_report_alone() {
    let dir = scratch("bad");
    let html = dir.join("existing.html");
    std::fs::write(&html, "previous report").unwrap();
    let cases = [
        (
            "truncated.json",
            "{\"schema_version\": 1, \"tool\": {\"name\": \"fleetb",
        ),
        ("not-json.json", "fleetbench results, honest\n"),
        ("schema2.json", "{\"schema_version\": 2, \"gemm\": []}"),
        ("wrong-shape.json", "{\"schema_version\": 1, \"gemm\": 3}"),
    ];
    for (name, content) in cases {
        let input = dir.join(name);
        std::fs::write(&input, content).unwrap();
        let out = fleetbench()
            .arg("report")
            .arg(&input)
            .arg("--html")
            .arg(&html)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(name), "{name} not named: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&html).unwrap(), "previous report");
    }
    let missing = fleetbench()
        .args(["report", "no-such-file.json", "--html"])
        .arg(&html)
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
