package org.stepwise.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.WordTokenizer;

/** Reading sentence pairs, encoding them for teacher forcing, and training an encoder-decoder on them. */
class TranslationTrainingTest {

    private static final Path TINY = Path.of("src/test/resources/corpus/tiny-en-zh.tsv");

    @TempDir
    Path dir;

    @Test
    void pairsAreReadOneALineSkippingBlankLines() throws IOException {
        ParallelCorpus corpus = ParallelCorpus.read(TINY);
        assertEquals(4, corpus.size());
        assertEquals(new ParallelCorpus.Pair("does he want a dog?", "他想要一只狗吗？"), corpus.pairs().get(2));
        assertTrue(corpus.sourceText().startsWith("i have three red apples she likes cats"));
        assertTrue(corpus.targetText().startsWith("我有三个红色的苹果。她喜欢猫。"));
    }

    @Test
    void aBrokenFileNamesTheLineAndTheProblem() throws IOException {
        Path file = dir.resolve("pairs.tsv");
        Files.writeString(file, "she likes cats\t她喜欢猫。\nno tab here\n");
        IOException noTab = assertThrows(IOException.class, () -> ParallelCorpus.read(file));
        assertTrue(noTab.getMessage().endsWith("line 2: expected \"source<TAB>target\" but found 0 tabs"),
                noTab.getMessage());
        Files.writeString(file, "she likes cats\t\n");
        IOException empty = assertThrows(IOException.class, () -> ParallelCorpus.read(file));
        assertTrue(empty.getMessage().endsWith("line 1: the target sentence is empty"), empty.getMessage());
        Files.writeString(file, "\n\n");
        IOException none = assertThrows(IOException.class, () -> ParallelCorpus.read(file));
        assertTrue(none.getMessage().endsWith("holds no sentence pairs"), none.getMessage());
        IOException missing = assertThrows(IOException.class, () -> ParallelCorpus.read(dir.resolve("nothing.tsv")));
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
    }

    @Test
    void theDecoderReadsTheStartThenTheTargetAndPredictsTheTargetThenTheEnd() throws IOException {
        ParallelCorpus corpus = ParallelCorpus.read(TINY);
        Tokenizer english = WordTokenizer.train(corpus.sourceText());
        Tokenizer chinese = CharTokenizer.train(corpus.targetText());
        List<TranslationTraining.Example> examples = TranslationTraining.encode(corpus, english, chinese, 0, 0, 12);
        TranslationTraining.Example cats = examples.get(1);
        assertArrayEquals(english.encode("she likes cats").ids(), cats.source());
        int[] target = chinese.encode("她喜欢猫。").ids();
        assertArrayEquals(new int[] {0, target[0], target[1], target[2], target[3], target[4]}, cats.targetInput());
        assertArrayEquals(new int[] {target[0], target[1], target[2], target[3], target[4], 0}, cats.targetOutput());
        assertEquals(6, examples.get(2).source().length); // "?" is a token of its own
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> TranslationTraining.encode(corpus, english, chinese, 0, 0, 9));
        assertTrue(tooLong.getMessage().contains("pair 1"), tooLong.getMessage());
    }

    @Test
    void trainingLearnsToTranslateItsPairsAndRepeatsWithTheSameSeed() throws IOException {
        ParallelCorpus corpus = ParallelCorpus.read(TINY);
        Tokenizer english = WordTokenizer.train(corpus.sourceText());
        Tokenizer chinese = CharTokenizer.train(corpus.targetText());
        ModelConfig shared = new ModelConfig(chinese.vocabSize(), 12, 1, 2, 1, 16, 32, ModelConfig.Activation.GELU_TANH,
                ModelConfig.Positional.SINUSOIDAL, ModelConfig.Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
        EncoderDecoderConfig config = new EncoderDecoderConfig(shared, english.vocabSize(), 1);
        List<TranslationTraining.Example> examples = TranslationTraining.encode(corpus, english, chinese, 0, 0, 12);
        Parameters[] trained = new Parameters[2];
        for (int run = 0; run < 2; run++) {
            TranslationTraining training = new TranslationTraining(config, ParameterLayout.of(config).initialize(4),
                    examples, 2, 1e-2, LearningRateSchedule.constant(), 1.0, 9);
            double before = training.loss(examples);
            assertEquals(Math.log(chinese.vocabSize()), before, 0.3, "an untrained model guesses about uniformly");
            for (int step = 0; step < 200; step++) {
                training.step();
            }
            assertEquals(100, training.epoch());
            assertTrue(training.loss(examples) < 0.05, "loss after training " + training.loss(examples));
            Translator translator = new Translator(training.model());
            for (ParallelCorpus.Pair pair : corpus.pairs()) {
                int[] ids = translator.translate(english.encode(pair.source()).ids(), 0, 0, 11, SamplingSettings.GREEDY,
                        new SplittableRandom(1));
                assertEquals(pair.target(), chinese.decode(ids));
            }
            trained[run] = training.weights();
        }
        for (String name : trained[0].names()) {
            assertArrayEquals(trained[0].get(name).data, trained[1].get(name).data, 0.0, name);
        }
    }
}
