package dev.consilium.moe.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * DeepSeek-V3's chat format, the one the built-in chat model is trained and prompted with:
 * <pre>
 * &lt;｜begin▁of▁sentence｜&gt;{system}&lt;｜User｜&gt;{user}&lt;｜Assistant｜&gt;{assistant}&lt;｜end▁of▁sentence｜&gt;&lt;｜User｜&gt;...
 * </pre>
 * System messages, wherever they stand, are joined with a blank line and placed right after the begin token, as
 * DeepSeek-V3's {@code chat_template} does. The generation prompt is {@code <｜Assistant｜>}; the model's answer ends
 * at {@code <｜end▁of▁sentence｜>}. Tool calls are not supported.
 *
 * <p>The template's tokens are inserted as ids, and message content is encoded with
 * {@link BpeTokenizer#encodeOrdinary}, so text that spells a special token stays text. For any other content the
 * ids equal {@code tokenizer.encode(text(messages, ...))}, as Hugging Face's {@code apply_chat_template} gives.
 */
public final class ChatTemplate {
    public static final String BEGIN_OF_SENTENCE = "<｜begin▁of▁sentence｜>";
    public static final String END_OF_SENTENCE = "<｜end▁of▁sentence｜>";
    public static final String USER = "<｜User｜>";
    public static final String ASSISTANT = "<｜Assistant｜>";

    private final BpeTokenizer tokenizer;
    private final int begin;
    private final int end;
    private final int user;
    private final int assistant;

    private ChatTemplate(BpeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        this.begin = required(tokenizer, BEGIN_OF_SENTENCE);
        this.end = required(tokenizer, END_OF_SENTENCE);
        this.user = required(tokenizer, USER);
        this.assistant = required(tokenizer, ASSISTANT);
    }

    /** @throws TokenizerException when the tokenizer lacks one of the four template tokens */
    public static ChatTemplate deepSeekV3(BpeTokenizer tokenizer) {
        return new ChatTemplate(tokenizer);
    }

    private static int required(BpeTokenizer tokenizer, String token) {
        try {
            return tokenizer.tokenId(token);
        } catch (IllegalArgumentException e) {
            throw new TokenizerException("the DeepSeek-V3 chat template needs the token \"" + token
                    + "\", which this tokenizer lacks");
        }
    }

    /** The token id that ends an assistant turn: generation stops here. */
    public int endOfTurn() {
        return end;
    }

    /**
     * Renders the conversation.
     *
     * @param addGenerationPrompt append {@code <｜Assistant｜>} so that the model's next tokens are its answer
     */
    public ChatTokens render(List<TemplateMessage> messages, boolean addGenerationPrompt) {
        List<int[]> parts = new ArrayList<>();
        List<Boolean> trained = new ArrayList<>();
        parts.add(new int[] {begin});
        trained.add(false);
        String system = systemPrompt(messages);
        if (!system.isEmpty()) {
            parts.add(tokenizer.encodeOrdinary(system));
            trained.add(false);
        }
        for (TemplateMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> { }
                case USER -> {
                    parts.add(new int[] {user});
                    parts.add(tokenizer.encodeOrdinary(m.content()));
                    trained.add(false);
                    trained.add(false);
                }
                case ASSISTANT -> {
                    parts.add(new int[] {assistant});
                    parts.add(tokenizer.encodeOrdinary(m.content()));
                    parts.add(new int[] {end});
                    trained.add(false);
                    trained.add(true);
                    trained.add(true);
                }
            }
        }
        if (addGenerationPrompt) {
            parts.add(new int[] {assistant});
            trained.add(false);
        }
        int length = 0;
        for (int[] p : parts) length += p.length;
        int[] ids = new int[length];
        boolean[] mask = new boolean[length];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            int[] p = parts.get(i);
            System.arraycopy(p, 0, ids, at, p.length);
            if (trained.get(i)) Arrays.fill(mask, at, at + p.length, true);
            at += p.length;
        }
        return new ChatTokens(ids, mask);
    }

    /** The ids of the conversation followed by the generation prompt: what the model continues. */
    public int[] prompt(List<TemplateMessage> messages) {
        return render(messages, true).ids();
    }

    /** The rendered conversation as text, what DeepSeek-V3's {@code chat_template} produces. */
    public String text(List<TemplateMessage> messages, boolean addGenerationPrompt) {
        StringBuilder out = new StringBuilder(BEGIN_OF_SENTENCE).append(systemPrompt(messages));
        for (TemplateMessage m : messages) {
            switch (m.role()) {
                case SYSTEM -> { }
                case USER -> out.append(USER).append(m.content());
                case ASSISTANT -> out.append(ASSISTANT).append(m.content()).append(END_OF_SENTENCE);
            }
        }
        if (addGenerationPrompt) out.append(ASSISTANT);
        return out.toString();
    }

    private static String systemPrompt(List<TemplateMessage> messages) {
        StringBuilder system = new StringBuilder();
        for (TemplateMessage m : messages) {
            if (m.role() != TemplateMessage.Role.SYSTEM) continue;
            if (!system.isEmpty()) system.append("\n\n");
            system.append(m.content());
        }
        return system.toString();
    }
}
