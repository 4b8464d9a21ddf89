package org.stepwise.pipeline;

/**
 * One tensor a stage shows: where its numbers come from, its part in the stage's operation, the letter
 * the formula calls it, its real shape and what its rows and columns are labelled with.
 *
 * @param ref       where the numbers come from ({@link TensorValues#of})
 * @param role      input, weight or output of the stage's operation
 * @param letter    the formula's name for it, e.g. {@code X}, {@code W_Q}, {@code Q}
 * @param rows      its number of rows
 * @param columns   its number of columns
 * @param rowAxis   what each row stands for
 * @param columnAxis what each column stands for
 */
public record StageTensor(TensorRef ref, Role role, String letter, int rows, int columns, Axis rowAxis,
                          Axis columnAxis) {

    /** The tensor's part in the stage's operation. */
    public enum Role { INPUT, WEIGHT, OUTPUT }

    /** How rows or columns are labelled. */
    public enum Axis {
        /** One per token of the sentence (the token's text). */
        TOKENS,
        /** One per token of the source sentence an encoder-decoder's cross-attention reads. */
        SOURCE_TOKENS,
        /** Feature indices 0, 1, 2, … (dimensions of the residual stream, a head or the FFN). */
        DIMENSIONS,
        /** Vocabulary ids (the token each id stands for). */
        VOCAB,
        /** Expert indices of a mixture of experts. */
        EXPERTS,
        /** The k choices of the router, best first. */
        CHOICES,
        /** A single row or column that needs no label. */
        NONE
    }

    public StageTensor {
        if (ref == null || role == null || letter == null || rowAxis == null || columnAxis == null) {
            throw new IllegalArgumentException("every part of a stage tensor is required");
        }
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException(letter + " needs a positive shape, got [" + rows + "×" + columns + "]");
        }
    }

    /** The real shape as the stage writes it, e.g. {@code [5×16]}. */
    public String shapeText() {
        return "[" + rows + "×" + columns + "]";
    }
}
