#!/usr/bin/env bash
# Starts a three-node Slurm cluster on this host: each slurmd in its own network namespace,
# with its own address and host name, joined by a bridge; no systemd, and the system's
# munge left alone. DIR holds its configuration, state and logs; .ci/slurm/stop.sh DIR
# stops it.
#
#   fleetbench-ctl    198.18.77.1   bridge fbci-br, slurmctld, and the clients
#                                   (DIR/bin/srun, sbatch, sinfo, ... run in it)
#   fleetbench-node1  198.18.77.11  slurmd -N node1, host name node1
#   fleetbench-node2  198.18.77.12  slurmd -N node2, host name node2
#   fleetbench-node3  198.18.77.13  slurmd -N node3, host name node3
#
# The nodes' veths are ports of a bridge inside fleetbench-ctl, so no packet of the cluster
# crosses the host's namespace or its firewall; 198.18.0.0/15 is reserved for benchmark
# testing (RFC 2544) and clashes with no real network. One munged with its own key and
# socket under DIR serves every node and client (AuthInfo=socket=...).
#
# The planted straggler is real: a TaskProlog exports LP_NUM_THREADS=1 into every task on
# SLOW_NODE, so lavapipe computes on one CPU thread there and on all of them elsewhere.
# The daemons (and so every task) run in a CPU cgroup weighted far above the rest of the
# machine, so a busy host hardly moves the figures (see docs/cluster.md).
#
# Usage: .ci/slurm/start.sh DIR [SLOW_NODE]     (SLOW_NODE: node1, node2, node3; default node3)
#        then: export SLURM_CONF=DIR/slurm.conf PATH=DIR/bin:$PATH
# Needs root, iproute2, util-linux (nsenter, unshare, setsid) and the Debian packages
# slurmctld slurmd slurm-client munge (22.05, built with multiple-slurmd, as this needs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=.ci/slurm/names.sh
. "$here/names.sh"

dir=${1:?usage: start.sh DIR [SLOW_NODE]}
slow_node=${2:-node3}
case " ${nodes[*]} " in
  *" $slow_node "*) ;;
  *) echo "start.sh: SLOW_NODE '$slow_node' is not one of ${nodes[*]}" >&2 && exit 2 ;;
esac
for tool in ip nsenter unshare setsid munged slurmctld slurmd srun sinfo; do
  command -v "$tool" >/dev/null || { echo "start.sh: $tool is not installed" >&2 && exit 1; }
done
if [ "$(nproc)" -lt 2 ]; then
  echo "start.sh: one CPU: no lavapipe thread to take away from $slow_node, so no" \
    "straggler can be planted" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The marker, made only if absent, claims the machine: one cluster at a time.
if ! (set -o noclobber && echo "$dir" >"$marker") 2>/dev/null; then
  echo "start.sh: another cluster runs here (or was killed before its teardown); stop it" \
    "with .ci/slurm/stop.sh $(head -n 1 "$marker")" >&2
  exit 1
fi
cgroup=$(cpu_cgroup_path)
parts=()
[ -z "$cgroup" ] || parts+=("$cgroup")
for name in "${members[@]}"; do parts+=("/run/netns/$(netns "$name")"); done
for part in "${parts[@]}"; do
  if [ -e "$part" ]; then
    echo "start.sh: $part is left over from a cluster killed before its teardown;" \
      "remove it with .ci/slurm/stop.sh $dir" >&2
    exit 1
  fi
done
mkdir -p "$dir"/{state,log,run,bin,munge,node-env}
chmod 0700 "$dir/munge"

# --- network (stop.sh finds every part by name, so it also undoes a partial start)
mountpoint -q /run/netns || echo netns-mount >>"$marker"
for name in "${members[@]}"; do
  ip netns add "$(netns "$name")"
  ip -n "$(netns "$name")" link set lo up
done
ctl_ns=$(netns ctl)
ip -n "$ctl_ns" link add "$bridge" type bridge
ip -n "$ctl_ns" addr add "$(address ctl)/24" dev "$bridge"
ip -n "$ctl_ns" link set "$bridge" up
for name in "${nodes[@]}"; do
  ip -n "$ctl_ns" link add "veth-$name" type veth peer name eth0 netns "$(netns "$name")"
  ip -n "$ctl_ns" link set "veth-$name" master "$bridge" up
  ip -n "$(netns "$name")" addr add "$(address "$name")/24" dev eth0
  ip -n "$(netns "$name")" link set eth0 up
done

# --- the CPU cgroup: weighted far above everything else (v1 shares 262144 against 1024,
# v2 weight 10000 against 100)
if [ -n "$cgroup" ]; then
  if mkdir "$cgroup" 2>/dev/null; then
    if [ -e "$cgroup/cpu.shares" ]; then
      echo 262144 >"$cgroup/cpu.shares"
    else
      echo 10000 >"$cgroup/cpu.weight"
    fi
  else
    cgroup=""
  fi
fi
[ -n "$cgroup" ] || echo "slurm: warning: no writable cpu cgroup; the figures follow the machine's load" >&2

# --- munge: one daemon with its own key and socket
socket=$dir/munge/munge.socket
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$dir/munge/munge.key"
# In a session of its own, like every daemon here, so a Ctrl-C meant for the tests does not
# reach it (munged exits on SIGINT, and every job then hangs on authentication); in the
# controller's namespace (its socket is a file, reachable from all), so stop.sh finds it.
setsid nsenter --net="/run/netns/$ctl_ns" -- munged --foreground --force --num-threads=10 \
  --socket="$socket" --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
  </dev/null >>"$dir/log/munged.log" 2>&1 &

# --- slurm.conf: one exclusive partition, so jobs queue for the nodes instead of sharing
cpus=$(nproc)
{
  cat <<CONF
# Written by .ci/slurm/start.sh: three nodes in network namespaces, root daemons.
ClusterName=fleetbench-ci
SlurmctldHost=fbctl($(address ctl))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
TaskProlog=$dir/task-prolog
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
# sbatch --wait polls every 2 s only while that is under MinJobAge/3; at the default (300)
# it backs off to 8 and then 32 s, which alone would add half a minute.
MinJobAge=6
CONF
  for name in "${nodes[@]}"; do
    echo "NodeName=$name NodeAddr=$(address "$name") CPUs=$cpus State=UNKNOWN"
  done
  echo "PartitionName=ci Nodes=$(IFS=,; echo "${nodes[*]}") Default=YES MaxTime=10 OverSubscribe=EXCLUSIVE State=UP"
} >"$dir/slurm.conf"
for name in "${nodes[@]}"; do mkdir -p "$dir/spool/$name"; done

# The straggler: a per-node environment that the TaskProlog exports into every task.
echo "LP_NUM_THREADS=1" >"$dir/node-env/$slow_node"
cat >"$dir/task-prolog" <<PROLOG
#!/bin/sh
# Slurm TaskProlog: each "export NAME=VALUE" line it prints enters the task's environment.
env_file="$dir/node-env/\$SLURMD_NODENAME"
[ -r "\$env_file" ] && sed 's/^/export /' "\$env_file"
exit 0
PROLOG
chmod 0755 "$dir/task-prolog"

# Clients run in the controller's namespace, the one joined to every node.
for tool in srun sbatch salloc squeue sinfo scancel scontrol; do
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s -- %s "$@"\n' "$ctl_ns" "$(command -v "$tool")" \
    >"$dir/bin/$tool"
  chmod 0755 "$dir/bin/$tool"
done
export SLURM_CONF=$dir/slurm.conf PATH=$dir/bin:$PATH

# --- daemons, in the foreground (-D) of a new session, so $! is the daemon's own PID (the
# forking daemons return before writing their PID files); each in its network namespace
# and a UTS namespace of its own named as the node (step launch hangs on name resolution
# otherwise); `ip netns exec` would remount /sys and hide the cgroups from slurmd.
start_daemon() {
  local name=$1 host=$2
  shift 2
  setsid nsenter --net="/run/netns/$(netns "$name")" -- \
    unshare --uts -- sh -c 'hostname "$0" && exec "$@"' "$host" "$@" \
    </dev/null >>"$dir/log/$name.out" 2>&1 &
  # Before any job starts: slurmstepd and the tasks inherit the daemon's cgroup.
  [ -z "$cgroup" ] || echo $! >"$cgroup/cgroup.procs"
}
for _ in $(seq 1 50); do
  [ -S "$socket" ] && break
  sleep 0.1
done
[ -S "$socket" ] || { echo "start.sh: munged did not start:" >&2 && cat "$dir/log/munged.log" >&2 && exit 1; }
start_daemon ctl fbctl slurmctld -D -f "$SLURM_CONF"
for name in "${nodes[@]}"; do
  start_daemon "$name" "$name" slurmd -D -N "$name" -f "$SLURM_CONF"
done

deadline=$((SECONDS + 60))
until [ "$(sinfo -h -N -t idle -o '%N' 2>/dev/null | sort -u | wc -l)" -eq "${#nodes[@]}" ]; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "start.sh: the nodes are not all idle after 60 s:" >&2
    sinfo -N >&2 || true
    tail -n 20 "$dir"/log/* >&2 || true
    exit 1
  fi
  sleep 0.2
done
echo "slurm: ${nodes[*]} idle ($cpus CPUs each; $slow_node has LP_NUM_THREADS=1;" \
  "cgroup ${cgroup:-none}); SLURM_CONF=$SLURM_CONF, clients in $dir/bin"
