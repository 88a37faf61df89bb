#!/usr/bin/env bash
# Live-view overhead benchmark: builds lora + kernel-ext (runtime jars into kernel-ext/target/lib), then runs
# LiveViewOverhead.java with one PyTorch thread. Options: -Depochs=N -Dreps=N -Dtrain=N (JVM system properties, passed through JAVA_OPTS).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -o -pl lora,kernel-ext -am package -DskipTests
CP="kernel-ext/target/classes:$(ls kernel-ext/target/lib/*.jar | tr '\n' ':')"
exec java -Xmx3g -Djava.awt.headless=true -Dai.djl.offline=true -DdisableProgressBar=true \
  -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 ${JAVA_OPTS:-} \
  -cp "$CP" bench/train/LiveViewOverhead.java
