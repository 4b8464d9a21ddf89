package org.stepwise.ui.training;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A text to train on: one of the two bundled corpora (read from the classpath, as the bundled model is) or a
 * UTF-8 text file the user opened.
 *
 * @param name what the dashboard calls it (the file name for an opened file)
 * @param text the whole text
 */
public record Corpus(String name, String text) {

    /** Classpath folder of the bundled corpora ({@code assets/corpus} packed into the jar). */
    public static final String BUNDLED_FOLDER = "/assets/corpus/";
    /** Largest file the dashboard trains on: far more than a class can watch being learned. */
    public static final long MAX_FILE_BYTES = 8L << 20;

    /** Why a file cannot be a corpus; each reason has a {@code dashboard.corpus.*} message. */
    public enum Problem {
        UNREADABLE("dashboard.corpus.unreadable"),
        NOT_UTF8("dashboard.corpus.notUtf8"),
        EMPTY("dashboard.corpus.empty"),
        TOO_LARGE("dashboard.corpus.tooLarge");

        private final String messageKey;

        Problem(String messageKey) {
            this.messageKey = messageKey;
        }

        /** Bundle key of the message; its {0} is the file name. */
        public String messageKey() {
            return messageKey;
        }
    }

    /** A file that cannot be trained on, and why. */
    public static final class BadCorpusException extends IOException {
        private final Problem problem;
        private final String fileName;

        BadCorpusException(Problem problem, String fileName, String detail, Throwable cause) {
            super(fileName + ": " + detail, cause);
            this.problem = problem;
            this.fileName = fileName;
        }

        public Problem problem() {
            return problem;
        }

        public String fileName() {
            return fileName;
        }
    }

    public Corpus {
        if (name == null || text == null) {
            throw new IllegalArgumentException("a corpus needs a name and a text");
        }
        if (text.isBlank()) {
            throw new IllegalArgumentException("the corpus " + name + " is empty: there is nothing to train on");
        }
    }

    /** The bundled English corpus. */
    public static Corpus english() throws IOException {
        return bundled("english.txt");
    }

    /** The bundled Simplified Chinese corpus. */
    public static Corpus chinese() throws IOException {
        return bundled("chinese.txt");
    }

    private static Corpus bundled(String fileName) throws IOException {
        try (InputStream in = Corpus.class.getResourceAsStream(BUNDLED_FOLDER + fileName)) {
            if (in == null) {
                throw new IOException("the bundled corpus " + BUNDLED_FOLDER + fileName + " is missing from the classpath");
            }
            return new Corpus(fileName, decode(in.readAllBytes(), fileName));
        }
    }

    /**
     * Reads {@code file} as strict UTF-8 text.
     *
     * @throws BadCorpusException when it cannot be read, is not UTF-8, is empty or is larger than
     *                            {@link #MAX_FILE_BYTES}
     */
    public static Corpus open(Path file) throws BadCorpusException {
        String fileName = String.valueOf(file.getFileName());
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new BadCorpusException(Problem.TOO_LARGE, fileName,
                        size + " bytes is more than the " + MAX_FILE_BYTES + " a corpus may have", null);
            }
            bytes = Files.readAllBytes(file);
        } catch (BadCorpusException e) {
            throw e;
        } catch (IOException e) {
            throw new BadCorpusException(Problem.UNREADABLE, fileName, "cannot be read: " + e.getMessage(), e);
        }
        String text = decode(bytes, fileName);
        if (text.isBlank()) {
            throw new BadCorpusException(Problem.EMPTY, fileName, "holds no text to train on", null);
        }
        return new Corpus(fileName, text);
    }

    private static String decode(byte[] bytes, String fileName) throws BadCorpusException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new BadCorpusException(Problem.NOT_UTF8, fileName, "is not UTF-8 text", e);
        }
    }
}
