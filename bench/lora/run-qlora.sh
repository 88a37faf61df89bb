#!/usr/bin/env bash
# QLoRA run-time benchmark: fp32 LoRA vs QLoRA (nf4, nf4-dq, int8 base, dequantised per forward) on the
# LoraBench ViT and Linear stack, plus the process's VmRSS before/after NF4 injection of a larger stack.
# Usage: bench/lora/run-qlora.sh   (env: STEPS=10 WARMUP=2 REPEATS=2 ROUNDS=2 THREADS=1; ONLY=time or ONLY=rss runs one part)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
REPEATS=${REPEATS:-2}
ROUNDS=${ROUNDS:-2}
ONLY=${ONLY:-}
THREADS=${THREADS:-1}
OUT=bench/lora/target
mkdir -p "$OUT/classes"

mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/lora/src -name '*.java')

bench() {  # bench MODE [env...]
    local mode=$1
    shift
    env "$@" DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx3g $JVM_EXTRA \
        -Dai.djl.offline=true -DdisableProgressBar=true \
        -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -Dbench.repeats="$REPEATS" -Dbench.rounds="$ROUNDS" -Dbench.only="$mode" -Dbench.verbose="${VERBOSE:-false}" \
        -cp "$OUT/classes:$CP" org.loralab.bench.QLoraBench "$STEPS" "$WARMUP" 2>/dev/null
}

{
    [ "$ONLY" = rss ] || JVM_EXTRA="" bench time
    # VmRSS in its own JVM: a pre-touched fixed-size Java heap (its pages are all resident from the start) and
    # a fixed glibc mmap threshold (otherwise it grows after the first large free and freed weights stay in
    # the heap arena), so that VmRSS changes follow the engine's live native memory. Both would distort the
    # timings (every large tensor would be mmapped and faulted in again), hence the separate process.
    [ "$ONLY" = time ] || JVM_EXTRA="-Xms768m -XX:+AlwaysPreTouch" bench rss MALLOC_MMAP_THRESHOLD_=131072
} | tee "$OUT/qlora-results.txt"
