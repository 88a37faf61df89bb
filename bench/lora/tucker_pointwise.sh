#!/usr/bin/env bash
# LoTR Tucker conv: real 1x1 conv2d vs the batched matmul used for its pointwise stages (forward + backward),
# plus a NaN count of the conv form's weight gradient. Usage: bench/lora/tucker_pointwise.sh (env PASSES, THREADS)
set -euo pipefail
cd "$(dirname "$0")/../.."
PASSES=${PASSES:-200}
THREADS=${THREADS:-1}
OUT=bench/lora/target
mkdir -p "$OUT/classes"
mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" bench/lora/src/org/loralab/bench/TuckerPointwiseBench.java
DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx2g -Dai.djl.offline=true \
    -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 -Dbench.passes="$PASSES" \
    -cp "$OUT/classes:$CP" org.loralab.bench.TuckerPointwiseBench 2>/dev/null
