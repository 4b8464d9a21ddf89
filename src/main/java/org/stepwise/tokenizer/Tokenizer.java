package org.stepwise.tokenizer;

import java.util.List;

/**
 * Turns text into token ids and back. Every strategy (character, word, BPE) answers the same
 * questions: which tokens a text splits into, where each token came from, and what the vocabulary is.
 */
public interface Tokenizer {

    /** The ids of {@code text}, with each token's text and the span of the input it covers. Never null. */
    Encoding encode(String text);

    /** The text of a sequence of ids. An unknown id throws {@link IllegalArgumentException}. */
    String decode(int[] ids);

    /** Number of ids: every id is in [0, vocabSize()). */
    int vocabSize();

    /** The vocabulary entry of {@code id} as stored (e.g. {@code llo</w>} for BPE). */
    String token(int id);

    /** The id of a vocabulary entry, or −1 when there is none. */
    int id(String token);

    /** The special tokens (end of sequence, unknown, padding) and their ids. */
    SpecialTokens specials();

    /** Which strategy this is. */
    Kind kind();

    /** The tokenizer strategies Stepwise offers. */
    enum Kind { CHARACTER, WORD, BPE, BYTE_LEVEL_BPE }

    /** The ids of the special tokens; −1 where the tokenizer has none. */
    record SpecialTokens(int eos, int unk, int pad) {
        public static final String EOS = "<eos>";
        public static final String UNK = "<unk>";
        public static final String PAD = "<pad>";
    }

    /**
     * The result of {@link #encode}: parallel lists of ids, token texts and the [start, end) char
     * spans in the input each token covers.
     */
    record Encoding(int[] ids, List<String> tokens, List<Span> spans) {
        public int size() {
            return ids.length;
        }
    }

    /** A half-open range [start, end) of char indices of the input string. */
    record Span(int start, int end) {
    }
}
