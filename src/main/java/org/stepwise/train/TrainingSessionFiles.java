package org.stepwise.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFileException;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.model.io.Safetensors;

/**
 * Saves and opens a {@link TrainingSession} as a folder: a model folder of the usual format (config.json,
 * model.safetensors in float64, tokenizer files) so the session also opens as a plain model, and next to it
 * <ul>
 * <li>{@value #OPTIMIZER}: the optimizer's buffers under PyTorch-like names ({@code exp_avg.h.0.attn.c_attn.weight},
 * {@code exp_avg_sq.…}), the per-epoch strategy's gradient sum ({@code epoch_grad_sum.…}), and in the metadata the
 * optimizer kind and its update count;</li>
 * <li>{@value #CORPUS}: the corpus as token ids ({@code token_ids} [N]);</li>
 * <li>{@value #TRAINING}: settings, dataset shape, counters, the data order and its seed position;</li>
 * <li>{@value #LOSS_HISTORY}: every loss point.</li>
 * </ul>
 * Every file is written atomically, values exactly (float64, or float32 only for ids below 2^24). A missing or
 * broken file gives a {@link ModelFileException} that names it.
 */
public final class TrainingSessionFiles {

    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String CORPUS = "corpus.safetensors";
    public static final String TRAINING = "training.json";
    public static final String LOSS_HISTORY = "loss_history.json";
    /** Prefix of the per-epoch gradient sum's tensors in {@value #OPTIMIZER}. */
    public static final String EPOCH_GRADIENT_PREFIX = "epoch_grad_sum";
    /** Version of the format of {@value #TRAINING}; a newer one is refused with a clear message. */
    public static final int FORMAT_VERSION = 1;

    private static final String TOKEN_IDS = "token_ids";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int LARGEST_FLOAT_EXACT_ID = 1 << 24;

    private TrainingSessionFiles() {
    }

    /**
     * Writes {@code session} (Not modified) into {@code dir} (created if needed), every file atomically.
     */
    public static void save(Path dir, TrainingSession session) throws IOException {
        Files.createDirectories(dir);
        TrainingLoop.State state = session.state();
        Map<String, String> modelMetadata = new LinkedHashMap<>();
        modelMetadata.put("stepwise_trained_steps", Long.toString(state.iteration()));
        modelMetadata.put("stepwise_seed", Long.toString(session.settings().seed()));
        ModelFolder.save(dir, new LoadedModel(session.name(), session.config(), state.weights(), session.tokenizer()),
                modelMetadata);
        writeOptimizer(dir.resolve(OPTIMIZER), state);
        writeCorpus(dir.resolve(CORPUS), session.data().tokens());
        writeJson(dir.resolve(TRAINING), trainingJson(session));
        writeJson(dir.resolve(LOSS_HISTORY), lossHistoryJson(session.lossHistory()));
    }

    /** Opens the text model's session saved in {@code dir} ({@link SavedTraining#open} opens either kind). */
    public static TrainingSession load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        if (TranslationSessionFiles.holdsTranslation(dir)) {
            throw new ModelFileException(dir.resolve(TRAINING), "belongs to a translation model's session, not a text "
                    + "model's; open it with TranslationSessionFiles.load");
        }
        LoadedModel model = ModelFolder.load(dir);
        Path trainingFile = dir.resolve(TRAINING);
        JsonNode training = readJson(trainingFile);
        int version = intField(training, "format_version", trainingFile);
        if (version > FORMAT_VERSION) {
            throw new ModelFileException(trainingFile, "has format version " + version + "; this Stepwise reads up to "
                    + FORMAT_VERSION);
        }
        TrainingSettings settings = readSettings(field(training, "settings", trainingFile), trainingFile);
        JsonNode datasetNode = field(training, "dataset", trainingFile);
        int contextLength = intField(datasetNode, "context_length", trainingFile);
        double validationFraction = doubleField(datasetNode, "validation_fraction", trainingFile);
        int[] tokens = readCorpus(dir.resolve(CORPUS), model.config().vocabSize());
        Dataset data;
        try {
            data = new Dataset(tokens, contextLength, validationFraction);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(trainingFile, "describes a dataset that cannot be built: " + e.getMessage(), e);
        }
        Path optimizerFile = dir.resolve(OPTIMIZER);
        Parameters layout = model.parameters();
        Safetensors.Contents optimizerContents = Safetensors.read(optimizerFile);
        OptimizerState optimizer = readOptimizer(optimizerFile, optimizerContents, layout);
        Parameters epochGradientSum = readBuffer(optimizerFile, optimizerContents, EPOCH_GRADIENT_PREFIX, layout);
        long epochTokens = longMetadata(optimizerFile, optimizerContents, "epoch_tokens");
        TrainingLoop.State state = readState(field(training, "counters", trainingFile), trainingFile, model.parameters(),
                optimizer, epochGradientSum, epochTokens);
        Path historyFile = dir.resolve(LOSS_HISTORY);
        LossHistory history = readLossHistory(readJson(historyFile), historyFile);
        Path name = dir.toAbsolutePath().normalize().getFileName();
        TrainingSession session = new TrainingSession(name == null ? dir.toString() : name.toString(), model.config(),
                model.tokenizer(), data, settings, state, history);
        try {
            session.toLoop();
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(trainingFile, "does not fit the model and corpus saved with it: " + e.getMessage(), e);
        }
        return session;
    }

    // ---------------------------------------------------------------------------------------------
    // optimizer.safetensors

    static void writeOptimizer(Path file, TrainingLoop.State state) throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Parameters> buffer : state.optimizer().buffers().entrySet()) {
            addTensors(tensors, buffer.getKey(), buffer.getValue());
        }
        addTensors(tensors, EPOCH_GRADIENT_PREFIX, state.epochGradientSum());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("optimizer", state.optimizer().kind().name());
        metadata.put("step", Long.toString(state.optimizer().steps()));
        metadata.put("epoch_tokens", Long.toString(state.epochTokens()));
        Safetensors.write(file, tensors, Safetensors.DType.F64, metadata);
    }

    private static void addTensors(Map<String, Safetensors.Tensor> tensors, String prefix, Parameters buffer) {
        for (String name : buffer.names()) {
            double[] values = Arrays.copyOf(buffer.get(name).data, buffer.get(name).getNumElements());
            tensors.put(prefix + "." + name, new Safetensors.Tensor(buffer.shape(name), values));
        }
    }

    static OptimizerState readOptimizer(Path file, Safetensors.Contents contents, Parameters layout)
            throws ModelFileException {
        String kindName = metadata(file, contents, "optimizer");
        Optimizer.Kind kind;
        try {
            kind = Optimizer.Kind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "names an unknown optimizer \"" + kindName + "\" (known: "
                    + Arrays.toString(Optimizer.Kind.values()) + ")");
        }
        long steps = longMetadata(file, contents, "step");
        Map<String, Parameters> buffers = new LinkedHashMap<>();
        if (kind == Optimizer.Kind.ADAMW) {
            buffers.put(AdamW.FIRST_MOMENT, readBuffer(file, contents, AdamW.FIRST_MOMENT, layout));
            buffers.put(AdamW.SECOND_MOMENT, readBuffer(file, contents, AdamW.SECOND_MOMENT, layout));
        }
        try {
            return new OptimizerState(kind, steps, buffers);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }

    static Parameters readBuffer(Path file, Safetensors.Contents contents, String prefix, Parameters layout)
            throws ModelFileException {
        Parameters buffer = layout.zerosLike();
        for (String name : buffer.names()) {
            String tensorName = prefix + "." + name;
            Safetensors.Tensor tensor = contents.tensors().get(tensorName);
            if (tensor == null) {
                throw new ModelFileException(file, "lacks the tensor " + tensorName);
            }
            if (!Arrays.equals(tensor.shape(), buffer.shape(name))) {
                throw new ModelFileException(file, "tensor " + tensorName + " has shape " + Arrays.toString(tensor.shape())
                        + " but the weight has " + Arrays.toString(buffer.shape(name)));
            }
            System.arraycopy(tensor.values(), 0, buffer.get(name).data, 0, tensor.values().length);
        }
        return buffer;
    }

    private static String metadata(Path file, Safetensors.Contents contents, String key) throws ModelFileException {
        String value = contents.metadata() == null ? null : contents.metadata().get(key);
        if (value == null) {
            throw new ModelFileException(file, "lacks \"" + key + "\" in its metadata");
        }
        return value;
    }

    static long longMetadata(Path file, Safetensors.Contents contents, String key) throws ModelFileException {
        String value = metadata(file, contents, key);
        try {
            long number = Long.parseLong(value);
            if (number < 0) {
                throw new NumberFormatException("negative");
            }
            return number;
        } catch (NumberFormatException e) {
            throw new ModelFileException(file, "metadata \"" + key + "\" must be a count ≥ 0, not \"" + value + "\"");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // corpus.safetensors

    private static void writeCorpus(Path file, int[] tokens) throws IOException {
        double[] values = new double[tokens.length];
        int largest = 0;
        for (int i = 0; i < tokens.length; i++) {
            values[i] = tokens[i];
            largest = Math.max(largest, tokens[i]);
        }
        Safetensors.DType dtype = largest < LARGEST_FLOAT_EXACT_ID ? Safetensors.DType.F32 : Safetensors.DType.F64;
        Safetensors.write(file, Map.of(TOKEN_IDS, new Safetensors.Tensor(new int[] {tokens.length}, values)), dtype,
                Map.of("format", "stepwise-corpus"));
    }

    private static int[] readCorpus(Path file, int vocabSize) throws IOException {
        Safetensors.Tensor tensor = Safetensors.read(file).tensors().get(TOKEN_IDS);
        if (tensor == null) {
            throw new ModelFileException(file, "lacks the tensor " + TOKEN_IDS);
        }
        if (tensor.shape().length != 1) {
            throw new ModelFileException(file, TOKEN_IDS + " must be one-dimensional, not " + Arrays.toString(tensor.shape()));
        }
        double[] values = tensor.values();
        int[] tokens = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] < vocabSize) || values[i] != Math.rint(values[i])) {
                throw new ModelFileException(file, TOKEN_IDS + "[" + i + "] is " + values[i]
                        + ", not a token id of the vocabulary of " + vocabSize);
            }
            tokens[i] = (int) values[i];
        }
        return tokens;
    }

    // ---------------------------------------------------------------------------------------------
    // training.json

    private static ObjectNode trainingJson(TrainingSession session) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        putSettings(root, session.settings());
        ObjectNode dataset = root.putObject("dataset");
        dataset.put("context_length", session.data().contextLength());
        dataset.put("validation_fraction", session.data().validationFraction());
        dataset.put("token_count", session.data().tokenCount());
        putCounters(root, session.state());
        return root;
    }

    /** Puts {@code settings} (Not modified) into {@code root} (Modified.) as its "settings" object. */
    static void putSettings(ObjectNode root, TrainingSettings settings) {
        ObjectNode settingsNode = root.putObject("settings");
        settingsNode.put("batch_size", settings.batchSize());
        settingsNode.put("learning_rate", settings.learningRate());
        settingsNode.put("optimizer", settings.optimizer().name());
        settingsNode.put("weight_decay", settings.weightDecay());
        ObjectNode schedule = settingsNode.putObject("schedule");
        schedule.put("kind", settings.schedule().kind().name());
        schedule.put("warmup_steps", settings.schedule().warmupSteps());
        schedule.put("total_steps", settings.schedule().totalSteps());
        schedule.put("min_fraction", settings.schedule().minFraction());
        settingsNode.put("gradient_clip", settings.gradientClip());
        settingsNode.put("strategy", settings.strategy().name());
        settingsNode.put("seed", settings.seed());
        settingsNode.put("validation_fraction", settings.validationFraction());
        settingsNode.put("validation_every", settings.validationEvery());
        settingsNode.put("validation_batches", settings.validationBatches());
    }

    /** Puts the counters and the data order of {@code state} (Not modified) into {@code root} (Modified.). */
    static void putCounters(ObjectNode root, TrainingLoop.State state) {
        ObjectNode counters = root.putObject("counters");
        counters.put("iteration", state.iteration());
        counters.put("epoch", state.epoch());
        counters.put("batch_in_epoch", state.batchInEpoch());
        counters.put("samples_in_epoch", state.samplesInEpoch());
        counters.put("samples_seen", state.samplesSeen());
        counters.put("updates", state.updates());
        putNumber(counters, "last_loss", state.lastLoss());
        putNumber(counters, "last_learning_rate", state.lastRate());
        putNumber(counters, "last_gradient_norm", state.lastGradientNorm());
        putNumber(counters, "validation_loss", state.validationLoss());
        counters.put("validation_iteration", state.validationIteration());
        counters.put("shuffles", state.shuffles());
        ArrayNode order = counters.putArray("order");
        for (int index : state.order()) {
            order.add(index);
        }
    }

    static TrainingSettings readSettings(JsonNode node, Path file) throws ModelFileException {
        JsonNode schedule = field(node, "schedule", file);
        try {
            return new TrainingSettings(intField(node, "batch_size", file), doubleField(node, "learning_rate", file),
                    enumField(node, "optimizer", Optimizer.Kind.class, file), doubleField(node, "weight_decay", file),
                    new LearningRateSchedule(enumField(schedule, "kind", LearningRateSchedule.Kind.class, file),
                            intField(schedule, "warmup_steps", file), intField(schedule, "total_steps", file),
                            doubleField(schedule, "min_fraction", file)),
                    doubleField(node, "gradient_clip", file), enumField(node, "strategy", UpdateStrategy.class, file),
                    longField(node, "seed", file), doubleField(node, "validation_fraction", file),
                    intField(node, "validation_every", file), intField(node, "validation_batches", file));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "holds settings that cannot be used: " + e.getMessage(), e);
        }
    }

    static TrainingLoop.State readState(JsonNode counters, Path file, Parameters weights,
            OptimizerState optimizer, Parameters epochGradientSum, long epochTokens) throws ModelFileException {
        JsonNode orderNode = field(counters, "order", file);
        if (!orderNode.isArray()) {
            throw new ModelFileException(file, "\"order\" must be an array of sample indices");
        }
        int[] order = new int[orderNode.size()];
        for (int i = 0; i < order.length; i++) {
            JsonNode element = orderNode.get(i);
            if (!element.canConvertToInt() || !element.isIntegralNumber()) {
                throw new ModelFileException(file, "\"order\"[" + i + "] is " + element + ", not a sample index");
            }
            order[i] = element.intValue();
        }
        return new TrainingLoop.State(weights, optimizer, epochGradientSum, epochTokens,
                longField(counters, "iteration", file), intField(counters, "epoch", file),
                intField(counters, "batch_in_epoch", file), intField(counters, "samples_in_epoch", file),
                longField(counters, "samples_seen", file), longField(counters, "updates", file),
                intField(counters, "shuffles", file), order, numberOrNaN(counters, "last_loss", file),
                numberOrNaN(counters, "last_learning_rate", file), numberOrNaN(counters, "last_gradient_norm", file),
                numberOrNaN(counters, "validation_loss", file), longField(counters, "validation_iteration", file));
    }

    // ---------------------------------------------------------------------------------------------
    // loss_history.json

    static ObjectNode lossHistoryJson(LossHistory history) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode train = root.putObject("train");
        ArrayNode trainIterations = train.putArray("iteration");
        ArrayNode trainLosses = train.putArray("loss");
        for (int i = 0; i < history.trainCount(); i++) {
            trainIterations.add(history.trainIterations()[i]);
            trainLosses.add(history.trainLosses()[i]);
        }
        ObjectNode validation = root.putObject("validation");
        ArrayNode validationIterations = validation.putArray("iteration");
        ArrayNode validationLosses = validation.putArray("loss");
        for (int i = 0; i < history.validationCount(); i++) {
            validationIterations.add(history.validationIterations()[i]);
            validationLosses.add(history.validationLosses()[i]);
        }
        return root;
    }

    static LossHistory readLossHistory(JsonNode root, Path file) throws ModelFileException {
        JsonNode train = field(root, "train", file);
        JsonNode validation = field(root, "validation", file);
        try {
            return new LossHistory(longs(field(train, "iteration", file), "train.iteration", file),
                    doubles(field(train, "loss", file), "train.loss", file),
                    longs(field(validation, "iteration", file), "validation.iteration", file),
                    doubles(field(validation, "loss", file), "validation.loss", file));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, e.getMessage(), e);
        }
    }

    private static long[] longs(JsonNode array, String name, Path file) throws ModelFileException {
        if (!array.isArray()) {
            throw new ModelFileException(file, "\"" + name + "\" must be an array");
        }
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).isIntegralNumber()) {
                throw new ModelFileException(file, "\"" + name + "\"[" + i + "] is " + array.get(i) + ", not an iteration");
            }
            values[i] = array.get(i).longValue();
        }
        return values;
    }

    private static double[] doubles(JsonNode array, String name, Path file) throws ModelFileException {
        if (!array.isArray()) {
            throw new ModelFileException(file, "\"" + name + "\" must be an array");
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            if (!array.get(i).isNumber()) {
                throw new ModelFileException(file, "\"" + name + "\"[" + i + "] is " + array.get(i) + ", not a loss");
            }
            values[i] = array.get(i).doubleValue();
        }
        return values;
    }

    // ---------------------------------------------------------------------------------------------
    // JSON helpers

    static void writeJson(Path file, JsonNode root) throws IOException {
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeBytes(file, bytes);
    }

    static JsonNode readJson(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "is missing");
        }
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new ModelFileException(file, "must hold one JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, "is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A NaN (no value yet) is written as null, since JSON has no NaN. */
    private static void putNumber(ObjectNode node, String name, double value) {
        if (Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    static JsonNode field(JsonNode node, String name, Path file) throws ModelFileException {
        JsonNode value = node.get(name);
        if (value == null) {
            throw new ModelFileException(file, "lacks \"" + name + "\"");
        }
        return value;
    }

    static int intField(JsonNode node, String name, Path file) throws ModelFileException {
        JsonNode value = field(node, name, file);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new ModelFileException(file, "\"" + name + "\" must be a whole number, not " + value);
        }
        return value.intValue();
    }

    private static long longField(JsonNode node, String name, Path file) throws ModelFileException {
        JsonNode value = field(node, name, file);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new ModelFileException(file, "\"" + name + "\" must be a whole number, not " + value);
        }
        return value.longValue();
    }

    private static double doubleField(JsonNode node, String name, Path file) throws ModelFileException {
        JsonNode value = field(node, name, file);
        if (!value.isNumber()) {
            throw new ModelFileException(file, "\"" + name + "\" must be a number, not " + value);
        }
        return value.doubleValue();
    }

    private static double numberOrNaN(JsonNode node, String name, Path file) throws ModelFileException {
        JsonNode value = field(node, name, file);
        return value.isNull() ? Double.NaN : doubleField(node, name, file);
    }

    private static <E extends Enum<E>> E enumField(JsonNode node, String name, Class<E> type, Path file)
            throws ModelFileException {
        JsonNode value = field(node, name, file);
        try {
            return Enum.valueOf(type, value.asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, "\"" + name + "\" is " + value + "; known: "
                    + Arrays.toString(type.getEnumConstants()));
        }
    }
}
