#!/usr/bin/env bash
# Builds daemon/target/proclens.jar (no tests). Installs what the build needs: Maven, and fuse3 to run.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
find_jdk
command -v mvn >/dev/null || apt_install maven
apt_install fuse3
cd "$PROCLENS_ROOT"
mvn -B -q -DskipTests -pl daemon -am package
echo "built $PROCLENS_ROOT/daemon/target/proclens.jar"
