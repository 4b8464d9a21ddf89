package org.stepwise.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes GPT-2 byte-level BPE tokenizers in the two Hugging Face formats: {@code vocab.json}
 * + {@code merges.txt} (as {@code GPT2Tokenizer} saves them) and {@code tokenizer.json} (as the
 * {@code tokenizers} library saves them, model type {@code BPE} with the {@code ByteLevel}
 * pre-tokenizer).
 *
 * <p>An optional {@code tokenizer_config.json} without the Stepwise key is read for the special
 * tokens: {@code eos_token}, {@code bos_token}, {@code unk_token}, {@code pad_token} (a string, an
 * object with {@code "content"}, or null) and {@code added_tokens_decoder} (id → token). Those tokens,
 * the {@code added_tokens} of {@code tokenizer.json} and {@code <|endoftext|>} (when in the vocabulary)
 * are the special tokens. Settings that would change the ids ({@code add_prefix_space: true}, a
 * normalizer, dropout, a word suffix) are refused with a message rather than ignored.
 */
final class ByteLevelFiles {

    static final String TOKENIZER_JSON = "tokenizer.json";
    private static final String[] TOKEN_KEYS = {"eos_token", "bos_token", "unk_token", "pad_token"};

    private ByteLevelFiles() {
    }

    /** What tokenizer_config.json says about special tokens. */
    private record HfConfig(Map<Integer, String> addedTokens, Set<String> namedTokens, String eosToken, String padToken) {
        static final HfConfig NONE = new HfConfig(Map.of(), Set.of(), null, null);
    }

    /** Loads {@code vocab.json} + {@code merges.txt} of {@code dir}; {@code config} is tokenizer_config.json or null. */
    static ByteLevelBpeTokenizer loadVocabAndMerges(Path dir, JsonNode config) throws IOException {
        Path configFile = dir.resolve(TokenizerFiles.CONFIG_FILE);
        Path vocabFile = dir.resolve(TokenizerFiles.VOCAB_FILE);
        Path mergesFile = dir.resolve(TokenizerFiles.MERGES_FILE);
        HfConfig hfConfig = readConfig(config, configFile);
        JsonNode vocab = TokenizerFiles.readJson(vocabFile);
        Map<Integer, String> tokenOfId = readVocab(vocab, vocabFile, vocabFile.toString());
        List<String> tokens = tokenTable(tokenOfId, hfConfig.addedTokens(), vocabFile, configFile);
        Set<String> specials = specialTokens(tokens, Map.of(), hfConfig, configFile);
        checkVocabulary(tokens, specials, vocabFile);
        Set<String> known = new HashSet<>(tokens);
        List<String[]> pairs = TokenizerFiles.readMerges(mergesFile, known::contains);
        return build(tokens, pairs, specials, hfConfig, mergesFile);
    }

    /** Loads {@code tokenizer.json} of {@code dir}; {@code config} is tokenizer_config.json or null. */
    static ByteLevelBpeTokenizer loadTokenizerJson(Path dir, JsonNode config) throws IOException {
        Path configFile = dir.resolve(TokenizerFiles.CONFIG_FILE);
        Path file = dir.resolve(TOKENIZER_JSON);
        HfConfig hfConfig = readConfig(config, configFile);
        JsonNode root = TokenizerFiles.readJson(file);
        if (!root.isObject()) {
            throw new IOException(file + ": expected a JSON object");
        }
        JsonNode model = root.path("model");
        if (!model.isObject()) {
            throw new IOException(file + ": missing the object \"model\"");
        }
        if (!"BPE".equals(model.path("type").asText(null))) {
            throw new IOException(file + ": model type is " + model.get("type")
                    + "; Stepwise reads byte-level BPE (GPT-2) tokenizers, model type \"BPE\"");
        }
        checkPreTokenizer(root.get("pre_tokenizer"), file);
        if (root.hasNonNull("normalizer")) {
            throw new IOException(file + ": has a normalizer (" + root.get("normalizer").path("type").asText("?")
                    + "); GPT-2's tokenizer has none and Stepwise does not apply one");
        }
        if (model.hasNonNull("dropout")) {
            throw new IOException(file + ": \"model.dropout\" is " + model.get("dropout")
                    + "; BPE dropout makes encoding random, and Stepwise encodes deterministically");
        }
        for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (model.hasNonNull(key) && !model.get(key).asText().isEmpty()) {
                throw new IOException(file + ": \"model." + key + "\" is " + model.get(key)
                        + "; a byte-level BPE uses none");
            }
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new IOException(file + ": \"model.byte_fallback\" is true; that is a SentencePiece-style BPE, not GPT-2's byte-level BPE");
        }

        Map<Integer, String> tokenOfId = readVocab(model.get("vocab"), file, file + ": \"model.vocab\"");
        Map<Integer, String> addedTokens = readAddedTokens(root.get("added_tokens"), file);
        Map<Integer, String> allAdded = new TreeMap<>(hfConfig.addedTokens());
        for (Map.Entry<Integer, String> entry : addedTokens.entrySet()) {
            String earlier = allAdded.put(entry.getKey(), entry.getValue());
            if (earlier != null && !earlier.equals(entry.getValue())) {
                throw new IOException(file + ": added token id " + entry.getKey() + " is \"" + entry.getValue()
                        + "\" but " + configFile + " says \"" + earlier + "\"");
            }
        }
        List<String> tokens = tokenTable(tokenOfId, allAdded, file, file);
        Set<String> specials = specialTokens(tokens, addedTokens, hfConfig, configFile);
        checkVocabulary(tokens, specials, file);
        return build(tokens, readJsonMerges(model.get("merges"), file, new HashSet<>(tokens)),
                specials, hfConfig, file);
    }

    /**
     * Writes {@code tokenizer} as {@code vocab.json}, {@code merges.txt} and a Hugging Face
     * {@code tokenizer_config.json} (class {@code GPT2Tokenizer}) into {@code dir}, and removes a
     * {@code tokenizer.json} left there, which Hugging Face would otherwise read first.
     * Not modified: {@code tokenizer}.
     */
    static void save(ByteLevelBpeTokenizer tokenizer, Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            vocab.put(tokenizer.token(id), id);
        }
        TokenizerFiles.writeAtomically(dir, TokenizerFiles.VOCAB_FILE, TokenizerFiles.JSON.writeValueAsBytes(vocab));

        StringBuilder merges = new StringBuilder(TokenizerFiles.MERGES_HEADER).append('\n');
        for (ByteLevelBpeTokenizer.Merge merge : tokenizer.merges()) {
            merges.append(merge.left()).append(' ').append(merge.right()).append('\n');
        }
        TokenizerFiles.writeAtomically(dir, TokenizerFiles.MERGES_FILE, merges.toString().getBytes(StandardCharsets.UTF_8));

        ObjectNode config = TokenizerFiles.JSON.createObjectNode();
        config.put("tokenizer_class", "GPT2Tokenizer");
        config.put("add_prefix_space", false);
        int eos = tokenizer.specials().eos();
        if (eos >= 0) {
            for (String key : List.of("bos_token", "eos_token", "unk_token")) {
                config.put(key, tokenizer.token(eos));
            }
        }
        if (tokenizer.specials().pad() >= 0) {
            config.put("pad_token", tokenizer.token(tokenizer.specials().pad()));
        }
        ObjectNode added = config.putObject("added_tokens_decoder");
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            if (tokenizer.isSpecial(id)) {
                ObjectNode entry = added.putObject(Integer.toString(id));
                entry.put("content", tokenizer.token(id));
                entry.put("lstrip", false);
                entry.put("normalized", true);
                entry.put("rstrip", false);
                entry.put("single_word", false);
                entry.put("special", true);
            }
        }
        TokenizerFiles.writeAtomically(dir, TokenizerFiles.CONFIG_FILE, TokenizerFiles.JSON.writeValueAsBytes(config));
        Files.deleteIfExists(dir.resolve(TOKENIZER_JSON));
    }

    private static ByteLevelBpeTokenizer build(List<String> tokens, List<String[]> pairs, Set<String> specials,
                                               HfConfig hfConfig, Path mergesFile) throws IOException {
        List<ByteLevelBpeTokenizer.Merge> merges = new ArrayList<>(pairs.size());
        for (int rank = 0; rank < pairs.size(); rank++) {
            merges.add(new ByteLevelBpeTokenizer.Merge(rank, pairs.get(rank)[0], pairs.get(rank)[1]));
        }
        try {
            return new ByteLevelBpeTokenizer(tokens, merges, specials, hfConfig.eosToken(), hfConfig.padToken());
        } catch (IllegalArgumentException problem) {
            throw new IOException(mergesFile + ": " + problem.getMessage(), problem);
        }
    }

    private static void checkVocabulary(List<String> tokens, Set<String> specials, Path file) throws IOException {
        try {
            ByteLevelBpeTokenizer.checkVocabulary(tokens, specials);
        } catch (IllegalArgumentException problem) {
            throw new IOException(file + ": " + problem.getMessage(), problem);
        }
    }

    /** The ByteLevel pre-tokenizer with GPT-2's settings, or a message saying what differs. */
    private static void checkPreTokenizer(JsonNode preTokenizer, Path file) throws IOException {
        if (preTokenizer == null || !"ByteLevel".equals(preTokenizer.path("type").asText(null))) {
            String found = preTokenizer == null || preTokenizer.isNull() ? "none" : preTokenizer.path("type").toString();
            throw new IOException(file + ": the pre-tokenizer is " + found
                    + "; Stepwise reads byte-level BPE tokenizers, whose pre-tokenizer is \"ByteLevel\"");
        }
        if (preTokenizer.path("add_prefix_space").asBoolean(false)) {
            throw new IOException(file + ": the ByteLevel pre-tokenizer has \"add_prefix_space\": true;"
                    + " Stepwise encodes as GPT-2 does, without adding a space before the text");
        }
        if (!preTokenizer.path("use_regex").asBoolean(true)) {
            throw new IOException(file + ": the ByteLevel pre-tokenizer has \"use_regex\": false;"
                    + " Stepwise always splits the text with GPT-2's pattern");
        }
    }

    /** A JSON object token → id as a map id → token, refusing ids that are not non-negative integers or repeat. */
    private static Map<Integer, String> readVocab(JsonNode vocab, Path file, String where) throws IOException {
        if (vocab == null || !vocab.isObject()) {
            throw new IOException(where + ": expected a JSON object of token → id");
        }
        Map<Integer, String> tokenOfId = new HashMap<>(vocab.size() * 2);
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isInt() || value.intValue() < 0) {
                throw new IOException(where + ": the id of \"" + entry.getKey() + "\" is " + value + ", not an id (0, 1, 2, ...)");
            }
            String earlier = tokenOfId.put(value.intValue(), entry.getKey());
            if (earlier != null) {
                throw new IOException(where + ": id " + value.intValue() + " is used by both \"" + earlier
                        + "\" and \"" + entry.getKey() + "\"");
            }
        }
        return tokenOfId;
    }

    /**
     * The vocabulary with the added tokens (which may repeat vocabulary entries or extend them), as a
     * list indexed by id: ids must run 0..N−1 without gaps.
     */
    private static List<String> tokenTable(Map<Integer, String> tokenOfId, Map<Integer, String> added,
                                           Path vocabFile, Path addedFile) throws IOException {
        Map<Integer, String> all = new HashMap<>(tokenOfId);
        Map<String, Integer> idOfToken = new HashMap<>(tokenOfId.size() * 2);
        tokenOfId.forEach((id, token) -> idOfToken.put(token, id));
        for (Map.Entry<Integer, String> entry : added.entrySet()) {
            int id = entry.getKey();
            String token = entry.getValue();
            String existing = all.get(id);
            Integer existingId = idOfToken.get(token);
            if ((existing != null && !existing.equals(token)) || (existingId != null && existingId != id)) {
                throw new IOException(addedFile + ": added token \"" + token + "\" has id " + id + " but "
                        + vocabFile.getFileName() + " gives "
                        + (existing != null && !existing.equals(token) ? "id " + id + " to \"" + existing + "\""
                        : "\"" + token + "\" id " + existingId));
            }
            all.put(id, token);
            idOfToken.put(token, id);
        }
        String[] tokens = new String[all.size()];
        for (Map.Entry<Integer, String> entry : all.entrySet()) {
            if (entry.getKey() >= tokens.length) {
                throw new IOException(vocabFile + ": \"" + entry.getValue() + "\" has id " + entry.getKey()
                        + "; with " + tokens.length + " tokens the ids must be 0.." + (tokens.length - 1) + " without gaps");
            }
            tokens[entry.getKey()] = entry.getValue();
        }
        return Arrays.asList(tokens);
    }

    /** {@code <|endoftext|>} when present, every token named by the config, and the given added tokens. */
    private static Set<String> specialTokens(List<String> tokens, Map<Integer, String> added, HfConfig hfConfig,
                                             Path configFile) throws IOException {
        Set<String> present = new HashSet<>(tokens);
        Set<String> specials = new LinkedHashSet<>();
        if (present.contains(ByteLevelBpeTokenizer.END_OF_TEXT)) {
            specials.add(ByteLevelBpeTokenizer.END_OF_TEXT);
        }
        specials.addAll(hfConfig.addedTokens().values());
        specials.addAll(added.values());
        for (String named : hfConfig.namedTokens()) {
            if (!present.contains(named)) {
                throw new IOException(configFile + ": names the special token \"" + named + "\", which is not in the vocabulary");
            }
            specials.add(named);
        }
        return specials;
    }

    /** The special-token settings of tokenizer_config.json (null: none). */
    private static HfConfig readConfig(JsonNode config, Path configFile) throws IOException {
        if (config == null) {
            return HfConfig.NONE;
        }
        if (config.path("add_prefix_space").asBoolean(false)) {
            throw new IOException(configFile + ": \"add_prefix_space\" is true; Stepwise encodes as GPT-2 does,"
                    + " without adding a space before the text");
        }
        Set<String> named = new LinkedHashSet<>();
        String[] values = new String[TOKEN_KEYS.length];
        for (int index = 0; index < TOKEN_KEYS.length; index++) {
            values[index] = tokenText(config.get(TOKEN_KEYS[index]), configFile, "\"" + TOKEN_KEYS[index] + "\"");
            if (values[index] != null) {
                named.add(values[index]);
            }
        }
        Map<Integer, String> added = new TreeMap<>();
        JsonNode decoder = config.get("added_tokens_decoder");
        if (decoder != null && !decoder.isNull()) {
            if (!decoder.isObject()) {
                throw new IOException(configFile + ": \"added_tokens_decoder\" must be an object id → token");
            }
            for (Map.Entry<String, JsonNode> entry : decoder.properties()) {
                int id;
                try {
                    id = Integer.parseInt(entry.getKey());
                } catch (NumberFormatException problem) {
                    throw new IOException(configFile + ": \"added_tokens_decoder\" has the key \"" + entry.getKey()
                            + "\", which is not an id", problem);
                }
                if (id < 0) {
                    throw new IOException(configFile + ": \"added_tokens_decoder\" has the negative id " + id);
                }
                checkPlainMatching(entry.getValue(), configFile, "\"added_tokens_decoder\"." + id);
                added.put(id, tokenText(entry.getValue(), configFile, "\"added_tokens_decoder\"." + id));
            }
        }
        return new HfConfig(added, named, values[0], values[3]);
    }

    /** A token given as a string, an object with "content", or null (none). */
    private static String tokenText(JsonNode node, Path file, String where) throws IOException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && !node.textValue().isEmpty()) {
            return node.textValue();
        }
        JsonNode content = node.path("content");
        if (node.isObject() && content.isTextual() && !content.textValue().isEmpty()) {
            return content.textValue();
        }
        throw new IOException(file + ": " + where + " is " + node + "; expected a token (a string or {\"content\": ...})");
    }

    /** Added tokens that strip spaces around them or match whole words only are matched differently; refuse them. */
    private static void checkPlainMatching(JsonNode token, Path file, String where) throws IOException {
        for (String key : List.of("lstrip", "rstrip", "single_word")) {
            if (token.path(key).asBoolean(false)) {
                throw new IOException(file + ": " + where + " has \"" + key + "\": true; Stepwise matches special tokens"
                        + " exactly as written, as GPT-2's <|endoftext|> is");
            }
        }
    }

    /** The "added_tokens" array of tokenizer.json as id → content. */
    private static Map<Integer, String> readAddedTokens(JsonNode array, Path file) throws IOException {
        Map<Integer, String> added = new TreeMap<>();
        if (array == null || array.isNull()) {
            return added;
        }
        if (!array.isArray()) {
            throw new IOException(file + ": \"added_tokens\" must be an array");
        }
        for (int index = 0; index < array.size(); index++) {
            JsonNode token = array.get(index);
            String where = "\"added_tokens\"[" + index + "]";
            if (!token.path("id").isInt() || token.path("id").intValue() < 0) {
                throw new IOException(file + ": " + where + " has no id (0, 1, 2, ...)");
            }
            checkPlainMatching(token, file, where);
            added.put(token.get("id").intValue(), tokenText(token, file, where));
        }
        return added;
    }

    /** The "model.merges" of tokenizer.json: strings "left right" or arrays [left, right]. */
    private static List<String[]> readJsonMerges(JsonNode array, Path file, Set<String> known) throws IOException {
        if (array == null || !array.isArray()) {
            throw new IOException(file + ": \"model.merges\" must be an array of merges");
        }
        List<String[]> pairs = new ArrayList<>(array.size());
        Set<String> seen = new HashSet<>(array.size() * 2);
        for (int index = 0; index < array.size(); index++) {
            JsonNode merge = array.get(index);
            String where = file + ": \"model.merges\"[" + index + "]";
            String[] parts;
            if (merge.isTextual()) {
                parts = merge.textValue().split(" ", -1);
            } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isTextual() && merge.get(1).isTextual()) {
                parts = new String[] {merge.get(0).textValue(), merge.get(1).textValue()};
            } else {
                parts = new String[0];
            }
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IOException(where + " is " + merge + "; expected \"left right\" or [\"left\", \"right\"]");
            }
            for (String symbol : List.of(parts[0], parts[1], parts[0] + parts[1])) {
                if (!known.contains(symbol)) {
                    throw new IOException(where + " uses \"" + symbol + "\", which is not in \"model.vocab\"");
                }
            }
            if (!seen.add(parts[0] + " " + parts[1])) {
                throw new IOException(where + " repeats an earlier merge (" + parts[0] + " " + parts[1] + ")");
            }
            pairs.add(parts);
        }
        return pairs;
    }
}
