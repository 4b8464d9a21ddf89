package org.stepwise.model;

/**
 * Where each sequence lies when several sequences are stacked one under another as the rows of one
 * [N, C] matrix (N = Σ T of the sequences): position-wise layers treat the stack as N rows, while
 * attention and positions look at one sequence's row range at a time. A lone sequence is the stack
 * of one (N = T).
 */
final class StackedRows {
    private int count;                 // sequences in the stack
    private int[] starts = new int[2]; // starts[i] = first row of sequence i; starts[count] = N
    private int[] ids = new int[0];    // [N] the token id of each row
    private int[] targets = new int[0]; // [N] the id each row should predict (training only)

    /** Stacks one sequence (no targets). ids: Not modified. */
    void setSingle(int[] sequence) {
        count = 1;
        starts[0] = 0;
        starts[1] = sequence.length;
        ensureRows(sequence.length);
        System.arraycopy(sequence, 0, ids, 0, sequence.length);
    }

    /**
     * Stacks sequences [from, to) of a batch and, unless {@code batchTargets} is null, their targets.
     * Arguments: Not modified. Grows its arrays only when the stack is larger than any before.
     */
    void set(int[][] batchIds, int[][] batchTargets, int from, int to) {
        count = to - from;
        if (starts.length < count + 1) {
            starts = new int[count + 1];
        }
        int rows = 0;
        for (int i = 0; i < count; i++) {
            starts[i] = rows;
            rows += batchIds[from + i].length;
        }
        starts[count] = rows;
        ensureRows(rows);
        for (int i = 0; i < count; i++) {
            System.arraycopy(batchIds[from + i], 0, ids, starts[i], length(i));
            if (batchTargets != null) {
                System.arraycopy(batchTargets[from + i], 0, targets, starts[i], length(i));
            }
        }
    }

    private void ensureRows(int rows) {
        if (ids.length < rows) {
            ids = new int[rows];
            targets = new int[rows];
        }
    }

    /** Number of sequences in the stack. */
    int count() {
        return count;
    }

    /** N, the number of rows of the stack. */
    int rows() {
        return starts[count];
    }

    /** The first row of sequence i. */
    int start(int sequence) {
        return starts[sequence];
    }

    /** The length T of sequence i. */
    int length(int sequence) {
        return starts[sequence + 1] - starts[sequence];
    }

    /** The token id of a row. */
    int id(int row) {
        return ids[row];
    }

    /** The target id of a row. */
    int target(int row) {
        return targets[row];
    }
}
