package org.stepwise.lesson;

import java.util.Collections;
import java.util.List;

/**
 * One step of a lesson: a title, Markdown text (with {@code $...$} and {@code $$...$$} math) shown first,
 * then the directives run in order.
 *
 * @param title          the text of the step's {@code ## } heading
 * @param text           the step's Markdown without its directive lines and question texts
 * @param directives     the actions and questions of the step, in file order
 * @param line           1-based line of the step's heading
 * @param directiveLines 1-based line of each directive, parallel to {@code directives}
 */
public record LessonStep(String title, String text, List<Directive> directives, int line, List<Integer> directiveLines) {

    public LessonStep {
        if (title == null || text == null || directives == null || directiveLines == null) {
            throw new IllegalArgumentException("title, text and directives are required");
        }
        if (directives.size() != directiveLines.size()) {
            throw new IllegalArgumentException(directives.size() + " directives but " + directiveLines.size() + " lines");
        }
        directives = List.copyOf(directives);
        directiveLines = List.copyOf(directiveLines);
    }

    /** A step whose directives all sit on the heading's line (for steps built in code). */
    public LessonStep(String title, String text, List<Directive> directives, int line) {
        this(title, text, directives, line, Collections.nCopies(directives.size(), line));
    }

    /** The 1-based file line of directive {@code index}. */
    public int directiveLine(int index) {
        if (index < 0 || index >= directiveLines.size()) {
            throw new IllegalArgumentException("directive " + index + " is outside the step's " + directiveLines.size());
        }
        return directiveLines.get(index);
    }
}
