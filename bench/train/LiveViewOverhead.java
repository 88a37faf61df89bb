import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.loralab.ext.live.Display;
import org.loralab.ext.live.LiveTrainingView;
import org.loralab.lora.train.Fit;
import org.loralab.lora.train.FitOptions;
import org.loralab.lora.train.SyntheticTasks;
import org.loralab.lora.train.TrainingReport;

/**
 * Overhead of the live training view (progress bar + loss chart) on a training run, against no listener.
 * The display encodes every update as a kernel would (PNG + base64 for charts, the HTML string for the bar);
 * only the ZMQ send is missing. Runs alternate so drift hits both arms; the ratios of medians are printed, for wall
 * time and for process CPU time (the latter stays meaningful on a machine shared with other jobs).
 */
public class LiveViewOverhead {
    static final int TRAIN = Integer.getInteger("train", 8192);

    /** CPU time of the whole process (all threads: PyTorch's, the encoder's, GC), robust to a loaded machine. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static final class EncodingDisplay implements Display {
        long bytes;
        int shows;
        int updates;

        @Override
        public String show(Object value, String mime) {
            shows++;
            encode(value);
            return "id" + shows;
        }

        @Override
        public void update(String id, Object value, String mime) {
            updates++;
            encode(value);
        }

        private void encode(Object value) {
            try {
                if (value instanceof RenderedImage img) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    ImageIO.write(img, "png", out);
                    bytes += Base64.getEncoder().encodeToString(out.toByteArray()).length();
                } else {
                    bytes += String.valueOf(value).length();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    public static void main(String[] args) {
        int epochs = Integer.parseInt(System.getProperty("epochs", "3"));
        int reps = Integer.parseInt(System.getProperty("reps", "3"));
        try (NDManager m = NDManager.newBaseManager()) {
            SyntheticTasks.Split data = SyntheticTasks.blobs(m, TRAIN, 1024, 64, 10, 2.0, 1);
            run(data, epochs, null); // warm-up: JIT, native init
            TrainingReport warm = run(data, 1, new EncodingDisplay());
            // Java2D needs a few dozen charts before it is compiled (~250 ms cold, ~50 ms warm per chart): a
            // notebook pays that once per kernel, so it is kept out of the per-run figure
            EncodingDisplay sink = new EncodingDisplay();
            for (int i = 0; i < 40; i++) {
                sink.show(org.loralab.ext.render.ChartImages.image(org.loralab.ext.render.Charts.training(warm)),
                        "image/png");
            }
            double[] plain = new double[reps];
            double[] live = new double[reps];
            double[] plainCpu = new double[reps];
            double[] liveCpu = new double[reps];
            EncodingDisplay last = null;
            for (int i = 0; i < reps; i++) {
                long c0 = cpuNanos();
                plain[i] = run(data, epochs, null).wallSeconds();
                long c1 = cpuNanos();
                last = new EncodingDisplay();
                live[i] = run(data, epochs, last).wallSeconds();
                long c2 = cpuNanos();
                plainCpu[i] = (c1 - c0) / 1e9;
                liveCpu[i] = (c2 - c1) / 1e9;
                System.out.printf("rep %d: no listener %.3f s wall / %.3f s cpu, live view %.3f s wall / %.3f s cpu%n",
                        i + 1, plain[i], plainCpu[i], live[i], liveCpu[i]);
                System.out.flush();
            }
            double p = median(plain);
            double l = median(live);
            double pc = median(plainCpu);
            double lc = median(liveCpu);
            System.out.printf("steps per run: %d; live view per run: %d shows, %d updates, %d bytes encoded%n",
                    epochs * (TRAIN / 64), last.shows, last.updates, last.bytes);
            System.out.printf("median wall: no listener %.3f s, live view %.3f s; ratio %.4f (overhead %.2f%%)%n",
                    p, l, l / p, 100 * (l / p - 1));
            System.out.printf("median process CPU: no listener %.3f s, live view %.3f s; ratio %.4f (overhead %.2f%%)%n",
                    pc, lc, lc / pc, 100 * (lc / pc - 1));
        }
    }

    static TrainingReport run(SyntheticTasks.Split data, int epochs, Display display) {
        try (Model model = Model.newInstance("bench")) {
            SequentialBlock b = new SequentialBlock().add(Linear.builder().setUnits(256).build())
                    .add(Activation::relu).add(Linear.builder().setUnits(10).build());
            model.setBlock(b);
            b.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 64));
            FitOptions o = FitOptions.defaults().epochs(epochs).batchSize(64).lr(1e-3).seed(3);
            if (display != null) {
                o.listener(new LiveTrainingView(display));
            }
            return Fit.fit(model, data.train(), data.validation(), o);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
