package dev.consilium.moe.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.moe.optim.OptimizerState;
import dev.consilium.moe.tensor.NamedTensor;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A checkpoint directory in the Hugging Face DeepSeek-V3 layout, so weights move to and from the Python world:
 * <ul>
 *   <li>{@value #CONFIG}: the model config, as given.</li>
 *   <li>{@value #WEIGHTS}: parameters and buffers by name, F32 (fp32 master weights, so a resume is exact).
 *       Loading also accepts a sharded {@code model.safetensors.index.json}, BF16, F16, and DeepSeek FP8.</li>
 *   <li>{@value #TOKENIZER}: optional, bytes as given.</li>
 *   <li>{@value #TRAINING_STATE} and {@value #OPTIMIZER}: optional, see {@link TrainingState}. Named apart from
 *       Hugging Face Trainer's {@code trainer_state.json} and {@code optimizer.pt}, whose contents differ.</li>
 * </ul>
 *
 * <h2>Atomic save</h2>
 * For a target directory {@code D}, {@code save} uses three siblings: {@code D.lock}, {@code D.tmp-XXXXXXXX}
 * and {@code D.old}.
 * <ol>
 *   <li>Lock {@code D.lock} exclusively (an OS file lock, released if the process dies), so there is one
 *       writer at a time and step 2 never touches a live writer's files.</li>
 *   <li>Recover from a crashed save: if {@code D} is missing and {@code D.old} exists, rename {@code D.old}
 *       back to {@code D}; if both exist, delete {@code D.old}; delete every {@code D.tmp-*}.</li>
 *   <li>Write every file into a fresh {@code D.tmp-XXXXXXXX}, fsync each file, then the directory.</li>
 *   <li>If {@code D} exists, rename it to {@code D.old}; fsync the parent.</li>
 *   <li>Rename {@code D.tmp-XXXXXXXX} to {@code D}; fsync the parent. The save is now durable.</li>
 *   <li>Delete {@code D.old}; fsync the parent.</li>
 * </ol>
 * Invariant: {@code D}, whenever it exists, is complete, because it only ever appears by an atomic rename of
 * a complete, synced directory; and whenever {@code D} is missing after a first save, {@code D.old} is complete
 * (between steps 4 and 5). So {@link #load} reads {@code D}, or {@code D.old} when {@code D} is missing, and at
 * every instant sees one whole checkpoint, the old or the new, never a mix. A crash leaves at worst a stale
 * {@code D.tmp-*} or {@code D.old}, which the next save removes and loads ignore.
 *
 * <p>Loads take no lock, so a server may load while a trainer saves: a load notes the directory's file key
 * (device and inode), reads, and reads again if a save swapped the directory in the meantime. Where the file
 * system reports no file key (Windows), that check is void and concurrent load and save must be avoided.
 *
 * <p>Save replaces {@code D} as a whole: files in it that save does not write are gone afterwards. It refuses a
 * non-empty {@code D} without {@value #CONFIG}, so a wrong path cannot wipe an unrelated directory.
 */
public final class Checkpoint {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = SafetensorsReader.SINGLE_FILE;
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TRAINING_STATE = "training_state.json";
    public static final String OPTIMIZER = "optimizer.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A file lock is per process; within one, threads queue here instead of failing to lock. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();
    private static final int READ_ATTEMPTS = 5;
    /** The file key of a directory that vanished: unequal to any real key. */
    private static final Object GONE = new Object();

    private Checkpoint() {}

    /** What {@link #load} read besides the weights it copied into the given views. */
    public record Loaded(Path dir, String configJson, byte[] tokenizerJson, TrainingState trainingState,
                         List<String> unusedTensors) {
        public Loaded {
            unusedTensors = List.copyOf(unusedTensors);
        }
    }

    /** A checkpoint's listing: its files, config, and tensor headers, without reading any tensor data. */
    public record Contents(Path dir, List<String> files, String configJson, List<TensorInfo> weights,
                           List<TensorInfo> optimizerTensors) {
        public Contents {
            files = List.copyOf(files);
            weights = List.copyOf(weights);
            optimizerTensors = List.copyOf(optimizerTensors);
        }
    }

    public static void save(Path dir, String configJson, List<NamedTensor> params, List<NamedTensor> buffers,
                            byte[] tokenizerJson) {
        save(dir, configJson, params, buffers, tokenizerJson, null);
    }

    /**
     * Saves atomically (see the class comment); when this returns, the new checkpoint is on disk.
     *
     * @param tokenizerJson null to write no {@value #TOKENIZER}.
     * @param trainingState null to write no training state.
     */
    public static void save(Path dir, String configJson, List<NamedTensor> params, List<NamedTensor> buffers,
                            byte[] tokenizerJson, TrainingState trainingState) {
        List<NamedTensor> weights = concat(params, buffers);
        requireUniqueNames(dir.resolve(WEIGHTS), weights);
        if (trainingState != null && trainingState.optimizer() != null) {
            requireUniqueNames(dir.resolve(OPTIMIZER), trainingState.optimizer().tensors());
        }
        save(dir, configJson, tokenizerJson, trainingState,
                file -> SafetensorsWriter.writeNew(file, weights, DType.F32, Map.of()));
    }

    /**
     * Saves weights already in their stored dtypes (a BF16 or FP8 copy for inference), atomically as
     * {@link #save(Path, String, List, List, byte[], TrainingState)} does, with no training state.
     */
    public static void saveEncoded(Path dir, String configJson, List<EncodedTensor> weights, byte[] tokenizerJson) {
        save(dir, configJson, tokenizerJson, null, file -> SafetensorsWriter.writeNewEncoded(file, weights, Map.of()));
    }

    /** Writes {@value #WEIGHTS} into a fresh directory. */
    @FunctionalInterface
    private interface WeightsWriter {
        void write(Path file) throws IOException;
    }

    private static void save(Path dir, String configJson, byte[] tokenizerJson, TrainingState trainingState,
                             WeightsWriter weights) {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null) throw new CheckpointException(dir + ": a checkpoint cannot be a file-system root");
        checkConfig(target, configJson);
        String name = target.getFileName().toString();
        IN_PROCESS.lock();
        try {
            Files.createDirectories(parent);
            try (FileChannel lockFile = FileChannel.open(parent.resolve(name + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                lockFile.lock(); // released when the channel closes, or when the process dies
                recover(target);
                refuseForeignDirectory(target);
                Path tmp = parent.resolve(name + ".tmp-" + AtomicFiles.randomSuffix());
                try {
                    Files.createDirectory(tmp);
                    writeFiles(tmp, configJson, weights, tokenizerJson, trainingState);
                    AtomicFiles.fsyncDirectory(tmp);
                    swapIn(tmp, target);
                } finally {
                    AtomicFiles.deleteRecursively(tmp);
                }
            }
        } catch (IOException e) {
            throw new CheckpointException(target + ": cannot save checkpoint: " + e, e);
        } finally {
            IN_PROCESS.unlock();
        }
    }

    /**
     * Copies the checkpoint's tensors into the given views, by name, after checking that every view's tensor
     * exists with the view's shape (none is written otherwise). BF16, F16 and FP8 weights convert to float.
     */
    public static Loaded load(Path dir, List<NamedTensor> params, List<NamedTensor> buffers) {
        return load(dir, params, buffers, false);
    }

    /**
     * {@link #load(Path, List, List)}, and with {@code requireFinite} a NaN or infinite weight is refused, named
     * by file, tensor and element: what a model's weights must be, unlike the bits this layer round-trips
     * (an optimizer's state, say). Shape errors then name the directory's config, which the views follow.
     */
    static Loaded load(Path dir, List<NamedTensor> params, List<NamedTensor> buffers, boolean requireFinite) {
        List<NamedTensor> views = concat(params, buffers);
        requireUniqueNames(dir, views);
        return readConsistently(dir, live -> {
            String config = readConfigIn(live);
            byte[] tokenizer = readIfExists(live.resolve(TOKENIZER));
            List<String> unused;
            try (SafetensorsReader weights = SafetensorsReader.open(live)) {
                unused = copyInto(weights, views, requireFinite ? live.resolve(CONFIG) : null, requireFinite);
            }
            return new Loaded(live, config, tokenizer, readTrainingState(live), unused);
        });
    }

    /**
     * Checks that {@code reader} holds every tensor of {@code expected} in its shape, reading no data; the
     * error lists what is missing or misshapen (a transposed matrix is called that), and with {@code config}
     * non-null, names the config the shapes come from.
     */
    static void requireShapes(SafetensorsReader reader, Map<String, int[]> expected, Path config) {
        List<String> problems = new ArrayList<>();
        Path source = null;
        for (var e : expected.entrySet()) {
            String name = e.getKey();
            int[] want = e.getValue();
            var t = reader.find(name);
            if (t.isEmpty()) {
                problems.add("missing tensor '" + name + "', expected shape " + Arrays.toString(want));
                continue;
            }
            int[] found = t.get().shape();
            if (Arrays.equals(found, want)) continue;
            if (source == null) source = t.get().file();
            boolean transposed = found.length == 2 && want.length == 2 && found[0] == want[1] && found[1] == want[0];
            problems.add("tensor '" + name + "' has shape " + Arrays.toString(found) + ", expected " + Arrays.toString(want)
                    + (transposed ? " (stored transposed)" : ""));
        }
        if (problems.isEmpty()) return;
        if (source == null) source = reader.tensors().isEmpty() ? null : reader.tensors().getFirst().file();
        int shown = Math.min(problems.size(), 10);
        throw new CheckpointException((source == null ? "checkpoint" : source.toString()) + ": "
                + String.join("; ", problems.subList(0, shown))
                + (problems.size() > shown ? "; and " + (problems.size() - shown) + " more" : "")
                + (config == null ? "" : "; the expected shapes follow " + config
                        + ": fix the config or convert the weights to the layout it describes"));
    }

    /** The config alone, to build a model before loading into its views. */
    public static String readConfig(Path dir) {
        return readConsistently(dir, Checkpoint::readConfigIn);
    }

    /** Whether {@code dir} holds a loadable checkpoint (counting the backup of an interrupted save). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG)) || Files.isRegularFile(backupOf(dir).resolve(CONFIG));
    }

    public static Contents inspect(Path dir) {
        return readConsistently(dir, live -> {
            List<String> files;
            try (Stream<Path> s = Files.list(live)) {
                files = s.map(p -> p.getFileName().toString()).sorted().toList();
            } catch (IOException e) {
                throw new CheckpointException(live + ": cannot list: " + e, e);
            }
            String config = readConfigIn(live);
            List<TensorInfo> weights;
            try (SafetensorsReader r = SafetensorsReader.open(live)) {
                weights = r.tensors();
            }
            List<TensorInfo> optimizer = List.of();
            if (Files.exists(live.resolve(OPTIMIZER))) {
                try (SafetensorsReader r = SafetensorsReader.open(live.resolve(OPTIMIZER))) {
                    optimizer = r.tensors();
                }
            }
            return new Contents(live, files, config, weights, optimizer);
        });
    }

    // ---- save ----

    private static void writeFiles(Path tmp, String configJson, WeightsWriter weights, byte[] tokenizerJson,
                                   TrainingState state) throws IOException {
        AtomicFiles.writeDurably(tmp.resolve(CONFIG), configJson.getBytes(StandardCharsets.UTF_8));
        if (tokenizerJson != null) AtomicFiles.writeDurably(tmp.resolve(TOKENIZER), tokenizerJson);
        weights.write(tmp.resolve(WEIGHTS));
        if (state == null) return;
        AtomicFiles.writeDurably(tmp.resolve(TRAINING_STATE), state.toJson());
        OptimizerState opt = state.optimizer();
        if (opt != null) {
            SafetensorsWriter.writeNew(tmp.resolve(OPTIMIZER), opt.tensors(), DType.F32,
                    Map.of("optimizer", opt.kind(), "step", Long.toString(opt.step())));
        }
    }

    /** Steps 4 to 6 of the protocol. */
    private static void swapIn(Path tmp, Path target) throws IOException {
        Path parent = target.getParent();
        Path old = backupOf(target);
        if (Files.exists(target)) {
            AtomicFiles.move(target, old);
            AtomicFiles.fsyncDirectory(parent);
        }
        AtomicFiles.move(tmp, target);
        AtomicFiles.fsyncDirectory(parent);
        try {
            AtomicFiles.deleteRecursively(old);
            AtomicFiles.fsyncDirectory(parent);
        } catch (IOException e) {
            // The new checkpoint is already durable; a backup left behind is removed by the next save's recovery.
        }
    }

    /** Step 2 of the protocol; the caller holds the lock, so every temp directory found is a dead writer's. */
    private static void recover(Path target) throws IOException {
        Path parent = target.getParent();
        Path old = backupOf(target);
        if (!Files.exists(target) && Files.exists(old)) {
            AtomicFiles.move(old, target);
        } else {
            AtomicFiles.deleteRecursively(old);
        }
        String prefix = target.getFileName() + ".tmp-";
        List<Path> stale;
        try (Stream<Path> s = Files.list(parent)) {
            stale = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path p : stale) AtomicFiles.deleteRecursively(p);
        AtomicFiles.fsyncDirectory(parent);
    }

    private static void refuseForeignDirectory(Path target) throws IOException {
        if (!Files.exists(target) || Files.exists(target.resolve(CONFIG))) return;
        if (!Files.isDirectory(target)) throw new CheckpointException(target + ": exists and is not a directory");
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isPresent()) {
                throw new CheckpointException(target + ": is a non-empty directory without " + CONFIG
                        + ", not a checkpoint; refusing to replace it");
            }
        }
    }

    private static void checkConfig(Path target, String configJson) {
        if (configJson == null) throw new CheckpointException(target.resolve(CONFIG) + ": config is null");
        JsonNode root;
        try {
            root = JSON.readTree(configJson);
        } catch (IOException e) {
            throw new CheckpointException(target.resolve(CONFIG) + ": config is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(target.resolve(CONFIG) + ": config is not a JSON object");
    }

    // ---- load ----

    /** {@code config}: the file the views' shapes follow, for errors, or null. */
    private static List<String> copyInto(SafetensorsReader reader, List<NamedTensor> views, Path config,
                                         boolean requireFinite) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (NamedTensor v : views) shapes.put(v.name(), v.shape());
        requireShapes(reader, shapes, config);
        Set<String> used = new HashSet<>();
        for (NamedTensor v : views) {
            reader.read(v.name(), v.data(), v.offset());
            if (requireFinite) FiniteWeights.require(reader.tensor(v.name()), v.data(), v.offset(), v.size());
            used.addAll(reader.sourcesOf(v.name()));
        }
        return reader.tensors().stream().map(TensorInfo::name).filter(n -> !used.contains(n)).toList();
    }

    private static TrainingState readTrainingState(Path live) {
        byte[] json = readIfExists(live.resolve(TRAINING_STATE));
        if (json == null) return null;
        OptimizerState optimizer = null;
        Path file = live.resolve(OPTIMIZER);
        if (Files.exists(file)) {
            try (SafetensorsReader r = SafetensorsReader.open(file)) {
                Map<String, String> meta = r.metadata();
                String kind = meta.get("optimizer"), step = meta.get("step");
                if (kind == null || step == null) {
                    throw new CheckpointException(file + ": __metadata__ lacks \"optimizer\" or \"step\"");
                }
                List<NamedTensor> tensors = new ArrayList<>();
                for (TensorInfo t : r.tensors()) tensors.add(new NamedTensor(t.name(), t.shape(), r.read(t.name()), 0));
                try {
                    optimizer = new OptimizerState(kind, Long.parseLong(step), tensors);
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(file + ": bad optimizer step \"" + step + "\"", e);
                }
            }
        }
        return TrainingState.fromJson(live.resolve(TRAINING_STATE).toString(), json, optimizer);
    }

    static String readConfigIn(Path live) {
        byte[] bytes = readIfExists(live.resolve(CONFIG));
        if (bytes == null) throw new CheckpointException(live.resolve(CONFIG) + ": missing");
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static byte[] readIfExists(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e, e);
        }
    }

    /**
     * Runs {@code read} on the live directory and accepts the result only if that directory was not swapped
     * while it ran; an error is real, not a race, when the directory stayed the same.
     */
    static <T> T readConsistently(Path dir, Function<Path, T> read) {
        CheckpointException last = null;
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
            Path live = liveDirectory(dir);
            Object key = fileKey(live);
            try {
                T value = read.apply(live);
                if (Objects.equals(key, fileKey(live))) return value;
            } catch (CheckpointException e) {
                if (Objects.equals(key, fileKey(live))) throw e;
                last = e;
            }
        }
        throw new CheckpointException(dir + ": the checkpoint was replaced during each of " + READ_ATTEMPTS
                + " reads; another process is saving it continuously", last);
    }

    private static Path liveDirectory(Path dir) {
        if (Files.isDirectory(dir)) return dir;
        Path old = backupOf(dir);
        if (Files.isDirectory(old)) return old;
        throw new CheckpointException(dir + ": no checkpoint (neither the directory nor a backup " + old.getFileName() + " exists)");
    }

    private static Object fileKey(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return GONE;
        }
    }

    private static Path backupOf(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".old");
    }

    private static List<NamedTensor> concat(List<NamedTensor> params, List<NamedTensor> buffers) {
        List<NamedTensor> all = new ArrayList<>(params);
        if (buffers != null) all.addAll(buffers);
        return all;
    }

    private static void requireUniqueNames(Path where, List<NamedTensor> tensors) {
        Set<String> seen = new HashSet<>();
        for (NamedTensor t : tensors) {
            if (!seen.add(t.name())) throw new CheckpointException(where + ": tensor name '" + t.name() + "' appears twice");
        }
    }
}
