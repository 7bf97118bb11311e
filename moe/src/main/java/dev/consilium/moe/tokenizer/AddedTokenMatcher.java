package dev.consilium.moe.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text, leftmost first and longest at that position, as Hugging Face's added vocabulary
 * does. A character trie: at each position it walks as far as the text matches some token.
 */
final class AddedTokenMatcher {
    private static final class Node {
        final Map<Character, Node> next = new HashMap<>();
        int id = -1;
    }

    private final Node root = new Node();
    // Most text has none of the tokens' first characters; this answers for it without touching the trie.
    private final BitSet firstChars = new BitSet();

    AddedTokenMatcher(List<AddedToken> tokens) {
        for (AddedToken token : tokens) {
            Node node = root;
            firstChars.set(token.content().charAt(0));
            for (int i = 0; i < token.content().length(); i++) {
                node = node.next.computeIfAbsent(token.content().charAt(i), c -> new Node());
            }
            node.id = token.id();
        }
    }

    boolean isEmpty() {
        return root.next.isEmpty();
    }

    /** The longest token starting at {@code from}, packed as {@code id << 32 | length}, or -1 when none starts there. */
    long match(String text, int from) {
        if (!firstChars.get(text.charAt(from))) return -1;
        Node node = root;
        long best = -1;
        for (int i = from; i < text.length(); i++) {
            node = node.next.get(text.charAt(i));
            if (node == null) break;
            if (node.id >= 0) best = ((long) node.id << 32) | (i + 1 - from);
        }
        return best;
    }
}
