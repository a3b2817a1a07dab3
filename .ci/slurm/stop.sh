#!/usr/bin/env bash
# Tears down the cluster that .ci/slurm/start.sh DIR made, also after a partial start or
# when DIR itself is gone: every process in the cluster's network namespaces and CPU cgroup
# (munged, slurmctld, slurmd, slurmstepd, clients, stray tasks), stopped by PID with
# SIGTERM and, after 5 s, SIGKILL (slurmstepd may ignore SIGTERM); the cgroup; the
# namespaces with their veths and bridge; and the /run/netns mount when start.sh made it.
# It acts only when the running cluster is DIR's (its marker names DIR), so a second
# start that failed cannot stop a cluster it does not own. Idempotent.
#
# Usage: .ci/slurm/stop.sh DIR
set -uo pipefail

dir=${1:?usage: stop.sh DIR}
# shellcheck source=.ci/slurm/names.sh
. "$(dirname "$0")/names.sh"

# Those of the given PIDs still running, one a line.
alive() {
  local pid
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done
}

# Waits up to TENTHS tenths of a second for the PIDs to exit; false if some have not.
exited_within() {
  local tenths=$1
  shift
  for _ in $(seq 1 "$tenths"); do
    [ -z "$(alive "$@")" ] && return 0
    sleep 0.1
  done
  [ -z "$(alive "$@")" ]
}

# Stops the given PIDs: SIGTERM, up to 5 s, then SIGKILL.
stop_pids() {
  local left
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null
  exited_within 50 "$@" && return 0
  mapfile -t left < <(alive "$@")
  echo "slurm: PIDs ${left[*]} ignored SIGTERM for 5 s; killing them" >&2
  kill -KILL "${left[@]}" 2>/dev/null
  exited_within 20 "${left[@]}" || echo "slurm: PIDs $(alive "${left[@]}" | xargs) survive SIGKILL" >&2
}

dir=$(realpath -m "$dir")
owner=$(head -n 1 "$marker" 2>/dev/null)
if [ "$owner" != "$dir" ]; then
  echo "slurm: nothing to stop for $dir${owner:+ (the running cluster is $owner)}"
  exit 0
fi

namespaces=()
for name in "${members[@]}"; do
  [ -e "/run/netns/$(netns "$name")" ] && namespaces+=("$(netns "$name")")
done
cgroup=$(cpu_cgroup_path)
[ -n "$cgroup" ] && [ -d "$cgroup" ] || cgroup=""

# Every process of the cluster: all in its namespaces, and all in its cgroup.
pids=()
for ns in "${namespaces[@]}"; do
  mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null)
done
[ -n "$cgroup" ] && mapfile -t -O "${#pids[@]}" pids <"$cgroup/cgroup.procs"
mapfile -t pids < <(printf '%s\n' "${pids[@]}" | grep . | sort -un)
stop_pids "${pids[@]}"

if [ -n "$cgroup" ]; then
  # Empty now; rmdir may race the last exits for a moment.
  for _ in $(seq 1 20); do
    rmdir "$cgroup" 2>/dev/null && break
    sleep 0.1
  done
  [ -e "$cgroup" ] && echo "slurm: could not remove $cgroup: $(xargs <"$cgroup/cgroup.procs")" >&2
fi

for ns in "${namespaces[@]}"; do ip netns delete "$ns"; done
# `ip netns add` bind-mounts /run/netns on itself the first time; undo that if it was
# start.sh's doing and no other namespace lives there now.
if grep -qx netns-mount "$marker" && mountpoint -q /run/netns && [ -z "$(ls -A /run/netns)" ]; then
  umount /run/netns && rmdir /run/netns
fi
rm -f "$marker"
echo "slurm: stopped"
