package org.stepwise.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;


import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.tokenizer.Tokenizer;

/**
 * The training loop of a translation (encoder-decoder) model, for the live {@link Trainer}: teacher forcing on
 * sentence pairs as in {@link TranslationTraining} (the decoder reads the start id and the target, and learns the
 * target then the end id), batches in a seeded order reshuffled every epoch, the chosen optimizer, update strategy,
 * clipping and schedule, the validation loss on the held-back test pairs, and the divergence guard of
 * {@link TrainingLoop}. Fully deterministic: the order of epoch k is drawn from a {@link Random} seeded by the
 * seed and k alone.
 */
public final class TranslationLoop implements TrainableLoop {

    private final EncoderDecoderConfig config;
    private final List<TranslationTraining.Example> train;
    private final List<ParallelCorpus.Pair> trainPairs;
    private final List<TranslationTraining.Example> validation;
    private TrainingSettings settings;
    private final EncoderDecoder model;
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

    // Batch buffers, reused: for each batch size B the rows [B][·] of sources, decoder inputs and outputs.
    private int[][][] sourcesBySize = new int[1][][];
    private int[][][] inputsBySize = new int[1][][];
    private int[][][] outputsBySize = new int[1][][];
    private final int[][] singleSource = new int[1][];
    private final int[][] singleInput = new int[1][];
    private final int[][] singleOutput = new int[1][];
    private int[] batchSamples = new int[0];
    private int lastBatchSize;
    private final int[][] validationSources;
    private final int[][] validationInputs;
    private final int[][] validationOutputs;
    /** The model as given to {@link #of} (tokenizers, name) and its pairs as text; null for a loop built directly. */
    private LoadedEncoderDecoder start;
    private ParallelCorpus trainCorpus;
    private ParallelCorpus testCorpus;

    /**
     * @param weights    the starting weights; the loop owns them from now on (Modified.)
     * @param train      the training pairs, encoded (see {@link TranslationTraining#encode}). Not modified.
     * @param trainPairs the same pairs as text, in the same order, for showing a batch. Not modified.
     * @param validation the held-back pairs, encoded; may be empty (no validation loss). Not modified.
     * @throws IllegalArgumentException when there is nothing to train on or the lists do not match
     */
    public TranslationLoop(EncoderDecoderConfig config, Parameters weights, List<TranslationTraining.Example> train,
            List<ParallelCorpus.Pair> trainPairs, List<TranslationTraining.Example> validation,
            TrainingSettings settings) {
        if (train == null || train.isEmpty()) {
            throw new IllegalArgumentException("there are no sentence pairs to train on");
        }
        if (trainPairs == null || trainPairs.size() != train.size()) {
            throw new IllegalArgumentException("every encoded training pair needs its text: " + train.size()
                    + " pairs but " + (trainPairs == null ? 0 : trainPairs.size()) + " texts");
        }
        if (validation == null || settings == null) {
            throw new IllegalArgumentException("the validation pairs (possibly none) and the settings are required");
        }
        this.config = config;
        this.train = List.copyOf(train);
        this.trainPairs = List.copyOf(trainPairs);
        this.validation = List.copyOf(validation);
        this.settings = settings;
        this.weights = weights;
        this.model = new EncoderDecoder(config, weights);
        this.gradients = weights.zerosLike();
        this.epochGradients = weights.zerosLike();
        this.lastGoodWeights = weights.copy();
        validationSources = new int[validation.size()][];
        validationInputs = new int[validation.size()][];
        validationOutputs = new int[validation.size()][];
        for (int i = 0; i < validation.size(); i++) {
            validationSources[i] = validation.get(i).source();
            validationInputs[i] = validation.get(i).targetInput();
            validationOutputs[i] = validation.get(i).targetOutput();
        }
        restart();
    }

    /**
     * A loop that trains a copy of {@code start}'s weights on {@code trainCorpus}, validating on
     * {@code testCorpus}; the source sentences are lowercased first when the model expects it.
     *
     * @throws IllegalArgumentException naming the pair when a sentence does not fit the model's context
     */
    public static TranslationLoop of(LoadedEncoderDecoder start, ParallelCorpus trainCorpus, ParallelCorpus testCorpus,
            TrainingSettings settings) {
        ParallelCorpus trainText = forModel(start, trainCorpus);
        TranslationLoop loop = new TranslationLoop(start.config(), start.parameters().copy(), encode(start, trainCorpus),
                trainText.pairs(), encode(start, testCorpus), settings);
        loop.start = start;
        loop.trainCorpus = trainCorpus;
        loop.testCorpus = testCorpus;
        return loop;
    }

    /**
     * A loop that continues exactly where the loop that captured {@code session} stood: the same next batches, the
     * same next losses, bit for bit.
     *
     * @param session Not modified (its buffers are copied)
     * @throws IllegalArgumentException when the state does not fit the model, the pairs or the settings
     */
    public static TranslationLoop resume(TranslationSession session) {
        TrainingLoop.State state = session.state();
        if (state.optimizer().kind() != session.settings().optimizer()) {
            throw new IllegalArgumentException("the saved optimizer state is " + state.optimizer().kind()
                    + " but the settings ask for " + session.settings().optimizer());
        }
        TranslationLoop loop = of(session.model(), session.train(), session.test(), session.settings());
        loop.restoreCounters(state);
        loop.optimizer.setState(state.optimizer());
        loop.optimizer.rememberState();
        loop.epochGradients.setFrom(state.epochGradientSum());
        loop.epochTokens = state.epochTokens();
        return loop;
    }

    private void restoreCounters(TrainingLoop.State state) {
        TrainingLoop.checkResumable(state, train.size(), "pair");
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

    /** A copy of the whole state; see {@link #resume}. Call it on the thread that runs the loop. */
    public TrainingLoop.State captureState() {
        return new TrainingLoop.State(weights.copy(), optimizer.state(), epochGradients.copy(), epochTokens, iteration,
                epoch, batchInEpoch, samplesInEpoch, samplesSeen, updates, shuffles, order.clone(), lastLoss, lastRate,
                lastGradientNorm, lastValidationLoss, validationIteration);
    }

    /**
     * {@code corpus} (Not modified) encoded for {@code model}: the source sentences lowercased first when the
     * model expects it; see {@link TranslationTraining#encode}.
     *
     * @throws IllegalArgumentException naming the pair when a sentence does not fit the model's context
     */
    public static List<TranslationTraining.Example> encode(LoadedEncoderDecoder model, ParallelCorpus corpus) {
        return TranslationTraining.encode(forModel(model, corpus), model.sourceTokenizer(), model.targetTokenizer(),
                model.startId(), model.endId(), model.config().shared().contextLength());
    }

    private static ParallelCorpus forModel(LoadedEncoderDecoder model, ParallelCorpus corpus) {
        if (!model.lowercaseSource()) {
            return corpus;
        }
        List<ParallelCorpus.Pair> lowered = new ArrayList<>(corpus.size());
        for (ParallelCorpus.Pair pair : corpus.pairs()) {
            lowered.add(new ParallelCorpus.Pair(pair.source().toLowerCase(Locale.ROOT), pair.target()));
        }
        return new ParallelCorpus(lowered);
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
        Random random = new Random(settings.seed() * 0x9E3779B97F4A7C15L + shuffles);
        shuffles++;
        int[] next = new int[train.size()];
        for (int i = 0; i < next.length; i++) {
            next[i] = i;
        }
        for (int i = next.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = next[i];
            next[i] = next[j];
            next[j] = swap;
        }
        return next;
    }

    private Optimizer newOptimizer(TrainingSettings chosen) {
        return switch (chosen.optimizer()) {
            case SGD -> new Sgd();
            case ADAMW -> new AdamW(weights, 0.9, 0.999, 1e-8, chosen.weightDecay());
        };
    }

    @Override
    public void reset() {
        weights.setFrom(ParameterLayout.of(config).initialize(settings.seed()));
        lastGoodWeights.setFrom(weights);
        restart();
    }

    /**
     * As {@link TrainingLoop#changeSettings}: another seed resets, another optimizer starts with empty buffers,
     * everything else takes effect from the next iteration. The validation pairs are the test pairs, so the
     * validation fraction is not used.
     */
    @Override
    public void changeSettings(TrainingSettings next) {
        if (next == null) {
            throw new IllegalArgumentException("settings are required");
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

    @Override
    public TrainingLoop.Step stepIteration() {
        try {
            return trainBatch();
        } catch (ArithmeticException | IllegalArgumentException | IllegalStateException e) {
            restoreLastGood();
            String detail = "the model could not compute this batch: " + e.getMessage();
            return new TrainingLoop.Step(Double.NaN, false, true, detail,
                    divergence(TrainingLoop.DIVERGED_KEY, detail, Double.NaN), Double.NaN, 0, 0, lastGradientNorm);
        }
    }

    private void restoreLastGood() {
        weights.setFrom(lastGoodWeights);
        optimizer.restoreState();
        updates = optimizer.steps();
        weightsVersion++;
    }

    private TrainingLoop.Divergence divergence(String key, String detail, double loss) {
        double rate = settings.schedule().rate(settings.learningRate(), updates);
        return new TrainingLoop.Divergence(key, detail, rate, rate / TrainingLoop.RATE_REDUCTION, loss, uniformLoss());
    }

    /** ln V: the loss of a model that finds every target token equally likely. */
    public double uniformLoss() {
        return Math.log(config.targetVocabSize());
    }

    /** Losses above {@link TrainingLoop#EXPLODING_LOSS_FACTOR} × max(ln V, 1) count as exploding. */
    public double explodingLoss() {
        return TrainingLoop.EXPLODING_LOSS_FACTOR * Math.max(uniformLoss(), 1.0);
    }

    private void fillBatch(int batchSize) {
        if (sourcesBySize.length <= batchSize) {
            int rows = Math.max(batchSize, settings.batchSize());
            sourcesBySize = new int[rows + 1][][];
            inputsBySize = new int[rows + 1][][];
            outputsBySize = new int[rows + 1][][];
        }
        if (batchSamples.length < batchSize) {
            batchSamples = new int[Math.max(batchSize, settings.batchSize())];
        }
        if (sourcesBySize[batchSize] == null) {
            sourcesBySize[batchSize] = new int[batchSize][];
            inputsBySize[batchSize] = new int[batchSize][];
            outputsBySize[batchSize] = new int[batchSize][];
        }
        for (int i = 0; i < batchSize; i++) {
            batchSamples[i] = order[samplesInEpoch + i];
            TranslationTraining.Example example = train.get(batchSamples[i]);
            sourcesBySize[batchSize][i] = example.source();
            inputsBySize[batchSize][i] = example.targetInput();
            outputsBySize[batchSize][i] = example.targetOutput();
        }
        lastBatchSize = batchSize;
    }

    private TrainingLoop.Step trainBatch() {
        int batchSize = Math.min(settings.batchSize(), train.size() - samplesInEpoch);
        fillBatch(batchSize);
        int[][] sources = sourcesBySize[batchSize];   // [B][S]
        int[][] inputs = inputsBySize[batchSize];     // [B][T]
        int[][] outputs = outputsBySize[batchSize];   // [B][T]
        long tokens = 0;
        for (int[] output : outputs) {
            tokens += output.length;
        }
        double loss;
        String problem;
        if (settings.strategy() == UpdateStrategy.PER_SAMPLE) {
            double weightedSum = 0;
            problem = null;
            for (int i = 0; i < batchSize && problem == null; i++) {
                singleSource[0] = sources[i];
                singleInput[0] = inputs[i];
                singleOutput[0] = outputs[i];
                double sampleLoss = model.lossAndGradients(singleSource, singleInput, singleOutput, gradients);
                problem = checkFinite(sampleLoss);
                if (problem == null) {
                    weightedSum += sampleLoss * outputs[i].length;
                    problem = update(gradients);
                } else {
                    weightedSum = sampleLoss * tokens;
                }
            }
            loss = weightedSum / tokens;                 // mean per target position, as for a whole batch
        } else {
            loss = model.lossAndGradients(sources, inputs, outputs, gradients);
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
            String key = Double.isFinite(loss) && loss > explodingLoss() ? TrainingLoop.EXPLODED_KEY
                    : TrainingLoop.DIVERGED_KEY;
            return new TrainingLoop.Step(loss, false, true, problem, divergence(key, problem, loss), Double.NaN,
                    batchSize, tokens, lastGradientNorm);
        }
        iteration++;
        batchInEpoch++;
        samplesInEpoch += batchSize;
        samplesSeen += batchSize;
        lastLoss = loss;
        boolean epochEnded = samplesInEpoch >= train.size();
        if (epochEnded) {
            if (settings.strategy() == UpdateStrategy.PER_EPOCH) {
                TrainingLoop.scale(epochGradients, 1.0 / epochTokens);
                String epochProblem = update(epochGradients);
                epochGradients.zero();
                epochTokens = 0;
                if (epochProblem != null) {
                    restoreLastGood();
                    return new TrainingLoop.Step(loss, true, true, epochProblem,
                            divergence(TrainingLoop.DIVERGED_KEY, epochProblem, loss), Double.NaN, batchSize, tokens,
                            lastGradientNorm);
                }
            }
            epoch++;
            batchInEpoch = 0;
            samplesInEpoch = 0;
            order = nextOrder();
        }
        double validationValue = Double.NaN;
        int every = settings.validationEvery();
        if (epochEnded || (every > 0 && iteration % every == 0)) {
            validationValue = validationLoss();
            lastValidationLoss = validationValue;
            validationIteration = iteration;
        }
        return new TrainingLoop.Step(loss, epochEnded, false, null, null, validationValue, batchSize, tokens,
                lastGradientNorm);
    }

    /** Why the weights that gave {@code loss} cannot be trusted, or null when they can. */
    private String checkFinite(double loss) {
        return TrainingLoop.divergence(loss, explodingLoss(), uniformLoss(), gradients);
    }

    /** Clips, remembers the weights as they are (the last good ones), and takes one optimizer step. */
    private String update(Parameters grad) {
        double norm = grad.norm();
        if (!Double.isFinite(norm)) {
            return "the gradient norm became " + norm;
        }
        lastGradientNorm = norm;
        if (settings.gradientClip() > 0 && norm > settings.gradientClip()) {
            TrainingLoop.scale(grad, settings.gradientClip() / norm);
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
        TrainingLoop.addScaled(epochGradients, grad, tokens);
        epochTokens += tokens;
    }

    /** Evaluates now: mean cross-entropy per target position on every held-back pair; NaN if there are none. */
    public double validationLoss() {
        if (validationSources.length == 0) {
            return Double.NaN;
        }
        return model.loss(validationSources, validationInputs, validationOutputs);
    }

    /**
     * A copy of the whole run as a {@link TranslationSession}; the model keeps the tokenizers it was given to
     * {@link #of} ({@code tokenizer} is not used: a translation model has two).
     *
     * @throws UnsupportedOperationException for a loop built without its model and pairs as text (not by {@link #of})
     */
    @Override
    public TranslationSession captureSession(String name, Tokenizer tokenizer, LossHistory lossHistory) {
        if (start == null) {
            throw new UnsupportedOperationException("this translation loop was built from encoded pairs only, without "
                    + "its model's tokenizers and the pairs as text, so it cannot be saved as a session");
        }
        TrainingLoop.State state = captureState();
        LoadedEncoderDecoder model = new LoadedEncoderDecoder(start.name(), config, state.weights(),
                start.sourceTokenizer(), start.targetTokenizer(), start.lowercaseSource());
        return new TranslationSession(name, model, trainCorpus, testCorpus, settings, state, lossHistory);
    }

    public EncoderDecoderConfig config() {
        return config;
    }

    /** The model the loop trains, reading the live weights. */
    public EncoderDecoder model() {
        return model;
    }

    @Override
    public TrainingSettings settings() {
        return settings;
    }

    @Override
    public Parameters weights() {
        return weights;
    }

    @Override
    public Parameters weightsBeforeLastUpdate() {
        return lastGoodWeights;
    }

    @Override
    public long weightsVersion() {
        return weightsVersion;
    }

    @Override
    public long iteration() {
        return iteration;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public int batchInEpoch() {
        return batchInEpoch;
    }

    @Override
    public int batchesPerEpoch() {
        int remaining = train.size() - samplesInEpoch;
        return batchInEpoch + (remaining + settings.batchSize() - 1) / settings.batchSize();
    }

    @Override
    public int samplesInEpoch() {
        return samplesInEpoch;
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    /** Held-back pairs the validation loss is measured on. */
    public int validationSize() {
        return validation.size();
    }

    @Override
    public long samplesSeen() {
        return samplesSeen;
    }

    @Override
    public long updates() {
        return updates;
    }

    @Override
    public double lastLoss() {
        return lastLoss;
    }

    @Override
    public double lastValidationLoss() {
        return lastValidationLoss;
    }

    @Override
    public long validationIteration() {
        return validationIteration;
    }

    @Override
    public double learningRate() {
        return lastRate;
    }

    @Override
    public double lastGradientNorm() {
        return lastGradientNorm;
    }

    /**
     * The target side of the last batch as a {@link BatchView}: decoder inputs and what they should predict, the
     * rows padded with the end id to the longest (the padding is not trained on). Empty before the first iteration.
     */
    @Override
    public BatchView lastBatch() {
        int[][] outputs = outputsBySize[lastBatchSize];
        int[][] inputs = inputsBySize[lastBatchSize];
        int longest = 0;
        for (int i = 0; i < lastBatchSize; i++) {
            longest = Math.max(longest, outputs[i].length);
        }
        int[][] shownInputs = new int[lastBatchSize][longest];
        int[][] shownTargets = new int[lastBatchSize][longest];
        for (int i = 0; i < lastBatchSize; i++) {
            int pad = outputs[i][outputs[i].length - 1];           // the end id
            java.util.Arrays.fill(shownInputs[i], pad);
            java.util.Arrays.fill(shownTargets[i], pad);
            System.arraycopy(inputs[i], 0, shownInputs[i], 0, inputs[i].length);
            System.arraycopy(outputs[i], 0, shownTargets[i], 0, outputs[i].length);
        }
        return new BatchView(shownInputs, shownTargets, java.util.Arrays.copyOf(batchSamples, lastBatchSize),
                config.shared().dModel());
    }

    @Override
    public List<ParallelCorpus.Pair> lastBatchPairs() {
        List<ParallelCorpus.Pair> pairs = new ArrayList<>(lastBatchSize);
        for (int i = 0; i < lastBatchSize; i++) {
            pairs.add(trainPairs.get(batchSamples[i]));
        }
        return List.copyOf(pairs);
    }
}
