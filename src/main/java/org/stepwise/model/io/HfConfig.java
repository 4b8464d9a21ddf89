package org.stepwise.model.io;

import org.stepwise.files.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.stepwise.model.ModelConfig;

/**
 * Reads and writes a model folder's {@code config.json}: a {@link ModelConfig} in Hugging Face GPT-2 keys, plus
 * keys of our own, prefixed {@code stepwise_}, for the choices GPT-2 does not have.
 *
 * <p>A plain GPT-2 {@code config.json} loads as it is: keys not listed below ({@code n_ctx}, {@code bos_token_id},
 * {@code architectures}, {@code resid_pdrop}, ...) are ignored, and a missing optional key takes its default, which
 * is GPT-2's choice. A key that is present must have the right JSON type; JSON {@code null} counts as missing. Any
 * problem is a {@link ModelFileException} naming the file and the key, e.g.
 * {@code "config.json: n_embd (10) must be divisible by n_head (4)"}.
 *
 * <table class="striped">
 * <caption>Keys of config.json</caption>
 * <thead>
 * <tr><th>Key</th><th>JSON type</th><th>When missing</th><th>Meaning ({@link ModelConfig} component)</th></tr>
 * </thead>
 * <tbody>
 * <tr><td>{@code model_type}</td><td>string</td><td>"gpt2"</td><td>must be "gpt2" (written as "gpt2")</td></tr>
 * <tr><td>{@code vocab_size}</td><td>integer</td><td>required</td><td>V, number of token ids ({@code vocabSize})</td></tr>
 * <tr><td>{@code n_positions}</td><td>integer</td><td>required</td><td>longest sequence ({@code contextLength})</td></tr>
 * <tr><td>{@code n_embd}</td><td>integer</td><td>required</td><td>C, width of the residual stream ({@code dModel})</td></tr>
 * <tr><td>{@code n_layer}</td><td>integer</td><td>required</td><td>L, transformer blocks ({@code nLayer})</td></tr>
 * <tr><td>{@code n_head}</td><td>integer</td><td>required</td><td>H, query heads ({@code nHead})</td></tr>
 * <tr><td>{@code n_inner}</td><td>integer or null</td><td>4 · n_embd</td><td>F, feed-forward width ({@code dFf})</td></tr>
 * <tr><td>{@code activation_function}</td><td>string</td><td>"gelu_new"</td><td>"relu", "gelu_new" (tanh
 *     approximation; "gelu_pytorch_tanh" and "gelu_fast" are read as it) or "gelu" (exact, with erf)
 *     ({@code activation})</td></tr>
 * <tr><td>{@code layer_norm_epsilon}</td><td>number</td><td>1e-5</td><td>ε inside LayerNorm ({@code layerNormEps})</td></tr>
 * <tr><td>{@code tie_word_embeddings}</td><td>boolean</td><td>true</td><td>output layer reuses the token embedding
 *     ({@code tiedOutput})</td></tr>
 * <tr><td>{@code scale_attn_weights}</td><td>boolean</td><td>true</td><td>read only: must be true (scores are
 *     divided by √D)</td></tr>
 * <tr><td>{@code scale_attn_by_inverse_layer_idx}</td><td>boolean</td><td>false</td><td>read only: must be
 *     false</td></tr>
 * <tr><td>{@code add_cross_attention}</td><td>boolean</td><td>false</td><td>read only: must be false (decoder
 *     only)</td></tr>
 * <tr><td>{@code stepwise_n_kv_head}</td><td>integer</td><td>n_head</td><td>G, key/value heads: n_head = multi-head,
 *     1 = multi-query, in between = grouped-query ({@code nKvHead})</td></tr>
 * <tr><td>{@code stepwise_positional}</td><td>string</td><td>"learned"</td><td>"learned", "sinusoidal", "rope" or
 *     "none" ({@code positional})</td></tr>
 * <tr><td>{@code stepwise_norm}</td><td>string</td><td>"pre_ln"</td><td>"pre_ln" (GPT-2) or "post_ln" (the original
 *     transformer) ({@code norm})</td></tr>
 * <tr><td>{@code stepwise_bias}</td><td>boolean</td><td>true</td><td>linear layers have biases ({@code bias})</td></tr>
 * <tr><td>{@code stepwise_n_experts}</td><td>integer</td><td>0</td><td>E: 0 = one dense feed-forward network, else
 *     a mixture of E experts ({@code nExperts})</td></tr>
 * <tr><td>{@code stepwise_top_k}</td><td>integer</td><td>0; required when stepwise_n_experts &gt; 0</td><td>experts
 *     each token is routed to ({@code topK})</td></tr>
 * <tr><td>{@code stepwise_rope_theta}</td><td>number</td><td>10000.0</td><td>base of RoPE's rotation frequencies
 *     ({@code ropeTheta})</td></tr>
 * </tbody>
 * </table>
 *
 * <p>{@link #write} writes every key of the table except the three read-only ones, so a file written here reads
 * back to an equal {@link ModelConfig}.
 */
public final class HfConfig {

    /** The usual name of the file in a model folder. */
    public static final String FILE_NAME = "config.json";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** ModelConfig component names, as they appear in its messages, and the config.json keys they come from. */
    private static final Map<String, String> KEY_OF_COMPONENT = Map.ofEntries(
            Map.entry("vocabSize", "vocab_size"),
            Map.entry("contextLength", "n_positions"),
            Map.entry("nLayer", "n_layer"),
            Map.entry("nHead", "n_head"),
            Map.entry("nKvHead", "stepwise_n_kv_head"),
            Map.entry("dModel", "n_embd"),
            Map.entry("dFf", "n_inner"),
            Map.entry("nExperts", "stepwise_n_experts"),
            Map.entry("topK", "stepwise_top_k"),
            Map.entry("layerNormEps", "layer_norm_epsilon"),
            Map.entry("ropeTheta", "stepwise_rope_theta"));
    private static final Pattern COMPONENT_NAME = Pattern.compile("\\b(" + String.join("|", KEY_OF_COMPONENT.keySet()) + ")\\b");

    private HfConfig() {
    }

    /** Reads {@code file} (a config.json). */
    public static ModelConfig read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file);
    }

    /**
     * Reads config.json text already in memory; {@code source} (Not modified) only names the file in messages.
     */
    public static ModelConfig parse(String json, Path source) throws ModelFileException {
        return parse(json.getBytes(StandardCharsets.UTF_8), source);
    }

    /** Writes {@code config} to {@code file} (Modified, atomically). */
    public static void write(Path file, ModelConfig config) throws IOException {
        byte[] bytes = toJson(config).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeBytes(file, bytes);
    }

    /** The config.json text for {@code config}: indented, keys in the order of the table above, ending in a newline. */
    public static String toJson(ModelConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.put("model_type", "gpt2");
        root.put("vocab_size", config.vocabSize());
        root.put("n_positions", config.contextLength());
        root.put("n_embd", config.dModel());
        root.put("n_layer", config.nLayer());
        root.put("n_head", config.nHead());
        root.put("n_inner", config.dFf());
        root.put("activation_function", config.activation().hfName());
        root.put("layer_norm_epsilon", config.layerNormEps());
        root.put("tie_word_embeddings", config.tiedOutput());
        root.put("stepwise_n_kv_head", config.nKvHead());
        root.put("stepwise_positional", jsonName(config.positional()));
        root.put("stepwise_norm", jsonName(config.norm()));
        root.put("stepwise_bias", config.bias());
        root.put("stepwise_n_experts", config.nExperts());
        root.put("stepwise_top_k", config.topK());
        root.put("stepwise_rope_theta", config.ropeTheta());
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER));
        try {
            return JSON.writer(printer).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException jsonError) {
            throw new IllegalStateException("a JSON tree of strings, numbers and booleans could not be written", jsonError);
        }
    }

    private static ModelConfig parse(byte[] bytes, Path source) throws ModelFileException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException readError) {
            String reason = readError instanceof JsonProcessingException jsonError
                    ? jsonError.getOriginalMessage() : readError.getMessage();
            throw new ModelFileException(source, "is not valid JSON: " + reason, readError);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(source, "should hold one JSON object of settings, but holds "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        Settings settings = new Settings(root, source);

        String modelType = settings.string("model_type", "gpt2");
        if (!"gpt2".equals(modelType)) {
            throw new ModelFileException(source, "model_type is \"" + modelType + "\", but only \"gpt2\" models can be read");
        }
        settings.requireBoolean("scale_attn_weights", true, "attention scores are always divided by √(head size)");
        settings.requireBoolean("scale_attn_by_inverse_layer_idx", false, "scores are not scaled by layer");
        settings.requireBoolean("add_cross_attention", false, "the model is decoder-only, without cross-attention");

        int vocabSize = settings.requiredInt("vocab_size");
        int contextLength = settings.requiredInt("n_positions");
        int dModel = settings.requiredInt("n_embd");
        int nLayer = settings.requiredInt("n_layer");
        int nHead = settings.requiredInt("n_head");
        if (dModel > Integer.MAX_VALUE / 4 && settings.isAbsent("n_inner")) {
            throw new ModelFileException(source, "n_embd (" + dModel + ") is too large");
        }
        int dFf = settings.integer("n_inner", 4 * dModel);
        ModelConfig.Activation activation;
        try {
            activation = ModelConfig.Activation.fromHfName(settings.string("activation_function", "gelu_new"));
        } catch (IllegalArgumentException invalid) {
            throw new ModelFileException(source, invalid.getMessage(), invalid);
        }
        double layerNormEps = settings.number("layer_norm_epsilon", 1e-5);
        boolean tiedOutput = settings.bool("tie_word_embeddings", true);

        int nKvHead = settings.integer("stepwise_n_kv_head", nHead);
        ModelConfig.Positional positional = settings.choice("stepwise_positional", ModelConfig.Positional.class,
                ModelConfig.Positional.LEARNED);
        ModelConfig.Norm norm = settings.choice("stepwise_norm", ModelConfig.Norm.class, ModelConfig.Norm.PRE_LN);
        boolean bias = settings.bool("stepwise_bias", true);
        int nExperts = settings.integer("stepwise_n_experts", 0);
        if (nExperts > 0 && settings.isAbsent("stepwise_top_k")) {
            throw new ModelFileException(source, "stepwise_top_k is required when stepwise_n_experts is above 0 (it is "
                    + nExperts + ")");
        }
        int topK = settings.integer("stepwise_top_k", 0);
        double ropeTheta = settings.number("stepwise_rope_theta", 10000.0);

        try {
            return new ModelConfig(vocabSize, contextLength, nLayer, nHead, nKvHead, dModel, dFf, activation,
                    positional, norm, tiedOutput, bias, nExperts, topK, layerNormEps, ropeTheta);
        } catch (IllegalArgumentException invalid) {
            throw new ModelFileException(source, inKeyNames(invalid.getMessage()), invalid);
        }
    }

    /** Rewrites a ModelConfig message in config.json key names: "dModel (10) ... nHead (4)" → "n_embd (10) ... n_head (4)". */
    private static String inKeyNames(String message) {
        Matcher matcher = COMPONENT_NAME.matcher(message);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, KEY_OF_COMPONENT.get(matcher.group(1)));
        }
        matcher.appendTail(out);
        return out.toString().replace("head size", "head size n_embd / n_head");
    }

    /** The lower-case name an enum constant has in config.json: PRE_LN → "pre_ln". */
    private static String jsonName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** Typed access to the keys of one config.json object, with messages that name the file and the key. */
    private static final class Settings {
        private final JsonNode root;
        private final Path source;

        Settings(JsonNode root, Path source) {
            this.root = root;
            this.source = source;
        }

        boolean isAbsent(String key) {
            JsonNode node = root.get(key);
            return node == null || node.isNull();
        }

        int requiredInt(String key) throws ModelFileException {
            if (isAbsent(key)) {
                throw new ModelFileException(source, "the required key " + key + " is missing");
            }
            return integer(key, 0);
        }

        int integer(String key, int whenAbsent) throws ModelFileException {
            if (isAbsent(key)) {
                return whenAbsent;
            }
            JsonNode node = root.get(key);
            if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                throw wrongType(key, "a whole number", node);
            }
            return node.intValue();
        }

        double number(String key, double whenAbsent) throws ModelFileException {
            if (isAbsent(key)) {
                return whenAbsent;
            }
            JsonNode node = root.get(key);
            if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
                throw wrongType(key, "a number", node);
            }
            return node.doubleValue();
        }

        boolean bool(String key, boolean whenAbsent) throws ModelFileException {
            if (isAbsent(key)) {
                return whenAbsent;
            }
            JsonNode node = root.get(key);
            if (!node.isBoolean()) {
                throw wrongType(key, "true or false", node);
            }
            return node.booleanValue();
        }

        String string(String key, String whenAbsent) throws ModelFileException {
            if (isAbsent(key)) {
                return whenAbsent;
            }
            JsonNode node = root.get(key);
            if (!node.isTextual()) {
                throw wrongType(key, "a string", node);
            }
            return node.textValue();
        }

        /** A key whose value the model cannot follow unless it is {@code required}. */
        void requireBoolean(String key, boolean required, String because) throws ModelFileException {
            if (bool(key, required) != required) {
                throw new ModelFileException(source, key + " must be " + required + " (" + because + ")");
            }
        }

        <E extends Enum<E>> E choice(String key, Class<E> type, E whenAbsent) throws ModelFileException {
            String text = string(key, null);
            if (text == null) {
                return whenAbsent;
            }
            StringBuilder known = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                if (jsonName(constant).equals(text)) {
                    return constant;
                }
                known.append(known.length() == 0 ? "" : ", ").append('"').append(jsonName(constant)).append('"');
            }
            throw new ModelFileException(source, key + " is \"" + text + "\", but must be one of " + known);
        }

        private ModelFileException wrongType(String key, String expected, JsonNode node) {
            return new ModelFileException(source, key + " must be " + expected + ", but is " + node);
        }
    }
}
