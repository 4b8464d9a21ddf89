package org.stepwise.sample;

import java.util.Arrays;
import java.util.random.RandomGenerator;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.TraceSink;

/**
 * Translates token by token with an encoder-decoder model: run the model on the source sentence and the target so
 * far (the start id, then the tokens drawn), draw the next target token from the last position's distribution,
 * append it, and stop at the end id or when the target fills the context.
 */
public final class Translator {

    private final EncoderDecoder model;
    private final Sampler sampler = new Sampler();

    public Translator(EncoderDecoder model) {
        if (model == null) {
            throw new IllegalArgumentException("model is required");
        }
        this.model = model;
    }

    /**
     * @param source    source token ids, 1..contextLength of them. Not modified.
     * @param startId   the id the decoder's input begins with
     * @param endId     the id that ends the translation (not included in the result)
     * @param maxTokens most target tokens to draw (at most contextLength − 1 fit after the start id)
     * @param settings  {@link SamplingSettings#GREEDY} for the most likely token at each step
     * @return the target ids drawn, without the start and end ids
     */
    public int[] translate(int[] source, int startId, int endId, int maxTokens, SamplingSettings settings,
                           RandomGenerator random) {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("the number of target tokens must be ≥ 0, got " + maxTokens);
        }
        int limit = Math.min(maxTokens, model.config().shared().contextLength() - 1);
        int[] target = new int[limit + 1];
        target[0] = startId;
        int length = 1;
        double[] last = new double[model.config().targetVocabSize()];
        while (length <= limit) {
            DMatrixRMaj logits = model.forward(source, Arrays.copyOf(target, length), TraceSink.NONE); // [T, V]
            System.arraycopy(logits.data, (logits.numRows - 1) * logits.numCols, last, 0, last.length);
            int next = sampler.sample(last, settings, random);
            if (next == endId) {
                break;
            }
            target[length++] = next;
        }
        return Arrays.copyOfRange(target, 1, length);
    }
}
