package org.stepwise.pipeline;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Trace;
import org.stepwise.pipeline.StageTensor.Axis;
import org.stepwise.pipeline.StageTensor.Role;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/**
 * The stages of an encoder-decoder (translation) model in the order it computes them, and what each shows.
 * Each half is shown as a decoder-only model sees it, so every stage reuses {@link StageView},
 * {@link TensorValues} and {@link Explainer}: the encoder as a model of {@code nEncoderLayer} blocks over the
 * source vocabulary whose weights are the {@code encoder.*} ones and whose trace is the {@code encoder.*} part
 * (nothing masked); the decoder as the model it is, whose blocks add the cross-attention stages.
 */
public final class EncoderDecoderPipeline {
    private EncoderDecoderPipeline() {
    }

    /** One half of a recorded translation pass, with the architecture, weights and trace that half is read with. */
    public record Side(ModelConfig config, Parameters parameters, SentenceTrace run) {
    }

    /**
     * Every stage for {@code config}: source Text, Tokens, Token embedding, Position, each encoder block (no causal
     * mask), the encoder's final LayerNorm (pre-LN only); then target Text, Tokens, Token embedding, Position, each
     * decoder block (masked self-attention, cross-attention, FFN; pre-LN: each LayerNorm before its sublayer,
     * post-LN: after its residual sum), the final LayerNorm (pre-LN only), Logits, Softmax(T), Next token.
     */
    public static List<Stage> stages(EncoderDecoderConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("config is required");
        }
        List<Stage> stages = new ArrayList<>();
        for (Stage stage : Pipeline.stages(encoderConfig(config))) {
            Stage.Kind kind = stage.kind();
            if (kind == Stage.Kind.CAUSAL_MASK) {
                continue;
            }
            if (kind == Stage.Kind.LOGITS) {
                break;
            }
            stages.add(new Stage(kind, stage.block(), true));
        }
        boolean preLn = config.shared().norm() == ModelConfig.Norm.PRE_LN;
        for (Stage stage : Pipeline.stages(config.shared())) {
            boolean ffnHalfStarts = preLn ? stage.kind() == Stage.Kind.LAYER_NORM_2
                    : stage.kind() == Stage.Kind.LAYER_NORM_1;
            if (stage.kind().inBlock() && ffnHalfStarts) {
                // pre-LN: LayerNorm before cross-attention; post-LN: LayerNorm after its residual sum
                if (preLn) {
                    stages.add(Stage.of(Stage.Kind.CROSS_LAYER_NORM, stage.block()));
                }
                if (!preLn) {
                    stages.add(stage);            // post-LN LayerNorm 1 ends the self-attention half
                }
                for (Stage.Kind kind : List.of(Stage.Kind.CROSS_QKV, Stage.Kind.CROSS_SCORES, Stage.Kind.CROSS_SOFTMAX,
                        Stage.Kind.CROSS_WEIGHTED_SUM, Stage.Kind.CROSS_CONCAT_PROJECT, Stage.Kind.CROSS_RESIDUAL)) {
                    stages.add(Stage.of(kind, stage.block()));
                }
                if (!preLn) {
                    stages.add(Stage.of(Stage.Kind.CROSS_LAYER_NORM, stage.block()));
                    continue;
                }
            }
            stages.add(stage);
        }
        return Collections.unmodifiableList(stages);
    }

    /** The encoder as a decoder-only model sees it: the source vocabulary and the encoder's blocks. */
    public static ModelConfig encoderConfig(EncoderDecoderConfig config) {
        ModelConfig shared = config.shared();
        return new ModelConfig(config.sourceVocabSize(), shared.contextLength(), config.nEncoderLayer(), shared.nHead(),
                shared.nKvHead(), shared.dModel(), shared.dFf(), shared.activation(), shared.positional(), shared.norm(),
                shared.tiedOutput(), shared.bias(), 0, 0, shared.layerNormEps(), shared.ropeTheta());
    }

    /**
     * The encoder's weights under the names a decoder-only model gives them ({@code encoder.h.0.ln_1.weight} as
     * {@code h.0.ln_1.weight}); the matrices themselves, not copies. {@code parameters}: Not modified.
     */
    public static Parameters encoderParameters(Parameters parameters) {
        Parameters encoder = new Parameters();
        for (String name : parameters.names()) {
            if (name.startsWith(ParameterLayout.ENCODER_PREFIX)) {
                encoder.put(name.substring(ParameterLayout.ENCODER_PREFIX.length()), parameters.get(name),
                        parameters.isVector(name));
            }
        }
        return encoder;
    }

    /**
     * Runs {@code model} on the source ids and the decoder's input ids (start id first) and splits the trace
     * into its two halves. Arguments: Not modified.
     *
     * @param sourceTokenizer names the source ids in the decoder's cross-attention
     */
    public static Side[] record(EncoderDecoder model, int[] source, int[] target, Tokenizer sourceTokenizer) {
        if (model == null || source == null || target == null || sourceTokenizer == null) {
            throw new IllegalArgumentException("model, source, target and source tokenizer are required");
        }
        if (source.length == 0 || target.length == 0) {
            throw new IllegalArgumentException("the source and the target need at least one token each");
        }
        Trace full = Trace.record(model, source, target);
        Trace.Recorder encoderPart = new Trace.Recorder();
        for (HookKey key : full.keys()) {
            if (key.encoder()) {
                encoderPart.accept(new HookKey(key.hook(), key.layer(), key.head()), full.get(key));
            }
        }
        EncoderDecoderConfig config = model.config();
        Side encoder = new Side(encoderConfig(config), encoderParameters(model.parameters()),
                new SentenceTrace(source, encoderPart.toTrace(), true, null));
        Side decoder = new Side(config.shared(), model.parameters(),
                new SentenceTrace(target, full, false, new SentenceTrace.Source(source, sourceTokenizer)));
        return new Side[] {encoder, decoder};
    }

    /**
     * The view of {@code stage} for a source of {@code sourceTokens} and a decoder input of {@code targetTokens}
     * tokens; its tensors are read from the encoder's {@link Side} for an encoder stage, the decoder's otherwise.
     *
     * @throws IllegalArgumentException for a stage, block, head or length the model does not have
     */
    public static StageView view(EncoderDecoderConfig config, Stage stage, int head, int sourceTokens, int targetTokens,
                                 SamplingSettings settings) {
        if (config == null || stage == null || settings == null) {
            throw new IllegalArgumentException("config, stage and settings are required");
        }
        if (stage.encoder()) {
            if (stage.block() >= config.nEncoderLayer()) {
                throw new IllegalArgumentException("block " + stage.block() + " is outside the encoder's "
                        + config.nEncoderLayer() + " blocks");
            }
            StageView plain = StageView.of(encoderConfig(config), new Stage(stage.kind(), stage.block()), head,
                    sourceTokens, settings);
            List<StageTensor> tensors = new ArrayList<>();
            for (StageTensor tensor : plain.tensors()) {
                String letter = tensor.letter().equals("S_masked") ? "S" : tensor.letter();
                tensors.add(new StageTensor(tensor.ref(), tensor.role(), letter, tensor.rows(), tensor.columns(),
                        source(tensor.rowAxis()), source(tensor.columnAxis())));
            }
            List<String> lines = plain.shapeLines().stream().map(line -> line.replace("S_masked", "S")).toList();
            String latex = stage.kind() == Stage.Kind.ATTENTION_SOFTMAX
                    ? "A_{ij} = \\mathrm{softmax}(S)_{ij} = \\frac{e^{S_{ij} - \\max_k S_{ik}}}{\\sum_k e^{S_{ik} - \\max_k S_{ik}}}"
                    : plain.latex();
            return new StageView(stage, plain.head(), plain.kvHead(), tensors, latex, lines, plain.nothingAdded(),
                    plain.rotary());
        }
        if (stage.block() >= config.nDecoderLayer()) {
            throw new IllegalArgumentException("block " + stage.block() + " is outside the decoder's "
                    + config.nDecoderLayer() + " blocks");
        }
        if (sourceTokens < 1 || sourceTokens > config.shared().contextLength()) {
            throw new IllegalArgumentException("sourceTokens must be in [1, " + config.shared().contextLength() + "], got "
                    + sourceTokens);
        }
        if (stage.kind().crossAttention()) {
            if (targetTokens < 1 || targetTokens > config.shared().contextLength()) {
                throw new IllegalArgumentException("targetTokens must be in [1, " + config.shared().contextLength()
                        + "], got " + targetTokens);
            }
            return new CrossBuilder(config, stage, head, sourceTokens, targetTokens).build();
        }
        StageView plain = StageView.of(config.shared(), stage, head, targetTokens, settings);
        if (!stage.kind().inBlock() || !ffnHalf(stage.kind())) {
            return plain;
        }
        // the FFN half of a decoder block reads the stream after cross-attention, not after self-attention
        List<StageTensor> tensors = new ArrayList<>();
        for (StageTensor tensor : plain.tensors()) {
            TensorRef ref = tensor.ref();
            if (ref instanceof TensorRef.Hooked hooked && hooked.key().hook() == Hook.RESID_MID) {
                ref = TensorRef.hook(Hook.RESID_CROSS, hooked.key().layer());
            }
            tensors.add(new StageTensor(ref, tensor.role(), tensor.letter(), tensor.rows(), tensor.columns(),
                    tensor.rowAxis(), tensor.columnAxis()));
        }
        return new StageView(stage, plain.head(), plain.kvHead(), tensors, plain.latex(), plain.shapeLines(),
                plain.nothingAdded(), plain.rotary());
    }

    private static boolean ffnHalf(Stage.Kind kind) {
        return kind == Stage.Kind.LAYER_NORM_2 || kind == Stage.Kind.FFN_UP || kind == Stage.Kind.FFN_RESIDUAL;
    }

    private static Axis source(Axis axis) {
        return axis == Axis.TOKENS ? Axis.SOURCE_TOKENS : axis;
    }

    /**
     * The hook the decoder's cross-attention reads its keys and values from, on the encoder's {@link Side}: the
     * encoder's final LayerNorm (pre-LN) or its last block's output (post-LN).
     */
    public static HookKey memoryKey(EncoderDecoderConfig config) {
        return config.shared().norm() == ModelConfig.Norm.PRE_LN
                ? HookKey.of(Hook.LN_FINAL_NORMALIZED)
                : HookKey.of(Hook.RESID_POST, config.nEncoderLayer() - 1);
    }

    /** Builds the view of one cross-attention stage. */
    private static final class CrossBuilder {
        private final EncoderDecoderConfig config;
        private final ModelConfig shared;
        private final Stage stage;
        private final int head;
        private final int kvHead;
        private final int sourceTokens;  // S
        private final int targetTokens;  // T
        private final int width;         // C
        private final int headDim;       // D
        private final int layer;
        private final boolean preLn;
        private final List<StageTensor> tensors = new ArrayList<>();
        private final List<String> shapeLines = new ArrayList<>();
        private String latex = "";

        CrossBuilder(EncoderDecoderConfig config, Stage stage, int head, int sourceTokens, int targetTokens) {
            this.config = config;
            this.shared = config.shared();
            this.stage = stage;
            this.head = head;
            this.kvHead = TensorValues.kvHeadOf(shared, head);
            this.sourceTokens = sourceTokens;
            this.targetTokens = targetTokens;
            this.width = shared.dModel();
            this.headDim = shared.headDim();
            this.layer = stage.block();
            this.preLn = shared.norm() == ModelConfig.Norm.PRE_LN;
        }

        StageView build() {
            switch (stage.kind()) {
                case CROSS_LAYER_NORM -> layerNorm();
                case CROSS_QKV -> queryKeyValue();
                case CROSS_SCORES -> {
                    add(TensorRef.hook(Hook.CROSS_Q, layer, head), Role.INPUT, "Q", targetTokens, headDim, Axis.TOKENS,
                            Axis.DIMENSIONS);
                    add(TensorRef.hook(Hook.CROSS_K, layer, kvHead), Role.INPUT, "K", sourceTokens, headDim,
                            Axis.SOURCE_TOKENS, Axis.DIMENSIONS);
                    add(TensorRef.hook(Hook.CROSS_ATTN_SCORES, layer, head), Role.OUTPUT, "S", targetTokens, sourceTokens,
                            Axis.TOKENS, Axis.SOURCE_TOKENS);
                    latex = "S = \\frac{Q K^\\top}{\\sqrt{d}} \\quad (\\text{nothing masked: every target token sees every source token})";
                    shapeLines.add("S = Q·Kᵀ/√d   " + shape(targetTokens, headDim) + "·" + shape(headDim, sourceTokens)
                            + " = " + shape(targetTokens, sourceTokens));
                }
                case CROSS_SOFTMAX -> {
                    add(TensorRef.hook(Hook.CROSS_ATTN_SCORES, layer, head), Role.INPUT, "S", targetTokens, sourceTokens,
                            Axis.TOKENS, Axis.SOURCE_TOKENS);
                    add(TensorRef.hook(Hook.CROSS_PATTERN, layer, head), Role.OUTPUT, "A", targetTokens, sourceTokens,
                            Axis.TOKENS, Axis.SOURCE_TOKENS);
                    latex = "A_{ij} = \\mathrm{softmax}(S)_{ij} = \\frac{e^{S_{ij} - \\max_k S_{ik}}}{\\sum_k e^{S_{ik} - \\max_k S_{ik}}}";
                    shapeLines.add("A = softmax(S)   " + shape(targetTokens, sourceTokens) + " → "
                            + shape(targetTokens, sourceTokens));
                }
                case CROSS_WEIGHTED_SUM -> {
                    add(TensorRef.hook(Hook.CROSS_PATTERN, layer, head), Role.INPUT, "A", targetTokens, sourceTokens,
                            Axis.TOKENS, Axis.SOURCE_TOKENS);
                    add(TensorRef.hook(Hook.CROSS_V, layer, kvHead), Role.INPUT, "V", sourceTokens, headDim,
                            Axis.SOURCE_TOKENS, Axis.DIMENSIONS);
                    add(TensorRef.hook(Hook.CROSS_Z, layer, head), Role.OUTPUT, "Z", targetTokens, headDim, Axis.TOKENS,
                            Axis.DIMENSIONS);
                    latex = "Z = A V";
                    shapeLines.add("Z = A·V   " + shape(targetTokens, sourceTokens) + "·" + shape(sourceTokens, headDim)
                            + " = " + shape(targetTokens, headDim));
                }
                case CROSS_CONCAT_PROJECT -> {
                    String prefix = "h." + layer + ".crossattention.c_proj.";
                    add(new TensorRef.CrossHeads(layer), Role.INPUT, "Z_all", targetTokens, width, Axis.TOKENS,
                            Axis.DIMENSIONS);
                    add(TensorRef.weight(prefix + "weight", width), Role.WEIGHT, "W_O", width, width, Axis.DIMENSIONS,
                            Axis.DIMENSIONS);
                    if (shared.bias()) {
                        add(TensorRef.weight(prefix + "bias", width), Role.WEIGHT, "b_O", 1, width, Axis.NONE,
                                Axis.DIMENSIONS);
                    }
                    add(TensorRef.hook(Hook.CROSS_ATTN_OUT, layer), Role.OUTPUT, "O", targetTokens, width, Axis.TOKENS,
                            Axis.DIMENSIONS);
                    latex = "O = [Z_1 \\cdots Z_H] W_O" + (shared.bias() ? " + b_O" : "");
                    shapeLines.add("O = Z_all·W_O   " + shape(targetTokens, width) + "·" + shape(width, width) + " = "
                            + shape(targetTokens, width));
                }
                case CROSS_RESIDUAL -> {
                    tokensByWidth(TensorRef.hook(Hook.RESID_MID, layer), Role.INPUT, "x");
                    tokensByWidth(TensorRef.hook(Hook.CROSS_ATTN_OUT, layer), Role.INPUT, "O");
                    tokensByWidth(preLn ? TensorRef.hook(Hook.RESID_CROSS, layer) : new TensorRef.CrossResidualSum(layer),
                            Role.OUTPUT, "x'");
                    latex = "x' = x + O";
                    shapeLines.add("x' = x + O   " + shape(targetTokens, width) + " + " + shape(targetTokens, width)
                            + " = " + shape(targetTokens, width));
                }
                default -> throw new IllegalArgumentException(stage.kind() + " is not a cross-attention stage");
            }
            return new StageView(stage, head, kvHead, tensors, latex, shapeLines, false, false);
        }

        private void layerNorm() {
            String prefix = "h." + layer + ".ln_cross_attn";
            tokensByWidth(preLn ? TensorRef.hook(Hook.RESID_MID, layer) : new TensorRef.CrossResidualSum(layer),
                    Role.INPUT, "x");
            add(TensorRef.weight(prefix + ".weight", width), Role.WEIGHT, "γ", 1, width, Axis.NONE, Axis.DIMENSIONS);
            add(TensorRef.weight(prefix + ".bias", width), Role.WEIGHT, "β", 1, width, Axis.NONE, Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.LN_CROSS_SCALE, layer), Role.OUTPUT, "σ", targetTokens, 1, Axis.TOKENS, Axis.NONE);
            tokensByWidth(TensorRef.hook(Hook.LN_CROSS_NORMALIZED, layer), Role.OUTPUT, "y");
            latex = "y = \\gamma \\odot \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}} + \\beta";
            shapeLines.add("y = LN(x)   " + shape(targetTokens, width) + " → " + shape(targetTokens, width));
        }

        private void queryKeyValue() {
            String query = "h." + layer + ".crossattention.q_attn.";
            String keyValue = "h." + layer + ".crossattention.c_attn.";
            int kvHeads = shared.nKvHead();
            TensorRef decoderInput = preLn ? TensorRef.hook(Hook.LN_CROSS_NORMALIZED, layer)
                    : TensorRef.hook(Hook.RESID_MID, layer);
            tokensByWidth(decoderInput, Role.INPUT, "X");
            add(new TensorRef.Hooked(memoryKey(config).inEncoder()), Role.INPUT, "H_enc", sourceTokens, width,
                    Axis.SOURCE_TOKENS, Axis.DIMENSIONS);
            weight(query, head * headDim, "Q");
            weight(keyValue, kvHead * headDim, "K");
            weight(keyValue, (kvHeads + kvHead) * headDim, "V");
            add(TensorRef.hook(Hook.CROSS_Q, layer, head), Role.OUTPUT, "Q", targetTokens, headDim, Axis.TOKENS,
                    Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.CROSS_K, layer, kvHead), Role.OUTPUT, "K", sourceTokens, headDim, Axis.SOURCE_TOKENS,
                    Axis.DIMENSIONS);
            add(TensorRef.hook(Hook.CROSS_V, layer, kvHead), Role.OUTPUT, "V", sourceTokens, headDim, Axis.SOURCE_TOKENS,
                    Axis.DIMENSIONS);
            String b = shared.bias() ? " + b_" : "";
            latex = "Q = X W_Q" + (b.isEmpty() ? "" : b + "Q") + ",\\quad K = H_{\\text{enc}} W_K" + (b.isEmpty() ? "" : b + "K")
                    + ",\\quad V = H_{\\text{enc}} W_V" + (b.isEmpty() ? "" : b + "V");
            shapeLines.add("Q = X·W_Q   " + shape(targetTokens, width) + "·" + shape(width, headDim) + " = "
                    + shape(targetTokens, headDim));
            shapeLines.add("K = H_enc·W_K   " + shape(sourceTokens, width) + "·" + shape(width, headDim) + " = "
                    + shape(sourceTokens, headDim));
            shapeLines.add("V = H_enc·W_V   " + shape(sourceTokens, width) + "·" + shape(width, headDim) + " = "
                    + shape(sourceTokens, headDim));
        }

        private void weight(String prefix, int firstColumn, String letter) {
            add(new TensorRef.Weight(prefix + "weight", firstColumn, headDim), Role.WEIGHT, "W_" + letter, width, headDim,
                    Axis.DIMENSIONS, Axis.DIMENSIONS);
            if (shared.bias()) {
                add(new TensorRef.Weight(prefix + "bias", firstColumn, headDim), Role.WEIGHT, "b_" + letter, 1, headDim,
                        Axis.NONE, Axis.DIMENSIONS);
            }
        }

        private void tokensByWidth(TensorRef ref, Role role, String letter) {
            add(ref, role, letter, targetTokens, width, Axis.TOKENS, Axis.DIMENSIONS);
        }

        private void add(TensorRef ref, Role role, String letter, int rows, int columns, Axis rowAxis, Axis columnAxis) {
            tensors.add(new StageTensor(ref, role, letter, rows, columns, rowAxis, columnAxis));
        }

        private static String shape(int rows, int columns) {
            return "[" + rows + "×" + columns + "]";
        }
    }
}
