#!/usr/bin/env bash
# Side-by-side read benchmark, in one run: the kernel's /proc, the zero-work FUSE server bench/src/main/c/floor.c
# (2 threads of proclens' loop shape, copies of the host's files), proclens and LXCFS 5, each read by
# bench/src/main/c/readbench.c with 1 and 8 threads from inside a cgroup limited to 256 MiB like a container's.
# Prints per run ops/s, MB/s and latency percentiles; the ratios proclens / floor and proclens / LXCFS of
# ops/s and p99; per server under 8 readers the daemon's CPU time per read and, at the end, its RSS; proclens'
# time from launch to the first served read of proc/meminfo, without and with the JDK's AOT cache. Writes all of
# it as JSON to $SUMMARY (default bench/target/bench-summary.json).
#   scripts/bench.sh [SECONDS per run, default 5] [proclens mount options, e.g. --cache-ttl 0]
#   FILES="meminfo stat"   the files (default: meminfo cpuinfo stat uptime loadavg)
#   MODE=pread             readbench's pread mode (open once, pread to EOF) instead of reopen (open, read, close)
#   STARTS=5               launches of proclens timed per variant (default 3)
#   FIO=1                  also fio (psync, 8 jobs) on each server's meminfo
#   URING=1                also FUSE over io_uring: proclens-uring (mount --single-process --transport io-uring) and
#                          floor-uring (bench/src/main/c/floor-uring.c -m uring); enable_uring is set for their mounts
#                          only and put back (needs Linux 6.14+ with CONFIG_FUSE_IO_URING)
# Machines here are shared and noisy: compare the ratios of one run, never numbers across runs.
# Exit status 1 when any read failed (readbench or fio reported errors).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
seconds=${1:-5}
shift || true
mode=${MODE:-reopen}
starts=${STARTS:-3}
apt_install gcc fuse3 libfuse3-dev lxcfs pkg-config jq
[ "${FIO:-0}" = 1 ] && apt_install fio
uring_param=/sys/module/fuse/parameters/enable_uring
if [ "${URING:-0}" = 1 ]; then
    [ -w "$uring_param" ] || { echo "bench: URING=1, but this kernel has no FUSE over io_uring ($uring_param)" >&2; exit 1; }
    apt_install liburing-dev
    uring_before=$(cat "$uring_param")
fi
cd "$PROCLENS_ROOT"
[ -f daemon/target/proclens.jar ] || scripts/build.sh >/dev/null
summary=${SUMMARY:-$PROCLENS_ROOT/bench/target/bench-summary.json}
mkdir -p "$(dirname "$summary")"

work=$(mktemp -d /tmp/proclens-bench.XXXXXX)
pids=()
cgroup_dirs=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for dir in "$work"/mnt-*; do umount -l "$dir" 2>/dev/null || true; done
    for d in "${cgroup_dirs[@]}"; do rmdir "$d" 2>/dev/null || true; done
    [ -n "${uring_before:-}" ] && echo "$uring_before" > "$uring_param"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -pthread -o "$work/readbench" bench/src/main/c/readbench.c -lm
wait_for_mount() { # DIR FSTYPE
    for _ in $(seq 300); do
        grep -q " $1 .* - $2 " /proc/self/mountinfo && return 0
        sleep 0.05
    done
    echo "bench: $2 did not mount at $1" >&2
    return 1
}

bench_files=${FILES:-meminfo cpuinfo stat uptime loadavg}
declare -A files daemon
files[kernel]=/proc

mkdir -p "$work/mnt-proclens"
scripts/proclens mount --foreground "$work/mnt-proclens" "$@" > "$work/proclens.log" 2>&1 &
pids+=($!); daemon[proclens]=$!; disown
wait_for_mount "$work/mnt-proclens" fuse.proclens
files[proclens]=$work/mnt-proclens/proc

mkdir -p "$work/mnt-lxcfs"
lxcfs -f -p "$work/lxcfs.pid" "$work/mnt-lxcfs" > "$work/lxcfs.log" 2>&1 &
pids+=($!); daemon[lxcfs]=$!; disown
wait_for_mount "$work/mnt-lxcfs" fuse.lxcfs
files[lxcfs]=$work/mnt-lxcfs/proc

gcc -O2 -Wall -pthread -o "$work/floor" bench/src/main/c/floor.c $(pkg-config --cflags --libs fuse3)
mkdir -p "$work/mnt-floor"
"$work/floor" -n 2 "$work/mnt-floor" > "$work/floor.log" 2>&1 &
pids+=($!); daemon[floor]=$!; disown # no "Terminated" notice at the end
wait_for_mount "$work/mnt-floor" fuse.floor
files[floor]=$work/mnt-floor/proc

if [ "${URING:-0}" = 1 ]; then
    echo Y > "$uring_param" # offered in the INIT of new connections only: the mounts above stay on /dev/fuse
    gcc -O2 -Wall -pthread -o "$work/floor-uring" bench/src/main/c/floor-uring.c -luring
    mkdir -p "$work/mnt-floor-uring" "$work/mnt-proclens-uring"
    "$work/floor-uring" -m uring "$work/mnt-floor-uring" > "$work/floor-uring.log" 2>&1 &
    pids+=($!); daemon[floor-uring]=$!; disown
    for _ in $(seq 300); do [ -e "$work/mnt-floor-uring/proc/meminfo" ] && break; sleep 0.05; done
    files[floor-uring]=$work/mnt-floor-uring/proc
    scripts/proclens mount --foreground --single-process --transport io-uring "$work/mnt-proclens-uring" "$@" \
        > "$work/proclens-uring.log" 2>&1 &
    pids+=($!); daemon[proclens-uring]=$!; disown
    wait_for_mount "$work/mnt-proclens-uring" fuse.proclens
    files[proclens-uring]=$work/mnt-proclens-uring/proc
    for _ in $(seq 300); do grep -q "info: serving" "$work/proclens-uring.log" && break; sleep 0.05; done
    echo "$uring_before" > "$uring_param"
    grep -q "over io_uring" "$work/proclens-uring.log" || { echo "bench: proclens-uring is not on io_uring: $(cat "$work/proclens-uring.log")" >&2; exit 1; }
fi

# The readers run in a cgroup of their own, as a container's processes would.
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

tree() { # PID and its descendants: proclens is a holder of /dev/fuse and a worker that serves
    echo "$1"
    local child
    for child in $(pgrep -P "$1"); do tree "$child"; done
}
cpu_ticks() { # utime + stime, all threads of the whole process tree
    local pid sum=0
    for pid in $(tree "$1"); do sum=$((sum + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'))); done
    echo "$sum"
}
pss_kib() { # PID: proportional set size summed over the process tree (shared pages split between the processes)
    local pid sum=0
    for pid in $(tree "$1"); do sum=$((sum + $(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0))); done
    echo "$sum"
}
pss_peak() { # PID FILE: samples pss_kib every 0.5 s until killed, keeps the largest in FILE
    local peak=0 now
    while kill -0 "$1" 2>/dev/null; do
        now=$(pss_kib "$1"); [ "$now" -gt "$peak" ] && { peak=$now; echo "$peak" > "$2"; }
        sleep 0.5
    done
}
status_kib() { # FIELD PID: summed over the process tree
    local pid sum=0
    for pid in $(tree "$2"); do sum=$((sum + $(awk -v f="$1:" '$1 == f { print $2 }' "/proc/$pid/status"))); done
    echo "$sum"
}
ticks_per_s=$(getconf CLK_TCK)
path_of() { # SERVER FILE
    echo "${files[$1]}/$2"
}
order=(kernel floor floor-uring proclens proclens-uring lxcfs)
servers=()
for name in "${order[@]}"; do [ -n "${files[$name]:-}" ] && servers+=("$name"); done
failed=0
declare -A pss_idle
sleep 1 # the daemons settle after their mount
for name in "${servers[@]}"; do [ -n "${daemon[$name]:-}" ] && pss_idle[$name]=$(pss_kib "${daemon[$name]}"); done

# Warm-up, not recorded: the JIT compiles proclens' read path, every server's caches fill.
for name in "${servers[@]}"; do
    warm=()
    for file in $bench_files; do warm+=("$(path_of "$name" "$file")"); done
    in_cgroup "$work/readbench" -m "$mode" -t 8 -d 2 "${warm[@]}" > /dev/null || failed=1
done

: > "$work/runs.jsonl"
for file in $bench_files; do
    for threads in 1 8; do
        for name in "${servers[@]}"; do
            out=$work/run.json
            before=
            sampler=
            if [ "$threads" = 8 ] && [ -n "${daemon[$name]:-}" ]; then
                before=$(cpu_ticks "${daemon[$name]}")
                pss_peak "${daemon[$name]}" "$work/pss-$name-$file" & sampler=$!
            fi
            rc=0
            in_cgroup "$work/readbench" -m "$mode" -t "$threads" -d "$seconds" -l "$name" -o "$out" \
                "$(path_of "$name" "$file")" > /dev/null || rc=$?
            [ -n "$sampler" ] && { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; }
            [ "$rc" = 0 ] || { failed=1; echo "bench: readbench exited $rc on $name $file $threads: $(jq -r .first_error "$out" 2>/dev/null)" >&2; }
            cpu=null
            if [ -n "$before" ]; then
                cpu=$(awk -v t="$(( $(cpu_ticks "${daemon[$name]}") - before ))" -v hz="$ticks_per_s" \
                    -v ops="$(jq .ops "$out")" 'BEGIN { printf "%.2f", ops ? t * 1e6 / hz / ops : 0 }')
            fi
            jq -c --arg file "$file" --arg server "$name" --argjson threads "$threads" --argjson cpu "$cpu" \
                '{file: $file, server: $server, threads: $threads, daemon_cpu_us_per_read: $cpu, result: .}' \
                "$out" >> "$work/runs.jsonl"
        done
    done
done

: > "$work/daemons.jsonl"
for name in "${servers[@]}"; do
    pid=${daemon[$name]:-}
    [ -n "$pid" ] || continue
    peak=$(cat "$work"/pss-"$name"-* 2>/dev/null | sort -n | tail -1)
    jq -cn --arg server "$name" --argjson pid "$pid" \
        --argjson rss "$(status_kib VmRSS "$pid")" --argjson hwm "$(status_kib VmHWM "$pid")" \
        --argjson processes "$(tree "$pid" | wc -l)" --argjson pss_idle "${pss_idle[$name]}" \
        --argjson pss_peak "${peak:-null}" \
        '{server: $server, pid: $pid, processes: $processes, vm_rss_kib: $rss, vm_hwm_kib: $hwm,
          pss_idle_kib: $pss_idle, pss_peak_8_readers_kib: $pss_peak}' >> "$work/daemons.jsonl"
done

: > "$work/fio.jsonl"
if [ "${FIO:-0}" = 1 ]; then
    # fio keeps its files open and preads (no reopen); these files report size 0 (the kernel), a page (proclens, the floor)
    # or their length (LXCFS): --size and --bs within the content, --create_on_open=1 so fio does not
    # try to lay out (extend) a size-0 file.
    for name in "${servers[@]}"; do
        rc=0
        in_cgroup fio --name="$name" --filename="$(path_of "$name" meminfo)" --readonly --rw=read --ioengine=psync \
            --bs=1k --size=1k --create_on_open=1 --invalidate=0 --thread --numjobs=8 --group_reporting \
            --time_based --runtime="$seconds" --output-format=json > "$work/fio.json" 2> "$work/fio.err" || rc=$?
        if [ "$rc" != 0 ] || [ "$(jq '.jobs[0].error' "$work/fio.json" 2>/dev/null || echo 1)" != 0 ]; then
            failed=1
            echo "bench: fio failed on $name: $(cat "$work/fio.err")" >&2
        fi
        jq -c --arg server "$name" '{server: $server, error: .jobs[0].error, iops: .jobs[0].read.iops,
            clat_us: (.jobs[0].read.clat_ns.percentile | {p50: (.["50.000000"] / 1000), p99: (.["99.000000"] / 1000),
            "p99.9": (.["99.900000"] / 1000)})}' "$work/fio.json" >> "$work/fio.jsonl" || failed=1
    done
fi

# proclens from launch to the first read of proc/meminfo that succeeds, without and with the AOT cache,
# interleaved. The mount above stays up; these are mounts of their own.
: > "$work/starts.jsonl"
aot_cache=daemon/target/proclens.aot
variants=(0)
if [ -f "$aot_cache.stamp" ] && [ "$(cat "$aot_cache.stamp")" = "$(aot_key daemon/target/proclens.jar)" ]; then
    variants+=("$PROCLENS_ROOT/$aot_cache")
else
    echo "bench: no AOT cache matching the jar (scripts/build.sh makes one): timing the launch without it only" >&2
fi
for i in $(seq "$starts"); do
    for variant in "${variants[@]}"; do
        dir=$work/mnt-start-$i-${#variant}
        mkdir -p "$dir"
        begin=$(date +%s%N)
        PROCLENS_AOT=$variant scripts/proclens mount --foreground "$dir" > "$work/start.log" 2>&1 &
        pid=$!; pids+=($pid)
        ms=null
        for _ in $(seq 6000); do
            if head -c1 "$dir/proc/meminfo" > /dev/null 2>&1; then ms=$(( ($(date +%s%N) - begin) / 1000000 )); break; fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.005
        done
        [ "$ms" = null ] && { failed=1; echo "bench: proclens did not serve $dir/proc/meminfo: $(tail -3 "$work/start.log")" >&2; }
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        umount -l "$dir" 2>/dev/null || true
        jq -cn --argjson aot "$( [ "$variant" = 0 ] && echo false || echo true)" --argjson ms "$ms" \
            '{aot_cache: $aot, ms: $ms}' >> "$work/starts.jsonl"
    done
done

jq -n --arg date "$(date -Is)" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" --argjson seconds "$seconds" \
    --arg mode "$mode" --arg options "$*" --arg java "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" \
    --slurpfile runs "$work/runs.jsonl" --slurpfile daemons "$work/daemons.jsonl" \
    --slurpfile fio "$work/fio.jsonl" --slurpfile starts "$work/starts.jsonl" '
    def get($f; $s; $t): first($runs[] | select(.file == $f and .server == $s and .threads == $t) | .result) // null;
    def ratio(a; b): if a == null or b == null or b == 0 then null else (a / b * 100 | round / 100) end;
    def median: sort | if length == 0 then null else .[length / 2 | floor] end;
    {date: $date, machine: {kernel: $kernel, cpus: $cpus, java: $java}, seconds_per_run: $seconds,
     readbench_mode: $mode, proclens_options: $options, readers_cgroup_memory_limit_mib: 256,
     runs: $runs,
     ratios: [$runs | reduce (.[] | {file, threads}) as $k ([]; if index([$k]) then . else . + [$k] end) | .[] as $k
              | get($k.file; "proclens"; $k.threads) as $p | get($k.file; "floor"; $k.threads) as $f
              | get($k.file; "lxcfs"; $k.threads) as $l
              | get($k.file; "proclens-uring"; $k.threads) as $pu | get($k.file; "floor-uring"; $k.threads) as $fu
              | {file: $k.file, threads: $k.threads,
                 ops_proclens_uring_vs_floor: ratio($pu.ops_per_s; $f.ops_per_s),
                 ops_proclens_uring_vs_floor_uring: ratio($pu.ops_per_s; $fu.ops_per_s),
                 ops_proclens_uring_vs_proclens: ratio($pu.ops_per_s; $p.ops_per_s),
                 p99_proclens_uring_vs_floor: ratio($pu.latency_us.p99; $f.latency_us.p99),
                 ops_proclens_vs_floor: ratio($p.ops_per_s; $f.ops_per_s),
                 ops_proclens_vs_lxcfs: ratio($p.ops_per_s; $l.ops_per_s),
                 p99_proclens_vs_floor: ratio($p.latency_us.p99; $f.latency_us.p99),
                 p99_proclens_vs_lxcfs: ratio($p.latency_us.p99; $l.latency_us.p99)}],
     daemons: $daemons, fio: $fio,
     proclens_start_to_first_read_ms: {
         runs: $starts,
         median_without_aot: ([$starts[] | select(.aot_cache | not) | .ms | numbers] | median),
         median_with_aot: ([$starts[] | select(.aot_cache) | .ms | numbers] | median)}}' > "$summary"

# The tables, from the summary.
echo "readbench $mode, $seconds s per run, readers in a 256 MiB cgroup; latency of one op in us"
{
    echo "file readers server ops/s MB/s p50 p99 p99.9 max errors daemon_cpu_us/read"
    jq -r '.runs[] | [.file, .threads, .server, (.result.ops_per_s | round), (.result.mb_per_s * 100 | round / 100),
        .result.latency_us.p50, .result.latency_us.p99, .result.latency_us["p99.9"], .result.latency_us.max,
        .result.errors, (.daemon_cpu_us_per_read // "-")] | map(tostring) | join(" ")' "$summary" |
        awk '{ for (i = 6; i <= 9; i++) $i = sprintf("%.1f", $i); print }'
} | column -t
echo
echo "proclens / floor and proclens / LXCFS (ops/s: higher is better for proclens; p99: lower is)"
{
    echo "file readers ops_vs_floor ops_vs_lxcfs p99_vs_floor p99_vs_lxcfs"
    jq -r '.ratios[] | [.file, .threads, .ops_proclens_vs_floor, .ops_proclens_vs_lxcfs,
        .p99_proclens_vs_floor, .p99_proclens_vs_lxcfs] | map(. // "-" | tostring) | join(" ")' "$summary"
} | column -t
if [ "${URING:-0}" = 1 ]; then
    echo
    echo "FUSE over io_uring: proclens-uring / floor (classic), / floor-uring, / proclens (ops/s); p99 / floor"
    {
        echo "file readers ops_vs_floor ops_vs_floor_uring ops_vs_proclens p99_vs_floor"
        jq -r '.ratios[] | [.file, .threads, .ops_proclens_uring_vs_floor, .ops_proclens_uring_vs_floor_uring,
            .ops_proclens_uring_vs_proclens, .p99_proclens_uring_vs_floor] | map(. // "-" | tostring) | join(" ")' "$summary"
    } | column -t
fi
echo
echo "daemons: CPU time per read under 8 readers (utime+stime of the daemon's processes / reads); PSS idle (after the mount) and its peak under 8 readers (sampled every 0.5 s); RSS at the end; each summed over the daemon's processes (proclens is a holder and a worker)"
{
    echo "server $(for f in $bench_files; do printf 'cpu_us/%s ' "$f"; done)processes PSS_idle_MiB PSS_peak_MiB VmRSS_MiB VmHWM_MiB"
    jq -r --arg files "$bench_files" '. as $s | .daemons[] | .server as $n |
        [$n] + [($files | split(" ")[] | select(. != "")) as $f
                | first($s.runs[] | select(.server == $n and .file == $f and .threads == 8) | .daemon_cpu_us_per_read)
                  // "-"]
        + [.processes, (.pss_idle_kib / 1024 * 10 | round / 10),
           (if .pss_peak_8_readers_kib then .pss_peak_8_readers_kib / 1024 * 10 | round / 10 else "-" end),
           (.vm_rss_kib / 1024 * 10 | round / 10), (.vm_hwm_kib / 1024 * 10 | round / 10)]
        | map(tostring) | join(" ")' "$summary"
} | column -t
if [ "${FIO:-0}" = 1 ]; then
    echo
    echo "fio on meminfo: psync, bs=1k, size=1k, 8 jobs (the file stays open: pread, no reopen)"
    {
        echo "server iops clat_p50_us clat_p99_us clat_p99.9_us error"
        jq -r '.fio[] | [.server, (.iops | round), .clat_us.p50, .clat_us.p99, .clat_us["p99.9"], .error]
            | map(tostring) | join(" ")' "$summary"
    } | column -t
fi
echo
jq -r '.proclens_start_to_first_read_ms | "proclens launch to first served read of proc/meminfo, ms: without AOT cache "
    + ([.runs[] | select(.aot_cache | not) | .ms | tostring] | join(" ")) + " (median \(.median_without_aot // "-"))"
    + (if .median_with_aot then "; with AOT cache " + ([.runs[] | select(.aot_cache) | .ms | tostring] | join(" "))
       + " (median \(.median_with_aot))" else "" end)' "$summary"
echo "summary: $summary"
exit "$failed"
