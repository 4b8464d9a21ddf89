package org.stepwise.train;

import java.util.Arrays;
import java.util.Random;

/**
 * A token stream cut into training samples of {@code contextLength + 1} tokens (the input is the first
 * contextLength, the targets the same tokens shifted by one), split into training and validation, and
 * served in a new seeded order every epoch.
 *
 * <p>The stream is cut into consecutive, non-overlapping windows, so every token is a target once per
 * epoch. The validation samples come from the end of the stream, so no validation text is ever trained on.
 */
public final class Dataset {

    private final int[] tokens;
    private final int contextLength;
    private final double validationFraction;
    private final int[] trainStarts;
    private final int[] validationStarts;

    /**
     * @param tokens             the whole corpus as ids. Not modified.
     * @param contextLength      tokens the model reads per sample
     * @param validationFraction share of the samples kept apart for validation, in [0, 0.5]
     */
    public Dataset(int[] tokens, int contextLength, double validationFraction) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length must be at least 1, got " + contextLength);
        }
        if (!(validationFraction >= 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be between 0 and 0.5, got " + validationFraction);
        }
        int samples = (tokens.length - 1) / contextLength;
        if (samples < 1) {
            throw new IllegalArgumentException("the corpus has " + tokens.length + " tokens; at least "
                    + (contextLength + 1) + " are needed for one sample of context length " + contextLength);
        }
        this.tokens = tokens.clone();
        this.contextLength = contextLength;
        this.validationFraction = validationFraction;
        int validation = samples >= 2 ? (int) Math.round(samples * validationFraction) : 0;
        if (validationFraction > 0 && validation == 0 && samples >= 2) {
            validation = 1;
        }
        int train = samples - validation;
        trainStarts = new int[train];
        validationStarts = new int[validation];
        for (int s = 0; s < samples; s++) {
            if (s < train) {
                trainStarts[s] = s * contextLength;
            } else {
                validationStarts[s - train] = s * contextLength;
            }
        }
    }

    public int contextLength() {
        return contextLength;
    }

    /** The share of the samples asked for validation when this dataset was built. */
    public double validationFraction() {
        return validationFraction;
    }

    /** A copy of the whole corpus as ids. */
    public int[] tokens() {
        return tokens.clone();
    }

    public int trainSize() {
        return trainStarts.length;
    }

    public int validationSize() {
        return validationStarts.length;
    }

    /** Number of tokens in the corpus. */
    public int tokenCount() {
        return tokens.length;
    }

    /** A seeded shuffle of the training sample indices (Fisher–Yates). */
    public int[] shuffledOrder(Random random) {
        int[] order = new int[trainStarts.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        return order;
    }

    /** Input ids of training sample {@code index}: contextLength tokens. */
    public int[] trainInput(int index) {
        return Arrays.copyOfRange(tokens, trainStarts[index], trainStarts[index] + contextLength);
    }

    /** Target ids of training sample {@code index}: the input shifted by one token. */
    public int[] trainTarget(int index) {
        return Arrays.copyOfRange(tokens, trainStarts[index] + 1, trainStarts[index] + 1 + contextLength);
    }

    /**
     * Copies training sample {@code index} into reused buffers.
     *
     * @param input  Modified: receives the contextLength input ids
     * @param target Modified: receives the contextLength target ids (the input shifted by one)
     */
    public void copyTrainSample(int index, int[] input, int[] target) {
        copySample(checkedStart(trainStarts, index, "training"), input, target);
    }

    /** Copies validation sample {@code index} into {@code input} and {@code target} (both Modified.). */
    public void copyValidationSample(int index, int[] input, int[] target) {
        copySample(checkedStart(validationStarts, index, "validation"), input, target);
    }

    private int checkedStart(int[] starts, int index, String split) {
        if (index < 0 || index >= starts.length) {
            throw new IllegalArgumentException("there is no " + split + " sample " + index + "; there are " + starts.length);
        }
        return starts[index];
    }

    private void copySample(int start, int[] input, int[] target) {
        if (input.length != contextLength || target.length != contextLength) {
            throw new IllegalArgumentException("sample buffers must hold " + contextLength + " ids, not "
                    + input.length + " and " + target.length);
        }
        System.arraycopy(tokens, start, input, 0, contextLength);
        System.arraycopy(tokens, start + 1, target, 0, contextLength);
    }

    public int[] validationInput(int index) {
        return Arrays.copyOfRange(tokens, validationStarts[index], validationStarts[index] + contextLength);
    }

    public int[] validationTarget(int index) {
        return Arrays.copyOfRange(tokens, validationStarts[index] + 1, validationStarts[index] + 1 + contextLength);
    }
}
