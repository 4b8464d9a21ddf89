package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;

/** The translation loop trains the bundled English→Chinese model's shape on the bundled pairs, driven by the trainer. */
class TranslationLoopTest {

    private static LoadedEncoderDecoder checkpoint;
    private static LoadedEncoderDecoder random;
    private static ParallelCorpus train;
    private static ParallelCorpus test;

    @BeforeAll
    static void open() throws IOException {
        checkpoint = EncoderDecoderFolder.load(Path.of("assets", "model-en-zh"));
        random = new LoadedEncoderDecoder("random", checkpoint.config(),
                ParameterLayout.of(checkpoint.config()).initialize(7), checkpoint.sourceTokenizer(),
                checkpoint.targetTokenizer(), checkpoint.lowercaseSource());
        train = ParallelCorpus.readResource("/assets/corpus/en-zh/train.tsv");
        test = ParallelCorpus.readResource("/assets/corpus/en-zh/test.tsv");
    }

    private static TrainingSettings settings() {
        return TrainingSettings.defaults().withBatchSize(16).withLearningRate(3e-3).withValidationEvery(20);
    }

    private static List<TranslationTraining.Example> encode(List<ParallelCorpus.Pair> pairs) {
        return TranslationTraining.encode(new ParallelCorpus(pairs), checkpoint.sourceTokenizer(),
                checkpoint.targetTokenizer(), checkpoint.startId(), checkpoint.endId(),
                checkpoint.config().shared().contextLength());
    }

    private static double lossOf(Parameters weights, List<TranslationTraining.Example> examples) {
        int[][] sources = examples.stream().map(TranslationTraining.Example::source).toArray(int[][]::new);
        int[][] inputs = examples.stream().map(TranslationTraining.Example::targetInput).toArray(int[][]::new);
        int[][] outputs = examples.stream().map(TranslationTraining.Example::targetOutput).toArray(int[][]::new);
        return new EncoderDecoder(checkpoint.config(), weights).loss(sources, inputs, outputs);
    }

    @Test
    void theLossFallsFromRandomWeights() {
        TranslationLoop loop = TranslationLoop.of(random, train, test, settings());
        double before = loop.validationLoss();
        double first = loop.stepIteration().loss();
        double lastSum = 0;
        for (int i = 2; i <= 60; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            assertTrue(!step.diverged(), step.message());
            if (i > 50) {
                lastSum += step.loss();
            }
        }
        double after = loop.validationLoss();
        assertTrue(lastSum / 10 < first - 1.0, "train loss " + first + " → " + lastSum / 10);
        assertTrue(after < before - 1.0, "validation loss " + before + " → " + after);
        assertEquals(60, loop.iteration());
        assertEquals(60, loop.updates());
        assertEquals(60 * 16 - 544, loop.samplesInEpoch());
        assertEquals(2, loop.epoch());
    }

    @Test
    void aStepsLossIsTheModelsLossOnItsBatchAndValidationIsTheTestPairsLoss() {
        TranslationLoop loop = TranslationLoop.of(checkpoint, train, test, settings());
        Parameters start = loop.weights().copy();
        double checkpointLoss = loop.validationLoss();
        assertTrue(checkpointLoss < 1.0, "the checkpoint translates the test pairs well: " + checkpointLoss);
        TrainingLoop.Step step = loop.stepIteration();
        List<ParallelCorpus.Pair> batch = loop.lastBatchPairs();
        assertEquals(16, batch.size());
        assertEquals(lossOf(start, encode(batch)), step.loss(), 1e-12);
        assertEquals(lossOf(loop.weights(), encode(test.pairs())), loop.validationLoss(), 1e-12);
        BatchView view = loop.lastBatch();
        assertEquals(16, view.batchSize());
        assertArrayEquals(encode(batch).get(0).targetInput(),
                java.util.Arrays.copyOf(view.inputs()[0], encode(batch).get(0).targetInput().length));
    }

    @Test
    void theSameSeedGivesTheSameLossesAndAResetStartsOver() {
        TranslationLoop one = TranslationLoop.of(random, train, test, settings());
        TranslationLoop two = TranslationLoop.of(random, train, test, settings());
        double[] losses = new double[4];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = one.stepIteration().loss();
            assertEquals(losses[i], two.stepIteration().loss());
        }
        one.reset();
        assertEquals(0, one.iteration());
        TranslationLoop seeded = new TranslationLoop(random.config(),
                ParameterLayout.of(random.config()).initialize(settings().seed()), encode(train.pairs()),
                train.pairs(), encode(test.pairs()), settings());
        for (int i = 0; i < 3; i++) {
            assertEquals(seeded.stepIteration().loss(), one.stepIteration().loss());
        }
    }

    @Test
    void updateStrategiesDecideWhenTheWeightsChange() {
        TrainingSettings oneByOne = settings().withStrategy(UpdateStrategy.PER_SAMPLE).withBatchSize(4);
        TranslationLoop perSample = TranslationLoop.of(random, train, test, oneByOne);
        Parameters replayed = perSample.weights().copy();
        TrainingLoop.Step step = perSample.stepIteration();
        assertEquals(4, perSample.updates(), "one update per pair");
        // The same four updates by hand: each pair's gradient, clipped, one AdamW step.
        EncoderDecoder model = new EncoderDecoder(random.config(), replayed);
        Parameters gradients = replayed.zerosLike();
        AdamW adam = new AdamW(replayed, 0.9, 0.999, 1e-8, oneByOne.weightDecay());
        double weightedLoss = 0;
        long positions = 0;
        for (TranslationTraining.Example example : encode(perSample.lastBatchPairs())) {
            double loss = model.lossAndGradients(new int[][] {example.source()}, new int[][] {example.targetInput()},
                    new int[][] {example.targetOutput()}, gradients);
            double norm = gradients.norm();
            if (norm > oneByOne.gradientClip()) {
                for (String name : gradients.names()) {
                    org.ejml.dense.row.CommonOps_DDRM.scale(oneByOne.gradientClip() / norm, gradients.get(name));
                }
            }
            adam.step(replayed, gradients, oneByOne.learningRate());
            weightedLoss += loss * example.targetOutput().length;
            positions += example.targetOutput().length;
        }
        assertEquals(positions, step.tokens(), "tokens are the target positions trained on");
        assertEquals(weightedLoss / positions, step.loss(), 1e-12);
        for (String name : replayed.names()) {
            assertArrayEquals(replayed.get(name).data, perSample.weights().get(name).data, 0.0, name);
        }

        TranslationLoop perEpoch = TranslationLoop.of(random, train, test,
                settings().withStrategy(UpdateStrategy.PER_EPOCH).withBatchSize(64));
        Parameters before = perEpoch.weights().copy();
        for (int i = 0; i < 8; i++) {
            assertTrue(!perEpoch.stepIteration().epochEnded());
        }
        assertEquals(0, perEpoch.updates());
        assertEquals(before.get("wte.weight").get(3, 5), perEpoch.weights().get("wte.weight").get(3, 5), 0.0);
        TrainingLoop.Step last = perEpoch.stepIteration();
        assertTrue(last.epochEnded(), "9 batches of 64 cover the 544 pairs");
        assertEquals(1, perEpoch.updates(), "one update at the end of the epoch");
        assertTrue(before.get("wte.weight").get(3, 5) != perEpoch.weights().get("wte.weight").get(3, 5));
    }

    @Test
    void theTrainerDrivesItAndItsSettingsChange() throws Exception {
        List<TrainingSnapshot> snapshots = new CopyOnWriteArrayList<>();
        try (Trainer trainer = new Trainer(TranslationLoop.of(random, train, test, settings()))) {
            trainer.addListener(snapshots::add);
            trainer.open();
            trainer.stepIterations(3);
            TrainingSnapshot three = await(snapshots, s -> s.iteration() == 3);
            assertEquals(16, three.batchPairs().size());
            assertEquals(544, three.trainSamples());
            assertEquals(8, trainer.setBatchSize(8).get(5, TimeUnit.SECONDS).batchSize());
            assertEquals(Optimizer.Kind.SGD, trainer.setOptimizer(Optimizer.Kind.SGD).get(5, TimeUnit.SECONDS)
                    .optimizer());
            trainer.stepIteration();
            TrainingSnapshot four = await(snapshots, s -> s.iteration() == 4);
            assertEquals(8, four.batchPairs().size());
            assertEquals(56, four.samplesInEpoch());
            TranslationSession captured = assertInstanceOf(TranslationSession.class,
                    trainer.captureSession("run", null).get(5, TimeUnit.SECONDS));
            assertEquals(4, captured.state().iteration());
            assertEquals(8, captured.settings().batchSize());
            assertEquals(train.size(), captured.train().size());
            trainer.reset();
            TrainingSnapshot reset = await(snapshots, s -> s.event() == TrainingSnapshot.Event.RESET);
            assertEquals(0, reset.iteration());
        }
    }

    private static TrainingSnapshot await(List<TrainingSnapshot> snapshots, Predicate<TrainingSnapshot> condition)
            throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            for (TrainingSnapshot snapshot : snapshots) {
                if (condition.test(snapshot)) {
                    return snapshot;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no snapshot matched");
    }
}
