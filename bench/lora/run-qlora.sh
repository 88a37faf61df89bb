#!/usr/bin/env bash
# QLoRA run-time benchmark: fp32 LoRA vs QLoRA (nf4, nf4-dq, int8 base, dequantised per forward) on the
# LoraBench ViT and Linear stack, plus the process's VmRSS before/after NF4 injection of a larger stack.
# Usage: bench/lora/run-qlora.sh   (env: STEPS=10 WARMUP=2 REPEATS=2 THREADS=1)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
REPEATS=${REPEATS:-2}
THREADS=${THREADS:-1}
OUT=bench/lora/target
mkdir -p "$OUT/classes"

mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/lora/src -name '*.java')

DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx3g \
    -Dai.djl.offline=true -DdisableProgressBar=true \
    -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -Dbench.repeats="$REPEATS" -cp "$OUT/classes:$CP" org.loralab.bench.QLoraBench "$STEPS" "$WARMUP" 2>/dev/null \
    | tee "$OUT/qlora-results.txt"
