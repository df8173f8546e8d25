#!/usr/bin/env bash
# Passes every test: installs what the tests need, builds, then runs
#   - unit tests and the integration tests (real FUSE mounts, real cgroups, LXCFS as the reference, the launcher and install script,
#     and the same integration tests again inside a cgroup v2 VM when ../shared/tools/cgroup2-vm is there),
#   - jcstress and JMH in a quick mode (full runs: scripts/stress.sh and scripts/bench.sh by hand).
# Run as root: the integration tests mount filesystems and create cgroups; they skip, saying why, without it.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
apt_install maven fuse3 libfuse3-dev lxcfs util-linux procps docker.io busybox-static ncurses-base systemd openssl gcc; command -v kubectl >/dev/null || apt_install kubernetes-client # gcc: CallerEdgesIT's threaded reader; kubectl: the Kubernetes manifest test
cd "$PROCLENS_ROOT"

cleanup() { # whatever a failed or interrupted test left mounted; keeps the script's exit status
    local status=$?
    # mountinfo: field 5 is the mount point; the type follows the " - " separator
    awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if (($(i+1) == "fuse.proclens" || $(i+1) == "fuse.lxcfs") && $5 ~ /^\/tmp\//) print $5; break } }' /proc/self/mountinfo |
        while read -r dir; do umount -l "$dir" 2>/dev/null || true; done
    exit "$status"
}
trap cleanup EXIT

mvn -B verify

echo "== jcstress (quick mode)"
mkdir -p stress/target/results
(cd stress/target/results && "$JAVA_HOME/bin/java" -jar ../jcstress.jar -m quick) | tee stress/target/jcstress.log | tail -n 25
grep -Eq 'FAILED|ERROR' stress/target/jcstress.log && { echo "jcstress found a forbidden outcome" >&2; exit 1; }

echo "== JMH (quick mode: one fork, short iterations; numbers are only indicative)"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar -f 1 -wi 1 -i 2 -w 1s -r 1s \
    -rf json -rff bench/target/jmh-quick.json | tail -n 12
echo "test.sh: all tests passed"
