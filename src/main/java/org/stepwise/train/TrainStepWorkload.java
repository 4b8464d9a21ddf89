package org.stepwise.train;

import java.util.SplittableRandom;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/**
 * The training step that throughput is measured on: forward, backward and AdamW on batches of random
 * full-length sequences (the same work as the numpy reference's benchmark). Used by the {@code bench}
 * command and by the JMH benchmark, so both time exactly the same thing.
 */
public final class TrainStepWorkload {

    /** Distinct random batches the steps cycle through. */
    private static final int BATCHES = 8;

    private final ModelConfig config;
    private final int batchSize;
    private final Parameters weights;
    private final Transformer model;
    private final Parameters gradients;
    private final AdamW optimizer;
    private final int[][][] inputs;
    private final int[][][] targets;
    private int step;

    /** Seeded weights and batches: the same arguments give the same work. */
    public TrainStepWorkload(ModelConfig config, int batchSize, long seed) {
        this.config = config;
        this.batchSize = batchSize;
        this.weights = ParameterLayout.of(config).initialize(seed);
        this.model = new Transformer(config, weights);
        this.gradients = weights.zerosLike();
        this.optimizer = new AdamW(weights);
        SplittableRandom random = new SplittableRandom(seed);
        inputs = new int[BATCHES][batchSize][config.contextLength()];
        targets = new int[BATCHES][batchSize][config.contextLength()];
        for (int b = 0; b < BATCHES; b++) {
            for (int s = 0; s < batchSize; s++) {
                for (int t = 0; t < config.contextLength(); t++) {
                    inputs[b][s][t] = random.nextInt(config.vocabSize());
                    targets[b][s][t] = random.nextInt(config.vocabSize());
                }
            }
        }
    }

    /** One training step on the next batch; returns its loss. */
    public double step() {
        int batch = step++ % BATCHES;
        double loss = model.lossAndGradients(inputs[batch], targets[batch], gradients);
        optimizer.step(weights, gradients, 1e-4);
        return loss;
    }

    /** Tokens one step trains on: batch size × context length. */
    public long tokensPerStep() {
        return (long) batchSize * config.contextLength();
    }
}
