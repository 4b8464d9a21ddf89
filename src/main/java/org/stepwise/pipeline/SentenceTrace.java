package org.stepwise.pipeline;

import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.Trace;
import org.stepwise.model.Transformer;

/**
 * A recorded forward pass together with the token ids it was run on (the trace itself starts at the
 * embedding, so the ids are kept beside it for the token and embedding stages).
 */
public record SentenceTrace(int[] ids, Trace trace) {

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
