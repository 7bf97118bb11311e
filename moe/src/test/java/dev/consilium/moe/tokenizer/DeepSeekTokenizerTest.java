package dev.consilium.moe.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tokenizer.json in DeepSeek-V3's exact structure (its pre_tokenizer verbatim, empty normalizer Sequence,
 * ByteLevel post_processor and decoder, special tokens 0..2 in the vocab, chat tokens as non-special added tokens
 * right after the vocab) with a small vocab: the 256 byte tokens and 22 merges.
 */
class DeepSeekTokenizerTest {

    private static final BpeTokenizer TOKENIZER = Fixtures.deepSeekMini();

    /** Texts and the ids Hugging Face tokenizers 0.23.2 gives for them, written by {@code hf-oracle.js}. */
    static List<Arguments> huggingFaceCases() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Files.readAllBytes(Fixtures.resource("deepseek-v3-mini.cases.json")));
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : cases) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = c.get("ids").get(i).intValue();
            out.add(Arguments.of(c.get("text").textValue(), ids));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("huggingFaceCases")
    void encodesAsHuggingFaceDoes(String text, int[] expected) {
        assertArrayEquals(expected, TOKENIZER.encode(text));
    }

    @ParameterizedTest
    @MethodSource("huggingFaceCases")
    void decodesHuggingFaceIdsBackToTheText(String text, int[] ids) {
        assertEquals(text, TOKENIZER.decode(ids));
    }

    @Test
    void digitGroupsAreCutBeforeMergesSoNoTokenCrossesThem() {
        // "3 4" is a merge, but the first Split makes "1234" the pieces "123" and "4".
        assertArrayEquals(ids("123", "4"), TOKENIZER.encode("1234"));
        assertArrayEquals(ids("34"), TOKENIZER.encode("34"));
        // The space before a number stays alone rather than joining it, unlike in GPT-2.
        assertArrayEquals(ids("Ġ", "123"), TOKENIZER.encode(" 123"));
    }

    @Test
    void spaceBeforeAWordJoinsTheWord() {
        assertArrayEquals(ids("Hello", "Ġworld"), TOKENIZER.encode("Hello world"));
    }

    @Test
    void punctuationGluedToLettersIsOnePiece() {
        assertArrayEquals(ids(".NET"), TOKENIZER.encode(".NET"));
    }

    @Test
    void nonSpecialChatTokensAreStillMatchedInText() {
        int user = TOKENIZER.tokenId("<｜User｜>");
        assertEquals(281, user);
        assertFalse(TOKENIZER.isSpecial(user));
        assertTrue(TOKENIZER.isSpecial(0));
        int[] ids = TOKENIZER.encode("<｜begin▁of▁sentence｜><｜User｜>Hello");
        assertArrayEquals(new int[] {0, user, TOKENIZER.tokenId("Hello")}, ids);
        assertEquals("<｜User｜>Hello", TOKENIZER.decode(ids, true));
    }

    private static int[] ids(String... tokens) {
        int[] ids = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) ids[i] = TOKENIZER.tokenId(tokens[i]);
        return ids;
    }
}
