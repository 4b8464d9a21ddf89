package org.stepwise.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.stepwise.model.ModelConfig;
import org.stepwise.tokenizer.Tokenizer;

/**
 * The stages of a forward pass in the order the model computes them, and the preparation of a typed
 * sentence for the model: tokenization, trimming to the context, and flags for what the window should
 * tell the class (an empty sentence, a trimmed one, characters the vocabulary lacks).
 */
public final class Pipeline {
    private Pipeline() {
    }

    /** Which end of a too long sentence the model reads. */
    public enum Keep {
        /** The last contextLength tokens (what the model continues from). */
        LAST,
        /** The first contextLength tokens. */
        FIRST
    }

    /**
     * Every stage for {@code config}, in the order the model computes it: Text, Tokens, Token embedding,
     * Position, then each block (pre-LN: LayerNorm 1 before attention and LayerNorm 2 before the FFN;
     * post-LN: each LayerNorm after its residual sum), the final LayerNorm (pre-LN only), Logits,
     * Softmax(T), Next token. A mixture of experts shows Router and Experts in place of FFN up, Activation
     * and FFN down.
     */
    public static List<Stage> stages(ModelConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is required");
        }
        boolean preLn = config.norm() == ModelConfig.Norm.PRE_LN;
        List<Stage> stages = new ArrayList<>();
        stages.add(Stage.of(Stage.Kind.TEXT));
        stages.add(Stage.of(Stage.Kind.TOKENS));
        stages.add(Stage.of(Stage.Kind.TOKEN_EMBEDDING));
        stages.add(Stage.of(Stage.Kind.POSITION));
        for (int block = 0; block < config.nLayer(); block++) {
            if (preLn) {
                stages.add(Stage.of(Stage.Kind.LAYER_NORM_1, block));
            }
            for (Stage.Kind kind : List.of(Stage.Kind.QKV, Stage.Kind.SCORES, Stage.Kind.CAUSAL_MASK,
                    Stage.Kind.ATTENTION_SOFTMAX, Stage.Kind.WEIGHTED_SUM, Stage.Kind.CONCAT_PROJECT,
                    Stage.Kind.ATTENTION_RESIDUAL)) {
                stages.add(Stage.of(kind, block));
            }
            // pre-LN: LayerNorm 2 feeds the FFN; post-LN: LayerNorm 1 normalises the attention's residual sum
            stages.add(Stage.of(preLn ? Stage.Kind.LAYER_NORM_2 : Stage.Kind.LAYER_NORM_1, block));
            List<Stage.Kind> ffn = config.isMoe()
                    ? List.of(Stage.Kind.ROUTER, Stage.Kind.EXPERTS)
                    : List.of(Stage.Kind.FFN_UP, Stage.Kind.ACTIVATION, Stage.Kind.FFN_DOWN);
            for (Stage.Kind kind : ffn) {
                stages.add(Stage.of(kind, block));
            }
            stages.add(Stage.of(Stage.Kind.FFN_RESIDUAL, block));
            if (!preLn) {
                stages.add(Stage.of(Stage.Kind.LAYER_NORM_2, block));
            }
        }
        if (preLn) {
            stages.add(Stage.of(Stage.Kind.FINAL_LAYER_NORM));
        }
        stages.add(Stage.of(Stage.Kind.LOGITS));
        stages.add(Stage.of(Stage.Kind.OUTPUT_SOFTMAX));
        stages.add(Stage.of(Stage.Kind.NEXT_TOKEN));
        return Collections.unmodifiableList(stages);
    }

    /**
     * Tokenizes {@code text} and fits it to the model's context.
     *
     * @param tokenizer     the model's tokenizer
     * @param text          what the teacher typed (null counts as empty)
     * @param contextLength the longest sequence the model reads
     * @param keep          which end of a too long sentence is kept
     * @return the ids the model reads, with the notices the window shows
     * @throws IllegalArgumentException for a missing tokenizer or keep, or a context below 1
     */
    public static PreparedSentence prepare(Tokenizer tokenizer, String text, int contextLength, Keep keep) {
        if (tokenizer == null || keep == null) {
            throw new IllegalArgumentException("tokenizer and keep are required");
        }
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be at least 1, got " + contextLength);
        }
        String sentence = text == null ? "" : text;
        Tokenizer.Encoding encoding = tokenizer.encode(sentence);
        int total = encoding.size();
        List<PreparedSentence.Notice> notices = new ArrayList<>();
        if (total == 0) {
            notices.add(PreparedSentence.Notice.EMPTY);
            return new PreparedSentence(sentence, encoding, new int[0], 0, new boolean[0], notices);
        }
        int first = 0;
        int count = total;
        if (total > contextLength) {
            count = contextLength;
            first = keep == Keep.LAST ? total - contextLength : 0;
            notices.add(keep == Keep.LAST ? PreparedSentence.Notice.TRIMMED_KEPT_LAST
                    : PreparedSentence.Notice.TRIMMED_KEPT_FIRST);
        }
        int unknownId = tokenizer.specials().unk();
        boolean[] unknown = new boolean[total];
        boolean anyUnknown = false;
        for (int i = 0; i < total; i++) {
            unknown[i] = unknownId >= 0 && encoding.ids()[i] == unknownId;
            anyUnknown |= unknown[i];
        }
        if (anyUnknown) {
            notices.add(PreparedSentence.Notice.UNKNOWN_TOKENS);
        }
        int[] ids = Arrays.copyOfRange(encoding.ids(), first, first + count);
        return new PreparedSentence(sentence, encoding, ids, first, unknown, notices);
    }
}
