package org.stepwise.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.ejml.data.DMatrixRMaj;

/**
 * Turns a model with G0 key/value heads (multi-head attention when G0 = H) into one with fewer, G, by
 * replacing every group of G0/G neighbouring key heads by their mean, and the same for the value heads
 * ("mean-pooling", as in the GQA paper's conversion of a trained MHA checkpoint).
 *
 * <p>The fused projection c_attn [C, C + 2·G0·D] holds, column by column, the H query heads, then the G0 key
 * heads, then the G0 value heads, D columns each. Query head h reads key/value head h / (H/G0), so the
 * G0/G old heads that become new head g are the consecutive heads g·(G0/G) … (g+1)·(G0/G) − 1: exactly those
 * the query heads of new group g read before. Query columns, the output projection and every other parameter
 * are copied unchanged.
 */
public final class GqaConversion {
    private GqaConversion() {
    }

    /** A converted model: its config (nKvHead = G) and its new weights. */
    public record Result(ModelConfig config, Parameters parameters) {
    }

    /** A converted encoder-decoder model: its config (nKvHead = G in every attention layer) and its new weights. */
    public record EncoderDecoderResult(EncoderDecoderConfig config, Parameters parameters) {
    }

    /**
     * Checks that a model with {@code heads} query heads and {@code kvHeads} key/value heads can be pooled down
     * to {@code newKvHeads}.
     *
     * @throws IllegalArgumentException when {@code newKvHeads} is below 1, above {@code kvHeads}, or does not
     *                                  divide {@code kvHeads} (and so {@code heads})
     */
    public static void checkTarget(int heads, int kvHeads, int newKvHeads) {
        if (newKvHeads < 1) {
            throw new IllegalArgumentException("the number of key/value heads must be at least 1, got " + newKvHeads);
        }
        if (newKvHeads > kvHeads) {
            throw new IllegalArgumentException("cannot convert to " + newKvHeads + " key/value heads: the model has "
                    + kvHeads + " (of " + heads + " query heads), and pooling can only lower the number");
        }
        if (kvHeads % newKvHeads != 0) {
            throw new IllegalArgumentException(newKvHeads + " key/value heads do not divide the model's " + kvHeads
                    + ": choose one of " + divisors(kvHeads));
        }
    }

    /** The numbers of key/value heads a model with {@code kvHeads} of them can be converted to, largest first. */
    public static List<Integer> divisors(int kvHeads) {
        List<Integer> out = new ArrayList<>();
        for (int g = kvHeads; g >= 1; g--) {
            if (kvHeads % g == 0) {
                out.add(g);
            }
        }
        return out;
    }

    /**
     * The model {@code config}/{@code parameters} with {@code newKvHeads} key/value heads in every block.
     *
     * @param parameters Not modified; the result holds copies
     * @throws IllegalArgumentException for a bad {@code newKvHeads} (see {@link #checkTarget}) or parameters
     *                                  that do not fit {@code config}
     */
    public static Result convert(ModelConfig config, Parameters parameters, int newKvHeads) {
        return convert(config, parameters, newKvHeads, true);
    }

    /**
     * As {@link #convert}, but the parameters the conversion does not change are the very matrices of
     * {@code parameters}, not copies: only the fused Q,K,V projections are new. For looking at a large model
     * (GPT-2's weights take a gigabyte) without holding its weights twice; neither model may then be modified in
     * place (training copies the weights it starts from, so it may start from either).
     *
     * @param parameters Not modified; shared with the result
     */
    public static Result convertSharingUnchanged(ModelConfig config, Parameters parameters, int newKvHeads) {
        return convert(config, parameters, newKvHeads, false);
    }

    private static Result convert(ModelConfig config, Parameters parameters, int newKvHeads, boolean copyUnchanged) {
        checkTarget(config.nHead(), config.nKvHead(), newKvHeads);
        ParameterLayout.of(config).check(parameters);
        ModelConfig converted = config.withAttention(config.nHead(), newKvHeads);
        List<String> fusedPrefixes = new ArrayList<>();
        for (int layer = 0; layer < config.nLayer(); layer++) {
            fusedPrefixes.add("h." + layer + ".attn.c_attn");
        }
        Parameters out = convertAttentionLayers(parameters, fusedPrefixes, config.nHead(), config.nKvHead(),
                config.headDim(), newKvHeads, copyUnchanged);
        ParameterLayout.of(converted).check(out);
        return new Result(converted, out);
    }

    /**
     * The encoder-decoder model {@code config}/{@code parameters} with {@code newKvHeads} key/value heads in every
     * attention layer: the encoder's self-attention {@code encoder.h.{l}.attn.c_attn} [C, H·D + 2·G0·D], the
     * decoder's self-attention {@code h.{l}.attn.c_attn} (both queries, then keys, then values) and its
     * cross-attention {@code h.{l}.crossattention.c_attn} [C, 2·G0·D] (keys, then values; its queries are the separate
     * q_attn, unchanged). Every other parameter is copied.
     *
     * @param parameters Not modified
     * @throws IllegalArgumentException for a bad {@code newKvHeads} or parameters that do not fit {@code config}
     */
    public static EncoderDecoderResult convert(EncoderDecoderConfig config, Parameters parameters, int newKvHeads) {
        ModelConfig shared = config.shared();
        checkTarget(shared.nHead(), shared.nKvHead(), newKvHeads);
        ParameterLayout.of(config).check(parameters);
        EncoderDecoderConfig converted = config.withShared(shared.withAttention(shared.nHead(), newKvHeads));
        List<String> selfAttention = new ArrayList<>();
        List<String> crossAttention = new ArrayList<>();
        for (int layer = 0; layer < config.nEncoderLayer(); layer++) {
            selfAttention.add(ParameterLayout.ENCODER_PREFIX + "h." + layer + ".attn.c_attn");
        }
        for (int layer = 0; layer < config.nDecoderLayer(); layer++) {
            selfAttention.add("h." + layer + ".attn.c_attn");
            crossAttention.add("h." + layer + ".crossattention.c_attn");
        }
        Parameters out = new Parameters();
        for (String name : parameters.names()) {
            DMatrixRMaj value = parameters.get(name);
            DMatrixRMaj result;
            if (isFused(name, selfAttention)) {
                result = convertFusedQkv(value, shared.nHead(), shared.nKvHead(), shared.headDim(), newKvHeads, name);
            } else if (isFused(name, crossAttention)) {
                result = convertFusedKv(value, shared.nKvHead(), shared.headDim(), newKvHeads, name);
            } else {
                result = value.copy();
            }
            out.put(name, result, parameters.isVector(name));
        }
        ParameterLayout.of(converted).check(out);
        return new EncoderDecoderResult(converted, out);
    }

    /**
     * One fused K,V weight [in, 2·G0·D] or bias [1, 2·G0·D] of cross-attention (Not modified; keys then values)
     * pooled to [in, 2·G·D]: each new key (value) head is the mean of its G0/G old key (value) heads.
     *
     * @param name what to call the matrix in an error message
     * @throws IllegalArgumentException for a bad {@code newKvHeads} or a width that is not 2·G0·D
     */
    public static DMatrixRMaj convertFusedKv(DMatrixRMaj fused, int kvHeads, int headDim, int newKvHeads,
            String name) {
        checkTarget(kvHeads, kvHeads, newKvHeads);
        DMatrixRMaj out = new DMatrixRMaj(fused.numRows, 2 * newKvHeads * headDim);
        pool(fused, 0, kvHeads, headDim, newKvHeads, name, out);
        return out;
    }

    /**
     * A copy of {@code parameters} in which every fused projection named {@code prefix + ".weight"} (and
     * {@code prefix + ".bias"} when present) for a prefix of {@code fusedQkvPrefixes} has its key and value heads
     * pooled from {@code kvHeads} to {@code newKvHeads}; any model whose attention layers use the [Q | K | V]
     * column layout (decoder blocks, encoder blocks) converts through this.
     *
     * @param parameters    Not modified
     * @param copyUnchanged true: every other parameter is copied; false: the result holds the very matrices of
     *                      {@code parameters} (see {@link #convertSharingUnchanged})
     * @throws IllegalArgumentException for a bad {@code newKvHeads}, a missing weight, or a weight whose width
     *                                  is not H·D + 2·kvHeads·D
     */
    public static Parameters convertAttentionLayers(Parameters parameters, Collection<String> fusedQkvPrefixes,
            int heads, int kvHeads, int headDim, int newKvHeads, boolean copyUnchanged) {
        checkTarget(heads, kvHeads, newKvHeads);
        for (String prefix : fusedQkvPrefixes) {
            parameters.get(prefix + ".weight");     // fails with the name when it is missing
        }
        Parameters out = new Parameters();
        for (String name : parameters.names()) {
            DMatrixRMaj value = parameters.get(name);
            DMatrixRMaj converted = isFused(name, fusedQkvPrefixes)
                    ? convertFusedQkv(value, heads, kvHeads, headDim, newKvHeads, name)
                    : copyUnchanged ? value.copy() : value;
            out.put(name, converted, parameters.isVector(name));
        }
        return out;
    }

    private static boolean isFused(String name, Collection<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.equals(prefix + ".weight") || name.equals(prefix + ".bias")) {
                return true;
            }
        }
        return false;
    }

    /**
     * One fused Q,K,V weight [in, H·D + 2·G0·D] or bias [1, H·D + 2·G0·D] (Not modified) pooled to
     * [in, H·D + 2·G·D]: every row keeps its H·D query columns, and each new key (value) head is the mean of
     * its G0/G old key (value) heads, column by column.
     *
     * @param name what to call the matrix in an error message
     * @throws IllegalArgumentException for a bad {@code newKvHeads} or a width that is not H·D + 2·G0·D
     */
    public static DMatrixRMaj convertFusedQkv(DMatrixRMaj fused, int heads, int kvHeads, int headDim,
            int newKvHeads, String name) {
        DMatrixRMaj out = new DMatrixRMaj(fused.numRows, (heads + 2 * newKvHeads) * headDim);
        convertFusedQkv(fused, heads, kvHeads, headDim, newKvHeads, name, out);
        return out;
    }

    /**
     * As {@link #convertFusedQkv(DMatrixRMaj, int, int, int, int, String)}, into {@code out} (Modified, reshaped
     * to [in, H·D + 2·G·D]; must not be {@code fused}).
     */
    public static void convertFusedQkv(DMatrixRMaj fused, int heads, int kvHeads, int headDim, int newKvHeads,
            String name, DMatrixRMaj out) {
        checkTarget(heads, kvHeads, newKvHeads);
        pool(fused, heads, kvHeads, headDim, newKvHeads, name, out);
    }

    /**
     * Pools the key and value heads of a fused [in, H·D + 2·G0·D] matrix (H = {@code heads} query heads first,
     * possibly none) into {@code out} [in, H·D + 2·G·D] (Modified.); {@code fused} is Not modified.
     */
    private static void pool(DMatrixRMaj fused, int heads, int kvHeads, int headDim, int newKvHeads, String name,
            DMatrixRMaj out) {
        if (headDim < 1) {
            throw new IllegalArgumentException("the head size must be at least 1, got " + headDim);
        }
        int queryWidth = heads * headDim;                                 // H·D
        int oldWidth = queryWidth + 2 * kvHeads * headDim;                // H·D + 2·G0·D
        if (fused.numCols != oldWidth) {
            throw new IllegalArgumentException(name + " has " + fused.numCols + " columns; with " + heads
                    + " query heads (in this matrix), " + kvHeads + " key/value heads and heads of size " + headDim + " it needs "
                    + oldWidth);
        }
        if (out == fused) {
            throw new IllegalArgumentException("the pooled " + name + " must go into a matrix of its own");
        }
        int newWidth = queryWidth + 2 * newKvHeads * headDim;            // H·D + 2·G·D
        int pooled = kvHeads / newKvHeads;                               // old heads per new head, G0/G
        out.reshape(fused.numRows, newWidth);                            // [in, H·D + 2·G0·D] → [in, H·D + 2·G·D]
        double[] source = fused.data;
        double[] target = out.data;
        for (int row = 0; row < fused.numRows; row++) {
            int sourceRow = row * oldWidth;
            int targetRow = row * newWidth;
            System.arraycopy(source, sourceRow, target, targetRow, queryWidth);   // the query heads, unchanged
            for (int part = 0; part < 2; part++) {                                // 0: keys, 1: values
                int oldPart = sourceRow + queryWidth + part * kvHeads * headDim;
                int newPart = targetRow + queryWidth + part * newKvHeads * headDim;
                for (int group = 0; group < newKvHeads; group++) {
                    for (int d = 0; d < headDim; d++) {
                        double sum = 0;
                        for (int member = 0; member < pooled; member++) {
                            int oldHead = group * pooled + member;
                            sum += source[oldPart + oldHead * headDim + d];
                        }
                        target[newPart + group * headDim + d] = sum / pooled;
                    }
                }
            }
        }
    }
}
