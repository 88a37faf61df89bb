#!/usr/bin/env bash
# Greedy tokens/s with the KV cache for a SmolLM2-135M-shaped Llama on CPU (random weights, built in memory).
# Usage: bench/hf/llama_generate.sh [MODEL_DIR]   (env: PROMPT=32 NEW=64 REPEATS=3 THREADS=1)
# With MODEL_DIR (a Hugging Face directory), times that model instead, e.g. lora/src/test/resources/hf/llama-tiny.
set -euo pipefail
cd "$(dirname "$0")/../.."
PROMPT=${PROMPT:-32}
NEW=${NEW:-64}
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-1}  # 1: OpenMP barriers collapse when the 2 shared cores are oversubscribed
OUT=bench/hf/target
mkdir -p "$OUT/classes"

mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -o -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/hf/src -name '*.java')
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), threads $THREADS"
DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx3g \
    -Dai.djl.offline=true -DdisableProgressBar=true \
    -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -cp "$OUT/classes:$CP" org.loralab.bench.hf.LlamaGenerateBench "$PROMPT" "$NEW" "$REPEATS" "$@" 2>/dev/null
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
