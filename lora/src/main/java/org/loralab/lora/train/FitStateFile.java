package org.loralab.lora.train;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A {@link FitState} as a file beside a parameter checkpoint: the step counters, the data cursor (epoch order, next
 * batch, the shuffling generator) and the optimizer's moments by parameter name, with the CRC-32 of the parameter
 * file it belongs to (a state never resumes with other weights). Read with every count checked against the file's
 * size before anything is allocated.
 */
final class FitStateFile {
    static final String MAGIC = "LORALAB-FITSTATE";
    static final int VERSION = 1;

    private FitStateFile() {}

    static byte[] encode(FitState s, Map<String, GroupedOptimizer.Moments> moments, long parametersCrc) {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(); DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(parametersCrc);
            out.writeLong(s.stepsDone());
            out.writeLong(s.plannedSteps());
            out.writeInt(s.batchSize());
            out.writeLong(s.nextBatch());
            long[] order = s.order();
            out.writeInt(order == null ? -1 : order.length);
            if (order != null) {
                for (long o : order) {
                    out.writeLong(o);
                }
            }
            byte[] random = randomBytes(s.randomOrNull());
            out.writeInt(random.length);
            out.write(random);
            out.writeInt(moments.size());
            for (Map.Entry<String, GroupedOptimizer.Moments> e : moments.entrySet()) {
                GroupedOptimizer.Moments m = e.getValue();
                out.writeUTF(e.getKey());
                out.writeInt(m.t());
                out.writeInt(m.shape().length);
                for (long d : m.shape()) {
                    out.writeLong(d);
                }
                out.writeInt(m.m().length);
                for (int i = 0; i < m.m().length; i++) {
                    out.writeFloat(m.m()[i]);
                    out.writeFloat(m.v()[i]);
                }
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FitState read(Path file, long parametersCrc) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all))) {
            if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
                throw bad(file, "not a LoRA Lab fit state (version " + VERSION + ")");
            }
            if (in.readLong() != parametersCrc) {
                throw bad(file, "it belongs to other parameters than the checkpoint beside it (CRC-32 differs)");
            }
            FitState s = new FitState();
            long done = in.readLong();
            long planned = in.readLong();
            int batch = in.readInt();
            long next = in.readLong();
            int n = in.readInt();
            if (done < 0 || planned < done || batch <= 0 || n < -1 || (long) n * 8 > all.length) {
                throw bad(file, "counters out of range");
            }
            long[] order = null;
            if (n >= 0) {
                order = new long[n];
                for (int i = 0; i < n; i++) {
                    order[i] = in.readLong();
                }
            }
            int rl = in.readInt();
            if (rl < 0 || rl > 1024) {
                throw bad(file, "bad random-generator state");
            }
            Random random = rl == 0 ? null : random(in.readNBytes(rl), file);
            int count = in.readInt();
            if (count < 0 || count > all.length / 8) {
                throw bad(file, "bad optimizer-state count " + count);
            }
            Map<String, GroupedOptimizer.Moments> moments = new LinkedHashMap<>();
            for (int k = 0; k < count; k++) {
                String name = in.readUTF();
                int t = in.readInt();
                int rank = in.readInt();
                if (rank < 0 || rank > 8) {
                    throw bad(file, "bad shape for " + name);
                }
                long[] shape = new long[rank];
                long size = 1;
                for (int d = 0; d < rank; d++) {
                    shape[d] = in.readLong();
                    size *= shape[d];
                }
                int len = in.readInt();
                if (len < 0 || len != size || (long) len * 8 > all.length) {
                    throw bad(file, "optimizer state for " + name + " does not match its shape");
                }
                float[] m = new float[len];
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    m[i] = in.readFloat();
                    v[i] = in.readFloat();
                }
                moments.put(name, new GroupedOptimizer.Moments(shape, m, v, t));
            }
            s.restore(done, planned, batch, next, order, random, moments);
            return s;
        } catch (IOException e) {
            throw bad(file, "truncated (" + e.getMessage() + ")");
        }
    }

    private static byte[] randomBytes(Random r) throws IOException {
        if (r == null) {
            return new byte[0];
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(r);
        }
        return b.toByteArray();
    }

    /** A copy of {@code r} in its current state. */
    static Random copy(Random r) {
        try {
            return r == null ? null : random(randomBytes(r), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Random random(byte[] bytes, Path file) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            // only java.util.Random: a state file is data, never code to run
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter("java.util.Random;!*;maxdepth=2;maxrefs=4"));
            return (Random) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw bad(file, "bad random-generator state");
        }
    }

    private static IllegalArgumentException bad(Path file, String why) {
        return new IllegalArgumentException("fit state " + file + ": " + why);
    }
}
