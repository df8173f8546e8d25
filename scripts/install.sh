#!/usr/bin/env bash
# Installs the built proclens: the jar (and its AOT cache, when built), the launcher, its helper and proclens-runc
# (the OCI runtime that gives Docker containers their own sysinfo(2)) under PREFIX/lib/proclens, the command PREFIX/bin/proclens and the systemd unit PREFIX/lib/systemd/system/proclens.service.
# Build first (scripts/build.sh).   scripts/install.sh [--prefix DIR] (default /usr/local)
# Then, under systemd:  systemctl daemon-reload && systemctl enable --now proclens
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
prefix=/usr/local
if [ "${1:-}" = "--prefix" ] && [ -n "${2:-}" ]; then prefix=$2; elif [ $# -gt 0 ]; then
    echo "usage: $0 [--prefix DIR]" >&2; exit 2
fi
prefix=$(realpath -m "$prefix")
jar=$PROCLENS_ROOT/daemon/target/proclens.jar
[ -f "$jar" ] || { echo "install: $jar is not built: run scripts/build.sh first" >&2; exit 1; }

# Each file is written beside its place and renamed over it: a daemon running from the old jar keeps reading the
# old file (its inode stays until it exits) instead of finding a new jar under its feet.
place() { # MODE SOURCE TARGET
    mkdir -p "$(dirname "$3")"
    cp -p "$2" "$3.new.$$"
    chmod "$1" "$3.new.$$"
    mv -f "$3.new.$$" "$3"
}
lib=$prefix/lib/proclens
place 0644 "$jar" "$lib/proclens.jar"
for extra in proclens.aot proclens.aot.stamp; do # the AOT cache is usable only with the jar it was made from
    if [ -f "$PROCLENS_ROOT/daemon/target/$extra" ]; then place 0644 "$PROCLENS_ROOT/daemon/target/$extra" "$lib/$extra"; else rm -f "$lib/$extra"; fi
done
place 0644 "$PROCLENS_ROOT/scripts/lib/common.sh" "$lib/lib/common.sh"
place 0755 "$PROCLENS_ROOT/scripts/proclens" "$lib/proclens"
place 0755 "$PROCLENS_ROOT/scripts/proclens-runc" "$lib/proclens-runc" # Docker's runtime for sysinfo(2): docs/operations.md
mkdir -p "$prefix/bin"
ln -sfn "$lib/proclens" "$prefix/bin/proclens"
unit=$prefix/lib/systemd/system/proclens.service
mkdir -p "$(dirname "$unit")"
sed "s|@BIN@|$prefix/bin/proclens|g" "$PROCLENS_ROOT/scripts/proclens.service" > "$unit.new.$$"
mv -f "$unit.new.$$" "$unit"
echo "installed $prefix/bin/proclens and $unit"
