package org.stepwise.ui.training;

import org.stepwise.model.ModelConfig;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.WordTokenizer;

/**
 * How to build a new model from a corpus: the architecture, the tokenizer strategy and the vocabulary size the
 * tokenizer is trained to (the config's own vocabulary size is replaced by the tokenizer's).
 *
 * @param architecture every architecture choice; its vocabulary size is set from the trained tokenizer
 * @param tokenizer    the strategy: characters, words or BPE ({@code BYTE_LEVEL_BPE} is GPT-2's and is not trained here)
 * @param vocabSize    entries the word or BPE vocabulary may have, the three specials included (ignored for
 *                     characters, whose vocabulary is every character of the corpus)
 */
public record ModelRecipe(ModelConfig architecture, Tokenizer.Kind tokenizer, int vocabSize) {

    /** Smallest vocabulary offered: the three specials and a few entries. */
    public static final int MIN_VOCAB_SIZE = 8;

    public ModelRecipe {
        if (architecture == null || tokenizer == null) {
            throw new IllegalArgumentException("a model recipe needs an architecture and a tokenizer strategy");
        }
        if (tokenizer == Tokenizer.Kind.BYTE_LEVEL_BPE) {
            throw new IllegalArgumentException("GPT-2's byte-level BPE comes with GPT-2's vocabulary and is not "
                    + "trained here; choose characters, words or BPE");
        }
        if (tokenizer != Tokenizer.Kind.CHARACTER && vocabSize < MIN_VOCAB_SIZE) {
            throw new IllegalArgumentException("the vocabulary needs at least " + MIN_VOCAB_SIZE + " entries, got "
                    + vocabSize);
        }
    }

    /**
     * Trains the tokenizer on {@code text}.
     *
     * @throws IllegalArgumentException when the vocabulary size is too small for the corpus (BPE)
     */
    public Tokenizer trainTokenizer(String text) {
        return trainTokenizer(text, (entries, wanted) -> { });
    }

    /** Trains the tokenizer on {@code text}; BPE tells {@code progress} its vocabulary's size after every merge. */
    public Tokenizer trainTokenizer(String text, BpeTokenizer.Progress progress) {
        return switch (tokenizer) {
            case CHARACTER -> CharTokenizer.train(text);
            case WORD -> WordTokenizer.train(text, vocabSize - 3);     // the 3 special tokens come on top
            case BPE -> BpeTokenizer.trainToVocabSize(text, vocabSize, progress);
            case BYTE_LEVEL_BPE -> throw new IllegalStateException("checked in the constructor");
        };
    }

    /** The architecture with the vocabulary of {@code trained}. */
    public ModelConfig configFor(Tokenizer trained) {
        return architecture.withVocabSize(trained.vocabSize());
    }
}
