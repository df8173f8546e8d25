#!/usr/bin/env bash
# Passes every test: installs what the tests need, builds, then runs
#   - unit tests and the integration tests (real FUSE mounts, real cgroups, LXCFS as the reference, the launcher and install script,
#     and the same integration tests again inside a cgroup v2 VM when ../shared/tools/cgroup2-vm is there),
#   - the README's first command, scripts/run.sh, in this checkout: it builds, serves, and stops on SIGTERM,
#   - jcstress and JMH in a quick mode (full runs by hand: docs/development.md; scripts/bench.sh).
# Run as root: the integration tests mount filesystems and create cgroups; they skip, saying why, without it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
apt_install maven fuse3 libfuse3-dev lxcfs util-linux procps docker.io busybox-static ncurses-base systemd openssl gcc python3 htop prometheus; command -v kubectl >/dev/null || apt_install kubernetes-client # gcc: CallerEdgesIT's threaded reader; prometheus: MetricsIT's scraper; kubectl: the Kubernetes manifest test
cd "$PROCLENS_ROOT"

# Every temp dir the tests make, and so every mount, is below this one; cleanup unmounts only what is below it,
# never another run's or a user's mounts. 0711: a container's remapped root must pass through to its layers.
test_tmp=$(mktemp -d /tmp/proclens-test.XXXXXX)
chmod 711 "$test_tmp"
cleanup() { # whatever a failed or interrupted test left mounted below test_tmp; keeps the script's exit status
    local status=$?
    # mountinfo: field 5 is the mount point (deepest first, so that nested mounts go before their parents)
    awk -v dir="$test_tmp/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while read -r mounted; do umount -l "$mounted" 2>/dev/null || true; done
    rm -rf --one-file-system "$test_tmp"
    exit "$status"
}
trap cleanup EXIT

mvn -B verify -Dproclens.test.tmpdir="$test_tmp"

# The README's first command, as a user runs it in this checkout: it builds, mounts and serves until SIGTERM. (Not a
# Maven test: it runs Maven itself.) Then a reader of the mount, SIGTERM, exit status 0 and nothing left mounted.
echo "== scripts/run.sh (the README's first command)"
run_dir=$(mktemp -d "$test_tmp/run.XXXXXX")
scripts/run.sh "$run_dir/mnt" > "$run_dir/log" 2>&1 &
run_pid=$!
for _ in $(seq 1800); do # 3 minutes: Maven builds first
    grep -q '^MemTotal: ' "$run_dir/mnt/proc/meminfo" 2>/dev/null && break
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.1
done
run_failed() { echo "scripts/run.sh: $1; its output:" >&2; tail -n 30 "$run_dir/log" >&2; kill -9 "$run_pid" 2>/dev/null; exit 1; }
grep -q '^MemTotal: ' "$run_dir/mnt/proc/meminfo" 2>/dev/null || run_failed "no meminfo served at $run_dir/mnt"
grep -q '^processor' "$run_dir/mnt/proc/cpuinfo" || run_failed "no processor in cpuinfo"
kill -TERM "$run_pid"
run_status=0; wait "$run_pid" || run_status=$?
[ "$run_status" -eq 0 ] || run_failed "exited $run_status after SIGTERM, not 0"
! mountpoint -q "$run_dir/mnt" || run_failed "$run_dir/mnt still mounted after SIGTERM"
grep -q 'built .*proclens.aot' "$run_dir/log" || echo "scripts/run.sh: it made no AOT cache (it served without)" >&2
scripts/proclens --help > /dev/null || run_failed "scripts/proclens --help failed"
rm -rf "$run_dir"
echo "scripts/run.sh: built, served meminfo and cpuinfo, SIGTERM unmounted, exit status 0"

echo "== jcstress (quick mode)"
mkdir -p stress/target/results
(cd stress/target/results && "$JAVA_HOME/bin/java" -jar ../jcstress.jar -m quick) | tee stress/target/jcstress.log | tail -n 25
grep -Eq 'FAILED|ERROR' stress/target/jcstress.log && { echo "jcstress found a forbidden outcome" >&2; exit 1; }

echo "== JMH (quick mode: one fork, short iterations; numbers are only indicative)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar -f 1 -wi 1 -i 2 -w 1s -r 1s \
    -rf json -rff bench/target/jmh-quick.json | tail -n 12
echo "test.sh: all tests passed"
