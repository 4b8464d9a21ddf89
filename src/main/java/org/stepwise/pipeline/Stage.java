package org.stepwise.pipeline;

/**
 * One step of the forward pass as the visualizer shows it: what is computed ({@link Kind}) and, for the
 * steps inside a transformer block, which block ({@code block} is −1 for the steps outside every block).
 */
public record Stage(Kind kind, int block) {

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
    }

    /** A stage outside the blocks. */
    public static Stage of(Kind kind) {
        return new Stage(kind, -1);
    }

    /** A stage of block {@code block}. */
    public static Stage of(Kind kind, int block) {
        return new Stage(kind, block);
    }
}
