#!/usr/bin/env bash
# LoRA benchmark: DJL (PyTorch engine) vs PyTorch eager on the same CPU, same run.
# Usage: bench/lora/run.sh   (env: STEPS=10 WARMUP=2 REPEATS=2 ROUNDS=2 THREADS=1)
# The two sides alternate ROUNDS times; every figure is the best (minimum) over rounds and, inside a
# round, over REPEATS blocks of STEPS steps: on a shared machine the minimum is the least disturbed.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
REPEATS=${REPEATS:-2}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-1}  # 1: OpenMP barriers collapse when the 2 shared cores are oversubscribed (10x at 2 threads)
OUT=bench/lora/target
mkdir -p "$OUT/classes"

mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/lora/src -name '*.java')

: > "$OUT/results.txt"
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: PyTorch eager $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), threads $THREADS"
    /usr/bin/python3 bench/lora/bench_torch.py --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS" \
        --repeats "$REPEATS" | tee -a "$OUT/results.txt"
    echo "== round $round: DJL"
    DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx3g \
        -Dai.djl.offline=true -DdisableProgressBar=true \
        -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -Dbench.repeats="$REPEATS" -cp "$OUT/classes:$CP" org.loralab.bench.LoraBench "$STEPS" "$WARMUP" 2>/dev/null \
        | tee -a "$OUT/results.txt"
done

echo "== ratios (best of $ROUNDS rounds x $REPEATS repeats x $STEPS steps, threads $THREADS)"
awk '
    $1 == "RESULT" { if (!($2 in v) || $3 < v[$2]) v[$2] = $3 }
    END {
        for (i = 1; i <= 2; i++) {
            n = (i == 1) ? "vit" : "mlp"
            printf "%s  training throughput DJL / PyTorch eager: %.2fx  (goal >= 1.00; torch %.1f ms, djl %.1f ms per step)\n", \
                n, v["torch_" n "_train_ms"] / v["djl_" n "_train_ms"], v["torch_" n "_train_ms"], v["djl_" n "_train_ms"]
            printf "%s  forward unmerged r=8 / base: %.3fx  (goal <= 1.10; base %.2f ms, unmerged %.2f ms)\n", n, \
                v["djl_" n "_fwd_unmerged_ms"] / v["djl_" n "_fwd_base_ms"], v["djl_" n "_fwd_base_ms"], v["djl_" n "_fwd_unmerged_ms"]
            printf "%s  forward merged / base:       %.3fx  (goal <= 1.02; merged %.2f ms)\n", n, \
                v["djl_" n "_fwd_merged_ms"] / v["djl_" n "_fwd_base_ms"], v["djl_" n "_fwd_merged_ms"]
        }
    }' "$OUT/results.txt"
