package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

import org.junit.jupiter.api.Test;
import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.Stage.Kind;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.I18n;

/** The stage list follows the model's real order; sentences are trimmed, emptied and flagged as the window needs. */
class PipelineTest {

    private static List<Kind> kinds(ModelConfig config) {
        return Pipeline.stages(config).stream().map(Stage::kind).toList();
    }

    @Test
    void preLnBlockNormalisesBeforeEachBranchAndEndsWithTheFinalLayerNorm() {
        ModelConfig config = Models.preLn();
        List<Kind> expectedBlock = List.of(Kind.LAYER_NORM_1, Kind.QKV, Kind.SCORES, Kind.CAUSAL_MASK,
                Kind.ATTENTION_SOFTMAX, Kind.WEIGHTED_SUM, Kind.CONCAT_PROJECT, Kind.ATTENTION_RESIDUAL,
                Kind.LAYER_NORM_2, Kind.FFN_UP, Kind.ACTIVATION, Kind.FFN_DOWN, Kind.FFN_RESIDUAL);
        List<Stage> stages = Pipeline.stages(config);
        assertEquals(List.of(Kind.TEXT, Kind.TOKENS, Kind.TOKEN_EMBEDDING, Kind.POSITION), kinds(config).subList(0, 4));
        for (int block = 0; block < config.nLayer(); block++) {
            List<Stage> part = stages.subList(4 + block * expectedBlock.size(), 4 + (block + 1) * expectedBlock.size());
            assertEquals(expectedBlock, part.stream().map(Stage::kind).toList());
            int index = block;
            assertTrue(part.stream().allMatch(s -> s.block() == index));
        }
        assertEquals(List.of(Kind.FINAL_LAYER_NORM, Kind.LOGITS, Kind.OUTPUT_SOFTMAX, Kind.NEXT_TOKEN),
                kinds(config).subList(stages.size() - 4, stages.size()));
        assertEquals(4 + 2 * expectedBlock.size() + 4, stages.size());
    }

    @Test
    void postLnBlockNormalisesAfterEachResidualAndHasNoFinalLayerNorm() {
        ModelConfig config = Models.preLn().withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.LEARNED,
                ModelConfig.Norm.POST_LN, true, true);
        List<Kind> block = kinds(config).subList(4, 17);
        assertEquals(List.of(Kind.QKV, Kind.SCORES, Kind.CAUSAL_MASK, Kind.ATTENTION_SOFTMAX, Kind.WEIGHTED_SUM,
                Kind.CONCAT_PROJECT, Kind.ATTENTION_RESIDUAL, Kind.LAYER_NORM_1, Kind.FFN_UP, Kind.ACTIVATION,
                Kind.FFN_DOWN, Kind.FFN_RESIDUAL, Kind.LAYER_NORM_2), block);
        assertFalse(kinds(config).contains(Kind.FINAL_LAYER_NORM));
        assertEquals(Kind.LOGITS, kinds(config).get(4 + 2 * 13));
    }

    @Test
    void mixtureOfExpertsShowsRouterAndExpertsInPlaceOfTheDenseFfn() {
        List<Kind> kinds = kinds(Models.preLn().withExperts(4, 2));
        assertFalse(kinds.contains(Kind.FFN_UP) || kinds.contains(Kind.ACTIVATION) || kinds.contains(Kind.FFN_DOWN));
        int router = kinds.indexOf(Kind.ROUTER);
        assertEquals(List.of(Kind.LAYER_NORM_2, Kind.ROUTER, Kind.EXPERTS, Kind.FFN_RESIDUAL),
                kinds.subList(router - 1, router + 3));
    }

    @Test
    void everyStageKindHasItsTitleInEnglishAndChinese() {
        for (Locale locale : List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE)) {
            ResourceBundle bundle = I18n.bundle(locale);
            for (Kind kind : Kind.values()) {
                assertFalse(bundle.getString(kind.bundleKey()).isBlank(), kind.bundleKey());
            }
            for (PreparedSentence.Notice notice : PreparedSentence.Notice.values()) {
                assertFalse(bundle.getString(notice.bundleKey()).isBlank(), notice.bundleKey());
            }
        }
        assertEquals("pipeline.stage.causalMask", Kind.CAUSAL_MASK.bundleKey());
        assertEquals("pipeline.stage.layerNorm1", Kind.LAYER_NORM_1.bundleKey());
    }

    @Test
    void stagesCheckTheirBlock() {
        assertThrows(IllegalArgumentException.class, () -> Stage.of(Kind.QKV));
        assertThrows(IllegalArgumentException.class, () -> Stage.of(Kind.LOGITS, 0));
    }

    @Test
    void aLongSentenceIsTrimmedToTheContextAndSaysSo() {
        Tokenizer tokenizer = CharTokenizer.train("abcdefgh ");
        PreparedSentence last = Pipeline.prepare(tokenizer, "abcdefgh", 5, Pipeline.Keep.LAST);
        assertTrue(last.trimmed());
        assertEquals(3, last.droppedTokens());
        assertEquals(List.of(PreparedSentence.Notice.TRIMMED_KEPT_LAST), last.notices());
        assertArrayEquals(Arrays.copyOfRange(tokenizer.encode("abcdefgh").ids(), 3, 8), last.ids());
        assertEquals("d", last.tokenTextAt(0));
        PreparedSentence first = Pipeline.prepare(tokenizer, "abcdefgh", 5, Pipeline.Keep.FIRST);
        assertArrayEquals(tokenizer.encode("abcde").ids(), first.ids());
        assertEquals(List.of(PreparedSentence.Notice.TRIMMED_KEPT_FIRST), first.notices());
        PreparedSentence fits = Pipeline.prepare(tokenizer, "abcde", 5, Pipeline.Keep.LAST);
        assertFalse(fits.trimmed());
        assertTrue(fits.notices().isEmpty());
    }

    @Test
    void anEmptySentenceIsAClearStateWithNothingToRun() {
        Tokenizer tokenizer = CharTokenizer.train("abc");
        for (String text : new String[] {"", null}) {
            PreparedSentence empty = Pipeline.prepare(tokenizer, text, 8, Pipeline.Keep.LAST);
            assertTrue(empty.isEmpty());
            assertEquals(List.of(PreparedSentence.Notice.EMPTY), empty.notices());
        }
    }

    @Test
    void charactersOutsideTheVocabularyAreFlaggedAsUnknown() {
        Tokenizer tokenizer = CharTokenizer.train("abc");
        PreparedSentence sentence = Pipeline.prepare(tokenizer, "a€b", 8, Pipeline.Keep.LAST);
        assertEquals(List.of(PreparedSentence.Notice.UNKNOWN_TOKENS), sentence.notices());
        assertFalse(sentence.isUnknownAt(0));
        assertTrue(sentence.isUnknownAt(1));
        assertFalse(sentence.isUnknownAt(2));
        assertEquals(tokenizer.specials().unk(), sentence.ids()[1]);
        assertThrows(IllegalArgumentException.class, () -> sentence.isUnknownAt(3));
    }

    @Test
    void badArgumentsAreRejected() {
        Tokenizer tokenizer = CharTokenizer.train("abc");
        assertThrows(IllegalArgumentException.class, () -> Pipeline.prepare(tokenizer, "a", 0, Pipeline.Keep.LAST));
        assertThrows(IllegalArgumentException.class, () -> Pipeline.prepare(null, "a", 4, Pipeline.Keep.LAST));
        assertThrows(IllegalArgumentException.class, () -> Pipeline.stages(null));
    }
}
