package org.stepwise.pipeline;

import org.stepwise.model.ModelConfig;

/**
 * How many parameters a model has and where they sit: embeddings, attention, the feed-forward networks
 * (with every expert and the router of a mixture of experts), the LayerNorms and the output layer.
 *
 * @param tokenEmbedding    wte, V·C
 * @param positionEmbedding wpe, contextLength·C (learned positions only)
 * @param attention         every block's Q, K, V and output projections with their biases
 * @param feedForward       every block's FFN (or experts and router) with their biases
 * @param norms             every LayerNorm's γ and β
 * @param outputHead        the output layer, 0 when it reuses the token embedding
 */
public record ParameterCount(long tokenEmbedding, long positionEmbedding, long attention, long feedForward, long norms,
                             long outputHead) {

    /** The counts for {@code config}, from the architecture alone. */
    public static ParameterCount of(ModelConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is required");
        }
        long width = config.dModel();                  // C
        long hidden = config.dFf();                    // F
        long layers = config.nLayer();                 // L
        long qkv = config.qkvDim();                    // C + 2GD
        int biases = config.bias() ? 1 : 0;
        long tokenEmbedding = config.vocabSize() * width;
        long positionEmbedding = config.positional() == ModelConfig.Positional.LEARNED
                ? config.contextLength() * width : 0;
        long attentionPerBlock = width * qkv + biases * qkv + width * width + biases * width;
        long oneNetwork = width * hidden + biases * hidden + hidden * width + biases * width;
        long ffnPerBlock = config.isMoe()
                ? config.nExperts() * oneNetwork + width * config.nExperts() + biases * (long) config.nExperts()
                : oneNetwork;
        long norms = layers * 2 * 2 * width + (config.norm() == ModelConfig.Norm.PRE_LN ? 2 * width : 0);
        long outputHead = config.tiedOutput() ? 0 : config.vocabSize() * width;
        return new ParameterCount(tokenEmbedding, positionEmbedding, layers * attentionPerBlock, layers * ffnPerBlock,
                norms, outputHead);
    }

    /** Token and position embeddings together. */
    public long embeddings() {
        return tokenEmbedding + positionEmbedding;
    }

    public long total() {
        return tokenEmbedding + positionEmbedding + attention + feedForward + norms + outputHead;
    }

    /** The feed-forward networks' share of the blocks' weight matrices, FFN/(attention + FFN): about 2/3 in GPT-2. */
    public double feedForwardShareOfBlocks() {
        return (double) feedForward / (attention + feedForward);
    }

    /** The feed-forward networks' share of all parameters. */
    public double feedForwardShareOfTotal() {
        return (double) feedForward / total();
    }
}
