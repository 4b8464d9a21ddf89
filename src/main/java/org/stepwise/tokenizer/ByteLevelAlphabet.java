package org.stepwise.tokenizer;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * GPT-2's byte-to-unicode table: each of the 256 byte values is written as one printable character,
 * so that byte-level BPE tokens can be stored as text in {@code vocab.json} and {@code merges.txt}.
 *
 * <p>The printable bytes {@code !}..{@code ~}, {@code ¡}..{@code ¬} and {@code ®}..{@code ÿ} stand
 * for themselves; the other 68 bytes (control characters, space, no-break space, soft hyphen, ...)
 * are moved, in ascending byte order, to U+0100, U+0101, ...: so the space byte 0x20 is written
 * {@code Ġ} (U+0120), the newline 0x0A is {@code Ċ} (U+010A) and the tab 0x09 is {@code ĉ} (U+0109).
 * GPT-2's first 256 vocabulary ids are these symbols in the order of the printable ranges first,
 * then the moved bytes.
 */
public final class ByteLevelAlphabet {

    /** Number of byte values, and of symbols. */
    public static final int SIZE = 256;

    private static final char[] SYMBOL_OF_BYTE = new char[SIZE];
    private static final int[] BYTE_OF_SYMBOL;
    private static final char LAST_SYMBOL;
    private static final int[] BYTES_IN_GPT2_ORDER = new int[SIZE];

    static {
        boolean[] printable = new boolean[SIZE];
        int position = 0;
        for (int[] range : new int[][] {{'!', '~'}, {'¡', '¬'}, {'®', 'ÿ'}}) {
            for (int value = range[0]; value <= range[1]; value++) {
                printable[value] = true;
                SYMBOL_OF_BYTE[value] = (char) value;
                BYTES_IN_GPT2_ORDER[position++] = value;
            }
        }
        int moved = 0;
        for (int value = 0; value < SIZE; value++) {
            if (!printable[value]) {
                SYMBOL_OF_BYTE[value] = (char) (SIZE + moved);
                moved++;
                BYTES_IN_GPT2_ORDER[position++] = value;
            }
        }
        LAST_SYMBOL = (char) (SIZE + moved - 1);
        BYTE_OF_SYMBOL = new int[LAST_SYMBOL + 1];
        Arrays.fill(BYTE_OF_SYMBOL, -1);
        for (int value = 0; value < SIZE; value++) {
            BYTE_OF_SYMBOL[SYMBOL_OF_BYTE[value]] = value;
        }
    }

    private ByteLevelAlphabet() {
    }

    /** The symbol that writes byte {@code value} (0..255). */
    public static char symbolOf(int value) {
        if (value < 0 || value >= SIZE) {
            throw new IllegalArgumentException("byte value " + value + " is not in 0..255");
        }
        return SYMBOL_OF_BYTE[value];
    }

    /** The byte value (0..255) written by {@code symbol}, or −1 when it is not a symbol of the table. */
    public static int byteOf(char symbol) {
        return symbol <= LAST_SYMBOL ? BYTE_OF_SYMBOL[symbol] : -1;
    }

    /** True when every char of {@code text} is a symbol of the table (and it is not empty). */
    public static boolean isSymbols(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int index = 0; index < text.length(); index++) {
            if (byteOf(text.charAt(index)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code bytes} written as symbols, one char per byte. Not modified. */
    public static String symbolsOf(byte[] bytes) {
        char[] symbols = new char[bytes.length];
        for (int index = 0; index < bytes.length; index++) {
            symbols[index] = SYMBOL_OF_BYTE[bytes[index] & 0xFF];
        }
        return new String(symbols);
    }

    /**
     * The bytes written by {@code symbols}.
     *
     * @throws IllegalArgumentException when a char is not a symbol of the table
     */
    public static byte[] bytesOf(String symbols) {
        byte[] bytes = new byte[symbols.length()];
        for (int index = 0; index < bytes.length; index++) {
            int value = byteOf(symbols.charAt(index));
            if (value < 0) {
                throw new IllegalArgumentException("\"" + symbols + "\" holds '" + symbols.charAt(index)
                        + "' (U+" + HexFormat.of().withUpperCase().toHexDigits(symbols.charAt(index))
                        + "), which is not a byte-level symbol");
            }
            bytes[index] = (byte) value;
        }
        return bytes;
    }

    /** The byte value whose symbol has GPT-2 id {@code id} (0..255). */
    public static int byteOfGpt2Id(int id) {
        if (id < 0 || id >= SIZE) {
            throw new IllegalArgumentException("id " + id + " is not one of GPT-2's 256 byte ids");
        }
        return BYTES_IN_GPT2_ORDER[id];
    }
}
