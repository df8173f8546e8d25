#!/usr/bin/env bash
# Builds proclens and runs the daemon in the foreground (Ctrl-C unmounts and stops it).
#   scripts/run.sh [MOUNTPOINT] [mount options]      default mountpoint /var/lib/proclens
set -euo pipefail
here=$(dirname "$0")
"$here/build.sh"
exec "$here/proclens" mount --foreground "$@"
