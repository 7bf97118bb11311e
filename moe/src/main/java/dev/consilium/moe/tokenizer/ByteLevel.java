package dev.consilium.moe.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible map between the 256 byte values and 256 visible Unicode characters, which Hugging Face's
 * ByteLevel pre-tokenizer and decoder use, so that every token in {@code tokenizer.json} is a printable string:
 * printable Latin-1 bytes stand for themselves, the other 68 (controls, space, DEL, NBSP, soft hyphen) map in
 * byte order to U+0100..U+0143, which is why a space reads {@code Ġ} and a newline {@code Ċ}.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + shifted++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    static char toChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte that {@code c} stands for, or -1 when {@code c} is outside the alphabet. */
    static int toByte(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    static String encode(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /**
     * The bytes the ByteLevel decoder emits for one token. As in Hugging Face's decoder, a token with any character
     * outside the alphabet (an added token such as {@code <｜User｜>}) contributes its own UTF-8 bytes instead.
     */
    static byte[] decode(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            int b = toByte(token.charAt(i));
            if (b < 0) return token.getBytes(StandardCharsets.UTF_8);
            bytes[i] = (byte) b;
        }
        return bytes;
    }
}
