package org.loralab.lora.io.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * One open .safetensors file. The header is validated on open; each {@link #read} reads one tensor's bytes from the
 * channel straight into the buffer that becomes the array's storage (converting 16-bit floats on the way), so a
 * tensor exists once in memory.
 */
final class SafetensorsFile implements TensorSource {
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final Header header;

    private SafetensorsFile(Path file, FileChannel channel, Header header) {
        this.file = file;
        this.channel = channel;
        this.header = header;
    }

    static SafetensorsFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, not a safetensors file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": is not a regular file (a FIFO, socket or device?), not a safetensors file");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UncheckedIOException(file + ": no such file", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new UncheckedIOException(file + ": permission denied", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return new SafetensorsFile(file, ch, Header.read(file, ch));
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return header.tensors();
    }

    @Override
    public Map<String, String> metadata() {
        return header.metadata();
    }

    @Override
    public Path file(String name) {
        return file;
    }

    @Override
    public NDArray read(String name, NDManager manager, DataType target) {
        TensorInfo t = header.tensors().get(name);
        if (t == null) {
            throw Header.bad(file, "no tensor " + Names.quote(name));
        }
        Dtype d = Dtype.parse(t.dtype());
        Shape shape = new Shape(t.shape());
        if (d.isFloat()) {
            if (target != DataType.FLOAT32 && target != DataType.FLOAT16 && target != DataType.FLOAT64) {
                throw new IllegalArgumentException("cannot load " + file + " tensor " + Names.quote(name) + " as "
                        + target + ": choose float32, float16 or float64 (the engine has no bfloat16 support here)");
            }
            Dtype stored = d == Dtype.F16 && target == DataType.FLOAT16 ? Dtype.F16 : d == Dtype.F64 ? Dtype.F64 : Dtype.F32;
            NDArray a = manager.create(bytes(t, d, stored), shape, stored.djl);
            if (a.getDataType() == target) {
                return a;
            }
            try (NDArray owned = a) {
                return owned.toType(target, false);
            }
        }
        if (d.djl == null) {
            throw new IllegalArgumentException(file + ": tensor " + Names.quote(name) + " has dtype " + t.dtype()
                    + ", which cannot be loaded here");
        }
        return manager.create(bytes(t, d, d), shape, d.djl);
    }

    /** The tensor's bytes as {@code out} (the stored dtype, or F32 widened from F16/BF16), in a direct buffer. */
    private ByteBuffer bytes(TensorInfo t, Dtype in, Dtype out) {
        long n = t.end() - t.begin();
        long outBytes = n / in.size * out.size;
        if (outBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(file + ": tensor " + Names.quote(t.name()) + " has " + outBytes
                    + " bytes as " + out + ", over the 2 GiB a single array can hold here");
        }
        ByteBuffer dst = ByteBuffer.allocateDirect((int) outBytes).order(ByteOrder.LITTLE_ENDIAN);
        long pos = header.dataStart() + t.begin();
        try {
            if (in == out) {
                readFully(dst, pos);
            } else {
                widen(in, n, pos, dst);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": reading tensor " + Names.quote(t.name()) + ": " + e.getMessage(), e);
        }
        return dst.flip();
    }

    private void widen(Dtype in, long n, long pos, ByteBuffer dst) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, n)).order(ByteOrder.LITTLE_ENDIAN);
        long done = 0;
        while (done < n) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), n - done));
            readFully(chunk, pos + done);
            chunk.flip();
            while (chunk.remaining() >= 2) {
                short s = chunk.getShort();
                dst.putInt(in == Dtype.BF16 ? HalfFloats.bf16ToF32Bits(s) : HalfFloats.f16ToF32Bits(s));
            }
            done += chunk.limit();
        }
    }

    private void readFully(ByteBuffer dst, long pos) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int r = channel.read(dst, p);
            if (r < 0) {
                throw new IOException("the file ended early (it changed on disk after it was opened)");
            }
            p += r;
        }
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing was written through it
        }
    }
}
