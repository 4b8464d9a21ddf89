package org.stepwise.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.ModelFileException;
import org.stepwise.model.io.Safetensors;

/**
 * Saves and opens a {@link TranslationSession} as a folder: an encoder-decoder model folder of the usual format
 * (config.json, model.safetensors in float64, source_tokenizer/, target_tokenizer/) so the session also opens as a
 * plain translation model, and next to it
 * <ul>
 * <li>{@value TrainingSessionFiles#OPTIMIZER}: the optimizer's buffers and the per-epoch gradient sum, as for a text
 * model's session;</li>
 * <li>{@value #TRAIN_PAIRS} and {@value #TEST_PAIRS}: the pairs trained on and the held-back pairs, one
 * {@code source<TAB>target} per line, as {@link ParallelCorpus} reads them;</li>
 * <li>{@value TrainingSessionFiles#TRAINING}: {@code "kind": "translation"}, the settings, the pair counts, the
 * counters and the order of the pairs;</li>
 * <li>{@value TrainingSessionFiles#LOSS_HISTORY}: every loss point.</li>
 * </ul>
 * Every file is written atomically. A missing or broken file gives a {@link ModelFileException} that names it.
 */
public final class TranslationSessionFiles {

    public static final String TRAIN_PAIRS = "train_pairs.tsv";
    public static final String TEST_PAIRS = "test_pairs.tsv";
    /** The value of "kind" in training.json for a translation session. */
    public static final String KIND = "translation";
    /** Version of the format of training.json for a translation session. */
    public static final int FORMAT_VERSION = 1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private TranslationSessionFiles() {
    }

    /** True when {@code dir} holds an encoder-decoder model with a training.json beside it. */
    public static boolean holdsTranslation(Path dir) {
        return Files.isRegularFile(dir.resolve(TrainingSessionFiles.TRAINING)) && EncoderDecoderFolder.isEncoderDecoder(dir);
    }

    /**
     * Writes {@code session} (Not modified) into {@code dir} (created if needed), every file atomically.
     *
     * @throws IllegalArgumentException when a sentence holds a tab or a line break (it could not be read back)
     */
    public static void save(Path dir, TranslationSession session) throws IOException {
        byte[] trainPairs = pairsText(session.train());
        byte[] testPairs = pairsText(session.test());
        Files.createDirectories(dir);
        TrainingLoop.State state = session.state();
        Map<String, String> modelMetadata = new LinkedHashMap<>();
        modelMetadata.put("stepwise_trained_steps", Long.toString(state.iteration()));
        modelMetadata.put("stepwise_seed", Long.toString(session.settings().seed()));
        EncoderDecoderFolder.save(dir, session.model().withName(session.name()), true, modelMetadata);
        TrainingSessionFiles.writeOptimizer(dir.resolve(TrainingSessionFiles.OPTIMIZER), state);
        AtomicFiles.writeBytes(dir.resolve(TRAIN_PAIRS), trainPairs);
        AtomicFiles.writeBytes(dir.resolve(TEST_PAIRS), testPairs);
        ObjectNode training = JSON.createObjectNode();
        training.put("format_version", FORMAT_VERSION);
        training.put("kind", KIND);
        TrainingSessionFiles.putSettings(training, session.settings());
        ObjectNode pairs = training.putObject("pairs");
        pairs.put("train", session.train().size());
        pairs.put("test", session.test().size());
        TrainingSessionFiles.putCounters(training, state);
        TrainingSessionFiles.writeJson(dir.resolve(TrainingSessionFiles.TRAINING), training);
        TrainingSessionFiles.writeJson(dir.resolve(TrainingSessionFiles.LOSS_HISTORY),
                TrainingSessionFiles.lossHistoryJson(session.lossHistory()));
    }

    /** Opens the translation session saved in {@code dir}, named after the folder. */
    public static TranslationSession load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(dir);
        Path trainingFile = dir.resolve(TrainingSessionFiles.TRAINING);
        JsonNode training = TrainingSessionFiles.readJson(trainingFile);
        int version = TrainingSessionFiles.intField(training, "format_version", trainingFile);
        if (version > FORMAT_VERSION) {
            throw new ModelFileException(trainingFile, "has format version " + version + "; this Stepwise reads up to "
                    + FORMAT_VERSION);
        }
        String kind = training.path("kind").asText("");
        if (!KIND.equals(kind)) {
            throw new ModelFileException(trainingFile, "has \"kind\": \"" + kind + "\" but the folder holds a "
                    + "translation model, whose session says \"" + KIND + "\"");
        }
        TrainingSettings settings = TrainingSessionFiles.readSettings(
                TrainingSessionFiles.field(training, "settings", trainingFile), trainingFile);
        JsonNode counts = TrainingSessionFiles.field(training, "pairs", trainingFile);
        ParallelCorpus train = readPairs(dir.resolve(TRAIN_PAIRS),
                TrainingSessionFiles.intField(counts, "train", trainingFile));
        ParallelCorpus test = readPairs(dir.resolve(TEST_PAIRS),
                TrainingSessionFiles.intField(counts, "test", trainingFile));
        Path optimizerFile = dir.resolve(TrainingSessionFiles.OPTIMIZER);
        Parameters layout = model.parameters();
        Safetensors.Contents optimizerContents = Safetensors.read(optimizerFile);
        OptimizerState optimizer = TrainingSessionFiles.readOptimizer(optimizerFile, optimizerContents, layout);
        Parameters epochGradientSum = TrainingSessionFiles.readBuffer(optimizerFile, optimizerContents,
                TrainingSessionFiles.EPOCH_GRADIENT_PREFIX, layout);
        long epochTokens = TrainingSessionFiles.longMetadata(optimizerFile, optimizerContents, "epoch_tokens");
        TrainingLoop.State state = TrainingSessionFiles.readState(
                TrainingSessionFiles.field(training, "counters", trainingFile), trainingFile, model.parameters(),
                optimizer, epochGradientSum, epochTokens);
        Path historyFile = dir.resolve(TrainingSessionFiles.LOSS_HISTORY);
        LossHistory history = TrainingSessionFiles.readLossHistory(TrainingSessionFiles.readJson(historyFile),
                historyFile);
        TranslationSession session = new TranslationSession(model.name(), model, train, test, settings, state, history);
        try {
            session.toLoop();
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(trainingFile, "does not fit the model and pairs saved with it: "
                    + e.getMessage(), e);
        }
        return session;
    }

    private static byte[] pairsText(ParallelCorpus corpus) {
        StringBuilder text = new StringBuilder();
        for (ParallelCorpus.Pair pair : corpus.pairs()) {
            for (String side : new String[] {pair.source(), pair.target()}) {
                if (side.indexOf('\t') >= 0 || side.indexOf('\n') >= 0 || side.indexOf('\r') >= 0
                        || !side.equals(side.strip())) {
                    throw new IllegalArgumentException("the sentence \"" + side + "\" holds a tab, a line break or "
                            + "surrounding spaces, so it cannot be kept in a .tsv file of pairs");
                }
            }
            text.append(pair.source()).append('\t').append(pair.target()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ParallelCorpus readPairs(Path file, int expected) throws IOException {
        ParallelCorpus pairs;
        try {
            pairs = ParallelCorpus.read(file);
        } catch (NoSuchFileException missing) {
            throw new ModelFileException(file, "is missing");
        } catch (IOException broken) {
            if (!Files.exists(file)) {
                throw new ModelFileException(file, "is missing");
            }
            throw broken;
        }
        if (pairs.size() != expected) {
            throw new ModelFileException(file, "holds " + pairs.size() + " pairs but training.json says " + expected);
        }
        return pairs;
    }
}
