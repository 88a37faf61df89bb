#!/usr/bin/env bash
# Load time and peak RSS of the JVM loading a ViT-B/16-shaped checkpoint (86.6M parameters, F32, ~346 MB).
# The random checkpoint is generated once into $DIR (default $TMPDIR/loralab-vit-b16) by make_vit_b16.py.
# Usage: bench/hf/vit_load.sh   (env: DIR=..., THREADS=1)
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=${DIR:-${TMPDIR:-/tmp}/loralab-vit-b16}
THREADS=${THREADS:-1}
OUT=bench/hf/target
mkdir -p "$OUT/classes"
[ -s "$DIR/model.safetensors" ] || /usr/bin/python3 bench/hf/make_vit_b16.py "$DIR"
mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -o -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/hf/src -name '*.java')
# a fixed glibc mmap threshold, so that freed per-tensor buffers go back to the system instead of staying in the
# heap arena (VmHWM then follows live native memory)
env DJL_OFFLINE=true OMP_NUM_THREADS="$THREADS" MALLOC_MMAP_THRESHOLD_=131072 java -Xmx1g \
    -Dai.djl.offline=true -DdisableProgressBar=true -Dai.djl.pytorch.num_threads="$THREADS" \
    -Dai.djl.pytorch.num_interop_threads=1 -cp "$OUT/classes:$CP" org.loralab.bench.hf.VitLoadBench "$DIR" 2>/dev/null \
    | tee "$OUT/vit-load-results.txt"
