#!/usr/bin/env bash
# Soak test: minutes in CI, hours by hand. Mounts proclens through the launcher on a temporary mountpoint, then runs a
# mixed load in rounds of INTERVAL seconds until SECONDS are over:
#   - readbench (bench/src/main/c/readbench.c) over every served file: reopen style (open, read, close; 2 threads)
#     in cgroup A (256 MiB, one CPU) and pread style (open once, pread; 1 thread) in cgroup B (512 MiB, a CFS quota
#     of one CPU); it counts failed opens and reads;
#   - content checkers in A and B: every served file read by a long-lived shell (builtin read) and by fresh cat
#     processes; MemTotal, the online CPUs, cpuinfo's processors and stat's cpuN lines must be the cgroup's, every
#     time (a wrong answer is counted, the first one kept);
#   - cgroup churn: a cgroup made beside A and B with a memory limit, a reader moved in (meminfo, stat, loadavg,
#     online, MemTotal checked), the cgroup removed; again and again;
#   - readers in fresh pid namespaces (unshare --pid --fork) in A: uptime must be the namespace's (seconds), MemTotal A's.
# After each round, with no reader left (a quiet point), it samples the holder and the worker: RSS, open descriptors,
# threads; and from the worker (`proclens stats --gc`): heap after a full GC, metaspace, open handles, snapshot cache
# entries, caller resolutions, stat floors, cgroups with load averages, host fallbacks. One table row per round.
#
# It fails (exit 1), saying what and from what to what, when after the warm-up
#   - a memory measure grows: the mean of the last third of the rows against the first third, beyond a tolerance;
#   - descriptors or threads at a quiet point differ from the first quiet point after the warm-up, or a handle is open;
#   - a cache holds more entries than the cgroups and namespaces read in its lifetime can explain;
# and at any time when a read fails, an answer is wrong, or the holder or the worker dies. It cleans up everything it
# started (readers, cgroups, the daemon, the mount, its files), also when interrupted.
#   scripts/soak.sh [SECONDS]     (default: $DURATION, else 300)
#   INTERVAL=10                   seconds of load per round (one row)
#   WARMUP=S                      seconds of rounds before the baseline (default: a fifth of the run, 30 to 120)
#   PROCLENS_OPTS="..."           the daemon's options (default: --enable-loadavg --enable-cfs)
#   SOAK_KEEP=DIR                 copy the daemon's log and the raw samples (samples.tsv) there at the end
#   SOAK_VERDICT=0                collect only: the caller judges samples.tsv (SoakIT does, with SoakVerdict)
# Needs root, /dev/fuse, gcc (installed if missing), unshare, and the built jar (scripts/build.sh).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
source "$here/lib/common.sh"
find_jdk
duration=${1:-${DURATION:-300}}
interval=${INTERVAL:-10}
warmup=${WARMUP:-$(( duration / 5 < 30 ? 30 : duration / 5 > 120 ? 120 : duration / 5 ))}
options=${PROCLENS_OPTS:---enable-loadavg --enable-cfs}
[ "$(id -u)" = 0 ] || { echo "soak: needs root (it mounts FUSE and makes cgroups)" >&2; exit 2; }
[ -e /dev/fuse ] || { echo "soak: needs /dev/fuse" >&2; exit 2; }
apt_install gcc libc6-dev util-linux procps
cd "$PROCLENS_ROOT"
[ -f "${PROCLENS_JAR:-daemon/target/proclens.jar}" ] || { echo "soak: no daemon jar: run scripts/build.sh" >&2; exit 2; }

work=$(mktemp -d /tmp/proclens-soak.XXXXXX)
mnt=$work/mnt
mkdir -p "$mnt" "$work/round"
: > "$work/cgroups"   # every cgroup directory made, in order (background loops append too)
loaders=()            # pids of this round's load processes
holder=
worker=

tree_pids() { # PID and its descendants, children last
    echo "$1"
    local child
    for child in $(pgrep -P "$1" 2>/dev/null); do tree_pids "$child"; done
}
kill_tree() { # PID...: stops them and everything they started
    local pid all=()
    for pid in "$@"; do all+=($(tree_pids "$pid")); done
    [ ${#all[@]} -gt 0 ] && kill -9 "${all[@]}" 2>/dev/null
    return 0
}
remove_cgroup_dir() { # DIR: kills its members, then rmdir (retried: a killed member takes a moment to leave)
    local dir=$1 i
    [ -d "$dir" ] || return 0 # the churn removes its own as it goes
    for i in $(seq 100); do
        xargs -r kill -9 < "$dir/cgroup.procs" 2>/dev/null || true
        rmdir "$dir" 2>/dev/null && return 0
        [ -d "$dir" ] || return 0
        sleep 0.05
    done
    echo "soak: could not remove cgroup $dir" >&2
}
cleanup() {
    local status=$? dir
    trap - EXIT INT TERM
    set +e # every step is tried, whatever the ones before found
    kill_tree "${loaders[@]}" 2>/dev/null || true
    # deepest first: the churn's and A's and B's directories before their parents
    tac "$work/cgroups" 2>/dev/null | while read -r dir; do remove_cgroup_dir "$dir"; done
    if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
        kill -TERM "$holder" # the holder stops its worker and unmounts
        for _ in $(seq 100); do kill -0 "$holder" 2>/dev/null || break; sleep 0.2; done
        kill_tree "$holder"
    fi
    [ -n "$worker" ] && kill -9 "$worker" 2>/dev/null
    for _ in 1 2 3; do grep -q " $mnt " /proc/self/mountinfo && umount -l "$mnt" 2>/dev/null; done
    if [ -n "${SOAK_KEEP:-}" ]; then
        mkdir -p "$SOAK_KEEP" && cp "$work/daemon.log" "$work/samples.tsv" "$SOAK_KEEP/" 2>/dev/null || true
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "soak: interrupted" >&2; exit 130' INT TERM

fail() { echo "soak: FAIL: $*" >&2; exit 1; }

# ---------------------------------------------------------------- cgroups beside the shell's own
# As daemon/src/test/java/io/proclens/it/TestCgroup.java: on v1 below this process's cgroup of each controller (v1
# lets a cgroup with members have children); on v2 below the parent of this process's cgroup, with the controllers
# enabled (v2 gives none to the children of a cgroup with members). A parent of our own holds A, B and the churn.
declare -A parent
controllers=()
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    v2=1
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    base=/sys/fs/cgroup
    [ -n "$own" ] && [ "$own" != / ] && base=$(dirname "/sys/fs/cgroup$own")
    enable="+memory +cpuset +cpu"
    echo "$enable" > "$base/cgroup.subtree_control"
    parent[v2]=$base/proclens-soak-$$
    mkdir "${parent[v2]}" && echo "${parent[v2]}" >> "$work/cgroups"
    echo "$enable" > "${parent[v2]}/cgroup.subtree_control"
    controllers=(v2)
else
    v2=0
    declare -A seen
    for c in memory cpuset cpu cpuacct blkio; do
        [ -d "/sys/fs/cgroup/$c" ] || continue
        real=$(readlink -f "/sys/fs/cgroup/$c")
        [ -n "${seen[$real]:-}" ] && continue # cpu and cpuacct mounted together behind two names
        seen[$real]=1
        own=$(awk -F: -v c="$c" '{ n = split($2, names, ","); for (i = 1; i <= n; i++) if (names[i] == c) print $3 }' /proc/self/cgroup)
        parent[$c]=$real${own%/}/proclens-soak-$$
        mkdir "${parent[$c]}" && echo "${parent[$c]}" >> "$work/cgroups"
        if [ "$c" = cpuset ]; then # a cpuset cgroup takes no member until it has CPUs and memory nodes
            cat "$real${own%/}/cpuset.cpus" > "${parent[$c]}/cpuset.cpus"
            cat "$real${own%/}/cpuset.mems" > "${parent[$c]}/cpuset.mems"
        fi
        controllers+=("$c")
    done
    [ -n "${parent[memory]:-}" ] && [ -n "${parent[cpuset]:-}" ] || fail "no cgroup v1 memory or cpuset hierarchy"
fi

make_cgroup() { # NAME MEMORY_BYTES CPUS QUOTA_MICROS(0: none): prints its directories, one per hierarchy
    local name=$1 memory=$2 cpus=$3 quota=$4 c dir dirs=()
    for c in "${controllers[@]}"; do
        dir=${parent[$c]}/$name
        mkdir "$dir" || return 1
        echo "$dir" >> "$work/cgroups"
        dirs+=("$dir")
        case $c in
            v2) echo "$memory" > "$dir/memory.max"; echo "$cpus" > "$dir/cpuset.cpus"
                [ "$quota" -gt 0 ] && echo "$quota 100000" > "$dir/cpu.max" ;;
            memory) echo "$memory" > "$dir/memory.limit_in_bytes" ;;
            cpuset) cat "${parent[$c]}/cpuset.mems" > "$dir/cpuset.mems"; echo "$cpus" > "$dir/cpuset.cpus" ;;
            cpu) if [ "$quota" -gt 0 ]; then
                     echo 100000 > "$dir/cpu.cfs_period_us"; echo "$quota" > "$dir/cpu.cfs_quota_us"
                 fi ;;
        esac
    done
    echo "${dirs[*]}"
}
remove_cgroup() { # DIRS (as make_cgroup printed them)
    local dir
    for dir in $1; do remove_cgroup_dir "$dir"; done
}
join_cgroup() { # "DIRS": moves this (sub)shell into the cgroup
    local dir
    for dir in $1; do echo "$BASHPID" > "$dir/cgroup.procs"; done
}
in_cgroup() { # "DIRS" COMMAND...: runs COMMAND as a member of the cgroup
    local dirs=$1
    shift
    ( join_cgroup "$dirs"; exec "$@" )
}

# ---------------------------------------------------------------- the daemon
gcc -O2 -Wall -pthread -o "$work/readbench" bench/src/main/c/readbench.c -lm
# shellcheck disable=SC2086 # the options are words
scripts/proclens mount --foreground "$mnt" $options > "$work/daemon.log" 2>&1 &
holder=$!
for _ in $(seq 600); do
    worker=$(sed -n 's/^proclens: info: serving .*(worker [0-9]*,.* pid \([0-9]*\))$/\1/p' "$work/daemon.log" | tail -n 1)
    [ -n "$worker" ] && grep -q " $mnt .* - fuse.proclens " /proc/self/mountinfo && break
    kill -0 "$holder" 2>/dev/null || { cat "$work/daemon.log" >&2; fail "the daemon exited at start"; }
    sleep 0.1
done
[ -n "$worker" ] || { cat "$work/daemon.log" >&2; fail "the daemon did not serve $mnt within 60 s"; }

# Every file served here (the pressure files only where the kernel has PSI), and one the mount mirrors from the host.
files=()
while read -r f; do files+=("$f"); done < <(find "$mnt/proc" -type f | sort)
files+=("$mnt/sys/devices/system/cpu/online" "$mnt/sys/devices/system/cpu/possible")
for f in "${files[@]}"; do cat "$f" > /dev/null || fail "cannot read $f at start"; done
cpus_all=$(cat /sys/devices/system/cpu/online)

# A: 256 MiB, CPU 0. B: 512 MiB, all CPUs, a CFS quota of one CPU (shown as one CPU only with --enable-cfs).
cg_a=$(make_cgroup a $((256 << 20)) 0 0)
cg_b=$(make_cgroup b $((512 << 20)) "$cpus_all" 100000)
case " $options " in
    *" --enable-cfs "*) expect_b_cpus=0 ;;
    *) expect_b_cpus=$cpus_all ;;
esac
count_cpus() { # kernel list "0-3,5" -> 5
    echo "$1" | tr ',' '\n' | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }'
}

# ---------------------------------------------------------------- the loaders (each ends at $deadline_us)
now_us() { echo "${EPOCHREALTIME/./}"; }
wrong() { # WHAT: counts one wrong answer, keeps the first
    wrong=$((wrong + 1))
    [ -s "$work/first-wrong" ] || echo "$*" > "$work/first-wrong"
}
read_error() {
    errors=$((errors + 1))
    [ -s "$work/first-error" ] || echo "$*" > "$work/first-error"
}
report() { echo "reads=$reads errors=$errors wrong=$wrong made=${made:-0}" > "$work/round/$1"; }

# check_text FILE TEXT MEMTOTAL_KB CPUS: is TEXT right for a reader whose cgroup has that memory limit and CPUs?
check_text() {
    local file=$1 text=$2 mem=$3 cpus=$4 got
    case $file in
        */meminfo) got=$(awk '$1 == "MemTotal:" { print $2 }' <<< "$text")
                   [ "$got" = "$mem" ] || wrong "$file: MemTotal $got kB, expected $mem" ;;
        */online) [ "$text" = "$cpus" ] || wrong "$file: '$text', expected '$cpus'" ;;
        */cpuinfo) got=$(grep -c '^processor' <<< "$text")
                   [ "$got" = "$(count_cpus "$cpus")" ] || wrong "$file: $got processors, expected $(count_cpus "$cpus")" ;;
        */stat) got=$(grep -c '^cpu[0-9]' <<< "$text")
                [ "$got" = "$(count_cpus "$cpus")" ] || wrong "$file: $got cpuN lines, expected $(count_cpus "$cpus")" ;;
        *) [ -n "$text" ] || [[ $file == */diskstats ]] || wrong "$file: empty" ;;
    esac
}

checker() { # NAME MEMTOTAL_KB CPUS: reads every file, by the shell itself and by fresh cat processes
    local name=$1 mem=$2 cpus=$3 reads=0 errors=0 wrong=0 f text
    while [ "$(now_us)" -lt "$deadline_us" ]; do
        for f in "${files[@]}"; do
            # builtin read: the same long-lived pid every time (its resolution stays cached)
            if IFS= read -r -d '' text < "$f"; [ -n "$text" ] || [[ $f == */diskstats ]]; then
                check_text "$f" "${text%$'\n'}" "$mem" "$cpus"
            else
                read_error "$name: read $f failed"
            fi
            reads=$((reads + 1))
        done
        for f in "$mnt/proc/meminfo" "$mnt/proc/cpuinfo" "$mnt/proc/stat" "$mnt/sys/devices/system/cpu/online"; do
            if text=$(cat "$f"); then check_text "$f" "$text" "$mem" "$cpus"; else read_error "$name: cat $f failed"; fi
            reads=$((reads + 1))
        done
    done
    report "$name"
}

bench() { # NAME MODE THREADS: readbench for the round, its ops and errors counted
    local name=$1 reads=0 errors=0 wrong=0 rc=0 out=$work/$1.json
    "$work/readbench" -m "$2" -t "$3" -d "$interval" -o "$out" "${files[@]}" > /dev/null 2>&1 || rc=$?
    if [ -s "$out" ]; then
        read -r reads errors < <(sed -n 's/.*"ops": \([0-9]*\), "errors": \([0-9]*\),.*/\1 \2/p' "$out" | head -n 1)
        [ "$errors" = 0 ] || read_error "$name: $(sed -n 's/.*"first_error": \(.*\),$/\1/p' "$out")"
    else
        read_error "$name: readbench exited $rc without a result"; errors=1
    fi
    report "$name"
}

churn() { # makes cgroups, reads in each as a member, removes them
    local reads=0 errors=0 wrong=0 made=0 n mem dirs text
    while [ "$(now_us)" -lt "$deadline_us" ]; do
        n=$((++churn_serial))
        mem=$(( (64 + (n % 8) * 32) << 20 ))
        dirs=$(make_cgroup "c$round-$n" "$mem" 0 0) || { read_error "churn: cannot make a cgroup"; break; }
        made=$((made + 1))
        if text=$(in_cgroup "$dirs" cat "$mnt/proc/meminfo" "$mnt/proc/stat" "$mnt/proc/loadavg"); then
            check_text churn/meminfo "$text" $((mem >> 10)) 0
            check_text churn/stat "$(grep '^cpu' <<< "$text")" $((mem >> 10)) 0
        else
            read_error "churn: cat in $dirs failed"
        fi
        reads=$((reads + 3))
        remove_cgroup "$dirs"
    done
    report churn
}

namespaces() { # readers in fresh pid namespaces, in A: their uptime starts with the namespace
    local reads=0 errors=0 wrong=0 made=0 text up
    while [ "$(now_us)" -lt "$deadline_us" ]; do
        made=$((made + 1))
        if text=$(in_cgroup "$cg_a" unshare --pid --fork sh -c 'cat "$1/proc/uptime" "$1/proc/meminfo"' sh "$mnt"); then
            up=$(head -n 1 <<< "$text" | cut -d' ' -f1)
            awk -v u="$up" 'BEGIN { exit !(u != "" && u < 10) }' || wrong "uptime in a new pid namespace: '$up', expected < 10 s"
            check_text namespace/meminfo "$(tail -n +2 <<< "$text")" 262144 0
        else
            read_error "namespaces: unshare/cat failed"
        fi
        reads=$((reads + 2))
    done
    report namespaces
}

# ---------------------------------------------------------------- sampling
status_field() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status" 2>/dev/null; }
# Descriptors but pidfds: the worker keeps one per cached reader (render.Callers), closed when the GC finds its entry
# gone, so their number follows readers and collections, and is bounded with the caller resolutions checked below.
fd_count() { find "/proc/$1/fd" -mindepth 1 ! -lname 'anon_inode:\[pidfd\]' 2>/dev/null | wc -l; }
alive_or_fail() {
    kill -0 "$holder" 2>/dev/null || { tail -n 30 "$work/daemon.log" >&2; fail "the holder (pid $holder) died"; }
    kill -0 "$worker" 2>/dev/null || { tail -n 30 "$work/daemon.log" >&2; fail "the worker (pid $worker) died"; }
    local now
    now=$(sed -n 's/^proclens: info: serving .*(worker [0-9]*,.* pid \([0-9]*\))$/\1/p' "$work/daemon.log" | tail -n 1)
    [ "$now" = "$worker" ] || { tail -n 30 "$work/daemon.log" >&2; fail "the worker was replaced: pid $worker, now $now"; }
}
columns=(phase t rss_h rss_w fds_h fds_w thr_h thr_w heap meta handles cache callers floors loadavg fallbacks reads errors wrong cgroups ns)
{ echo "# files=${#files[@]} cpus=$(count_cpus "$cpus_all") interval=$interval"; printf '%s\n' "${columns[*]}" | tr ' ' '\t'; } \
    > "$work/samples.tsv"
header() {
    printf '%5s %1s %6s %6s %4s %4s %4s %4s %7s %6s %3s %5s %6s %6s %4s %4s %9s %4s %5s %5s %5s\n' \
        t "" rssH rssW fdH fdW thrH thrW heapGC meta hnd cache caller floors lavg fall reads err wrong cgrps ns
    printf '%5s %1s %6s %6s %4s %4s %4s %4s %7s %6s %3s %5s %6s %6s %4s %4s %9s %4s %5s %5s %5s\n' \
        s "" MiB MiB "" "" "" "" KiB KiB "" "" "" "" "" "" "" "" "" "" ""
}
sample() { # PHASE(w: warm-up, m: measured) READS ERRORS WRONG CGROUPS NAMESPACES
    alive_or_fail
    local stats
    stats=$(scripts/proclens stats --gc --mountpoint "$mnt") || fail "proclens stats: no answer"
    declare -A s
    local pair
    for pair in $stats; do s[${pair%%=*}]=${pair#*=}; done
    local row=(
        "$1" $(( $(date +%s) - start ))
        "$(status_field VmRSS "$holder")" "$(status_field VmRSS "$worker")"
        "$(fd_count "$holder")" "$(fd_count "$worker")"
        "$(status_field Threads "$holder")" "$(status_field Threads "$worker")"
        $(( s[heap_after_gc] >> 10 )) $(( s[metaspace] >> 10 ))
        "${s[handles]}" "${s[cache]}" "${s[callers]}" "${s[stat_floors]}" "${s[loadavg_cgroups]}" "${s[fallbacks]}"
        "$2" "$3" "$4" "$5" "$6"
    )
    printf '%s\n' "${row[*]}" | tr ' ' '\t' >> "$work/samples.tsv"
    printf '%5s %1s %6.1f %6.1f %4s %4s %4s %4s %7s %6s %3s %5s %6s %6s %4s %4s %9s %4s %5s %5s %5s\n' \
        "${row[1]}" "$1" "$(awk -v k="${row[2]}" 'BEGIN { print k / 1024 }')" "$(awk -v k="${row[3]}" 'BEGIN { print k / 1024 }')" \
        "${row[@]:4:4}" "${row[@]:8}"
}

# ---------------------------------------------------------------- the run
echo "soak: proclens ($options) at $mnt: holder $holder, worker $worker; $duration s in rounds of $interval s," \
    "warm-up $warmup s; ${#files[@]} files; cgroups $([ "$v2" = 1 ] && echo v2 || echo v1) below ${parent[${controllers[0]}]}"
start=$(date +%s)
round=0
churn_serial=0
total_reads=0 total_errors=0 total_wrong=0 total_cgroups=0 total_ns=0
header
while [ $(( $(date +%s) - start )) -lt "$duration" ]; do
    round=$((round + 1))
    rm -f "$work/round/"*
    deadline_us=$(( $(now_us) + interval * 1000000 ))
    loaders=()
    ( join_cgroup "$cg_a"; bench bench-a reopen 2 ) &
    loaders+=($!)
    ( join_cgroup "$cg_b"; bench bench-b pread 1 ) &
    loaders+=($!)
    ( join_cgroup "$cg_a"; checker check-a 262144 0 ) &
    loaders+=($!)
    ( join_cgroup "$cg_b"; checker check-b 524288 "$expect_b_cpus" ) &
    loaders+=($!)
    churn &
    loaders+=($!)
    namespaces &
    loaders+=($!)
    wait "${loaders[@]}" || true
    loaders=()
    # the quiet point: every reader has exited; their files' releases reach the daemon within moments
    sleep 1
    sums=$(cat "$work/round/"* 2>/dev/null | tr ' ' '\n' | awk -F= '{ s[$1] += $2 } END { print s["reads"]+0, s["errors"]+0, s["wrong"]+0 }')
    read -r reads errors wrongs <<< "$sums"
    made_cgroups=$(sed -n 's/.*made=\([0-9]*\).*/\1/p' "$work/round/churn" 2>/dev/null || echo 0)
    made_ns=$(sed -n 's/.*made=\([0-9]*\).*/\1/p' "$work/round/namespaces" 2>/dev/null || echo 0)
    reported=$(ls "$work/round" | wc -l)
    [ "$reported" = 6 ] || { errors=$((errors + 1)); echo "soak: only $reported of 6 loaders reported" > "$work/first-error"; }
    phase=m
    [ $(( $(date +%s) - start )) -le "$warmup" ] && phase=w
    sample "$phase" "$reads" "$errors" "$wrongs" "${made_cgroups:-0}" "${made_ns:-0}"
done

# ---------------------------------------------------------------- the verdict
# SoakVerdict (a single-file Java program, unit-tested beside SoakIT) judges the samples; its Javadoc gives the
# tolerances and why. SOAK_VERDICT=0 leaves the judging to the caller (SoakIT judges the kept samples itself).
[ -s "$work/samples.tsv" ] || fail "no samples"
[ -s "$work/first-error" ] && echo "first read error: $(cat "$work/first-error")"
[ -s "$work/first-wrong" ] && echo "first wrong answer: $(cat "$work/first-wrong")"
if [ "${SOAK_VERDICT:-1}" != 0 ]; then
    echo
    "$JAVA_HOME/bin/java" "$PROCLENS_ROOT/daemon/src/test/java/io/proclens/soak/SoakVerdict.java" "$work/samples.tsv" \
        || { echo "soak: the daemon log's last lines:"; tail -n 15 "$work/daemon.log"; exit 1; }
    echo "soak: passed ($(( $(date +%s) - start )) s)"
else
    echo "soak: done ($(( $(date +%s) - start )) s), not judged (SOAK_VERDICT=0)"
fi
