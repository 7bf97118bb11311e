package dev.consilium.moe.generate;

import dev.consilium.moe.tokenizer.BpeTokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The text of a growing token sequence, released in pieces that are safe to show: a piece never ends inside
 * a UTF-8 sequence and never holds text that might be the start of a stop string. When a stop string
 * appears, the text is cut before it and the stream is {@link #stopped()}.
 */
final class TextStream {
    private final BpeTokenizer tokenizer;
    private final List<String> stops;
    private byte[] bytes = new byte[64];
    private int length, decoded;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    TextStream(BpeTokenizer tokenizer, List<String> stops) {
        if (tokenizer == null && !stops.isEmpty()) {
            throw new IllegalArgumentException("stop strings need a tokenizer: build the Generator with one");
        }
        this.tokenizer = tokenizer;
        this.stops = stops;
    }

    boolean stopped() {
        return stopped;
    }

    /** Everything decided so far: cut before a stop string, trailing partial UTF-8 left out. */
    String text() {
        return text.toString();
    }

    /** Appends a token's text (special tokens add none); returns the newly releasable piece, maybe "". */
    String add(int token) {
        if (stopped || tokenizer == null) return "";
        byte[] b = tokenizer.tokenBytes(token, true);
        if (length + b.length > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + b.length));
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
        int complete = completePrefix(bytes, length);
        if (complete > decoded) {
            text.append(new String(bytes, decoded, complete - decoded, StandardCharsets.UTF_8));
            decoded = complete;
        }
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s, released);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            text.setLength(cut);
            stopped = true;
            return release(cut);
        }
        return release(text.length() - heldBack());
    }

    /** At the end: everything not yet released, a trailing partial UTF-8 sequence as U+FFFD. */
    String flush() {
        if (!stopped && decoded < length) {
            text.append(new String(bytes, decoded, length - decoded, StandardCharsets.UTF_8));
            decoded = length;
        }
        return release(text.length());
    }

    private String release(int upTo) {
        if (upTo <= released) return "";
        String piece = text.substring(released, upTo);
        released = upTo;
        return piece;
    }

    /** The longest suffix of the text that is a proper prefix of some stop string. */
    private int heldBack() {
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length() - released); k > hold; k--) {
                if (CharSequence.compare(text.subSequence(text.length() - k, text.length()), s.substring(0, k)) == 0) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }

    /** Bytes [0, n) that end on a UTF-8 character boundary (an unfinished last sequence left out). */
    static int completePrefix(byte[] b, int n) {
        for (int back = 1; back <= Math.min(4, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) continue; // a continuation byte: keep looking for the lead
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
