package dev.consilium.moe.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Learns a byte-level BPE tokenizer from text. Ids: the special tokens first, in the order given, then the 256
 * byte tokens in byte order, then one token per merge. Each step merges the adjacent pair seen most often across
 * all pre-tokenized pieces (weighted by how often each piece occurs); among equal counts the pair of smaller ids,
 * compared left id first, wins, so the result depends only on the text, never on hash or thread order. Counts are
 * updated only for the pieces that contain the merged pair, found through a pair-to-pieces index, and a max-queue
 * with lazy deletion yields the next pair; a few MB of text train in seconds.
 *
 * <pre>{@code
 * BpeTokenizer tokenizer = BpeTokenizer.trainer()
 *         .vocabSize(4096)
 *         .minFrequency(2)
 *         .train(corpus);
 * }</pre>
 */
public final class BpeTrainer {

    /** DeepSeek-V3's sentence and chat tokens, which {@link ChatTemplate} uses, plus its padding token. */
    public static final List<String> DEFAULT_SPECIAL_TOKENS = List.of(
            ChatTemplate.BEGIN_OF_SENTENCE, ChatTemplate.END_OF_SENTENCE, "<｜▁pad▁｜>",
            ChatTemplate.USER, ChatTemplate.ASSISTANT);

    private int vocabSize = 4096;
    private int minFrequency = 2;
    private List<String> specialTokens = DEFAULT_SPECIAL_TOKENS;
    private PreTokenizer preTokenizer = PreTokenizer.deepSeekV3();

    BpeTrainer() {}

    /** The number of ids, special and byte tokens included; training stops earlier if no pair is frequent enough. */
    public BpeTrainer vocabSize(int vocabSize) {
        this.vocabSize = vocabSize;
        return this;
    }

    /** A pair seen fewer times than this is never merged. Default 2. */
    public BpeTrainer minFrequency(int minFrequency) {
        if (minFrequency < 1) throw new IllegalArgumentException("minFrequency must be at least 1, was " + minFrequency);
        this.minFrequency = minFrequency;
        return this;
    }

    /**
     * Tokens reserved as ids 0.., matched whole in text and excluded from training. Default
     * {@link #DEFAULT_SPECIAL_TOKENS}.
     */
    public BpeTrainer specialTokens(List<String> specialTokens) {
        for (String token : specialTokens) {
            if (Objects.requireNonNull(token, "special token").isEmpty()) {
                throw new IllegalArgumentException("a special token must not be empty");
            }
        }
        if (new LinkedHashSet<>(specialTokens).size() != specialTokens.size()) {
            throw new IllegalArgumentException("special tokens must be distinct: " + specialTokens);
        }
        this.specialTokens = List.copyOf(specialTokens);
        return this;
    }

    public BpeTrainer specialTokens(String... specialTokens) {
        return specialTokens(List.of(specialTokens));
    }

    /** How text is cut before merging. Default {@link PreTokenizer#deepSeekV3()}. */
    public BpeTrainer preTokenizer(PreTokenizer preTokenizer) {
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        return this;
    }

    public BpeTokenizer train(String text) {
        return train(List.of(text));
    }

    /** Trains on the documents; no piece spans two documents. */
    public BpeTokenizer train(Collection<String> documents) {
        int reserved = specialTokens.size() + 256;
        if (vocabSize < reserved) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the " + specialTokens.size()
                    + " special tokens plus 256 byte tokens");
        }
        List<AddedToken> added = new ArrayList<>(specialTokens.size());
        for (int i = 0; i < specialTokens.size(); i++) added.add(new AddedToken(i, specialTokens.get(i), true, false));

        List<String> spelling = new ArrayList<>(vocabSize);
        List<byte[]> bytes = new ArrayList<>(vocabSize);
        Map<String, Integer> ids = new HashMap<>();
        for (String special : specialTokens) addToken(special, special.getBytes(StandardCharsets.UTF_8), spelling, bytes, ids);
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevel.toChar(b));
            if (ids.containsKey(s)) throw new IllegalArgumentException("special token \"" + s + "\" is a byte token");
            addToken(s, new byte[] {(byte) b}, spelling, bytes, ids);
        }

        Words words = countPieces(documents, new AddedTokenMatcher(added), specialTokens.size());
        List<BpeTokenizer.Merge> merges = merge(words, spelling, bytes, ids);

        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < spelling.size(); id++) vocab.put(spelling.get(id), id);
        return new BpeTokenizer(vocab, merges, added, preTokenizer, false);
    }

    private static void addToken(String s, byte[] b, List<String> spelling, List<byte[]> bytes, Map<String, Integer> ids) {
        ids.put(s, spelling.size());
        spelling.add(s);
        bytes.add(b);
    }

    /** Distinct pieces as byte-token id sequences, sorted so that every later step runs in the same order. */
    private record Words(int[][] symbols, long[] counts) {}

    private Words countPieces(Collection<String> documents, AddedTokenMatcher specials, int firstByteId) {
        Map<String, long[]> counts = new HashMap<>();
        for (String document : documents) {
            int start = 0;
            for (int i = 0; i < document.length(); ) {
                long match = specials.match(document, i);
                if (match < 0) {
                    i++;
                    continue;
                }
                countSegment(document.substring(start, i), counts);
                i += (int) match;
                start = i;
            }
            countSegment(document.substring(start), counts);
        }
        String[] pieces = counts.keySet().toArray(String[]::new);
        Arrays.sort(pieces);
        int[][] symbols = new int[pieces.length][];
        long[] weights = new long[pieces.length];
        for (int w = 0; w < pieces.length; w++) {
            byte[] b = pieces[w].getBytes(StandardCharsets.UTF_8);
            symbols[w] = new int[b.length];
            for (int i = 0; i < b.length; i++) symbols[w][i] = firstByteId + (b[i] & 0xFF);
            weights[w] = counts.get(pieces[w])[0];
        }
        return new Words(symbols, weights);
    }

    private void countSegment(String segment, Map<String, long[]> counts) {
        if (segment.isEmpty()) return;
        for (String piece : preTokenizer.split(segment)) counts.computeIfAbsent(piece, p -> new long[1])[0]++;
    }

    /** A pair to consider: larger count first, then smaller (left, right) ids. */
    private record Candidate(long count, long pair) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            return count != o.count ? Long.compare(o.count, count) : Long.compare(pair, o.pair);
        }
    }

    private List<BpeTokenizer.Merge> merge(Words words, List<String> spelling, List<byte[]> bytes,
                                           Map<String, Integer> ids) {
        int[][] symbols = words.symbols();
        long[] weights = words.counts();
        PairStats pairs = new PairStats();
        for (int w = 0; w < symbols.length; w++) {
            int[] sym = symbols[w];
            for (int i = 0; i + 1 < sym.length; i++) {
                int s = pairs.slot(LongIntMap.pair(sym[i], sym[i + 1]));
                pairs.count[s] += weights[w];
                pairs.addWord(s, w);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(1, pairs.size));
        for (int s = 0; s < pairs.size; s++) queue.add(new Candidate(pairs.count[s], pairs.key[s]));

        List<BpeTokenizer.Merge> merges = new ArrayList<>();
        int[] wordStamp = new int[symbols.length];
        Arrays.fill(wordStamp, -1);
        while (spelling.size() < vocabSize && !queue.isEmpty()) {
            Candidate top = queue.poll();
            int slot = pairs.slots.get(top.pair(), -1);
            long current = pairs.count[slot];
            if (top.count() != current) {
                // A lower count is stale: requeue it. A higher one was requeued when the count rose.
                if (top.count() > current && current > 0) queue.add(new Candidate(current, top.pair()));
                continue;
            }
            if (current < minFrequency) break;

            int a = LongIntMap.left(top.pair());
            int b = LongIntMap.right(top.pair());
            byte[] joined = new byte[bytes.get(a).length + bytes.get(b).length];
            System.arraycopy(bytes.get(a), 0, joined, 0, bytes.get(a).length);
            System.arraycopy(bytes.get(b), 0, joined, bytes.get(a).length, bytes.get(b).length);
            String spelled = ByteLevel.encode(joined);
            Integer existing = ids.get(spelled);
            // Two different pairs can spell the same token ("ab"+"c", "a"+"bc"); both merges then share its id.
            int merged = existing != null ? existing : spelling.size();
            if (existing == null) addToken(spelled, joined, spelling, bytes, ids);
            int step = merges.size();
            merges.add(new BpeTokenizer.Merge(spelling.get(a), spelling.get(b)));

            pairs.startStep();
            int[] affected = pairs.words[slot];
            int affectedCount = pairs.wordCount[slot];
            for (int k = 0; k < affectedCount; k++) {
                int w = affected[k];
                if (wordStamp[w] == step) continue;
                wordStamp[w] = step;
                int[] before = symbols[w];
                int[] after = applyMerge(before, a, b, merged);
                if (after == before) continue;
                long weight = weights[w];
                for (int i = 0; i + 1 < before.length; i++) {
                    pairs.change(pairs.slot(LongIntMap.pair(before[i], before[i + 1])), -weight, step);
                }
                for (int i = 0; i + 1 < after.length; i++) {
                    int s = pairs.slot(LongIntMap.pair(after[i], after[i + 1]));
                    pairs.change(s, weight, step);
                    if (after[i] == merged || after[i + 1] == merged) pairs.addWord(s, w);
                }
                symbols[w] = after;
            }
            for (int t = 0; t < pairs.touchedCount; t++) {
                int s = pairs.touched[t];
                if (pairs.count[s] > pairs.countBefore[s]) queue.add(new Candidate(pairs.count[s], pairs.key[s]));
            }
        }
        return merges;
    }

    /** {@code sym} with each (a, b), left to right without overlap, replaced by {@code merged}; itself if none. */
    private static int[] applyMerge(int[] sym, int a, int b, int merged) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < sym.length; i++) {
            if (i + 1 < sym.length && sym[i] == a && sym[i + 1] == b) {
                if (out == null) {
                    out = new int[sym.length - 1];
                    System.arraycopy(sym, 0, out, 0, i);
                    n = i;
                }
                out[n++] = merged;
                i++;
            } else if (out != null) {
                out[n++] = sym[i];
            }
        }
        return out == null ? sym : Arrays.copyOf(out, n);
    }

    /** Per adjacent pair: its total count and the pieces it may occur in (a superset, checked on use). */
    private static final class PairStats {
        final LongIntMap slots = new LongIntMap(1 << 16);
        long[] key = new long[1 << 12];
        long[] count = new long[1 << 12];
        int[][] words = new int[1 << 12][];
        int[] wordCount = new int[1 << 12];
        // What one merge step changed, so that only risen counts are queued again.
        int[] stamp = new int[1 << 12];
        long[] countBefore = new long[1 << 12];
        int[] touched = new int[1 << 12];
        int touchedCount;
        int size;

        int slot(long pair) {
            int s = slots.get(pair, -1);
            if (s >= 0) return s;
            s = size++;
            if (s == key.length) grow();
            key[s] = pair;
            stamp[s] = -1;
            words[s] = new int[2];
            slots.put(pair, s);
            return s;
        }

        void addWord(int s, int w) {
            int n = wordCount[s];
            if (n > 0 && words[s][n - 1] == w) return;
            if (n == words[s].length) words[s] = Arrays.copyOf(words[s], n * 2);
            words[s][n] = w;
            wordCount[s] = n + 1;
        }

        void startStep() {
            touchedCount = 0;
        }

        void change(int s, long delta, int step) {
            if (stamp[s] != step) {
                stamp[s] = step;
                countBefore[s] = count[s];
                if (touchedCount == touched.length) touched = Arrays.copyOf(touched, touched.length * 2);
                touched[touchedCount++] = s;
            }
            count[s] += delta;
        }

        private void grow() {
            int n = key.length * 2;
            key = Arrays.copyOf(key, n);
            count = Arrays.copyOf(count, n);
            words = Arrays.copyOf(words, n);
            wordCount = Arrays.copyOf(wordCount, n);
            stamp = Arrays.copyOf(stamp, n);
            countBefore = Arrays.copyOf(countBefore, n);
        }
    }
}
