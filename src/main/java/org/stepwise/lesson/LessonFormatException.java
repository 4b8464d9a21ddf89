package org.stepwise.lesson;

/** A lesson file that breaks the lesson format, with the file and the 1-based line where it goes wrong. */
public final class LessonFormatException extends Exception {
    private final String file;
    private final int line;
    private final String problem;

    /**
     * @param file    the lesson file's name or path as given to the parser
     * @param line    1-based line of the problem (0 when it concerns the whole file)
     * @param problem what is wrong, in a sentence
     */
    public LessonFormatException(String file, int line, String problem) {
        super(file + (line > 0 ? ":" + line : "") + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    public String file() {
        return file;
    }

    /** 1-based line number, 0 when the problem concerns the whole file. */
    public int line() {
        return line;
    }

    /** What is wrong, without the file and line. */
    public String problem() {
        return problem;
    }
}
