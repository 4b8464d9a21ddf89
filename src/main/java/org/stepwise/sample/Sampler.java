package org.stepwise.sample;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Turns the model's logits for the next token into the distribution a token is drawn from, and draws it.
 *
 * <p>The steps, in order (V = vocabulary size, every array is [V]):
 * <ol>
 *   <li><b>Temperature.</b> Each logit becomes (logit − max) / temperature. Subtracting the largest logit
 *       first changes nothing mathematically (softmax ignores a common shift) but keeps every exponent ≤ 0,
 *       so nothing overflows, whatever the temperature or the size of the logits. A logit of −∞ is a masked
 *       token: its probability is exactly 0.</li>
 *   <li><b>Top-k.</b> Tokens whose logit is below the k-th largest logit are dropped. Every token whose logit
 *       equals the k-th largest is kept, so a tie can let more than k tokens through; this way the result
 *       never depends on the order of the vocabulary.</li>
 *   <li><b>Softmax.</b> exp of each surviving value, divided by their sum.</li>
 *   <li><b>Top-p.</b> Going from the most probable token down, tokens are kept until their probabilities add
 *       up to at least p; every other token exactly as probable as the last one kept is kept too. The rest
 *       are dropped and the survivors renormalised.</li>
 * </ol>
 * Temperature 0 skips all of this and gives a one-hot distribution on the largest logit (the lowest index
 * on ties). The most likely token always survives both filters.
 *
 * <p>A sampler keeps scratch arrays between calls so that drawing a token allocates nothing once the
 * vocabulary size is known; it is therefore not safe to share one sampler between threads.
 */
public final class Sampler {

    /** Sorted copies of the logits (for top-k) or probabilities (for top-p). [V] */
    private double[] sortedScratch = new double[0];

    /** The distribution {@link #sample} draws from. [V] */
    private double[] drawDistribution = new double[0];

    /**
     * The distribution a token would be drawn from under {@code settings}, as a new array of length V
     * that sums to 1. {@code logits} is Not modified.
     *
     * @throws IllegalArgumentException if the logits are empty, contain NaN or +∞, or are all −∞
     */
    public double[] probabilities(double[] logits, SamplingSettings settings) {
        checkLogits(logits);
        double[] probabilities = new double[logits.length]; // [V]
        probabilitiesInto(logits, settings, probabilities);
        return probabilities;
    }

    /**
     * Writes the distribution a token would be drawn from into {@code probabilities} (Modified.), which must
     * have the same length as {@code logits} (Not modified.).
     *
     * @throws IllegalArgumentException if the logits are empty, contain NaN or +∞, or are all −∞, or if the
     *                                  lengths differ
     */
    public void probabilitiesInto(double[] logits, SamplingSettings settings, double[] probabilities) {
        checkLogits(logits);
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        if (probabilities == null || probabilities.length != logits.length) {
            throw new IllegalArgumentException("probabilities must have the length of the logits (" + logits.length
                    + "), got " + (probabilities == null ? "null" : String.valueOf(probabilities.length)));
        }
        int vocabSize = logits.length;
        int argmax = 0;
        for (int i = 1; i < vocabSize; i++) {
            if (logits[i] > logits[argmax]) {
                argmax = i;
            }
        }
        double maxLogit = logits[argmax];

        if (settings.isGreedy()) {
            Arrays.fill(probabilities, 0.0);
            probabilities[argmax] = 1.0;
            return;
        }

        double topKThreshold = topKThreshold(logits, settings.topK());
        double temperature = settings.temperature();
        double weightSum = 0.0;
        for (int i = 0; i < vocabSize; i++) {
            double logit = logits[i];
            // (logit − max) ≤ 0, so exp never overflows; −∞ (masked, or so far below that it overflows) gives 0.
            double weight = logit < topKThreshold ? 0.0 : Math.exp((logit - maxLogit) / temperature);
            probabilities[i] = weight;
            weightSum += weight;
        }
        // The largest logit contributes exp(0) = 1, so weightSum ≥ 1 and the division is safe.
        for (int i = 0; i < vocabSize; i++) {
            probabilities[i] /= weightSum;
        }

        if (settings.topP() < 1.0) {
            keepTopP(probabilities, settings.topP());
        }
    }

    /**
     * Draws one token id from the distribution of {@link #probabilities}, using exactly one
     * {@code rng.nextDouble()} (also at temperature 0), so a generator seeded the same way gives the same
     * sequence of tokens. {@code logits} is Not modified; {@code rng} advances by one draw.
     *
     * @throws IllegalArgumentException on bad logits (see {@link #probabilities}) or a null generator
     */
    public int sample(double[] logits, SamplingSettings settings, RandomGenerator rng) {
        checkLogits(logits);
        if (rng == null) {
            throw new IllegalArgumentException("random generator must not be null");
        }
        if (drawDistribution.length != logits.length) {
            drawDistribution = new double[logits.length]; // [V], reallocated only when the vocabulary changes
        }
        probabilitiesInto(logits, settings, drawDistribution);
        return inverseCdf(drawDistribution, rng.nextDouble());
    }

    /**
     * The token a uniform number picks by inverse CDF: lay the probabilities end to end on [0, total) in id
     * order and return the id of the segment that {@code uniform · total} falls in. A token of probability 0
     * is never returned. {@code probabilities} is Not modified and need not be normalised.
     *
     * @param uniform a number in [0, 1)
     * @throws IllegalArgumentException if {@code uniform} is outside [0, 1), or a probability is negative or
     *                                  not finite, or they are all 0
     */
    public static int inverseCdf(double[] probabilities, double uniform) {
        if (!(uniform >= 0.0 && uniform < 1.0)) {
            throw new IllegalArgumentException("uniform must be in [0, 1), got " + uniform);
        }
        if (probabilities == null || probabilities.length == 0) {
            throw new IllegalArgumentException("probabilities must be a non-empty array");
        }
        double total = 0.0;
        int lastPositive = -1;
        for (int i = 0; i < probabilities.length; i++) {
            double probability = probabilities[i];
            if (!(probability >= 0.0) || probability == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("probability " + i + " must be finite and ≥ 0, got " + probability);
            }
            if (probability > 0.0) {
                lastPositive = i;
            }
            total += probability;
        }
        if (lastPositive < 0) {
            throw new IllegalArgumentException("probabilities are all 0: there is no token to draw");
        }
        double target = uniform * total;
        double cumulative = 0.0;
        for (int i = 0; i < probabilities.length; i++) {
            cumulative += probabilities[i];
            if (cumulative > target) {
                return i;
            }
        }
        // Reached only when rounding puts target at the very end of [0, total).
        return lastPositive;
    }

    /** The logit a token needs to survive top-k: the k-th largest logit, or −∞ when the filter is off. */
    private double topKThreshold(double[] logits, int topK) {
        int vocabSize = logits.length;
        if (topK == 0 || topK >= vocabSize) {
            return Double.NEGATIVE_INFINITY;
        }
        double[] sorted = scratch(vocabSize);
        System.arraycopy(logits, 0, sorted, 0, vocabSize);
        Arrays.sort(sorted, 0, vocabSize); // ascending
        return sorted[vocabSize - topK];
    }

    /**
     * Drops every token outside the smallest most-probable set of mass ≥ topP (keeping ties with the least
     * probable one kept) and renormalises. {@code probabilities} (Modified.) must sum to 1.
     */
    private void keepTopP(double[] probabilities, double topP) {
        int vocabSize = probabilities.length;
        double[] sorted = scratch(vocabSize);
        System.arraycopy(probabilities, 0, sorted, 0, vocabSize);
        Arrays.sort(sorted, 0, vocabSize); // ascending, so the most probable is last
        double cumulative = 0.0;
        double smallestKept = 0.0; // stays 0 (keep everything) if rounding leaves the total just below topP
        for (int j = vocabSize - 1; j >= 0; j--) {
            cumulative += sorted[j];
            if (cumulative >= topP) {
                smallestKept = sorted[j];
                break;
            }
        }
        double keptSum = 0.0;
        for (int i = 0; i < vocabSize; i++) {
            if (probabilities[i] < smallestKept) {
                probabilities[i] = 0.0;
            }
            keptSum += probabilities[i];
        }
        // keptSum ≥ the most probable token's probability > 0.
        for (int i = 0; i < vocabSize; i++) {
            probabilities[i] /= keptSum;
        }
    }

    /** A scratch array of at least {@code length}, reused across calls. */
    private double[] scratch(int length) {
        if (sortedScratch.length < length) {
            sortedScratch = new double[length]; // grows only when the vocabulary does
        }
        return sortedScratch;
    }

    /** Rejects logits that have no meaningful distribution, naming the first offending entry. */
    private static void checkLogits(double[] logits) {
        if (logits == null || logits.length == 0) {
            throw new IllegalArgumentException("logits must be a non-empty array");
        }
        boolean anyFinite = false;
        for (int i = 0; i < logits.length; i++) {
            double logit = logits[i];
            if (Double.isNaN(logit)) {
                throw new IllegalArgumentException("logit " + i + " is NaN; the model's output is broken");
            }
            if (logit == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit " + i + " is +∞; only −∞ (a masked token) is allowed");
            }
            if (logit != Double.NEGATIVE_INFINITY) {
                anyFinite = true;
            }
        }
        if (!anyFinite) {
            throw new IllegalArgumentException("every logit is −∞ (masked): there is no token to draw");
        }
    }
}
