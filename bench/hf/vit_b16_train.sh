#!/usr/bin/env bash
# ViT-B/16 LoRA training step, DJL (through org.loralab.lora, checkpoint loaded by VitImageClassifier) against
# PyTorch eager (Debian python3-torch, /usr/bin/python3) on the same machine. See bench/hf/README.md.
# Usage: bench/hf/vit_b16_train.sh   (env: WARMUP=2 STEPS=2 FWD_STEPS=1 ROUNDS=3 THREADS=1
#                                          DIR=$TMPDIR/loralab-vit-b16)
# The two sides alternate ROUNDS times (one process per side and round); figures are the median over rounds with
# the spread (min-max). About 5-6 minutes at the defaults on a quiet 2-core machine (a step is ~8-10 s of one core).
set -euo pipefail
cd "$(dirname "$0")/../.."
WARMUP=${WARMUP:-2}  # with 1, DJL's timed steps came out ~25% slower in CPU time: likely not warm (bench/hf/README.md)
STEPS=${STEPS:-2}
FWD_STEPS=${FWD_STEPS:-1}  # DJL eval forwards (base, unmerged, merged), each after WARMUP warm-up forwards
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-1}  # 1: OpenMP barriers collapse when the 2 shared cores are oversubscribed (see bench/lora)
DIR=${DIR:-${TMPDIR:-/tmp}/loralab-vit-b16}
OUT=bench/hf/target
mkdir -p "$OUT/classes"
[ -s "$DIR/model.safetensors" ] || /usr/bin/python3 bench/hf/make_vit_b16.py "$DIR"
mvn -q -o -pl lora compile
[ -s "$OUT/cp.txt" ] || mvn -q -o -pl lora dependency:build-classpath -Dmdep.outputFile="$PWD/$OUT/cp.txt" >/dev/null
CP="lora/target/classes:$(cat "$OUT/cp.txt")"
javac -d "$OUT/classes" -cp "$CP" $(find bench/hf/src -name '*.java')

RESULTS="$OUT/vit-b16-train-results.txt"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u '+%F %T') UTC, $(nproc) cores)" | tee "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
    echo "== round $round: PyTorch eager, threads $THREADS"
    OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" /usr/bin/python3 bench/hf/bench_vit_b16_torch.py --steps "$STEPS" --warmup "$WARMUP" --threads "$THREADS" \
        | tee -a "$RESULTS"
    echo "== round $round: DJL, threads $THREADS"
    env DJL_OFFLINE=true OPT_OUT_TRACKING=true OMP_NUM_THREADS="$THREADS" java -Xmx2g \
        -Dai.djl.offline=true -DdisableProgressBar=true -Dai.djl.pytorch.num_threads="$THREADS" \
        -Dai.djl.pytorch.num_interop_threads=1 -cp "$OUT/classes:$CP" org.loralab.bench.hf.VitB16TrainBench \
        "$DIR" "$STEPS" "$WARMUP" "$FWD_STEPS" 2>/dev/null | tee -a "$RESULTS"
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u '+%F %T') UTC)" | tee -a "$RESULTS"

echo "== vit-b16: median (min-max) over $ROUNDS rounds; training $STEPS steps, eval forward $FWD_STEPS, each after" \
    "$WARMUP warm-up; threads $THREADS"
awk '
    function median(a, n,   i, j, t) {  # sorts a[1..n] in place
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function stat(name,   n, i, a) {  # "median (min-max)" of a RESULT over the rounds; med[name] keeps the median
        n = count[name]
        if (n == 0) { printf "missing RESULT %s (see the round output above)\n", name; failed = 1; return "?" }
        for (i = 1; i <= n; i++) a[i] = v[name, i]
        med[name] = median(a, n)
        return sprintf(fmt, med[name]) " (" sprintf(fmt, a[1]) "-" sprintf(fmt, a[n]) ")"
    }
    function ratio(torch, djl,   n, i, r) {  # per round PyTorch / DJL (the sides of a round ran back to back)
        n = count[torch] < count[djl] ? count[torch] : count[djl]
        for (i = 1; i <= n; i++) r[i] = v[torch, i] / v[djl, i]
        return sprintf("%.2fx (median of %d rounds, spread %.2f-%.2fx)", median(r, n), n, r[1], r[n])
    }
    $1 == "RESULT" { v[$2, ++count[$2]] = $3 }
    END {
        fmt = "%.0f"
        tw = stat("torch_vit_b16_train_ms"); tc = stat("torch_vit_b16_train_cpu_ms")
        dw = stat("djl_vit_b16_train_ms"); dc = stat("djl_vit_b16_train_cpu_ms")
        bw = stat("djl_vit_b16_fwd_base_ms"); bc = stat("djl_vit_b16_fwd_base_cpu_ms")
        uw = stat("djl_vit_b16_fwd_unmerged_ms"); uc = stat("djl_vit_b16_fwd_unmerged_cpu_ms")
        mw = stat("djl_vit_b16_fwd_merged_ms"); mc = stat("djl_vit_b16_fwd_merged_cpu_ms")
        fmt = "%.1f"; load = stat("djl_vit_b16_load_s")
        if (failed) exit 1
        print "vit-b16 training DJL / PyTorch eager: " ratio("torch_vit_b16_train_ms", "djl_vit_b16_train_ms") \
            "  [throughput: PyTorch ms / DJL ms per step, > 1 means DJL is faster; wall clock]"
        print "vit-b16 the same in process CPU time: " ratio("torch_vit_b16_train_cpu_ms", "djl_vit_b16_train_cpu_ms")
        print "vit-b16 training step ms, wall: PyTorch eager " tw ", DJL " dw "; CPU: PyTorch eager " tc ", DJL " dc
        printf "vit-b16 DJL eval forward ms (batch 8), wall: base %s, unmerged r=16 %s, merged %s; unmerged / base %.3fx, merged / base %.3fx\n", \
            bw, uw, mw, med["djl_vit_b16_fwd_unmerged_ms"] / med["djl_vit_b16_fwd_base_ms"], \
            med["djl_vit_b16_fwd_merged_ms"] / med["djl_vit_b16_fwd_base_ms"]
        printf "vit-b16 the same in CPU ms: base %s, unmerged %s, merged %s; unmerged / base %.3fx, merged / base %.3fx\n", \
            bc, uc, mc, med["djl_vit_b16_fwd_unmerged_cpu_ms"] / med["djl_vit_b16_fwd_base_cpu_ms"], \
            med["djl_vit_b16_fwd_merged_cpu_ms"] / med["djl_vit_b16_fwd_base_cpu_ms"]
        print "vit-b16 DJL checkpoint load (346 MB F32) with a new 101-label head: " load " s"
    }' "$RESULTS"
