package org.stepwise.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.stepwise.files.AtomicFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Saves and loads tokenizers as Hugging Face style files in a model folder.
 *
 * <ul>
 *   <li>{@code vocab.json}: one JSON object, token → id, in id order. The specials are
 *       {@code "<eos>": 0, "<unk>": 1, "<pad>": 2} in every Stepwise vocabulary.</li>
 *   <li>{@code merges.txt} (BPE only): the line {@code #version: 0.2}, then one merge per line as
 *       {@code left right} in rank order, with the {@code </w>} end-of-word convention of the
 *       original GPT tokenizer (openai-gpt). Saving another strategy removes a stale one.</li>
 *   <li>{@code tokenizer_config.json}: a JSON object with the keys
 *     <ul>
 *       <li>{@code "stepwise_tokenizer"}: {@code "character"}, {@code "word"} or {@code "bpe"}
 *           (required);</li>
 *       <li>{@code "eos_token"}, {@code "unk_token"}, {@code "pad_token"}: {@code "<eos>"},
 *           {@code "<unk>"}, {@code "<pad>"} (the Hugging Face keys; optional on load, but when
 *           present they must be these);</li>
 *       <li>{@code "end_of_word_suffix"}: {@code "</w>"} (BPE only; optional on load);</li>
 *       <li>{@code "merge_counts"}: for BPE, the count of each merge in rank order, so the training
 *           history can be replayed with its numbers after loading (optional on load; without it
 *           the counts are −1).</li>
 *     </ul></li>
 * </ul>
 * Each file is written to a temporary file in the same folder and then moved over the old one, so
 * a reader never sees half a file.
 *
 * <p>A folder without the {@code "stepwise_tokenizer"} key holds a Hugging Face GPT-2 byte-level
 * BPE ({@link ByteLevelBpeTokenizer}, read and written by {@link ByteLevelFiles}): either
 * {@code vocab.json} and a {@code merges.txt} with {@code Ġ} or without {@code </w>} (read first
 * when present), or {@code tokenizer.json}.
 */
public final class TokenizerFiles {

    public static final String VOCAB_FILE = "vocab.json";
    public static final String MERGES_FILE = "merges.txt";
    public static final String CONFIG_FILE = "tokenizer_config.json";
    public static final String MERGES_HEADER = "#version: 0.2";
    public static final String TOKENIZER_JSON_FILE = ByteLevelFiles.TOKENIZER_JSON;

    static final String STRATEGY_KEY = "stepwise_tokenizer";
    static final String MERGE_COUNTS_KEY = "merge_counts";
    static final String END_OF_WORD_KEY = "end_of_word_suffix";
    private static final String[] SPECIAL_KEYS = {"eos_token", "unk_token", "pad_token"};

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private TokenizerFiles() {
    }

    /**
     * Writes {@code tokenizer} into {@code dir} (created when missing).
     *
     * @param tokenizer a {@link CharTokenizer}, {@link WordTokenizer}, {@link BpeTokenizer} or
     *                  {@link ByteLevelBpeTokenizer} (written as described in {@link ByteLevelFiles}). Not modified.
     * @throws IllegalArgumentException for any other implementation
     */
    public static void save(Tokenizer tokenizer, Path dir) throws IOException {
        if (tokenizer instanceof ByteLevelBpeTokenizer byteLevel) {
            ByteLevelFiles.save(byteLevel, dir);
            return;
        }
        Vocabulary vocabulary;
        if (tokenizer instanceof CharTokenizer character) {
            vocabulary = character.vocabulary();
        } else if (tokenizer instanceof WordTokenizer word) {
            vocabulary = word.vocabulary();
        } else if (tokenizer instanceof BpeTokenizer bpe) {
            vocabulary = bpe.vocabulary();
        } else {
            throw new IllegalArgumentException("cannot save a " + tokenizer.getClass().getName()
                    + "; only the character, word, BPE and byte-level BPE tokenizers of this package are saved as files");
        }
        Files.createDirectories(dir);

        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> tokens = vocabulary.tokens();
        for (int id = 0; id < tokens.size(); id++) {
            vocab.put(tokens.get(id), id);
        }
        writeAtomically(dir, VOCAB_FILE, JSON.writeValueAsBytes(vocab));

        ObjectNode config = JSON.createObjectNode();
        config.put(STRATEGY_KEY, strategyName(tokenizer.kind()));
        for (int index = 0; index < SPECIAL_KEYS.length; index++) {
            config.put(SPECIAL_KEYS[index], Vocabulary.SPECIALS.get(index));
        }
        if (tokenizer instanceof BpeTokenizer bpe) {
            StringBuilder merges = new StringBuilder(MERGES_HEADER).append('\n');
            ArrayNode counts = JSON.createArrayNode();
            for (BpeTokenizer.Merge merge : bpe.merges()) {
                merges.append(merge.left()).append(' ').append(merge.right()).append('\n');
                counts.add(merge.count());
            }
            writeAtomically(dir, MERGES_FILE, merges.toString().getBytes(StandardCharsets.UTF_8));
            config.put(END_OF_WORD_KEY, BpeTokenizer.END_OF_WORD);
            config.set(MERGE_COUNTS_KEY, counts);
        } else {
            Files.deleteIfExists(dir.resolve(MERGES_FILE));
        }
        writeAtomically(dir, CONFIG_FILE, JSON.writeValueAsBytes(config));
    }

    /**
     * Reads the tokenizer saved in {@code dir}.
     *
     * @throws IOException naming the file and what is wrong with it when a file is missing or
     *                     broken, or when vocabulary and merges do not match
     */
    public static Tokenizer load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("tokenizer folder " + dir + " does not exist or is not a folder");
        }
        Path configFile = dir.resolve(CONFIG_FILE);
        Path vocabFile = dir.resolve(VOCAB_FILE);
        Path mergesFile = dir.resolve(MERGES_FILE);

        JsonNode config = Files.exists(configFile) ? readJson(configFile) : null;
        if (config != null && !config.isObject()) {
            throw new IOException(configFile + ": expected a JSON object");
        }
        if (config == null || !config.has(STRATEGY_KEY)) {
            boolean vocabAndMerges = Files.exists(vocabFile) && Files.exists(mergesFile);
            if (vocabAndMerges && isByteLevelMerges(readText(mergesFile))) {
                return ByteLevelFiles.loadVocabAndMerges(dir, config);
            }
            if (!vocabAndMerges && Files.exists(dir.resolve(TOKENIZER_JSON_FILE))) {
                return ByteLevelFiles.loadTokenizerJson(dir, config);
            }
            if (Files.exists(vocabFile) && !Files.exists(mergesFile)) {
                throw new IOException(dir + " holds " + VOCAB_FILE + " but is neither a Stepwise tokenizer (no \""
                        + STRATEGY_KEY + "\" in " + CONFIG_FILE + ") nor a GPT-2 one (" + MERGES_FILE + " is missing)");
            }
            if (config == null) {
                throw new IOException(configFile + " is missing");
            }
            throw new IOException(configFile + ": missing key \"" + STRATEGY_KEY + "\" (character, word or bpe)");
        }
        Tokenizer.Kind kind = strategyOf(config.get(STRATEGY_KEY), configFile);
        for (int index = 0; index < SPECIAL_KEYS.length; index++) {
            JsonNode special = config.get(SPECIAL_KEYS[index]);
            String expected = Vocabulary.SPECIALS.get(index);
            if (special != null && !(special.isTextual() && special.textValue().equals(expected))) {
                throw new IOException(configFile + ": \"" + SPECIAL_KEYS[index] + "\" is " + special
                        + " but Stepwise tokenizers use \"" + expected + "\"");
            }
        }

        Vocabulary vocabulary = readVocabulary(vocabFile);
        try {
            switch (kind) {
                case CHARACTER:
                    return new CharTokenizer(vocabulary);
                case WORD:
                    return new WordTokenizer(vocabulary);
                default:
                    break;
            }
        } catch (IllegalArgumentException problem) {
            throw new IOException(vocabFile + ": " + problem.getMessage(), problem);
        }

        JsonNode suffix = config.get(END_OF_WORD_KEY);
        if (suffix != null && !(suffix.isTextual() && suffix.textValue().equals(BpeTokenizer.END_OF_WORD))) {
            throw new IOException(configFile + ": \"" + END_OF_WORD_KEY + "\" is " + suffix
                    + " but this BPE marks word ends with \"" + BpeTokenizer.END_OF_WORD + "\"");
        }
        List<String[]> pairs = readMerges(mergesFile, vocabulary::contains);
        int[] counts = readMergeCounts(config.get(MERGE_COUNTS_KEY), pairs.size(), configFile);
        List<BpeTokenizer.Merge> merges = new ArrayList<>(pairs.size());
        for (int rank = 0; rank < pairs.size(); rank++) {
            String[] pair = pairs.get(rank);
            merges.add(new BpeTokenizer.Merge(rank, pair[0], pair[1], counts[rank], pair[0] + pair[1]));
        }
        try {
            return new BpeTokenizer(vocabulary, merges);
        } catch (IllegalArgumentException problem) {
            throw new IOException(mergesFile + " with " + VOCAB_FILE + ": " + problem.getMessage(), problem);
        }
    }

    /**
     * True for byte-level merges: they write the space byte as {@code Ġ} (U+0120), while the
     * original GPT's character BPE marks word ends with {@code </w>} and has no {@code Ġ}.
     */
    private static boolean isByteLevelMerges(String merges) {
        return merges.indexOf('\u0120') >= 0 || !merges.contains(BpeTokenizer.END_OF_WORD);
    }

    private static String strategyName(Tokenizer.Kind kind) {
        switch (kind) {
            case CHARACTER:
                return "character";
            case WORD:
                return "word";
            case BPE:
                return "bpe";
            default:
                throw new IllegalArgumentException("no file format for " + kind + " tokenizers");
        }
    }

    private static Tokenizer.Kind strategyOf(JsonNode value, Path configFile) throws IOException {
        if (value.isTextual()) {
            for (Tokenizer.Kind kind : List.of(Tokenizer.Kind.CHARACTER, Tokenizer.Kind.WORD, Tokenizer.Kind.BPE)) {
                if (strategyName(kind).equals(value.textValue())) {
                    return kind;
                }
            }
        }
        throw new IOException(configFile + ": \"" + STRATEGY_KEY + "\" is " + value + "; expected \"character\", \"word\" or \"bpe\"");
    }

    private static Vocabulary readVocabulary(Path vocabFile) throws IOException {
        if (!Files.exists(vocabFile)) {
            throw new IOException(vocabFile + " is missing");
        }
        JsonNode root = readJson(vocabFile);
        if (!root.isObject()) {
            throw new IOException(vocabFile + ": expected a JSON object of token → id");
        }
        int size = root.size();
        String[] tokens = new String[size];
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isInt()) {
                throw new IOException(vocabFile + ": the id of \"" + entry.getKey() + "\" is " + value + ", not an integer");
            }
            int id = value.intValue();
            if (id < 0 || id >= size) {
                throw new IOException(vocabFile + ": the id of \"" + entry.getKey() + "\" is " + id
                        + "; with " + size + " entries ids must be 0.." + (size - 1));
            }
            if (tokens[id] != null) {
                throw new IOException(vocabFile + ": id " + id + " is used by both \"" + tokens[id] + "\" and \"" + entry.getKey() + "\"");
            }
            tokens[id] = entry.getKey();
        }
        try {
            return Vocabulary.ofAllTokens(Arrays.asList(tokens));
        } catch (IllegalArgumentException problem) {
            throw new IOException(vocabFile + ": " + problem.getMessage(), problem);
        }
    }

    /** The (left, right) pairs of merges.txt in rank order, each checked against the vocabulary. */
    static List<String[]> readMerges(Path mergesFile, Predicate<String> inVocabulary) throws IOException {
        if (!Files.exists(mergesFile)) {
            throw new IOException(mergesFile + " is missing; a BPE tokenizer needs its merges");
        }
        String[] lines = readText(mergesFile).split("\n", -1);
        if (!lines[0].startsWith("#version")) {
            throw new IOException(mergesFile + ": line 1 must be \"" + MERGES_HEADER + "\" but is \"" + lines[0] + "\"");
        }
        List<String[]> pairs = new ArrayList<>();
        Map<String, Integer> lineOfPair = new HashMap<>();
        for (int index = 1; index < lines.length; index++) {
            String line = lines[index];
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IOException(mergesFile + ": line " + (index + 1) + " is \"" + line
                        + "\"; expected two symbols separated by one space");
            }
            for (String symbol : List.of(parts[0], parts[1], parts[0] + parts[1])) {
                if (!inVocabulary.test(symbol)) {
                    throw new IOException(mergesFile + ": line " + (index + 1) + " uses \"" + symbol
                            + "\", which is not in " + VOCAB_FILE);
                }
            }
            Integer earlier = lineOfPair.putIfAbsent(line, index + 1);
            if (earlier != null) {
                throw new IOException(mergesFile + ": line " + (index + 1) + " repeats line " + earlier + " (\"" + line + "\")");
            }
            pairs.add(parts);
        }
        return pairs;
    }

    private static int[] readMergeCounts(JsonNode node, int mergeCount, Path configFile) throws IOException {
        int[] counts = new int[mergeCount];
        if (node == null) {
            Arrays.fill(counts, -1);
            return counts;
        }
        if (!node.isArray() || node.size() != mergeCount) {
            throw new IOException(configFile + ": \"" + MERGE_COUNTS_KEY + "\" must be an array of " + mergeCount
                    + " counts, one per line of " + MERGES_FILE);
        }
        for (int rank = 0; rank < mergeCount; rank++) {
            JsonNode count = node.get(rank);
            if (!count.isInt() || count.intValue() < -1) {
                throw new IOException(configFile + ": \"" + MERGE_COUNTS_KEY + "\"[" + rank + "] is " + count
                        + "; expected a count (or −1 when unknown)");
            }
            counts[rank] = count.intValue();
        }
        return counts;
    }

    static JsonNode readJson(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            JsonNode root = JSON.readTree(bytes);
            if (root == null || root.isMissingNode()) {
                throw new IOException(file + " is empty; expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException problem) {
            throw new IOException(file + " is not valid JSON: " + problem.getOriginalMessage()
                    + (problem.getLocation() == null ? "" : " (line " + problem.getLocation().getLineNr()
                    + ", column " + problem.getLocation().getColumnNr() + ")"), problem);
        }
    }

    /** The file's text, refusing bytes that are not UTF-8 instead of replacing them. */
    static String readText(Path file) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException problem) {
            throw new IOException(file + " is not valid UTF-8 text", problem);
        }
    }

    /** Writes {@code content} to {@code dir/name} all-or-nothing. */
    static void writeAtomically(Path dir, String name, byte[] content) throws IOException {
        AtomicFiles.writeBytes(dir.resolve(name), content);
    }
}
