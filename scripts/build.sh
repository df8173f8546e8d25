#!/usr/bin/env bash
# Builds daemon/target/proclens.jar (no tests). Installs what the build needs: Maven, and fuse3 to run.
# Then, as root with /dev/fuse, a training run of the daemon (mounted in a temp dir, every file read a few times)
# makes the JDK's AOT cache daemon/target/proclens.aot (JEP 514/515) and its stamp, which scripts/proclens uses
# while they match the jar and the JVM. PROCLENS_AOT=0 skips it. The training run goes through scripts/proclens, so
# with its JVM flags (PROCLENS_JVM_FLAGS): a cache made under G1 and C2 loads with them too (-Xlog:aot), but its
# method profiles would be for C2. It runs as one process (--single-process), which loads what the holder and the
# worker each load but the hand-over's few classes: holder and workers map the one cache, and share its read-only
# part (with a holder and a worker both training, each wrote the same file as it exited: the last one won).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
command -v mvn >/dev/null || apt_install maven
apt_install fuse3
cd "$PROCLENS_ROOT"
mvn -B -q -DskipTests -pl daemon -am package
jar=daemon/target/proclens.jar
echo "built $PROCLENS_ROOT/$jar"

cache=${jar%.jar}.aot
rm -f "$cache" "$cache.stamp"
if [ "${PROCLENS_AOT:-}" = 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/fuse ]; then
    echo "no AOT cache: the training run mounts proclens, which needs root and /dev/fuse" >&2
    exit 0
fi
train=$(mktemp -d /tmp/proclens-aot.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
    umount -l "$train/mnt" 2>/dev/null || true # already unmounted by its SIGTERM: fine (set -e would exit 32)
    rm -rf "$train"
    return 0
}
trap cleanup EXIT
mkdir "$train/mnt"
PROCLENS_AOT=0 PROCLENS_JAVA_OPTS="-XX:AOTCacheOutput=$PROCLENS_ROOT/$cache" PROCLENS_JAR=$jar \
    scripts/proclens mount --foreground --single-process "$train/mnt" > "$train/log" 2>&1 &
pid=$!
for _ in $(seq 600); do
    head -c1 "$train/mnt/proc/meminfo" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
if head -c1 "$train/mnt/proc/meminfo" >/dev/null 2>&1; then
    for _ in $(seq 20); do find "$train/mnt" -type f -exec cat {} + >/dev/null 2>&1 || true; done
    kill -TERM "$pid"
    wait "$pid" || true # the JVM writes the cache as it exits
    pid=
fi
if [ -f "$cache" ]; then
    aot_key "$jar" > "$cache.stamp"
    echo "built $PROCLENS_ROOT/$cache (scripts/proclens uses it; PROCLENS_AOT=0 not)"
else
    echo "no AOT cache: the training run did not write one; its log:" >&2
    tail -20 "$train/log" >&2
fi
