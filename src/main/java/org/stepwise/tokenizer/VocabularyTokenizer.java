package org.stepwise.tokenizer;

/**
 * What every tokenizer strategy answers the same way, from its one {@link Vocabulary}: the size,
 * id ↔ token, and the special tokens at their fixed ids.
 */
abstract class VocabularyTokenizer implements Tokenizer {

    final Vocabulary vocabulary;

    VocabularyTokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public String token(int id) {
        return vocabulary.token(id);
    }

    @Override
    public int id(String token) {
        return vocabulary.id(token);
    }

    @Override
    public SpecialTokens specials() {
        return Vocabulary.SPECIAL_IDS;
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }
}
