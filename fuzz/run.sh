#!/usr/bin/env bash
# Builds and runs one fuzz target with libFuzzer on the stable toolchain: RUSTC_BOOTSTRAP=1
# lets cargo-fuzz pass its -Z flags, and --sanitizer none needs no nightly sanitizer
# runtime (overflow checks and debug assertions stay on). New inputs go to
# fuzz/corpus/TARGET, which also reads the committed seeds and past crashes; a crash lands
# in fuzz/artifacts/TARGET. The binary is run directly, not through `cargo fuzz run`,
# which would build twice. Usage: fuzz/run.sh TARGET [SECONDS]   (see docs/fuzzing.md)
set -euo pipefail
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-600}
cd "$(dirname "$0")"
case $target in
  results_json | merged_json) max_len=16384 ;;
  catalog_toml | tune_cache) max_len=8192 ;;
  *) max_len=256 ;;
esac
RUSTC_BOOTSTRAP=1 cargo fuzz build --sanitizer none --codegen-units 16 "$target"
mkdir -p "corpus/$target" "artifacts/$target" "regressions/$target"
dict=()
[[ -f "dicts/$target.dict" ]] && dict=(-dict="dicts/$target.dict")
exec "target/x86_64-unknown-linux-gnu/release/$target" \
  "corpus/$target" "seeds/$target" "regressions/$target" \
  -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" -max_len="$max_len" \
  -timeout=10 -print_final_stats=1 "${dict[@]}"
