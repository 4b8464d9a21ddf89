package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.model.io.Safetensors;
import org.stepwise.tokenizer.CharTokenizer;

/** A saved and reopened session continues with exactly the losses of an uninterrupted run. */
class TrainingSessionFilesTest {

    private static final String TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on a mat. ";
    private static final CharTokenizer TOKENIZER = CharTokenizer.train(TEXT);
    private static final ModelConfig CONFIG = ModelConfig.gpt2Like(TOKENIZER.vocabSize(), 8, 1, 2, 8);

    @TempDir
    Path folder;

    private static Dataset data() {
        return new Dataset(TOKENIZER.encode(TEXT.repeat(4)).ids(), 8, 0.1);     // 36 samples, 4 for validation
    }

    private static TrainingSettings settings(UpdateStrategy strategy, Optimizer.Kind kind) {
        return new TrainingSettings(5, 1e-2, kind, 0.01, LearningRateSchedule.warmupCosine(5, 40), 1.0,
                strategy, 11, 0.1, 4, 1);
    }

    private static double[] losses(TrainingLoop loop, int steps) {
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
    void twentyStepsSavedReopenedAndTenMoreEqualThirtyStraight(UpdateStrategy strategy) throws IOException {
        double[] straight = losses(TrainingLoop.fresh(CONFIG, data(), settings(strategy, Optimizer.Kind.ADAMW)), 30);

        TrainingLoop first = TrainingLoop.fresh(CONFIG, data(), settings(strategy, Optimizer.Kind.ADAMW));
        TrainingTimeline timeline = new TrainingTimeline();
        for (int i = 0; i < 20; i++) {
            TrainingLoop.Step step = first.stepIteration();
            timeline.record(first.iteration(), first.epoch(), step.loss(), step.validationLoss(), first.weights());
        }
        assertEquals(3, first.epoch(), "20 batches of 5 cross two epoch ends (7 batches each), so reshuffles");
        TrainingSessionFiles.save(folder, TrainingSession.capture("run", first, TOKENIZER, timeline.lossHistory()));

        TrainingSession reopened = TrainingSessionFiles.load(folder);
        TrainingLoop resumed = reopened.toLoop();
        assertEquals(20, resumed.iteration());
        assertEquals(first.epoch(), resumed.epoch());
        assertEquals(first.samplesSeen(), resumed.samplesSeen());
        assertEquals(first.updates(), resumed.updates());
        assertEquals(first.learningRate(), resumed.learningRate());
        assertEquals(first.lastValidationLoss(), resumed.lastValidationLoss());
        assertEquals(settings(strategy, Optimizer.Kind.ADAMW), reopened.settings());
        assertEquals(timeline.lossHistory(), reopened.lossHistory());
        assertArrayEquals(Arrays.copyOf(straight, 20), reopened.lossHistory().trainLosses());
        double[] continued = losses(resumed, 10);
        assertArrayEquals(Arrays.copyOfRange(straight, 20, 30), continued, "losses 21 … 30, exactly");
    }

    @Test
    void sgdSessionContinuesExactlyAndTheFolderIsAlsoAModelFolder() throws IOException {
        TrainingSettings sgd = settings(UpdateStrategy.PER_BATCH, Optimizer.Kind.SGD);
        double[] straight = losses(TrainingLoop.fresh(CONFIG, data(), sgd), 13);
        TrainingLoop first = TrainingLoop.fresh(CONFIG, data(), sgd);
        losses(first, 9);
        TrainingSessionFiles.save(folder, TrainingSession.capture("sgd", first, TOKENIZER, LossHistory.empty()));
        assertArrayEquals(Arrays.copyOfRange(straight, 9, 13), losses(TrainingSessionFiles.load(folder).toLoop(), 4));
        assertEquals(CONFIG, ModelFolder.load(folder).config());
        Set<String> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        assertTrue(files.containsAll(Set.of(TrainingSessionFiles.OPTIMIZER, TrainingSessionFiles.CORPUS,
                TrainingSessionFiles.TRAINING, TrainingSessionFiles.LOSS_HISTORY, ModelFolder.CONFIG, ModelFolder.WEIGHTS)),
                files.toString());
        assertTrue(files.stream().noneMatch(name -> name.endsWith(".tmp")), "no temporary file left: " + files);
    }

    @Test
    void optimizerStateUsesPyTorchLikeNames() throws IOException {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(), settings(UpdateStrategy.PER_BATCH, Optimizer.Kind.ADAMW));
        losses(loop, 3);
        TrainingSessionFiles.save(folder, TrainingSession.capture("names", loop, TOKENIZER, LossHistory.empty()));
        Safetensors.Contents contents = Safetensors.read(folder.resolve(TrainingSessionFiles.OPTIMIZER));
        Safetensors.Tensor firstMoment = contents.tensors().get("exp_avg.h.0.attn.c_attn.weight");
        assertArrayEquals(new int[] {8, 24}, firstMoment.shape());
        OptimizerState state = loop.optimizer().state();
        assertArrayEquals(state.buffer(AdamW.FIRST_MOMENT).get("h.0.attn.c_attn.weight").data, firstMoment.values());
        assertTrue(contents.tensors().containsKey("exp_avg_sq.wte.weight"));
        assertEquals("3", contents.metadata().get("step"));
        assertEquals("ADAMW", contents.metadata().get("optimizer"));
    }

    @Test
    void brokenFilesAreNamedInTheMessage() throws IOException {
        TrainingLoop loop = TrainingLoop.fresh(CONFIG, data(), settings(UpdateStrategy.PER_BATCH, Optimizer.Kind.ADAMW));
        losses(loop, 2);
        TrainingSessionFiles.save(folder, TrainingSession.capture("broken", loop, TOKENIZER, LossHistory.empty()));

        Path training = folder.resolve(TrainingSessionFiles.TRAINING);
        String good = Files.readString(training);
        Files.writeString(training, good.substring(0, good.length() / 2), StandardCharsets.UTF_8);
        assertNamed(training, "JSON");
        Files.writeString(training, good.replace("\"PER_BATCH\"", "\"PER_WEEK\""), StandardCharsets.UTF_8);
        assertNamed(training, "PER_WEEK");
        Files.writeString(training, good.replaceAll("\"shuffles\" : \\d+", "\"shuffles\" : 0"), StandardCharsets.UTF_8);
        assertNamed(training, "shuffles");
        Files.writeString(training, good, StandardCharsets.UTF_8);

        Path optimizer = folder.resolve(TrainingSessionFiles.OPTIMIZER);
        byte[] optimizerBytes = Files.readAllBytes(optimizer);
        Files.write(optimizer, Arrays.copyOf(optimizerBytes, optimizerBytes.length - 100));
        assertNamed(optimizer, "");
        Files.write(optimizer, optimizerBytes);

        Path history = folder.resolve(TrainingSessionFiles.LOSS_HISTORY);
        Files.delete(history);
        assertNamed(history, "missing");
    }

    private void assertNamed(Path file, String problem) {
        IOException thrown = assertThrows(IOException.class, () -> TrainingSessionFiles.load(folder));
        assertTrue(thrown.getMessage().contains(file.getFileName().toString()) && thrown.getMessage().contains(problem),
                thrown.getMessage());
    }
}
