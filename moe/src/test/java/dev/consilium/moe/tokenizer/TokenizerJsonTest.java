package dev.consilium.moe.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void saveThenLoadGivesIdenticalEncodings() {
        List<String> texts = Fixtures.randomStrings(300, 17);
        texts.add(Fixtures.corpus(50, 4));
        texts.add("<｜begin▁of▁sentence｜>x<｜User｜>y<｜Assistant｜>1234<｜end▁of▁sentence｜>");
        for (BpeTokenizer original : List.of(Fixtures.deepSeekMini(), Fixtures.gpt2Mini(),
                BpeTokenizer.trainer().vocabSize(700).train(Fixtures.corpus(500, 8)))) {
            Path file = dir.resolve("tokenizer.json");
            original.save(file);
            BpeTokenizer reloaded = BpeTokenizer.load(file);
            assertEquals(original.vocabSize(), reloaded.vocabSize());
            for (String text : texts) assertArrayEquals(original.encode(text), reloaded.encode(text), text);
            reloaded.save(file);
            assertEquals(original.toJson(), BpeTokenizer.load(file).toJson());
        }
    }

    @Test
    void savedFileHasTheFieldsHuggingFaceReads() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Fixtures.deepSeekMini().save(file);
        JsonNode root = JSON.readTree(Files.readAllBytes(file));
        assertEquals("1.0", root.get("version").textValue());
        assertTrue(root.get("truncation").isNull());
        assertTrue(root.get("padding").isNull());
        assertTrue(root.get("normalizer").isNull());
        assertTrue(root.get("post_processor").isNull());
        assertEquals("ByteLevel", root.get("decoder").get("type").textValue());
        JsonNode first = root.get("added_tokens").get(0);
        assertEquals(0, first.get("id").intValue());
        assertEquals("<｜begin▁of▁sentence｜>", first.get("content").textValue());
        assertTrue(first.get("special").booleanValue());

        JsonNode steps = root.get("pre_tokenizer").get("pretokenizers");
        assertEquals(4, steps.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("Split", steps.get(i).get("type").textValue());
            assertEquals(PreTokenizer.DEEPSEEK_V3_REGEXES.get(i), steps.get(i).get("pattern").get("Regex").textValue());
            assertEquals("Isolated", steps.get(i).get("behavior").textValue());
        }
        assertEquals("ByteLevel", steps.get(3).get("type").textValue());
        assertEquals(false, steps.get(3).get("use_regex").booleanValue());
        assertEquals(false, steps.get(3).get("add_prefix_space").booleanValue());

        JsonNode model = root.get("model");
        assertEquals("BPE", model.get("type").textValue());
        for (String field : List.of("dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix")) {
            assertTrue(model.get(field).isNull(), field);
        }
        for (String field : List.of("fuse_unk", "byte_fallback", "ignore_merges")) {
            assertEquals(false, model.get(field).booleanValue(), field);
        }
        assertEquals(281, model.get("vocab").size());
        assertEquals("H e", model.get("merges").get(0).textValue());
    }

    @Test
    void loadsDeepSeekV3PreTokenizerAsTheBuiltInOne() {
        BpeTokenizer loaded = Fixtures.deepSeekMini();
        assertEquals(PreTokenizer.DEEPSEEK_V3_REGEXES, loaded.preTokenizer().splitRegexes());
        assertEquals(false, loaded.preTokenizer().useRegex());
    }

    @Test
    void mergesAsStringsAndAsPairsLoadTheSame() {
        String pairs = read("gpt2-mini.json");
        String strings = edit(pairs, root -> {
            ArrayNode merges = (ArrayNode) root.get("model").get("merges");
            for (int i = 0; i < merges.size(); i++) merges.set(i, merges.get(i).get(0).textValue() + " " + merges.get(i).get(1).textValue());
        });
        BpeTokenizer a = BpeTokenizer.fromJson(pairs);
        BpeTokenizer b = BpeTokenizer.fromJson(strings);
        for (String text : List.of("hello world!", "low hold hello's")) assertArrayEquals(a.encode(text), b.encode(text));
        assertEquals(a.toJson(), b.toJson());
    }

    @Test
    void ignoreMergesTakesAWholePieceThatIsInTheVocab() {
        // "wd" is in the vocab but no merge builds it: only ignore_merges reaches it.
        for (boolean ignore : new boolean[] {true, false}) {
            String json = edit(read("gpt2-mini.json"), root -> {
                ObjectNode model = (ObjectNode) root.get("model");
                model.put("ignore_merges", ignore);
                ((ObjectNode) model.get("vocab")).put("wd", 23);
            });
            int[] expected = ignore ? new int[] {23, 5, 16} : new int[] {6, 8, 5, 16};
            assertArrayEquals(expected, BpeTokenizer.fromJson(json).encode("wd hello"));
        }
    }

    @Test
    void repeatedMergeKeepsItsLastRankAsHuggingFaceDoes() {
        String json = edit(read("gpt2-mini.json"), root -> ((ObjectNode) root.get("model")).set("merges",
                JSON.createArrayNode().add("l o").add("l l").add("l o")));
        // "l o" ranks 2, after "l l": l l o -> ll o. Had the first rank stood, l lo.
        assertArrayEquals(new int[] {13, 4}, BpeTokenizer.fromJson(json).encode("llo"));
    }

    @Test
    void unsupportedPreTokenizerIsNamedWithItsPath() {
        assertError("pre_tokenizer.type \"Metaspace\" is not supported",
                root -> root.putObject("pre_tokenizer").put("type", "Metaspace"));
        assertError("pre_tokenizer.pretokenizers[0].type \"Digits\" is not supported", root -> {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            seq.putArray("pretokenizers").addObject().put("type", "Digits");
        });
        assertError("pre_tokenizer.pretokenizers[0].behavior \"Removed\" is not supported", root -> {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ObjectNode split = seq.putArray("pretokenizers").addObject().put("type", "Split").put("behavior", "Removed");
            split.putObject("pattern").put("Regex", "\\s+");
        });
    }

    @Test
    void regexThatJavaCannotCompileIsNamedWithItsPath() {
        String message = loadError(root -> {
            ObjectNode seq = root.putObject("pre_tokenizer").put("type", "Sequence");
            ArrayNode steps = seq.putArray("pretokenizers");
            steps.addObject().put("type", "Split").put("behavior", "Isolated").putObject("pattern").put("Regex", "(unclosed");
            steps.addObject().put("type", "ByteLevel");
        });
        assertTrue(message.contains("pre_tokenizer.pretokenizers[0].pattern does not compile with java.util.regex"), message);
    }

    @Test
    void otherUnsupportedComponentsAreNamedWithTheirPaths() {
        assertError("model.type \"WordPiece\" is not supported", root -> ((ObjectNode) root.get("model")).put("type", "WordPiece"));
        assertError("normalizer.type \"NFC\" is not supported", root -> root.putObject("normalizer").put("type", "NFC"));
        assertError("post_processor.type \"TemplateProcessing\" is not supported",
                root -> root.putObject("post_processor").put("type", "TemplateProcessing"));
        assertError("decoder.type \"Metaspace\" is not supported", root -> root.putObject("decoder").put("type", "Metaspace"));
        assertError("model.dropout 0.1 is not supported, only null (BPE dropout makes encoding random)",
                root -> ((ObjectNode) root.get("model")).put("dropout", 0.1));
        assertError("added_tokens[0].lstrip true is not supported",
                root -> ((ObjectNode) root.get("added_tokens").get(0)).put("lstrip", true));
    }

    @Test
    void inconsistentModelIsNamedWithItsPath() {
        assertError("model.merges[1]: \"x\" is not in model.vocab",
                root -> ((ArrayNode) root.get("model").get("merges")).set(1, JSON.createArrayNode().add("l").add("x")));
        assertError("model.merges[0] \"h e e\" must be two tokens separated by one space",
                root -> ((ArrayNode) root.get("model").get("merges")).set(0, "h e e"));
    }

    @Test
    void addedTokenIdThatHuggingFaceWouldRenumberIsRejected() {
        assertError("added_tokens[1]: \"<pad>\" has id 30, but Hugging Face would give it id 23 (the next after"
                + " model.vocab's 23 entries and the added tokens before it)", root -> ((ArrayNode) root.get("added_tokens"))
                .addObject().put("id", 30).put("content", "<pad>").put("special", true));
    }

    @Test
    void malformedJsonNamesTheFile() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\",}");
        TokenizerException e = assertThrows(TokenizerException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON at line 1, column "), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("absent.json");
        TokenizerException e = assertThrows(TokenizerException.class, () -> BpeTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": cannot read tokenizer"), e.getMessage());
    }

    private void assertError(String expected, Consumer<ObjectNode> change) {
        assertEquals(dir.resolve("tokenizer.json") + ": " + expected, loadError(change));
    }

    private String loadError(Consumer<ObjectNode> change) {
        Path file = dir.resolve("tokenizer.json");
        try {
            Files.writeString(file, edit(read("gpt2-mini.json"), change));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return assertThrows(TokenizerException.class, () -> BpeTokenizer.load(file)).getMessage();
    }

    private static String read(String resource) {
        try {
            return Files.readString(Fixtures.resource(resource));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String edit(String json, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(json);
            change.accept(root);
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
