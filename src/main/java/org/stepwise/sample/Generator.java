package org.stepwise.sample;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;

/**
 * Generates text token by token: run the model on the sequence so far (its last contextLength tokens),
 * draw the next token from the last position's distribution, append it, repeat.
 */
public final class Generator {

    private final Transformer model;
    private final Sampler sampler = new Sampler();

    public Generator(Transformer model) {
        this.model = model;
    }

    /**
     * @param prompt       the ids to continue (at least one). Not modified.
     * @param maxNewTokens how many tokens to add at most
     * @param eosId        generation stops after this id is drawn; −1 for no stop token
     * @return the prompt followed by the new tokens
     */
    public int[] generate(int[] prompt, int maxNewTokens, SamplingSettings settings, int eosId, RandomGenerator random) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("the number of new tokens must be ≥ 0, got " + maxNewTokens);
        }
        int context = model.config().contextLength();
        int[] sequence = Arrays.copyOf(prompt, prompt.length + maxNewTokens);
        int length = prompt.length;
        double[] last = new double[model.config().vocabSize()];
        for (int n = 0; n < maxNewTokens; n++) {
            int start = Math.max(0, length - context);
            DMatrixRMaj logits = model.forward(Arrays.copyOfRange(sequence, start, length), TraceSink.NONE);  // [T, V]
            System.arraycopy(logits.data, (logits.numRows - 1) * logits.numCols, last, 0, last.length);
            int next = sampler.sample(last, settings, random);
            sequence[length++] = next;
            if (next == eosId) {
                break;
            }
        }
        return Arrays.copyOf(sequence, length);
    }
}
