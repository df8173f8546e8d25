# Sourced by the scripts: finds a JDK >= 22 and the repository root. Prints what to install when there is none.

# The launcher runs this on every start of the daemon: bash's own words rather than a dirname or sed process each.
PROCLENS_ROOT=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)

release_value() { # FILE KEY: the value of KEY="..." in a JDK's release file
    local line
    while IFS= read -r line; do
        if [[ $line == "$2="* ]]; then line=${line#*=}; echo "${line//\"/}"; return 0; fi
    done < "$1"
}

jdk_feature_version() { # prints the feature version of the JDK at $1, or nothing
    local release="$1/release" version
    [ -x "$1/bin/java" ] || return 0
    if [ -f "$release" ]; then
        version=$(release_value "$release" JAVA_VERSION)
        version=${version%%[!0-9]*}
        echo "$version"
    else
        "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
    fi
}

find_jdk() { # sets JAVA_HOME to a JDK >= 22: $JAVA_HOME, then Temurin 25, then any under /usr/lib/jvm
    local candidate version
    for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [ -n "$candidate" ] || continue
        version=$(jdk_feature_version "$candidate")
        if [ -n "$version" ] && [ "$version" -ge 22 ] && [ -x "$candidate/bin/javac" ]; then
            export JAVA_HOME="$candidate"
            return 0
        fi
    done
    echo "proclens: no JDK 22 or newer in \$JAVA_HOME or /usr/lib/jvm: install one (e.g. Temurin 25) and set JAVA_HOME to it" >&2
    return 1
}

apt_install() { # installs the Debian packages that are missing; runs apt-get update once first
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "proclens: missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
        return 1
    fi
    echo "proclens: installing ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

aot_key() { # JAR: what an AOT cache of JAR was made from (the jar's size and time, the JVM's build); equal keys, usable cache
    echo "$(stat -c '%s %Y' "$1") \"$(release_value "$JAVA_HOME/release" JAVA_RUNTIME_VERSION)\""
}

# The daemon's JVM flags, before $PROCLENS_JAVA_OPTS (later flags win): a node daemon is judged by its memory
# (docs/benchmarks.md, Memory, has what each saves).
#   SerialGC, small heap: the live set is a few MiB; -Xmx64m only bounds it, -Xms6m keeps the young generation small.
#   C1 only: C2's compilations cost more memory than the throughput they bring (most of the CPU time is the kernel's).
#   -UsePerfData: no /tmp/hsperfdata mmap. scripts/build.sh trains the AOT cache through scripts/proclens, so with these.
#   ArchiveRelocationMode=0: the AOT cache maps at its own address instead of a random one, so its read-only part
#   stays clean and is shared by every proclens JVM (relocating dirtied it: 4 MiB more per JVM).
PROCLENS_JVM_FLAGS=(-XX:+UseSerialGC -Xms6m -Xmx64m -XX:MaxMetaspaceSize=64m -XX:TieredStopAtLevel=1 -XX:-UsePerfData
    -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0)
# The holder's own, after those: it only keeps /dev/fuse and waits, so no JIT (9 MiB less: the code cache and C1)
# and the smallest heap the AOT cache's archived objects load into.
PROCLENS_HOLDER_JVM_FLAGS=(-Xint -Xms4m -Xmx16m -Xmn1m)
# Where a JVM that crashes writes its report (mount --log's directory, for a detached daemon).
PROCLENS_CRASH_REPORTS=/var/log/proclens-crash-%p.log
