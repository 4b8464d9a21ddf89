package org.stepwise.pipeline;

/**
 * One step of the forward pass as the visualizer shows it: what is computed ({@link Kind}) and, for the
 * steps inside a transformer block, which block ({@code block} is −1 for the steps outside every block);
 * {@code encoder} is true for the steps of the encoder of an encoder-decoder model (its source text, tokens,
 * embedding, blocks and final LayerNorm) and false for a decoder-only model and the decoder side.
 */
public record Stage(Kind kind, int block, boolean encoder) {

    /** What a stage computes. Each kind has a bundle key {@code pipeline.stage.<name>} for its title. */
    public enum Kind {
        TEXT(false),
        TOKENS(false),
        TOKEN_EMBEDDING(false),
        POSITION(false),
        LAYER_NORM_1(true),
        QKV(true),
        SCORES(true),
        CAUSAL_MASK(true),
        ATTENTION_SOFTMAX(true),
        WEIGHTED_SUM(true),
        CONCAT_PROJECT(true),
        ATTENTION_RESIDUAL(true),
        LAYER_NORM_2(true),
        FFN_UP(true),
        ACTIVATION(true),
        FFN_DOWN(true),
        ROUTER(true),
        EXPERTS(true),
        FFN_RESIDUAL(true),
        CROSS_LAYER_NORM(true),
        CROSS_QKV(true),
        CROSS_SCORES(true),
        CROSS_SOFTMAX(true),
        CROSS_WEIGHTED_SUM(true),
        CROSS_CONCAT_PROJECT(true),
        CROSS_RESIDUAL(true),
        FINAL_LAYER_NORM(false),
        LOGITS(false),
        OUTPUT_SOFTMAX(false),
        NEXT_TOKEN(false);

        private final boolean inBlock;

        Kind(boolean inBlock) {
            this.inBlock = inBlock;
        }

        /** True for the steps computed once per transformer block. */
        public boolean inBlock() {
            return inBlock;
        }

        /** The bundle key of this kind's title, e.g. {@code pipeline.stage.causalMask}. */
        public String bundleKey() {
            StringBuilder camel = new StringBuilder();
            boolean upper = false;
            for (char ch : name().toLowerCase(java.util.Locale.ROOT).toCharArray()) {
                if (ch == '_') {
                    upper = true;
                } else {
                    camel.append(upper ? Character.toUpperCase(ch) : ch);
                    upper = false;
                }
            }
            return "pipeline.stage." + camel;
        }

        /** True for the cross-attention steps, which only a decoder block of an encoder-decoder model has. */
        public boolean crossAttention() {
            return name().startsWith("CROSS_");
        }
    }

    /** A stage of a decoder-only model or of the decoder side of an encoder-decoder model. */
    public Stage(Kind kind, int block) {
        this(kind, block, false);
    }

    public Stage {
        if (kind == null) {
            throw new IllegalArgumentException("a stage needs a kind");
        }
        if (kind.inBlock() != (block >= 0)) {
            throw new IllegalArgumentException("stage " + kind + (kind.inBlock()
                    ? " belongs to a block, got block " + block
                    : " lies outside the blocks, got block " + block));
        }
        if (encoder && (kind.crossAttention() || kind == Kind.CAUSAL_MASK || kind == Kind.LOGITS
                || kind == Kind.OUTPUT_SOFTMAX || kind == Kind.NEXT_TOKEN || kind == Kind.ROUTER || kind == Kind.EXPERTS)) {
            throw new IllegalArgumentException("the encoder has no " + kind + " stage");
        }
    }

    /** A stage outside the blocks. */
    public static Stage of(Kind kind) {
        return new Stage(kind, -1);
    }

    /** A stage of block {@code block}. */
    public static Stage of(Kind kind, int block) {
        return new Stage(kind, block);
    }

    /** A stage of the encoder outside its blocks (source text, tokens, embedding, position, final LayerNorm). */
    public static Stage ofEncoder(Kind kind) {
        return new Stage(kind, -1, true);
    }

    /** A stage of encoder block {@code block}. */
    public static Stage ofEncoder(Kind kind, int block) {
        return new Stage(kind, block, true);
    }
}
