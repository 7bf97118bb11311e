package dev.consilium.moe.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.moe.tensor.NamedTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes safetensors files the way the reference implementation does, so Python's {@code safetensors} and
 * {@code transformers} load them: tensors sorted by name and laid out in that order, {@code __metadata__}
 * first with {@code "format": "pt"}, and the header padded with spaces to a multiple of 8 bytes so the data
 * section starts 8-aligned. The other {@code __metadata__} keys follow in sorted order, whatever map holds them
 * ({@code Map.of} iterates in an order that changes from one JVM to the next), so the same tensors and metadata
 * give the same bytes in every run.
 */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Floats converted per write call; large enough to amortize the system call, small enough to stay in cache. */
    private static final int CHUNK = 1 << 16;

    /** F32, metadata {"format": "pt"}. */
    public static void write(Path file, List<NamedTensor> tensors) {
        write(file, tensors, DType.F32, Map.of());
    }

    /**
     * Replaces {@code file} atomically (temp file, fsync, rename), so a reader sees the old file or the new
     * one. {@code dtype} is F32 or BF16 (rounded to nearest even); {@code metadata} is added to
     * {"format": "pt"}.
     */
    public static void write(Path file, List<NamedTensor> tensors, DType dtype, Map<String, String> metadata) {
        byte[] header = header(file, tensors, dtype, metadata);
        try {
            AtomicFiles.replaceFile(file, ch -> writeTo(ch, header, tensors, dtype));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write: " + e, e);
        }
    }

    /** Writes a new file in place (it must not exist), forced to disk; the checkpoint's temp directory uses it. */
    static void writeNew(Path file, List<NamedTensor> tensors, DType dtype, Map<String, String> metadata) throws IOException {
        byte[] header = header(file, tensors, dtype, metadata);
        AtomicFiles.writeDurably(file, ch -> writeTo(ch, header, tensors, dtype));
    }

    /**
     * Tensors already in their stored dtypes, each its own, as {@link #write(Path, List, DType, Map)} does
     * otherwise: sorted by name, replacing {@code file} atomically.
     */
    public static void writeEncoded(Path file, List<EncodedTensor> tensors, Map<String, String> metadata) {
        byte[] header = encodedHeader(file, tensors, metadata);
        try {
            AtomicFiles.replaceFile(file, ch -> writeEncodedTo(ch, header, tensors));
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot write: " + e, e);
        }
    }

    /** {@link #writeEncoded} into a new file, forced to disk, for the checkpoint's temp directory. */
    static void writeNewEncoded(Path file, List<EncodedTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = encodedHeader(file, tensors, metadata);
        AtomicFiles.writeDurably(file, ch -> writeEncodedTo(ch, header, tensors));
    }

    private static byte[] encodedHeader(Path file, List<EncodedTensor> tensors, Map<String, String> metadata) {
        return header(file, tensors.stream().map(t -> new Entry(t.name(), t.dtype(), t.shape())).toList(), metadata);
    }

    private static void writeEncodedTo(FileChannel ch, byte[] header, List<EncodedTensor> tensors) throws IOException {
        writeHeader(ch, header);
        List<EncodedTensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(EncodedTensor::name));
        for (EncodedTensor t : sorted) writeFully(ch, ByteBuffer.wrap(t.data()));
    }

    /** One header entry, whatever holds the data. */
    private record Entry(String name, DType dtype, int[] shape) {}

    private static List<NamedTensor> sorted(List<NamedTensor> tensors) {
        List<NamedTensor> s = new ArrayList<>(tensors);
        s.sort(Comparator.comparing(NamedTensor::name));
        return s;
    }

    private static byte[] header(Path file, List<NamedTensor> tensors, DType dtype, Map<String, String> metadata) {
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new CheckpointException(file + ": cannot write dtype " + dtype + "; F32 and BF16 are supported");
        }
        return header(file, tensors.stream().map(t -> new Entry(t.name(), dtype, t.shape())).toList(), metadata);
    }

    private static byte[] header(Path file, List<Entry> tensors, Map<String, String> metadata) {
        Set<String> names = new HashSet<>();
        for (Entry t : tensors) {
            if (t.name().equals("__metadata__")) throw new CheckpointException(file + ": '__metadata__' is reserved, not a tensor name");
            if (!names.add(t.name())) throw new CheckpointException(file + ": duplicate tensor name '" + t.name() + "'");
        }
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putObject("__metadata__");
        m.put("format", "pt");
        new TreeMap<>(metadata).forEach(m::put);
        long offset = 0;
        List<Entry> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparing(Entry::name));
        for (Entry t : sorted) {
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (int d : t.shape()) shape.add(d);
            long end = offset + NamedTensor.numel(t.shape()) * t.dtype().bytes();
            e.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot encode header: " + e, e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static void writeTo(FileChannel ch, byte[] header, List<NamedTensor> tensors, DType dtype) throws IOException {
        writeHeader(ch, header);
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (NamedTensor t : sorted(tensors)) {
            float[] data = t.data();
            int n = t.size();
            for (int done = 0; done < n; done += CHUNK) {
                int k = Math.min(CHUNK, n - done), from = t.offset() + done;
                buf.clear();
                if (dtype == DType.F32) {
                    buf.asFloatBuffer().put(data, from, k);
                    buf.limit(4 * k);
                } else {
                    for (int i = 0; i < k; i++) buf.putShort(FloatFormats.floatToBf16(data[from + i]));
                    buf.flip();
                }
                writeFully(ch, buf);
            }
        }
    }

    /** The 8-byte little-endian length, then the padded header. */
    private static void writeHeader(FileChannel ch, byte[] header) throws IOException {
        writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
        writeFully(ch, ByteBuffer.wrap(header));
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
