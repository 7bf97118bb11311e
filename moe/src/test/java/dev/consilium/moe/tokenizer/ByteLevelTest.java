package dev.consilium.moe.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ByteLevelTest {

    @Test
    void everyByteHasItsOwnCharacterAndMapsBack() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteLevel.toChar(b);
            seen.add(c);
            assertEquals(b, ByteLevel.toByte(c), "byte " + b);
        }
        assertEquals(256, seen.size());
    }

    @Test
    void printableBytesStandForThemselvesAndTheRestShiftAboveLatin1() {
        assertEquals('A', ByteLevel.toChar('A'));
        assertEquals('é', ByteLevel.toChar(0xE9));
        assertEquals('Ā', ByteLevel.toChar(0x00));
        assertEquals('Ċ', ByteLevel.toChar('\n'));
        assertEquals('Ġ', ByteLevel.toChar(' '));
        assertEquals('ġ', ByteLevel.toChar(0x7F));
        assertEquals('Ń', ByteLevel.toChar(0xAD)); // soft hyphen, the last of the 68 shifted bytes
        assertEquals(-1, ByteLevel.toByte(' '));
        assertEquals(-1, ByteLevel.toByte('世'));
    }

    @Test
    void decodingATokenOutsideTheAlphabetGivesItsOwnUtf8() {
        assertArrayEquals(new byte[] {' ', 'a'}, ByteLevel.decode("Ġa"));
        assertArrayEquals("<｜User｜>".getBytes(java.nio.charset.StandardCharsets.UTF_8), ByteLevel.decode("<｜User｜>"));
    }
}
