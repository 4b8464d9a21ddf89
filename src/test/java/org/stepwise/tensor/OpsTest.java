package org.stepwise.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** Blocks of rows and columns: one sequence's slice of one head in a stack of sequences. */
class OpsTest {

    @Test
    void copyBlockTakesTheRowsAndColumnsAndPasteBlockPutsThemBack() {
        DMatrixRMaj stack = new DMatrixRMaj(new double[][] {
                {1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}, {17, 18, 19, 20}});
        DMatrixRMaj block = new DMatrixRMaj(1, 1);
        Ops.copyBlock(stack, 1, 3, 2, 2, block);                    // rows 1..3, columns 2..3
        assertArrayEquals(new double[] {7, 8, 11, 12, 15, 16}, java.util.Arrays.copyOf(block.data, 6));
        assertTrue(block.numRows == 3 && block.numCols == 2);

        DMatrixRMaj target = new DMatrixRMaj(5, 4);
        Ops.pasteBlock(block, target, 2, 1);
        assertArrayEquals(new double[] {
                0, 0, 0, 0,
                0, 0, 0, 0,
                0, 7, 8, 0,
                0, 11, 12, 0,
                0, 15, 16, 0}, target.data);
    }

    @Test
    void blocksOutsideTheMatrixAreRejected() {
        DMatrixRMaj stack = new DMatrixRMaj(4, 4);
        DMatrixRMaj block = new DMatrixRMaj(3, 2);
        assertThrows(IllegalArgumentException.class, () -> Ops.copyBlock(stack, 2, 3, 0, 2, block));
        assertThrows(IllegalArgumentException.class, () -> Ops.copyBlock(stack, 0, 3, 3, 2, block));
        assertThrows(IllegalArgumentException.class, () -> Ops.pasteBlock(block, stack, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> Ops.pasteBlock(block, stack, 0, 3));
    }
}
