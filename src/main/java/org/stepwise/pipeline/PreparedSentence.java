package org.stepwise.pipeline;

import java.util.List;

import org.stepwise.tokenizer.Tokenizer;

/**
 * A typed sentence made ready for the model: its full tokenization, the ids the model actually reads
 * (at most the context), which tokens are {@code <unk>}, and the notices the window shows about it.
 *
 * @param text       the sentence as typed
 * @param encoding   every token of the sentence, including those trimmed away
 * @param ids        the ids the model reads: tokens [firstToken, firstToken + ids.length) of the encoding;
 *                   empty when there is nothing to run (then there is no trace)
 * @param firstToken index in the encoding of the first token the model reads
 * @param unknown    for every token of the encoding, whether it is the tokenizer's {@code <unk>}
 * @param notices    what the window should say, in this order
 */
public record PreparedSentence(String text, Tokenizer.Encoding encoding, int[] ids, int firstToken,
                               boolean[] unknown, List<Notice> notices) {

    /** Something about the sentence the class should be told; each has a bundle key. */
    public enum Notice {
        /** Nothing to run: the sentence has no tokens. */
        EMPTY("pipeline.notice.empty"),
        /** Longer than the context: only the last contextLength tokens are read. Arguments: total, context. */
        TRIMMED_KEPT_LAST("pipeline.notice.trimmedKeptLast"),
        /** Longer than the context: only the first contextLength tokens are read. Arguments: total, context. */
        TRIMMED_KEPT_FIRST("pipeline.notice.trimmedKeptFirst"),
        /** Some characters are not in the vocabulary and became {@code <unk>}. */
        UNKNOWN_TOKENS("pipeline.notice.unknownTokens");

        private final String bundleKey;

        Notice(String bundleKey) {
            this.bundleKey = bundleKey;
        }

        public String bundleKey() {
            return bundleKey;
        }
    }

    public PreparedSentence {
        ids = ids.clone();
        unknown = unknown.clone();
        notices = List.copyOf(notices);
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public boolean[] unknown() {
        return unknown.clone();
    }

    /** True when there is nothing to run the model on. */
    public boolean isEmpty() {
        return ids.length == 0;
    }

    /** True when the sentence was longer than the context and some tokens are not read. */
    public boolean trimmed() {
        return ids.length < encoding.size();
    }

    /** Number of tokens of the sentence the model does not read. */
    public int droppedTokens() {
        return encoding.size() - ids.length;
    }

    /** Whether the token the model reads at position {@code position} is {@code <unk>}. */
    public boolean isUnknownAt(int position) {
        if (position < 0 || position >= ids.length) {
            throw new IllegalArgumentException("position " + position + " is outside the " + ids.length
                    + " tokens the model reads");
        }
        return unknown[firstToken + position];
    }

    /** The text of the token the model reads at {@code position}. */
    public String tokenTextAt(int position) {
        isUnknownAt(position);
        return encoding.tokens().get(firstToken + position);
    }
}
