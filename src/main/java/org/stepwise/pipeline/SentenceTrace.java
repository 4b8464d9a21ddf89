package org.stepwise.pipeline;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.Trace;
import org.stepwise.model.Transformer;
import org.stepwise.tokenizer.Tokenizer;

/**
 * A recorded forward pass together with the token ids it was run on (the trace itself starts at the
 * embedding, so the ids are kept beside it for the token and embedding stages).
 *
 * @param ids           the token ids the pass read, one per row of its hook_embed
 * @param trace         every intermediate
 * @param bidirectional true when every token attends to every token (an encoder): nothing is masked
 * @param source        for the decoder of an encoder-decoder model, the source sentence its cross-attention
 *                      reads (the columns of the cross-attention scores); null otherwise
 */
public record SentenceTrace(int[] ids, Trace trace, boolean bidirectional, Source source) {

    /** The source sentence a decoder's cross-attention reads: its ids and the tokenizer that names them. */
    public record Source(int[] ids, Tokenizer tokenizer) {
        public Source {
            if (ids == null || tokenizer == null || ids.length == 0) {
                throw new IllegalArgumentException("a source needs at least one id and its tokenizer");
            }
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }

        /** S, the number of source tokens. */
        public int tokens() {
            return ids.length;
        }
    }

    /** A causal pass of a decoder-only model. */
    public SentenceTrace(int[] ids, Trace trace) {
        this(ids, trace, false, null);
    }

    public SentenceTrace {
        if (ids == null || trace == null) {
            throw new IllegalArgumentException("ids and trace are required");
        }
        int rows = trace.shape(HookKey.of(Hook.EMBED))[0];
        if (rows != ids.length) {
            throw new IllegalArgumentException("the trace has " + rows + " tokens but " + ids.length + " ids were given");
        }
        ids = ids.clone();
    }

    /** Runs {@code model} on {@code ids} (Not modified) and records every intermediate. */
    public static SentenceTrace record(Transformer model, int[] ids) {
        return new SentenceTrace(ids, Trace.record(model, ids));
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** T, the number of tokens. */
    public int tokens() {
        return ids.length;
    }

    /** The id of the token at {@code position}. */
    public int id(int position) {
        if (position < 0 || position >= ids.length) {
            throw new IllegalArgumentException("position " + position + " is outside the " + ids.length + " tokens");
        }
        return ids[position];
    }
}
