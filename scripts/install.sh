#!/usr/bin/env bash
# Installs the built proclens: the jar, the launcher and its helper under PREFIX/lib/proclens, and the
# command PREFIX/bin/proclens. Build first (scripts/build.sh).   scripts/install.sh [--prefix DIR] (default /usr/local)
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
prefix=/usr/local
if [ "${1:-}" = "--prefix" ] && [ -n "${2:-}" ]; then prefix=$2; elif [ $# -gt 0 ]; then
    echo "usage: $0 [--prefix DIR]" >&2; exit 2
fi
jar=$PROCLENS_ROOT/daemon/target/proclens.jar
[ -f "$jar" ] || { echo "install: $jar is not built: run scripts/build.sh first" >&2; exit 1; }
install -D -m 0644 "$jar" "$prefix/lib/proclens/proclens.jar"
install -D -m 0644 "$PROCLENS_ROOT/scripts/lib/common.sh" "$prefix/lib/proclens/lib/common.sh"
install -D -m 0755 "$PROCLENS_ROOT/scripts/proclens" "$prefix/lib/proclens/proclens"
mkdir -p "$prefix/bin"
ln -sfn "$prefix/lib/proclens/proclens" "$prefix/bin/proclens"
echo "installed $prefix/bin/proclens"
