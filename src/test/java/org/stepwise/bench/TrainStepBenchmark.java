package org.stepwise.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.train.AdamW;

/**
 * JMH benchmark of one training step (forward, backward, AdamW) of the default config on a batch of
 * 16 random sequences of 64 tokens. Tokens per second = 16·64 / (seconds per operation).
 * Run: {@code mvn -Pjmh verify} (see the README).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TrainStepBenchmark {

    private static final int BATCH = 16;

    private Transformer model;
    private Parameters weights;
    private Parameters gradients;
    private AdamW optimizer;
    private int[][] inputs;
    private int[][] targets;

    @Setup
    public void setUp() {
        ModelConfig config = DefaultModel.CONFIG;
        weights = ParameterLayout.of(config).initialize(0);
        model = new Transformer(config, weights);
        gradients = weights.zerosLike();
        optimizer = new AdamW(weights);
        SplittableRandom random = new SplittableRandom(0);
        inputs = new int[BATCH][config.contextLength()];
        targets = new int[BATCH][config.contextLength()];
        for (int s = 0; s < BATCH; s++) {
            for (int t = 0; t < config.contextLength(); t++) {
                inputs[s][t] = random.nextInt(config.vocabSize());
                targets[s][t] = random.nextInt(config.vocabSize());
            }
        }
    }

    @Benchmark
    public double trainStep() {
        double loss = model.lossAndGradients(inputs, targets, gradients);
        optimizer.step(weights, gradients, 1e-4);
        return loss;
    }
}
