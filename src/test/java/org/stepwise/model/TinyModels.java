package org.stepwise.model;

import java.util.Random;

import org.ejml.data.DMatrixRMaj;

/** Small configurations, perturbed weights and random batches shared by the model tests. */
final class TinyModels {
    private TinyModels() {
    }

    /** V=7, contextLength=6, L=2, H=4, C=8, F=12, pre-LN GELU-tanh learned tied with biases, MHA. */
    static ModelConfig base() {
        return new ModelConfig(7, 6, 2, 4, 4, 8, 12, ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.LEARNED, ModelConfig.Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
    }

    /** GPT-2 initialisation plus N(0, 0.1²) noise on every value, so no path is trivially zero. */
    static Parameters perturbed(ModelConfig config, long seed) {
        Parameters p = ParameterLayout.of(config).initialize(seed);
        Random random = new Random(seed * 31 + 7);
        for (String name : p.names()) {
            DMatrixRMaj m = p.get(name);
            for (int i = 0; i < m.getNumElements(); i++) {
                m.data[i] += 0.1 * random.nextGaussian();
            }
        }
        return p;
    }

    /** Random ids in [0, vocab) for sequences of the given lengths. */
    static int[][] randomIds(int vocab, long seed, int... lengths) {
        Random random = new Random(seed);
        int[][] out = new int[lengths.length][];
        for (int i = 0; i < lengths.length; i++) {
            out[i] = new int[lengths[i]];
            for (int t = 0; t < lengths[i]; t++) {
                out[i][t] = random.nextInt(vocab);
            }
        }
        return out;
    }
}
