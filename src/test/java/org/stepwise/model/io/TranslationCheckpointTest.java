package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;
import org.stepwise.train.ParallelCorpus;

/**
 * The bundled English→Chinese translation model, {@code assets/model-en-zh}, translates the 60 held-back sentence
 * pairs of {@code assets/corpus/en-zh/test.tsv}, which it never saw in training, greedily and mostly exactly.
 *
 * <p>The model was made (in about four minutes on two cores) with
 * {@code stepwise train --corpus assets/corpus/en-zh/train.tsv --test assets/corpus/en-zh/test.tsv --steps 1200
 * --batch-size 32 --lr 3e-3 --warmup 100 --out assets/model-en-zh}.
 */
class TranslationCheckpointTest {

    private static final Path MODEL = Path.of("assets", "model-en-zh");
    private static final Path TEST_PAIRS = Path.of("assets", "corpus", "en-zh", "test.tsv");
    private static final Path TRAIN_PAIRS = Path.of("assets", "corpus", "en-zh", "train.tsv");

    @Test
    void theBundledModelTranslatesMostHeldBackSentencesExactly() throws IOException {
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(MODEL);
        ParallelCorpus test = ParallelCorpus.read(TEST_PAIRS);
        ParallelCorpus train = ParallelCorpus.read(TRAIN_PAIRS);
        assertEquals(60, test.size());
        for (ParallelCorpus.Pair pair : test.pairs()) {
            assertTrue(train.pairs().stream().noneMatch(seen -> seen.source().equals(pair.source())),
                    "\"" + pair.source() + "\" is a training sentence");
        }
        Translator translator = new Translator(new EncoderDecoder(model.config(), model.parameters()));
        int exact = 0;
        List<String> wrong = new ArrayList<>();
        for (ParallelCorpus.Pair pair : test.pairs()) {
            int[] ids = translator.translate(model.encodeSource(pair.source()), model.startId(), model.endId(),
                    model.config().shared().contextLength() - 1, SamplingSettings.GREEDY, new SplittableRandom(0));
            String translation = model.targetTokenizer().decode(ids);
            if (translation.equals(pair.target())) {
                exact++;
            } else {
                wrong.add(pair.source() + " → " + translation + " (expected " + pair.target() + ")");
            }
        }
        assertTrue(exact >= 54, exact + " of 60 exact; wrong: " + wrong);
    }

    @Test
    void theBundledModelIsSmall() throws IOException {
        long bytes;
        try (Stream<Path> files = Files.walk(MODEL)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        assertTrue(bytes < 2_000_000, "assets/model-en-zh holds " + bytes + " bytes");
    }

    @Test
    void itLowercasesTheSourceAndTranslatesTheExampleSentence() throws IOException {
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(MODEL);
        assertTrue(model.lowercaseSource());
        Translator translator = new Translator(new EncoderDecoder(model.config(), model.parameters()));
        int[] ids = translator.translate(model.encodeSource("I have three red apples"), model.startId(), model.endId(),
                20, SamplingSettings.GREEDY, new SplittableRandom(0));
        assertEquals("我有三个红色的苹果。", model.targetTokenizer().decode(ids));
    }
}
