package org.stepwise.ui.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.stepwise.ui.lesson.LessonText.Block;
import org.stepwise.ui.lesson.LessonText.Run;

/** How a step's Markdown is cut into paragraphs, bullets and formulas, and a paragraph into styled runs. */
class LessonTextTest {

    @Test
    void paragraphsBulletsAndDisplayMathAreSeparateBlocks() {
        List<Block> blocks = LessonText.blocks("First line\nsecond line.\n\n- one\n- two\n$$S = \\frac{QK^\\top}{4}$$\n"
                + "After.\n$$\nA = B\n+ C\n$$");
        assertEquals(List.of(
                new Block(Block.Kind.PARAGRAPH, "First line second line."),
                new Block(Block.Kind.BULLET, "one"),
                new Block(Block.Kind.BULLET, "two"),
                new Block(Block.Kind.DISPLAY_MATH, "S = \\frac{QK^\\top}{4}"),
                new Block(Block.Kind.PARAGRAPH, "After."),
                new Block(Block.Kind.DISPLAY_MATH, "A = B\n+ C")), blocks);
    }

    @Test
    void anUnclosedFormulaIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> LessonText.blocks("$$ x = 1\nno end"));
    }

    @Test
    void boldCodeAndInlineMathAreRunsAndLoneMarkersStayText() {
        assertEquals(List.of(
                new Run(Run.Style.PLAIN, "The "),
                new Run(Run.Style.BOLD, "query"),
                new Run(Run.Style.PLAIN, " of "),
                new Run(Run.Style.CODE, "sat"),
                new Run(Run.Style.PLAIN, " is "),
                new Run(Run.Style.MATH, "q_3"),
                new Run(Run.Style.PLAIN, "; it costs $5 and a * star.")),
                LessonText.runs("The **query** of `sat` is $q_3$; it costs $5 and a * star."));
    }

    @Test
    void aDisplayFormulaIsCutAtTopLevelQquadOnly() {
        assertEquals(List.of("Z = AV", "[T \\times T] = [T]"),
                LessonText.splitTopLevel("Z = AV \\qquad [T \\times T] = [T]", "\\qquad"));
        assertEquals(List.of("\\text{a \\qquad b}", "\\qquadrant"),
                LessonText.splitTopLevel("\\text{a \\qquad b} \\qquad \\qquadrant", "\\qquad"));
    }
}
