#!/usr/bin/env bash
# LoRA benchmark: DJL (PyTorch engine) vs PyTorch eager on the same CPU, same run.
# Usage: bench/lora/run.sh            (STEPS=20 WARMUP=3 THREADS=2 by default)
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-20}
WARMUP=${WARMUP:-3}
THREADS=${THREADS:-2}
OUT=bench/lora/target
mkdir -p "$OUT/classes"

mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -pl lora dependency:build-classpath -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/lora/src -name '*.java')

echo "== PyTorch eager $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), threads $THREADS"
/usr/bin/python3 bench/lora/bench_torch.py --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS" --repeats "${REPEATS:-3}" | tee "$OUT/torch.txt"
echo "== DJL"
DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx3g \
    -Dai.djl.offline=true -DdisableProgressBar=true \
    -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
    -Dbench.repeats="${REPEATS:-3}" -cp "$OUT/classes:$CP" org.loralab.bench.LoraBench "$STEPS" "$WARMUP" | tee "$OUT/djl.txt"

echo "== ratios (steps $STEPS, warmup $WARMUP, threads $THREADS)"
cat "$OUT/torch.txt" "$OUT/djl.txt" | awk '
    $1 == "RESULT" { v[$2] = $3 }
    END {
        for (i = 1; i <= 2; i++) {
            n = (i == 1) ? "vit" : "mlp"
            printf "%s  training throughput DJL / PyTorch eager: %.2fx  (goal >= 1.00; torch %.1f ms, djl %.1f ms per step)\n", \
                n, v["torch_" n "_train_ms"] / v["djl_" n "_train_ms"], v["torch_" n "_train_ms"], v["djl_" n "_train_ms"]
            printf "%s  forward unmerged r=8 / base: %.3fx  (goal <= 1.10)\n", n, v["djl_" n "_fwd_unmerged_ms"] / v["djl_" n "_fwd_base_ms"]
            printf "%s  forward merged / base:       %.3fx  (goal <= 1.02)\n", n, v["djl_" n "_fwd_merged_ms"] / v["djl_" n "_fwd_base_ms"]
        }
    }'
