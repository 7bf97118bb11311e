package dev.consilium.moe.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.tensor.NamedTensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads safetensors files: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw
 * little-endian data. Opens one file, a {@code *.index.json} of a sharded checkpoint, or a directory holding
 * either ({@value #INDEX_FILE} wins over {@value #SINGLE_FILE}).
 *
 * <p>The whole header is validated on open, with the reference implementation's rules: offsets start at 0,
 * follow each other with no gap or overlap, span exactly dtype size x numel, and end exactly at the end of the
 * file. Data is memory-mapped with 64-bit offsets, so files past 2 GB read as long as each tensor fits a
 * float[]. Files are never modified in place by this package, so an open reader sees fixed contents.
 */
public final class SafetensorsReader implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** DeepSeek-V3 quantizes weights in 128x128 blocks, one F32 inverse scale per block. */
    public static final int FP8_BLOCK = 128;
    public static final String SCALE_INV_SUFFIX = "_scale_inv";

    /** The reference implementation refuses larger headers; so do we, before allocating one. */
    private static final long MAX_HEADER = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final List<Shard> shards;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, Shard> shardOf;
    private final Map<String, String> metadata;

    private SafetensorsReader(String source, List<Shard> shards) {
        this.source = source;
        this.shards = shards;
        this.tensors = new TreeMap<>();
        this.shardOf = new HashMap<>();
        this.metadata = new LinkedHashMap<>();
        for (Shard s : shards) {
            for (TensorInfo t : s.tensors) {
                TensorInfo prev = tensors.put(t.name(), t);
                if (prev != null) {
                    close();
                    throw new CheckpointException(source + ": tensor '" + t.name() + "' is in both "
                            + prev.file().getFileName() + " and " + t.file().getFileName());
                }
                shardOf.put(t.name(), s);
            }
            metadata.putAll(s.metadata);
        }
    }

    /** Opens a safetensors file, an index of shards, or a directory holding one of them. */
    public static SafetensorsReader open(Path path) {
        if (Files.isDirectory(path)) {
            Path index = path.resolve(INDEX_FILE);
            if (Files.exists(index)) return openIndex(index);
            Path single = path.resolve(SINGLE_FILE);
            if (Files.exists(single)) return openFile(single);
            throw new CheckpointException(path + ": holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        if (path.getFileName().toString().endsWith(".index.json")) return openIndex(path);
        return openFile(path);
    }

    private static SafetensorsReader openFile(Path file) {
        return new SafetensorsReader(file.toString(), List.of(Shard.open(file)));
    }

    /** {@code {"metadata": {...}, "weight_map": {tensor: shard file name}}}, shards beside the index. */
    private static SafetensorsReader openIndex(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(index.toFile());
        } catch (JsonProcessingException e) {
            throw new CheckpointException(index + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CheckpointException(index + ": cannot read: " + e, e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new CheckpointException(index + ": missing \"weight_map\" object");
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (var e : map.properties()) {
            String shard = e.getValue().asText("");
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\")) {
                throw new CheckpointException(index + ": weight_map entry '" + e.getKey()
                        + "' must name a shard file beside the index, was " + e.getValue());
            }
            weightMap.put(e.getKey(), shard);
        }
        List<Shard> shards = new ArrayList<>();
        Map<String, Shard> byName = new HashMap<>();
        try {
            for (String shard : new TreeSet<>(weightMap.values())) {
                Shard s = Shard.open(index.resolveSibling(shard));
                shards.add(s);
                byName.put(shard, s);
            }
            for (var e : weightMap.entrySet()) {
                if (byName.get(e.getValue()).find(e.getKey()) == null) {
                    throw new CheckpointException(index + ": weight_map puts '" + e.getKey() + "' in "
                            + e.getValue() + ", which holds no such tensor");
                }
            }
        } catch (RuntimeException e) {
            shards.forEach(Shard::close);
            throw e;
        }
        return new SafetensorsReader(index.toString(), shards);
    }

    /** Every tensor, sorted by name. */
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    public Optional<TensorInfo> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    public TensorInfo tensor(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new CheckpointException(source + ": no tensor '" + name + "'");
        return t;
    }

    /** The {@code __metadata__} string map; for shards, their union. */
    public Map<String, String> metadata() {
        return Map.copyOf(metadata);
    }

    public float[] read(String name) {
        TensorInfo t = tensor(name);
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' has " + t.numel()
                    + " elements, too many for one float[]");
        }
        float[] out = new float[(int) t.numel()];
        read(name, out, 0);
        return out;
    }

    /** Reads the tensor into the named view, after checking that the shapes agree. */
    public void read(NamedTensor into) {
        TensorInfo t = tensor(into.name());
        if (!Arrays.equals(t.shape(), into.shape())) {
            throw new CheckpointException(t.file() + ": tensor '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(into.shape()));
        }
        read(t.name(), into.data(), into.offset());
    }

    /**
     * Converts the tensor to float into {@code dst[offset..offset+numel)}. An F8_E4M3 tensor with a companion
     * {@code <name>_scale_inv} (DeepSeek-V3's layout) is dequantized block-wise:
     * {@code w[i][j] = fp8(w[i][j]) * scale_inv[i/128][j/128]}.
     */
    public void read(String name, float[] dst, int offset) {
        TensorInfo t = tensor(name);
        if (offset < 0 || offset + t.numel() > dst.length) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' (" + t.numel()
                    + " elements) does not fit at offset " + offset + " of a buffer of " + dst.length);
        }
        if (!t.dtype().readsAsFloat()) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' has dtype " + t.dtype()
                    + ", which does not convert to float (F32, BF16, F16 and F8_E4M3 do)");
        }
        MemorySegment data = shardOf.get(name).data;
        int n = (int) t.numel();
        long at = t.begin();
        whileOpen(t, () -> {
            switch (t.dtype()) {
                case F32 -> MemorySegment.copy(data, F32, at, dst, offset, n);
                case BF16 -> {
                    for (int i = 0; i < n; i++) dst[offset + i] = FloatFormats.bf16ToFloat(data.get(I16, at + 2L * i));
                }
                case F16 -> {
                    for (int i = 0; i < n; i++) dst[offset + i] = FloatFormats.f16ToFloat(data.get(I16, at + 2L * i));
                }
                case F8_E4M3 -> {
                    for (int i = 0; i < n; i++) {
                        dst[offset + i] = FloatFormats.e4m3ToFloat(data.get(ValueLayout.JAVA_BYTE, at + i));
                    }
                }
                default -> throw new AssertionError(t.dtype());
            }
        });
        TensorInfo scale = tensors.get(name + SCALE_INV_SUFFIX);
        if (t.dtype() == DType.F8_E4M3 && scale != null) dequantize(t, scale, dst, offset);
    }

    /** The tensor's bytes as stored, little-endian: for weights kept in their own dtype, such as FP8. */
    public byte[] readBytes(String name) {
        TensorInfo t = tensor(name);
        if (t.byteSize() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' has " + t.byteSize() + " bytes, too many for one byte[]");
        }
        byte[] out = new byte[(int) t.byteSize()];
        whileOpen(t, () -> MemorySegment.copy(shardOf.get(name).data, ValueLayout.JAVA_BYTE, t.begin(), out, 0, out.length));
        return out;
    }

    /** A two-byte tensor's elements as stored (BF16 or F16 bits, I16, U16): for weights kept as BF16. */
    public short[] readShorts(String name) {
        TensorInfo t = tensor(name);
        if (t.dtype().bytes() != 2) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' has dtype " + t.dtype() + ", not a two-byte type");
        }
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(t.file() + ": tensor '" + name + "' has " + t.numel() + " elements, too many for one short[]");
        }
        short[] out = new short[(int) t.numel()];
        whileOpen(t, () -> MemorySegment.copy(shardOf.get(name).data, I16, t.begin(), out, 0, out.length));
        return out;
    }

    /**
     * The block scales of the 2-D FP8 weight {@code name}: its {@code <name>_scale_inv}, shape
     * (ceil(rows/128), ceil(cols/128)) as in DeepSeek-V3, row-major.
     */
    public float[] readBlockScales(String name) {
        TensorInfo w = tensor(name);
        TensorInfo scale = tensors.get(name + SCALE_INV_SUFFIX);
        if (scale == null) {
            throw new CheckpointException(w.file() + ": FP8 tensor '" + name + "' has no block scales '"
                    + name + SCALE_INV_SUFFIX + "'");
        }
        checkBlockScales(w, scale);
        return read(scale.name());
    }

    private static void whileOpen(TensorInfo t, Runnable copy) {
        try {
            copy.run();
        } catch (IllegalStateException e) {
            throw new CheckpointException(t.file() + ": reading tensor '" + t.name() + "' after the reader was closed", e);
        }
    }

    /** The tensors that {@link #read(String, float[], int)} consumes for {@code name}: itself and any scale. */
    public List<String> sourcesOf(String name) {
        TensorInfo t = tensor(name);
        String scale = name + SCALE_INV_SUFFIX;
        return t.dtype() == DType.F8_E4M3 && tensors.containsKey(scale) ? List.of(name, scale) : List.of(name);
    }

    private void dequantize(TensorInfo w, TensorInfo scale, float[] dst, int offset) {
        int[] expected = checkBlockScales(w, scale);
        int rows = w.shape()[0], cols = w.shape()[1];
        float[] s = read(scale.name());
        int sc = expected[1];
        for (int i = 0; i < rows; i++) {
            int row = offset + i * cols, srow = (i / FP8_BLOCK) * sc;
            for (int j = 0; j < cols; j++) dst[row + j] *= s[srow + j / FP8_BLOCK];
        }
    }

    /** The scale shape w's 128x128 blocks need, after checking that w is 2-D and scale has it. */
    private static int[] checkBlockScales(TensorInfo w, TensorInfo scale) {
        int[] ws = w.shape(), ss = scale.shape();
        if (ws.length != 2) {
            throw new CheckpointException(w.file() + ": FP8 tensor '" + w.name() + "' with block scales must be 2-D, has shape "
                    + Arrays.toString(ws));
        }
        int rows = ws[0], cols = ws[1];
        int[] expected = {ceilDiv(rows, FP8_BLOCK), ceilDiv(cols, FP8_BLOCK)};
        if (!Arrays.equals(ss, expected)) {
            throw new CheckpointException(scale.file() + ": tensor '" + scale.name() + "' has shape " + Arrays.toString(ss)
                    + ", expected " + Arrays.toString(expected) + " for " + FP8_BLOCK + "x" + FP8_BLOCK
                    + " blocks of '" + w.name() + "' " + Arrays.toString(ws));
        }
        return expected;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public void close() {
        shards.forEach(Shard::close);
    }

    /** One file: its validated header and its mapped data section. */
    private static final class Shard {
        final Path file;
        final List<TensorInfo> tensors;
        final Map<String, TensorInfo> byName = new HashMap<>();
        final Map<String, String> metadata;
        final Arena arena;
        final FileChannel channel;
        final MemorySegment data;

        private Shard(Path file, List<TensorInfo> tensors, Map<String, String> metadata, Arena arena,
                      FileChannel channel, MemorySegment data) {
            this.file = file;
            this.tensors = tensors;
            this.metadata = metadata;
            this.arena = arena;
            this.channel = channel;
            this.data = data;
            for (TensorInfo t : tensors) byName.put(t.name(), t);
        }

        TensorInfo find(String name) {
            return byName.get(name);
        }

        static Shard open(Path file) {
            FileChannel ch;
            try {
                ch = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new CheckpointException(file + ": no such file", e);
            } catch (IOException e) {
                throw new CheckpointException(file + ": cannot open: " + e, e);
            }
            Arena arena = Arena.ofShared();
            try {
                long size = ch.size();
                if (size < 8) throw new CheckpointException(file + ": " + size + " bytes, too short for a safetensors file");
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, len, 0);
                long n = len.getLong(0);
                if (n < 2 || n > size - 8) {
                    throw new CheckpointException(file + ": header length " + Long.toUnsignedString(n)
                            + " does not fit the file's " + (size - 8) + " bytes after the length prefix");
                }
                if (n > MAX_HEADER) {
                    throw new CheckpointException(file + ": header length " + n + " exceeds the " + MAX_HEADER + "-byte limit");
                }
                ByteBuffer header = ByteBuffer.allocate((int) n);
                readFully(ch, header, 8);
                long dataLen = size - 8 - n;
                Map<String, String> metadata = new LinkedHashMap<>();
                List<TensorInfo> tensors = parseHeader(file, header.array(), metadata);
                validate(file, tensors, dataLen);
                MemorySegment data = dataLen == 0 ? MemorySegment.NULL
                        : ch.map(FileChannel.MapMode.READ_ONLY, 8 + n, dataLen, arena);
                return new Shard(file, tensors, metadata, arena, ch, data);
            } catch (IOException e) {
                closeQuietly(arena, ch);
                throw new CheckpointException(file + ": cannot read: " + e, e);
            } catch (RuntimeException e) {
                closeQuietly(arena, ch);
                throw e;
            }
        }

        private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, position + buf.position());
                if (r < 0) throw new IOException("unexpected end of file");
            }
        }

        /** Streams the header so that duplicate names are caught (a tree parse would keep only the last). */
        private static List<TensorInfo> parseHeader(Path file, byte[] header, Map<String, String> metadata) {
            if (header[0] != '{') throw new CheckpointException(file + ": malformed header JSON: does not start with '{'");
            List<TensorInfo> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            try (JsonParser p = JSON.getFactory().createParser(header)) {
                if (p.nextToken() != JsonToken.START_OBJECT) throw new CheckpointException(file + ": malformed header JSON: not an object");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (!seen.add(name)) {
                        throw new CheckpointException(file + ": duplicate tensor name '" + name + "' in header");
                    }
                    p.nextToken();
                    JsonNode value = p.readValueAsTree();
                    if (name.equals("__metadata__")) {
                        readMetadata(file, value, metadata);
                    } else {
                        out.add(readEntry(file, name, value));
                    }
                }
                if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                    throw new CheckpointException(file + ": malformed header JSON: content after the header object");
                }
            } catch (JsonProcessingException e) {
                throw new CheckpointException(file + ": malformed header JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new CheckpointException(file + ": malformed header JSON: " + e, e);
            }
            return out;
        }

        private static void readMetadata(Path file, JsonNode value, Map<String, String> metadata) {
            if (!value.isObject()) throw new CheckpointException(file + ": \"__metadata__\" must be an object of strings");
            for (var e : value.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new CheckpointException(file + ": \"__metadata__\"." + e.getKey() + " must be a string, was " + e.getValue());
                }
                metadata.put(e.getKey(), e.getValue().asText());
            }
        }

        private static TensorInfo readEntry(Path file, String name, JsonNode v) {
            String where = file + ": tensor '" + name + "'";
            if (!v.isObject()) throw new CheckpointException(where + ": entry must be an object, was " + v);
            JsonNode dt = v.get("dtype"), shape = v.get("shape"), offsets = v.get("data_offsets");
            if (dt == null || !dt.isTextual()) throw new CheckpointException(where + ": missing string \"dtype\"");
            DType dtype = DType.parse(dt.asText());
            if (dtype == null) throw new CheckpointException(where + ": unknown dtype \"" + dt.asText() + "\"");
            if (shape == null || !shape.isArray()) throw new CheckpointException(where + ": missing \"shape\" array");
            int[] dims = new int[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                JsonNode d = shape.get(i);
                if (!d.canConvertToInt() || !d.isIntegralNumber() || d.asInt() < 0) {
                    throw new CheckpointException(where + ": shape " + shape + " must hold integers in [0, 2^31)");
                }
                dims[i] = d.asInt();
            }
            if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                    || !offsets.get(1).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                    || !offsets.get(1).canConvertToLong() || offsets.get(0).asLong() < 0 || offsets.get(1).asLong() < 0) {
                throw new CheckpointException(where + ": \"data_offsets\" must be two non-negative integers, was " + offsets);
            }
            return new TensorInfo(name, dtype, dims, offsets.get(0).asLong(), offsets.get(1).asLong(), file);
        }

        private static void validate(Path file, List<TensorInfo> tensors, long dataLen) {
            List<TensorInfo> byOffset = new ArrayList<>(tensors);
            byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
            long expected = 0;
            TensorInfo prev = null;
            for (TensorInfo t : byOffset) {
                String where = file + ": tensor '" + t.name() + "'";
                if (t.end() < t.begin()) {
                    throw new CheckpointException(where + ": data_offsets [" + t.begin() + ", " + t.end() + "] end before they begin");
                }
                if (t.begin() < expected) {
                    throw new CheckpointException(where + ": data_offsets [" + t.begin() + ", " + t.end()
                            + "] overlap tensor '" + prev.name() + "' ending at " + expected);
                }
                if (t.begin() > expected) {
                    throw new CheckpointException(where + ": data_offsets [" + t.begin() + ", " + t.end()
                            + "] leave a gap after byte " + expected + (prev == null ? "" : " (end of '" + prev.name() + "')"));
                }
                long need;
                try {
                    need = Math.multiplyExact(t.numel(), t.dtype().bytes());
                } catch (ArithmeticException e) {
                    throw new CheckpointException(where + ": shape " + Arrays.toString(t.shape()) + " overflows a byte count");
                }
                if (t.byteSize() != need) {
                    throw new CheckpointException(where + ": data_offsets [" + t.begin() + ", " + t.end() + "] span "
                            + t.byteSize() + " bytes, but " + t.dtype() + " " + Arrays.toString(t.shape()) + " needs " + need);
                }
                if (t.end() > dataLen) {
                    throw new CheckpointException(where + ": truncated file: data ends at byte " + t.end()
                            + " of the data section, which holds only " + dataLen);
                }
                expected = t.end();
                prev = t;
            }
            if (expected != dataLen) {
                throw new CheckpointException(file + ": " + (dataLen - expected) + " bytes after the last tensor's data");
            }
        }

        void close() {
            closeQuietly(arena, channel);
        }

        private static void closeQuietly(Arena arena, FileChannel ch) {
            try {
                arena.close();
            } catch (IllegalStateException alreadyClosed) {
                // close() is idempotent for callers; the arena is not.
            }
            try {
                ch.close();
            } catch (IOException ignored) {
                // Read-only: nothing was written that closing could lose.
            }
        }
    }
}
