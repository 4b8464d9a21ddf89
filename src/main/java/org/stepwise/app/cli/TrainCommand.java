package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.HfConfig;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.WordTokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.LearningRateSchedule;
import org.stepwise.train.Optimizer;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.UpdateStrategy;

/** {@code stepwise train}: train a tokenizer and a model on a text file and save them as a model folder. */
@Command(name = "train", resourceBundle = Cli.BUNDLE)
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--corpus", required = true, paramLabel = "FILE", descriptionKey = "corpus")
    Path corpus;

    @Option(names = "--config", paramLabel = "FILE", descriptionKey = "config")
    Path configFile;

    @Option(names = "--tokenizer", defaultValue = "bpe", paramLabel = "KIND", descriptionKey = "tokenizerKind")
    TokenizerChoice tokenizerKind;

    @Option(names = "--vocab-size", paramLabel = "N", descriptionKey = "vocabSize")
    Integer vocabSize;

    @Option(names = "--steps", required = true, paramLabel = "N", descriptionKey = "steps")
    int steps;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", descriptionKey = "seed")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", descriptionKey = "out")
    Path out;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B", descriptionKey = "batchSize")
    int batchSize;

    @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "RATE", descriptionKey = "lr")
    double learningRate;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "NAME", descriptionKey = "optimizer")
    OptimizerChoice optimizer;

    @Option(names = "--strategy", defaultValue = "batch", paramLabel = "WHEN", descriptionKey = "strategy")
    StrategyChoice strategy;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "N", descriptionKey = "warmup")
    int warmup;

    @Option(names = "--clip", defaultValue = "1.0", paramLabel = "NORM", descriptionKey = "clip")
    double clip;

    @Option(names = "--report-every", defaultValue = "10", paramLabel = "N", descriptionKey = "reportEvery")
    int reportEvery;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--encoder-layers", paramLabel = "N", descriptionKey = "encoderLayers")
    Integer encoderLayers;

    @Option(names = "--test", paramLabel = "FILE", descriptionKey = "testPairs")
    Path testPairs;

    enum TokenizerChoice { bpe, character, word }

    enum OptimizerChoice { sgd, adamw }

    enum StrategyChoice { sample, batch, epoch }

    @Override
    public Integer call() throws IOException {
        if (steps < 1) {
            throw new BadInputException("--steps must be at least 1, got " + steps);
        }
        if (reportEvery < 1) {
            throw new BadInputException("--report-every must be at least 1, got " + reportEvery);
        }
        if (corpus.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".tsv")) {
            return TranslationTrain.run(new TranslationTrain.Options(corpus, configFile, encoderLayers, testPairs, steps,
                    seed, out, batchSize, learningRate, warmup, clip, reportEvery, json), spec.commandLine().getOut());
        }
        if (encoderLayers != null || testPairs != null) {
            throw new BadInputException("--encoder-layers and --test are for a translation model, trained on a .tsv"
                    + " file of sentence pairs");
        }
        String text = Json.readUtf8(corpus);
        if (text.isBlank()) {
            throw new BadInputException(corpus + " is empty: there is nothing to train on");
        }
        ModelConfig requested = configFile == null ? DefaultModel.CONFIG : HfConfig.read(configFile);
        int vocabulary = vocabSize != null ? vocabSize : requested.vocabSize();
        Tokenizer tokenizer;
        try {
            tokenizer = switch (tokenizerKind) {
                case bpe -> BpeTokenizer.trainToVocabSize(text, vocabulary);
                case character -> CharTokenizer.train(text);
                case word -> WordTokenizer.train(text, vocabulary - 3);   // the 3 special tokens come on top
            };
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage() + "; choose a larger --vocab-size, or --tokenizer character");
        }
        ModelConfig config = requested.withVocabSize(tokenizer.vocabSize());
        int[] ids = tokenizer.encode(text).ids();
        Dataset data = new Dataset(ids, config.contextLength(), 0.1);
        TrainingSettings settings = new TrainingSettings(batchSize, learningRate,
                optimizer == OptimizerChoice.sgd ? Optimizer.Kind.SGD : Optimizer.Kind.ADAMW, 0.01,
                warmup > 0 ? LearningRateSchedule.warmupCosine(warmup, steps) : LearningRateSchedule.constant(),
                clip, switch (strategy) {
                    case sample -> UpdateStrategy.PER_SAMPLE;
                    case batch -> UpdateStrategy.PER_BATCH;
                    case epoch -> UpdateStrategy.PER_EPOCH;
                }, seed, 0.1, 0, 4);
        TrainingLoop loop = TrainingLoop.fresh(config, data, settings);
        PrintWriter output = spec.commandLine().getOut();
        long windowStart = System.nanoTime();
        long windowTokens = 0;
        int exit = 0;
        for (int step = 1; step <= steps; step++) {
            TrainingLoop.Step result = loop.stepIteration();
            if (result.diverged()) {
                spec.commandLine().getErr().println(spec.resourceBundle().getString("cli.errorPrefix")
                        + "training diverged at step " + step + " (" + result.message()
                        + "); the last good weights were kept and saved");
                exit = 1;
                break;
            }
            windowTokens += (long) Math.min(batchSize, data.trainSize()) * data.contextLength();
            if (step % reportEvery == 0 || step == steps) {
                long now = System.nanoTime();
                double tokensPerSecond = windowTokens * 1e9 / Math.max(1, now - windowStart);
                report(output, step, loop, result.loss(), loop.validationLoss(), tokensPerSecond);
                windowStart = System.nanoTime();
                windowTokens = 0;
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_trained_steps", Long.toString(loop.iteration()));
        metadata.put("stepwise_seed", Long.toString(seed));
        metadata.put("stepwise_corpus", corpus.getFileName().toString());
        ModelFolder.save(out, new LoadedModel(out.getFileName().toString(), config, loop.weights(), tokenizer), metadata);
        return exit;
    }

    private void report(PrintWriter output, int step, TrainingLoop loop, double loss, double validationLoss,
            double tokensPerSecond) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", step);
            line.put("epoch", loop.epoch());
            line.put("loss", loss);
            line.put("val_loss", Double.isNaN(validationLoss) ? null : validationLoss);
            line.put("tokens_per_s", Math.round(tokensPerSecond));
            output.println(Json.line(line));
        } else {
            output.println(String.format(Locale.ROOT, "step %d  epoch %d  loss %.4f  val_loss %.4f  %.0f tokens/s",
                    step, loop.epoch(), loss, validationLoss, tokensPerSecond));
        }
    }
}
