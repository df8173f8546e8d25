#!/usr/bin/env bash
# What a sysinfo(2) call costs through proclens' agent (issue 15), against the plain system call, in one run:
# bench/src/main/c/sysinfo-client.c makes CALLS calls from a 256 MiB cgroup, ROUNDS times each way, interleaved:
#   plain   the system call with no filter (-x)
#   agent   a seccomp filter hands it to the daemon's agent (the client plays the OCI runtime), as in a container
# and prints each run's p50/p99/max latency in us, the ratios, and the daemon's CPU time per answered call
# (utime+stime of the holder and its workers over the agent's runs / calls).
#   scripts/bench-sysinfo.sh [CALLS per run, default 20000]     ROUNDS=3   DAEMON_OPTIONS="--single-process"
# Needs root. Machines here are shared and noisy: compare the ratios of one run, never numbers across runs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
calls=${1:-20000}
rounds=${ROUNDS:-3}
apt_install gcc fuse3
cd "$PROCLENS_ROOT"
[ -f daemon/target/proclens.jar ] || scripts/build.sh >/dev/null
work=$(mktemp -d /tmp/proclens-bench-sysinfo.XXXXXX)
daemon=
cgroup_dirs=()
cleanup() {
    local status=$?
    [ -n "$daemon" ] && { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; }
    umount -l "$work/mnt" 2>/dev/null || true
    for d in "${cgroup_dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -o "$work/client" bench/src/main/c/sysinfo-client.c -lm
mkdir -p "$work/mnt"
# shellcheck disable=SC2086 # DAEMON_OPTIONS is a list of options
scripts/proclens mount --foreground ${DAEMON_OPTIONS:-} "$work/mnt" > "$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 600); do grep -q "info: serving" "$work/daemon.log" && break; sleep 0.05; done
socket=/run/proclens/seccomp$(realpath "$work/mnt" | tr / _).sock
[ -S "$socket" ] || { echo "bench-sysinfo: no socket $socket: $(cat "$work/daemon.log")" >&2; exit 1; }

if [ -d /sys/fs/cgroup/memory ]; then
    dir=/sys/fs/cgroup/memory/proclens-bench-sysinfo-$$
else
    dir=/sys/fs/cgroup/proclens-bench-sysinfo-$$
fi
mkdir -p "$dir" && cgroup_dirs+=("$dir")
echo $((256 << 20)) > "$dir/memory.limit_in_bytes" 2>/dev/null || echo $((256 << 20)) > "$dir/memory.max"
in_cgroup() { sh -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' sh "$dir" "$@"; }
tree_ticks() { # utime + stime of the daemon and its children
    local pid sum=0
    for pid in "$daemon" $(pgrep -P "$daemon"); do sum=$((sum + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'))); done
    echo "$sum"
}
hz=$(getconf CLK_TCK)

in_cgroup "$work/client" -n 2000 "$socket" > /dev/null # warm-up: the agent's path is compiled, the cache filled
agent_ticks=0
echo "sysinfo(2), $calls calls per run from a 256 MiB cgroup; latency of one call in us"
printf '%-6s %-6s %10s %10s %10s\n' round way p50 p99 max
for round in $(seq "$rounds"); do
    for way in plain agent; do
        if [ "$way" = plain ]; then
            out=$(in_cgroup "$work/client" -x -n "$calls")
        else
            before=$(tree_ticks)
            out=$(in_cgroup "$work/client" -n "$calls" "$socket")
            agent_ticks=$((agent_ticks + $(tree_ticks) - before))
        fi
        read -r p50 p99 max < <(awk '{ print $6, $8, $10 }' <<< "$out")
        printf '%-6s %-6s %10s %10s %10s\n' "$round" "$way" "$p50" "$p99" "$max"
        echo "$way $p50 $p99" >> "$work/results"
    done
done
awk -v calls="$calls" -v rounds="$rounds" -v ticks="$agent_ticks" -v hz="$hz" '
    { p50[$1] += $2; p99[$1] += $3 }
    END {
        printf "means: plain p50 %.1f p99 %.1f; agent p50 %.1f p99 %.1f; agent / plain p50 %.0fx p99 %.0fx\n",
            p50["plain"] / rounds, p99["plain"] / rounds, p50["agent"] / rounds, p99["agent"] / rounds,
            p50["agent"] / p50["plain"], p99["agent"] / p99["plain"]
        printf "daemon CPU per answered call: %.1f us\n", ticks / hz * 1e6 / (calls * rounds)
    }' "$work/results"
grep -q "calls" <<< "$out" || exit 1
