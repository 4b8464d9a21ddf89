package org.stepwise.model;

/**
 * Every architecture choice of a decoder-only transformer, as one immutable record checked up front.
 *
 * <p>Letters used in shape comments across the code: V = vocabSize, T = sequence length
 * (at most contextLength), L = nLayer, H = nHead, G = nKvHead, C = dModel, D = headDim() = C / H,
 * F = dFf, E = nExperts.
 */
public record ModelConfig(
        int vocabSize,        // V: number of token ids the model reads and predicts
        int contextLength,    // longest sequence the model accepts (rows of the learned position table)
        int nLayer,           // L: transformer blocks
        int nHead,            // H: query heads per attention layer
        int nKvHead,          // G: key/value heads; H = MHA, 1 = MQA, in between = GQA (G divides H)
        int dModel,           // C: width of the residual stream
        int dFf,              // F: hidden width of the feed-forward network (4·C by default)
        Activation activation,
        Positional positional,
        Norm norm,
        boolean tiedOutput,   // output layer reuses the token embedding (GPT-2) instead of its own matrix
        boolean bias,         // linear layers have biases (LayerNorm always keeps its β)
        int nExperts,         // E: 0 = one dense FFN; otherwise a mixture of E expert FFNs
        int topK,             // experts each token is routed to (mixture of experts only)
        double layerNormEps,  // ε added to the variance inside LayerNorm
        double ropeTheta) {   // base of RoPE's rotation frequencies

    /** Activation function of the feed-forward network. */
    public enum Activation {
        RELU("relu"),
        /** GPT-2's tanh approximation ("gelu_new"). */
        GELU_TANH("gelu_new"),
        /** The exact form x·Φ(x) with the error function. */
        GELU_ERF("gelu");

        private final String hfName;

        Activation(String hfName) {
            this.hfName = hfName;
        }

        /** The name Hugging Face's {@code activation_function} uses. */
        public String hfName() {
            return hfName;
        }

        public static Activation fromHfName(String name) {
            for (Activation a : values()) {
                if (a.hfName.equals(name)) {
                    return a;
                }
            }
            if ("gelu_pytorch_tanh".equals(name) || "gelu_fast".equals(name)) {
                return GELU_TANH;
            }
            throw new IllegalArgumentException("unknown activation_function \"" + name + "\" (known: relu, gelu_new, gelu)");
        }
    }

    /** How the model knows where a token stands. */
    public enum Positional {
        /** A trained table of position vectors added to the token embedding (GPT-2). */
        LEARNED,
        /** Fixed sine/cosine vectors added to the token embedding (the original transformer). */
        SINUSOIDAL,
        /** Rotary encoding: q and k are rotated inside every attention layer; nothing is added. */
        ROPE,
        /** No position information at all (the causal mask alone). */
        NONE
    }

    /** Where LayerNorm sits relative to the residual connection. */
    public enum Norm {
        /** x = x + f(LN(x)); a final LayerNorm before the output layer (GPT-2). */
        PRE_LN,
        /** x = LN(x + f(x)) (the original transformer); no final LayerNorm. */
        POST_LN
    }

    public ModelConfig {
        require(vocabSize >= 2, "vocabSize must be at least 2, got " + vocabSize);
        require(contextLength >= 1, "contextLength must be at least 1, got " + contextLength);
        require(nLayer >= 1, "nLayer must be at least 1, got " + nLayer);
        require(nHead >= 1, "nHead must be at least 1, got " + nHead);
        require(dModel >= 1, "dModel must be at least 1, got " + dModel);
        require(dModel % nHead == 0, "dModel (" + dModel + ") must be divisible by nHead (" + nHead + ")");
        require(nKvHead >= 1 && nHead % nKvHead == 0,
                "nKvHead (" + nKvHead + ") must divide nHead (" + nHead + ")");
        require(dFf >= 1, "dFf must be at least 1, got " + dFf);
        require(activation != null && positional != null && norm != null, "activation, positional and norm are required");
        require(nExperts >= 0, "nExperts must be 0 (dense) or more, got " + nExperts);
        require(nExperts == 0 || (topK >= 1 && topK <= nExperts),
                "topK (" + topK + ") must be between 1 and nExperts (" + nExperts + ")");
        require(positional != Positional.ROPE || (dModel / nHead) % 2 == 0,
                "RoPE needs an even head size, got " + (dModel / nHead));
        require(layerNormEps > 0, "layerNormEps must be positive");
        require(ropeTheta > 0, "ropeTheta must be positive");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** D: size of one head's query, key and value vectors. */
    public int headDim() {
        return dModel / nHead;
    }

    /** Width of the fused Q,K,V projection: C + 2·G·D. */
    public int qkvDim() {
        return dModel + 2 * nKvHead * headDim();
    }

    public boolean isMoe() {
        return nExperts > 0;
    }

    /** GPT-2's choices (pre-LN, learned positions, GELU tanh, tied output, biases, MHA) at the given sizes. */
    public static ModelConfig gpt2Like(int vocabSize, int contextLength, int nLayer, int nHead, int dModel) {
        return new ModelConfig(vocabSize, contextLength, nLayer, nHead, nHead, dModel, 4 * dModel,
                Activation.GELU_TANH, Positional.LEARNED, Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
    }

    public ModelConfig withVocabSize(int v) {
        return new ModelConfig(v, contextLength, nLayer, nHead, nKvHead, dModel, dFf, activation, positional, norm,
                tiedOutput, bias, nExperts, topK, layerNormEps, ropeTheta);
    }

    public ModelConfig withAttention(int heads, int kvHeads) {
        return new ModelConfig(vocabSize, contextLength, nLayer, heads, kvHeads, dModel, dFf, activation, positional,
                norm, tiedOutput, bias, nExperts, topK, layerNormEps, ropeTheta);
    }

    public ModelConfig withVariants(Activation act, Positional pos, Norm n, boolean tied, boolean withBias) {
        return new ModelConfig(vocabSize, contextLength, nLayer, nHead, nKvHead, dModel, dFf, act, pos, n, tied,
                withBias, nExperts, topK, layerNormEps, ropeTheta);
    }

    public ModelConfig withExperts(int experts, int k) {
        return new ModelConfig(vocabSize, contextLength, nLayer, nHead, nKvHead, dModel, dFf, activation, positional,
                norm, tiedOutput, bias, experts, k, layerNormEps, ropeTheta);
    }
}
