#!/usr/bin/env bash
# Side-by-side read benchmark, in one run: the kernel's /proc/meminfo, proclens, LXCFS 5 and the zero-work
# FUSE server (../shared/tools/fusefloor, when present), each read by bench/src/main/c/reopen.c
# (open, read to EOF, close, in a loop) with 1 and 8 threads. Prints ops/s, p50/p99, and ratios.
#   sudo scripts/bench.sh [SECONDS per run, default 5] [proclens mount options...]
# Machines here are shared and noisy: compare the ratios of one run, never numbers across runs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
seconds=${1:-5}
shift || true
apt_install gcc fuse3 libfuse3-dev lxcfs pkg-config
cd "$PROCLENS_ROOT"
[ -f daemon/target/proclens.jar ] || scripts/build.sh >/dev/null

work=$(mktemp -d /tmp/proclens-bench.XXXXXX)
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for dir in "$work"/mnt-*; do umount -l "$dir" 2>/dev/null || true; done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

gcc -O2 -pthread -o "$work/reopen" bench/src/main/c/reopen.c
wait_for_mount() { # DIR FSTYPE
    for _ in $(seq 300); do
        grep -q " $1 .* - $2 " /proc/self/mountinfo && return 0
        sleep 0.05
    done
    echo "bench: $2 did not mount at $1" >&2
    return 1
}

declare -A files
files[kernel]=/proc/meminfo

mkdir -p "$work/mnt-proclens"
scripts/proclens mount --foreground "$work/mnt-proclens" "$@" > "$work/proclens.log" 2>&1 &
pids+=($!); disown
wait_for_mount "$work/mnt-proclens" fuse.proclens
files[proclens]=$work/mnt-proclens/proc/meminfo

if command -v lxcfs >/dev/null; then
    mkdir -p "$work/mnt-lxcfs"
    lxcfs -f -p "$work/lxcfs.pid" "$work/mnt-lxcfs" > "$work/lxcfs.log" 2>&1 &
    pids+=($!); disown
    wait_for_mount "$work/mnt-lxcfs" fuse.lxcfs
    files[lxcfs]=$work/mnt-lxcfs/proc/meminfo
fi

floor_src=$PROCLENS_ROOT/../shared/tools/fusefloor/fusefloor.c
if [ -f "$floor_src" ]; then
    gcc -O2 -pthread -o "$work/fusefloor" "$floor_src" $(pkg-config --cflags --libs fuse3)
    mkdir -p "$work/mnt-floor"
    "$work/fusefloor" -n 2 "$work/mnt-floor" > "$work/floor.log" 2>&1 &
    pids+=($!); disown
    wait_for_mount "$work/mnt-floor" "fuse[^ ]*"
    files[fusefloor]=$work/mnt-floor/proc/meminfo
fi

declare -A result
order=(kernel fusefloor proclens lxcfs)
for threads in 1 8; do
    for name in "${order[@]}"; do
        [ -n "${files[$name]:-}" ] || continue
        result[$name,$threads]=$("$work/reopen" "${files[$name]}" "$threads" "$seconds")
    done
done

ops() { sed -n 's/.*ops_per_s=\([0-9]*\).*/\1/p' <<< "${result[$1,$2]:-}"; }
printf '%-10s %8s %18s %10s %10s %12s %12s\n' server threads ops/s p50_us p99_us vs_floor vs_lxcfs
for threads in 1 8; do
    for name in "${order[@]}"; do
        [ -n "${result[$name,$threads]:-}" ] || continue
        line=${result[$name,$threads]}
        o=$(ops "$name" "$threads"); f=$(ops fusefloor "$threads"); l=$(ops lxcfs "$threads")
        printf '%-10s %8s %18s %10s %10s %12s %12s\n' "$name" "$threads" "$o" \
            "$(sed -n 's/.*p50_us=\([0-9]*\).*/\1/p' <<< "$line")" "$(sed -n 's/.*p99_us=\([0-9]*\).*/\1/p' <<< "$line")" \
            "$( [ -n "$f" ] && awk -v a="$o" -v b="$f" 'BEGIN { printf "%.2f", a / b }' || echo -)" \
            "$( [ -n "$l" ] && awk -v a="$o" -v b="$l" 'BEGIN { printf "%.2f", a / b }' || echo -)"
    done
done
