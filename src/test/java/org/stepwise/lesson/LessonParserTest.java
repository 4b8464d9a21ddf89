package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;
import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/** The lesson parser: every directive of the format read from a fixture, and every error with its line. */
class LessonParserTest {
    private static final Path FIXTURES = Path.of("src/test/resources/lessons-fixtures");
    private static final String FRONT = "---\nid: 07-test\ntitle: Test\n---\n";

    @Test
    void readsFrontMatterIntroAndSteps() throws Exception {
        Lesson lesson = LessonParser.parse(FIXTURES.resolve("en/01-every-directive.md"));
        assertEquals("01-every-directive", lesson.id());
        assertEquals("Every directive once", lesson.title());
        assertEquals("en", lesson.language());
        assertEquals("A fixture lesson that uses each directive of the format.", lesson.intro());
        assertEquals(List.of("Q, K and V", "Scores", "Output", "Training and models"),
                lesson.steps().stream().map(LessonStep::title).toList());
        assertEquals(List.of(7, 17, 30, 42), lesson.steps().stream().map(LessonStep::line).toList());
        LessonStep first = lesson.step(0);
        assertTrue(first.text().startsWith("Each token asks a question $q_i$"), first.text());
        assertTrue(first.text().contains("$$\ns_{ij} = \\frac{q_i \\cdot k_j}{\\sqrt{d}}\n$$"), first.text());
        assertFalse(first.text().contains("@sentence"), first.text());
        assertEquals(List.of(14, 15), first.directiveLines());
    }

    @Test
    void readsEachDirectiveWithZeroBasedIndices() throws Exception {
        Lesson lesson = LessonParser.parse(FIXTURES.resolve("en/01-every-directive.md"));
        assertEquals(List.of(new Directive.SetSentence("The cat sat on the mat"),
                new Directive.GoToStage(Stage.Kind.QKV, 0, 1)), lesson.step(0).directives());

        LessonStep scores = lesson.step(1);
        assertTrue(scores.text().contains("@stage this line is code"), "a fenced line stays text: " + scores.text());
        assertEquals(new Directive.GoToStage(Stage.Kind.SCORES, 0, 1), scores.directives().get(0));
        assertEquals(new Directive.SelectToken(2), scores.directives().get(1));
        Directive.Question attends = (Directive.Question) scores.directives().get(2);
        assertEquals(new Directive.Ask.AttendsMost(0, 1, 2), attends.ask());
        assertEquals("Which earlier token does token 3 attend to most in head 2?", attends.text());
        assertTrue(((Directive.SelectToken) scores.directives().get(3)).clears());
        Directive.Question shape = (Directive.Question) scores.directives().get(4);
        assertEquals(new Directive.Ask.Shape("Q", Stage.Kind.QKV, 0), shape.ask());
        assertEquals(List.of(21, 22, 23, 26, 27), scores.directiveLines());

        List<Directive> output = lesson.step(2).directives();
        assertEquals(new Directive.GoToStage(Stage.Kind.NEXT_TOKEN, -1, -1), output.get(0));
        Directive.SetSampling sampling = (Directive.SetSampling) output.get(1);
        assertEquals(new Directive.SetSampling(OptionalDouble.of(0.7), OptionalInt.of(5), OptionalDouble.of(0.9)), sampling);
        assertEquals(new SamplingSettings(0.7, 5, 0.9), sampling.applyTo(SamplingSettings.PLAIN));
        assertEquals(new Directive.Ask.TokenCount(), ((Directive.Question) output.get(2)).ask());
        assertEquals(new Directive.Ask.MostLikelyNext(), ((Directive.Question) output.get(3)).ask());
        assertEquals(new Directive.Highlight(Directive.Highlight.Panel.LOSS_CHART), output.get(4));
        assertEquals(new Directive.OpenPanel(Directive.OpenPanel.SideView.PARAMETER_COUNT), output.get(5));
        assertEquals(new Directive.Ask.ParameterShare(Directive.Ask.ParameterShare.Part.FFN),
                ((Directive.Question) output.get(6)).ask());

        List<Directive> training = lesson.step(3).directives();
        Directive.UseModel variant = (Directive.UseModel) training.get(0);
        assertTrue(variant.variant());
        assertEquals("rope", variant.options().get("positional"));
        assertEquals(Tokenizer.Kind.WORD, variant.tokenizer().orElseThrow());
        assertEquals(7L, variant.seed().getAsLong());
        ModelConfig changed = variant.configFor(ModelConfig.gpt2Like(384, 64, 2, 4, 64));
        assertEquals(ModelConfig.Norm.POST_LN, changed.norm());
        assertEquals(ModelConfig.Positional.ROPE, changed.positional());
        assertEquals(2, changed.nKvHead());
        assertEquals(ModelConfig.Activation.RELU, changed.activation());
        assertEquals(4, changed.nExperts());
        assertEquals(2, changed.topK());
        assertFalse(changed.tiedOutput());
        assertEquals(new Directive.GoToStage(Stage.Kind.ROUTER, 1, -1), training.get(1));
        assertEquals(Directive.UseModel.bundled(), training.get(2));
        assertEquals(List.of(
                new Directive.TrainSetting(Directive.TrainSetting.Key.LR, "0.001"),
                new Directive.TrainSetting(Directive.TrainSetting.Key.OPTIMIZER, "adamw"),
                new Directive.TrainSetting(Directive.TrainSetting.Key.STRATEGY, "batch"),
                new Directive.TrainSetting(Directive.TrainSetting.Key.SPEED, "full"),
                new Directive.TrainSetting(Directive.TrainSetting.Key.BATCH, "8"),
                new Directive.TrainCommand(Directive.TrainCommand.Action.START),
                new Directive.TrainCommand(Directive.TrainCommand.Action.PAUSE),
                new Directive.OpenPanel(Directive.OpenPanel.SideView.ALL_HEADS)), training.subList(3, 11));
        Directive.Question choice = (Directive.Question) training.get(11);
        assertEquals(new Directive.Ask.Choice(1), choice.ask());
        assertEquals("Why does the mask hide later tokens?", choice.text());
        assertEquals(List.of("To save memory", "So a token cannot see the future", "Because softmax needs it"),
                choice.options());
    }

    @Test
    void fileTextOfEachDirectiveParsesBackToIt() throws Exception {
        Lesson lesson = LessonParser.parse(FIXTURES.resolve("en/01-every-directive.md"));
        StringBuilder rewritten = new StringBuilder(FRONT).append("## All\n");
        List<Directive> all = lesson.steps().stream().flatMap(step -> step.directives().stream()).toList();
        for (Directive directive : all) {
            if (directive instanceof Directive.Question question) {
                rewritten.append(directive.fileText().replaceAll(" \\(\\d+ options\\)$", "")).append('\n')
                        .append(question.text()).append('\n');
                question.options().forEach(option -> rewritten.append("- ").append(option).append('\n'));
            } else {
                rewritten.append(directive.fileText()).append('\n');
            }
        }
        assertEquals(all, LessonParser.parse("07-test.md", rewritten.toString()).step(0).directives());
        assertEquals("@stage scores block=1 head=2", all.get(2).fileText());
        assertEquals("@question attends-most block=1 head=2 token=3", all.get(4).fileText());
        assertEquals("@sampling temperature=0.7 top-k=5 top-p=0.9", all.get(8).fileText());
    }

    @Test
    void stageKindsAcceptDashesAndUnderscores() throws Exception {
        Lesson lesson = LessonParser.parse("07-test.md", FRONT
                + "## A\n@stage layer-norm-1 block=2\n@stage layer_norm_2 block=1 head=4\n@stage final-layer-norm\n");
        assertEquals(List.of(new Directive.GoToStage(Stage.Kind.LAYER_NORM_1, 1, -1),
                new Directive.GoToStage(Stage.Kind.LAYER_NORM_2, 0, 3),
                new Directive.GoToStage(Stage.Kind.FINAL_LAYER_NORM, -1, -1)), lesson.step(0).directives());
        assertEquals("", lesson.language());
    }

    @Test
    void modelDefaultTopKAloneNeedsExperts() throws Exception {
        Lesson lesson = LessonParser.parse("07-test.md", FRONT + "## A\n@model variant experts=3\n@model variant top-k=1\n");
        ModelConfig base = ModelConfig.gpt2Like(384, 64, 2, 4, 64);
        ModelConfig moe = ((Directive.UseModel) lesson.step(0).directives().get(0)).configFor(base);
        assertEquals(3, moe.nExperts());
        assertEquals(Directive.UseModel.DEFAULT_EXPERTS_PER_TOKEN, moe.topK());
        Directive.UseModel topKOnly = (Directive.UseModel) lesson.step(0).directives().get(1);
        assertThrows(IllegalArgumentException.class, () -> topKOnly.configFor(base));
        assertEquals(1, topKOnly.configFor(moe).topK());
    }

    /** Each broken file names its file, the line of the problem and what is wrong. */
    @Test
    void errorsNameFileLineAndProblem() {
        assertError("", 1, "missing front matter");
        assertError("# Title\n## A\n", 1, "missing front matter");
        assertError("---\nid: 07-test\n", 1, "not closed");
        assertError("---\ntitle: Test\n---\n## A\n", 1, "no id");
        assertError("---\nid: 07-test\n---\n## A\n", 1, "no title");
        assertError("---\nid: 08-other\ntitle: T\n---\n## A\n", 1, "id 08-other differs from the file name 07-test");
        assertError("---\nid: 07-test\ntitle: T\nauthor: me\n---\n## A\n", 4, "unknown front matter key author");
        assertError(FRONT + "Intro\n", 0, "no steps");
        assertError(FRONT + "Intro\n@stage text\n## A\n", 6, "before the first '## ' step");
        assertError(FRONT + "## A\ntext\n\n@jump somewhere\n", 8, "unknown directive @jump");
        assertError(FRONT + "## A\n@sentence\n", 6, "@sentence: a sentence needs some text");
        assertError(FRONT + "## A\n@stage scores\n", 6, "stage scores needs block=N");
        assertError(FRONT + "## A\n@stage logits block=1\n", 6, "stage logits lies outside the blocks");
        assertError(FRONT + "## A\n@stage attention block=1\n", 6, "unknown stage kind attention");
        assertError(FRONT + "## A\n@stage qkv block=0\n", 6, "block counts from 1");
        assertError(FRONT + "## A\n@stage qkv block=two\n", 6, "block must be a whole number");
        assertError(FRONT + "## A\n@stage qkv block=1 token=2\n", 6, "unknown argument token=");
        assertError(FRONT + "## A\n@select token=0\n", 6, "token counts from 1");
        assertError(FRONT + "## A\n@select\n", 6, "token= is required");
        assertError(FRONT + "## A\n@sampling\n", 6, "needs temperature=, top-k= or top-p=");
        assertError(FRONT + "## A\n@sampling temperature=-1\n", 6, "temperature must be a finite number");
        assertError(FRONT + "## A\n@sampling top-p=1.5\n", 6, "topP must be in (0, 1]");
        assertError(FRONT + "## A\n@sampling top-k=3.5\n", 6, "top-k must be a whole number");
        assertError(FRONT + "## A\n@model bundled\n", 6, "expected default, translation or variant");
        assertError(FRONT + "## A\n@model default norm=post_ln\n", 6, "unknown argument norm=");
        assertError(FRONT + "## A\n@model variant\n", 6, "needs at least one KEY=VALUE");
        assertError(FRONT + "## A\n@model variant norm=mid_ln\n", 6, "norm must be one of pre_ln, post_ln");
        assertError(FRONT + "## A\n@model variant layers=3\n", 6, "unknown model option layers");
        assertError(FRONT + "## A\n@model variant kv-heads=0\n", 6, "kv-heads must be at least 1");
        assertError(FRONT + "## A\n@train jump\n", 6, "unknown action jump");
        assertError(FRONT + "## A\n@train set lr=-0.1\n", 6, "lr must be a positive number");
        assertError(FRONT + "## A\n@train set momentum=0.9\n", 6, "unknown setting momentum");
        assertError(FRONT + "## A\n@train set optimizer=adam\n", 6, "optimizer must be one of sgd, adamw");
        assertError(FRONT + "## A\n@train set speed=fast\n", 6, "speed must be a whole number");
        assertError(FRONT + "## A\n@train set lr=0.1 batch=4\n", 6, "takes one KEY=VALUE");
        assertError(FRONT + "## A\n@highlight window\n", 6, "unknown panel window");
        assertError(FRONT + "## A\n@panel heads\n", 6, "unknown panel heads");
        assertError(FRONT + "## A\n@question\n", 6, "write @question KIND");
        assertError(FRONT + "## A\n@question guess\nWhat?\n", 6, "unknown question kind guess");
        assertError(FRONT + "## A\n@question token-count\n\nlater text\n", 6, "the question has no text");
        assertError(FRONT + "## A\n@question attends-most block=1 head=1\nWhich?\n", 6, "token= is required");
        assertError(FRONT + "## A\n@question shape tensor=Q stage=qkv\nShape?\n", 6, "stage qkv needs block=N");
        assertError(FRONT + "## A\n@question parameter-share part=norms\nShare?\n", 6, "unknown part norms");
        assertError(FRONT + "## A\n@question choice correct=3\nWhich?\n- one\n- two\n", 6,
                "correct=3 but there are only 2 options");
        assertError(FRONT + "## A\n@question choice correct=1\nWhich?\n- one\n", 6, "at least two '- option' lines");
        assertError(FRONT + "## \n", 5, "needs a title");
    }

    @Test
    void readsTheTranslationModelsDirectives() throws Exception {
        Lesson lesson = LessonParser.parse("en/07-test.md", FRONT + "## A\n@model translation\n"
                + "@sentence I have three red apples\n@target 我有三个\n@translate\n"
                + "@stage attention-softmax block=1 head=2 encoder\n@stage cross-softmax block=2 head=1\n"
                + "@stage encoder text\n@select token=3\n"
                + "@question attends-most stage=cross-softmax block=2 head=1 token=3\nWhich word?\n"
                + "@question attends-most block=1 head=3 token=1 encoder\nWhich later word?\n"
                + "@question shape tensor=S stage=cross-scores block=2\nShape?\n"
                + "@question shape tensor=A stage=attention-softmax block=1 encoder\nShape?\n");
        List<Directive> directives = lesson.step(0).directives();
        assertEquals(new Directive.UseTranslation(), directives.get(0));
        assertEquals(new Directive.SetSentence("I have three red apples"), directives.get(1));
        assertEquals(new Directive.SetTarget("我有三个"), directives.get(2));
        assertEquals(new Directive.Translate(), directives.get(3));
        assertEquals(new Directive.GoToStage(Stage.Kind.ATTENTION_SOFTMAX, 0, 1, true), directives.get(4));
        assertEquals(Stage.ofEncoder(Stage.Kind.ATTENTION_SOFTMAX, 0), ((Directive.GoToStage) directives.get(4)).stage());
        assertEquals(new Directive.GoToStage(Stage.Kind.CROSS_SOFTMAX, 1, 0), directives.get(5));
        assertEquals(Stage.ofEncoder(Stage.Kind.TEXT), ((Directive.GoToStage) directives.get(6)).stage());
        assertEquals(new Directive.SelectToken(2), directives.get(7));
        assertEquals(new Directive.Ask.AttendsMost(1, 0, 2, Stage.Kind.CROSS_SOFTMAX, false),
                ((Directive.Question) directives.get(8)).ask());
        assertEquals(new Directive.Ask.AttendsMost(0, 2, 0, Stage.Kind.ATTENTION_SOFTMAX, true),
                ((Directive.Question) directives.get(9)).ask());
        assertEquals(new Directive.Ask.Shape("S", Stage.Kind.CROSS_SCORES, 1), ((Directive.Question) directives.get(10)).ask());
        assertEquals(new Directive.Ask.Shape("A", Stage.Kind.ATTENTION_SOFTMAX, 0, true),
                ((Directive.Question) directives.get(11)).ask());
        assertEquals(List.of("@model translation", "@sentence I have three red apples", "@target 我有三个", "@translate",
                "@stage attention-softmax block=1 head=2 encoder", "@stage cross-softmax block=2 head=1",
                "@stage text encoder", "@select token=3",
                "@question attends-most block=2 head=1 token=3 stage=cross-softmax",
                "@question attends-most block=1 head=3 token=1 encoder",
                "@question shape tensor=S stage=cross-scores block=2",
                "@question shape tensor=A stage=attention-softmax block=1 encoder"),
                directives.stream().map(Directive::fileText).toList());
    }

    @Test
    void badTranslationDirectivesNameTheirLineAndProblem() {
        assertError(FRONT + "## A\n@model translation en-zh\n", 6, "write @model default, @model translation");
        assertError(FRONT + "## A\n@model translation seed=3\n", 6, "unknown argument seed= (this directive takes none)");
        assertError(FRONT + "## A\n@target\n", 6, "@target: a target needs some text");
        assertError(FRONT + "## A\n@translate now\n", 6, "@translate: unexpected word now");
        assertError(FRONT + "## A\n@translate steps=3\n", 6, "unknown argument steps=");
        assertError(FRONT + "## A\n@stage cross-qkv block=1 encoder\n", 6,
                "the encoder has no cross-qkv stage (cross-attention is in the decoder");
        assertError(FRONT + "## A\n@stage causal-mask block=1 encoder\n", 6, "the encoder has no causal-mask stage");
        assertError(FRONT + "## A\n@stage logits encoder\n", 6, "the encoder has no logits stage");
        assertError(FRONT + "## A\n@stage qkv block=1 encoder encoder\n", 6, "the word encoder is given twice");
        assertError(FRONT + "## A\n@stage cross-scores\n", 6, "stage cross-scores needs block=N");
        assertError(FRONT + "## A\n@question attends-most stage=cross-scores block=1 head=1 token=1\nWhich?\n", 6,
                "attends-most reads the pattern of stage attention-softmax or cross-softmax, got cross-scores");
        assertError(FRONT + "## A\n@question attends-most stage=cross-softmax block=1 head=1 token=1 encoder\nW?\n",
                6, "the encoder has no cross-attention");
        assertError(FRONT + "## A\n@question attends-most stage=crosss block=1 head=1 token=1\nWhich?\n", 6,
                "unknown stage kind crosss");
        assertError(FRONT + "## A\n@question token-count encoder\nHow many?\n", 6,
                "only attends-most and shape take the word encoder");
    }

    @Test
    void questionTextEndsAtBlankLineDirectiveOrHeading() throws Exception {
        Lesson lesson = LessonParser.parse("07-test.md", FRONT
                + "## A\n@question token-count\nHow many\ntokens?\nStill the question.\n\nStep text after.\n"
                + "@question most-likely-next\nNext?\n@stage logits\n## B\n@question token-count\nCount?\n## C\n");
        LessonStep step = lesson.step(0);
        assertEquals("How many\ntokens?\nStill the question.", ((Directive.Question) step.directives().get(0)).text());
        assertEquals("Step text after.", step.text());
        assertEquals("Next?", ((Directive.Question) step.directives().get(1)).text());
        assertEquals(new Directive.GoToStage(Stage.Kind.LOGITS, -1, -1), step.directives().get(2));
        assertEquals("Count?", ((Directive.Question) lesson.step(1).directives().get(0)).text());
        assertEquals(3, lesson.steps().size());
    }

    @Test
    void windowsLineEndingsAndByteOrderMarkAreRead() throws Exception {
        Lesson lesson = LessonParser.parse("zh/07-test.md",
                "\uFEFF---\r\nid: 07-test\r\ntitle: Test\r\n---\r\n## A\r\n@select token=2\r\n");
        assertEquals(new Directive.SelectToken(1), lesson.step(0).directives().get(0));
        assertEquals("zh", lesson.language());
    }

    @Test
    void directivesAndAsksCheckTheirArgumentsInCodeToo() {
        assertThrows(IllegalArgumentException.class, () -> new Directive.GoToStage(Stage.Kind.QKV, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Directive.UseModel(false, Map.of("norm", "pre_ln")));
        assertThrows(IllegalArgumentException.class, () -> new Directive.Question(new Directive.Ask.TokenCount(),
                "How many?", List.of("one", "two")));
    }

    private static void assertError(String text, int line, String fragment) {
        LessonFormatException error = assertThrows(LessonFormatException.class,
                () -> LessonParser.parse("en/07-test.md", text), () -> "expected an error for:\n" + text);
        assertEquals("en/07-test.md", error.file());
        assertEquals(line, error.line(), () -> "line of: " + error.getMessage());
        assertTrue(error.problem().contains(fragment), () -> "message \"" + error.getMessage() + "\" lacks " + fragment);
        assertTrue(error.getMessage().startsWith("en/07-test.md" + (line > 0 ? ":" + line : "")), error.getMessage());
    }
}
