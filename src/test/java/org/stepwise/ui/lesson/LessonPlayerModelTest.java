package org.stepwise.ui.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.stepwise.lesson.Directive;
import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonParser;

/** The model a lesson step starts from when it is entered by stepping back or jumping. */
class LessonPlayerModelTest {

    @Test
    void aStepStartsFromTheLastModelChosenBeforeItUnlessItChoosesOneFirst() throws Exception {
        Lesson lesson = LessonParser.parse("en/07-test.md", "---\nid: 07-test\ntitle: Test\n---\n"
                + "## A\n@stage text\n"
                + "## B\n@model translation\n@sentence I have three red apples\n"
                + "## C\n@stage cross-softmax block=1\n"
                + "## D\n@model default\n@stage text\n"
                + "## E\n@sentence The cat\n@model variant seed=3\n"
                + "## F\n@stage tokens\n");
        assertNull(LessonPlayer.modelBefore(lesson, 0), "no model chosen yet");
        assertNull(LessonPlayer.modelBefore(lesson, 1), "the step chooses its own model first");
        assertEquals(new Directive.UseTranslation(), LessonPlayer.modelBefore(lesson, 2));
        assertNull(LessonPlayer.modelBefore(lesson, 3));
        assertEquals(Directive.UseModel.bundled(), LessonPlayer.modelBefore(lesson, 4),
                "a step that chooses its model later still starts from the one before");
        assertEquals(new Directive.UseModel(true, Map.of("seed", "3")), LessonPlayer.modelBefore(lesson, 5));
    }
}
