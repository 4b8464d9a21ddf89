package org.stepwise.ui.training;

import java.io.IOException;

import org.stepwise.train.ParallelCorpus;

/**
 * The sentence pairs a translation model trains on in the dashboard: the pairs it learns from and the held-back
 * pairs whose loss is the validation loss and whose first source sentence the dashboard translates as it trains.
 *
 * @param name  what the dashboard calls the pairs (e.g. "English→Chinese pairs")
 * @param train the pairs to train on
 * @param test  the held-back pairs, at least one
 */
public record TranslationCorpus(String name, ParallelCorpus train, ParallelCorpus test) {

    /** Classpath files of the bundled English→Chinese pairs ({@code assets/corpus/en-zh} packed into the jar). */
    public static final String BUNDLED_TRAIN = Corpus.BUNDLED_FOLDER + "en-zh/train.tsv";
    public static final String BUNDLED_TEST = Corpus.BUNDLED_FOLDER + "en-zh/test.tsv";

    public TranslationCorpus {
        if (name == null || train == null || test == null) {
            throw new IllegalArgumentException("sentence pairs need a name, pairs to train on and held-back pairs");
        }
    }

    /**
     * The bundled English→Chinese pairs, read from the classpath.
     *
     * @param name what the dashboard calls them, in the user's language
     * @throws IOException when a file is missing from the classpath or not a .tsv file of pairs
     */
    public static TranslationCorpus englishChinese(String name) throws IOException {
        return new TranslationCorpus(name, ParallelCorpus.readResource(BUNDLED_TRAIN),
                ParallelCorpus.readResource(BUNDLED_TEST));
    }

    /** The held-back sentence the dashboard translates as training goes on: the first test pair's source. */
    public String shownSentence() {
        return test.pairs().get(0).source();
    }
}
