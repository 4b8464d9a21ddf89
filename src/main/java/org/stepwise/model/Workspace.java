package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/**
 * Every matrix the forward and backward pass of a stack of sequences write (N rows, N = Σ T), kept
 * between calls so that a training step allocates nothing once warm. Matrices start empty and grow to
 * the largest stack seen (a lone prompt, or one chunk of a batch), so a large model that only ever
 * reads short prompts never holds contextLength-sized buffers. One workspace serves one thread at a time.
 */
final class Workspace {
    final StackedRows stack = new StackedRows();           // which rows belong to which sequence
    final DMatrixRMaj embed = new DMatrixRMaj(0, 0);       // [N, C] token embeddings
    final DMatrixRMaj positions = new DMatrixRMaj(0, 0);   // [N, C] learned or sinusoidal position vectors
    final DMatrixRMaj embedded = new DMatrixRMaj(0, 0);    // [N, C] embed + positions
    final Block.Activations[] blocks;
    final NormLayer.Activations finalNorm = new NormLayer.Activations();
    DMatrixRMaj finalOut;                                   // [N, C] the input of the output layer (a reference)
    final DMatrixRMaj logits = new DMatrixRMaj(0, 0);      // [N, V]

    final DMatrixRMaj dLogits = new DMatrixRMaj(0, 0);     // [N, V]
    final DMatrixRMaj dFinalOut = new DMatrixRMaj(0, 0);   // [N, C]
    final DMatrixRMaj dResidual = new DMatrixRMaj(0, 0);   // [N, C] ∂L/∂(residual stream) at the current depth
    final Block.Scratch blockScratch;

    Workspace(Block[] modelBlocks) {
        blocks = new Block.Activations[modelBlocks.length];
        for (int l = 0; l < modelBlocks.length; l++) {
            blocks[l] = modelBlocks[l].newActivations();
        }
        blockScratch = modelBlocks[0].newScratch();
    }
}
