package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.io.ModelFileException;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.train.LossHistory;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSession;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TranslationLoop;
import org.stepwise.train.TranslationSession;

/** The autosaved training: the newest complete save is what opens; older and half-written saves are cleared. */
class TrainingAutosaveTest {

    @TempDir
    Path folder;

    private List<String> entries() throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theNewestSaveOpensWithItsWeightsOptimizerCountersAndLosses() throws IOException {
        TrainingAutosave autosave = new TrainingAutosave(folder);
        assertFalse(autosave.exists());
        assertNull(autosave.current());
        assertThrows(NoSuchFileException.class, autosave::load);

        TrainingSession first = SessionFixtures.trained("first", 8, 1, 6);
        autosave.save(first);
        TrainingSession second = SessionFixtures.trained("second", 8, 1, 13);
        Path written = autosave.save(second);

        assertTrue(autosave.exists());
        assertEquals(written, autosave.current());
        assertEquals(List.of(TrainingAutosave.POINTER, written.getFileName().toString()), entries(),
                "the older save is deleted once the newer one is complete");
        TrainingSession opened = assertInstanceOf(TrainingSession.class, autosave.load());
        assertEquals(13, opened.state().iteration());
        assertEquals("second", opened.name(), "the run keeps its own name, not the autosave folder's");
        assertEquals(second.lossHistory(), opened.lossHistory());
        assertEquals(13, opened.lossHistory().trainCount());
        assertEquals(second.state().optimizer().steps(), opened.state().optimizer().steps());
        for (String name : second.state().weights().names()) {
            assertArrayEquals(second.state().weights().get(name).data, opened.state().weights().get(name).data, name);
        }
        // It continues exactly: the next loss of the reopened run is the next loss of the original.
        TrainingLoop original = second.toLoop();
        TrainingLoop continued = opened.toLoop();
        assertEquals(original.stepIteration().loss(), continued.stepIteration().loss());
    }

    @Test
    void aHalfWrittenSaveIsIgnoredAndClearedByTheNextSave() throws IOException {
        TrainingAutosave autosave = new TrainingAutosave(folder);
        Path complete = autosave.save(SessionFixtures.trained("complete", 8, 1, 4));
        Path half = Files.createDirectories(folder.resolve("training-99-1"));
        Files.write(half.resolve("config.json"), "{\"n_embd\": ".getBytes(StandardCharsets.UTF_8));

        assertEquals(complete, autosave.current());
        assertEquals(4, autosave.load().state().iteration());
        Path next = autosave.save(SessionFixtures.trained("next", 8, 1, 5));
        assertEquals(List.of(TrainingAutosave.POINTER, next.getFileName().toString()), entries());
    }

    @Test
    void aBrokenPointerIsReportedWithItsFileName() throws IOException {
        Files.write(folder.resolve(TrainingAutosave.POINTER), "{\"folder\": \"../elsewhere\"}".getBytes(StandardCharsets.UTF_8));
        TrainingAutosave autosave = new TrainingAutosave(folder);
        ModelFileException problem = assertThrows(ModelFileException.class, autosave::current);
        assertTrue(problem.getMessage().contains(TrainingAutosave.POINTER), problem.getMessage());
        assertFalse(autosave.exists());
    }

    @Test
    void aTranslationRunIsAutosavedAndOpensUnderItsOwnName() throws IOException {
        LoadedEncoderDecoder bundled = TranslationModel.load();
        LoadedEncoderDecoder model = new LoadedEncoderDecoder("small-en-zh", bundled.config(),
                ParameterLayout.of(bundled.config()).initialize(3), bundled.sourceTokenizer(),
                bundled.targetTokenizer(), bundled.lowercaseSource());
        ParallelCorpus pairs = new ParallelCorpus(
                ParallelCorpus.readResource("/assets/corpus/en-zh/train.tsv").pairs().subList(0, 12));
        TranslationLoop loop = TranslationLoop.of(model, pairs, pairs, TrainingSettings.defaults().withBatchSize(4));
        for (int i = 0; i < 4; i++) {
            loop.stepIteration();
        }
        TrainingAutosave autosave = new TrainingAutosave(folder);
        autosave.save(loop.captureSession("small-en-zh", null, LossHistory.empty()));

        TranslationSession opened = assertInstanceOf(TranslationSession.class, autosave.load());
        assertEquals("small-en-zh", opened.name());
        assertEquals(4, opened.state().iteration());
        assertEquals(loop.stepIteration().loss(), opened.toLoop().stepIteration().loss(), "the fifth batch, exactly");
    }
}
