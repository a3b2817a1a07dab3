#!/usr/bin/env bash
# The Slurm block of .ci/run, runnable on its own (as root): installs Slurm and munge if
# missing, starts the three-node cluster (.ci/slurm/start.sh), runs tests/slurm.rs through
# it, and tears the cluster down on any exit, a failure or an interrupt included.
#
# Usage: bash .ci/slurm/block.sh      (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/../.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

started=$SECONDS
if ! dpkg -s slurmctld slurmd slurm-client munge iproute2 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge iproute2 >/dev/null
fi
dir=$(mktemp -d /tmp/fleetbench-slurm.XXXXXX)
on_exit() {
  local rc=$?
  bash .ci/slurm/stop.sh "$dir"
  if [ "$rc" -ne 0 ]; then
    echo "== cluster: failed ($rc); the daemons' logs, kept in $dir/log:" >&2
    tail -n 20 "$dir"/log/* >&2 || true
  fi
}
trap on_exit EXIT
trap 'exit 130' INT TERM
bash .ci/slurm/start.sh "$dir"
# The tests run in a process group of their own and are waited for, so an INT or TERM to
# this script (a Ctrl-C, a cancelled CI job) stops them and the cluster at once rather than
# after the tests end.
SLURM_CONF="$dir/slurm.conf" PATH="$dir/bin:$PATH" FLEETBENCH_SLURM=1 \
  setsid cargo test --test slurm -- --nocapture &
tests=$!
trap 'kill -TERM -- "-$tests" 2>/dev/null; exit 130' INT TERM
wait "$tests"
# On success nothing is kept; on failure the trap stops the cluster and keeps the logs.
bash .ci/slurm/stop.sh "$dir"
trap - EXIT INT TERM
rm -rf "$dir"
echo "== cluster: Slurm block took $((SECONDS - started)) s"
