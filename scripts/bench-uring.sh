#!/usr/bin/env bash
# The io_uring spike of issue 16: does FUSE over io_uring make the floor faster? In one run, interleaved, the
# zero-work floor three ways, each read by bench/src/main/c/readbench.c:
#   classic  bench/src/main/c/floor.c: libfuse 3.14, 2 threads reading /dev/fuse (what scripts/bench.sh runs)
#   dev      bench/src/main/c/floor-uring.c -m dev: no libfuse, 2 threads read(2)/write(2) on /dev/fuse (the control)
#   uring    bench/src/main/c/floor-uring.c -m uring: FUSE over io_uring, a queue per possible CPU, its thread pinned
# per run ops/s, latency p50/p99, the server's CPU time per op (utime+stime of all its threads) and the whole
# machine's (busy ticks of /proc/stat, readers and kernel included; other load on the machine counts too).
# Then what readers see when the server is SIGKILLed under 8 readers: io_uring alone, io_uring with a holder
# keeping /dev/fuse (as proclens' holder does) that takes over, and read/write with a holder that takes over
# and sends FUSE_NOTIFY_RESEND.
#   scripts/bench-uring.sh [SECONDS per run, default 3]
#   ROUNDS=2            rounds, each server's order reversed every other round (default 2)
#   FILES="meminfo"     files (default: meminfo stat cpuinfo)
#   MODES="reopen"      readbench modes (default: reopen pread)
#   URING_FLAGS=-D      extra options of the io_uring server (-D: SINGLE_ISSUER|DEFER_TASKRUN; -e N entries/queue)
#   KILL=0              skip the kill test
# Needs root and a kernel with CONFIG_FUSE_IO_URING; sets /sys/module/fuse/parameters/enable_uring to 1 for the run
# and back to what it was at the end. Summary JSON: $SUMMARY (default bench/target/bench-uring-summary.json).
# Machines here are shared and noisy: compare the ratios of one run, never numbers across runs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds=${1:-3}
rounds=${ROUNDS:-2}
bench_files=${FILES:-meminfo stat cpuinfo}
modes=${MODES:-reopen pread}
uring_flags=${URING_FLAGS:-}
param=/sys/module/fuse/parameters/enable_uring
[ "$(id -u)" = 0 ] || { echo "bench-uring: needs root (mount(2), $param)" >&2; exit 1; }
[ -w "$param" ] || { echo "bench-uring: no $param: this kernel has no FUSE over io_uring" >&2; exit 1; }
apt_install gcc fuse3 libfuse3-dev liburing-dev pkg-config jq
cd "$PROCLENS_ROOT"
summary=${SUMMARY:-$PROCLENS_ROOT/bench/target/bench-uring-summary.json}
mkdir -p "$(dirname "$summary")"

original=$(cat "$param")
work=$(mktemp -d /tmp/proclens-bench-uring.XXXXXX)
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do pkill -TERM -P "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    for dir in "$work"/mnt-*; do umount -l "$dir" 2>/dev/null || true; done
    echo "$original" > "$param"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo 1 > "$param"

gcc -O2 -Wall -pthread -o "$work/readbench" bench/src/main/c/readbench.c -lm
gcc -O2 -Wall -pthread -o "$work/floor" bench/src/main/c/floor.c $(pkg-config --cflags --libs fuse3)
gcc -O2 -Wall -pthread -o "$work/floor-uring" bench/src/main/c/floor-uring.c -luring
wait_for_mount() { # DIR
    for _ in $(seq 300); do
        grep -q " $1 " /proc/self/mountinfo && [ -e "$1/proc/meminfo" ] && return 0
        sleep 0.05
    done
    echo "bench-uring: nothing mounted at $1: $(cat "$work"/*.log)" >&2
    return 1
}
declare -A daemon
start_server() { # NAME COMMAND...: mounts at $work/mnt-NAME
    local name=$1; shift
    mkdir -p "$work/mnt-$name"
    "$@" "$work/mnt-$name" > "$work/$name.log" 2>&1 &
    daemon[$name]=$!; pids+=($!); disown
    wait_for_mount "$work/mnt-$name"
}
start_server classic "$work/floor" -n 2
start_server dev "$work/floor-uring" -m dev -n 2
# shellcheck disable=SC2086 # options, split on purpose
start_server uring "$work/floor-uring" -m uring $uring_flags
servers=(classic dev uring)

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; } # utime + stime, all threads
machine_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; } # user nice system irq softirq steal
ticks_per_s=$(getconf CLK_TCK)
failed=0

for name in "${servers[@]}"; do # warm-up, not recorded
    for file in $bench_files; do
        "$work/readbench" -t 8 -d 1 "$work/mnt-$name/proc/$file" > /dev/null || failed=1
    done
done

: > "$work/runs.jsonl"
for round in $(seq "$rounds"); do
    order=("${servers[@]}")
    [ $((round % 2)) = 0 ] && order=(uring dev classic)
    for file in $bench_files; do
        for mode in $modes; do
            for threads in 1 8; do
                for name in "${order[@]}"; do
                    out=$work/run.json
                    server_before=$(cpu_ticks "${daemon[$name]}")
                    machine_before=$(machine_busy)
                    rc=0
                    "$work/readbench" -m "$mode" -t "$threads" -d "$seconds" -l "$name" -o "$out" \
                        "$work/mnt-$name/proc/$file" > /dev/null || rc=$?
                    [ "$rc" = 0 ] || { failed=1; echo "bench-uring: readbench exited $rc on $name $file: $(jq -r .first_error "$out")" >&2; }
                    jq -c --arg server "$name" --arg file "$file" --argjson round "$round" \
                        --argjson server_ticks "$(( $(cpu_ticks "${daemon[$name]}") - server_before ))" \
                        --argjson machine_ticks "$(( $(machine_busy) - machine_before ))" --argjson hz "$ticks_per_s" \
                        '{round: $round, file: $file, mode, threads, server: $server, ops_per_s, errors,
                          p50_us: .latency_us.p50, p99_us: .latency_us.p99,
                          server_cpu_us_per_op: (if .ops > 0 then $server_ticks * 1e6 / $hz / .ops else null end),
                          machine_cpu_us_per_op: (if .ops > 0 then $machine_ticks * 1e6 / $hz / .ops else null end)}' \
                        "$out" >> "$work/runs.jsonl"
                done
            done
        done
    done
done

# Stopping each server prints how many requests it served through the ring and through read(2) of /dev/fuse.
transports=()
for name in "${servers[@]}"; do
    [ "$name" = classic ] && continue
    kill "${daemon[$name]}"
    for _ in $(seq 60); do kill -0 "${daemon[$name]}" 2>/dev/null || break; sleep 0.1; done
    transports+=("$name: $(grep -o 'served.*' "$work/$name.log" || echo 'no report')")
done

# What readers see when the server is SIGKILLed under 8 readers (reopen, meminfo).
: > "$work/kill.jsonl"
kill_test() { # LABEL FLOOR-URING OPTIONS...
    local label=$1; shift
    local dir=$work/mnt-kill-$label
    mkdir -p "$dir"
    "$work/floor-uring" "$@" "$dir" > "$work/kill-$label.log" 2>&1 &
    local server=$!; pids+=($server); disown
    wait_for_mount "$dir"
    local holder; holder=$(pgrep -P "$server" || true)
    [ -n "$holder" ] && pids+=("$holder")
    rm -f "$work/kill.json"
    "$work/readbench" -t 8 -d 6 -o "$work/kill.json" "$dir/proc/meminfo" > /dev/null 2>&1 &
    local readers=$!
    sleep 2
    kill -9 "$server"
    for _ in $(seq 120); do kill -0 "$readers" 2>/dev/null || break; sleep 0.1; done # 6 s of run, 6 s of grace
    local stuck=0 state=finished served_after=null
    if kill -0 "$readers" 2>/dev/null; then
        # Threads in D state waiting for their FUSE request: not even SIGKILL frees them, only the end of the connection.
        stuck=$(grep -l request_wait_answer /proc/"$readers"/task/*/wchan 2>/dev/null | wc -l)
        state="hung: $stuck of 8 reader threads in D state (request_wait_answer) 6 s after the end of the run"
        [ -n "$holder" ] && served_after=$( (timeout 5 head -c 16 "$dir/proc/uptime" > /dev/null 2>&1 && echo true) || echo false)
    fi
    [ -n "$holder" ] && kill "$holder" 2>/dev/null # its /dev/fuse was the last: closing it ends the connection
    umount -l "$dir" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$readers" 2>/dev/null || break; sleep 0.1; done
    wait "$readers" 2>/dev/null || true
    for _ in $(seq 30); do [ -z "$holder" ] || ! kill -0 "$holder" 2>/dev/null && break; sleep 0.1; done
    jq -cn --arg scenario "$label" --arg state "$state" --argjson stuck "$stuck" --argjson new_reads_served "$served_after" \
        --arg log "$(grep -v '^floor-uring: INIT' "$work/kill-$label.log" | tr '\n' ' ')" \
        --slurpfile r <(cat "$work/kill.json" 2>/dev/null || echo '{}') \
        '{scenario: $scenario, readers: $state, stuck_threads: $stuck, new_reads_served_while_stuck: $new_reads_served,
          ops: $r[0].ops, errors: $r[0].errors, first_error: $r[0].first_error, max_latency_us: $r[0].latency_us.max,
          server_log: $log}' >> "$work/kill.jsonl"
}
if [ "${KILL:-1}" = 1 ]; then
    # shellcheck disable=SC2086
    kill_test uring-alone -m uring $uring_flags
    # shellcheck disable=SC2086
    kill_test uring-holder -m uring -H $uring_flags
    kill_test dev-holder -m dev -n 2 -H
fi

jq -n --arg date "$(date -Is)" --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
    --arg possible "$(cat /sys/devices/system/cpu/possible)" --argjson seconds "$seconds" --argjson rounds "$rounds" \
    --arg uring_flags "$uring_flags" --arg libfuse "$(pkg-config --modversion fuse3)" \
    --arg transports "$(printf '%s\n' "${transports[@]}")" \
    --slurpfile runs "$work/runs.jsonl" --slurpfile kill "$work/kill.jsonl" '
    def mean: if length == 0 then null else add / length end;
    def agg($f; $m; $t; $s): [$runs[] | select(.file == $f and .mode == $m and .threads == $t and .server == $s)]
        | {ops_per_s: (map(.ops_per_s) | mean), p50_us: (map(.p50_us) | mean), p99_us: (map(.p99_us) | mean),
           server_cpu_us_per_op: (map(.server_cpu_us_per_op) | mean),
           machine_cpu_us_per_op: (map(.machine_cpu_us_per_op) | mean)};
    def ratio(a; b): if a == null or b == null or b == 0 then null else (a / b * 100 | round / 100) end;
    {date: $date, machine: {kernel: $kernel, cpus: $cpus, possible_cpus: $possible, libfuse: $libfuse},
     seconds_per_run: $seconds, rounds: $rounds, uring_flags: $uring_flags,
     transports: ($transports | split("\n")), runs: $runs,
     means: [$runs | map({file, mode, threads}) | unique[] as $k
             | agg($k.file; $k.mode; $k.threads; "classic") as $c | agg($k.file; $k.mode; $k.threads; "dev") as $d
             | agg($k.file; $k.mode; $k.threads; "uring") as $u
             | $k + {classic: $c, dev: $d, uring: $u,
                     ops_uring_vs_classic: ratio($u.ops_per_s; $c.ops_per_s), ops_uring_vs_dev: ratio($u.ops_per_s; $d.ops_per_s),
                     p99_uring_vs_classic: ratio($u.p99_us; $c.p99_us),
                     machine_cpu_uring_vs_classic: ratio($u.machine_cpu_us_per_op; $c.machine_cpu_us_per_op)}],
     kill: $kill}' > "$summary"

echo "readbench, $seconds s per run, $rounds rounds interleaved; means over the rounds; latency of one op in us;"
echo "cpu: us of CPU per op, the server's (all threads) and the whole machine's (readers and kernel included)"
{
    echo "file mode readers server ops/s p50 p99 server_cpu machine_cpu"
    jq -r '.means[] as $m | ("classic", "dev", "uring") as $s | $m[$s] as $r
        | [$m.file, $m.mode, $m.threads, $s, ($r.ops_per_s | round), $r.p50_us, $r.p99_us,
           $r.server_cpu_us_per_op, $r.machine_cpu_us_per_op]
        | map(if type == "number" and (. | floor) != . then (. * 10 | round / 10) else . end | tostring) | join(" ")' "$summary"
} | column -t
echo
echo "uring / classic and uring / dev (ops/s: higher is better for io_uring; p99 and CPU per op: lower is)"
{
    echo "file mode readers ops_vs_classic ops_vs_dev p99_vs_classic machine_cpu_vs_classic"
    jq -r '.means[] | [.file, .mode, .threads, .ops_uring_vs_classic, .ops_uring_vs_dev, .p99_uring_vs_classic,
        .machine_cpu_uring_vs_classic] | map(. // "-" | tostring) | join(" ")' "$summary"
} | column -t
echo
printf '%s\n' "${transports[@]}"
if [ "${KILL:-1}" = 1 ]; then
    echo
    echo "SIGKILL of the server under 8 readers (reopen meminfo, 6 s run, killed at 2 s):"
    jq -r '.kill[] | "  \(.scenario): readers \(.readers); ops \(.ops // "-"), errors \(.errors // "-"), first error: \(.first_error // "none"), max latency \(.max_latency_us // "-") us\(if .new_reads_served_while_stuck == null then "" else "; new reads served meanwhile: \(.new_reads_served_while_stuck)" end)\n    server: \(.server_log)"' "$summary"
fi
echo "summary: $summary"
exit "$failed"
