package org.stepwise.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.ejml.data.DMatrixRMaj;

/**
 * Which parameters a {@link ModelConfig} (or an {@link EncoderDecoderConfig}) has, their Hugging Face GPT-2
 * names, shapes and initial values. The one place these names are spelled out.
 *
 * <p>An encoder-decoder model names its decoder like GPT-2 with {@code add_cross_attention}
 * ({@code h.{l}.ln_cross_attn}, {@code h.{l}.crossattention.q_attn} [C, C], {@code h.{l}.crossattention.c_attn}
 * [C, 2GD] for the keys then values, {@code h.{l}.crossattention.c_proj} [C, C]) and its encoder with
 * {@code encoder.} in front of the decoder-only names ({@code encoder.wte.weight} [U, C],
 * {@code encoder.wpe.weight}, {@code encoder.h.{l}.attn.c_attn.weight}, ..., {@code encoder.ln_f}).
 */
public final class ParameterLayout {

    /** How a parameter starts before training. */
    public enum Init {
        /** N(0, 0.02²), GPT-2's weights and embeddings. */
        NORMAL,
        /** N(0, (0.02/√(2L))²), GPT-2's projections back into the residual stream. */
        RESIDUAL,
        ZEROS,
        ONES
    }

    /** One parameter: [rows, cols], or a vector [cols] stored as one row. */
    public record Spec(String name, int rows, int cols, boolean vector, Init init) {
    }

    private final ModelConfig config;
    private final List<Spec> specs;
    private final int residualLayers; // L in the residual projections' N(0, (0.02/√(2L))²)

    private ParameterLayout(ModelConfig config, List<Spec> specs, int residualLayers) {
        this.config = config;
        this.specs = Collections.unmodifiableList(specs);
        this.residualLayers = residualLayers;
    }

    public static ParameterLayout of(ModelConfig c) {
        List<Spec> s = new ArrayList<>();
        int C = c.dModel();
        s.add(new Spec(TOKEN_EMBEDDING, c.vocabSize(), C, false, Init.NORMAL));
        if (c.positional() == ModelConfig.Positional.LEARNED) {
            s.add(new Spec(POSITION_EMBEDDING, c.contextLength(), C, false, Init.NORMAL));
        }
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "h." + l + ".";
            layerNorm(s, p + "ln_1", C);
            linear(s, p + "attn.c_attn", C, c.qkvDim(), Init.NORMAL, c.bias());
            linear(s, p + "attn.c_proj", C, C, Init.RESIDUAL, c.bias());
            layerNorm(s, p + "ln_2", C);
            if (c.isMoe()) {
                linear(s, p + "mlp.router", C, c.nExperts(), Init.NORMAL, c.bias());
                for (int e = 0; e < c.nExperts(); e++) {
                    linear(s, p + "mlp.experts." + e + ".c_fc", C, c.dFf(), Init.NORMAL, c.bias());
                    linear(s, p + "mlp.experts." + e + ".c_proj", c.dFf(), C, Init.RESIDUAL, c.bias());
                }
            } else {
                linear(s, p + "mlp.c_fc", C, c.dFf(), Init.NORMAL, c.bias());
                linear(s, p + "mlp.c_proj", c.dFf(), C, Init.RESIDUAL, c.bias());
            }
        }
        if (c.norm() == ModelConfig.Norm.PRE_LN) {
            layerNorm(s, "ln_f", C);
        }
        if (!c.tiedOutput()) {
            s.add(new Spec(OUTPUT, c.vocabSize(), C, false, Init.NORMAL));
        }
        return new ParameterLayout(c, s, c.nLayer());
    }

    /**
     * The encoder-decoder layout: the encoder's parameters ({@code encoder.*}) first, then the decoder's.
     * {@link #config()} of the result is the shared config.
     */
    public static ParameterLayout of(EncoderDecoderConfig e) {
        ModelConfig c = e.shared();
        List<Spec> s = new ArrayList<>();
        int C = c.dModel();
        int kvDim = 2 * c.nKvHead() * c.headDim();
        s.add(new Spec(ENCODER_TOKEN_EMBEDDING, e.sourceVocabSize(), C, false, Init.NORMAL));
        if (c.positional() == ModelConfig.Positional.LEARNED) {
            s.add(new Spec(ENCODER_POSITION_EMBEDDING, c.contextLength(), C, false, Init.NORMAL));
        }
        for (int l = 0; l < e.nEncoderLayer(); l++) {
            String p = ENCODER_PREFIX + "h." + l + ".";
            layerNorm(s, p + "ln_1", C);
            linear(s, p + "attn.c_attn", C, c.qkvDim(), Init.NORMAL, c.bias());
            linear(s, p + "attn.c_proj", C, C, Init.RESIDUAL, c.bias());
            layerNorm(s, p + "ln_2", C);
            linear(s, p + "mlp.c_fc", C, c.dFf(), Init.NORMAL, c.bias());
            linear(s, p + "mlp.c_proj", c.dFf(), C, Init.RESIDUAL, c.bias());
        }
        if (c.norm() == ModelConfig.Norm.PRE_LN) {
            layerNorm(s, ENCODER_PREFIX + "ln_f", C);
        }
        s.add(new Spec(TOKEN_EMBEDDING, c.vocabSize(), C, false, Init.NORMAL));
        if (c.positional() == ModelConfig.Positional.LEARNED) {
            s.add(new Spec(POSITION_EMBEDDING, c.contextLength(), C, false, Init.NORMAL));
        }
        for (int l = 0; l < c.nLayer(); l++) {
            String p = "h." + l + ".";
            layerNorm(s, p + "ln_1", C);
            linear(s, p + "attn.c_attn", C, c.qkvDim(), Init.NORMAL, c.bias());
            linear(s, p + "attn.c_proj", C, C, Init.RESIDUAL, c.bias());
            layerNorm(s, p + "ln_cross_attn", C);
            linear(s, p + "crossattention.q_attn", C, C, Init.NORMAL, c.bias());
            linear(s, p + "crossattention.c_attn", C, kvDim, Init.NORMAL, c.bias());
            linear(s, p + "crossattention.c_proj", C, C, Init.RESIDUAL, c.bias());
            layerNorm(s, p + "ln_2", C);
            linear(s, p + "mlp.c_fc", C, c.dFf(), Init.NORMAL, c.bias());
            linear(s, p + "mlp.c_proj", c.dFf(), C, Init.RESIDUAL, c.bias());
        }
        if (c.norm() == ModelConfig.Norm.PRE_LN) {
            layerNorm(s, "ln_f", C);
        }
        if (!c.tiedOutput()) {
            s.add(new Spec(OUTPUT, c.vocabSize(), C, false, Init.NORMAL));
        }
        return new ParameterLayout(c, s, e.nEncoderLayer() + c.nLayer());
    }

    /** Token embedding [V, C]; also the output layer when the output is tied. */
    public static final String TOKEN_EMBEDDING = "wte.weight";
    /** Learned position table [contextLength, C]. */
    public static final String POSITION_EMBEDDING = "wpe.weight";
    /** Untied output layer [V, C] (logits = x·Wᵀ). */
    public static final String OUTPUT = "lm_head.weight";
    /** What the names of an encoder-decoder model's encoder parameters start with. */
    public static final String ENCODER_PREFIX = "encoder.";
    /** The encoder's token embedding [U, C] (source vocabulary). */
    public static final String ENCODER_TOKEN_EMBEDDING = "encoder.wte.weight";
    /** The encoder's learned position table [contextLength, C]. */
    public static final String ENCODER_POSITION_EMBEDDING = "encoder.wpe.weight";

    private static void layerNorm(List<Spec> s, String prefix, int c) {
        s.add(new Spec(prefix + ".weight", 1, c, true, Init.ONES));
        s.add(new Spec(prefix + ".bias", 1, c, true, Init.ZEROS));
    }

    /** Conv1D layout as in GPT-2: weight [in, out], y = x·W + b. */
    private static void linear(List<Spec> s, String prefix, int in, int out, Init init, boolean bias) {
        s.add(new Spec(prefix + ".weight", in, out, false, init));
        if (bias) {
            s.add(new Spec(prefix + ".bias", 1, out, true, Init.ZEROS));
        }
    }

    public ModelConfig config() {
        return config;
    }

    public List<Spec> specs() {
        return specs;
    }

    /** All parameters, zero. */
    public Parameters zeros() {
        Parameters p = new Parameters();
        for (Spec spec : specs) {
            p.put(spec.name(), new DMatrixRMaj(spec.rows(), spec.cols()), spec.vector());
        }
        return p;
    }

    /** GPT-2's initialisation, drawn in layout order from one seeded generator: the same seed gives the same weights. */
    public Parameters initialize(long seed) {
        Random random = new Random(seed);
        double residualStd = 0.02 / Math.sqrt(2.0 * residualLayers);
        Parameters p = zeros();
        for (Spec spec : specs) {
            double[] d = p.get(spec.name()).data;
            int n = spec.rows() * spec.cols();
            switch (spec.init()) {
                case NORMAL -> fillNormal(d, n, 0.02, random);
                case RESIDUAL -> fillNormal(d, n, residualStd, random);
                case ONES -> java.util.Arrays.fill(d, 0, n, 1.0);
                case ZEROS -> {
                }
            }
        }
        return p;
    }

    private static void fillNormal(double[] d, int n, double std, Random random) {
        for (int i = 0; i < n; i++) {
            d[i] = std * random.nextGaussian();
        }
    }

    /**
     * Checks that {@code p} has exactly this layout's names and shapes.
     *
     * @throws IllegalArgumentException naming the first missing, extra or misshapen parameter
     */
    public void check(Parameters p) {
        for (Spec spec : specs) {
            if (!p.has(spec.name())) {
                throw new IllegalArgumentException("missing parameter " + spec.name());
            }
            DMatrixRMaj m = p.get(spec.name());
            if (m.numRows != spec.rows() || m.numCols != spec.cols()) {
                throw new IllegalArgumentException("parameter " + spec.name() + " has shape [" + m.numRows + ", "
                        + m.numCols + "], expected [" + spec.rows() + ", " + spec.cols() + "]");
            }
        }
        if (p.names().size() != specs.size()) {
            for (String name : p.names()) {
                if (specs.stream().noneMatch(s -> s.name().equals(name))) {
                    throw new IllegalArgumentException("unexpected parameter " + name);
                }
            }
        }
    }
}
