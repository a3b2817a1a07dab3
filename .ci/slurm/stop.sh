#!/usr/bin/env bash
# Tears down what .ci/slurm/start.sh DIR made, also after a partial start: every process in
# the cluster's network namespaces (slurmd, slurmctld, slurmstepd, stray tasks), found by
# namespace and stopped by PID, SIGTERM then SIGKILL; munged; the namespaces with their
# veths and bridge; the CPU cgroup; and the /run/netns mount when start.sh made it.
# Idempotent: safe after a partial start and when nothing runs.
#
# Usage: .ci/slurm/stop.sh DIR
set -uo pipefail

dir=${1:?usage: stop.sh DIR}
# shellcheck source=.ci/slurm/names.sh
. "$(dirname "$0")/names.sh"

# Stops the given PIDs: SIGTERM, up to 5 s, then SIGKILL (slurmstepd may ignore SIGTERM).
stop_pids() {
  local pid left
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  for _ in $(seq 1 50); do
    left=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  echo "slurm: PIDs ${left[*]} ignored SIGTERM for 5 s; killing them" >&2
  kill -KILL "${left[@]}" 2>/dev/null
  for _ in $(seq 1 20); do
    left=()
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && return 0
    sleep 0.1
  done
  echo "slurm: PIDs ${left[*]} survive SIGKILL" >&2
}

namespaces=()
[ -s "$dir/run/netns" ] && mapfile -t namespaces <"$dir/run/netns"

# Every process in the namespaces: the daemons, their slurmstepd and any task left over.
pids=()
for ns in "${namespaces[@]}"; do
  [ -e "/run/netns/$ns" ] || continue
  mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
done
stop_pids "${pids[@]}"

if [ -s "$dir/run/munged.pid" ]; then
  stop_pids "$(cat "$dir/run/munged.pid")"
  rm -f "$dir/run/munged.pid"
fi

if [ -s "$dir/run/cgroup" ]; then
  cgroup=$(cat "$dir/run/cgroup")
  # Empty now; rmdir may still race the last exits for a moment.
  for _ in $(seq 1 20); do
    [ -e "$cgroup" ] || break
    rmdir "$cgroup" 2>/dev/null && break
    sleep 0.1
  done
  [ -e "$cgroup" ] && echo "slurm: could not remove $cgroup: $(cat "$cgroup/cgroup.procs")" >&2
  rm -f "$dir/run/cgroup"
fi

for ns in "${namespaces[@]}"; do
  [ -e "/run/netns/$ns" ] && ip netns delete "$ns"
done
rm -f "$dir/run/netns"
# `ip netns add` bind-mounts /run/netns on itself the first time; undo that if it was ours
# and no other namespace lives there now.
if [ -e "$dir/run/netns-mount" ]; then
  if mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
    umount /run/netns && rmdir /run/netns
  fi
  rm -f "$dir/run/netns-mount"
fi
if [ "$(cat "$marker" 2>/dev/null)" = "$(cd "$dir" 2>/dev/null && pwd)" ]; then
  rm -f "$marker"
fi
echo "slurm: stopped"
