package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loads the weights of the numpy GPT-2 reference ({@code ref_numpy_gpt.py}, an implementation outside
 * this project) into our Transformer and compares every intermediate it exports, the loss and every
 * gradient, to 1e-10. The fixtures and how they were made: src/test/resources/fixtures/make_reference_fixtures.py.
 * The reference runs a batch [B, T]; we run its rows one sequence at a time.
 */
class ReferenceFixtureTest {

    private static final double TOLERANCE = 1e-10;

    @ParameterizedTest
    @ValueSource(strings = {"ref_tiny_seed0.npz", "ref_medium_seed7.npz"})
    void activationsLossAndGradientsMatchTheNumpyReference(String fixture) throws IOException {
        NumpyArchive npz;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + fixture)) {
            assertTrue(in != null, "missing fixture " + fixture);
            npz = NumpyArchive.read(in);
        }
        ModelConfig config = new ModelConfig(
                (int) npz.get("config/vocab_size").scalar(), (int) npz.get("config/block_size").scalar(),
                (int) npz.get("config/n_layer").scalar(), (int) npz.get("config/n_head").scalar(),
                (int) npz.get("config/n_head").scalar(), (int) npz.get("config/n_embd").scalar(),
                (int) npz.get("config/ffn").scalar(), ModelConfig.Activation.GELU_TANH, ModelConfig.Positional.LEARNED,
                ModelConfig.Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
        Parameters parameters = ParameterLayout.of(config).zeros();
        for (String name : parameters.names()) {
            copyInto(npz.get("param/" + referenceName(name)), parameters.get(name));
        }
        Transformer model = new Transformer(config, parameters);

        int[][] inputs = rows(npz.get("idx"));
        int[][] targets = rows(npz.get("targets"));
        int compared = 0;
        for (int b = 0; b < inputs.length; b++) {
            Trace trace = Trace.record(model, inputs[b]);
            compared += compareActivations(npz, trace, config, b);
            assertEquals(trace.size(), compared, "every hook of sequence " + b + " has a reference value");
            compared = 0;
        }

        double expectedLoss = npz.get("act/loss").scalar();
        assertEquals(expectedLoss, model.loss(inputs, targets), TOLERANCE, "loss");
        Parameters grads = parameters.zerosLike();
        double loss = model.lossAndGradients(inputs, targets, grads);
        assertEquals(expectedLoss, loss, TOLERANCE, "loss from lossAndGradients");
        for (String name : grads.names()) {
            NumpyArchive.Array expected = npz.get("grad/" + referenceName(name));
            assertClose(expected.values(), 0, grads.get(name), "gradient of " + name);
        }
    }

    /** Compares every hook of sequence b with the reference's intermediates; returns how many hooks were compared. */
    private static int compareActivations(NumpyArchive npz, Trace trace, ModelConfig config, int b) {
        int count = 0;
        count += compare(npz, "act/tok_emb", b, trace, HookKey.of(Hook.EMBED));
        count += compare(npz, "act/pos_emb", -1, trace, HookKey.of(Hook.POS_EMBED));
        int heads = config.nHead();
        for (int l = 0; l < config.nLayer(); l++) {
            String p = "act/h." + l + ".";
            count += compare(npz, p + "x_in", b, trace, HookKey.of(Hook.RESID_PRE, l));
            count += compareScale(npz, p + "ln_1.rstd", b, trace, HookKey.of(Hook.LN1_SCALE, l));
            count += compare(npz, p + "ln_1.out", b, trace, HookKey.of(Hook.LN1_NORMALIZED, l));
            for (Hook hook : new Hook[] {Hook.Q, Hook.K, Hook.V, Hook.ATTN_SCORES, Hook.PATTERN}) {
                String name = switch (hook) {
                    case Q -> "attn.q";
                    case K -> "attn.k";
                    case V -> "attn.v";
                    case ATTN_SCORES -> "attn.scores";
                    default -> "attn.probs";
                };
                for (int h = 0; h < heads; h++) {
                    count += compareHead(npz.get(p + name), b, h, trace, HookKey.of(hook, l, h));
                }
            }
            NumpyArchive.Array merged = npz.get(p + "attn.y"); // [B, T, C], head h in columns [hD, (h+1)D)
            for (int h = 0; h < heads; h++) {
                DMatrixRMaj z = trace.get(HookKey.of(Hook.Z, l, h));
                int tokens = merged.dimension(1);
                int width = merged.dimension(2);
                int headDim = config.headDim();
                for (int t = 0; t < tokens; t++) {
                    for (int d = 0; d < headDim; d++) {
                        assertEquals(merged.values()[(b * tokens + t) * width + h * headDim + d], z.get(t, d), TOLERANCE,
                                "blocks." + l + ".attn.hook_z[" + h + "] at (" + t + ", " + d + ")");
                    }
                }
                count++;
            }
            count += compare(npz, p + "attn.out", b, trace, HookKey.of(Hook.ATTN_OUT, l));
            count += compare(npz, p + "x_mid", b, trace, HookKey.of(Hook.RESID_MID, l));
            count += compareScale(npz, p + "ln_2.rstd", b, trace, HookKey.of(Hook.LN2_SCALE, l));
            count += compare(npz, p + "ln_2.out", b, trace, HookKey.of(Hook.LN2_NORMALIZED, l));
            count += compare(npz, p + "mlp.fc", b, trace, HookKey.of(Hook.MLP_PRE, l));
            count += compare(npz, p + "mlp.gelu", b, trace, HookKey.of(Hook.MLP_POST, l));
            count += compare(npz, p + "mlp.out", b, trace, HookKey.of(Hook.MLP_OUT, l));
            count += compare(npz, p + "x_out", b, trace, HookKey.of(Hook.RESID_POST, l));
        }
        count += compareScale(npz, "act/ln_f.rstd", b, trace, HookKey.of(Hook.LN_FINAL_SCALE));
        count += compare(npz, "act/ln_f.out", b, trace, HookKey.of(Hook.LN_FINAL_NORMALIZED));
        count += compare(npz, "act/logits", b, trace, HookKey.of(Hook.LOGITS));
        return count;
    }

    /** Reference [B, T, N] (row b) or [T, N] (b = −1) against our [T, N]. */
    private static int compare(NumpyArchive npz, String name, int b, Trace trace, HookKey key) {
        NumpyArchive.Array expected = npz.get(name);
        DMatrixRMaj actual = trace.get(key);
        int offset = b < 0 ? 0 : b * actual.getNumElements();
        assertClose(expected.values(), offset, actual, key.name());
        return 1;
    }

    /** Reference [B, H, T, D or T] head h of row b against our [T, D or T]; −∞ must match exactly. */
    private static int compareHead(NumpyArchive.Array expected, int b, int h, Trace trace, HookKey key) {
        DMatrixRMaj actual = trace.get(key);
        int offset = (b * expected.dimension(1) + h) * actual.getNumElements();
        assertClose(expected.values(), offset, actual, key.name());
        return 1;
    }

    /** The reference keeps 1/√(σ² + ε) [B, T, 1]; our hook_scale is √(σ² + ε) [T, 1]. */
    private static int compareScale(NumpyArchive npz, String name, int b, Trace trace, HookKey key) {
        NumpyArchive.Array inverse = npz.get(name);
        DMatrixRMaj scale = trace.get(key);
        assertEquals(1, scale.numCols);
        for (int t = 0; t < scale.numRows; t++) {
            double expected = 1.0 / inverse.values()[b * scale.numRows + t];
            assertEquals(expected, scale.get(t, 0), TOLERANCE * Math.max(1, expected), key.name() + " row " + t);
        }
        return 1;
    }

    private static void assertClose(double[] expected, int offset, DMatrixRMaj actual, String what) {
        for (int i = 0; i < actual.getNumElements(); i++) {
            double e = expected[offset + i];
            double a = actual.data[i];
            if (Double.isInfinite(e)) {
                assertEquals(e, a, 0.0, what + " element " + i + " (masked)");
            } else {
                assertEquals(e, a, TOLERANCE, what + " element " + i);
            }
        }
    }

    private static void copyInto(NumpyArchive.Array source, DMatrixRMaj target) {
        assertEquals(target.getNumElements(), source.values().length, "element count");
        System.arraycopy(source.values(), 0, target.data, 0, source.values().length);
    }

    /** The reference names the embeddings without ".weight". */
    private static String referenceName(String name) {
        if (name.equals(ParameterLayout.TOKEN_EMBEDDING)) {
            return "wte";
        }
        if (name.equals(ParameterLayout.POSITION_EMBEDDING)) {
            return "wpe";
        }
        return name;
    }

    private static int[][] rows(NumpyArchive.Array ids) {
        int batch = ids.dimension(0);
        int tokens = ids.dimension(1);
        int[][] out = new int[batch][tokens];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                out[b][t] = (int) ids.values()[b * tokens + t];
            }
        }
        return out;
    }
}
