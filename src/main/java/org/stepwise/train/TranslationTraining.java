package org.stepwise.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.Parameters;
import org.stepwise.tensor.Ops;
import org.stepwise.tokenizer.Tokenizer;

/**
 * Trains an encoder-decoder model on sentence pairs with teacher forcing: the decoder reads the start id and the
 * target sentence, and learns to predict the target sentence and then the end id, position by position, by the
 * mean cross-entropy; AdamW updates the weights after every batch, with the gradient's norm clipped. Batches
 * follow a shuffled order of the pairs, reshuffled every epoch, from a seeded generator: the same seed gives the
 * same weights.
 */
public final class TranslationTraining {

    /** One encoded pair: the source ids, the decoder's input [start, y₁ … yₙ] and what it should predict [y₁ … yₙ, end]. */
    public record Example(int[] source, int[] targetInput, int[] targetOutput) {
    }

    private final EncoderDecoder model;
    private final Parameters weights;
    private final Parameters gradients;
    private final AdamW optimizer;
    private final List<Example> examples;
    private final double peakLearningRate;
    private final LearningRateSchedule schedule;
    private final double clip;
    private final Random random;
    private final int[] order;
    private final int[][][] fullBatch;       // [sources, inputs, outputs] × batchSize, reused
    private final int[][][] lastBatch;       // the same for the shorter last batch of an epoch, or null
    private int next;                        // position in order of the next batch's first pair
    private int epoch;
    private long steps;
    private double lastGradientNorm;

    /**
     * @param weights      the model's weights; Modified by every step (not copied)
     * @param examples     the training pairs, encoded (see {@link #encode}). Not modified.
     * @param batchSize    pairs a step, at least 1 (at most the number of pairs is used)
     * @param learningRate peak learning rate of AdamW (weight decay 0.01)
     * @param clip         largest gradient norm; a larger gradient is scaled down to it; 0 = no clipping
     */
    public TranslationTraining(EncoderDecoderConfig config, Parameters weights, List<Example> examples, int batchSize,
                               double learningRate, LearningRateSchedule schedule, double clip, long seed) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("there are no sentence pairs to train on");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || !(clip >= 0) || schedule == null) {
            throw new IllegalArgumentException("the learning rate must be positive, the clip norm ≥ 0 and a schedule given");
        }
        this.model = new EncoderDecoder(config, weights);
        this.weights = weights;
        this.gradients = weights.zerosLike();
        this.optimizer = new AdamW(weights);
        this.examples = List.copyOf(examples);
        this.peakLearningRate = learningRate;
        this.schedule = schedule;
        this.clip = clip;
        this.random = new Random(seed);
        this.order = new int[examples.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        shuffle();
        int batch = Math.min(batchSize, examples.size());
        fullBatch = new int[3][batch][];
        int remainder = examples.size() % batch;
        lastBatch = remainder == 0 ? null : new int[3][remainder][];
    }

    /**
     * Encodes sentence pairs: source ids; decoder input = start id, target ids; decoder output = target ids, end id.
     *
     * @throws IllegalArgumentException naming the pair when a side encodes to nothing or is longer than
     *                                  contextLength (the target needs one place for the start or end id)
     */
    public static List<Example> encode(ParallelCorpus corpus, Tokenizer source, Tokenizer target, int startId,
                                       int endId, int contextLength) {
        List<Example> out = new ArrayList<>(corpus.size());
        for (int index = 0; index < corpus.size(); index++) {
            ParallelCorpus.Pair pair = corpus.pairs().get(index);
            int[] sourceIds = source.encode(pair.source()).ids();
            int[] targetIds = target.encode(pair.target()).ids();
            if (sourceIds.length < 1 || sourceIds.length > contextLength) {
                throw new IllegalArgumentException("pair " + (index + 1) + " (\"" + pair.source() + "\"): the source is "
                        + sourceIds.length + " tokens; it must be 1 to contextLength = " + contextLength);
            }
            if (targetIds.length + 1 > contextLength) {
                throw new IllegalArgumentException("pair " + (index + 1) + " (\"" + pair.target() + "\"): the target is "
                        + targetIds.length + " tokens; with the start token it must fit contextLength = " + contextLength);
            }
            int[] input = new int[targetIds.length + 1];
            int[] output = new int[targetIds.length + 1];
            input[0] = startId;
            System.arraycopy(targetIds, 0, input, 1, targetIds.length);
            System.arraycopy(targetIds, 0, output, 0, targetIds.length);
            output[targetIds.length] = endId;
            out.add(new Example(sourceIds, input, output));
        }
        return out;
    }

    /** One update on the next batch; returns the batch's mean loss before the update. */
    public double step() {
        int remaining = order.length - next;
        int[][][] batch = remaining >= fullBatch[0].length || lastBatch == null ? fullBatch : lastBatch;
        int size = batch[0].length;
        for (int i = 0; i < size; i++) {
            Example example = examples.get(order[next + i]);
            batch[0][i] = example.source();
            batch[1][i] = example.targetInput();
            batch[2][i] = example.targetOutput();
        }
        next += size;
        if (next >= order.length) {
            next = 0;
            epoch++;
            shuffle();
        }
        double loss = model.lossAndGradients(batch[0], batch[1], batch[2], gradients);
        lastGradientNorm = gradients.norm();
        if (clip > 0 && lastGradientNorm > clip) {
            double factor = clip / lastGradientNorm;
            for (String name : gradients.names()) {
                Ops.scale(gradients.get(name), factor);
            }
        }
        optimizer.step(weights, gradients, schedule.rate(peakLearningRate, steps));
        steps++;
        return loss;
    }

    /** Mean cross-entropy per target position over {@code pairs} (Not modified), without changing anything. */
    public double loss(List<Example> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("no pairs to measure the loss on");
        }
        int[][] sources = new int[pairs.size()][];
        int[][] inputs = new int[pairs.size()][];
        int[][] outputs = new int[pairs.size()][];
        for (int i = 0; i < pairs.size(); i++) {
            sources[i] = pairs.get(i).source();
            inputs[i] = pairs.get(i).targetInput();
            outputs[i] = pairs.get(i).targetOutput();
        }
        return model.loss(sources, inputs, outputs);
    }

    private void shuffle() {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    public EncoderDecoder model() {
        return model;
    }

    public Parameters weights() {
        return weights;
    }

    /** Updates made so far. */
    public long steps() {
        return steps;
    }

    /** Completed passes over the training pairs. */
    public int epoch() {
        return epoch;
    }

    /** The norm of the last step's gradient, before clipping. */
    public double lastGradientNorm() {
        return lastGradientNorm;
    }
}
