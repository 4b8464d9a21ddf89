package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Training BPE to a vocabulary size reports the vocabulary after every merge, and learns the same merges. */
class BpeTrainingProgressTest {

    private static final String CORPUS = "the cat sat on the mat. the cat ate the rat. that cat sat on that mat again.";

    @Test
    void everyMergeIsReportedAndTheMergesAreTheSameAsWithoutProgress() {
        int wanted = 60;
        List<int[]> reports = new ArrayList<>();
        BpeTokenizer withProgress = BpeTokenizer.trainToVocabSize(CORPUS, wanted,
                (entries, target) -> reports.add(new int[] {entries, target}));
        BpeTokenizer plain = BpeTokenizer.trainToVocabSize(CORPUS, wanted);

        assertEquals(plain.merges(), withProgress.merges());
        assertEquals(withProgress.merges().size(), reports.size(), "one report per merge");
        for (int i = 0; i < reports.size(); i++) {
            assertEquals(wanted, reports.get(i)[1]);
            assertTrue(i == 0 || reports.get(i)[0] >= reports.get(i - 1)[0], "the vocabulary never shrinks");
        }
        assertEquals(withProgress.vocabSize(), reports.get(reports.size() - 1)[0], "the last report is the final size");
    }
}
