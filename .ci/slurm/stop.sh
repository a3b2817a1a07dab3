#!/usr/bin/env bash
# Stops what .ci/slurm/start.sh DIR started, by PID file: slurmd, slurmctld, and munged when
# start.sh launched it. Safe to call when some or none of them are running.
#
# Usage: .ci/slurm/stop.sh DIR
set -uo pipefail

dir=${1:?usage: stop.sh DIR}

stop_pidfile() {
  local name=$1 file=$2 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "slurm: $name (pid $pid) did not stop in 10 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null
    fi
  fi
  rm -f "$file"
}

stop_pidfile slurmd "$dir/run/slurmd.pid"
stop_pidfile slurmctld "$dir/run/slurmctld.pid"
if [ -e "$dir/run/munged.started" ]; then
  stop_pidfile munged /run/munge/munged.pid
  rm -f "$dir/run/munged.started"
fi
echo "slurm: stopped"
