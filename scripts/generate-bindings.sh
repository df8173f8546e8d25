#!/usr/bin/env bash
# Regenerates bindings/src/main/java from bindings/proclens.h with the options in bindings/jextract.args.
# Needs jextract (on PATH, or $JEXTRACT) running on a JDK >= 22, and libfuse3-dev's headers.
# The output is committed; running this again on the same headers gives the same bytes.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
JEXTRACT=${JEXTRACT:-$(command -v jextract || true)}
if [ -z "$JEXTRACT" ]; then
    echo "generate-bindings: no jextract on PATH and \$JEXTRACT unset; get jextract for JDK 22+ (it is not in any package registry)" >&2
    exit 1
fi
[ -f /usr/include/fuse3/fuse_lowlevel.h ] || { echo "generate-bindings: /usr/include/fuse3/fuse_lowlevel.h missing: apt-get install libfuse3-dev" >&2; exit 1; }

# clang's own headers (stddef.h, ...) come with libclang-common-*-dev; jextract needs them on its include path.
includes=()
for dir in /usr/lib/llvm-*/lib/clang/*/include; do
    [ -f "$dir/stddef.h" ] && includes=(-I "$dir") && break
done

cd "$PROCLENS_ROOT/bindings"
rm -rf src/main/java
"$JEXTRACT" "${includes[@]}" @jextract.args proclens.h 2>&1 | grep -v 'bitfields are not supported' >&2 || true
echo "generated $(find src/main/java -name '*.java' | wc -l) files in bindings/src/main/java"
