package org.stepwise.model.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.stepwise.files.AtomicFiles;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/**
 * A folder holding an encoder-decoder (translation) model: {@code config.json}, {@code model.safetensors}, and the
 * two tokenizers in the subfolders {@code source_tokenizer/} and {@code target_tokenizer/} (each in the files of
 * {@link TokenizerFiles}).
 *
 * <p>config.json holds every key {@link HfConfig} writes for the choices both halves share ({@code vocab_size} is
 * the target vocabulary, {@code n_layer} the number of decoder blocks), plus:
 * <ul>
 *   <li>{@code "stepwise_architecture": "encoder-decoder"} (required; it is what tells this folder from a
 *       decoder-only one, which {@link ModelFolder} opens);</li>
 *   <li>{@code "is_encoder_decoder": true} (Hugging Face's key; written, not required);</li>
 *   <li>{@code "stepwise_n_encoder_layer"}: integer, the number of encoder blocks (required);</li>
 *   <li>{@code "stepwise_source_vocab_size"}: integer, the number of source token ids (required);</li>
 *   <li>{@code "decoder_start_token_id"} and {@code "eos_token_id"}: integers, the id that starts the decoder's input
 *       and the id that ends a translation; both are the target tokenizer's {@code <eos>} (optional; when present
 *       they must be that id);</li>
 *   <li>{@code "stepwise_lowercase_source"}: boolean, source sentences are lowercased before tokenizing, because the
 *       model was trained on lowercase ones (optional; default false).</li>
 * </ul>
 * The weights are named as {@link ParameterLayout#of(EncoderDecoderConfig)} lists them ({@code encoder.wte.weight},
 * {@code encoder.h.0.attn.c_attn.weight}, ..., {@code h.0.crossattention.q_attn.weight}, ...). Every file is
 * written atomically; a broken or missing file gives an {@link IOException} (a {@link ModelFileException} for the
 * config and the weights) that names it.
 */
public final class EncoderDecoderFolder {
    public static final String SOURCE_TOKENIZER = "source_tokenizer";
    public static final String TARGET_TOKENIZER = "target_tokenizer";
    public static final String ARCHITECTURE_KEY = "stepwise_architecture";
    public static final String ARCHITECTURE = "encoder-decoder";
    public static final String ENCODER_LAYERS_KEY = "stepwise_n_encoder_layer";
    public static final String SOURCE_VOCAB_KEY = "stepwise_source_vocab_size";
    public static final String START_KEY = "decoder_start_token_id";
    public static final String EOS_KEY = "eos_token_id";
    public static final String LOWERCASE_KEY = "stepwise_lowercase_source";
    /** The files and subfolders a folder of this kind holds. */
    public static final List<String> FILE_NAMES = List.of(ModelFolder.CONFIG, ModelFolder.WEIGHTS, SOURCE_TOKENIZER,
            TARGET_TOKENIZER);

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private EncoderDecoderFolder() {
    }

    /**
     * True when {@code dir} has a config.json that names the encoder-decoder architecture; false for a decoder-only
     * folder, a folder without config.json or one whose config.json is not a JSON object.
     */
    public static boolean isEncoderDecoder(Path dir) {
        Path file = dir.resolve(ModelFolder.CONFIG);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            return root != null && root.isObject() && ARCHITECTURE.equals(root.path(ARCHITECTURE_KEY).asText(null));
        } catch (IOException unreadable) {
            return false;
        }
    }

    /** Opens the model in {@code dir}: config, both tokenizers and weights. */
    public static LoadedEncoderDecoder load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": no such folder");
        }
        Path configFile = dir.resolve(ModelFolder.CONFIG);
        if (!Files.isRegularFile(configFile)) {
            throw new ModelFileException(configFile, "the file is missing; an encoder-decoder model folder needs its"
                    + " config.json (with \"" + ARCHITECTURE_KEY + "\": \"" + ARCHITECTURE + "\")");
        }
        Path weights = dir.resolve(ModelFolder.WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new ModelFileException(weights, "the file is missing; a model folder needs its weights in "
                    + ModelFolder.WEIGHTS);
        }
        byte[] json = Files.readAllBytes(configFile);
        EncoderDecoderConfig config = parse(json, configFile);
        Tokenizer source = tokenizer(dir, SOURCE_TOKENIZER);
        Tokenizer target = tokenizer(dir, TARGET_TOKENIZER);
        if (source.vocabSize() != config.sourceVocabSize()) {
            throw new IOException(dir.resolve(SOURCE_TOKENIZER) + ": the source tokenizer has " + source.vocabSize()
                    + " tokens but config.json says " + SOURCE_VOCAB_KEY + " " + config.sourceVocabSize());
        }
        if (target.vocabSize() != config.targetVocabSize()) {
            throw new IOException(dir.resolve(TARGET_TOKENIZER) + ": the target tokenizer has " + target.vocabSize()
                    + " tokens but config.json says vocab_size " + config.targetVocabSize());
        }
        JsonNode root = JSON.readTree(json);
        for (String key : new String[] {START_KEY, EOS_KEY}) {
            JsonNode id = root.get(key);
            if (id != null && !id.isNull() && !(id.canConvertToInt() && id.intValue() == target.specials().eos())) {
                throw new ModelFileException(configFile, "\"" + key + "\" is " + id + " but the target tokenizer's <eos>"
                        + " (which starts and ends every target sentence) has id " + target.specials().eos());
            }
        }
        JsonNode lowercase = root.get(LOWERCASE_KEY);
        if (lowercase != null && !lowercase.isNull() && !lowercase.isBoolean()) {
            throw new ModelFileException(configFile, "\"" + LOWERCASE_KEY + "\" must be true or false, got " + lowercase);
        }
        Parameters parameters = ModelWeights.load(weights, ParameterLayout.of(config));
        Path name = dir.toAbsolutePath().normalize().getFileName();
        try {
            return new LoadedEncoderDecoder(name == null ? dir.toString() : name.toString(), config, parameters, source,
                    target, lowercase != null && lowercase.booleanValue());
        } catch (IllegalArgumentException problem) {
            throw new IOException(dir + ": " + problem.getMessage(), problem);
        }
    }

    /**
     * Saves {@code model} (Not modified) into {@code dir} (created if needed), every file atomically, weights in
     * float64 (or float32 when {@code float64} is false, half the size) under the names of the encoder-decoder
     * {@link ParameterLayout}.
     */
    public static void save(Path dir, LoadedEncoderDecoder model, boolean float64, Map<String, String> metadata)
            throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.writeBytes(dir.resolve(ModelFolder.CONFIG), toJson(model).getBytes(StandardCharsets.UTF_8));
        TokenizerFiles.save(model.sourceTokenizer(), dir.resolve(SOURCE_TOKENIZER));
        TokenizerFiles.save(model.targetTokenizer(), dir.resolve(TARGET_TOKENIZER));
        ModelWeights.save(dir.resolve(ModelFolder.WEIGHTS), model.parameters(), float64, metadata);
    }

    /** The config.json text of {@code model}: the architecture keys, then HfConfig's keys, then the encoder's. */
    public static String toJson(LoadedEncoderDecoder model) throws IOException {
        EncoderDecoderConfig config = model.config();
        ObjectNode root = JSON.createObjectNode();
        root.put(ARCHITECTURE_KEY, ARCHITECTURE);
        root.put("is_encoder_decoder", true);
        JsonNode shared = JSON.readTree(HfConfig.toJson(config.shared()));
        for (Iterator<Map.Entry<String, JsonNode>> it = shared.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            root.set(entry.getKey(), entry.getValue());
        }
        root.put(ENCODER_LAYERS_KEY, config.nEncoderLayer());
        root.put(SOURCE_VOCAB_KEY, config.sourceVocabSize());
        root.put(START_KEY, model.startId());
        root.put(EOS_KEY, model.endId());
        root.put(LOWERCASE_KEY, model.lowercaseSource());
        return JSON.writer(new DefaultPrettyPrinter()).writeValueAsString(root) + "\n";
    }

    /** Reads config.json bytes; {@code file} only names the file in messages. */
    public static EncoderDecoderConfig parse(byte[] json, Path file) throws ModelFileException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException problem) {
            throw new ModelFileException(file, "not valid JSON: " + problem.getOriginalMessage(), problem);
        } catch (IOException problem) {
            throw new ModelFileException(file, "cannot be read: " + problem.getMessage(), problem);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(file, "expected a JSON object");
        }
        JsonNode architecture = root.get(ARCHITECTURE_KEY);
        if (architecture == null || !ARCHITECTURE.equals(architecture.asText(null))) {
            throw new ModelFileException(file, "\"" + ARCHITECTURE_KEY + "\" is " + (architecture == null ? "missing"
                    : architecture.toString()) + ", so this is not an encoder-decoder model (a decoder-only model"
                    + " opens with ModelFolder)");
        }
        int encoderLayers = requiredInt(root, ENCODER_LAYERS_KEY, file);
        int sourceVocab = requiredInt(root, SOURCE_VOCAB_KEY, file);
        ModelConfig shared = HfConfig.parse(new String(json, StandardCharsets.UTF_8), file);
        try {
            return new EncoderDecoderConfig(shared, sourceVocab, encoderLayers);
        } catch (IllegalArgumentException problem) {
            throw new ModelFileException(file, problem.getMessage()
                    .replace("sourceVocabSize", SOURCE_VOCAB_KEY).replace("nEncoderLayer", ENCODER_LAYERS_KEY)
                    .replace("nExperts", "stepwise_n_experts"), problem);
        }
    }

    private static int requiredInt(JsonNode root, String key, Path file) throws ModelFileException {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            throw new ModelFileException(file, "missing key \"" + key + "\"");
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new ModelFileException(file, "\"" + key + "\" must be an integer, got " + value);
        }
        return value.intValue();
    }

    private static Tokenizer tokenizer(Path dir, String subfolder) throws IOException {
        Path folder = dir.resolve(subfolder);
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": the folder is missing; an encoder-decoder model folder holds its source"
                    + " and target tokenizers in " + SOURCE_TOKENIZER + "/ and " + TARGET_TOKENIZER + "/");
        }
        return TokenizerFiles.load(folder);
    }
}
