package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ModelConfig.Activation;
import org.stepwise.model.ModelConfig.Norm;
import org.stepwise.model.ModelConfig.Positional;

/** config.json ↔ ModelConfig: round trips, real Hugging Face GPT-2 files, and a message naming the key for bad values. */
class HfConfigTest {

    @TempDir
    Path directory;

    /** The config.json of the Hugging Face "gpt2" checkpoint, as published. */
    static final String GPT2_CONFIG = """
            {
              "activation_function": "gelu_new",
              "architectures": [
                "GPT2LMHeadModel"
              ],
              "attn_pdrop": 0.1,
              "bos_token_id": 50256,
              "embd_pdrop": 0.1,
              "eos_token_id": 50256,
              "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-05,
              "model_type": "gpt2",
              "n_ctx": 1024,
              "n_embd": 768,
              "n_head": 12,
              "n_layer": 12,
              "n_positions": 1024,
              "resid_pdrop": 0.1,
              "summary_activation": null,
              "summary_first_dropout": 0.1,
              "summary_proj_to_labels": true,
              "summary_type": "cls_index",
              "summary_use_proj": true,
              "task_specific_params": {
                "text-generation": {
                  "do_sample": true,
                  "max_length": 50
                }
              },
              "vocab_size": 50257
            }
            """;

    /** What a recent transformers' save_pretrained writes for a small GPT-2 (n_inner null, scale_attn keys, dtype). */
    static final String SAVED_BY_TRANSFORMERS = """
            {
              "_name_or_path": "tiny-gpt2",
              "activation_function": "relu",
              "architectures": ["GPT2LMHeadModel"],
              "attn_pdrop": 0.0,
              "bos_token_id": 0,
              "embd_pdrop": 0.0,
              "eos_token_id": 0,
              "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-06,
              "model_type": "gpt2",
              "n_embd": 64,
              "n_head": 4,
              "n_inner": null,
              "n_layer": 2,
              "n_positions": 128,
              "reorder_and_upcast_attn": false,
              "resid_pdrop": 0.0,
              "scale_attn_by_inverse_layer_idx": false,
              "scale_attn_weights": true,
              "tie_word_embeddings": false,
              "torch_dtype": "float32",
              "transformers_version": "4.46.3",
              "use_cache": true,
              "vocab_size": 300
            }
            """;

    @Test
    void theHuggingFaceGpt2ConfigLoadsAsGpt2() throws IOException {
        Path file = directory.resolve("config.json");
        Files.writeString(file, GPT2_CONFIG);
        assertEquals(ModelConfig.gpt2Like(50257, 1024, 12, 12, 768), HfConfig.read(file));
    }

    @Test
    void aConfigSavedByTransformersLoadsWithItsDefaults() throws IOException {
        Path file = directory.resolve("config.json");
        Files.writeString(file, SAVED_BY_TRANSFORMERS);
        ModelConfig expected = new ModelConfig(300, 128, 2, 4, 4, 64, 256, Activation.RELU, Positional.LEARNED,
                Norm.PRE_LN, false, true, 0, 0, 1e-6, 10000.0);
        assertEquals(expected, HfConfig.read(file));
    }

    static Stream<ModelConfig> configs() {
        ModelConfig gpt2 = ModelConfig.gpt2Like(96, 32, 2, 4, 16);
        return Stream.of(
                gpt2,
                ModelConfig.gpt2Like(50257, 1024, 12, 12, 768),
                gpt2.withExperts(4, 2).withVariants(Activation.RELU, Positional.ROPE, Norm.POST_LN, false, false)
                        .withAttention(4, 2),
                gpt2.withVariants(Activation.GELU_ERF, Positional.SINUSOIDAL, Norm.PRE_LN, true, true).withAttention(4, 1),
                gpt2.withVariants(Activation.GELU_TANH, Positional.NONE, Norm.POST_LN, false, true).withExperts(3, 3),
                new ModelConfig(7, 5, 3, 2, 2, 8, 10, Activation.RELU, Positional.ROPE, Norm.PRE_LN, true, false, 0, 0,
                        3.3e-7, 500000.0),
                new ModelConfig(7, 5, 1, 1, 1, 2, 1, Activation.GELU_TANH, Positional.LEARNED, Norm.PRE_LN, true, true,
                        0, 0, 0.1 + 0.2, 12345.678));
    }

    @ParameterizedTest
    @MethodSource("configs")
    void writeThenReadGivesAnEqualConfig(ModelConfig config) throws IOException {
        Path file = directory.resolve("config.json");
        HfConfig.write(file, config);
        assertEquals(config, HfConfig.read(file));
        String text = Files.readString(file);
        assertTrue(text.contains("\"model_type\": \"gpt2\""), text);
        assertTrue(text.contains("\"n_embd\": " + config.dModel()), text);
        assertTrue(text.contains("\"stepwise_positional\": \"" + config.positional().name().toLowerCase() + "\""), text);
        assertTrue(text.endsWith("}\n"), text);
    }

    @Test
    void missingStepwiseKeysMeanGpt2Choices() throws IOException {
        String minimal = "{\"vocab_size\": 10, \"n_positions\": 8, \"n_embd\": 12, \"n_layer\": 1, \"n_head\": 3}";
        assertEquals(ModelConfig.gpt2Like(10, 8, 1, 3, 12), HfConfig.parse(minimal, Path.of("config.json")));
    }

    @Test
    void writtenTextListsTheKeysInTheDocumentedOrder() {
        String text = HfConfig.toJson(ModelConfig.gpt2Like(10, 8, 1, 3, 12));
        List<String> keys = List.of("model_type", "vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner",
                "activation_function", "layer_norm_epsilon", "tie_word_embeddings", "stepwise_n_kv_head",
                "stepwise_positional", "stepwise_norm", "stepwise_bias", "stepwise_n_experts", "stepwise_top_k",
                "stepwise_rope_theta");
        int previous = -1;
        for (String key : keys) {
            int at = text.indexOf("\"" + key + "\"");
            assertTrue(at > previous, key + " in order in " + text);
            previous = at;
        }
        assertEquals(keys.size(), text.lines().filter(line -> line.contains(":")).count(), text);
    }

    static Stream<Arguments> badConfigs() {
        String sizes = "\"vocab_size\": 10, \"n_positions\": 8, \"n_layer\": 1, ";
        return Stream.of(
                Arguments.of("{" + sizes + "\"n_embd\": 10, \"n_head\": 4}",
                        "config.json: n_embd (10) must be divisible by n_head (4)"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_n_kv_head\": 3}",
                        "config.json: stepwise_n_kv_head (3) must divide n_head (4)"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_n_experts\": 4, \"stepwise_top_k\": 5}",
                        "config.json: stepwise_top_k (5) must be between 1 and stepwise_n_experts (4)"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_n_experts\": 4}",
                        "config.json: stepwise_top_k is required"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_positional\": \"rope\"}",
                        "config.json: RoPE needs an even head size n_embd / n_head, got 3"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"n_inner\": 0}",
                        "config.json: n_inner must be at least 1, got 0"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"layer_norm_epsilon\": 0}",
                        "config.json: layer_norm_epsilon must be positive"),
                Arguments.of("{\"vocab_size\": 1, \"n_positions\": 8, \"n_layer\": 1, \"n_embd\": 12, \"n_head\": 4}",
                        "config.json: vocab_size must be at least 2, got 1"),
                Arguments.of("{" + sizes + "\"n_head\": 4}", "config.json: the required key n_embd is missing"),
                Arguments.of("{" + sizes + "\"n_embd\": null, \"n_head\": 4}", "config.json: the required key n_embd is missing"),
                Arguments.of("{" + sizes + "\"n_embd\": \"768\", \"n_head\": 4}",
                        "config.json: n_embd must be a whole number, but is \"768\""),
                Arguments.of("{" + sizes + "\"n_embd\": 12.5, \"n_head\": 4}", "config.json: n_embd must be a whole number"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"tie_word_embeddings\": \"yes\"}",
                        "config.json: tie_word_embeddings must be true or false"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"activation_function\": \"swish\"}",
                        "config.json: unknown activation_function \"swish\""),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_positional\": \"absolute\"}",
                        "config.json: stepwise_positional is \"absolute\", but must be one of \"learned\", \"sinusoidal\","
                                + " \"rope\", \"none\""),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"stepwise_norm\": \"PRE_LN\"}",
                        "config.json: stepwise_norm is \"PRE_LN\""),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"model_type\": \"llama\"}",
                        "config.json: model_type is \"llama\""),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"add_cross_attention\": true}",
                        "config.json: add_cross_attention must be false"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"scale_attn_by_inverse_layer_idx\": true}",
                        "config.json: scale_attn_by_inverse_layer_idx must be false"),
                Arguments.of("{" + sizes + "\"n_embd\": 12, \"n_head\": 4, \"n_embd\": 16}",
                        "config.json: is not valid JSON: Duplicate field 'n_embd'"),
                Arguments.of("{\"vocab_size\": 10,", "config.json: is not valid JSON"),
                Arguments.of("[1, 2]", "config.json: should hold one JSON object of settings, but holds array"),
                Arguments.of("", "config.json: should hold one JSON object of settings, but holds nothing"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badValuesAreIOExceptionsNamingTheFileAndTheKey(String json, String expected) throws IOException {
        Path file = directory.resolve("config.json");
        Files.writeString(file, json);
        IOException failure = assertThrows(IOException.class, () -> HfConfig.read(file));
        assertTrue(failure.getMessage().startsWith(directory.toString()), failure.getMessage());
        assertTrue(failure.getMessage().contains(expected), "expected \"" + expected + "\" in: " + failure.getMessage());
    }
}
