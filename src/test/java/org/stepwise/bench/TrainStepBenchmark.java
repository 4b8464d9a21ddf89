package org.stepwise.bench;

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
import org.stepwise.train.TrainStepWorkload;

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

    private TrainStepWorkload workload;

    @Setup
    public void setUp() {
        workload = new TrainStepWorkload(DefaultModel.CONFIG, BATCH, 0);
    }

    @Benchmark
    public double trainStep() {
        return workload.step();
    }
}
