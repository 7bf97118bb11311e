package dev.consilium.rewards.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.consilium.rewards.verdict.AbstainReason;
import dev.consilium.rewards.verdict.JudgedItem;
import dev.consilium.rewards.verdict.Provenance;
import dev.consilium.rewards.verdict.Verdict;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifiable rewards, each on [0, 1]: exact match, numeric tolerance, regex, answer-in-tag format, JSON-schema
 * validity, a length penalty, and any lambda. Checks that compare with a reference abstain as undecidable when
 * the item has none.
 */
public final class RewardFunctions {
    private RewardFunctions() {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");

    /** 1 when the answer equals the reference after {@link #normalize}, else 0. */
    public static RewardFunction exactMatch() {
        return of("exact-match", (item, name) -> {
            if (item.reference() == null) return undecidable(name, "no reference answer");
            boolean same = normalize(item.answer()).equals(normalize(item.reference()));
            return binary(name, same, "normalized answer " + (same ? "equals" : "differs from") + " the reference");
        });
    }

    /**
     * 1 when the last number in the answer is within {@code tolerance} (absolute) of the reference number.
     * An answer with no number scores 0; a reference that is not a number makes the item undecidable.
     */
    public static RewardFunction numeric(double tolerance) {
        return of("numeric(±" + tolerance + ")", (item, name) -> {
            Optional<BigDecimal> ref = item.referenceAnswer().flatMap(RewardFunctions::lastNumber);
            if (ref.isEmpty()) return undecidable(name, "the reference is not a number");
            Optional<BigDecimal> got = lastNumber(item.answer());
            if (got.isEmpty()) return binary(name, false, "the answer holds no number");
            double diff = got.get().subtract(ref.get()).abs().doubleValue();
            return binary(name, diff <= tolerance, "answer " + got.get() + ", reference " + ref.get());
        });
    }

    /** 1 when the pattern is found in the answer. */
    public static RewardFunction regex(Pattern pattern) {
        return of("regex(" + pattern.pattern() + ")", (item, name) -> {
            boolean found = pattern.matcher(item.answer()).find();
            return binary(name, found, found ? "pattern found" : "pattern not found");
        });
    }

    /** 1 when the answer holds exactly one non-empty {@code <tag>…</tag>}: the answer is where it was asked to be. */
    public static RewardFunction inTag(String tag) {
        Pattern p = tagPattern(tag);
        return of("in-tag(" + tag + ")", (item, name) -> {
            Matcher m = p.matcher(item.answer());
            int n = 0;
            boolean empty = false;
            while (m.find()) {
                n++;
                empty |= m.group(1).isBlank();
            }
            return binary(name, n == 1 && !empty, n == 1 && !empty ? "one <" + tag + "> answer"
                    : n + " <" + tag + "> sections" + (empty ? ", one empty" : ""));
        });
    }

    /** The text of the answer's single {@code <tag>} section, when it has exactly one. */
    public static Optional<String> extractTag(String answer, String tag) {
        Matcher m = tagPattern(tag).matcher(answer);
        if (!m.find()) return Optional.empty();
        String inside = m.group(1).strip();
        return m.find() ? Optional.empty() : Optional.of(inside);
    }

    /** {@code check} applied to the text of the answer's {@code <tag>} section; 0 when there is no single one. */
    public static RewardFunction insideTag(String tag, RewardFunction check) {
        return of(check.name() + " in <" + tag + ">", (item, name) -> extractTag(item.answer(), tag)
                .map(inside -> check.evaluate(item.withAnswer(inside)))
                .orElseGet(() -> binary(name, false, "no single <" + tag + "> section")));
    }

    /** 1 when the answer (or its last fenced ```json block) is JSON valid under {@code schema}; see {@link JsonSchemaCheck}. */
    public static RewardFunction jsonSchema(JsonNode schema) {
        JsonSchemaCheck check = new JsonSchemaCheck(schema);
        return of("json-schema", (item, name) -> {
            JsonNode doc;
            try {
                doc = JSON.readTree(jsonBody(item.answer()));
            } catch (JsonProcessingException e) {
                return binary(name, false, "not JSON: " + e.getOriginalMessage());
            }
            if (doc == null || doc.isMissingNode()) return binary(name, false, "not JSON: empty");
            List<String> errors = check.validate(doc);
            return binary(name, errors.isEmpty(), errors.isEmpty() ? "valid" : String.join("; ", errors));
        });
    }

    /**
     * A penalty: 0 up to {@code budgetChars}, rising linearly to 1 at {@code maxChars} and beyond. Give it a negative
     * weight in {@link Compose#weightedSum}.
     */
    public static RewardFunction lengthPenalty(int budgetChars, int maxChars) {
        if (budgetChars < 0 || maxChars <= budgetChars) {
            throw new IllegalArgumentException("length penalty needs 0 <= budget < max, got " + budgetChars + ", " + maxChars);
        }
        return of("length(" + budgetChars + ".." + maxChars + ")", (item, name) -> {
            int n = item.answer().length();
            double v = n <= budgetChars ? 0 : Math.min(1, (double) (n - budgetChars) / (maxChars - budgetChars));
            return Verdict.Score.point(v, 0, 1, n + " chars", Provenance.function(name));
        });
    }

    /** A custom reward on [0, 1]; a value outside it, or an exception, abstains with the reason. */
    public static RewardFunction lambda(String name, ToDoubleFunction<JudgedItem> reward) {
        return of(name, (item, n) -> {
            double v = reward.applyAsDouble(item);
            if (!(v >= 0 && v <= 1)) return new Verdict.Abstain(AbstainReason.ERROR, n + " returned " + v + ", outside [0, 1]", Provenance.function(n));
            return Verdict.Score.point(v, 0, 1, "", Provenance.function(n));
        });
    }

    /**
     * Trimmed, Unicode NFKC, lower-cased, whitespace collapsed, thousands separators and one trailing period
     * dropped, and a leading "the answer is" removed: "The answer is 1,042." equals "1042".
     */
    public static String normalize(String s) {
        String t = Normalizer.normalize(s, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        t = t.replaceFirst("^(?:the )?(?:final )?answer(?: is)?[: ]\\s*", "");
        t = t.replaceAll("(?<=\\d),(?=\\d{3}\\b)", "");
        if (t.endsWith(".")) t = t.substring(0, t.length() - 1);
        return t.strip();
    }

    static Optional<BigDecimal> lastNumber(String s) {
        Matcher m = NUMBER.matcher(Normalizer.normalize(s, Normalizer.Form.NFKC));
        String last = null;
        while (m.find()) last = m.group();
        if (last == null) return Optional.empty();
        try {
            return Optional.of(new BigDecimal(last.replace(",", "")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String jsonBody(String answer) {
        int fence = answer.lastIndexOf("```json");
        if (fence < 0) return answer;
        int end = answer.indexOf("```", fence + 7);
        return end < 0 ? answer.substring(fence + 7) : answer.substring(fence + 7, end);
    }

    private static Pattern tagPattern(String tag) {
        return Pattern.compile("<" + Pattern.quote(tag) + ">(.*?)</" + Pattern.quote(tag) + ">", Pattern.DOTALL);
    }

    private static Verdict binary(String name, boolean pass, String why) {
        return Verdict.Score.point(pass ? 1 : 0, 0, 1, why, Provenance.function(name));
    }

    private static Verdict undecidable(String name, String why) {
        return new Verdict.Abstain(AbstainReason.UNDECIDABLE, why, Provenance.function(name));
    }

    private interface Body {
        Verdict apply(JudgedItem item, String name);
    }

    /** A named function whose exceptions become an {@code ERROR} abstention instead of reaching the caller. */
    private static RewardFunction of(String name, Body body) {
        return new RewardFunction() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Verdict evaluate(JudgedItem item) {
                try {
                    return body.apply(item, name);
                } catch (RuntimeException e) {
                    return new Verdict.Abstain(AbstainReason.ERROR, name + " failed: " + e, Provenance.function(name));
                }
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
