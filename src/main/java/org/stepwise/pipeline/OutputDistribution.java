package org.stepwise.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.sample.Sampler;
import org.stepwise.sample.SamplingSettings;

/**
 * What the output stage displays for one position: the probabilities a next token is drawn from
 * (exactly {@link Sampler#probabilities}: softmax(logits/T) after the top-k and top-p filters, one-hot on
 * the largest logit at temperature 0), the most probable tokens in order, and the entropy.
 *
 * @param probabilities every token's probability [V], summing to 1
 * @param top           the {@code topN} most probable tokens, most probable first (lower id first on ties)
 * @param entropy       −Σ p·ln p over the tokens with p &gt; 0, in nats
 */
public record OutputDistribution(double[] probabilities, List<Candidate> top, double entropy) {

    /** One candidate next token. */
    public record Candidate(int id, double probability, double logit) {
    }

    public OutputDistribution {
        probabilities = probabilities.clone();
        top = List.copyOf(top);
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    /** The entropy in bits (the nats divided by ln 2). */
    public double entropyBits() {
        return entropy / Math.log(2.0);
    }

    /** The most probable token (the lowest id on ties). */
    public int mostLikely() {
        return top.get(0).id();
    }

    /**
     * The distribution of one row of logits.
     *
     * @param logits   [V] Not modified
     * @param settings temperature, top-k and top-p
     * @param topN     how many candidates to list, at least 1 (fewer when V is smaller)
     * @throws IllegalArgumentException for bad logits (see {@link Sampler#probabilities}) or topN &lt; 1
     */
    public static OutputDistribution of(double[] logits, SamplingSettings settings, int topN) {
        if (topN < 1) {
            throw new IllegalArgumentException("topN must be at least 1, got " + topN);
        }
        double[] probabilities = new Sampler().probabilities(logits, settings); // [V]
        List<Candidate> all = new ArrayList<>(logits.length);
        double entropy = 0;
        for (int id = 0; id < logits.length; id++) {
            double p = probabilities[id];
            all.add(new Candidate(id, p, logits[id]));
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::probability).reversed().thenComparingInt(Candidate::id));
        return new OutputDistribution(probabilities, all.subList(0, Math.min(topN, all.size())), entropy);
    }

    /** The distribution of row {@code position} of the logits [T, V] (Not modified). */
    public static OutputDistribution of(DMatrixRMaj logits, int position, SamplingSettings settings, int topN) {
        if (position < 0 || position >= logits.numRows) {
            throw new IllegalArgumentException("position " + position + " is outside the " + logits.numRows + " rows");
        }
        double[] row = new double[logits.numCols];
        System.arraycopy(logits.data, position * logits.numCols, row, 0, logits.numCols);
        return of(row, settings, topN);
    }
}
