package dev.consilium.rewards.parse;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.consilium.rewards.verdict.AbstainReason;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the judge's own verdict from its output, and nothing else. In order:
 * <ol>
 *   <li>Everything between the prompt's nonce-tagged delimiters is blanked (same length, so offsets hold): a judge
 *       that echoes the judged content cannot make that content its verdict.</li>
 *   <li>The rest is read {@link Normalized}: a full-width {@code Ｓｃｏｒｅ：４} is a verdict of 4, and
 *       {@code Score: 4\u200B5} reads as 45 (out of range), not as 4. Offsets are reported in the raw output.</li>
 *   <li>If the output ends with a JSON object holding the expected key, that object is the verdict (duplicate
 *       keys are ambiguous). This is how structured output arrives.</li>
 *   <li>Else the verdict is the trailing block of verdict lines: the last non-blank line must carry a verdict
 *       marker, and lines directly above it that begin with one must agree with it. A marker quoted earlier in the
 *       judge's reasoning is never read.</li>
 * </ol>
 * Every failure is a {@link Failed} with the {@link AbstainReason} and a precise detail, never an exception.
 */
public final class VerdictParser {
    private VerdictParser() {}

    public enum Choice { A, B, TIE }

    public sealed interface Result permits Parsed, Failed {}

    /**
     * The verdict's values (one score; one {@link Choice} ordinal; a ranking as 1-based candidate numbers, best
     * first), where the last value sits in the raw output ({@code [start, end)}), and the judge's reasoning.
     */
    public record Parsed(List<Integer> values, int start, int end, String rationale) implements Result {}

    public record Failed(AbstainReason reason, String detail) implements Result {}

    private static final JsonMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern REFUSAL = Pattern.compile(
            "(?iu)\\b(?:I can(?:no|')t|I won't|I will not|I'm unable|I am unable|unable to)\\b[^.\\n]{0,60}"
                    + "\\b(?:help|assist|evaluate|judge|grade|score|rate|comply|provide)");
    /** How far back a JSON object's opening brace is looked for; a verdict object is small. */
    private static final int MAX_JSON_STARTS = 64;
    private static final int MAX_RATIONALE = 4000;

    /** An integer score on [min, max]: JSON {@code "score"}, or a {@code Score: N} line. */
    public static Result score(String raw, int min, int max, String nonce) {
        return read(raw, nonce, "score", Markers.SCORE, token -> {
            Integer v = integerOf(token);
            if (v == null) return new Failed(AbstainReason.UNPARSEABLE, "score '" + token + "' is not an integer");
            if (v < min || v > max) {
                return new Failed(AbstainReason.OUT_OF_RANGE, "score " + token + " is outside [" + min + ", " + max + "]");
            }
            return values(List.of(v));
        }, node -> node.isNumber() || node.isTextual() ? node.asText() : null);
    }

    /** A pairwise choice: JSON {@code "winner"}, or {@code [[A]]}/{@code [[B]]}/{@code [[C]]}, {@code Winner: B}. */
    public static Result choice(String raw, String nonce) {
        return read(raw, nonce, "winner", Markers.CHOICE, token -> switch (token) {
            case "A" -> values(List.of(Choice.A.ordinal()));
            case "B" -> values(List.of(Choice.B.ordinal()));
            default -> token.equals("C") || token.equalsIgnoreCase("tie")
                    ? values(List.of(Choice.TIE.ordinal()))
                    : new Failed(AbstainReason.UNPARSEABLE, "winner '" + token + "' is not A, B or tie");
        }, node -> node.isTextual() ? node.asText().strip() : null);
    }

    /** A ranking of candidates 1..n, best first: JSON {@code "ranking": [2, 1, 3]}, or {@code Ranking: 2 > 1 > 3}. */
    public static Result ranking(String raw, int n, String nonce) {
        return read(raw, nonce, "ranking", Markers.RANKING, token -> {
            List<Integer> order = new ArrayList<>();
            boolean[] seen = new boolean[n + 1];
            for (String part : token.split("[>,\\s]+")) {
                if (part.isEmpty()) continue;
                Integer v = integerOf(part);
                if (v == null || v < 1 || v > n || seen[v]) {
                    return new Failed(AbstainReason.OUT_OF_RANGE, "ranking '" + token + "' is not an order of candidates 1.." + n);
                }
                seen[v] = true;
                order.add(v);
            }
            if (order.size() != n) {
                return new Failed(AbstainReason.OUT_OF_RANGE, "ranking '" + token + "' names " + order.size() + " of " + n + " candidates");
            }
            return values(order);
        }, node -> {
            if (!node.isArray()) return null;
            StringBuilder sb = new StringBuilder();
            for (JsonNode e : node) {
                if (!e.isNumber() && !e.isTextual()) return null;
                sb.append(sb.isEmpty() ? "" : " > ").append(e.asText());
            }
            return sb.toString();
        });
    }

    /**
     * A group verdict: one integer score on [min, max] per candidate 1..n, each read on its own, so one candidate
     * the judge left unscored (or scored off the scale, or twice differently) abstains alone. JSON {@code "scores":
     * [4, 2, 5]} in candidate order, or a trailing block of {@code Candidate K: Score: N} lines. The output fails as a
     * whole (every entry the same {@link Failed}) only when it cannot be lined up with the candidates: no verdict
     * block, a JSON array of the wrong length, or a candidate number outside 1..n (a judge counting from 0 would
     * otherwise have every score land on the wrong answer). A JSON entry's offsets are -1: its logprobs are not read.
     */
    public static List<Result> scores(String raw, int n, int min, int max, String nonce) {
        if (raw == null || raw.isBlank()) return all(n, new Failed(AbstainReason.UNPARSEABLE, "the judge's output is empty"));
        Normalized text = Normalized.of(blankFences(raw, nonce));
        Result json = readJson(text, "scores", token -> {
            String[] parts = token.split(",", -1);
            if (parts.length != n) {
                return new Failed(AbstainReason.AMBIGUOUS, "the judge's \"scores\" has " + parts.length + " entries for " + n + " candidates");
            }
            List<Integer> values = new ArrayList<>();
            for (String part : parts) values.add(part.isBlank() ? NOT_A_SCORE : Objects.requireNonNullElse(integerOf(part), NOT_A_SCORE));
            return values(values);
        }, node -> {
            if (!node.isArray() || node.isEmpty()) return null;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < node.size(); i++) {
                JsonNode e = node.get(i);
                sb.append(i == 0 ? "" : ",").append(e.isNumber() || e.isTextual() ? e.asText().replace(",", ".") : "");
            }
            return sb.toString();
        });
        if (json instanceof Failed f) return all(n, f);
        if (json instanceof Parsed p) {
            List<Result> out = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                int v = p.values().get(k);
                out.add(v == NOT_A_SCORE ? new Failed(AbstainReason.UNPARSEABLE, "candidate " + (k + 1) + "'s score is not an integer")
                        : inScale(v, Integer.toString(v), min, max, -1, -1, p.rationale(), "candidate " + (k + 1) + "'s "));
            }
            return out;
        }
        return groupLines(text, n, min, max);
    }

    /** Stands for a JSON entry that is no integer; no scale reaches it. */
    private static final int NOT_A_SCORE = Integer.MIN_VALUE;

    private static List<Result> groupLines(Normalized n, int count, int min, int max) {
        String text = n.text;
        Result[] out = new Result[count];
        int blockStart = -1;
        for (LinesFromEnd lines = new LinesFromEnd(text); lines.next(); ) {
            int lineStart = lines.start;
            String line = lines.line;
            Matcher g = Markers.GROUP_LINE.matcher(line);
            if (!g.find()) break;
            Integer k = integerOf(g.group(1));
            if (k == null || k < 1 || k > count) {
                return all(count, new Failed(AbstainReason.AMBIGUOUS, "the judge's verdict names candidate " + g.group(1)
                        + ", but they are numbered 1.." + count + ": its scores cannot be matched to the answers"));
            }
            Result here = null;
            Matcher m = Markers.SCORE.matcher(line);
            m.region(g.start(2), line.length());
            while (m.find()) {
                Integer v = integerOf(m.group(1));
                Result r = v == null ? new Failed(AbstainReason.UNPARSEABLE, "candidate " + k + "'s score '" + m.group(1) + "' is not an integer")
                        : inScale(v, m.group(1), min, max, n.rawStart(lineStart + m.start(1)), n.rawEnd(lineStart + m.end(1)), null,
                        "candidate " + k + "'s ");
                here = here == null ? r : agree(k, here, r);
            }
            if (here == null) here = new Failed(AbstainReason.UNPARSEABLE, "candidate " + k + "'s line holds no score: " + cap(g.group(2).strip()));
            // Lines are read bottom up; the last line about a candidate is the one nearest the end, and must agree.
            out[k - 1] = out[k - 1] == null ? here : agree(k, out[k - 1], here);
            blockStart = lineStart;
        }
        if (blockStart < 0) return all(count, noVerdict(text));
        String rationale = cap(n.raw.substring(0, n.rawStart(blockStart)).strip());
        List<Result> results = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            Result r = out[k];
            if (r == null) r = new Failed(AbstainReason.UNPARSEABLE, "the judge's verdict has no line for candidate " + (k + 1));
            else if (r instanceof Parsed p) r = new Parsed(p.values(), p.start(), p.end(), rationale);
            results.add(r);
        }
        return results;
    }

    /** One candidate read twice: the same score stands (the later offsets kept), two different ones are ambiguous. */
    private static Result agree(int k, Result first, Result second) {
        if (first instanceof Parsed a && second instanceof Parsed b) {
            return a.values().equals(b.values()) ? a
                    : new Failed(AbstainReason.AMBIGUOUS, "the judge gives candidate " + k + " two scores: " + a.values().getFirst() + " and " + b.values().getFirst());
        }
        return first instanceof Failed ? first : second;
    }

    private static Result inScale(int v, String token, int min, int max, int start, int end, String rationale, String whose) {
        if (v < min || v > max) return new Failed(AbstainReason.OUT_OF_RANGE, whose + "score " + token + " is outside [" + min + ", " + max + "]");
        return new Parsed(List.of(v), start, end, rationale == null ? "" : rationale);
    }

    private static List<Result> all(int n, Failed f) {
        return java.util.Collections.nCopies(n, f);
    }

    private static Result read(String raw, String nonce, String key, Pattern marker, Function<String, Result> convert,
                               Function<JsonNode, String> fromJson) {
        if (raw == null || raw.isBlank()) return new Failed(AbstainReason.UNPARSEABLE, "the judge's output is empty");
        Normalized n = Normalized.of(blankFences(raw, nonce));
        Result json = readJson(n, key, convert, fromJson);
        if (json != null) return json;
        return readLines(n, marker, convert);
    }

    /**
     * A verdict found in the normalized text, reported in the raw one: the value's offsets (logprobs are read
     * there) and, unless given, the raw text above {@code reasonEnd} as the rationale.
     */
    private static Parsed found(Normalized n, List<Integer> values, int start, int end, String rationale, int reasonEnd) {
        String why = rationale != null ? rationale : n.raw.substring(0, n.rawStart(reasonEnd));
        return new Parsed(values, n.rawStart(start), n.rawEnd(end), cap(why.strip()));
    }

    private static Result readJson(Normalized n, String key, Function<String, Result> convert,
                                   Function<JsonNode, String> fromJson) {
        String text = n.text;
        int end = lastNonSpace(text);
        if (end < 0) return null;
        if (text.startsWith("```", end - 2)) end = lastNonSpace(text.substring(0, end - 2));
        if (end < 0 || text.charAt(end) != '}') {
            String t = text.strip();
            if (t.startsWith("{") || t.startsWith("```json")) {
                return new Failed(AbstainReason.UNPARSEABLE, "the judge's JSON output is cut off (no closing brace)");
            }
            return null;
        }
        int from = end;
        for (int tries = 0; tries < MAX_JSON_STARTS; tries++) {
            int start = text.lastIndexOf('{', from);
            if (start < 0) break;
            from = start - 1;
            String candidate = text.substring(start, end + 1);
            JsonNode node;
            try {
                node = JSON.readTree(candidate);
            } catch (JsonParseException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
                    return new Failed(AbstainReason.AMBIGUOUS, "the judge's JSON names \"" + key + "\" twice");
                }
                continue;
            } catch (IOException e) {
                continue;
            }
            if (node == null || !node.isObject() || !node.has(key)) continue;
            String token = fromJson.apply(node.get(key));
            if (token == null) {
                return new Failed(AbstainReason.UNPARSEABLE, "the judge's JSON \"" + key + "\" is " + node.get(key).getNodeType().name().toLowerCase(Locale.ROOT));
            }
            Result converted = convert.apply(token);
            if (!(converted instanceof Parsed parsed)) return converted;
            List<Integer> values = parsed.values();
            int[] span = valueSpan(candidate, key);
            JsonNode why = node.get("rationale");
            return found(n, values, start + span[0], start + span[1], why != null && why.isTextual() ? why.asText() : null, start);
        }
        return null;
    }

    private static Result readLines(Normalized n, Pattern marker, Function<String, Result> convert) {
        String text = n.text;
        List<Integer> values = null;
        int valueStart = -1, valueEnd = -1, blockStart = -1;
        for (LinesFromEnd lines = new LinesFromEnd(text); lines.next(); ) {
            int lineStart = lines.start;
            String line = lines.line;
            Matcher m = marker.matcher(line);
            boolean found = m.find();
            if (values == null && !found) return noVerdict(text);
            // Above the last line only lines that are verdicts join the block, not prose that mentions a marker.
            if (values != null && (!found || !line.substring(0, m.start()).matches("[\\s*_#>-]*"))) break;
            do {
                int g = m.group(1) != null ? 1 : 2;
                Result r = convert.apply(m.group(g));
                if (!(r instanceof Parsed parsed)) return r;
                List<Integer> got = parsed.values();
                if (values == null) {
                    values = got;
                } else if (!values.equals(got)) {
                    return new Failed(AbstainReason.AMBIGUOUS, "the judge ends with two different verdicts: "
                            + m.group(g) + " and " + values);
                }
                if (valueStart < 0 || lineStart + m.start(g) > valueStart) {
                    valueStart = lineStart + m.start(g);
                    valueEnd = lineStart + m.end(g);
                }
            } while (m.find());
            blockStart = lineStart;
        }
        if (values == null) return noVerdict(text);
        return found(n, values, valueStart, valueEnd, null, blockStart);
    }

    /** The non-blank lines of a text, last first: where verdicts are looked for. */
    private static final class LinesFromEnd {
        private final String text;
        private int end;
        int start;
        String line;

        LinesFromEnd(String text) {
            this.text = text;
            this.end = text.length();
        }

        boolean next() {
            while (end > 0) {
                start = text.lastIndexOf('\n', end - 1) + 1;
                line = text.substring(start, end);
                end = start - 1;
                if (!line.isBlank()) return true;
            }
            return false;
        }
    }

    private static Parsed values(List<Integer> values) {
        return new Parsed(List.copyOf(values), 0, 0, "");
    }

    private static Failed noVerdict(String text) {
        String tail = text.substring(Math.max(0, text.length() - 600));
        if (REFUSAL.matcher(tail).find()) return new Failed(AbstainReason.REFUSAL, "the judge declined: " + cap(tail.strip()));
        return new Failed(AbstainReason.UNPARSEABLE, "no verdict at the end of the judge's output");
    }

    /** Replaces every nonce-fenced span (an unclosed one runs to the end) with spaces, keeping offsets. */
    static String blankFences(String raw, String nonce) {
        if (nonce == null || !raw.contains(nonce)) return raw;
        Matcher tag = Pattern.compile("<(/?)[A-Za-z0-9_]+-" + Pattern.quote(nonce) + ">").matcher(raw);
        char[] out = raw.toCharArray();
        int depth = 0, openAt = -1;
        while (tag.find()) {
            if (tag.group(1).isEmpty()) {
                if (depth++ == 0) openAt = tag.start();
            } else if (depth > 0 && --depth == 0) {
                blank(out, openAt, tag.end());
            }
        }
        if (depth > 0) blank(out, openAt, out.length);
        return new String(out);
    }

    private static void blank(char[] s, int from, int to) {
        for (int i = from; i < to; i++) if (s[i] != '\n') s[i] = ' ';
    }

    /** Decimal digits of any script ("５", "٥"), blanks around them ignored; "4.0" is 4; huge values saturate; else null. */
    public static Integer integerOf(String token) {
        String t = token.strip();
        int dot = Math.max(t.indexOf('.'), t.indexOf(','));
        if (dot >= 0) {
            for (int i = dot + 1; i < t.length(); i++) if (Character.digit(t.charAt(i), 10) != 0) return null;
            t = t.substring(0, dot);
        }
        if (t.isEmpty()) return null;
        long v = 0;
        for (int i = 0; i < t.length(); i++) {
            int d = Character.digit(t.charAt(i), 10);
            if (d < 0) return null;
            // Saturate: a 20-digit score is an integer, just outside every scale.
            v = Math.min(Integer.MAX_VALUE, v * 10 + d);
        }
        return (int) v;
    }

    /** Where the value of top-level {@code key} sits in {@code json}, as [start, end). */
    private static int[] valueSpan(String json, String key) {
        try (JsonParser p = JSON.createParser(json)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart()) depth++;
                else if (t.isStructEnd()) depth--;
                else if (t == JsonToken.FIELD_NAME && depth == 1 && p.currentName().equals(key)) {
                    JsonToken v = p.nextToken();
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    if (v == JsonToken.VALUE_STRING) return new int[] {start + 1, start + 1 + p.getText().length()};
                    if (v.isScalarValue()) return new int[] {start, start + p.getText().length()};
                    return new int[] {start, start + 1};
                }
            }
        } catch (IOException e) {
            // The same text parsed as a tree a moment ago; a span is informational, so fall through.
        }
        return new int[] {0, 0};
    }

    private static int lastNonSpace(String s) {
        int i = s.length() - 1;
        while (i >= 0 && Character.isWhitespace(s.charAt(i))) i--;
        return i;
    }

    private static String cap(String s) {
        return s.length() <= MAX_RATIONALE ? s : "…" + s.substring(s.length() - MAX_RATIONALE);
    }
}
