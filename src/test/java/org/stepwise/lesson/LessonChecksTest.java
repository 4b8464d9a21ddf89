package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stepwise.app.DefaultModel;
import org.stepwise.app.TranslationModel;
import org.stepwise.model.io.LoadedModel;

/** The lesson checks on fixtures: a lesson that plays through, and each kind of problem found with its line. */
class LessonChecksTest {
    private static final Path FIXTURES = Path.of("src/test/resources/lessons-fixtures");
    private static final String FRONT = "---\nid: 07-test\ntitle: Test\n---\n";
    private static LoadedModel bundled;

    @BeforeAll
    static void load() throws IOException {
        bundled = DefaultModel.load();
    }

    @Test
    void everyDirectiveFixturePlaysThroughInBothLanguages() throws Exception {
        Lesson english = LessonParser.parse(FIXTURES.resolve("en/01-every-directive.md"));
        Lesson chinese = LessonParser.parse(FIXTURES.resolve("zh/01-every-directive.md"));
        assertEquals(List.of(), LessonChecks.check(english, bundled));
        assertEquals(List.of(), LessonChecks.check(chinese, bundled));
        assertEquals(List.of(), LessonChecks.languageProblems(english, chinese));
    }

    @Test
    void stagesFollowTheModelInUse() throws Exception {
        List<String> problems = problems("## A\n@sentence The cat sat\n"
                + "@stage router block=1\n"                       // 7: the bundled model is dense
                + "@model variant experts=4\n@stage router block=1\n@stage ffn-up block=1\n" // 10: not in a MoE
                + "@model variant norm=post_ln\n@stage final-layer-norm\n"                    // 12: post-LN has none
                + "@model default\n@stage qkv block=3\n"                                      // 14: 2 blocks
                + "@stage scores block=1 head=5\n"                                            // 15: 4 heads
                + "@stage final-layer-norm\n");
        assertEquals(5, problems.size(), problems.toString());
        assertLine(problems.get(0), 7, "has no stage router in block 1");
        assertLine(problems.get(1), 10, "has no stage ffn-up in block 1");
        assertLine(problems.get(2), 12, "has no stage final-layer-norm");
        assertLine(problems.get(3), 14, "has no stage qkv in block 3");
        assertLine(problems.get(4), 15, "head 5 is past the model's 4 heads");
    }

    @Test
    void selectionsAndQuestionsNeedASentenceThatFits() throws Exception {
        List<String> problems = problems("## A\n@question token-count\nHow many?\n"           // 6: no sentence
                + "@select token=1\n"                                                        // 8: no sentence
                + "@question parameter-share part=attention\nShare?\n"                       // fine without one
                + "@sentence The cat sat\n@select token=30\n"                                // 12: too far
                + "@question attends-most block=1 head=1 token=30\nWhich?\n"                 // 13
                + "@question shape tensor=Z stage=qkv block=1\nShape?\n"                     // 15
                + "@model variant kv-heads=3\n");                                            // 17: 3 does not divide 4
        assertEquals(6, problems.size(), problems.toString());
        assertLine(problems.get(0), 6, "needs a sentence");
        assertLine(problems.get(1), 8, "no sentence yet");
        assertLine(problems.get(2), 12, "token 30 is past the sentence's");
        assertLine(problems.get(3), 13, "token 30 is past the sentence's");
        assertLine(problems.get(4), 15, "stage qkv shows no tensor Z");
        assertLine(problems.get(5), 17, "nKvHead (3) must divide nHead (4)");
    }

    @Test
    void afterModelTranslationStagesAndQuestionsAreTheTranslationModels() throws Exception {
        String steps = "## A\n@target 我\n"                                                    // 6: not yet
                + "@stage cross-qkv block=1\n"                                                 // 7: not yet
                + "@stage qkv block=1 encoder\n"                                               // 8: not yet
                + "@model translation\n@question token-count\nHow many?\n"                   // 10: no source
                + "@sentence I have three red apples\n@target 我有三个红色的苹果。\n"
                + "@stage cross-softmax block=1 head=2\n@stage attention-softmax block=2 head=4 encoder\n"
                + "@stage cross-scores block=3\n"                                              // 16: 2 decoder blocks
                + "@stage qkv block=3 encoder\n"                                               // 17: 2 encoder blocks
                + "@stage cross-qkv block=1 head=5\n"                                          // 18: 4 heads
                + "@stage tokens encoder\n@select token=6\n"                                  // 20: 5 source tokens
                + "@stage tokens\n@select token=11\n@select token=12\n"                      // 23: 11 target tokens
                + "@question attends-most stage=cross-softmax block=2 head=1 token=3\nWhich?\n"
                + "@question attends-most block=1 head=3 token=6 encoder\nWhich?\n"           // 26: 5 source tokens
                + "@question shape tensor=S stage=cross-scores block=2\nShape?\n"
                + "@question parameter-share part=ffn\nShare?\n"                               // 30: decoder-only
                + "@panel all-heads\n"                                                         // 32: not here
                + "@select token=none\n@sampling temperature=0.5\n@highlight stage\n@train pause\n"
                + "@translate\n@model default\n@stage cross-scores block=1\n"                // 39: gone again
                + "@question attends-most stage=cross-softmax block=1 head=1 token=1\nWhich?\n"; // 40: no translation
        Lesson lesson = LessonParser.parse("en/07-test.md", FRONT + steps);
        List<String> problems = LessonChecks.check(lesson, bundled, TranslationModel.load());
        assertEquals(14, problems.size(), String.join("\n", problems));
        assertLine(problems.get(0), 6, "@target needs the translation model on screen (@model translation first)");
        assertLine(problems.get(1), 7, "stage cross-qkv is a stage of the translation model");
        assertLine(problems.get(2), 8, "stage qkv encoder is a stage of the translation model");
        assertLine(problems.get(3), 10, "this question needs a sentence on screen");
        assertLine(problems.get(4), 16, "the translation model has no stage cross-scores in decoder block 3");
        assertLine(problems.get(5), 17, "the translation model has no stage qkv in encoder block 3");
        assertLine(problems.get(6), 18, "head 5 is past the model's 4 heads");
        assertLine(problems.get(7), 20, "token 6 is past the source's 5 tokens");
        assertLine(problems.get(8), 23, "token 12 is past the target's 11 tokens");
        assertLine(problems.get(9), 26, "token 6 is past the source's 5 tokens");
        assertLine(problems.get(10), 30, "parameter-share counts a decoder-only model's parts");
        assertLine(problems.get(11), 32, "@panel all-heads does not act on the translation model");
        assertLine(problems.get(12), 39, "stage cross-scores is a stage of the translation model");
        assertLine(problems.get(13), 40, "the cross-attention pattern needs the translation model on screen");

        assertTrue(LessonChecks.check(lesson, bundled).stream().anyMatch(problem -> problem.contains(
                ":9: @model translation: no translation model to check the lesson against")));
    }

    @Test
    void languageVersionsMustMatchStepByStep() throws Exception {
        Lesson english = LessonParser.parse("en/07-test.md", FRONT
                + "## A\n@stage qkv block=1\n@question choice correct=1\nWhich?\n- a\n- b\n## B\n@select token=1\n");
        Lesson sameInChinese = LessonParser.parse("zh/07-test.md", FRONT
                + "## 甲\n@stage qkv block=1\n@question choice correct=1\n哪个？\n- 甲\n- 乙\n## 乙\n@select token=1\n");
        assertEquals(List.of(), LessonChecks.languageProblems(english, sameInChinese));

        Lesson different = LessonParser.parse("zh/07-test.md", FRONT
                + "## 甲\n@stage qkv block=2\n@question choice correct=1\n哪个？\n- 甲\n- 乙\n- 丙\n## 乙\n");
        List<String> problems = LessonChecks.languageProblems(english, different);
        assertEquals(3, problems.size(), problems.toString());
        assertLine(problems.get(0), 6, "@stage qkv block=2 differs from en/07-test.md:6: @stage qkv block=1");
        assertLine(problems.get(1), 7, "@question choice correct=1 (3 options) differs");
        assertLine(problems.get(2), 12, "step 2 has 0 directives, but en/07-test.md:11 has 1");

        Lesson shorter = LessonParser.parse("zh/07-test.md", FRONT + "## 甲\n@stage qkv block=1\n");
        assertTrue(LessonChecks.languageProblems(english, shorter).get(0).contains("1 steps, but en/07-test.md has 2"));
    }

    private static List<String> problems(String steps) throws LessonFormatException {
        return LessonChecks.check(LessonParser.parse("en/07-test.md", FRONT + steps), bundled);
    }

    private static void assertLine(String problem, int line, String fragment) {
        assertTrue(problem.startsWith(Path.of("en/07-test.md") + ":" + line + ": ")
                || problem.startsWith(Path.of("zh/07-test.md") + ":" + line + ": "), problem);
        assertTrue(problem.contains(fragment), () -> problem + " lacks " + fragment);
    }
}
