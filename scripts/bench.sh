#!/usr/bin/env bash
# Side-by-side read benchmark, in one run: the kernel's /proc, proclens, LXCFS 5 and the zero-work FUSE server
# (../shared/tools/fusefloor, when present; it serves meminfo only and is the floor for every file), each read by
# bench/src/main/c/reopen.c (open, read to EOF, close, in a loop) with 1 and 8 threads, from inside a cgroup
# limited to 256 MiB like a container's. Prints ops/s, p50/p99 and the ratios.
#   scripts/bench.sh [SECONDS per run, default 5] [proclens mount options, e.g. --cache-ttl 0]
#   FILES="meminfo stat" scripts/bench.sh       (default: meminfo cpuinfo stat uptime loadavg)
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
    for d in /sys/fs/cgroup/memory/proclens-bench-$$ /sys/fs/cgroup/proclens-bench-$$; do rmdir "$d" 2>/dev/null || true; done
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

bench_files=${FILES:-meminfo cpuinfo stat uptime loadavg}
declare -A files
files[kernel]=/proc

mkdir -p "$work/mnt-proclens"
scripts/proclens mount --foreground "$work/mnt-proclens" "$@" > "$work/proclens.log" 2>&1 &
pids+=($!); disown
wait_for_mount "$work/mnt-proclens" fuse.proclens
files[proclens]=$work/mnt-proclens/proc

if command -v lxcfs >/dev/null; then
    mkdir -p "$work/mnt-lxcfs"
    lxcfs -f -p "$work/lxcfs.pid" "$work/mnt-lxcfs" > "$work/lxcfs.log" 2>&1 &
    pids+=($!); disown
    wait_for_mount "$work/mnt-lxcfs" fuse.lxcfs
    files[lxcfs]=$work/mnt-lxcfs/proc
fi

floor_src=$PROCLENS_ROOT/../shared/tools/fusefloor/fusefloor.c
if [ -f "$floor_src" ]; then
    gcc -O2 -pthread -o "$work/fusefloor" "$floor_src" $(pkg-config --cflags --libs fuse3)
    mkdir -p "$work/mnt-floor"
    "$work/fusefloor" -n 2 "$work/mnt-floor" > "$work/floor.log" 2>&1 &
    pids+=($!); disown
    wait_for_mount "$work/mnt-floor" "fuse[^ ]*"
    files[fusefloor]=$work/mnt-floor/proc
fi

# The readers run in a cgroup of their own, as a container's processes would.
cgroup_dirs=()
if [ -d /sys/fs/cgroup/memory ]; then
    mkdir -p "/sys/fs/cgroup/memory/proclens-bench-$$" && cgroup_dirs+=("/sys/fs/cgroup/memory/proclens-bench-$$")
    echo $((256 << 20)) > "/sys/fs/cgroup/memory/proclens-bench-$$/memory.limit_in_bytes"
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p "/sys/fs/cgroup/proclens-bench-$$" && cgroup_dirs+=("/sys/fs/cgroup/proclens-bench-$$")
    echo $((256 << 20)) > "/sys/fs/cgroup/proclens-bench-$$/memory.max" 2>/dev/null || true
fi
in_cgroup() {
    sh -c 'for d in "$@"; do [ "$d" = -- ] && break; echo $$ > "$d/cgroup.procs"; done; while [ "$1" != -- ]; do shift; done; shift; exec "$@"' \
        sh "${cgroup_dirs[@]}" -- "$@"
}
remove_cgroups() { for d in "${cgroup_dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done; }

declare -A result
order=(kernel fusefloor proclens lxcfs)
for file in $bench_files; do
    for threads in 1 8; do
        for name in "${order[@]}"; do
            [ -n "${files[$name]:-}" ] || continue
            path=${files[$name]}/$file
            [ "$name" = fusefloor ] && path=${files[$name]}/meminfo
            result[$file,$name,$threads]=$(in_cgroup "$work/reopen" "$path" "$threads" "$seconds")
        done
    done
done
remove_cgroups

ops() { sed -n 's/.*ops_per_s=\([0-9]*\).*/\1/p' <<< "${result[$1,$2,$3]:-}"; }
field() { sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p" <<< "$2"; }
printf '%-9s %-10s %7s %10s %8s %8s %9s %9s\n' file server threads ops/s p50_us p99_us vs_floor vs_lxcfs
for file in $bench_files; do
    for threads in 1 8; do
        for name in "${order[@]}"; do
            line=${result[$file,$name,$threads]:-}
            [ -n "$line" ] || continue
            o=$(ops "$file" "$name" "$threads"); f=$(ops "$file" fusefloor "$threads"); l=$(ops "$file" lxcfs "$threads")
            printf '%-9s %-10s %7s %10s %8s %8s %9s %9s\n' "$file" "$name" "$threads" "$o" \
                "$(field p50_us "$line")" "$(field p99_us "$line")" \
                "$( [ -n "$f" ] && awk -v a="$o" -v b="$f" 'BEGIN { printf "%.2f", a / b }' || echo -)" \
                "$( [ -n "$l" ] && awk -v a="$o" -v b="$l" 'BEGIN { printf "%.2f", a / b }' || echo -)"
        done
    done
done
