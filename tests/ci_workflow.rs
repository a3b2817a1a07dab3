//! The GitHub Actions workflow (`.github/workflows/ci.yml`) and the CI snippets in
//! `docs/ci.md` are checked here, since GitHub Actions cannot run on this machine: the YAML
//! parses, the workflow has the jobs, triggers and uploads the issue asks for, every action
//! is pinned to a commit, every `run:` script is valid bash (and shellcheck-clean where
//! shellcheck is installed; FLEETBENCH_REQUIRE_LINTERS=1 makes it required, as in
//! `.ci/run`), and every fleetbench command line in the workflow, the docs and `.ci/run`
//! parses with the real command-line definition, so a renamed flag breaks CI here rather
//! than on a user's runner. `.ci/run` also lints the workflow with yamllint and zizmor.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use fleetbench::cli::Cli;
use yaml_rust2::{Yaml, YamlLoader};

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_yaml(text: &str, what: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(text).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(docs.len(), 1, "{what}: one YAML document");
    docs.remove(0)
}

fn workflow() -> Yaml {
    parse_yaml(&read(".github/workflows/ci.yml"), "ci.yml")
}

/// Every (job name, step) of a workflow.
fn steps(workflow: &Yaml) -> Vec<(String, Yaml)> {
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    jobs.iter()
        .flat_map(|(name, job)| {
            let name = name.as_str().unwrap().to_string();
            let steps = job["steps"].as_vec().expect("steps").clone();
            steps.into_iter().map(move |s| (name.clone(), s))
        })
        .collect()
}

fn run_scripts(workflow: &Yaml) -> Vec<String> {
    steps(workflow)
        .iter()
        .filter_map(|(_, step)| step["run"].as_str().map(str::to_string))
        .collect()
}

/// The argument lists of every fleetbench invocation in a shell script: the installed
/// binary (`fleetbench`, `target/release/fleetbench`) as the command word, or
/// `cargo run ... -- ARGS`.
fn fleetbench_commands(script: &str) -> Vec<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    let mut commands = Vec::new();
    let segments = joined
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split(['|', '&', ';']));
    for segment in segments {
        let Some(words) = shlex::split(without_redirections(segment)) else {
            continue;
        };
        // The command word: the first that is not a `VAR=value` assignment.
        let start = words
            .iter()
            .position(|w| !w.contains('='))
            .filter(|&i| words[i] == "fleetbench" || words[i].ends_with("/fleetbench"));
        let cargo_run = words.windows(2).any(|w| w == ["cargo", "run"]);
        let args: Vec<String> = match (start, cargo_run) {
            (Some(i), _) => words[i + 1..].to_vec(),
            (None, true) => match words.iter().position(|w| w == "--") {
                Some(dash) => words[dash + 1..].to_vec(),
                None => Vec::new(),
            },
            (None, false) => continue,
        };
        // A bash array expansion ("${gate[@]}") holds optional flags: empty here.
        let args: Vec<String> = args.into_iter().filter(|a| !a.contains("[@]")).collect();
        commands.push(args);
    }
    commands
}

/// A command without its redirections (`> file`, `2>&1`, `>> "$GITHUB_STEP_SUMMARY"`).
fn without_redirections(segment: &str) -> &str {
    let end = segment.find(['>', '<']).unwrap_or(segment.len());
    segment[..end].trim_end_matches(|c: char| c.is_ascii_digit())
}

fn assert_each_parses(commands: &[Vec<String>], source: &str) {
    for args in commands {
        let argv = std::iter::once("fleetbench".to_string()).chain(args.iter().cloned());
        if let Err(e) = Cli::try_parse_from(argv) {
            panic!(
                "{source}: `fleetbench {}` does not parse: {e}",
                args.join(" ")
            );
        }
    }
}

#[test]
fn the_workflow_runs_on_push_to_main_and_on_pull_requests() {
    let w = workflow();
    let on = &w["on"];
    let branches = on["push"]["branches"].as_vec().expect("push branches");
    assert!(branches.iter().any(|b| b.as_str() == Some("main")));
    assert!(!on["pull_request"].is_badvalue(), "pull_request trigger");
    assert_eq!(w["permissions"]["contents"].as_str(), Some("read"));
    for (name, job) in w["jobs"].as_hash().unwrap() {
        let runs_on = job["runs-on"].as_str().unwrap_or_default();
        assert!(runs_on.starts_with("ubuntu-"), "{name:?} runs on {runs_on}");
        assert!(
            job["timeout-minutes"].as_i64().is_some(),
            "{name:?} has no timeout"
        );
    }
}

#[test]
fn every_step_runs_or_uses_a_pinned_action() {
    for (job, step) in steps(&workflow()) {
        let uses = step["uses"].as_str();
        let run = step["run"].as_str();
        assert!(
            uses.is_some() != run.is_some(),
            "{job}: a step needs exactly one of uses/run: {step:?}"
        );
        if let Some(action) = uses {
            let (_, reference) = action.split_once('@').expect("action@ref");
            assert!(
                reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
                "{job}: {action} is not pinned to a commit"
            );
        }
    }
}

#[test]
fn the_workflow_does_what_the_issue_lists() {
    let w = workflow();
    let scripts = run_scripts(&w).join("\n");
    for needed in [
        "cargo fmt --check",
        "cargo clippy --all-targets",
        "-D warnings",
        "cargo test",
        "mesa-vulkan-drivers",
        "run --quick",
        "report ",
        "GITHUB_STEP_SUMMARY",
    ] {
        assert!(scripts.contains(needed), "no step runs `{needed}`");
    }
    // Each bench named is one Cargo.toml declares, and both are run.
    let manifest = read("Cargo.toml");
    for bench in ["gemm", "projection"] {
        assert!(
            scripts.contains(&format!("--bench {bench}")),
            "bench {bench}"
        );
        assert!(manifest.contains(&format!("name = \"{bench}\"")));
    }
    let uploads: Vec<String> = steps(&w)
        .iter()
        .filter(|(_, s)| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .map(|(_, s)| s["with"]["path"].as_str().unwrap_or_default().to_string())
        .collect();
    for path in ["target/criterion", "results.json", "report.html"] {
        assert!(
            uploads.iter().any(|u| u.contains(path)),
            "{path} not uploaded"
        );
    }
    // The diff runs on pull requests only, against a baseline restored from the cache.
    let diff_step = steps(&w)
        .into_iter()
        .find(|(_, s)| s["run"].as_str().is_some_and(|r| r.contains(" diff ")))
        .expect("a diff step")
        .1;
    assert!(diff_step["if"].as_str().unwrap().contains("pull_request"));
    assert!(steps(&w).iter().any(|(_, s)| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/cache/restore@"))
    }));
}

#[test]
fn every_fleetbench_command_in_the_workflow_docs_and_ci_script_parses() {
    let scripts = run_scripts(&workflow());
    let from_workflow: Vec<Vec<String>> = scripts
        .iter()
        .flat_map(|s| fleetbench_commands(s))
        .collect();
    assert!(from_workflow.len() >= 4, "{from_workflow:?}");
    assert!(
        from_workflow
            .iter()
            .any(|c| c.first().map(String::as_str) == Some("diff")),
        "{from_workflow:?}"
    );
    assert_each_parses(&from_workflow, "ci.yml");

    let ci_run = fleetbench_commands(&read(".ci/run"));
    assert!(ci_run.len() >= 4, "{ci_run:?}");
    assert_each_parses(&ci_run, ".ci/run");

    let docs = read("docs/ci.md");
    let blocks = code_blocks(&docs);
    let yaml_blocks: Vec<&(String, String)> =
        blocks.iter().filter(|(lang, _)| lang == "yaml").collect();
    assert!(
        yaml_blocks.len() >= 2,
        "docs/ci.md: GitHub and GitLab snippets"
    );
    let mut from_docs = Vec::new();
    for (lang, body) in &blocks {
        if lang == "yaml" {
            let snippet = parse_yaml(body, "a yaml block of docs/ci.md");
            from_docs.extend(
                yaml_scripts(&snippet)
                    .iter()
                    .flat_map(|s| fleetbench_commands(s)),
            );
        } else {
            from_docs.extend(fleetbench_commands(body));
        }
    }
    assert!(from_docs.len() >= 6, "{from_docs:?}");
    assert_each_parses(&from_docs, "docs/ci.md");
}

/// Fenced code blocks of a Markdown text: (language, body).
fn code_blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

/// Every shell script in a CI YAML document: GitHub's `run:` and GitLab's
/// `script:` / `before_script:` / `after_script:` lists.
fn yaml_scripts(doc: &Yaml) -> Vec<String> {
    let mut scripts = Vec::new();
    collect_scripts(doc, &mut scripts);
    scripts
}

fn collect_scripts(node: &Yaml, out: &mut Vec<String>) {
    match node {
        Yaml::Hash(map) => {
            for (key, value) in map {
                let key = key.as_str().unwrap_or_default();
                match (key, value) {
                    ("run", Yaml::String(script)) => out.push(script.clone()),
                    ("script" | "before_script" | "after_script", Yaml::Array(lines)) => {
                        out.extend(lines.iter().filter_map(|l| l.as_str().map(str::to_string)))
                    }
                    _ => collect_scripts(value, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| collect_scripts(i, out)),
        _ => {}
    }
}

#[test]
fn every_run_script_is_valid_bash_and_shellcheck_clean() {
    let dir = tempfile::tempdir().unwrap();
    let shellcheck = Command::new("shellcheck").arg("--version").output().is_ok();
    let required = std::env::var("FLEETBENCH_REQUIRE_LINTERS").is_ok_and(|v| v == "1");
    assert!(
        shellcheck || !required,
        "FLEETBENCH_REQUIRE_LINTERS=1 but no shellcheck"
    );
    if !shellcheck {
        eprintln!("shellcheck: skipped, not installed (apt-get install shellcheck)");
    }
    for (i, script) in run_scripts(&workflow()).iter().enumerate() {
        // GitHub runs `run:` with `bash -e {0}` on Linux runners.
        let path = dir.path().join(format!("step{i}.sh"));
        std::fs::write(&path, format!("#!/usr/bin/env bash\nset -e\n{script}")).unwrap();
        let syntax = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(
            syntax.status.success(),
            "step {i}: {}\n{script}",
            String::from_utf8_lossy(&syntax.stderr)
        );
        if shellcheck {
            let lint = Command::new("shellcheck").arg(&path).output().unwrap();
            assert!(
                lint.status.success(),
                "step {i}:\n{}\n{script}",
                String::from_utf8_lossy(&lint.stdout)
            );
        }
    }
}

#[test]
fn the_command_finder_sees_through_quotes_continuations_and_operators() {
    let script = "mkdir -p out\n\
                  target/release/fleetbench diff \"$B/r.json\" out/r.json \\\n  \
                  --threshold 10% \"${gate[@]}\" --format markdown || status=$?\n\
                  cargo run --release --quiet -- devices\n";
    let commands = fleetbench_commands(script);
    assert_eq!(
        commands,
        [
            vec![
                "diff",
                "$B/r.json",
                "out/r.json",
                "--threshold",
                "10%",
                "--format",
                "markdown"
            ],
            vec!["devices"],
        ]
    );
    assert!(Cli::try_parse_from(["fleetbench", "diff", "a", "b", "--threshold", "x"]).is_err());
}
