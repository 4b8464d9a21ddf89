package org.stepwise.train;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentence pairs for training a translation model, read from a .tsv file: one pair per line,
 * {@code source sentence<TAB>target sentence}, UTF-8 (e.g. {@code assets/corpus/en-zh/train.tsv},
 * English then Chinese). Blank lines are skipped; a line without exactly one tab, or with an empty side, is refused.
 */
public final class ParallelCorpus {

    /** One source sentence and its translation. */
    public record Pair(String source, String target) {
        public Pair {
            if (source == null || target == null || source.isBlank() || target.isBlank()) {
                throw new IllegalArgumentException("a pair needs a source and a target sentence");
            }
        }
    }

    private final List<Pair> pairs;

    public ParallelCorpus(List<Pair> pairs) {
        if (pairs == null || pairs.isEmpty()) {
            throw new IllegalArgumentException("a parallel corpus needs at least one pair");
        }
        this.pairs = List.copyOf(pairs);
    }

    /**
     * Reads a .tsv file of pairs.
     *
     * @throws IOException naming the file (and the line) when it is missing, not UTF-8, empty, or a line is not
     *                     {@code source<TAB>target}
     */
    public static ParallelCorpus read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            throw new IOException(file + ": no such file", missing);
        }
        return parse(bytes, file.toString());
    }

    /** Reads the pairs on the classpath at {@code resource} (e.g. {@code /assets/corpus/en-zh/train.tsv}). */
    public static ParallelCorpus readResource(String resource) throws IOException {
        try (java.io.InputStream in = ParallelCorpus.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is missing from the classpath");
            }
            return parse(in.readAllBytes(), resource);
        }
    }

    /**
     * Reads the pairs of a .tsv file's bytes (Not modified).
     *
     * @param file what to call the file in an error message
     * @throws IOException naming the file (and the line) as {@link #read} does
     */
    public static ParallelCorpus parse(byte[] bytes, String file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw new IOException(file + ": not UTF-8 text", notUtf8);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Pair> pairs = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int index = 0; index < lines.length; index++) {
            String line = lines[index];
            if (line.isBlank()) {
                continue;
            }
            String[] sides = line.split("\t", -1);
            if (sides.length != 2) {
                throw new IOException(file + ", line " + (index + 1) + ": expected \"source<TAB>target\" but found "
                        + (sides.length - 1) + " tabs");
            }
            if (sides[0].isBlank() || sides[1].isBlank()) {
                throw new IOException(file + ", line " + (index + 1) + ": the " + (sides[0].isBlank() ? "source" : "target")
                        + " sentence is empty");
            }
            pairs.add(new Pair(sides[0].strip(), sides[1].strip()));
        }
        if (pairs.isEmpty()) {
            throw new IOException(file + ": holds no sentence pairs");
        }
        return new ParallelCorpus(pairs);
    }

    public List<Pair> pairs() {
        return pairs;
    }

    public int size() {
        return pairs.size();
    }

    /** Every source sentence, joined by single spaces (for training a word tokenizer on the source language). */
    public String sourceText() {
        return String.join(" ", pairs.stream().map(Pair::source).toList());
    }

    /** Every target sentence, joined with nothing between (for training a character tokenizer on the target language). */
    public String targetText() {
        return String.join("", pairs.stream().map(Pair::target).toList());
    }
}
