package org.stepwise.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.Hook;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.StageTensor.Axis;
import org.stepwise.pipeline.StageTensor.Role;
import org.stepwise.sample.SamplingSettings;

/**
 * Everything the window shows for one stage and the selected head: the tensors with their letters,
 * shapes and labels, the operation as LaTeX, and the shape lines with the formula's letters and the
 * real sizes, e.g. {@code Q = X·W_Q   [5×64]·[64×16] = [5×16]}.
 *
 * @param stage        the stage
 * @param head         the selected query head (used by the attention stages; 0 elsewhere)
 * @param kvHead       the key/value head the selected query head reads (GQA/MQA share one between several)
 * @param tensors      inputs, weights and outputs in reading order
 * @param latex        the operation, e.g. {@code Q = X W_Q + b_Q}
 * @param shapeLines   one line per product or sum, letters then real sizes
 * @param nothingAdded true for the Position stage of a model that adds no position vectors (RoPE: the
 *                     rotation is shown in the Q, K, V stage; or no positions at all)
 * @param rotary       true when q and k are rotated (RoPE) in this model's attention stages
 */
public record StageView(Stage stage, int head, int kvHead, List<StageTensor> tensors, String latex,
                        List<String> shapeLines, boolean nothingAdded, boolean rotary) {

    public StageView {
        tensors = List.copyOf(tensors);
        shapeLines = List.copyOf(shapeLines);
    }

    /** {@link #of(ModelConfig, Stage, int, int, SamplingSettings)} at temperature 1 with no filter. */
    public static StageView of(ModelConfig config, Stage stage, int head, int tokens) {
        return of(config, stage, head, tokens, SamplingSettings.PLAIN);
    }

    /**
     * The view of {@code stage} for a sentence of {@code tokens} tokens.
     *
     * @param head     the selected query head, in [0, H)
     * @param tokens   T, in [1, contextLength]
     * @param settings how the output stages turn logits into probabilities
     * @throws IllegalArgumentException for a head, token count or block the model does not have, or a stage
     *                                  this model has not (e.g. Router in a dense model)
     */
    public static StageView of(ModelConfig config, Stage stage, int head, int tokens, SamplingSettings settings) {
        if (config == null || stage == null || settings == null) {
            throw new IllegalArgumentException("config, stage and settings are required");
        }
        if (tokens < 1 || tokens > config.contextLength()) {
            throw new IllegalArgumentException("tokens must be in [1, " + config.contextLength() + "], got " + tokens);
        }
        if (stage.block() >= config.nLayer()) {
            throw new IllegalArgumentException("block " + stage.block() + " is outside the model's " + config.nLayer()
                    + " blocks");
        }
        boolean moeStage = stage.kind() == Stage.Kind.ROUTER || stage.kind() == Stage.Kind.EXPERTS;
        boolean denseStage = stage.kind() == Stage.Kind.FFN_UP || stage.kind() == Stage.Kind.ACTIVATION
                || stage.kind() == Stage.Kind.FFN_DOWN;
        if ((moeStage && !config.isMoe()) || (denseStage && config.isMoe())) {
            throw new IllegalArgumentException("this model has no " + stage.kind() + " stage");
        }
        if (stage.kind() == Stage.Kind.FINAL_LAYER_NORM && config.norm() != ModelConfig.Norm.PRE_LN) {
            throw new IllegalArgumentException("a post-LN model has no final LayerNorm");
        }
        return new Builder(config, stage, head, tokens, settings).build();
    }

    /** The values of one of this view's tensors. {@code run} and {@code parameters}: Not modified. */
    public DMatrixRMaj values(StageTensor tensor, SentenceTrace run, Parameters parameters, ModelConfig config) {
        return TensorValues.of(tensor.ref(), run, parameters, config);
    }

    /** The tensor with the given role and letter. @throws IllegalArgumentException when there is none */
    public StageTensor tensor(Role role, String letter) {
        for (StageTensor t : tensors) {
            if (t.role() == role && t.letter().equals(letter)) {
                return t;
            }
        }
        throw new IllegalArgumentException("stage " + stage.kind() + " shows no " + role + " " + letter);
    }

    /** The outputs of the stage, in order. */
    public List<StageTensor> outputs() {
        return tensors.stream().filter(t -> t.role() == Role.OUTPUT).toList();
    }

    /** Builds one view; holds the sizes every stage needs. */
    private static final class Builder {
        private final ModelConfig config;
        private final Stage stage;
        private final int head;
        private final int kvHead;
        private final int tokens;      // T
        private final int width;       // C
        private final int headDim;     // D
        private final int vocab;       // V
        private final int layer;
        private final boolean preLn;
        private final boolean rope;
        private final SamplingSettings settings;
        private final List<StageTensor> tensors = new ArrayList<>();
        private final List<String> shapeLines = new ArrayList<>();
        private String latex = "";
        private boolean nothingAdded;

        Builder(ModelConfig config, Stage stage, int head, int tokens, SamplingSettings settings) {
            this.config = config;
            this.stage = stage;
            this.head = head;
            this.kvHead = TensorValues.kvHeadOf(config, head);
            this.tokens = tokens;
            this.width = config.dModel();
            this.headDim = config.headDim();
            this.vocab = config.vocabSize();
            this.layer = stage.block();
            this.preLn = config.norm() == ModelConfig.Norm.PRE_LN;
            this.rope = config.positional() == ModelConfig.Positional.ROPE;
            this.settings = settings;
        }

        StageView build() {
            switch (stage.kind()) {
                case TEXT -> latex = "\\text{text}";
                case TOKENS -> {
                    add(new TensorRef.TokenIds(), Role.OUTPUT, "ids", tokens, 1, Axis.TOKENS, Axis.NONE);
                    latex = "\\text{ids} = \\mathrm{tokenize}(\\text{text})";
                    shapeLines.add("ids = tokenize(text)   " + shape(tokens, 1));
                }
                case TOKEN_EMBEDDING -> tokenEmbedding();
                case POSITION -> position();
                case LAYER_NORM_1 -> layerNorm("ln_1", Hook.LN1_SCALE, Hook.LN1_NORMALIZED,
                        preLn ? TensorRef.hook(Hook.RESID_PRE, layer) : new TensorRef.ResidualSum(layer, Hook.ATTN_OUT));
                case LAYER_NORM_2 -> layerNorm("ln_2", Hook.LN2_SCALE, Hook.LN2_NORMALIZED,
                        preLn ? TensorRef.hook(Hook.RESID_MID, layer) : new TensorRef.ResidualSum(layer, Hook.MLP_OUT));
                case QKV -> queryKeyValue();
                case SCORES -> scores();
                case CAUSAL_MASK -> {
                    square(new TensorRef.UnmaskedScores(layer, head), Role.INPUT, "S");
                    square(TensorRef.hook(Hook.ATTN_SCORES, layer, head), Role.OUTPUT, "S_masked");
                    latex = "S^{\\text{masked}}_{ij} = \\begin{cases} S_{ij} & \\quad j \\le i \\\\ -\\infty & \\quad j > i \\end{cases}";
                    shapeLines.add("S_masked = mask(S)   " + shape(tokens, tokens) + " → " + shape(tokens, tokens));
                }
                case ATTENTION_SOFTMAX -> {
                    square(TensorRef.hook(Hook.ATTN_SCORES, layer, head), Role.INPUT, "S_masked");
                    square(TensorRef.hook(Hook.PATTERN, layer, head), Role.OUTPUT, "A");
                    latex = "A_{ij} = \\mathrm{softmax}(S)_{ij} = \\frac{e^{S_{ij} - \\max_k S_{ik}}}{\\sum_k e^{S_{ik} - \\max_k S_{ik}}}";
                    shapeLines.add("A = softmax(S_masked)   " + shape(tokens, tokens) + " → " + shape(tokens, tokens));
                }
                case WEIGHTED_SUM -> {
                    square(TensorRef.hook(Hook.PATTERN, layer, head), Role.INPUT, "A");
                    add(TensorRef.hook(Hook.V, layer, kvHead), Role.INPUT, "V", tokens, headDim, Axis.TOKENS, Axis.DIMENSIONS);
                    add(TensorRef.hook(Hook.Z, layer, head), Role.OUTPUT, "Z", tokens, headDim, Axis.TOKENS, Axis.DIMENSIONS);
                    latex = "Z = A V";
                    shapeLines.add(product("Z", "A", tokens, tokens, "V", headDim));
                }
                case CONCAT_PROJECT -> concatProject();
                case ATTENTION_RESIDUAL -> residual(Hook.RESID_PRE, Hook.ATTN_OUT, Hook.RESID_MID, "O");
                case FFN_UP -> ffnUp();
                case ACTIVATION -> activation();
                case FFN_DOWN -> ffnDown();
                case ROUTER -> router();
                case EXPERTS -> experts();
                case FFN_RESIDUAL -> residual(Hook.RESID_MID, Hook.MLP_OUT, Hook.RESID_POST, "M");
                case FINAL_LAYER_NORM -> layerNorm("ln_f", Hook.LN_FINAL_SCALE, Hook.LN_FINAL_NORMALIZED,
                        TensorRef.hook(Hook.RESID_POST, config.nLayer() - 1));
                case LOGITS -> logits();
                case OUTPUT_SOFTMAX -> {
                    add(TensorRef.hook(Hook.LOGITS), Role.INPUT, "Y", tokens, vocab, Axis.TOKENS, Axis.VOCAB);
                    add(new TensorRef.Probabilities(settings), Role.OUTPUT, "P", tokens, vocab, Axis.TOKENS, Axis.VOCAB);
                    latex = settings.isGreedy()
                            ? "P_{tv} = [\\, v = \\arg\\max_u Y_{tu} \\,]"
                            : "P_{tv} = \\frac{e^{(Y_{tv} - \\max_u Y_{tu})/T}}{\\sum_{u \\in \\text{kept}} e^{(Y_{tu} - \\max_u Y_{tu})/T}}";
                    shapeLines.add("P = softmax(Y/T)   " + shape(tokens, vocab) + " → " + shape(tokens, vocab));
                }
                case NEXT_TOKEN -> {
                    add(new TensorRef.Probabilities(settings), Role.INPUT, "P", tokens, vocab, Axis.TOKENS, Axis.VOCAB);
                    latex = settings.isGreedy()
                            ? "\\text{next} = \\arg\\max_v P_{Tv}"
                            : "\\text{next} \\sim P_{T\\,\\cdot}";
                    shapeLines.add("next ← P[T]   " + shape(1, vocab) + " → [1]");
                }
            }
            return new StageView(stage, head, kvHead, tensors, latex, shapeLines, nothingAdded, rope);
        }

        private void tokenEmbedding() {
            add(new TensorRef.TokenIds(), Role.INPUT, "ids", tokens, 1, Axis.TOKENS, Axis.NONE);
            add(new TensorRef.OneHot(), Role.INPUT, "onehot", tokens, vocab, Axis.TOKENS, Axis.VOCAB);
            add(TensorRef.weight(ParameterLayout.TOKEN_EMBEDDING, width), Role.WEIGHT, "W_E", vocab, width,
                    Axis.VOCAB, Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.EMBED), Role.OUTPUT, "X_tok", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            latex = "X_{\\text{tok}}[t] = W_E[\\text{id}_t] \\quad (= \\text{onehot} \\cdot W_E)";
            shapeLines.add(product("X_tok", "onehot", tokens, vocab, "W_E", width));
        }

        private void position() {
            add(TensorRef.hook(Hook.EMBED), Role.INPUT, "X_tok", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            switch (config.positional()) {
                case LEARNED, SINUSOIDAL -> {
                    boolean learned = config.positional() == ModelConfig.Positional.LEARNED;
                    add(TensorRef.hook(Hook.POS_EMBED), learned ? Role.WEIGHT : Role.INPUT, "P", tokens, width,
                            Axis.TOKENS, Axis.DIMENSIONS);
                    add(TensorRef.hook(Hook.RESID_PRE, 0), Role.OUTPUT, "X", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
                    latex = learned
                            ? "X = X_{\\text{tok}} + P, \\quad P[t] = W_P[t]"
                            : "X = X_{\\text{tok}} + P, \\quad P_{t,2i} = \\sin(t\\,\\omega_i),\\ P_{t,2i+1} = \\cos(t\\,\\omega_i),\\ \\omega_i = 10000^{-2i/d}";
                    shapeLines.add(sum("X", "X_tok", "P", tokens, width));
                }
                case ROPE, NONE -> {
                    nothingAdded = true;
                    add(TensorRef.hook(Hook.RESID_PRE, 0), Role.OUTPUT, "X", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
                    latex = "X = X_{\\text{tok}}";
                    shapeLines.add("X = X_tok   " + shape(tokens, width));
                }
            }
        }

        private void layerNorm(String prefix, Hook scaleHook, Hook normalizedHook, TensorRef input) {
            int hookLayer = scaleHook == Hook.LN_FINAL_SCALE ? -1 : layer;
            String parameterPrefix = hookLayer < 0 ? prefix : "h." + layer + "." + prefix;
            add(input, Role.INPUT, "x", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.weight(parameterPrefix + ".weight", width), Role.WEIGHT, "γ", 1, width, Axis.NONE, Axis.DIMENSIONS);
            add(TensorRef.weight(parameterPrefix + ".bias", width), Role.WEIGHT, "β", 1, width, Axis.NONE, Axis.DIMENSIONS);
            TensorRef scale = hookLayer < 0 ? TensorRef.hook(scaleHook) : TensorRef.hook(scaleHook, layer);
            TensorRef out = hookLayer < 0 ? TensorRef.hook(normalizedHook) : TensorRef.hook(normalizedHook, layer);
            add(scale, Role.OUTPUT, "σ", tokens, 1, Axis.TOKENS, Axis.NONE);
            add(out, Role.OUTPUT, "y", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            latex = "y = \\gamma \\odot \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}} + \\beta";
            shapeLines.add("y = LN(x)   " + shape(tokens, width) + " → " + shape(tokens, width));
        }

        private TensorRef attentionInput() {
            return preLn ? TensorRef.hook(Hook.LN1_NORMALIZED, layer) : TensorRef.hook(Hook.RESID_PRE, layer);
        }

        private void queryKeyValue() {
            String fused = "h." + layer + ".attn.c_attn.";
            int kvHeads = config.nKvHead();
            int[] firstColumns = {head * headDim, width + kvHead * headDim, width + (kvHeads + kvHead) * headDim};
            String[] letters = {"Q", "K", "V"};
            Hook[] hooks = {Hook.Q, Hook.K, Hook.V};
            add(attentionInput(), Role.INPUT, "X", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            StringBuilder formula = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                add(new TensorRef.Weight(fused + "weight", firstColumns[i], headDim), Role.WEIGHT, "W_" + letters[i],
                        width, headDim, Axis.DIMENSIONS, Axis.DIMENSIONS);
                if (config.bias()) {
                    add(new TensorRef.Weight(fused + "bias", firstColumns[i], headDim), Role.WEIGHT, "b_" + letters[i],
                            1, headDim, Axis.NONE, Axis.DIMENSIONS);
                }
            }
            for (int i = 0; i < 3; i++) {
                int hookHead = i == 0 ? head : kvHead;
                add(TensorRef.hook(hooks[i], layer, hookHead), Role.OUTPUT, letters[i], tokens, headDim, Axis.TOKENS,
                        Axis.DIMENSIONS);
                formula.append(i == 0 ? "" : ",\\quad ").append(letters[i]).append(" = X W_").append(letters[i])
                        .append(config.bias() ? " + b_" + letters[i] : "");
                shapeLines.add(product(letters[i], "X", tokens, width, "W_" + letters[i], headDim));
            }
            if (rope) {
                add(TensorRef.hook(Hook.ROT_Q, layer, head), Role.OUTPUT, "Q_rot", tokens, headDim, Axis.TOKENS,
                        Axis.DIMENSIONS);
                add(TensorRef.hook(Hook.ROT_K, layer, kvHead), Role.OUTPUT, "K_rot", tokens, headDim, Axis.TOKENS,
                        Axis.DIMENSIONS);
                formula.append(",\\quad \\tilde{Q}_t = R_{t\\theta} Q_t,\\ \\tilde{K}_t = R_{t\\theta} K_t");
                shapeLines.add("Q_rot = rotate(Q)   " + shape(tokens, headDim) + " → " + shape(tokens, headDim));
                shapeLines.add("K_rot = rotate(K)   " + shape(tokens, headDim) + " → " + shape(tokens, headDim));
            }
            latex = formula.toString();
        }

        private void scores() {
            String q = rope ? "Q_rot" : "Q";
            String k = rope ? "K_rot" : "K";
            add(TensorRef.hook(rope ? Hook.ROT_Q : Hook.Q, layer, head), Role.INPUT, q, tokens, headDim, Axis.TOKENS,
                    Axis.DIMENSIONS);
            add(TensorRef.hook(rope ? Hook.ROT_K : Hook.K, layer, kvHead), Role.INPUT, k, tokens, headDim, Axis.TOKENS,
                    Axis.DIMENSIONS);
            square(new TensorRef.UnmaskedScores(layer, head), Role.OUTPUT, "S");
            latex = rope ? "S = \\frac{\\tilde{Q} \\tilde{K}^\\top}{\\sqrt{d}}" : "S = \\frac{Q K^\\top}{\\sqrt{d}}";
            shapeLines.add("S = " + q + "·" + k + "ᵀ/√d   " + shape(tokens, headDim) + "·" + shape(headDim, tokens)
                    + " = " + shape(tokens, tokens));
        }

        private void concatProject() {
            String prefix = "h." + layer + ".attn.c_proj.";
            add(new TensorRef.ConcatenatedHeads(layer), Role.INPUT, "Z_all", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.weight(prefix + "weight", width), Role.WEIGHT, "W_O", width, width, Axis.DIMENSIONS,
                    Axis.DIMENSIONS);
            if (config.bias()) {
                add(TensorRef.weight(prefix + "bias", width), Role.WEIGHT, "b_O", 1, width, Axis.NONE, Axis.DIMENSIONS);
            }
            add(TensorRef.hook(Hook.ATTN_OUT, layer), Role.OUTPUT, "O", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            latex = "O = [Z_1 \\cdots Z_H] W_O" + (config.bias() ? " + b_O" : "");
            shapeLines.add(product("O", "Z_all", tokens, width, "W_O", width));
        }

        private void residual(Hook stream, Hook branch, Hook preLnOut, String branchLetter) {
            add(TensorRef.hook(stream, layer), Role.INPUT, "x", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.hook(branch, layer), Role.INPUT, branchLetter, tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            TensorRef out = preLn ? TensorRef.hook(preLnOut, layer) : new TensorRef.ResidualSum(layer, branch);
            add(out, Role.OUTPUT, "x'", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            latex = "x' = x + " + branchLetter;
            shapeLines.add(sum("x'", "x", branchLetter, tokens, width));
        }

        private TensorRef ffnInput() {
            return preLn ? TensorRef.hook(Hook.LN2_NORMALIZED, layer) : TensorRef.hook(Hook.RESID_MID, layer);
        }

        private void ffnUp() {
            linear(ffnInput(), "X", width, "h." + layer + ".mlp.c_fc.", "1", config.dFf(), Axis.DIMENSIONS,
                    Hook.MLP_PRE, "H");
        }

        private void activation() {
            int hidden = config.dFf();
            add(TensorRef.hook(Hook.MLP_PRE, layer), Role.INPUT, "H", tokens, hidden, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.MLP_POST, layer), Role.OUTPUT, "G", tokens, hidden, Axis.TOKENS, Axis.DIMENSIONS);
            latex = switch (config.activation()) {
                case RELU -> "G = \\max(0, H)";
                case GELU_TANH -> "G = \\tfrac{1}{2} H \\left(1 + \\tanh\\!\\left(\\sqrt{2/\\pi}\\,(H + 0.044715 H^3)\\right)\\right)";
                case GELU_ERF -> "G = H \\, \\Phi(H)";
            };
            shapeLines.add("G = act(H)   " + shape(tokens, hidden) + " → " + shape(tokens, hidden));
        }

        private void ffnDown() {
            linear(TensorRef.hook(Hook.MLP_POST, layer), "G", config.dFf(), "h." + layer + ".mlp.c_proj.", "2", width,
                    Axis.DIMENSIONS, Hook.MLP_OUT, "M");
        }

        private void router() {
            linear(ffnInput(), "X", width, "h." + layer + ".mlp.router.", "r", config.nExperts(), Axis.EXPERTS,
                    Hook.MOE_GATE, "R");
        }

        /**
         * A linear layer: input [T, in] · W [in, out] (+ b [1, out]) = output [T, out], with the weight
         * and bias named {@code prefix + "weight"/"bias"} and lettered W_{sub}, b_{sub}.
         */
        private void linear(TensorRef input, String inputLetter, int in, String prefix, String sub, int out,
                            Axis outAxis, Hook output, String outputLetter) {
            String weightLetter = "W_" + sub;
            String biasLetter = "b_" + sub;
            add(input, Role.INPUT, inputLetter, tokens, in, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.weight(prefix + "weight", out), Role.WEIGHT, weightLetter, in, out, Axis.DIMENSIONS, outAxis);
            if (config.bias()) {
                add(TensorRef.weight(prefix + "bias", out), Role.WEIGHT, biasLetter, 1, out, Axis.NONE, outAxis);
            }
            add(TensorRef.hook(output, layer), Role.OUTPUT, outputLetter, tokens, out, Axis.TOKENS, outAxis);
            latex = outputLetter + " = " + inputLetter + " " + weightLetter + (config.bias() ? " + " + biasLetter : "");
            shapeLines.add(product(outputLetter, inputLetter, tokens, in, weightLetter, out));
        }

        private void experts() {
            int chosen = config.topK();
            add(ffnInput(), Role.INPUT, "X", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.MOE_GATE, layer), Role.INPUT, "R", tokens, config.nExperts(), Axis.TOKENS, Axis.EXPERTS);
            add(TensorRef.hook(Hook.EXPERT_INDICES, layer), Role.OUTPUT, "e", tokens, chosen, Axis.TOKENS, Axis.CHOICES);
            add(TensorRef.hook(Hook.EXPERT_WEIGHTS, layer), Role.OUTPUT, "g", tokens, chosen, Axis.TOKENS, Axis.CHOICES);
            add(TensorRef.hook(Hook.MLP_OUT, layer), Role.OUTPUT, "M", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            latex = "e_t = \\mathrm{top}_k(R_t),\\quad g_t = \\mathrm{softmax}(R_{t,e_t}),\\quad M_t = \\sum_{j=1}^{k} g_{tj}\\, \\mathrm{FFN}_{e_{tj}}(X_t)";
            shapeLines.add("e, g = top" + chosen + "(R)   " + shape(tokens, config.nExperts()) + " → " + shape(tokens, chosen));
            shapeLines.add("M = Σ g·FFN_e(X)   " + shape(tokens, width) + " → " + shape(tokens, width));
        }

        private void logits() {
            TensorRef input = preLn ? TensorRef.hook(Hook.LN_FINAL_NORMALIZED)
                    : TensorRef.hook(Hook.RESID_POST, config.nLayer() - 1);
            String weight = config.tiedOutput() ? ParameterLayout.TOKEN_EMBEDDING : ParameterLayout.OUTPUT;
            String letter = config.tiedOutput() ? "W_E" : "W_U";
            add(input, Role.INPUT, "X", tokens, width, Axis.TOKENS, Axis.DIMENSIONS);
            add(TensorRef.weight(weight, width), Role.WEIGHT, letter, vocab, width, Axis.VOCAB, Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.LOGITS), Role.OUTPUT, "Y", tokens, vocab, Axis.TOKENS, Axis.VOCAB);
            latex = "Y = X " + letter + "^\\top";
            shapeLines.add("Y = X·" + letter + "ᵀ   " + shape(tokens, width) + "·" + shape(width, vocab) + " = "
                    + shape(tokens, vocab));
        }

        private void square(TensorRef ref, Role role, String letter) {
            add(ref, role, letter, tokens, tokens, Axis.TOKENS, Axis.TOKENS);
        }

        private void add(TensorRef ref, Role role, String letter, int rows, int columns, Axis rowAxis, Axis columnAxis) {
            tensors.add(new StageTensor(ref, role, letter, rows, columns, rowAxis, columnAxis));
        }

        private static String shape(int rows, int columns) {
            return "[" + rows + "×" + columns + "]";
        }

        /** {@code out = a·b   [rows×inner]·[inner×cols] = [rows×cols]}. */
        private static String product(String out, String a, int rows, int inner, String b, int columns) {
            return out + " = " + a + "·" + b + "   " + shape(rows, inner) + "·" + shape(inner, columns) + " = "
                    + shape(rows, columns);
        }

        private static String sum(String out, String a, String b, int rows, int columns) {
            return out + " = " + a + " + " + b + "   " + shape(rows, columns) + " + " + shape(rows, columns) + " = "
                    + shape(rows, columns);
        }
    }
}
