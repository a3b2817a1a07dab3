#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this host without systemd or cgroups: munged (as the
# munge user), slurmctld and slurmd, with slurm.conf, state, spool, logs and PID files
# under DIR. Waits (bounded) until `sinfo` shows the node idle. Needs root and the Debian
# packages slurmctld slurmd slurm-client munge. Stop it with .ci/slurm/stop.sh DIR.
#
# Usage: .ci/slurm/start.sh DIR     then: export SLURM_CONF=DIR/slurm.conf
set -euo pipefail

dir=${1:?usage: start.sh DIR}
mkdir -p "$dir"/state "$dir"/spool "$dir"/log "$dir"/run
dir=$(cd "$dir" && pwd)
host=$(hostname -s)
cpus=$(nproc)
# A little under the machine's memory, so slurmd does not drain the node for having less.
mem_mb=$(awk '/^MemTotal:/ { print int($2 / 1024 * 0.9) }' /proc/meminfo)

cat >"$dir/slurm.conf" <<CONF
# Written by .ci/slurm/start.sh: one node, root daemons, no cgroups.
ClusterName=fleetbench-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmdTimeout=120
InactiveLimit=0
KillWait=5
NodeName=$host CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf

# munge: a key if the package did not make one, then the daemon as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  echo "$dir" >"$dir/run/munged.started"
fi
munge -n </dev/null | unmunge >/dev/null

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

deadline=$((SECONDS + 60))
state=""
until [ "$state" = "idle" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "slurm: node $host is '${state:-unknown}', not idle, after 60 s; logs:" >&2
    tail -n 20 "$dir"/log/slurmctld.log "$dir"/log/slurmd.log >&2 || true
    exit 1
  fi
  sleep 1
  state=$(sinfo -h -N -n "$host" -o '%t' 2>/dev/null | head -n 1 || true)
done
echo "slurm: node $host idle ($cpus CPUs, ${mem_mb} MB); SLURM_CONF=$SLURM_CONF"
