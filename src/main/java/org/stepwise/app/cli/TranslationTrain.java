package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.WordTokenizer;
import org.stepwise.train.LearningRateSchedule;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TranslationTraining;

/**
 * {@code stepwise train --corpus pairs.tsv}: trains a word tokenizer on the source sentences, a character tokenizer on
 * the target sentences and an encoder-decoder model on the pairs, and saves them as an encoder-decoder model folder.
 * When every source sentence of the corpus is lowercase, the saved model lowercases the sentences it is given.
 */
final class TranslationTrain {

    /** The default shape: pre-LN, sinusoidal positions, GELU, tied output, biases; C = 64, H = 4, F = 128. */
    static final ModelConfig DEFAULT_SHARED = new ModelConfig(2, 24, 2, 4, 4, 64, 128, ModelConfig.Activation.GELU_TANH,
            ModelConfig.Positional.SINUSOIDAL, ModelConfig.Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
    static final int DEFAULT_ENCODER_LAYERS = 2;

    /** The options of {@code train} this needs. */
    record Options(Path corpus, Path configFile, Integer encoderLayers, Path test, int steps, long seed, Path out,
                   int batchSize, double learningRate, int warmup, double clip, int reportEvery, boolean json) {
    }

    private TranslationTrain() {
    }

    static int run(Options options, PrintWriter output) throws IOException {
        ParallelCorpus corpus = ParallelCorpus.read(options.corpus());
        ParallelCorpus test = options.test() == null ? null : ParallelCorpus.read(options.test());
        EncoderDecoderConfig requested = options.configFile() == null
                ? new EncoderDecoderConfig(DEFAULT_SHARED, 2, DEFAULT_ENCODER_LAYERS)
                : EncoderDecoderFolder.parse(Files.readAllBytes(options.configFile()), options.configFile());
        Tokenizer source = WordTokenizer.train(corpus.sourceText());
        Tokenizer target = CharTokenizer.train(corpus.targetText());
        int encoderLayers = options.encoderLayers() != null ? options.encoderLayers() : requested.nEncoderLayer();
        EncoderDecoderConfig config;
        try {
            config = new EncoderDecoderConfig(requested.shared().withVocabSize(target.vocabSize()), source.vocabSize(),
                    encoderLayers);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        int context = config.shared().contextLength();
        int endId = target.specials().eos();
        List<TranslationTraining.Example> examples = encode(corpus, source, target, endId, context, options.corpus());
        List<TranslationTraining.Example> held = test == null ? null
                : encode(test, source, target, endId, context, options.test());
        TranslationTraining training = new TranslationTraining(config, ParameterLayout.of(config).initialize(options.seed()),
                examples, options.batchSize(), options.learningRate(),
                options.warmup() > 0 ? LearningRateSchedule.warmupCosine(options.warmup(), options.steps())
                        : LearningRateSchedule.constant(),
                options.clip(), options.seed());
        long windowStart = System.nanoTime();
        for (int step = 1; step <= options.steps(); step++) {
            double loss = training.step();
            if (!Double.isFinite(loss)) {
                throw new IllegalStateException("training diverged at step " + step + " (loss " + loss
                        + "); try a smaller --lr");
            }
            if (step % options.reportEvery() == 0 || step == options.steps()) {
                double seconds = (System.nanoTime() - windowStart) / 1e9;
                report(output, options.json(), step, training.epoch(), loss,
                        held == null ? Double.NaN : training.loss(held), seconds);
            }
        }
        boolean lowercase = corpus.pairs().stream()
                .allMatch(pair -> pair.source().equals(pair.source().toLowerCase(Locale.ROOT)));
        LoadedEncoderDecoder model = new LoadedEncoderDecoder(options.out().getFileName().toString(), config,
                training.weights(), source, target, lowercase);
        if (test != null) {
            int exact = exactTranslations(model, test);
            output.println(options.json()
                    ? Json.line(Map.of("test_exact", exact, "test_pairs", test.size()))
                    : exact + " of " + test.size() + " test sentences translated exactly");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_trained_steps", Long.toString(training.steps()));
        metadata.put("stepwise_seed", Long.toString(options.seed()));
        metadata.put("stepwise_corpus", options.corpus().getFileName().toString());
        EncoderDecoderFolder.save(options.out(), model, false, metadata);
        return 0;
    }

    /** How many pairs the model translates greedily to exactly their target sentence. */
    static int exactTranslations(LoadedEncoderDecoder model, ParallelCorpus pairs) {
        Translator translator = new Translator(new org.stepwise.model.EncoderDecoder(model.config(), model.parameters()));
        int exact = 0;
        for (ParallelCorpus.Pair pair : pairs.pairs()) {
            int[] ids = translator.translate(model.encodeSource(pair.source()), model.startId(),
                    model.endId(), model.config().shared().contextLength() - 1, SamplingSettings.GREEDY,
                    new SplittableRandom(0));
            if (model.targetTokenizer().decode(ids).equals(pair.target())) {
                exact++;
            }
        }
        return exact;
    }

    private static List<TranslationTraining.Example> encode(ParallelCorpus pairs, Tokenizer source, Tokenizer target,
                                                            int endId, int context, Path file) {
        try {
            return TranslationTraining.encode(pairs, source, target, endId, endId, context);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(file + ": " + e.getMessage());
        }
    }

    private static void report(PrintWriter output, boolean json, int step, int epoch, double loss, double testLoss,
                               double seconds) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", step);
            line.put("epoch", epoch);
            line.put("loss", loss);
            line.put("test_loss", Double.isNaN(testLoss) ? null : testLoss);
            line.put("seconds", Math.round(seconds * 10) / 10.0);
            output.println(Json.line(line));
        } else {
            output.println(String.format(Locale.ROOT, "step %d  epoch %d  loss %.4f  test_loss %.4f  %.1f s", step,
                    epoch, loss, testLoss, seconds));
        }
    }
}
