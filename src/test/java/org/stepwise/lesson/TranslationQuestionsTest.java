package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stepwise.app.TranslationModel;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;

/**
 * Questions asked of the bundled English→Chinese model: attends-most on its cross-attention and encoder patterns
 * and the shape of its cross-attention scores, each compared with the real forward pass of "I have three red
 * apples" and its translation.
 */
class TranslationQuestionsTest {
    private static LoadedEncoderDecoder model;
    private static SentenceTrace decoder;
    private static QuestionContext context;

    @BeforeAll
    static void trace() throws IOException {
        model = TranslationModel.load();
        int[] source = model.encodeSource("I have three red apples");
        int[] written = model.targetTokenizer().encode("我有三个红色的苹果。").ids();
        int[] input = new int[written.length + 1];
        input[0] = model.startId();
        System.arraycopy(written, 0, input, 1, written.length);
        decoder = EncoderDecoderPipeline.record(new EncoderDecoder(model.config(), model.parameters()), source, input,
                model.sourceTokenizer())[1].run();
        context = new QuestionContext(model.config().shared(), model.parameters(), decoder, model.targetTokenizer(),
                SamplingSettings.GREEDY, model.config());
    }

    private static Answer ask(Directive.Ask ask) {
        return new Directive.Question(ask, "?", List.of()).expected(context);
    }

    @Test
    void attendsMostOnTheCrossPatternIsTheArgmaxOverTheSourceWords() {
        String[] words = {"i", "have", "three", "red", "apples"};
        for (int block = 0; block < 2; block++) {
            for (int head = 0; head < 4; head++) {
                DMatrixRMaj pattern = decoder.trace().get(HookKey.of(Hook.CROSS_PATTERN, block, head)); // [11, 5]
                assertEquals(11, pattern.numRows);
                assertEquals(5, pattern.numCols);
                for (int row = 0; row < pattern.numRows; row++) {
                    int best = 0;
                    for (int column = 1; column < pattern.numCols; column++) {
                        if (pattern.get(row, column) > pattern.get(row, best)) {
                            best = column;
                        }
                    }
                    Answer.TokenPosition answer = (Answer.TokenPosition) ask(new Directive.Ask.AttendsMost(block, head,
                            row, Stage.Kind.CROSS_SOFTMAX, false));
                    assertEquals(best, answer.position0(), "block " + block + " head " + head + " row " + row);
                    assertEquals(words[best], answer.text());
                    assertTrue(answer.accepts(words[best]) && answer.accepts(String.valueOf(best + 1)));
                }
            }
        }
        // The lesson's row: the position of 有, which writes 三, reads "three" in block 2, head 1.
        assertEquals("three", ((Answer.TokenPosition) ask(new Directive.Ask.AttendsMost(1, 0, 2,
                Stage.Kind.CROSS_SOFTMAX, false))).text());
    }

    /**
     * What lesson 12 says of this model in words, checked against its numbers: the greedy translation, the encoder
     * head whose first word looks almost only at a later one, and the word each row of block 2, head 1 reads.
     */
    @Test
    void lessonTwelveSaysWhatTheModelComputes() {
        int[] ids = new Translator(new EncoderDecoder(model.config(), model.parameters())).translate(
                model.encodeSource("I have three red apples"), model.startId(), model.endId(),
                model.config().shared().contextLength() - 1, SamplingSettings.GREEDY, new SplittableRandom(0));
        assertEquals("我有三个红色的苹果。", model.targetTokenizer().decode(ids), "written from the start token, greedily");

        DMatrixRMaj encoder = decoder.trace().get(HookKey.of(Hook.PATTERN, 0, 2).inEncoder()); // [5, 5]
        assertTrue(encoder.get(0, 4) > 0.9, "\"almost all of its weight\" on apples: " + encoder.get(0, 4));

        // Rows: start 我 有 三 个 红 色 的 苹 果 。 ; the English words: i have three red apples.
        DMatrixRMaj cross = decoder.trace().get(HookKey.of(Hook.CROSS_PATTERN, 1, 0)); // [11, 5]
        int[] readsMost = {0, 1, 2, 4};           // start → i, 我 → have, 有 → three, 三 → apples (个 comes next)
        for (int row = 0; row < readsMost.length; row++) {
            assertEquals(readsMost[row], argmax(cross, row), "row " + row);
        }
        assertEquals(4, argmax(cross, 7), "the row of 的 reads apples");
        assertEquals(4, argmax(cross, 8), "the row of 苹 reads apples");
        assertEquals(0, argmax(cross, 6), "the row that writes 的 rests on the first word");
        assertEquals(0, argmax(cross, 9), "the row that writes the full stop rests on the first word");
    }

    private static int argmax(DMatrixRMaj matrix, int row) {
        int best = 0;
        for (int column = 1; column < matrix.numCols; column++) {
            if (matrix.get(row, column) > matrix.get(row, best)) {
                best = column;
            }
        }
        return best;
    }

    @Test
    void attendsMostOnTheEncoderReadsItsUnmaskedPattern() {
        DMatrixRMaj pattern = decoder.trace().get(HookKey.of(Hook.PATTERN, 0, 2).inEncoder()); // [5, 5]
        Answer.TokenPosition answer = (Answer.TokenPosition) ask(new Directive.Ask.AttendsMost(0, 2, 0,
                Stage.Kind.ATTENTION_SOFTMAX, true));
        assertEquals(4, answer.position0(), "the first word looks at the last one: nothing is masked");
        assertEquals("apples", answer.text());
        assertTrue(pattern.get(0, 4) > 0.5, "weight " + pattern.get(0, 4));
    }

    @Test
    void theCrossScoresAreTargetTokensBySourceTokens() {
        assertEquals(new Answer.Shape(11, 5), ask(new Directive.Ask.Shape("S", Stage.Kind.CROSS_SCORES, 1)));
        assertEquals(new Answer.Shape(11, 5), ask(new Directive.Ask.Shape("A", Stage.Kind.CROSS_SOFTMAX, 0)));
        assertEquals(new Answer.Shape(5, 5), ask(new Directive.Ask.Shape("S", Stage.Kind.SCORES, 0, true)));
        assertEquals(new Answer.Shape(11, 11), ask(new Directive.Ask.Shape("A", Stage.Kind.ATTENTION_SOFTMAX, 0)));
    }

    @Test
    void questionsThatDoNotFitSayWhy() {
        assertMessage("block 3 is past the encoder's 2 blocks",
                new Directive.Ask.AttendsMost(2, 0, 0, Stage.Kind.ATTENTION_SOFTMAX, true));
        assertMessage("token 6 is past the source's 5 tokens",
                new Directive.Ask.AttendsMost(0, 0, 5, Stage.Kind.ATTENTION_SOFTMAX, true));
        assertMessage("block 3 is past the decoder's 2 blocks", new Directive.Ask.Shape("S", Stage.Kind.CROSS_SCORES, 2));
        assertMessage("parameter-share counts a decoder-only model's parts",
                new Directive.Ask.ParameterShare(Directive.Ask.ParameterShare.Part.FFN));
        QuestionContext decoderOnly = new QuestionContext(model.config().shared(), model.parameters(),
                new SentenceTrace(decoder.ids(), decoder.trace()), model.targetTokenizer(), SamplingSettings.GREEDY);
        IllegalArgumentException cross = assertThrows(IllegalArgumentException.class, () -> new Directive.Question(
                new Directive.Ask.AttendsMost(0, 0, 0, Stage.Kind.CROSS_SOFTMAX, false), "?", List.of())
                .expected(decoderOnly));
        assertTrue(cross.getMessage().contains("needs the translation model on screen"), cross.getMessage());
    }

    private static void assertMessage(String fragment, Directive.Ask ask) {
        IllegalArgumentException problem = assertThrows(IllegalArgumentException.class, () -> ask(ask));
        assertTrue(problem.getMessage().contains(fragment), problem.getMessage());
    }
}
