package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.MessageFormat;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.model.GqaConversion;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.train.GqaComparison;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TranslationGqaComparison;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.training.Corpus;

/**
 * {@code stepwise convert-gqa}: pool a model's key/value heads down to fewer (multi-head to grouped-query
 * attention), save the converted model folder, and print the validation loss and the KV-cache size before and
 * after. For a translation (encoder-decoder) model every attention layer is converted (encoder self-attention,
 * decoder self-attention, cross-attention) and the loss is measured on sentence pairs: the bundled held-back
 * English→Chinese test pairs unless {@code --corpus} names a .tsv file of pairs.
 */
@Command(name = "convert-gqa", resourceBundle = Cli.BUNDLE)
final class ConvertGqaCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", descriptionKey = "model")
    Path modelDir;

    @Option(names = "--kv-heads", required = true, paramLabel = "G", descriptionKey = "kvHeads")
    int kvHeads;

    @Option(names = "--out", required = true, paramLabel = "DIR", descriptionKey = "convertedOut")
    Path out;

    @Option(names = "--corpus", paramLabel = "FILE", descriptionKey = "lossCorpus")
    Path corpusFile;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    /** The bundled held-back sentence pairs a translation model's loss is measured on by default. */
    static final String BUNDLED_TEST_PAIRS = "/assets/corpus/en-zh/test.tsv";

    @Override
    public Integer call() throws IOException {
        checkOutFree();
        if (EncoderDecoderFolder.isEncoderDecoder(modelDir)) {
            return convertTranslation();
        }
        LoadedModel model = ModelOptions.open(modelDir);
        ModelConfig config = model.config();
        try {
            GqaConversion.checkTarget(config.nHead(), config.nKvHead(), kvHeads);
        } catch (IllegalArgumentException bad) {
            throw new BadInputException("--kv-heads: " + bad.getMessage());
        }
        Corpus corpus = corpusFile == null ? Corpus.english() : Corpus.open(corpusFile);
        int[] ids = model.tokenizer().encode(corpus.text()).ids();
        GqaComparison comparison;
        try {
            comparison = GqaComparison.compute(config, model.parameters(), kvHeads, ids, TrainingSettings.defaults());
        } catch (IllegalArgumentException tooShort) {
            throw new BadInputException(corpus.name() + ": " + tooShort.getMessage());
        }
        LoadedModel converted = new LoadedModel(String.valueOf(out.getFileName()),
                comparison.converted().config(), comparison.converted().parameters(), model.tokenizer());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_converted_from_kv_heads", Integer.toString(config.nKvHead()));
        saveAtomically(converted, metadata);
        report(spec.commandLine().getOut(), comparison, corpus.name());
        return 0;
    }

    private int convertTranslation() throws IOException {
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(modelDir);
        EncoderDecoderConfig config = model.config();
        try {
            GqaConversion.checkTarget(config.shared().nHead(), config.shared().nKvHead(), kvHeads);
        } catch (IllegalArgumentException bad) {
            throw new BadInputException("--kv-heads: " + bad.getMessage());
        }
        ParallelCorpus pairs = corpusFile == null ? ParallelCorpus.readResource(BUNDLED_TEST_PAIRS)
                : ParallelCorpus.read(corpusFile);
        String pairsName = corpusFile == null ? "assets/corpus/en-zh/test.tsv" : corpusFile.toString();
        TranslationGqaComparison comparison;
        try {
            comparison = TranslationGqaComparison.compute(model, kvHeads, pairs);
        } catch (IllegalArgumentException misfit) {
            throw new BadInputException(pairsName + ": " + misfit.getMessage());
        }
        LoadedEncoderDecoder converted = new LoadedEncoderDecoder(String.valueOf(out.getFileName()),
                comparison.converted().config(), comparison.converted().parameters(), model.sourceTokenizer(),
                model.targetTokenizer(), model.lowercaseSource());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_converted_from_kv_heads", Integer.toString(config.shared().nKvHead()));
        saveAtomically(staging -> EncoderDecoderFolder.save(staging, converted, false, metadata));
        reportTranslation(spec.commandLine().getOut(), comparison, pairsName);
        return 0;
    }

    private void reportTranslation(PrintWriter output, TranslationGqaComparison comparison, String pairsName) {
        report(output, new Figures(comparison.before().shared().nKvHead(),
                comparison.converted().config().shared().nKvHead(), comparison.lossBefore(), comparison.lossAfter(),
                comparison.cacheBefore().bytesPerToken(), comparison.cacheAfter().bytesPerToken()),
                "pairs", pairsName, "convertGqa.pairs", "convertGqa.translationCache");
    }

    /** Refuses to overwrite a folder that already holds something. */
    private void checkOutFree() throws IOException {
        if (Files.exists(out) && !isEmptyFolder(out)) {
            throw new BadInputException(out + " already exists and is not an empty folder; choose a new --out");
        }
    }

    private static boolean isEmptyFolder(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /** Writes a model folder into a staging folder. */
    private interface FolderWriter {
        void write(Path staging) throws IOException;
    }

    private void saveAtomically(LoadedModel converted, Map<String, String> metadata) throws IOException {
        saveAtomically(staging -> ModelFolder.save(staging, converted, metadata));
    }

    /** Writes the whole folder beside {@code out}, then renames it into place: a folder is all there or absent. */
    private void saveAtomically(FolderWriter writer) throws IOException {
        Path target = out.toAbsolutePath();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            writer.write(staging);
            if (Files.isDirectory(target)) {
                Files.delete(target);           // empty, checked before
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(staging)) {
                try (Stream<Path> files = Files.walk(staging)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }
    }

    private void report(PrintWriter output, GqaComparison comparison, String corpusName) {
        report(output, new Figures(comparison.before().nKvHead(), comparison.converted().config().nKvHead(),
                comparison.lossBefore(), comparison.lossAfter(), comparison.cacheBefore().bytesPerToken(),
                comparison.cacheAfter().bytesPerToken()), "corpus", corpusName, "convertGqa.corpus", "convertGqa.cache");
    }

    /** The figures a conversion prints: key/value heads, loss and KV cache per token, before and after. */
    private record Figures(int headsBefore, int headsAfter, double lossBefore, double lossAfter, long cacheBefore,
                           long cacheAfter) {
    }

    /**
     * Prints {@code figures} as one JSON line, or as lines in the user's language. {@code source} ("corpus" or
     * "pairs") names what the loss was measured on, in the JSON keys and with {@code sourceMessage}.
     */
    private void report(PrintWriter output, Figures figures, String source, String sourceName, String sourceMessage,
            String cacheMessage) {
        if (json) {
            Map<String, Object> line = new LinkedHashMap<>();
            String loss = "corpus".equals(source) ? "val_loss" : "pairs_loss";
            line.put("kv_heads_before", figures.headsBefore());
            line.put("kv_heads_after", figures.headsAfter());
            line.put(loss + "_before", figures.lossBefore());
            line.put(loss + "_after", figures.lossAfter());
            line.put("kv_cache_bytes_per_token_before", figures.cacheBefore());
            line.put("kv_cache_bytes_per_token_after", figures.cacheAfter());
            line.put(source, sourceName);
            line.put("out", out.toString());
            output.println(Json.line(line));
            return;
        }
        ResourceBundle messages = spec.resourceBundle();
        output.println(format(messages, sourceMessage, sourceName));
        output.println(format(messages, "convertGqa.lossBefore", figures.headsBefore(), decimal(figures.lossBefore())));
        output.println(format(messages, "convertGqa.lossAfter", figures.headsAfter(), decimal(figures.lossAfter())));
        output.println(format(messages, cacheMessage, figures.cacheBefore(), figures.cacheAfter(),
                String.format(Locale.ROOT, "%.1f",
                        100.0 * (figures.cacheBefore() - figures.cacheAfter()) / figures.cacheBefore())));
        output.println(format(messages, "convertGqa.saved", out));
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String format(ResourceBundle messages, String key, Object... arguments) {
        MessageFormat format = new MessageFormat(messages.getString(key), Locale.ROOT);
        Object[] texts = new Object[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            texts[i] = String.valueOf(arguments[i]);
        }
        return format.format(texts);
    }
}
