package org.stepwise.pipeline;

import java.util.List;
import java.util.Random;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ModelConfig.Activation;
import org.stepwise.model.ModelConfig.Norm;
import org.stepwise.model.ModelConfig.Positional;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/** Small random models of every architecture the pipeline must explain, and a traced sentence for each. */
final class Models {
    private Models() {
    }

    /** A named configuration, for test display names. */
    record Named(String name, ModelConfig config) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** V=7, contextLength=6, L=2, H=4, C=8, F=12: pre-LN GELU-tanh, learned positions, tied output, biases. */
    static ModelConfig preLn() {
        return new ModelConfig(7, 6, 2, 4, 4, 8, 12, Activation.GELU_TANH, Positional.LEARNED, Norm.PRE_LN, true,
                true, 0, 0, 1e-5, 10000.0);
    }

    static List<Named> all() {
        ModelConfig base = preLn();
        return List.of(
                new Named("pre-LN", base),
                new Named("post-LN", base.withVariants(Activation.RELU, Positional.SINUSOIDAL, Norm.POST_LN, false, true)),
                new Named("GQA", base.withAttention(4, 2)
                        .withVariants(Activation.GELU_ERF, Positional.NONE, Norm.PRE_LN, true, false)),
                new Named("RoPE", base.withAttention(4, 1)
                        .withVariants(Activation.RELU, Positional.ROPE, Norm.PRE_LN, false, true)),
                new Named("MoE", base.withExperts(3, 2)),
                new Named("MoE post-LN", base.withExperts(4, 2)
                        .withVariants(Activation.GELU_ERF, Positional.ROPE, Norm.POST_LN, true, false)));
    }

    /** GPT-2 initialisation plus N(0, 0.3²) noise, so no path is trivially zero or trivially small. */
    static Parameters parameters(ModelConfig config, long seed) {
        Parameters p = ParameterLayout.of(config).initialize(seed);
        Random random = new Random(seed * 31 + 7);
        for (String name : p.names()) {
            DMatrixRMaj m = p.get(name);
            for (int i = 0; i < m.getNumElements(); i++) {
                m.data[i] += 0.3 * random.nextGaussian();
            }
        }
        return p;
    }

    /** A traced run of {@code tokens} random ids. */
    static SentenceTrace run(ModelConfig config, Parameters parameters, int tokens, long seed) {
        Random random = new Random(seed);
        int[] ids = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            ids[t] = random.nextInt(config.vocabSize());
        }
        return SentenceTrace.record(new Transformer(config, parameters), ids);
    }
}
