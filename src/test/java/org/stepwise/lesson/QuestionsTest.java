package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stepwise.app.DefaultModel;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;

/**
 * Each question kind against a trace of the bundled model computed here, with the expected answer worked out
 * again in the test from other numbers (Q and K for the attention, the logits, the parameter layout).
 */
class QuestionsTest {
    private static final String SENTENCE = "The cat sat on the mat";
    private static LoadedModel bundled;
    private static SentenceTrace run;

    @BeforeAll
    static void recordTrace() throws IOException {
        bundled = DefaultModel.load();
        int[] ids = Pipeline.prepare(bundled.tokenizer(), SENTENCE, bundled.config().contextLength(),
                Pipeline.Keep.LAST).ids();
        run = SentenceTrace.record(new Transformer(bundled.config(), bundled.parameters()), ids);
    }

    private static QuestionContext context(SamplingSettings sampling) {
        return new QuestionContext(bundled.config(), bundled.parameters(), run, bundled.tokenizer(), sampling);
    }

    private static Answer ask(Directive.Ask ask, SamplingSettings sampling) {
        return new Directive.Question(ask, "?", List.of()).expected(context(sampling));
    }

    @Test
    void attendsMostIsTheLargestSoftmaxOfMaskedScoresFromQAndK() {
        ModelConfig config = bundled.config();
        int tokens = run.tokens();
        int checked = 0;
        for (int block = 0; block < config.nLayer(); block++) {
            for (int head = 0; head < config.nHead(); head++) {
                DMatrixRMaj q = run.trace().get(HookKey.of(Hook.Q, block, head)); // [T, D]
                DMatrixRMaj k = run.trace().get(HookKey.of(Hook.K, block, head)); // [T, D]
                for (int token = 0; token < tokens; token++) {
                    int best = 0;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int other = 0; other <= token; other++) { // the causal mask: only earlier tokens and itself
                        double score = 0;
                        for (int d = 0; d < config.headDim(); d++) {
                            score += q.get(token, d) * k.get(other, d);
                        }
                        if (score > bestScore) {
                            bestScore = score;
                            best = other;
                        }
                    }
                    Answer answer = ask(new Directive.Ask.AttendsMost(block, head, token), SamplingSettings.PLAIN);
                    assertEquals(best, ((Answer.TokenPosition) answer).position0(),
                            "block " + block + " head " + head + " token " + token);
                    assertTrue(answer.accepts(Integer.toString(best + 1)));
                    assertFalse(answer.accepts(Integer.toString(best == 0 ? 2 : best)));
                    checked++;
                }
            }
        }
        assertEquals(config.nLayer() * config.nHead() * tokens, checked);
    }

    @Test
    void attendsMostAcceptsTheTokenText() {
        Answer.TokenPosition answer = (Answer.TokenPosition) ask(new Directive.Ask.AttendsMost(0, 0, 0),
                SamplingSettings.PLAIN);
        assertEquals(0, answer.position0()); // the first token can only look at itself
        String entry = bundled.tokenizer().token(run.id(0));
        assertEquals(entry, answer.entry());
        assertTrue(answer.accepts(entry));
        assertTrue(answer.accepts(" " + entry.replace("</w>", "") + " "), entry);
        assertEquals("1 (" + answer.text() + ")", answer.display());
        assertFalse(answer.accepts("zebra"));
        assertFalse(answer.accepts(""));
    }

    @Test
    void shapeComesFromTheStageView() {
        int tokens = run.tokens();
        int headSize = bundled.config().headDim();
        Answer q = ask(new Directive.Ask.Shape("Q", Stage.Kind.QKV, 1), SamplingSettings.PLAIN);
        assertEquals(new Answer.Shape(tokens, headSize), q);
        assertEquals(tokens + "×" + headSize, q.display());
        for (String typed : List.of(tokens + "x" + headSize, tokens + "×" + headSize, "[" + tokens + ", " + headSize + "]",
                "(" + tokens + " x " + headSize + ")", tokens + " by " + headSize, tokens + "X" + headSize)) {
            assertTrue(q.accepts(typed), typed);
        }
        assertFalse(q.accepts(headSize + "x" + tokens));
        assertFalse(q.accepts(tokens + "x" + headSize + "x1"));
        assertFalse(q.accepts("Q"));
        assertEquals(new Answer.Shape(bundled.config().dModel(), headSize),
                ask(new Directive.Ask.Shape("W_Q", Stage.Kind.QKV, 0), SamplingSettings.PLAIN));
        assertEquals(new Answer.Shape(tokens, tokens),
                ask(new Directive.Ask.Shape("A", Stage.Kind.ATTENTION_SOFTMAX, 0), SamplingSettings.PLAIN));
        assertEquals(new Answer.Shape(tokens, bundled.config().vocabSize()),
                ask(new Directive.Ask.Shape("Y", Stage.Kind.LOGITS, -1), SamplingSettings.PLAIN));
    }

    @Test
    void tokenCountIsTheSentencesTokens() {
        int expected = bundled.tokenizer().encode(SENTENCE).size();
        Answer answer = ask(new Directive.Ask.TokenCount(), SamplingSettings.PLAIN);
        assertEquals(new Answer.Count(expected), answer);
        assertTrue(answer.accepts(" " + expected + " "));
        assertFalse(answer.accepts(Integer.toString(expected + 1)));
        assertFalse(answer.accepts("many"));
    }

    @Test
    void mostLikelyNextIsTheLargestLastLogitWhateverTheTemperature() {
        DMatrixRMaj logits = run.trace().logits(); // [T, V]
        int last = run.tokens() - 1;
        int best = 0;
        for (int id = 1; id < logits.numCols; id++) {
            if (logits.get(last, id) > logits.get(last, best)) {
                best = id;
            }
        }
        for (SamplingSettings sampling : List.of(SamplingSettings.PLAIN, SamplingSettings.GREEDY,
                new SamplingSettings(0.7, 5, 0.9), SamplingSettings.ofTemperature(3.0))) {
            Answer.TokenText answer = (Answer.TokenText) ask(new Directive.Ask.MostLikelyNext(), sampling);
            assertEquals(best, answer.id(), sampling.toString());
            assertTrue(answer.accepts(bundled.tokenizer().token(best)));
        }
        assertFalse(ask(new Directive.Ask.MostLikelyNext(), SamplingSettings.PLAIN).accepts("?!"));
    }

    @Test
    void parameterShareMatchesTheLayoutWithinOnePoint() {
        long ffn = 0;
        long attention = 0;
        long embedding = 0;
        long total = 0;
        for (ParameterLayout.Spec spec : ParameterLayout.of(bundled.config()).specs()) {
            long size = (long) spec.rows() * spec.cols();
            total += size;
            if (spec.name().contains(".mlp.")) {
                ffn += size;
            } else if (spec.name().contains(".attn.")) {
                attention += size;
            } else if (spec.name().startsWith("wte") || spec.name().startsWith("wpe")) {
                embedding += size;
            }
        }
        double[] expected = {100.0 * ffn / total, 100.0 * attention / total, 100.0 * embedding / total};
        Directive.Ask.ParameterShare.Part[] parts = Directive.Ask.ParameterShare.Part.values();
        for (int i = 0; i < parts.length; i++) {
            Answer.Percentage answer = (Answer.Percentage) ask(new Directive.Ask.ParameterShare(parts[i]),
                    SamplingSettings.PLAIN);
            assertEquals(expected[i], answer.percent(), 1e-9, parts[i].toString());
            assertTrue(answer.accepts(String.format(java.util.Locale.ROOT, "%.0f%%", expected[i])));
            assertTrue(answer.accepts(String.format(java.util.Locale.ROOT, "%.2f", expected[i] + 0.9)));
            assertFalse(answer.accepts(String.format(java.util.Locale.ROOT, "%.2f", expected[i] - 1.2)));
        }
    }

    @Test
    void choiceIsTheAuthorsOption() {
        Directive.Question question = new Directive.Question(new Directive.Ask.Choice(1), "Why the mask?",
                List.of("To save memory", "So a token cannot see the future"));
        Answer answer = question.expected(context(SamplingSettings.PLAIN));
        assertTrue(answer.accepts("2"));
        assertTrue(answer.accepts("so a token cannot see the future"));
        assertFalse(answer.accepts("1"));
        assertFalse(answer.accepts("To save memory"));
        assertEquals("2. So a token cannot see the future", answer.display());
    }

    @Test
    void questionsThatDoNotFitTheLiveStateSaySo() {
        assertMessage("block 3 is past the model's 2 blocks", new Directive.Ask.AttendsMost(2, 0, 0));
        assertMessage("head 5 is past the model's 4 heads", new Directive.Ask.AttendsMost(0, 4, 0));
        assertMessage("token 40 is past the sentence's", new Directive.Ask.AttendsMost(0, 0, 39));
        assertMessage("stage qkv shows no tensor Z", new Directive.Ask.Shape("Z", Stage.Kind.QKV, 0));
        assertMessage("this model has no ROUTER stage", new Directive.Ask.Shape("R", Stage.Kind.ROUTER, 0));
        QuestionContext noSentence = new QuestionContext(bundled.config(), bundled.parameters(), null,
                bundled.tokenizer(), SamplingSettings.PLAIN);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Directive.Question(new Directive.Ask.TokenCount(), "?", List.of()).expected(noSentence));
        assertTrue(error.getMessage().contains("needs a sentence"), error.getMessage());
    }

    @Test
    void aRandomVariantAnswersFromItsOwnConfig() {
        ModelConfig grouped = bundled.config().withAttention(4, 2);
        Parameters weights = ParameterLayout.of(grouped).initialize(11);
        SentenceTrace variantRun = SentenceTrace.record(new Transformer(grouped, weights), run.ids());
        QuestionContext variant = new QuestionContext(grouped, weights, variantRun, bundled.tokenizer(),
                SamplingSettings.PLAIN);
        Answer k = new Directive.Question(new Directive.Ask.Shape("W_K", Stage.Kind.QKV, 0), "?", List.of())
                .expected(variant);
        assertEquals(new Answer.Shape(grouped.dModel(), grouped.headDim()), k);
        Answer share = new Directive.Question(new Directive.Ask.ParameterShare(Directive.Ask.ParameterShare.Part.ATTENTION),
                "?", List.of()).expected(variant);
        Answer bundledShare = ask(new Directive.Ask.ParameterShare(Directive.Ask.ParameterShare.Part.ATTENTION),
                SamplingSettings.PLAIN);
        assertTrue(((Answer.Percentage) share).percent() < ((Answer.Percentage) bundledShare).percent(),
                "sharing K and V between heads leaves attention a smaller share");
    }

    private static void assertMessage(String fragment, Directive.Ask ask) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ask(ask, SamplingSettings.PLAIN));
        assertTrue(error.getMessage().contains(fragment), error.getMessage());
    }
}
