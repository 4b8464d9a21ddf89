package org.stepwise.train;

/**
 * One batch as the article draws it: B sequences of T token ids trained at once, each position predicting the
 * next token, every position of every sequence in the same pass, each seeing only itself and the positions before
 * it (the causal mask). Inside the model the batch is a block [B, T, C] of d_model-wide vectors.
 *
 * @param inputs        the input ids [B, T]; owned by this view, never modified
 * @param targets       the target ids [B, T]: each input shifted by one token; owned by this view
 * @param sampleIndices which training samples (indices into the dataset's training split) the rows are
 * @param dModel        C, the width of every position's vector
 */
public record BatchView(int[][] inputs, int[][] targets, int[] sampleIndices, int dModel) {

    public BatchView {
        if (inputs.length != targets.length || inputs.length != sampleIndices.length) {
            throw new IllegalArgumentException("a batch needs as many target rows and sample indices as input rows: "
                    + inputs.length + ", " + targets.length + ", " + sampleIndices.length);
        }
        for (int row = 0; row < inputs.length; row++) {
            if (inputs[row].length != targets[row].length || inputs[row].length != inputs[0].length) {
                throw new IllegalArgumentException("every row of a batch has the same length; row " + row + " differs");
            }
        }
    }

    /** An empty batch (before the first iteration). */
    public static BatchView empty(int dModel) {
        return new BatchView(new int[0][], new int[0][], new int[0], dModel);
    }

    /** B, the number of sequences. */
    public int batchSize() {
        return inputs.length;
    }

    /** T, the positions per sequence (0 for an empty batch). */
    public int sequenceLength() {
        return inputs.length == 0 ? 0 : inputs[0].length;
    }

    /** Number of predictions the batch trains at once: B × T. */
    public int predictions() {
        return batchSize() * sequenceLength();
    }

    /** The causal mask: whether position {@code query} may look at position {@code key} (key ≤ query). */
    public boolean attends(int query, int key) {
        int length = sequenceLength();
        if (query < 0 || query >= length || key < 0 || key >= length) {
            throw new IllegalArgumentException("positions must lie in [0, " + length + "), got " + query + " and " + key);
        }
        return key <= query;
    }

    /** The distinct input ids of the batch, ascending: the embedding rows the batch reads. */
    public int[] distinctInputIds() {
        return java.util.Arrays.stream(inputs).flatMapToInt(java.util.Arrays::stream).distinct().sorted().toArray();
    }
}
