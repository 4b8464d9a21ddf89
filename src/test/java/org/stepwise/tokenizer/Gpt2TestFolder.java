package org.stepwise.tokenizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Writes GPT-2's tokenizer files (vocab.json, merges.txt, tokenizer_config.json, in the Hugging Face
 * format) from JTokkit's {@code r50k_base} table, which is GPT-2's vocabulary with rank = id.
 *
 * <p>The byte-to-unicode table here is written out again from GPT-2's {@code bytes_to_unicode}
 * rather than taken from the code under test. The merges are rebuilt from the ranks: a token's
 * bytes, merged with only the tokens of lower rank (lowest rank first), end as exactly two parts,
 * and those two parts are the merge that made the token.
 */
public final class Gpt2TestFolder {

    public static final int END_OF_TEXT_ID = 50256;
    public static final int GPT2_VOCAB_SIZE = 50257;

    private static final String TABLE = "/com/knuddels/jtokkit/r50k_base.tiktoken";
    private static volatile ByteLevelBpeTokenizer shared;
    private static volatile Encoding reference;
    private static byte[][] files;

    private Gpt2TestFolder() {
    }

    /** GPT-2's bytes_to_unicode, as in OpenAI's encoder.py: byte value → the char that writes it. */
    static char[] bytesToUnicode() {
        char[] table = new char[256];
        boolean[] printable = new boolean[256];
        for (int value = 0; value < 256; value++) {
            printable[value] = (value >= '!' && value <= '~') || (value >= 0xA1 && value <= 0xAC) || (value >= 0xAE && value <= 0xFF);
        }
        int extra = 0;
        for (int value = 0; value < 256; value++) {
            table[value] = printable[value] ? (char) value : (char) (256 + extra++);
        }
        return table;
    }

    /** JTokkit's r50k_base encoding: the outside reference. */
    public static Encoding reference() {
        if (reference == null) {
            reference = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        }
        return reference;
    }

    /** Writes vocab.json, merges.txt and tokenizer_config.json of GPT-2 into {@code dir} (created when missing). */
    public static void write(Path dir) throws IOException {
        byte[][] files = files();
        Files.createDirectories(dir);
        Files.write(dir.resolve("vocab.json"), files[0]);
        Files.write(dir.resolve("merges.txt"), files[1]);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1024}");
    }

    /** The contents of vocab.json and merges.txt, built once per test run. */
    private static synchronized byte[][] files() throws IOException {
        if (files != null) {
            return files;
        }
        List<byte[]> tokenBytes = readTable();
        Map<String, Integer> rankOf = new HashMap<>(tokenBytes.size() * 2);
        for (int rank = 0; rank < tokenBytes.size(); rank++) {
            rankOf.put(latin1(tokenBytes.get(rank)), rank);
        }
        char[] symbolOf = bytesToUnicode();

        Map<String, Integer> vocab = new LinkedHashMap<>();
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (int rank = 0; rank < tokenBytes.size(); rank++) {
            byte[] bytes = tokenBytes.get(rank);
            vocab.put(symbols(bytes, symbolOf), rank);
            if (bytes.length == 1) {
                continue;
            }
            List<byte[]> parts = mergeWithLowerRanks(bytes, rank, rankOf);
            if (parts.size() != 2) {
                throw new IllegalStateException("token of rank " + rank + " does not end as two parts");
            }
            merges.append(symbols(parts.get(0), symbolOf)).append(' ').append(symbols(parts.get(1), symbolOf)).append('\n');
        }
        vocab.put("<|endoftext|>", END_OF_TEXT_ID);
        files = new byte[][] {new ObjectMapper().writeValueAsBytes(vocab), merges.toString().getBytes(StandardCharsets.UTF_8)};
        return files;
    }

    /** GPT-2 loaded through {@link TokenizerFiles#load} from a folder written once per test run. */
    public static ByteLevelBpeTokenizer shared() {
        if (shared == null) {
            synchronized (Gpt2TestFolder.class) {
                if (shared == null) {
                    try {
                        Path dir = Files.createTempDirectory("gpt2-tokenizer");
                        write(dir);
                        shared = (ByteLevelBpeTokenizer) TokenizerFiles.load(dir);
                        for (String name : List.of("vocab.json", "merges.txt", "tokenizer_config.json")) {
                            Files.delete(dir.resolve(name));
                        }
                        Files.delete(dir);
                    } catch (IOException problem) {
                        throw new UncheckedIOException(problem);
                    }
                }
            }
        }
        return shared;
    }

    /** The ids JTokkit's r50k_base gives {@code text}, special-token text encoded as plain text. */
    public static int[] referenceIds(String text) {
        return reference().encodeOrdinary(text).toArray();
    }

    private static List<byte[]> readTable() throws IOException {
        List<byte[]> tokens = new ArrayList<>();
        try (InputStream in = Gpt2TestFolder.class.getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IOException(TABLE + " is not on the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(" ");
                int rank = Integer.parseInt(fields[1]);
                if (rank != tokens.size()) {
                    throw new IOException(TABLE + ": rank " + rank + " out of order");
                }
                tokens.add(Base64.getDecoder().decode(fields[0]));
            }
        }
        return tokens;
    }

    /**
     * Byte-pair merging of {@code bytes} using only tokens with rank below {@code maxRank}: each step
     * joins the adjacent pair whose joined bytes have the lowest rank (the leftmost on a tie).
     */
    private static List<byte[]> mergeWithLowerRanks(byte[] bytes, int maxRank, Map<String, Integer> rankOf) {
        List<String> parts = new ArrayList<>();
        for (byte value : bytes) {
            parts.add(latin1(new byte[] {value}));
        }
        while (parts.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            int bestIndex = -1;
            for (int index = 0; index + 1 < parts.size(); index++) {
                Integer rank = rankOf.get(parts.get(index) + parts.get(index + 1));
                if (rank != null && rank < maxRank && rank < bestRank) {
                    bestRank = rank;
                    bestIndex = index;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            parts.set(bestIndex, parts.get(bestIndex) + parts.remove(bestIndex + 1));
        }
        List<byte[]> result = new ArrayList<>();
        for (String part : parts) {
            result.add(part.getBytes(StandardCharsets.ISO_8859_1));
        }
        return result;
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String symbols(byte[] bytes, char[] symbolOf) {
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte value : bytes) {
            text.append(symbolOf[value & 0xFF]);
        }
        return text.toString();
    }
}
