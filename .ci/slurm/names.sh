# Names and addresses of the CI cluster's parts, shared by start.sh and stop.sh.
# shellcheck shell=bash

# The cluster's members: the controller and the three compute nodes.
nodes=(node1 node2 node3)
members=(ctl "${nodes[@]}")
# Names the running cluster's DIR, so a second start can say which cluster to stop.
marker=/run/fleetbench-slurm-ci
# The bridge joining the members, inside the controller's namespace.
bridge=fbci-br

# The network namespace of a member.
netns() { echo "fleetbench-$1"; }

# A member's address on the bridge, in 198.18.0.0/15 (RFC 2544, benchmark testing).
address() {
  case $1 in
    ctl) echo 198.18.77.1 ;;
    node*) echo "198.18.77.$((10 + ${1#node}))" ;;
  esac
}

# The cluster's CPU cgroup (v1 cpu controller, else v2), or nothing when the machine has
# no writable cpu controller.
cpu_cgroup_path() {
  if [ -e /sys/fs/cgroup/cpu/cpu.shares ]; then
    echo /sys/fs/cgroup/cpu/fleetbench-ci
  elif grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
    echo /sys/fs/cgroup/fleetbench-ci
  fi
}
