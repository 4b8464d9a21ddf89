package org.stepwise.train;

import java.util.Arrays;
import java.util.Random;

import org.ejml.dense.row.CommonOps_DDRM;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/**
 * The training loop itself, on the caller's thread and fully deterministic: batches in a seeded order,
 * gradients, the update strategy, the optimizer, clipping, validation every few iterations and the
 * divergence guard. {@link Trainer} runs it on its own thread; the command line and the tests call it directly.
 *
 * <p>The order of epoch k (counting every reshuffle since the start) is drawn from a {@link Random} seeded by
 * the seed and k alone, so the whole state of the data order is (seed, k, position in the epoch), which a
 * saved session stores and a resumed loop continues exactly.
 */
public final class TrainingLoop implements TrainableLoop {

    /** A loss more than this many times that of guessing uniformly (ln V) counts as exploding. */
    public static final double EXPLODING_LOSS_FACTOR = 3.0;
    /** The rate suggested after a divergence is the rate that diverged divided by this. */
    public static final double RATE_REDUCTION = 10.0;
    /** Message key of a divergence where the loss, a gradient or a weight stopped being finite. */
    public static final String DIVERGED_KEY = "train.diverged";
    /** Message key of a divergence where the loss stayed finite but exploded. */
    public static final String EXPLODED_KEY = "train.exploded";

    /**
     * What one iteration did.
     *
     * @param loss           mean cross-entropy of the batch (NaN or huge when it diverged)
     * @param epochEnded     this batch was the last of its epoch; the samples are now reshuffled
     * @param diverged       training diverged: the weights and the optimizer are back at the last good state
     * @param message        for a divergence, what happened, in English; otherwise null
     * @param divergence     for a divergence, the message key and the rates; otherwise null
     * @param validationLoss the validation loss evaluated after this iteration, NaN when none was due
     * @param samples        samples in this batch
     * @param tokens         tokens trained on in this batch (samples × context length)
     * @param gradientNorm   global norm of the gradient of the last update, before clipping (NaN if none yet)
     */
    public record Step(double loss, boolean epochEnded, boolean diverged, String message, Divergence divergence,
            double validationLoss, int samples, long tokens, double gradientNorm) {
    }

    /**
     * Why training stopped, for a message in the user's language.
     *
     * @param messageKey            {@link #DIVERGED_KEY} or {@link #EXPLODED_KEY}
     * @param detail                what exactly was not finite or too large, in English
     * @param learningRate          the rate of the update that diverged
     * @param suggestedLearningRate a smaller rate to try
     * @param loss                  the loss that gave it away (NaN, infinite, or the exploded value)
     * @param uniformLoss           ln V, the loss of guessing every token equally likely
     */
    public record Divergence(String messageKey, String detail, double learningRate, double suggestedLearningRate,
            double loss, double uniformLoss) {
    }

    /**
     * Everything a resumed loop needs to continue exactly where this one is: copies, never the live buffers.
     * The weights before the last update are not part of it: after a resume the resumed weights are the last
     * good ones.
     *
     * @param weights          the weights
     * @param optimizer        the optimizer's kind, update count and buffers
     * @param epochGradientSum the per-epoch strategy's token-weighted gradient sum of the epoch so far
     * @param epochTokens      tokens summed into {@code epochGradientSum}
     * @param shuffles         orders drawn since the start; the current epoch's order is number shuffles − 1
     * @param order            the current epoch's order of training samples
     */
    public record State(Parameters weights, OptimizerState optimizer, Parameters epochGradientSum, long epochTokens,
            long iteration, int epoch, int batchInEpoch, int samplesInEpoch, long samplesSeen, long updates,
            int shuffles, int[] order, double lastLoss, double lastRate, double lastGradientNorm,
            double validationLoss, long validationIteration) {
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
    private int shuffles;
    private int[] order;

    private long iteration;
    private int epoch;
    private int batchInEpoch;
    private int samplesInEpoch;
    private long samplesSeen;
    private long updates;
    private long epochTokens;
    private double lastLoss = Double.NaN;
    private double lastRate;
    private double lastGradientNorm = Double.NaN;
    private double lastValidationLoss = Double.NaN;
    private long validationIteration = -1;
    private long weightsVersion;

    // Batch buffers, reused: rows [B][T] of ids, and per batch size an array of exactly that many rows.
    private int[][] inputRows = new int[0][];
    private int[][] targetRows = new int[0][];
    private int[][][] inputsBySize = new int[1][][];
    private int[][][] targetsBySize = new int[1][][];
    private final int[][] singleInput = new int[1][];
    private final int[][] singleTarget = new int[1][];
    private int[] batchSamples = new int[0];
    private int lastBatchSize;
    private int[][] validationInputs = new int[0][];
    private int[][] validationTargets = new int[0][];

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

    /**
     * A loop that continues exactly where the loop that captured {@code state} stood: the same next batches,
     * the same next losses, bit for bit.
     *
     * @param state Not modified (its buffers are copied)
     * @throws IllegalArgumentException when the state does not fit the config, the data or the settings
     */
    public static TrainingLoop resume(ModelConfig config, Dataset data, TrainingSettings settings, State state) {
        if (state.optimizer().kind() != settings.optimizer()) {
            throw new IllegalArgumentException("the saved optimizer state is " + state.optimizer().kind()
                    + " but the settings ask for " + settings.optimizer());
        }
        ParameterLayout.of(config).check(state.weights());
        TrainingLoop loop = new TrainingLoop(config, state.weights().copy(), data, settings);
        loop.restoreCounters(state);
        loop.optimizer.setState(state.optimizer());
        loop.optimizer.rememberState();
        loop.epochGradients.setFrom(state.epochGradientSum());
        loop.epochTokens = state.epochTokens();
        return loop;
    }

    private void restoreCounters(State state) {
        checkResumable(state, data.trainSize(), "sample");
        order = state.order().clone();
        shuffles = state.shuffles();
        iteration = state.iteration();
        epoch = state.epoch();
        batchInEpoch = state.batchInEpoch();
        samplesInEpoch = state.samplesInEpoch();
        samplesSeen = state.samplesSeen();
        updates = state.updates();
        lastLoss = state.lastLoss();
        lastRate = state.lastRate();
        lastGradientNorm = state.lastGradientNorm();
        lastValidationLoss = state.validationLoss();
        validationIteration = state.validationIteration();
    }

    /**
     * Checks that {@code state} can go on over {@code trainSize} training items (a {@code item} each: "sample",
     * "pair"): its order is an order of them and its counters are those of a run.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    static void checkResumable(State state, int trainSize, String item) {
        if (state.order().length != trainSize || !isPermutation(state.order())) {
            throw new IllegalArgumentException("the saved order is not an order of the " + trainSize + " training "
                    + item + "s");
        }
        if (state.shuffles() < 1 || state.epoch() < 1 || state.iteration() < 0 || state.batchInEpoch() < 0
                || state.samplesInEpoch() < 0 || state.samplesInEpoch() >= trainSize
                || state.samplesSeen() < 0 || state.updates() < 0 || state.epochTokens() < 0) {
            throw new IllegalArgumentException("the saved counters are not those of a training run: iteration "
                    + state.iteration() + ", epoch " + state.epoch() + ", " + item + " " + state.samplesInEpoch()
                    + " of " + trainSize + " in the epoch, " + state.shuffles() + " shuffles");
        }
    }

    private static boolean isPermutation(int[] values) {
        boolean[] seen = new boolean[values.length];
        for (int value : values) {
            if (value < 0 || value >= values.length || seen[value]) {
                return false;
            }
            seen[value] = true;
        }
        return true;
    }

    /** A copy of the whole state; see {@link #resume}. Call it on the thread that runs the loop. */
    public State captureState() {
        return new State(weights.copy(), optimizer.state(), epochGradients.copy(), epochTokens, iteration, epoch,
                batchInEpoch, samplesInEpoch, samplesSeen, updates, shuffles, order.clone(), lastLoss, lastRate,
                lastGradientNorm, lastValidationLoss, validationIteration);
    }

    private void restart() {
        optimizer = newOptimizer(settings);
        optimizer.rememberState();
        shuffles = 0;
        order = nextOrder();
        iteration = 0;
        epoch = 1;
        batchInEpoch = 0;
        samplesInEpoch = 0;
        samplesSeen = 0;
        updates = 0;
        epochTokens = 0;
        epochGradients.zero();
        lastLoss = Double.NaN;
        lastGradientNorm = Double.NaN;
        lastValidationLoss = Double.NaN;
        validationIteration = -1;
        lastBatchSize = 0;
        lastRate = settings.schedule().rate(settings.learningRate(), 0);
        weightsVersion++;
    }

    /** The next epoch's order: a shuffle seeded by the seed and the number of shuffles so far. */
    private int[] nextOrder() {
        long orderSeed = settings.seed() * 0x9E3779B97F4A7C15L + shuffles;
        shuffles++;
        return data.shuffledOrder(new Random(orderSeed));
    }

    private Optimizer newOptimizer(TrainingSettings chosen) {
        return switch (chosen.optimizer()) {
            case SGD -> new Sgd();
            case ADAMW -> new AdamW(weights, 0.9, 0.999, 1e-8, chosen.weightDecay());
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
        changeSettings(settings.withLearningRate(rate));
    }

    /**
     * Changes any setting between two iterations. What each change keeps:
     * <ul>
     * <li>another <b>seed</b>: a reset — new weights drawn from the new seed, counters and data order from the
     * start (the same as pressing reset with that seed);</li>
     * <li>another <b>optimizer</b> kind: keeps the weights, the counters, the data order and the schedule's
     * position; the new optimizer starts with empty buffers (AdamW's moments at zero, its bias correction
     * from its first step);</li>
     * <li>another AdamW <b>weight decay</b>: keeps everything, the moments too;</li>
     * <li>another <b>update strategy</b>: keeps everything; leaving the per-epoch strategy mid-epoch drops the
     * gradient summed so far in this epoch (it is not applied), entering it sums from the next batch on;</li>
     * <li>another <b>batch size</b>: keeps everything; the next batch takes the new number of samples from the
     * current position in the epoch;</li>
     * <li>learning rate, schedule, clipping, validation interval and size: take effect at the next iteration.</li>
     * </ul>
     *
     * @param next Not modified
     * @throws IllegalArgumentException for another validation fraction: the split is fixed by the {@link Dataset}
     */
    public void changeSettings(TrainingSettings next) {
        if (next.validationFraction() != settings.validationFraction()) {
            throw new IllegalArgumentException("the validation split is fixed when the dataset is built ("
                    + settings.validationFraction() + "); build a new dataset to hold back " + next.validationFraction());
        }
        TrainingSettings previous = settings;
        settings = next;
        if (next.seed() != previous.seed()) {
            reset();
            return;
        }
        if (next.optimizer() != previous.optimizer()) {
            optimizer = newOptimizer(next);
            optimizer.rememberState();
        } else if (next.optimizer() == Optimizer.Kind.ADAMW && next.weightDecay() != previous.weightDecay()) {
            OptimizerState moments = optimizer.state();
            optimizer = newOptimizer(next);
            optimizer.setState(moments);
            optimizer.rememberState();
        }
        if (previous.strategy() == UpdateStrategy.PER_EPOCH && next.strategy() != UpdateStrategy.PER_EPOCH) {
            epochGradients.zero();
            epochTokens = 0;
        }
    }

    /**
     * Trains one batch (one iteration). When the loss, a gradient or a weight stops being finite, or the loss
     * explodes, the weights and the optimizer go back to the state before the last update (the weights that
     * gave this loss came from that update) and the step says what happened.
     */
    public Step stepIteration() {
        try {
            return trainBatch();
        } catch (ArithmeticException | IllegalArgumentException | IllegalStateException e) {
            restoreLastGood();
            String detail = "the model could not compute this batch: " + e.getMessage();
            return new Step(Double.NaN, false, true, detail, divergence(DIVERGED_KEY, detail, Double.NaN), Double.NaN,
                    0, 0, lastGradientNorm);
        }
    }

    private void restoreLastGood() {
        weights.setFrom(lastGoodWeights);
        optimizer.restoreState();
        updates = optimizer.steps();
        weightsVersion++;
    }

    private Divergence divergence(String key, String detail, double loss) {
        double rate = settings.schedule().rate(settings.learningRate(), updates);
        return new Divergence(key, detail, rate, rate / RATE_REDUCTION, loss, uniformLoss());
    }

    /** ln V: the loss of a model that finds every token equally likely. */
    public double uniformLoss() {
        return Math.log(config.vocabSize());
    }

    /**
     * Losses above this count as exploding: {@link #EXPLODING_LOSS_FACTOR} × ln V (at least that factor × 1, so a
     * tiny vocabulary still leaves room for an unlucky batch).
     */
    public double explodingLoss() {
        return EXPLODING_LOSS_FACTOR * Math.max(uniformLoss(), 1.0);
    }

    private void fillBatch(int batchSize) {
        int contextLength = data.contextLength();
        if (inputRows.length < settings.batchSize()) {
            int rows = settings.batchSize();
            inputRows = new int[rows][contextLength];
            targetRows = new int[rows][contextLength];
            inputsBySize = new int[rows + 1][][];
            targetsBySize = new int[rows + 1][][];
            batchSamples = new int[rows];
        }
        if (inputsBySize[batchSize] == null) {
            inputsBySize[batchSize] = Arrays.copyOf(inputRows, batchSize);    // the same row arrays, [B][T]
            targetsBySize[batchSize] = Arrays.copyOf(targetRows, batchSize);
        }
        for (int i = 0; i < batchSize; i++) {
            batchSamples[i] = order[samplesInEpoch + i];
            data.copyTrainSample(batchSamples[i], inputRows[i], targetRows[i]);
        }
        lastBatchSize = batchSize;
    }

    private Step trainBatch() {
        int batchSize = Math.min(settings.batchSize(), data.trainSize() - samplesInEpoch);
        fillBatch(batchSize);
        int[][] inputs = inputsBySize[batchSize];     // [B][T]
        int[][] targets = targetsBySize[batchSize];   // [B][T]
        long tokens = (long) batchSize * data.contextLength();
        double loss;
        String problem;
        if (settings.strategy() == UpdateStrategy.PER_SAMPLE) {
            double sum = 0;
            problem = null;
            for (int i = 0; i < batchSize && problem == null; i++) {
                singleInput[0] = inputs[i];
                singleTarget[0] = targets[i];
                double sampleLoss = model.lossAndGradients(singleInput, singleTarget, gradients);
                problem = checkFinite(sampleLoss);
                if (problem == null) {
                    sum += sampleLoss;
                    problem = update(gradients);
                } else {
                    sum = sampleLoss;
                }
            }
            loss = problem == null ? sum / batchSize : sum;
        } else {
            loss = model.lossAndGradients(inputs, targets, gradients);
            problem = checkFinite(loss);
            if (problem == null) {
                if (settings.strategy() == UpdateStrategy.PER_BATCH) {
                    problem = update(gradients);
                } else {
                    accumulate(gradients, tokens);
                }
            }
        }
        if (problem != null) {
            restoreLastGood();
            String key = Double.isFinite(loss) && loss > explodingLoss() ? EXPLODED_KEY : DIVERGED_KEY;
            return new Step(loss, false, true, problem, divergence(key, problem, loss), Double.NaN, batchSize,
                    tokens, lastGradientNorm);
        }
        iteration++;
        batchInEpoch++;
        samplesInEpoch += batchSize;
        samplesSeen += batchSize;
        lastLoss = loss;
        boolean epochEnded = samplesInEpoch >= data.trainSize();
        if (epochEnded) {
            if (settings.strategy() == UpdateStrategy.PER_EPOCH) {
                scale(epochGradients, 1.0 / epochTokens);
                String epochProblem = update(epochGradients);
                epochGradients.zero();
                epochTokens = 0;
                if (epochProblem != null) {
                    restoreLastGood();
                    return new Step(loss, true, true, epochProblem, divergence(DIVERGED_KEY, epochProblem, loss),
                            Double.NaN, batchSize, tokens, lastGradientNorm);
                }
            }
            epoch++;
            batchInEpoch = 0;
            samplesInEpoch = 0;
            order = nextOrder();
        }
        double validation = Double.NaN;
        int every = settings.validationEvery();
        if (epochEnded || (every > 0 && iteration % every == 0)) {
            validation = validationLoss();
            lastValidationLoss = validation;
            validationIteration = iteration;
        }
        return new Step(loss, epochEnded, false, null, null, validation, batchSize, tokens, lastGradientNorm);
    }

    /** Why the weights that gave {@code loss} cannot be trusted, or null when they can. */
    private String checkFinite(double loss) {
        return divergence(loss, explodingLoss(), uniformLoss(), gradients);
    }

    /**
     * Why a step with {@code loss} and {@code gradients} (Not modified) cannot be trusted, or null when it can: a
     * loss that is not finite or above {@code explodingLoss}, or a gradient that is not finite. {@code uniformLoss}
     * (the loss of guessing uniformly) is named in the message. Shared with {@link TranslationLoop}.
     */
    static String divergence(double loss, double explodingLoss, double uniformLoss, Parameters gradients) {
        if (!Double.isFinite(loss)) {
            return "the loss became " + loss;
        }
        if (loss > explodingLoss) {
            return "the loss jumped to " + loss + ", more than " + EXPLODING_LOSS_FACTOR + " times the "
                    + uniformLoss + " of guessing uniformly";
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
        lastGradientNorm = norm;
        if (settings.gradientClip() > 0 && norm > settings.gradientClip()) {
            scale(grad, settings.gradientClip() / norm);
        }
        lastGoodWeights.setFrom(weights);
        optimizer.rememberState();
        lastRate = settings.schedule().rate(settings.learningRate(), updates);
        optimizer.step(weights, grad, lastRate);
        updates++;
        weightsVersion++;
        if (!weights.allFinite()) {
            return "a weight became infinite or NaN after the update at learning rate " + lastRate;
        }
        return null;
    }

    private void accumulate(Parameters grad, long tokens) {
        addScaled(epochGradients, grad, tokens);
        epochTokens += tokens;
    }

    /** {@code sum += factor · grad}, tensor by tensor. {@code sum} Modified; {@code grad} Not modified. */
    static void addScaled(Parameters sum, Parameters grad, double factor) {
        for (String name : grad.names()) {
            double[] source = grad.get(name).data;
            double[] target = sum.get(name).data;
            for (int i = 0, n = grad.get(name).getNumElements(); i < n; i++) {
                target[i] += source[i] * factor;
            }
        }
    }

    /** {@code p *= factor}, tensor by tensor. Modified. */
    static void scale(Parameters p, double factor) {
        for (String name : p.names()) {
            CommonOps_DDRM.scale(factor, p.get(name));
        }
    }

    /**
     * Evaluates now: mean cross-entropy on (up to {@code validationBatches} batches of) the validation samples;
     * NaN if there are none. Changes no state.
     */
    public double validationLoss() {
        int count = Math.min(data.validationSize(), settings.validationBatches() * settings.batchSize());
        if (count == 0) {
            return Double.NaN;
        }
        if (validationInputs.length != count) {
            validationInputs = new int[count][data.contextLength()];
            validationTargets = new int[count][data.contextLength()];
        }
        for (int i = 0; i < count; i++) {
            data.copyValidationSample(i, validationInputs[i], validationTargets[i]);
        }
        return model.loss(validationInputs, validationTargets);
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

    /**
     * The live weights as they were just before the last update (equal to {@link #weights()} before the first
     * update, after a reset, a resume or a divergence). Only the thread that runs the loop may read them.
     */
    public Parameters weightsBeforeLastUpdate() {
        return lastGoodWeights;
    }

    /** Grows by one whenever the weights change (an update, a restore, a reset), so copies can be reused. */
    public long weightsVersion() {
        return weightsVersion;
    }

    /** The gradient of the last batch (or sample). */
    public Parameters gradients() {
        return gradients;
    }

    /** The optimizer in use. */
    public Optimizer optimizer() {
        return optimizer;
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

    /** Training samples of this epoch already trained on. */
    public int samplesInEpoch() {
        return samplesInEpoch;
    }

    /** Batches in this epoch: those done plus those the rest of the epoch makes at the current batch size. */
    public int batchesPerEpoch() {
        int remaining = data.trainSize() - samplesInEpoch;
        return batchInEpoch + (remaining + settings.batchSize() - 1) / settings.batchSize();
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

    /** The validation loss of the last evaluation (NaN if none yet) and the iteration it was taken at (−1). */
    public double lastValidationLoss() {
        return lastValidationLoss;
    }

    public long validationIteration() {
        return validationIteration;
    }

    /** Global gradient norm of the last update, before clipping; NaN before the first. */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    public double learningRate() {
        return lastRate;
    }

    /** Reshuffles drawn since the start (the first epoch's order is the first). */
    public int shuffles() {
        return shuffles;
    }

    /**
     * The batch of the last iteration: its input ids [B, T], targets [B, T] and which training samples they
     * are, as new arrays. Empty before the first iteration.
     */
    public BatchView lastBatch() {
        int[][] inputs = new int[lastBatchSize][];
        int[][] targets = new int[lastBatchSize][];
        for (int i = 0; i < lastBatchSize; i++) {
            inputs[i] = inputRows[i].clone();
            targets[i] = targetRows[i].clone();
        }
        return new BatchView(inputs, targets, Arrays.copyOf(batchSamples, lastBatchSize), config.dModel());
    }

    public Dataset data() {
        return data;
    }

    @Override
    public int trainSize() {
        return data.trainSize();
    }

    @Override
    public TrainingSession captureSession(String name, org.stepwise.tokenizer.Tokenizer tokenizer,
            LossHistory lossHistory) {
        return TrainingSession.capture(name, this, tokenizer, lossHistory);
    }
}
