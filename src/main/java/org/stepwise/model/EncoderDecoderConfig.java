package org.stepwise.model;

/**
 * Every architecture choice of an encoder-decoder transformer (the original transformer), as one immutable
 * record checked up front: the choices both halves share come from a {@link ModelConfig}, whose vocabSize is
 * the target vocabulary and whose nLayer is the number of decoder blocks.
 *
 * <p>Letters used in shape comments: S = source length, T = target length (both at most contextLength),
 * M = Σ S and N = Σ T over the sequences of a stack, U = sourceVocabSize, V = target vocabulary size.
 */
public record EncoderDecoderConfig(
        ModelConfig shared,      // width, heads, FFN, activation, positions, norm, bias, tying, ε, RoPE θ; V; decoder blocks
        int sourceVocabSize,     // U: number of token ids the encoder reads
        int nEncoderLayer) {     // encoder blocks

    public EncoderDecoderConfig {
        if (shared == null) {
            throw new IllegalArgumentException("the shared model choices are required");
        }
        if (sourceVocabSize < 2) {
            throw new IllegalArgumentException("sourceVocabSize must be at least 2, got " + sourceVocabSize);
        }
        if (nEncoderLayer < 1) {
            throw new IllegalArgumentException("nEncoderLayer must be at least 1, got " + nEncoderLayer);
        }
        if (shared.isMoe()) {
            throw new IllegalArgumentException("an encoder-decoder model has dense feed-forward networks; nExperts must be 0, got "
                    + shared.nExperts());
        }
    }

    /** Number of decoder blocks (the shared config's nLayer). */
    public int nDecoderLayer() {
        return shared.nLayer();
    }

    /** V: number of token ids the decoder reads and predicts (the shared config's vocabSize). */
    public int targetVocabSize() {
        return shared.vocabSize();
    }

    /** The original transformer's choices (post-LN, sinusoidal positions, ReLU, tied output, biases, MHA) at the given sizes. */
    public static EncoderDecoderConfig original(int sourceVocabSize, int targetVocabSize, int contextLength,
                                                int nEncoderLayer, int nDecoderLayer, int nHead, int dModel, int dFf) {
        ModelConfig shared = new ModelConfig(targetVocabSize, contextLength, nDecoderLayer, nHead, nHead, dModel, dFf,
                ModelConfig.Activation.RELU, ModelConfig.Positional.SINUSOIDAL, ModelConfig.Norm.POST_LN, true, true,
                0, 0, 1e-5, 10000.0);
        return new EncoderDecoderConfig(shared, sourceVocabSize, nEncoderLayer);
    }

    public EncoderDecoderConfig withShared(ModelConfig newShared) {
        return new EncoderDecoderConfig(newShared, sourceVocabSize, nEncoderLayer);
    }
}
