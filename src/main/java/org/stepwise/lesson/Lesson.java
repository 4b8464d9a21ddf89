package org.stepwise.lesson;

import java.nio.file.Path;
import java.util.List;

/**
 * One parsed lesson file: its id and title from the front matter, the intro shown in the lesson list,
 * and its steps in order.
 *
 * @param id       the file name without {@code .md}, e.g. {@code 05-one-attention-head}
 * @param title    the title from the front matter
 * @param intro    the Markdown before the first step (may be empty)
 * @param language the folder the file lives in ({@code en}, {@code zh}), empty when unknown
 * @param source   where the file was read from
 * @param steps    the steps, at least one
 */
public record Lesson(String id, String title, String intro, String language, Path source, List<LessonStep> steps) {

    public Lesson {
        if (id == null || title == null || intro == null || language == null || source == null || steps == null) {
            throw new IllegalArgumentException("every part of a lesson is required");
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("lesson " + id + " has no steps");
        }
        steps = List.copyOf(steps);
    }

    /** The step at {@code index} (0-based). */
    public LessonStep step(int index) {
        if (index < 0 || index >= steps.size()) {
            throw new IllegalArgumentException("step " + index + " is outside the lesson's " + steps.size() + " steps");
        }
        return steps.get(index);
    }
}
