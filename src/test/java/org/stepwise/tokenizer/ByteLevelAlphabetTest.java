package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.knuddels.jtokkit.api.IntArrayList;
import org.junit.jupiter.api.Test;

/** GPT-2's byte-to-unicode table, against a separate transcription of encoder.py and JTokkit's byte ranks. */
class ByteLevelAlphabetTest {

    @Test
    void sameTableAsGpt2BytesToUnicode() {
        char[] expected = Gpt2TestFolder.bytesToUnicode();
        for (int value = 0; value < 256; value++) {
            assertEquals(expected[value], ByteLevelAlphabet.symbolOf(value), "byte " + value);
            assertEquals(value, ByteLevelAlphabet.byteOf(expected[value]));
        }
        assertEquals('Ġ', ByteLevelAlphabet.symbolOf(' '));
        assertEquals('Ċ', ByteLevelAlphabet.symbolOf('\n'));
        assertEquals('ĉ', ByteLevelAlphabet.symbolOf('\t'));
        assertEquals('Ā', ByteLevelAlphabet.symbolOf(0));
        assertEquals('Ń', ByteLevelAlphabet.symbolOf(0xAD));
        assertEquals(-1, ByteLevelAlphabet.byteOf('Ņ'));
        assertEquals(-1, ByteLevelAlphabet.byteOf('你'));
    }

    @Test
    void firstGpt2IdsAreTheBytesInJTokkitsOrder() {
        for (int id = 0; id < 256; id++) {
            IntArrayList one = new IntArrayList();
            one.add(id);
            byte[] bytes = Gpt2TestFolder.reference().decodeBytes(one);
            assertEquals(1, bytes.length);
            assertEquals(bytes[0] & 0xFF, ByteLevelAlphabet.byteOfGpt2Id(id), "id " + id);
        }
    }

    @Test
    void bytesAndSymbolsConvertBothWays() {
        byte[] bytes = "a 你\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String symbols = ByteLevelAlphabet.symbolsOf(bytes);
        assertEquals("aĠä½łĊ", symbols);
        assertArrayEquals(bytes, ByteLevelAlphabet.bytesOf(symbols));
        assertTrue(ByteLevelAlphabet.isSymbols(symbols));
        assertFalse(ByteLevelAlphabet.isSymbols("a b"));
        assertFalse(ByteLevelAlphabet.isSymbols(""));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> ByteLevelAlphabet.bytesOf("a b"));
        assertTrue(error.getMessage().contains("U+0020"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ByteLevelAlphabet.symbolOf(256));
    }
}
