package org.stepwise.model.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file (weights or config) that cannot be used, with a message that starts with the file and then says
 * the problem in plain words, e.g. {@code "run/config.json: n_embd (10) must be divisible by n_head (4)"}.
 */
public class ModelFileException extends IOException {

    private final Path file;
    private final String problem;

    public ModelFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file that has the problem. */
    public Path file() {
        return file;
    }

    /** The problem alone, without the file name in front. */
    public String problem() {
        return problem;
    }
}
