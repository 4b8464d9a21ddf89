package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.ModelFileException;

/** A saved and reopened translation session continues with exactly the losses of an uninterrupted run. */
class TranslationSessionFilesTest {

    private static LoadedEncoderDecoder random;
    private static ParallelCorpus train;
    private static ParallelCorpus test;

    @TempDir
    Path folder;

    @BeforeAll
    static void open() throws IOException {
        LoadedEncoderDecoder checkpoint = EncoderDecoderFolder.load(Path.of("assets", "model-en-zh"));
        random = new LoadedEncoderDecoder("random-en-zh", checkpoint.config(),
                ParameterLayout.of(checkpoint.config()).initialize(5), checkpoint.sourceTokenizer(),
                checkpoint.targetTokenizer(), checkpoint.lowercaseSource());
        // 30 pairs in batches of 8: 4 batches an epoch, so 10 batches cross two reshuffles.
        train = new ParallelCorpus(ParallelCorpus.readResource("/assets/corpus/en-zh/train.tsv").pairs().subList(0, 30));
        test = new ParallelCorpus(ParallelCorpus.readResource("/assets/corpus/en-zh/test.tsv").pairs().subList(0, 6));
    }

    private static TrainingSettings settings(UpdateStrategy strategy, Optimizer.Kind kind) {
        return new TrainingSettings(8, 3e-3, kind, 0.01, LearningRateSchedule.warmupCosine(3, 40), 1.0, strategy, 13,
                0.1, 3, 1);
    }

    private static double[] losses(TrainableLoop loop, int steps) {
        double[] losses = new double[steps];
        for (int i = 0; i < steps; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            assertTrue(!step.diverged(), step.message());
            losses[i] = step.loss();
        }
        return losses;
    }

    @ParameterizedTest
    @EnumSource(UpdateStrategy.class)
    void tenStepsSavedReopenedAndFiveMoreEqualFifteenStraight(UpdateStrategy strategy) throws IOException {
        TrainingSettings chosen = settings(strategy, Optimizer.Kind.ADAMW);
        double[] straight = losses(TranslationLoop.of(random, train, test, chosen), 15);

        TranslationLoop first = TranslationLoop.of(random, train, test, chosen);
        TrainingTimeline timeline = new TrainingTimeline();
        for (int i = 0; i < 10; i++) {
            TrainingLoop.Step step = first.stepIteration();
            timeline.record(first.iteration(), first.epoch(), step.loss(), step.validationLoss(), first.weights());
        }
        assertEquals(3, first.epoch(), "10 batches of 8 of 30 pairs cross two epoch ends");
        TranslationSession captured = first.captureSession("run", null, timeline.lossHistory());
        captured.save(folder);

        TranslationSession reopened = assertInstanceOf(TranslationSession.class, SavedTraining.open(folder));
        TranslationLoop resumed = reopened.toLoop();
        assertEquals(10, resumed.iteration());
        assertEquals(first.epoch(), resumed.epoch());
        assertEquals(first.samplesSeen(), resumed.samplesSeen());
        assertEquals(first.updates(), resumed.updates());
        assertEquals(first.learningRate(), resumed.learningRate());
        assertEquals(first.lastValidationLoss(), resumed.lastValidationLoss());
        assertEquals(chosen, reopened.settings());
        assertEquals(timeline.lossHistory(), reopened.lossHistory());
        assertEquals(train.pairs(), reopened.train().pairs());
        assertEquals(test.pairs(), reopened.test().pairs());
        assertEquals(random.config(), reopened.model().config());
        assertEquals(random.lowercaseSource(), reopened.model().lowercaseSource());
        assertArrayEquals(Arrays.copyOf(straight, 10), reopened.lossHistory().trainLosses());
        assertArrayEquals(Arrays.copyOfRange(straight, 10, 15), losses(resumed, 5), "losses 11 … 15, exactly");
    }

    @Test
    void sgdSessionContinuesExactlyAndTheFolderIsAlsoATranslationModelFolder() throws IOException {
        TrainingSettings sgd = settings(UpdateStrategy.PER_BATCH, Optimizer.Kind.SGD);
        double[] straight = losses(TranslationLoop.of(random, train, test, sgd), 9);
        TranslationLoop first = TranslationLoop.of(random, train, test, sgd);
        losses(first, 6);
        TranslationSessionFiles.save(folder, first.captureSession("sgd", null, LossHistory.empty()));
        assertArrayEquals(Arrays.copyOfRange(straight, 6, 9), losses(TranslationSessionFiles.load(folder).toLoop(), 3));
        LoadedEncoderDecoder asModel = EncoderDecoderFolder.load(folder);
        for (String name : first.weights().names()) {
            assertArrayEquals(first.weights().get(name).data, asModel.parameters().get(name).data, name);
        }
        Set<String> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        assertTrue(files.containsAll(Set.of(TrainingSessionFiles.OPTIMIZER, TranslationSessionFiles.TRAIN_PAIRS,
                TranslationSessionFiles.TEST_PAIRS, TrainingSessionFiles.TRAINING, TrainingSessionFiles.LOSS_HISTORY,
                EncoderDecoderFolder.SOURCE_TOKENIZER, EncoderDecoderFolder.TARGET_TOKENIZER)), files.toString());
        assertTrue(files.stream().noneMatch(name -> name.endsWith(".tmp")), "no temporary file left: " + files);
        ModelFileException notText = assertThrows(ModelFileException.class, () -> TrainingSessionFiles.load(folder));
        assertTrue(notText.getMessage().contains("translation"), notText.getMessage());
    }

    @Test
    void brokenFilesAreNamedInTheMessage() throws IOException {
        TranslationLoop loop = TranslationLoop.of(random, train, test, settings(UpdateStrategy.PER_BATCH,
                Optimizer.Kind.ADAMW));
        losses(loop, 2);
        TranslationSessionFiles.save(folder, loop.captureSession("broken", null, LossHistory.empty()));

        Path training = folder.resolve(TrainingSessionFiles.TRAINING);
        String good = Files.readString(training);
        Files.writeString(training, good.replace("\"translation\"", "\"text\""), StandardCharsets.UTF_8);
        assertNamed(training, "kind");
        Files.writeString(training, good.replaceAll("\"shuffles\" : \\d+", "\"shuffles\" : 0"), StandardCharsets.UTF_8);
        assertNamed(training, "shuffles");
        Files.writeString(training, good, StandardCharsets.UTF_8);

        Path pairs = folder.resolve(TranslationSessionFiles.TRAIN_PAIRS);
        List<String> lines = Files.readAllLines(pairs);
        Files.write(pairs, lines.subList(0, lines.size() - 1));
        assertNamed(pairs, "29 pairs");
        Files.delete(pairs);
        assertNamed(pairs, "missing");
    }

    @Test
    void aLoopBuiltFromEncodedPairsAloneCannotBeSaved() {
        TranslationLoop bare = new TranslationLoop(random.config(), random.parameters().copy(),
                TranslationLoop.encode(random, train), train.pairs(), List.of(), settings(UpdateStrategy.PER_BATCH,
                        Optimizer.Kind.ADAMW));
        UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                () -> bare.captureSession("bare", null, LossHistory.empty()));
        assertTrue(refused.getMessage().contains("tokenizers"), refused.getMessage());
    }

    private void assertNamed(Path file, String detail) {
        ModelFileException problem = assertThrows(ModelFileException.class, () -> TranslationSessionFiles.load(folder));
        assertTrue(problem.getMessage().contains(file.getFileName().toString()), problem.getMessage());
        assertTrue(problem.getMessage().contains(detail), problem.getMessage());
    }
}
