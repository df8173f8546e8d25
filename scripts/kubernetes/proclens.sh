#!/bin/sh
# The image's `proclens` command: the jar on the image's JRE (scripts/proclens needs a JDK and bash, neither of
# which the image has), with the JVM flags of scripts/lib/common.sh's PROCLENS_JVM_FLAGS (why: there), then
# $PROCLENS_JAVA_OPTS, whose flags win.
exec java --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms6m -Xmx64m -XX:MaxMetaspaceSize=64m \
    -XX:TieredStopAtLevel=1 -XX:-UsePerfData ${PROCLENS_JAVA_OPTS:-} -jar /opt/proclens/proclens.jar "$@"
