//! The module graph of docs/ARCHITECTURE.md, checked from the source: every `crate::`
//! path in a module (outside its tests) is an edge to the module it names. The graph must
//! have no cycle (each subcommand of `commands/` is a node of its own, so two commands may
//! not lean on each other either), and the layers must not reach back: `results` and
//! `model` import none of the engine, the renderers or the commands, `gpu` and `kernels`
//! know no fleets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The node a source file belongs to: its top-level module, or `commands::NAME`.
fn node_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let parts: Vec<&str> = rel.iter().map(|p| p.to_str().unwrap()).collect();
    match parts.as_slice() {
        ["lib"] | ["main"] => None,
        ["commands", "mod"] => Some("commands".into()),
        ["commands", name, ..] => Some(format!("commands::{name}")),
        [top, ..] => Some((*top).to_string()),
        [] => None,
    }
}

/// The code of a file without its `#[cfg(test)]` module (tests may reach anywhere).
fn without_tests(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// The nodes a piece of code names through `crate::a::b` or, in a command, `super::b`.
fn targets(code: &str, in_commands: bool) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let first = ident(rest);
        if first == "commands" {
            let second = ident(rest.strip_prefix("commands::").unwrap_or(""));
            if !second.is_empty() {
                found.insert(format!("commands::{second}"));
                continue;
            }
        }
        if !first.is_empty() {
            found.insert(first);
        }
    }
    if in_commands {
        for (i, _) in code.match_indices("super::") {
            let name = ident(&code[i + "super::".len()..]);
            if !name.is_empty() {
                found.insert(format!("commands::{name}"));
            }
        }
    }
    found
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph = Graph::new();
    for file in files {
        let Some(node) = node_of(&src, &file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let in_commands = node.starts_with("commands::");
        let edges = graph.entry(node.clone()).or_default();
        for target in targets(without_tests(&text), in_commands) {
            // A command's `super::` inside its own directory (e.g. run/plan.rs) is itself.
            if target != node {
                edges.insert(target);
            }
        }
    }
    graph
}

/// One cycle of the graph, if there is any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn assert_imports_none(graph: &Graph, module: &str, forbidden: &[&str]) {
    let edges = graph
        .get(module)
        .unwrap_or_else(|| panic!("no module {module}"));
    let bad: Vec<&String> = edges
        .iter()
        .filter(|e| {
            forbidden
                .iter()
                .any(|f| e == f || e.starts_with(&format!("{f}::")))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{module} imports {bad:?} (see docs/ARCHITECTURE.md)"
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let graph = graph();
    assert!(graph.len() > 15, "found only {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("import cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_layers_do_not_reach_back() {
    let graph = graph();
    let above_results = [
        "gpu", "measure", "cluster", "report", "commands", "bridge", "model", "cli", "error",
    ];
    assert_imports_none(&graph, "results", &above_results);
    assert_imports_none(
        &graph,
        "model",
        &[
            "gpu", "measure", "kernels", "cluster", "report", "commands", "bridge", "cli", "error",
            "results",
        ],
    );
    for engine in ["gpu", "kernels"] {
        assert_imports_none(
            &graph,
            engine,
            &["model", "bridge", "report", "commands", "cluster", "cli"],
        );
    }
    assert_imports_none(
        &graph,
        "measure",
        &["model", "bridge", "report", "commands", "cli"],
    );
    assert_imports_none(&graph, "report", &["commands", "cli", "gpu", "measure"]);
}

#[test]
fn the_checker_sees_a_planted_cycle() {
    let mut graph = graph();
    graph
        .entry("results".into())
        .or_default()
        .insert("report".into());
    assert!(find_cycle(&graph).is_some());
    let code =
        "use crate::gpu::adapter; fn f() { crate::commands::run::go(); super::project::x(); }";
    let found = targets(code, true);
    for expected in ["gpu", "commands::run", "commands::project"] {
        assert!(found.contains(expected), "{found:?}");
    }
}
