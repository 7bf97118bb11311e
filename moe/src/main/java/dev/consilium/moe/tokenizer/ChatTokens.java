package dev.consilium.moe.tokenizer;

/**
 * A rendered conversation.
 *
 * @param ids           the token ids, in order
 * @param assistantMask true at the positions of assistant tokens (each assistant message's content and the
 *                      end-of-sentence token that closes it), the targets of supervised fine-tuning
 */
public record ChatTokens(int[] ids, boolean[] assistantMask) {

    public ChatTokens {
        if (ids.length != assistantMask.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + assistantMask.length + " mask entries");
        }
    }

    public int size() {
        return ids.length;
    }
}
