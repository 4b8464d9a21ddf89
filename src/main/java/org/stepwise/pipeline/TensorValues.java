package org.stepwise.pipeline;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.sample.Sampler;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;

/** Turns a {@link TensorRef} into its numbers, read from a recorded forward pass and the weights it used. */
public final class TensorValues {
    private TensorValues() {
    }

    /**
     * The values of {@code ref} as a new matrix.
     *
     * @param ref        which tensor
     * @param run        the recorded forward pass. Not modified.
     * @param parameters the weights the pass was run with. Not modified.
     * @param config     the model's architecture
     * @throws IllegalArgumentException when the trace or the parameters do not hold the tensor
     */
    public static DMatrixRMaj of(TensorRef ref, SentenceTrace run, Parameters parameters, ModelConfig config) {
        if (ref == null || run == null || parameters == null || config == null) {
            throw new IllegalArgumentException("ref, run, parameters and config are required");
        }
        int tokens = run.tokens();
        if (ref instanceof TensorRef.Hooked hooked) {
            return run.trace().get(hooked.key());
        }
        if (ref instanceof TensorRef.Weight weight) {
            DMatrixRMaj whole = parameters.get(weight.name());
            if (weight.firstColumn() + weight.columns() > whole.numCols) {
                throw new IllegalArgumentException(weight.name() + " has " + whole.numCols + " columns, no columns ["
                        + weight.firstColumn() + ", " + (weight.firstColumn() + weight.columns()) + ")");
            }
            DMatrixRMaj block = new DMatrixRMaj(whole.numRows, weight.columns());
            Ops.copyColumns(whole, weight.firstColumn(), weight.columns(), block);   // [R, N] → [R, cols]
            return block;
        }
        if (ref instanceof TensorRef.TokenIds) {
            DMatrixRMaj ids = new DMatrixRMaj(tokens, 1);                            // [T, 1]
            for (int t = 0; t < tokens; t++) {
                ids.set(t, 0, run.id(t));
            }
            return ids;
        }
        if (ref instanceof TensorRef.OneHot) {
            DMatrixRMaj oneHot = new DMatrixRMaj(tokens, config.vocabSize());        // [T, V]
            for (int t = 0; t < tokens; t++) {
                oneHot.set(t, run.id(t), 1.0);
            }
            return oneHot;
        }
        if (ref instanceof TensorRef.UnmaskedScores scores) {
            return unmaskedScores(run, config, scores.layer(), scores.head());
        }
        if (ref instanceof TensorRef.ConcatenatedHeads heads) {
            DMatrixRMaj all = new DMatrixRMaj(tokens, config.dModel());              // [T, C]
            for (int h = 0; h < config.nHead(); h++) {
                DMatrixRMaj z = run.trace().get(HookKey.of(Hook.Z, heads.layer(), h)); // [T, D]
                Ops.pasteBlock(z, all, 0, h * config.headDim());                      // [T, D] → block of [T, C]
            }
            return all;
        }
        if (ref instanceof TensorRef.CrossHeads heads) {
            DMatrixRMaj all = new DMatrixRMaj(tokens, config.dModel());              // [T, C]
            for (int h = 0; h < config.nHead(); h++) {
                DMatrixRMaj z = run.trace().get(HookKey.of(Hook.CROSS_Z, heads.layer(), h)); // [T, D]
                Ops.pasteBlock(z, all, 0, h * config.headDim());                      // [T, D] → block of [T, C]
            }
            return all;
        }
        if (ref instanceof TensorRef.CrossResidualSum sum) {
            DMatrixRMaj residual = run.trace().get(HookKey.of(Hook.RESID_MID, sum.layer()));      // [T, C]
            DMatrixRMaj branch = run.trace().get(HookKey.of(Hook.CROSS_ATTN_OUT, sum.layer()));   // [T, C]
            return Ops.add(residual, branch, new DMatrixRMaj(tokens, config.dModel()));         // [T, C] + [T, C]
        }
        if (ref instanceof TensorRef.ResidualSum sum) {
            Hook stream = streamBefore(run, sum);
            DMatrixRMaj residual = run.trace().get(HookKey.of(stream, sum.layer()));   // [T, C]
            DMatrixRMaj branch = run.trace().get(HookKey.of(sum.branch(), sum.layer())); // [T, C]
            return Ops.add(residual, branch, new DMatrixRMaj(tokens, config.dModel()));  // [T, C] + [T, C]
        }
        if (ref instanceof TensorRef.Probabilities probabilities) {
            DMatrixRMaj logits = run.trace().logits();                                  // [T, V]
            int vocab = logits.numCols;
            DMatrixRMaj out = new DMatrixRMaj(tokens, vocab);                           // [T, V]
            Sampler sampler = new Sampler();
            double[] row = new double[vocab];
            double[] distribution = new double[vocab];
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(logits.data, t * vocab, row, 0, vocab);
                sampler.probabilitiesInto(row, probabilities.settings(), distribution);
                System.arraycopy(distribution, 0, out.data, t * vocab, vocab);
            }
            return out;
        }
        throw new IllegalArgumentException("unknown tensor reference " + ref);
    }

    /**
     * [rows, columns] of {@code ref} without computing its values. Arguments: Not modified.
     *
     * @throws IllegalArgumentException when the trace or the parameters do not hold the tensor
     */
    public static int[] shape(TensorRef ref, SentenceTrace run, Parameters parameters, ModelConfig config) {
        int tokens = run.tokens();
        if (ref instanceof TensorRef.Hooked hooked) {
            return run.trace().shape(hooked.key());
        }
        if (ref instanceof TensorRef.Weight weight) {
            DMatrixRMaj whole = parameters.get(weight.name());
            if (weight.firstColumn() + weight.columns() > whole.numCols) {
                throw new IllegalArgumentException(weight.name() + " has " + whole.numCols + " columns, no columns ["
                        + weight.firstColumn() + ", " + (weight.firstColumn() + weight.columns()) + ")");
            }
            return new int[] {whole.numRows, weight.columns()};
        }
        if (ref instanceof TensorRef.TokenIds) {
            return new int[] {tokens, 1};
        }
        if (ref instanceof TensorRef.OneHot || ref instanceof TensorRef.Probabilities) {
            return new int[] {tokens, config.vocabSize()};
        }
        if (ref instanceof TensorRef.UnmaskedScores scores) {
            queryAndKey(config, scores.layer(), scores.head());
            return new int[] {tokens, tokens};
        }
        if (ref instanceof TensorRef.ConcatenatedHeads heads) {
            run.trace().shape(HookKey.of(Hook.Z, heads.layer(), 0));           // throws when the block is not there
            return new int[] {tokens, config.dModel()};
        }
        if (ref instanceof TensorRef.CrossHeads heads) {
            run.trace().shape(HookKey.of(Hook.CROSS_Z, heads.layer(), 0));     // throws when the block is not there
            return new int[] {tokens, config.dModel()};
        }
        if (ref instanceof TensorRef.CrossResidualSum sum) {
            return run.trace().shape(HookKey.of(Hook.CROSS_ATTN_OUT, sum.layer()));
        }
        TensorRef.ResidualSum sum = (TensorRef.ResidualSum) ref;
        return run.trace().shape(HookKey.of(sum.branch(), sum.layer()));
    }

    /**
     * The residual stream a post-LN residual sum adds its branch to: resid_pre for the attention; for the FFN
     * resid_cross in a decoder block of an encoder-decoder model (which has cross-attention between the two),
     * resid_mid otherwise.
     */
    public static Hook streamBefore(SentenceTrace run, TensorRef.ResidualSum sum) {
        if (sum.branch() == Hook.ATTN_OUT) {
            return Hook.RESID_PRE;
        }
        return ffnStream(run, sum.layer());
    }

    /** The residual stream that enters the FFN half of block {@code layer}: resid_cross when the block has cross-attention, else resid_mid. */
    public static Hook ffnStream(SentenceTrace run, int layer) {
        return run.trace().contains(HookKey.of(Hook.RESID_CROSS, layer)) ? Hook.RESID_CROSS : Hook.RESID_MID;
    }

    /**
     * Row {@code row} of {@code ref} as a new array, reading only that row where the tensor is stored
     * (a recorded intermediate, a parameter, the probabilities). Arguments: Not modified.
     *
     * @throws IllegalArgumentException when the tensor is not there or has no such row
     */
    public static double[] row(TensorRef ref, int row, SentenceTrace run, Parameters parameters, ModelConfig config) {
        int[] shape = shape(ref, run, parameters, config);
        if (row < 0 || row >= shape[0]) {
            throw new IllegalArgumentException(ref + " has " + shape[0] + " rows, no row " + row);
        }
        double[] out = new double[shape[1]];
        if (ref instanceof TensorRef.Hooked hooked) {
            for (int c = 0; c < out.length; c++) {
                out[c] = run.trace().get(hooked.key(), row, c);
            }
            return out;
        }
        if (ref instanceof TensorRef.Weight weight) {
            DMatrixRMaj whole = parameters.get(weight.name());
            System.arraycopy(whole.data, row * whole.numCols + weight.firstColumn(), out, 0, out.length);
            return out;
        }
        if (ref instanceof TensorRef.Probabilities probabilities) {
            double[] logits = row(TensorRef.hook(Hook.LOGITS), row, run, parameters, config);   // [V]
            return new Sampler().probabilities(logits, probabilities.settings());
        }
        DMatrixRMaj whole = of(ref, run, parameters, config);                                    // [T, N]
        System.arraycopy(whole.data, row * whole.numCols, out, 0, out.length);
        return out;
    }

    /** q·kᵀ/√D of query head {@code head} of block {@code layer}, without the mask: [T, T]. */
    static DMatrixRMaj unmaskedScores(SentenceTrace run, ModelConfig config, int layer, int head) {
        HookKey[] queryAndKey = queryAndKey(config, layer, head);
        DMatrixRMaj q = run.trace().get(queryAndKey[0]);                               // [T, D]
        DMatrixRMaj k = run.trace().get(queryAndKey[1]);                               // [T, D]
        DMatrixRMaj scores = new DMatrixRMaj(q.numRows, k.numRows);
        MatMul.multTransB(q, k, scores);                                               // [T, D]·[T, D]ᵀ → [T, T]
        Ops.scale(scores, 1.0 / Math.sqrt(config.headDim()));
        return scores;
    }

    /** The query and key the scores of a head are made from: rotated ones with RoPE. */
    static HookKey[] queryAndKey(ModelConfig config, int layer, int head) {
        boolean rope = config.positional() == ModelConfig.Positional.ROPE;
        int kvHead = kvHeadOf(config, head);
        return new HookKey[] {
                HookKey.of(rope ? Hook.ROT_Q : Hook.Q, layer, head),
                HookKey.of(rope ? Hook.ROT_K : Hook.K, layer, kvHead)};
    }

    /** The key/value head query head {@code head} reads (GQA: H/G query heads share one). */
    public static int kvHeadOf(ModelConfig config, int head) {
        if (head < 0 || head >= config.nHead()) {
            throw new IllegalArgumentException("head " + head + " is outside the model's " + config.nHead() + " heads");
        }
        return head / (config.nHead() / config.nKvHead());
    }
}
