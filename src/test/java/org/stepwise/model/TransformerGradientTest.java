package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the hand-written backward pass against central finite differences on every parameter element,
 * for every combination of the architecture choices. Weights are GPT-2's initialisation plus N(0, 0.1²)
 * noise; the seed moves on when a routing choice or ReLU input sits too close to its switch or a tensor's
 * gradient is too small to rise above the finite-difference noise. F = 6 differs from C = 8 so that a
 * transposed weight would show. The full cross product runs on one block to keep ~300 complete checks
 * within seconds; the two-block cases and the numpy fixtures (two and three blocks) cover the gradient
 * passing from block to block.
 */
class TransformerGradientTest {

    private static final double STEP = 1e-5;
    /** Worst allowed max|g_analytic − g_numeric| / max|g_analytic| over a tensor. */
    private static final double TOLERANCE = 1e-6;
    /**
     * Router logits (MoE) and ReLU inputs must stay this far from a switch, or the seed is changed: a step
     * of 1e-5 on one weight moves them by far less here, since every input is of order 1.
     */
    private static final double SMOOTH_MARGIN = 1e-4;
    /** Smallest largest-gradient a tensor may have before the seed is changed. */
    private static final double SIGNAL = 1e-4;

    /** The tiny model with a small FFN (F = 6) and the given number of blocks. */
    private static ModelConfig gradientBase(int blocks) {
        ModelConfig base = TinyModels.base();
        return new ModelConfig(base.vocabSize(), base.contextLength(), blocks, base.nHead(), base.nKvHead(),
                base.dModel(), 6, base.activation(), base.positional(), base.norm(), base.tiedOutput(), base.bias(),
                0, 0, base.layerNormEps(), base.ropeTheta());
    }

    /**
     * Every combination of norm × attention × positions × activation × FFN kind × output on one block;
     * then two blocks (one block's input gradient feeding the next) for norm × attention × FFN kind,
     * with positions, activation and output tying taken in turn; and without biases.
     */
    static Stream<Arguments> variants() {
        List<Arguments> out = new ArrayList<>();
        for (ModelConfig.Norm norm : ModelConfig.Norm.values()) {
            for (int kvHeads : new int[] {4, 2, 1}) {
                for (ModelConfig.Positional positional : ModelConfig.Positional.values()) {
                    for (ModelConfig.Activation activation : ModelConfig.Activation.values()) {
                        for (boolean moe : new boolean[] {false, true}) {
                            for (boolean tied : new boolean[] {true, false}) {
                                ModelConfig config = gradientBase(1).withAttention(4, kvHeads)
                                        .withVariants(activation, positional, norm, tied, true);
                                out.add(Arguments.of(moe ? config.withExperts(3, 2) : config));
                            }
                        }
                    }
                }
            }
        }
        int turn = 0;
        for (ModelConfig.Norm norm : ModelConfig.Norm.values()) {
            for (int kvHeads : new int[] {4, 2, 1}) {
                for (boolean moe : new boolean[] {false, true}) {
                    ModelConfig config = gradientBase(2).withAttention(4, kvHeads).withVariants(
                            ModelConfig.Activation.values()[turn % 3], ModelConfig.Positional.values()[turn % 4], norm,
                            turn % 2 == 0, true);
                    out.add(Arguments.of(moe ? config.withExperts(3, 2) : config));
                    turn++;
                }
            }
        }
        ModelConfig base = gradientBase(2);
        out.add(Arguments.of(base.withVariants(base.activation(), base.positional(), base.norm(), true, false)));
        out.add(Arguments.of(base.withAttention(4, 2).withExperts(3, 2).withVariants(
                ModelConfig.Activation.RELU, ModelConfig.Positional.ROPE, ModelConfig.Norm.POST_LN, false, false)));
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("variants")
    void analyticGradientsMatchFiniteDifferences(ModelConfig config) throws InterruptedException {
        int[][] inputs = TinyModels.randomIds(config.vocabSize(), 11, 5, 3);
        int[][] targets = TinyModels.randomIds(config.vocabSize(), 12, 5, 3);
        Parameters parameters = null;
        Parameters grads = null;
        for (long seed = 1; grads == null; seed++) {
            assertTrue(seed < 20, "no seed gives a smooth, well-conditioned check for " + config);
            parameters = TinyModels.perturbed(config, seed);
            Transformer model = new Transformer(config, parameters);
            if (smoothAround(model, inputs)) {
                Parameters candidate = parameters.zerosLike();
                model.lossAndGradients(inputs, targets, candidate);
                grads = everyTensorCarriesSignal(candidate) ? candidate : null;
            }
        }
        Parameters numeric = parameters.zerosLike();
        // two halves of the elements on two copies of the model, one of them on a second thread
        Parameters copy = parameters.copy();
        Thread second = new Thread(() -> finiteDifferences(new Transformer(config, copy), inputs, targets, numeric, 1));
        second.start();
        finiteDifferences(new Transformer(config, parameters), inputs, targets, numeric, 0);
        second.join();

        double worst = 0;
        String worstName = "";
        for (String name : parameters.names()) {
            DMatrixRMaj analytic = grads.get(name);
            DMatrixRMaj estimate = numeric.get(name);
            double maxAnalytic = 0;
            double maxError = 0;
            for (int i = 0; i < analytic.getNumElements(); i++) {
                maxAnalytic = Math.max(maxAnalytic, Math.abs(analytic.data[i]));
                maxError = Math.max(maxError, Math.abs(analytic.data[i] - estimate.data[i]));
            }
            double error = maxError / maxAnalytic;
            if (error > worst) {
                worst = error;
                worstName = name;
            }
        }
        assertTrue(worst < TOLERANCE, config + ": worst normalised error " + worst + " in " + worstName);
    }

    /** Central differences of the loss for the elements whose running index has the given parity. */
    private static void finiteDifferences(Transformer model, int[][] inputs, int[][] targets, Parameters numeric,
                                          int parity) {
        Parameters weights = model.parameters();
        int index = 0;
        for (String name : weights.names()) {
            DMatrixRMaj w = weights.get(name);
            for (int i = 0; i < w.getNumElements(); i++, index++) {
                if (index % 2 != parity) {
                    continue;
                }
                double original = w.data[i];
                w.data[i] = original + STEP;
                double plus = model.loss(inputs, targets);
                w.data[i] = original - STEP;
                double minus = model.loss(inputs, targets);
                w.data[i] = original;
                numeric.get(name).data[i] = (plus - minus) / (2 * STEP);
            }
        }
    }

    /**
     * True when every tensor has some gradient of at least SIGNAL: the finite-difference noise is about
     * 1e-11, so a tensor whose gradient is smaller everywhere would be judged on noise.
     */
    private static boolean everyTensorCarriesSignal(Parameters grads) {
        for (String name : grads.names()) {
            DMatrixRMaj g = grads.get(name);
            double max = 0;
            for (int i = 0; i < g.getNumElements(); i++) {
                max = Math.max(max, Math.abs(g.data[i]));
            }
            if (max < SIGNAL) {
                return false;
            }
        }
        return true;
    }

    /** True when no routing choice or ReLU input (dense or in a routed expert) is within SMOOTH_MARGIN of switching. */
    private static boolean smoothAround(Transformer model, int[][] inputs) {
        ModelConfig config = model.config();
        boolean relu = config.activation() == ModelConfig.Activation.RELU;
        for (int[] ids : inputs) {
            Trace trace = Trace.record(model, ids);
            for (int l = 0; l < config.nLayer(); l++) {
                if (config.isMoe()) {
                    DMatrixRMaj logits = trace.get(HookKey.of(Hook.MOE_GATE, l));
                    DMatrixRMaj chosen = trace.get(HookKey.of(Hook.EXPERT_INDICES, l));
                    for (int t = 0; t < logits.numRows; t++) {
                        double[] row = new double[logits.numCols];
                        for (int e = 0; e < row.length; e++) {
                            row[e] = logits.get(t, e);
                        }
                        Arrays.sort(row);
                        int k = config.topK();
                        if (row[row.length - k] - row[row.length - k - 1] < SMOOTH_MARGIN) {
                            return false;
                        }
                    }
                    if (relu) {
                        // the experts' input: ln2's output (pre-LN) or the residual stream (post-LN)
                        DMatrixRMaj x = trace.get(HookKey.of(config.norm() == ModelConfig.Norm.PRE_LN
                                ? Hook.LN2_NORMALIZED : Hook.RESID_MID, l));
                        for (int t = 0; t < x.numRows; t++) {
                            for (int j = 0; j < config.topK(); j++) {
                                String prefix = "h." + l + ".mlp.experts." + (int) chosen.get(t, j) + ".c_fc.";
                                if (!awayFromZero(x, t, model.parameters(), prefix, config.bias())) {
                                    return false;
                                }
                            }
                        }
                    }
                } else if (relu) {
                    DMatrixRMaj pre = trace.get(HookKey.of(Hook.MLP_PRE, l));
                    for (int i = 0; i < pre.getNumElements(); i++) {
                        if (Math.abs(pre.data[i]) < SMOOTH_MARGIN) {
                            return false;
                        }
                    }
                }
            }
        }
        return true;
    }

    /** True when every entry of x[t]·W + b (one expert's pre-activation) is at least SMOOTH_MARGIN from 0. */
    private static boolean awayFromZero(DMatrixRMaj x, int t, Parameters parameters, String prefix, boolean bias) {
        DMatrixRMaj weight = parameters.get(prefix + "weight");
        for (int f = 0; f < weight.numCols; f++) {
            double pre = bias ? parameters.get(prefix + "bias").get(0, f) : 0;
            for (int c = 0; c < weight.numRows; c++) {
                pre += x.get(t, c) * weight.get(c, f);
            }
            if (Math.abs(pre) < SMOOTH_MARGIN) {
                return false;
            }
        }
        return true;
    }
}
