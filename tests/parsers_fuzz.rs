//! The fuzz targets on the stable toolchain: every harness in `fuzz_harness` runs over its
//! seeds and the crashing inputs the fuzzer found (`fuzz/seeds`, `fuzz/regressions`), then
//! over arbitrary bytes and over seeds mutated the way libFuzzer mutates them (bytes
//! replaced, deleted, inserted; tokens spliced in). Each property is bounded to a few
//! thousand cases (about a second in all) so `cargo test` stays fast; `cargo fuzz`
//! (docs/fuzzing.md) goes deeper.

mod fuzz_harness;

use std::path::{Path, PathBuf};

use fuzz_harness::{Harness, TARGETS};
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Tokens the mutator splices in: the values parsers most often get wrong.
const TOKENS: [&str; 34] = [
    "0",
    "-1",
    "1e308",
    "1e999",
    "-0",
    "nan",
    "inf",
    "-inf",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "\n",
    "\r",
    "\"",
    "'",
    ",",
    "x",
    "{",
    "}",
    "[",
    "]",
    "null",
    "true",
    "=",
    " ",
    "%",
    "_",
    "\u{0}",
    "\u{e9}",
    "\u{d7}",
    "{rank}",
    "{host}",
    "/",
    "1e-320",
];

fn fuzz_dir(kind: &str, target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target)
}

/// The files of `fuzz/<kind>/<target>/`, sorted (none when the folder is absent).
fn inputs(kind: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(fuzz_dir(kind, target)) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

fn harness(target: &str) -> Harness {
    TARGETS.iter().find(|(name, _)| *name == target).unwrap().1
}

#[test]
fn every_target_has_seeds_and_a_fuzz_target_file() {
    for (target, _) in TARGETS {
        assert!(!inputs("seeds", target).is_empty(), "no seeds for {target}");
        let file = fuzz_dir("fuzz_targets", "").join(format!("{target}.rs"));
        assert!(file.is_file(), "{}", file.display());
    }
}

#[test]
fn seeds_and_past_crashes_pass_every_check() {
    for (target, check) in TARGETS {
        for kind in ["seeds", "regressions"] {
            for (path, bytes) in inputs(kind, target) {
                let outcome = std::panic::catch_unwind(|| check(&bytes));
                assert!(outcome.is_ok(), "{target}: {} fails", path.display());
            }
        }
    }
}

/// The seeds of the file parsers are valid files, so mutations start deep in the parser.
#[test]
fn file_seeds_parse() {
    use fleetbench::model::Catalog;
    use fleetbench::results;
    for (path, bytes) in inputs("seeds", "catalog_toml") {
        let text = String::from_utf8(bytes).unwrap();
        let loaded = Catalog::embedded().unwrap().extended(&text, "seed");
        assert!(loaded.is_ok(), "{}: {:?}", path.display(), loaded.err());
    }
    for target in ["results_json", "merged_json"] {
        for (path, bytes) in inputs("seeds", target) {
            let text = String::from_utf8(bytes).unwrap();
            let parsed = results::parse(&text, &path);
            let cluster = matches!(parsed, Ok(results::ResultsFile::Cluster(_)));
            assert!(parsed.is_ok(), "{}: {:?}", path.display(), parsed.err());
            assert_eq!(cluster, target == "merged_json", "{}", path.display());
        }
    }
    for (path, bytes) in inputs("seeds", "tune_cache") {
        let text = String::from_utf8(bytes).unwrap();
        let parsed = fleetbench::measure::autotune::cache::parse_entries(&text);
        assert!(parsed.is_ok(), "{}: {:?}", path.display(), parsed.err());
    }
}

/// Arbitrary bytes, or a seed of `target` after a few libFuzzer-style edits.
fn fuzz_input(target: &str) -> BoxedStrategy<Vec<u8>> {
    let seeds: Vec<Vec<u8>> = inputs("seeds", target)
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let edit = (0u8..4, any::<Index>(), any::<u8>(), select(TOKENS.to_vec()));
    let mutated = (select(seeds), prop::collection::vec(edit, 1..8)).prop_map(|(seed, edits)| {
        edits
            .into_iter()
            .fold(seed, |bytes, (op, at, byte, token)| {
                mutate(bytes, op, at, byte, token)
            })
    });
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..64),
        3 => mutated,
    ]
    .boxed()
}

fn mutate(mut bytes: Vec<u8>, op: u8, at: Index, byte: u8, token: &str) -> Vec<u8> {
    let pos = at.index(bytes.len() + 1);
    match op {
        0 if pos < bytes.len() => bytes[pos] = byte,
        1 => {
            let end = (pos + usize::from(byte % 16)).min(bytes.len());
            bytes.drain(pos..end);
        }
        2 => bytes.insert(pos, byte),
        _ => {
            bytes.splice(pos..pos, token.bytes());
        }
    }
    bytes
}

macro_rules! fuzz_property {
    ($name:ident, $target:literal, $cases:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: $cases, ..ProptestConfig::default() })]
            #[test]
            fn $name(data in fuzz_input($target)) {
                harness($target)(&data);
            }
        }
    };
}

fuzz_property!(catalog_toml_never_panics, "catalog_toml", 1500);
fuzz_property!(results_json_never_panics, "results_json", 1500);
fuzz_property!(merged_json_never_panics, "merged_json", 1500);
fuzz_property!(tune_cache_never_panics, "tune_cache", 2000);
fuzz_property!(units_never_panic, "units", 2000);
fuzz_property!(shapes_never_panic, "shapes", 3000);
fuzz_property!(rank_env_never_panics, "rank_env", 3000);

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Text shaped like a unit value: a number, maybe a unit, maybe three of them.
    #[test]
    fn unit_like_text_never_panics(text in "[-+ ]?[0-9_]{0,12}(\\.[0-9]{0,6})?([eE][-+]?[0-9]{1,4})?( ?(GW|mw|kW|W|%))?(,[-+]?[0-9.eE]{1,8}){0,3}") {
        harness("units")(text.as_bytes());
    }

    /// Text shaped like a shape: one to four numbers joined by x, X or *.
    #[test]
    fn shape_like_text_never_panics(text in "[0-9 ]{0,11}([xX*][0-9 ]{0,11}){0,3}") {
        harness("shapes")(text.as_bytes());
    }

    /// Launcher variables holding numbers of any size, signs and spaces.
    #[test]
    fn numeric_launcher_variables_never_panic(
        template in "[a-z/]{0,6}(\\{(rank|host|job|local_rank|x)\\}?)?[a-z./]{0,6}",
        vars in prop::collection::vec(("[A-Z_]{3,24}", "[-+ ]?[0-9]{0,12}[ a-z]?"), 0..6),
    ) {
        let lines: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let input = std::iter::once(template).chain(lines).collect::<Vec<_>>().join("\n");
        harness("rank_env")(input.as_bytes());
    }
}

/// Found after the fixes, at the CLI: clap quotes the refused value as typed, so a carriage
/// return in it reached the terminal (the parser's own part was already escaped).
#[test]
fn a_control_character_in_a_flag_value_gives_one_line_and_exit_2() {
    for args in [
        ["project", "--fleet", "openai-2025", "--power", "5\r00MW"],
        ["merge", "--size", "3\n4", "--", "x.json"],
    ] {
        let output = assert_cmd::Command::cargo_bin("fleetbench")
            .unwrap()
            .args(args)
            .env("XDG_RUNTIME_DIR", std::env::temp_dir())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr:?}");
        assert!(!stderr.contains('\r'), "{stderr:?}");
    }
}
