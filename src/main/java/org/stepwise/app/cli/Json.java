package org.stepwise.app.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON in and out for the command line: one compact object per line, and JSON-lines input files. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** One compact line of JSON for {@code value}. */
    static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The non-blank lines of a JSON-lines file, each parsed; a bad line names the file and line number. */
    static List<JsonNode> readLines(Path file) {
        List<String> lines = readUtf8Lines(file);
        List<JsonNode> values = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                values.add(MAPPER.readTree(text));
            } catch (JsonProcessingException e) {
                throw new BadInputException(file + ", line " + (i + 1) + ": not valid JSON ("
                        + e.getOriginalMessage() + ")");
            }
        }
        return values;
    }

    /** The lines of a UTF-8 text file; a missing or unreadable file is bad input. */
    static List<String> readUtf8Lines(Path file) {
        return List.of(readUtf8(file).split("\r?\n", -1));
    }

    /** A whole UTF-8 text file; a missing, unreadable or non-UTF-8 file is bad input. */
    static String readUtf8(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("no such file: " + file);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
