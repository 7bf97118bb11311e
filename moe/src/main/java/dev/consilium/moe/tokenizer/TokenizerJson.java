package dev.consilium.moe.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Hugging Face's {@code tokenizer.json}, for byte-level BPE. What it accepts is what changes no id when left out
 * of this implementation; anything else is an error naming its JSON path, never silently ignored:
 * <ul>
 *   <li>{@code model}: type BPE; dropout, unk_token, continuing_subword_prefix, end_of_word_suffix null;
 *       byte_fallback false; ignore_merges either; merges as {@code "a b"} strings or {@code ["a", "b"]} pairs.</li>
 *   <li>{@code pre_tokenizer}: ByteLevel, or a Sequence of Split (Regex or String pattern, behavior Isolated, not
 *       inverted) steps ending in ByteLevel, as DeepSeek-V3's.</li>
 *   <li>{@code normalizer}: null or an empty Sequence (DeepSeek-V3's). {@code post_processor}: null or ByteLevel,
 *       which only trims offsets. {@code decoder}: ByteLevel. {@code truncation}, {@code padding}: null.
 *       Saving writes the first two and the post-processor as null, which encode the same.</li>
 *   <li>{@code added_tokens}: single_word, lstrip and rstrip false.</li>
 * </ul>
 */
final class TokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private TokenizerJson() {}

    static BpeTokenizer read(String source, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new TokenizerException(source + ": not valid JSON" + at + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TokenizerException(source + ": cannot read tokenizer: " + e.getMessage(), e);
        }
        try {
            return parse(root);
        } catch (TokenizerException e) {
            throw new TokenizerException(source + ": " + e.getMessage(), e);
        }
    }

    private static BpeTokenizer parse(JsonNode root) {
        if (root == null || !root.isObject()) throw fail("", "must be a JSON object");
        requireNull(root, "truncation", "truncation", "");
        requireNull(root, "padding", "padding", "");
        checkNormalizer(root.get("normalizer"), "normalizer");
        JsonNode post = root.get("post_processor");
        if (present(post) && !"ByteLevel".equals(type(post, "post_processor"))) {
            throw unsupported("post_processor.type", type(post, "post_processor"));
        }
        JsonNode decoder = root.get("decoder");
        if (!present(decoder)) throw fail("decoder", "is missing; byte-level BPE needs the ByteLevel decoder");
        if (!"ByteLevel".equals(type(decoder, "decoder"))) throw unsupported("decoder.type", type(decoder, "decoder"));

        PreTokenizer preTokenizer = preTokenizer(root.get("pre_tokenizer"));
        List<AddedToken> added = addedTokens(root.get("added_tokens"));

        JsonNode model = root.get("model");
        if (!present(model) || !model.isObject()) throw fail("model", "is missing");
        String modelType = type(model, "model");
        if (!"BPE".equals(modelType)) throw unsupported("model.type", modelType);
        requireNull(model, "dropout", "model.dropout", "(BPE dropout makes encoding random)");
        requireNull(model, "unk_token", "model.unk_token", "(byte-level BPE has no unknown token)");
        requireEmpty(model, "continuing_subword_prefix");
        requireEmpty(model, "end_of_word_suffix");
        if (bool(model, "byte_fallback", "model.byte_fallback", false)) {
            throw fail("model.byte_fallback", "true is not supported (byte-level BPE needs no byte fallback)");
        }
        boolean ignoreMerges = bool(model, "ignore_merges", "model.ignore_merges", false);

        JsonNode vocabNode = model.get("vocab");
        if (vocabNode == null || !vocabNode.isObject()) throw fail("model.vocab", "must be an object of token to id");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : vocabNode.properties()) {
            if (!e.getValue().isIntegralNumber() || !e.getValue().canConvertToInt()) {
                throw fail("model.vocab", "\"" + e.getKey() + "\" must map to an integer id");
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        JsonNode mergesNode = model.get("merges");
        if (mergesNode == null || !mergesNode.isArray()) throw fail("model.merges", "must be an array");
        List<BpeTokenizer.Merge> merges = new ArrayList<>(mergesNode.size());
        for (int i = 0; i < mergesNode.size(); i++) merges.add(merge(mergesNode.get(i), "model.merges[" + i + "]"));

        return new BpeTokenizer(vocab, merges, added, preTokenizer, ignoreMerges);
    }

    private static BpeTokenizer.Merge merge(JsonNode node, String path) {
        if (node.isTextual()) {
            String[] parts = node.textValue().split(" ", -1);
            if (parts.length != 2) throw fail(path, "\"" + node.textValue() + "\" must be two tokens separated by one space");
            return new BpeTokenizer.Merge(parts[0], parts[1]);
        }
        if (node.isArray() && node.size() == 2 && node.get(0).isTextual() && node.get(1).isTextual()) {
            return new BpeTokenizer.Merge(node.get(0).textValue(), node.get(1).textValue());
        }
        throw fail(path, "must be \"a b\" or [\"a\", \"b\"]");
    }

    private static void checkNormalizer(JsonNode node, String path) {
        if (!present(node)) return;
        String type = type(node, path);
        if (!"Sequence".equals(type)) throw unsupported(path + ".type", type);
        JsonNode steps = node.get("normalizers");
        if (steps == null || !steps.isArray()) throw fail(path + ".normalizers", "must be an array");
        for (int i = 0; i < steps.size(); i++) checkNormalizerStep(steps.get(i), path + ".normalizers[" + i + "]");
    }

    private static void checkNormalizerStep(JsonNode node, String path) {
        String type = type(node, path);
        if (!"Sequence".equals(type)) throw unsupported(path + ".type", type);
        checkNormalizer(node, path);
    }

    private static PreTokenizer preTokenizer(JsonNode node) {
        if (!present(node)) throw fail("pre_tokenizer", "is missing; byte-level BPE needs ByteLevel");
        String type = type(node, "pre_tokenizer");
        if ("ByteLevel".equals(type)) return byteLevel(node, List.of(), "pre_tokenizer");
        if (!"Sequence".equals(type)) throw unsupported("pre_tokenizer.type", type);
        JsonNode steps = node.get("pretokenizers");
        if (steps == null || !steps.isArray() || steps.isEmpty()) {
            throw fail("pre_tokenizer.pretokenizers", "must be a non-empty array");
        }
        List<String> regexes = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            String path = "pre_tokenizer.pretokenizers[" + i + "]";
            String stepType = type(step, path);
            boolean last = i == steps.size() - 1;
            if ("ByteLevel".equals(stepType) && last) return byteLevel(step, regexes, path);
            if ("ByteLevel".equals(stepType)) throw fail(path, "ByteLevel must be the last step");
            if (!"Split".equals(stepType)) throw unsupported(path + ".type", stepType);
            regexes.add(splitRegex(step, path));
        }
        throw fail("pre_tokenizer.pretokenizers", "must end with ByteLevel");
    }

    private static String splitRegex(JsonNode step, String path) {
        String behavior = step.path("behavior").asText("");
        if (!"Isolated".equals(behavior)) throw unsupported(path + ".behavior", behavior);
        if (bool(step, "invert", path + ".invert", false)) throw fail(path + ".invert", "true is not supported");
        JsonNode pattern = step.get("pattern");
        String regex;
        if (pattern != null && pattern.path("Regex").isTextual()) {
            regex = pattern.get("Regex").textValue();
        } else if (pattern != null && pattern.path("String").isTextual()) {
            regex = java.util.regex.Pattern.quote(pattern.get("String").textValue());
        } else {
            throw fail(path + ".pattern", "must be {\"Regex\": ...} or {\"String\": ...}");
        }
        return regex;
    }

    private static PreTokenizer byteLevel(JsonNode node, List<String> regexes, String path) {
        boolean prefix = bool(node, "add_prefix_space", path + ".add_prefix_space", false);
        boolean useRegex = bool(node, "use_regex", path + ".use_regex", true);
        try {
            return PreTokenizer.of(regexes, prefix, useRegex);
        } catch (PatternSyntaxException e) {
            int step = regexes.indexOf(e.getPattern());
            throw fail("pre_tokenizer.pretokenizers[" + step + "].pattern",
                    "does not compile with java.util.regex: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static List<AddedToken> addedTokens(JsonNode node) {
        if (!present(node)) return List.of();
        if (!node.isArray()) throw fail("added_tokens", "must be an array");
        List<AddedToken> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            String path = "added_tokens[" + i + "]";
            if (!t.path("id").isIntegralNumber()) throw fail(path + ".id", "must be an integer");
            if (!t.path("content").isTextual()) throw fail(path + ".content", "must be a string");
            for (String flag : List.of("single_word", "lstrip", "rstrip")) {
                if (bool(t, flag, path + "." + flag, false)) throw fail(path + "." + flag, "true is not supported");
            }
            out.add(new AddedToken(t.get("id").intValue(), t.get("content").textValue(),
                    bool(t, "special", path + ".special", false), bool(t, "normalized", path + ".normalized", false)));
        }
        return out;
    }

    static String write(BpeTokenizer tokenizer) {
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (AddedToken t : tokenizer.addedTokens()) {
            added.addObject()
                    .put("id", t.id())
                    .put("content", t.content())
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", t.normalized())
                    .put("special", t.special());
        }
        root.putNull("normalizer");
        PreTokenizer pre = tokenizer.preTokenizer();
        if (pre.splitRegexes().isEmpty()) {
            root.set("pre_tokenizer", byteLevelNode(pre.addPrefixSpace(), pre.useRegex()));
        } else {
            ObjectNode sequence = root.putObject("pre_tokenizer");
            sequence.put("type", "Sequence");
            ArrayNode steps = sequence.putArray("pretokenizers");
            for (String regex : pre.splitRegexes()) {
                ObjectNode split = steps.addObject();
                split.put("type", "Split");
                split.putObject("pattern").put("Regex", regex);
                split.put("behavior", "Isolated");
                split.put("invert", false);
            }
            steps.add(byteLevelNode(pre.addPrefixSpace(), pre.useRegex()));
        }
        root.putNull("post_processor");
        // Hugging Face requires every ByteLevel field; the decoder ignores them.
        root.set("decoder", byteLevelNode(true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", tokenizer.ignoreMerges());
        ObjectNode vocab = model.putObject("vocab");
        for (String token : tokenizer.vocabInIdOrder()) vocab.put(token, tokenizer.vocab().get(token));
        // "a b" strings load in every tokenizers release; a byte-level token never contains a plain space.
        ArrayNode merges = model.putArray("merges");
        for (BpeTokenizer.Merge m : tokenizer.merges()) merges.add(m.left() + " " + m.right());
        try {
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            return JSON.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new TokenizerException("cannot write tokenizer.json: " + e.getOriginalMessage(), e);
        }
    }

    private static ObjectNode byteLevelNode(boolean addPrefixSpace, boolean useRegex) {
        ObjectNode node = NODES.objectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", addPrefixSpace);
        node.put("trim_offsets", true);
        node.put("use_regex", useRegex);
        return node;
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static String type(JsonNode node, String path) {
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) throw fail(path + ".type", "is missing");
        return type.textValue();
    }

    private static boolean bool(JsonNode node, String field, String path, boolean fallback) {
        JsonNode value = node.get(field);
        if (!present(value)) return fallback;
        if (!value.isBoolean()) throw fail(path, "must be true or false");
        return value.booleanValue();
    }

    private static void requireNull(JsonNode node, String field, String path, String why) {
        JsonNode value = node.get(field);
        if (present(value)) throw fail(path, value + " is not supported, only null" + (why.isEmpty() ? "" : " " + why));
    }

    private static void requireEmpty(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (present(value) && !value.asText().isEmpty()) {
            throw fail("model." + field, value + " is not supported (byte-level BPE has no word affixes)");
        }
    }

    private static TokenizerException unsupported(String path, String value) {
        return new TokenizerException(path + " \"" + value + "\" is not supported");
    }

    private static TokenizerException fail(String path, String message) {
        return new TokenizerException(path.isEmpty() ? message : path + " " + message);
    }
}
