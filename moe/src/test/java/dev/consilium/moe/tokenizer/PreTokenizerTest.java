package dev.consilium.moe.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PreTokenizerTest {

    private static final PreTokenizer GPT2 = PreTokenizer.gpt2();
    private static final PreTokenizer DEEPSEEK = PreTokenizer.deepSeekV3();

    @Test
    void gpt2KeepsTheSpaceWithTheWordAfterItAndSplitsContractions() {
        assertEquals(List.of("Hello", " world", "'s", " 12345", " !!", "  ", " x"), GPT2.split("Hello world's 12345 !!   x"));
    }

    @Test
    void gpt2LeavesTrailingWhiteSpaceWhole() {
        assertEquals(List.of("a", "\n\n   "), GPT2.split("a\n\n   "));
        // Followed by a word, a run gives up its last character: here a newline, which no word takes.
        assertEquals(List.of("end", ".", "\n", "\n", "Next"), GPT2.split("end.\n\nNext"));
    }

    @Test
    void deepSeekCutsDigitRunsIntoGroupsOfThreeFromTheLeft() {
        assertEquals(List.of("x", "123", "456", "7"), DEEPSEEK.split("x1234567"));
        // Unlike GPT-2, the space before a number is a piece of its own.
        assertEquals(List.of("a", " ", "12"), DEEPSEEK.split("a 12"));
    }

    @Test
    void singleDigitsMakesEachDigitAPieceAndOtherwiseSplitsAsDeepSeek() {
        assertEquals(List.of("What", " is", " ", "3", "4", "7", " +", " ", "5", "?"),
                PreTokenizer.singleDigits().split("What is 347 + 5?"));
    }

    @Test
    void deepSeekIsolatesCjkRunsFromLatinAndSpaces() {
        assertEquals(List.of("Hello", ",", " ", "世界", "!", " ", "123", "45"), DEEPSEEK.split("Hello, 世界! 12345"));
        assertEquals(List.of("mixed", "中文", "English", "カタカナ"), DEEPSEEK.split("mixed中文Englishカタカナ"));
    }

    @Test
    void deepSeekGluesOnePunctuationMarkToFollowingAsciiLetters() {
        assertEquals(List.of(".NET", " _", "init", " foo", ".bar"), DEEPSEEK.split(".NET _init foo.bar"));
        assertEquals(List.of("a", ",b", " .", "NET"), DEEPSEEK.split("a,b .NET"));
    }

    @Test
    void deepSeekKeepsPunctuationWithTheNewlinesAfterIt() {
        assertEquals(List.of("end", ".\n\n", "Next"), DEEPSEEK.split("end.\n\nNext"));
    }

    @Test
    void whiteSpaceIsUnicodeWhiteSpaceAsInHuggingFace() {
        // U+3000 is white space to the \s of Hugging Face's Oniguruma; java.util.regex agrees only with
        // UNICODE_CHARACTER_CLASS, without which "!\u3000" would be one run of non-letters.
        assertEquals(List.of("!", "\u3000"), GPT2.split("!\u3000"));
        assertEquals(List.of("a", "\n\n", "   "), DEEPSEEK.split("a\n\n   "));
    }

    @Test
    void byteLevelPrefixSpaceIsAddedToEachPieceThatLacksOne() {
        PreTokenizer prefixed = PreTokenizer.of(List.of(), true, true);
        assertEquals(List.of(" hello", " world"), prefixed.split("hello world"));
        assertEquals(List.of(" hi"), prefixed.split(" hi"));
        // After Split steps, every piece gets one, as Hugging Face's ByteLevel does.
        PreTokenizer splitThenPrefixed = PreTokenizer.of(PreTokenizer.DEEPSEEK_V3_REGEXES, true, false);
        assertEquals(List.of(" ab", " 12", " cd"), splitThenPrefixed.split("ab12 cd"));
    }

    @Test
    void emptyTextHasNoPieces() {
        assertEquals(List.of(), DEEPSEEK.split(""));
    }
}
