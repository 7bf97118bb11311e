package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.generate.Generator;
import dev.consilium.runtime.server.OpenAiServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's serving examples as a newcomer pastes them, in order: the serve block waits for the server before
 * its first request, and the chat example names the model that the serve example serves.
 */
class ReadmeServingTest {
    /** Surefire runs in the module's folder; the README is the repository's. */
    private static final Path ROOT = Path.of("..");

    private static List<String> readme() throws IOException {
        return Files.readAllLines(ROOT.resolve("README.md"));
    }

    /** The lines of the README's code block that starts with {@code ./consilium serve}. */
    private static List<String> serveBlock() throws IOException {
        List<String> lines = readme(), block = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < lines.size() && start < 0; i++) if (lines.get(i).startsWith("./consilium serve ")) start = i;
        assertTrue(start >= 0, "README.md has a line starting './consilium serve '");
        for (int i = start; !lines.get(i).startsWith("```"); i++) block.add(lines.get(i));
        return block;
    }

    /** A shell line's words, double quotes taken off, up to a comment. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line);
        while (m.find()) {
            if (m.group(2) != null && m.group(2).startsWith("#")) break;
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words;
    }

    private static String option(List<String> words, String name) {
        int i = words.indexOf(name);
        assertTrue(i >= 0 && i + 1 < words.size(), name + " in " + words);
        return words.get(i + 1);
    }

    @Test
    void theServeBlockWaitsForTheServerBeforeItsFirstRequest() throws IOException {
        List<String> block = serveBlock();
        assertTrue(block.getFirst().trim().endsWith("&"), "the server runs in the background: " + block.getFirst());
        int request = -1, wait = -1;
        for (int i = 1; i < block.size(); i++) {
            String line = block.get(i);
            if (wait < 0 && line.contains("/health") && line.matches("^(until|while|for) .*")) wait = i;
            if (request < 0 && line.contains("curl") && line.contains("/v1/")) request = i;
        }
        assertTrue(request > 0, "the block sends a request: " + block);
        assertTrue(wait > 0 && wait < request,
                "a pasted block must wait on /health in a loop before its first request, or curl finds nothing listening: " + block);
    }

    @Test
    void theChatExampleAsksTheModelThatTheServeExampleServes() throws IOException {
        List<String> serve = words(serveBlock().getFirst());
        String chatLine = readme().stream().filter(l -> l.startsWith("./consilium chat --model openai-compatible/"))
                .findFirst().orElseThrow(() -> new AssertionError("README.md has a chat example for openai-compatible/"));
        List<String> chat = new ArrayList<>(words(chatLine).subList(1, words(chatLine).size()));

        CheckpointWeights checkpoint = CheckpointWeights.load(ROOT.resolve(option(serve, "--model")));
        Generator generator = Generator.builder().weights(dev.consilium.moe.generate.InferenceWeights.of(checkpoint))
                .tokenizer(checkpoint.tokenizer()).build();
        try (OpenAiServer server = OpenAiServer.builder().generator(generator).modelName(option(serve, "--model-name"))
                .port(0).start()) {
            // the README's server listens on 8000; this one on a free port
            int url = chat.indexOf("--base-url") + 1;
            chat.set(url, chat.get(url).replace(":8000", ":" + server.port()));
            MainTest.Run r = MainTest.run(chat.toArray(String[]::new));
            assertEquals(0, r.exit(), chatLine + " -> " + r.err());
            assertEquals("42", r.out().trim(), "the same answer as the README's curl example shows");
        }
    }
}
