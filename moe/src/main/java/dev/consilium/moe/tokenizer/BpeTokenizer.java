package dev.consilium.moe.tokenizer;

import dev.consilium.moe.tensor.IntList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as GPT-2 and DeepSeek-V3 use it, read from and written to Hugging Face's {@code tokenizer.json}
 * so that the same text gives the same ids here and in the Python world.
 *
 * <p>Encoding: added tokens are cut out of the text first (leftmost, then longest); each stretch between them is
 * pre-tokenized ({@link PreTokenizer}); each piece becomes its UTF-8 bytes, each byte its one-byte token, and the
 * adjacent pair with the lowest merge rank (leftmost among equals) is merged until no pair has a rank. Decoding
 * concatenates the tokens' bytes and reads them as UTF-8, with U+FFFD for any malformed sequence, so any id
 * sequence decodes. Instances are immutable and safe for concurrent use.
 */
public final class BpeTokenizer {

    /** One line of {@code model.merges}: the two tokens it joins, in {@code tokenizer.json} spelling. */
    record Merge(String left, String right) {}

    /** Pieces longer than this are rare (long digit-free CJK or space runs) and not worth caching. */
    private static final int MAX_CACHED_PIECE = 64;
    private static final int CACHE_CAPACITY = 1 << 16;

    private final String[] tokens;
    private final byte[][] tokenBytes;
    private final boolean[] special;
    private final Map<String, Integer> vocab;
    private final List<Merge> merges;
    private final int[] byteIds;
    private final int[] mergeResult;
    private final LongIntMap mergeRanks;
    private final List<AddedToken> addedTokens;
    private final Map<String, Integer> addedIds;
    private final AddedTokenMatcher matcher;
    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab        {@code model.vocab}: token (in the byte-level alphabet) to id
     * @param merges       {@code model.merges} in rank order
     * @param addedTokens  {@code added_tokens}; an added token may also be in {@code vocab}, under the same id
     * @param ignoreMerges {@code model.ignore_merges}: a piece that is itself in the vocab is one token
     * @throws TokenizerException naming the JSON path of an inconsistency
     */
    BpeTokenizer(Map<String, Integer> vocab, List<Merge> merges, List<AddedToken> addedTokens,
                 PreTokenizer preTokenizer, boolean ignoreMerges) {
        this.vocab = Collections.unmodifiableMap(new HashMap<>(vocab));
        this.merges = List.copyOf(merges);
        this.addedTokens = List.copyOf(addedTokens);
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;

        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedToken t : addedTokens) size = Math.max(size, t.id() + 1);
        tokens = new String[size];
        special = new boolean[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0) throw new TokenizerException("model.vocab: \"" + e.getKey() + "\" has negative id " + id);
            if (tokens[id] != null) {
                throw new TokenizerException("model.vocab: id " + id + " is given to both \"" + tokens[id]
                        + "\" and \"" + e.getKey() + "\"");
            }
            tokens[id] = e.getKey();
        }
        Map<String, Integer> added = new HashMap<>();
        int maxAdded = -1;
        for (int i = 0; i < addedTokens.size(); i++) {
            AddedToken t = addedTokens.get(i);
            String where = "added_tokens[" + i + "]";
            if (t.content().isEmpty()) throw new TokenizerException(where + ": empty content");
            if (added.put(t.content(), t.id()) != null) {
                throw new TokenizerException(where + ": \"" + t.content() + "\" is listed twice");
            }
            Integer inVocab = vocab.get(t.content());
            if (inVocab != null && inVocab != t.id()) {
                throw new TokenizerException(where + ": \"" + t.content() + "\" has id " + t.id()
                        + " but id " + inVocab + " in model.vocab");
            }
            // Hugging Face ignores the id written for a token outside the vocab and gives it the next one after
            // the vocab's entries and the added tokens before it; a file that says otherwise would encode apart.
            int expected = maxAdded >= vocab.size() || vocab.isEmpty() ? maxAdded + 1 : vocab.size();
            if (inVocab == null && t.id() != expected) {
                throw new TokenizerException(where + ": \"" + t.content() + "\" has id " + t.id()
                        + ", but Hugging Face would give it id " + expected + " (the next after model.vocab's "
                        + vocab.size() + " entries and the added tokens before it)");
            }
            maxAdded = Math.max(maxAdded, t.id());
            if (tokens[t.id()] != null && !tokens[t.id()].equals(t.content())) {
                throw new TokenizerException(where + ": id " + t.id() + " is already \"" + tokens[t.id()] + "\"");
            }
            tokens[t.id()] = t.content();
            special[t.id()] = t.special();
        }
        addedIds = Collections.unmodifiableMap(added);
        matcher = new AddedTokenMatcher(addedTokens);

        tokenBytes = new byte[size][];
        for (int id = 0; id < size; id++) if (tokens[id] != null) tokenBytes[id] = ByteLevel.decode(tokens[id]);
        byteIds = new int[256];
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(String.valueOf(ByteLevel.toChar(b)), -1);

        mergeResult = new int[merges.size()];
        mergeRanks = new LongIntMap(merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge m = merges.get(rank);
            String where = "model.merges[" + rank + "]";
            int left = idOf(m.left(), where);
            int right = idOf(m.right(), where);
            mergeResult[rank] = idOf(m.left() + m.right(), where);
            // A repeated pair keeps its last rank, as Hugging Face's loader does.
            mergeRanks.put(LongIntMap.pair(left, right), rank);
        }
    }

    private int idOf(String token, String where) {
        Integer id = vocab.get(token);
        if (id == null) throw new TokenizerException(where + ": \"" + token + "\" is not in model.vocab");
        return id;
    }

    /** Reads a Hugging Face {@code tokenizer.json}; errors name the file and the JSON path. */
    public static BpeTokenizer load(Path file) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot read tokenizer: " + e.getMessage(), e);
        }
        return TokenizerJson.read(file.toString(), content);
    }

    /** Parses the text of a {@code tokenizer.json}; errors are prefixed {@code tokenizer.json:}. */
    public static BpeTokenizer fromJson(String json) {
        return TokenizerJson.read("tokenizer.json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a {@code tokenizer.json} that Hugging Face's {@code tokenizers} loads; replaces the file atomically. */
    public void save(Path file) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, toJson());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot write tokenizer: " + e.getMessage(), e);
        }
    }

    /** The {@code tokenizer.json} text. */
    public String toJson() {
        return TokenizerJson.write(this);
    }

    /** Starts training a new tokenizer from text. */
    public static BpeTrainer trainer() {
        return new BpeTrainer();
    }

    /** One more than the largest id; ids below it that no token uses (padding rows) are possible. */
    public int vocabSize() {
        return tokens.length;
    }

    /**
     * The id of {@code token}: an added token by its text ({@code <｜User｜>}), else a vocab entry in its
     * {@code tokenizer.json} spelling ({@code Ġworld}).
     *
     * @throws IllegalArgumentException when this tokenizer has no such token
     */
    public int tokenId(String token) {
        Integer id = addedIds.get(token);
        if (id == null) id = vocab.get(token);
        if (id == null) throw new IllegalArgumentException("this tokenizer has no token \"" + token + "\"");
        return id;
    }

    /** The token's {@code tokenizer.json} spelling; null for an id no token uses. */
    public String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    /** Whether {@code id} is an added token marked {@code special}, which {@link #decode(int[], boolean)} may skip. */
    public boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    /**
     * The ids of {@code text}; added tokens written in the text (special or not) become their single ids. A byte
     * whose one-byte token is missing from the vocab is dropped, as Hugging Face does with no {@code unk_token};
     * a vocab with all 256 (every trained or real byte-level one) encodes any text without loss.
     */
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        int start = 0;
        if (!matcher.isEmpty()) {
            for (int i = 0; i < text.length(); ) {
                long match = matcher.match(text, i);
                if (match < 0) {
                    i++;
                    continue;
                }
                encodeOrdinary(text.substring(start, i), out);
                out.add((int) (match >>> 32));
                i += (int) match;
                start = i;
            }
        }
        encodeOrdinary(start == 0 ? text : text.substring(start), out);
        return out.toArray();
    }

    /**
     * The ids of {@code text} with added tokens' text treated as ordinary text: what untrusted content (a user's
     * message) should go through, so it cannot forge {@code <｜end▁of▁sentence｜>}.
     */
    public int[] encodeOrdinary(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        encodeOrdinary(text, out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        if (text.isEmpty()) return;
        for (String piece : preTokenizer.split(text)) {
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = bpe(piece);
                if (piece.length() <= MAX_CACHED_PIECE && cache.size() < CACHE_CAPACITY) cache.put(piece, ids);
            }
            out.addAll(ids);
        }
    }

    /** Merges one piece: a linked list of symbols and a heap of (rank, position) keys, O(n log n) in its bytes. */
    private int[] bpe(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        if (ignoreMerges) {
            Integer whole = vocab.get(ByteLevel.encode(bytes));
            if (whole != null) return new int[] {whole};
        }
        int n = 0;
        int[] sym = new int[bytes.length];
        for (byte b : bytes) {
            int id = byteIds[b & 0xFF];
            // With no unk_token, Hugging Face drops a byte whose one-byte token is missing from the vocab.
            if (id >= 0) sym[n++] = id;
        }
        if (n < 2) return Arrays.copyOf(sym, n);

        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Each key is rank << 32 | position, so the heap yields the lowest rank, then the leftmost.
        long[] heap = new long[3 * n];
        int heapSize = 0;
        for (int i = 0; i + 1 < n; i++) {
            int rank = mergeRanks.get(LongIntMap.pair(sym[i], sym[i + 1]), -1);
            if (rank >= 0) heapSize = push(heap, heapSize, ((long) rank << 32) | i);
        }
        int alive = n;
        while (heapSize > 0) {
            long top = heap[0];
            heapSize = pop(heap, heapSize);
            int rank = (int) (top >>> 32);
            int i = (int) top;
            int j = next[i];
            // Entries go stale when a neighbour merged first; the pair now at i must still be this rank's pair.
            if (sym[i] < 0 || j < 0 || mergeRanks.get(LongIntMap.pair(sym[i], sym[j]), -1) != rank) continue;
            sym[i] = mergeResult[rank];
            sym[j] = -1;
            alive--;
            next[i] = next[j];
            if (next[i] >= 0) prev[next[i]] = i;
            if (prev[i] >= 0) {
                int r = mergeRanks.get(LongIntMap.pair(sym[prev[i]], sym[i]), -1);
                if (r >= 0) heapSize = push(heap, heapSize, ((long) r << 32) | prev[i]);
            }
            if (next[i] >= 0) {
                int r = mergeRanks.get(LongIntMap.pair(sym[i], sym[next[i]]), -1);
                if (r >= 0) heapSize = push(heap, heapSize, ((long) r << 32) | i);
            }
        }
        int[] ids = new int[alive];
        for (int i = 0, k = 0; i >= 0; i = next[i]) ids[k++] = sym[i];
        return ids;
    }

    private static int push(long[] heap, int size, long key) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= last) break;
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) heap[i] = last;
        return size;
    }

    /**
     * The bytes token {@code id} stands for (a copy), what {@link #decode(int[], boolean)} concatenates; empty
     * for an id no token uses and, when {@code skipSpecialTokens}, for a special token. Streaming decoders
     * need bytes: a character may span tokens.
     */
    public byte[] tokenBytes(int id, boolean skipSpecialTokens) {
        return decodes(id, skipSpecialTokens) ? tokenBytes[id].clone() : new byte[0];
    }

    /** The text of {@code ids}, special tokens included. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}. As in Hugging Face, ids no token uses are skipped, and bytes that are not valid UTF-8
     * (a sequence cut inside a character) become U+FFFD.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        int length = 0;
        for (int id : ids) if (decodes(id, skipSpecialTokens)) length += tokenBytes[id].length;
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            if (!decodes(id, skipSpecialTokens)) continue;
            byte[] b = tokenBytes[id];
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private boolean decodes(int id, boolean skipSpecialTokens) {
        return id >= 0 && id < tokens.length && tokens[id] != null && !(skipSpecialTokens && special[id]);
    }

    // Read by TokenizerJson to write the file back.

    Map<String, Integer> vocab() {
        return vocab;
    }

    List<Merge> merges() {
        return merges;
    }

    List<AddedToken> addedTokens() {
        return addedTokens;
    }

    PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Token ids in id order, for writing {@code model.vocab} in a stable order. */
    List<String> vocabInIdOrder() {
        List<String> ordered = new ArrayList<>(vocab.size());
        for (String token : tokens) if (token != null && vocab.containsKey(token)) ordered.add(token);
        return ordered;
    }
}
