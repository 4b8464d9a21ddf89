package org.stepwise.train;

import java.util.Random;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/**
 * The training loop itself, on the caller's thread and fully deterministic: batches in a seeded order,
 * gradients, the update strategy, the optimizer, clipping and the divergence guard. {@link Trainer}
 * runs it on its own thread; the command line and the tests call it directly.
 */
public final class TrainingLoop {

    /** What one iteration did. */
    public record Step(double loss, boolean epochEnded, boolean diverged, String message) {
    }

    private final ModelConfig config;
    private final Dataset data;
    private TrainingSettings settings;
    private final Transformer model;
    private final Parameters weights;
    private final Parameters gradients;
    private final Parameters epochGradients;
    private final Parameters lastGoodWeights;
    private Optimizer optimizer;
    private Random shuffle;
    private int[] order;

    private long iteration;
    private int epoch;
    private int batchInEpoch;
    private long samplesSeen;
    private long updates;
    private long epochTokens;
    private double lastLoss = Double.NaN;
    private double lastRate;

    /**
     * @param weights the starting weights; the loop owns them from now on (Modified.)
     */
    public TrainingLoop(ModelConfig config, Parameters weights, Dataset data, TrainingSettings settings) {
        if (data.contextLength() > config.contextLength()) {
            throw new IllegalArgumentException("samples of " + data.contextLength()
                    + " tokens are longer than the model's context length " + config.contextLength());
        }
        this.config = config;
        this.data = data;
        this.settings = settings;
        this.weights = weights;
        this.model = new Transformer(config, weights);
        this.gradients = weights.zerosLike();
        this.epochGradients = weights.zerosLike();
        this.lastGoodWeights = weights.copy();
        restart();
    }

    /** A loop on fresh weights drawn from {@code settings.seed()}. */
    public static TrainingLoop fresh(ModelConfig config, Dataset data, TrainingSettings settings) {
        return new TrainingLoop(config, ParameterLayout.of(config).initialize(settings.seed()), data, settings);
    }

    private void restart() {
        optimizer = newOptimizer();
        optimizer.rememberState();
        shuffle = new Random(settings.seed());
        order = data.shuffledOrder(shuffle);
        iteration = 0;
        epoch = 1;
        batchInEpoch = 0;
        samplesSeen = 0;
        updates = 0;
        epochTokens = 0;
        epochGradients.zero();
        lastLoss = Double.NaN;
        lastRate = settings.schedule().rate(settings.learningRate(), 0);
    }

    private Optimizer newOptimizer() {
        return switch (settings.optimizer()) {
            case SGD -> new Sgd();
            case ADAMW -> new AdamW(weights, 0.9, 0.999, 1e-8, settings.weightDecay());
        };
    }

    /** New random weights from the same seed, counters back to zero. */
    public void reset() {
        weights.setFrom(ParameterLayout.of(config).initialize(settings.seed()));
        lastGoodWeights.setFrom(weights);
        restart();
    }

    /** Changes the peak learning rate from the next update on. */
    public void setLearningRate(double rate) {
        settings = settings.withLearningRate(rate);
    }

    /**
     * Trains one batch (one iteration). When the loss, a gradient or a weight stops being finite, the
     * weights and the optimizer go back to the last good state and the step says what happened.
     */
    public Step stepIteration() {
        try {
            return trainBatch();
        } catch (ArithmeticException | IllegalArgumentException | IllegalStateException e) {
            weights.setFrom(lastGoodWeights);
            optimizer.restoreState();
            updates = optimizer.steps();
            return new Step(Double.NaN, false, true, "the model could not compute this batch: " + e.getMessage());
        }
    }

    private Step trainBatch() {
        int batchSize = Math.min(settings.batchSize(), data.trainSize() - batchInEpoch * settings.batchSize());
        int first = batchInEpoch * settings.batchSize();
        int[][] inputs = new int[batchSize][];
        int[][] targets = new int[batchSize][];
        for (int i = 0; i < batchSize; i++) {
            inputs[i] = data.trainInput(order[first + i]);
            targets[i] = data.trainTarget(order[first + i]);
        }
        double loss;
        String problem;
        if (settings.strategy() == UpdateStrategy.PER_SAMPLE) {
            double sum = 0;
            problem = null;
            for (int i = 0; i < batchSize && problem == null; i++) {
                double sampleLoss = model.lossAndGradients(new int[][] {inputs[i]}, new int[][] {targets[i]}, gradients);
                problem = checkFinite(sampleLoss);
                if (problem == null) {
                    sum += sampleLoss;
                    problem = update(gradients);
                }
            }
            loss = sum / batchSize;
        } else {
            loss = model.lossAndGradients(inputs, targets, gradients);
            problem = checkFinite(loss);
            if (problem == null) {
                if (settings.strategy() == UpdateStrategy.PER_BATCH) {
                    problem = update(gradients);
                } else {
                    accumulate(gradients, (long) batchSize * data.contextLength());
                }
            }
        }
        if (problem != null) {
            weights.setFrom(lastGoodWeights);
            optimizer.restoreState();
            updates = optimizer.steps();
            return new Step(loss, false, true, problem);
        }
        iteration++;
        batchInEpoch++;
        samplesSeen += batchSize;
        lastLoss = loss;
        boolean epochEnded = batchInEpoch * settings.batchSize() >= data.trainSize();
        if (epochEnded) {
            if (settings.strategy() == UpdateStrategy.PER_EPOCH) {
                scale(epochGradients, 1.0 / epochTokens);
                String epochProblem = update(epochGradients);
                epochGradients.zero();
                epochTokens = 0;
                if (epochProblem != null) {
                    weights.setFrom(lastGoodWeights);
                    optimizer.restoreState();
                    updates = optimizer.steps();
                    return new Step(loss, true, true, epochProblem);
                }
            }
            epoch++;
            batchInEpoch = 0;
            order = data.shuffledOrder(shuffle);
        }
        return new Step(loss, epochEnded, false, null);
    }

    private String checkFinite(double loss) {
        if (!Double.isFinite(loss)) {
            return "the loss became " + loss;
        }
        if (!gradients.allFinite()) {
            return "a gradient became infinite or NaN";
        }
        return null;
    }

    /** Clips, remembers the weights as they are (the last good ones), and takes one optimizer step. */
    private String update(Parameters grad) {
        double norm = grad.norm();
        if (!Double.isFinite(norm)) {
            return "the gradient norm became " + norm;
        }
        if (settings.gradientClip() > 0 && norm > settings.gradientClip()) {
            scale(grad, settings.gradientClip() / norm);
        }
        lastGoodWeights.setFrom(weights);
        optimizer.rememberState();
        lastRate = settings.schedule().rate(settings.learningRate(), updates);
        optimizer.step(weights, grad, lastRate);
        updates++;
        if (!weights.allFinite()) {
            return "a weight became infinite or NaN after the update at learning rate " + lastRate;
        }
        return null;
    }

    private void accumulate(Parameters grad, long tokens) {
        for (String name : grad.names()) {
            double[] source = grad.get(name).data;
            double[] target = epochGradients.get(name).data;
            for (int i = 0, n = grad.get(name).getNumElements(); i < n; i++) {
                target[i] += source[i] * tokens;
            }
        }
        epochTokens += tokens;
    }

    private static void scale(Parameters p, double factor) {
        for (String name : p.names()) {
            org.ejml.dense.row.CommonOps_DDRM.scale(factor, p.get(name));
        }
    }

    /** Mean cross-entropy on (up to {@code validationBatches} batches of) the validation samples; NaN if there are none. */
    public double validationLoss() {
        int count = Math.min(data.validationSize(), settings.validationBatches() * settings.batchSize());
        if (count == 0) {
            return Double.NaN;
        }
        int[][] inputs = new int[count][];
        int[][] targets = new int[count][];
        for (int i = 0; i < count; i++) {
            inputs[i] = data.validationInput(i);
            targets[i] = data.validationTarget(i);
        }
        return model.loss(inputs, targets);
    }

    public ModelConfig config() {
        return config;
    }

    public TrainingSettings settings() {
        return settings;
    }

    /** The live weights. Only the thread that runs the loop may read them while it trains. */
    public Parameters weights() {
        return weights;
    }

    /** The gradient of the last batch (or sample). */
    public Parameters gradients() {
        return gradients;
    }

    public long iteration() {
        return iteration;
    }

    public int epoch() {
        return epoch;
    }

    public int batchInEpoch() {
        return batchInEpoch;
    }

    public int batchesPerEpoch() {
        return (data.trainSize() + settings.batchSize() - 1) / settings.batchSize();
    }

    public long samplesSeen() {
        return samplesSeen;
    }

    public long updates() {
        return updates;
    }

    public double lastLoss() {
        return lastLoss;
    }

    public double learningRate() {
        return lastRate;
    }

    public Dataset data() {
        return data;
    }
}
