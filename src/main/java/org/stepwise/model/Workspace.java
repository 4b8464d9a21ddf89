package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;

/**
 * Every matrix one sequence's forward and backward pass write, kept between calls so that a
 * training step allocates nothing once warm. Matrices start empty and grow to the longest sequence
 * seen (never beyond contextLength), so a large model that only ever reads short prompts never holds
 * contextLength-sized buffers. One workspace serves one thread at a time.
 */
final class Workspace {
    final DMatrixRMaj embed = new DMatrixRMaj(0, 0);       // [T, C] token embeddings
    final DMatrixRMaj positions = new DMatrixRMaj(0, 0);   // [T, C] learned or sinusoidal position vectors
    final DMatrixRMaj embedded = new DMatrixRMaj(0, 0);    // [T, C] embed + positions
    final Block.Activations[] blocks;
    final NormLayer.Activations finalNorm = new NormLayer.Activations();
    DMatrixRMaj finalOut;                                   // [T, C] the input of the output layer (a reference)
    final DMatrixRMaj logits = new DMatrixRMaj(0, 0);      // [T, V]

    final DMatrixRMaj dLogits = new DMatrixRMaj(0, 0);     // [T, V]
    final DMatrixRMaj dFinalOut = new DMatrixRMaj(0, 0);   // [T, C]
    final DMatrixRMaj dResidual = new DMatrixRMaj(0, 0);   // [T, C] ∂L/∂(residual stream) at the current depth
    final Block.Scratch blockScratch;

    Workspace(Block[] modelBlocks) {
        blocks = new Block.Activations[modelBlocks.length];
        for (int l = 0; l < modelBlocks.length; l++) {
            blocks[l] = modelBlocks[l].newActivations();
        }
        blockScratch = modelBlocks[0].newScratch();
    }
}
