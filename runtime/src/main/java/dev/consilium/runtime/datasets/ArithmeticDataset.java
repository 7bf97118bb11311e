package dev.consilium.runtime.datasets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * Arithmetic word problems with ground truth true by construction: the demo's task family. Difficulty is
 * the operand width in digits (1 to 3) plus one for each carry or borrow, so a small model meets easy,
 * learnable problems first and harder ones later. Train and held-out splits never share a question.
 */
public final class ArithmeticDataset {

    /** One problem: the question asked, the exact answer, and its graded difficulty. */
    public record Problem(String id, String question, String answer, int difficulty) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private ArithmeticDataset() {}

    /** Generates {@code train + heldout} distinct problems from the seed; the same seed gives the same split. */
    public static Split generate(long seed, int train, int heldout) {
        Random rng = new Random(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<Problem> all = new ArrayList<>(train + heldout);
        int attempts = 0;
        while (all.size() < train + heldout) {
            if (++attempts > 50 * (train + heldout)) {
                throw new IllegalArgumentException("cannot draw " + (train + heldout) + " distinct problems");
            }
            Problem p = draw(rng, "arith-" + String.format("%06d", all.size()));
            if (seen.add(p.question())) all.add(p);
        }
        return new Split(List.copyOf(all.subList(0, train)), List.copyOf(all.subList(train, train + heldout)));
    }

    /**
     * The two splits, written as {@code train.jsonl} and {@code heldout.jsonl}, plus {@code pretrain.jsonl}:
     * the train split as plain text documents ({@code "What is 2 + 3? 5"}) for language-model training.
     */
    public record Split(List<Problem> train, List<Problem> heldout) {
        public void writeTo(Path dir) {
            write(dir.resolve("train.jsonl"), train, ArithmeticDataset::record);
            write(dir.resolve("heldout.jsonl"), heldout, ArithmeticDataset::record);
            write(dir.resolve("pretrain.jsonl"), train, p -> JSON.createObjectNode().put("text", p.question() + " " + p.answer()));
        }
    }

    private static ObjectNode record(Problem p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", p.id());
        o.put("question", p.question());
        o.put("answer", p.answer());
        o.put("difficulty", p.difficulty());
        return o;
    }

    /** Reads {@code train.jsonl} or {@code heldout.jsonl}; errors name the file and line. */
    public static List<Problem> read(Path file) {
        List<Problem> problems = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                problems.add(JSON.readValue(lines.get(i), Problem.class));
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a problem record: " + e.getMessage(), e);
            }
        }
        return problems;
    }

    /** One problem drawn from {@code rng}: operands of 1 to 3 digits, addition or subtraction (never negative). */
    static Problem draw(Random rng, String id) {
        int digits = 1 + rng.nextInt(3);
        int a = draw(rng, digits);
        int b = draw(rng, 1 + rng.nextInt(digits));
        boolean add = rng.nextBoolean();
        if (!add && b > a) { int t = a; a = b; b = t; }
        String question = "What is " + a + (add ? " + " : " - ") + b + "?";
        int answer = add ? a + b : a - b;
        int difficulty = Math.max(Integer.toString(a).length(), Integer.toString(b).length()) + carries(a, b, add);
        return new Problem(id, question, Integer.toString(answer), difficulty);
    }

    private static int draw(Random rng, int digits) {
        int lo = digits == 1 ? 0 : (int) Math.pow(10, digits - 1);
        int hi = (int) Math.pow(10, digits);
        return lo + rng.nextInt(hi - lo);
    }

    /** Column carries of a + b, or borrows of a - b (a >= b). */
    static int carries(int a, int b, boolean add) {
        int n = 0, carry = 0;
        while (a > 0 || b > 0) {
            int da = a % 10, db = b % 10;
            if (add) {
                carry = da + db + carry >= 10 ? 1 : 0;
            } else {
                carry = da - db - carry < 0 ? 1 : 0;
            }
            n += carry;
            a /= 10;
            b /= 10;
        }
        return n;
    }

    private static void write(Path file, List<Problem> problems, Function<Problem, ObjectNode> toJson) {
        StringBuilder sb = new StringBuilder();
        for (Problem p : problems) sb.append(toJson.apply(p)).append('\n');
        writeAtomically(file, sb);
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a file. */
    static void writeAtomically(Path file, CharSequence text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
