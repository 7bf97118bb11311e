package dev.consilium.moe.tokenizer;

import dev.consilium.moe.tensor.IntList;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts text into the pieces BPE merges within; no token ever spans two pieces. It is Hugging Face's pre-tokenizer
 * pipeline restricted to what byte-level BPE tokenizers use: zero or more {@code Split} steps (a regex, behavior
 * {@code Isolated}: every match and every stretch between matches becomes a piece), each applied to every piece of
 * the step before, then {@code ByteLevel}, which may prefix a space to each piece and may split once more with
 * GPT-2's regex. The byte-to-character mapping of ByteLevel happens in {@link BpeTokenizer}; pieces here are text.
 *
 * <p>Regexes run on {@link java.util.regex} with {@link Pattern#UNICODE_CHARACTER_CLASS}, so {@code \s} is
 * Unicode white space as in the Oniguruma engine Hugging Face uses; {@code \p{L}}, {@code \p{N}}, {@code \p{P}},
 * {@code \p{S}}, {@code \p{M}} are the Unicode general categories in both.
 */
public final class PreTokenizer {

    /**
     * GPT-2's split (ByteLevel with {@code use_regex: true}): English contractions; an optional space plus a run of
     * letters, or of digits, or of other non-space characters; and white space, where a run followed by a word
     * leaves its last space to prefix that word.
     */
    static final String GPT2_REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /**
     * DeepSeek-V3's three Split steps, as in its {@code tokenizer.json}. First, digit runs are cut into groups of at
     * most three from the left ({@code 12345} is {@code 123}, {@code 45}). Second, runs of CJK ideographs
     * (U+4E00..U+9FA5), Hiragana and Katakana become their own pieces, apart from any Latin or space around them.
     * Third, within what is left: one ASCII punctuation mark glued to following ASCII letters ({@code .NET},
     * {@code _init}); a letter/mark run with at most one leading character that is not a newline, letter,
     * punctuation or symbol (so {@code " world"}); an optional space plus punctuation/symbols plus trailing
     * newlines ({@code ".\n"}, the punctuation-and-newline tokens the DeepSeek-V3 report mentions); newline runs
     * with the white space before them; and white space as GPT-2 treats it.
     */
    static final List<String> DEEPSEEK_V3_REGEXES = List.of(
            "\\p{N}{1,3}",
            "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+");

    private static final Pattern GPT2 = compile(GPT2_REGEX);

    private final List<String> splitRegexes;
    private final List<Pattern> splits;
    private final boolean addPrefixSpace;
    private final boolean useRegex;

    private PreTokenizer(List<String> splitRegexes, List<Pattern> splits, boolean addPrefixSpace, boolean useRegex) {
        this.splitRegexes = List.copyOf(splitRegexes);
        this.splits = List.copyOf(splits);
        this.addPrefixSpace = addPrefixSpace;
        this.useRegex = useRegex;
    }

    /** GPT-2's: ByteLevel alone, splitting with {@link #GPT2_REGEX}, no prefix space. */
    public static PreTokenizer gpt2() {
        return of(List.of(), false, true);
    }

    /** DeepSeek-V3's: its three Split regexes, then ByteLevel with no regex and no prefix space. */
    public static PreTokenizer deepSeekV3() {
        return of(DEEPSEEK_V3_REGEXES, false, false);
    }

    /**
     * DeepSeek-V3's split with every digit its own piece, as LLaMA's tokenizer does: a model that must learn
     * column arithmetic sees one token per column instead of arbitrary three-digit chunks.
     */
    public static PreTokenizer singleDigits() {
        List<String> regexes = new ArrayList<>(DEEPSEEK_V3_REGEXES);
        regexes.set(0, "\\p{N}");
        return of(regexes, false, false);
    }

    /**
     * Split steps with {@code splitRegexes} in order, then ByteLevel with the given options.
     *
     * @throws java.util.regex.PatternSyntaxException when a regex does not compile
     */
    static PreTokenizer of(List<String> splitRegexes, boolean addPrefixSpace, boolean useRegex) {
        List<Pattern> patterns = new ArrayList<>(splitRegexes.size());
        for (String regex : splitRegexes) patterns.add(compile(regex));
        return new PreTokenizer(splitRegexes, patterns, addPrefixSpace, useRegex);
    }

    static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    List<String> splitRegexes() {
        return splitRegexes;
    }

    boolean addPrefixSpace() {
        return addPrefixSpace;
    }

    boolean useRegex() {
        return useRegex;
    }

    /** The pieces of {@code text}, in order; they concatenate back to it (plus any prefix spaces). */
    public List<String> split(String text) {
        // Pieces are (start, end) ranges of text until they must become strings; a region with opaque bounds makes
        // the matcher see each piece as the whole input, as Hugging Face's Split does.
        IntList ranges = new IntList(8);
        if (!text.isEmpty()) {
            ranges.add(0);
            ranges.add(text.length());
        }
        for (Pattern split : splits) ranges = isolate(text, ranges, split);
        if (!addPrefixSpace) return substrings(text, useRegex ? isolate(text, ranges, GPT2) : ranges);
        List<String> pieces = new ArrayList<>(ranges.size() / 2);
        for (int i = 0; i < ranges.size(); i += 2) {
            String piece = text.substring(ranges.get(i), ranges.get(i + 1));
            if (piece.charAt(0) != ' ') piece = " " + piece;
            if (!useRegex) {
                pieces.add(piece);
                continue;
            }
            IntList whole = new IntList(2);
            whole.add(0);
            whole.add(piece.length());
            pieces.addAll(substrings(piece, isolate(piece, whole, GPT2)));
        }
        return pieces;
    }

    private static IntList isolate(String text, IntList ranges, Pattern pattern) {
        IntList out = new IntList(ranges.size() * 2);
        Matcher m = pattern.matcher(text);
        for (int r = 0; r < ranges.size(); r += 2) {
            int last = ranges.get(r);
            int end = ranges.get(r + 1);
            m.region(last, end);
            while (m.find()) {
                if (m.end() == m.start()) continue; // an empty match cuts nothing
                if (m.start() > last) {
                    out.add(last);
                    out.add(m.start());
                }
                out.add(m.start());
                out.add(m.end());
                last = m.end();
            }
            if (last < end) {
                out.add(last);
                out.add(end);
            }
        }
        return out;
    }

    private static List<String> substrings(String text, IntList ranges) {
        List<String> out = new ArrayList<>(ranges.size() / 2);
        for (int i = 0; i < ranges.size(); i += 2) out.add(text.substring(ranges.get(i), ranges.get(i + 1)));
        return out;
    }
}
