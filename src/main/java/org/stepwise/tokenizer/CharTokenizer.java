package org.stepwise.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The character tokenizer: every Unicode code point of the text is one token.
 *
 * <p>A character outside the Basic Multilingual Plane (an emoji, a rare Han character) is one
 * token even though Java stores it as two chars (a surrogate pair); its span is then two chars
 * long. Chinese needs nothing special: each character is a token. Whitespace characters are tokens
 * like any other, so {@code decode(encode(s))} equals {@code s} whenever every code point of
 * {@code s} is in the vocabulary. A code point that is not becomes {@code <unk>} (id 1) with the
 * span of that code point, and decodes as the text {@code <unk>}.
 *
 * <p>Vocabulary: {@code <eos>} = 0, {@code <unk>} = 1, {@code <pad>} = 2, then every distinct code
 * point of the training corpus in ascending code point order. Special tokens are never produced
 * from text: the input {@code <eos>} is five characters.
 */
public final class CharTokenizer extends VocabularyTokenizer {

    CharTokenizer(Vocabulary vocabulary) {
        super(checked(vocabulary));
    }

    /** {@code vocabulary}, after checking that every entry fits this strategy. */
    private static Vocabulary checked(Vocabulary vocabulary) {
        for (int id = Vocabulary.SPECIALS.size(); id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (token.codePointCount(0, token.length()) != 1) {
                throw new IllegalArgumentException("a character vocabulary holds single code points, but id " + id
                        + " is \"" + token + "\"");
            }
        }
        return vocabulary;
    }

    /** A tokenizer whose vocabulary is the specials plus every distinct code point of {@code corpus}. */
    public static CharTokenizer train(String corpus) {
        Objects.requireNonNull(corpus, "corpus");
        TreeSet<Integer> codePoints = new TreeSet<>();
        corpus.codePoints().forEach(codePoints::add);
        List<String> learned = new ArrayList<>(codePoints.size());
        for (int codePoint : codePoints) {
            learned.add(Character.toString(codePoint));
        }
        return new CharTokenizer(Vocabulary.withSpecials(learned));
    }

    @Override
    public Encoding encode(String text) {
        Objects.requireNonNull(text, "text");
        int count = text.codePointCount(0, text.length());
        int[] ids = new int[count];
        List<String> tokens = new ArrayList<>(count);
        List<Span> spans = new ArrayList<>(count);
        int position = 0;
        for (int index = 0; index < count; index++) {
            int end = text.offsetByCodePoints(position, 1);
            String character = text.substring(position, end);
            int id = vocabulary.id(character);
            if (id < 0) {
                id = Vocabulary.UNK_ID;
            }
            ids[index] = id;
            tokens.add(vocabulary.token(id));
            spans.add(new Span(position, end));
            position = end;
        }
        return new Encoding(ids, List.copyOf(tokens), List.copyOf(spans));
    }

    /** Concatenates the entries; a special token is written as its name, e.g. {@code <eos>}. */
    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            text.append(vocabulary.token(id));
        }
        return text.toString();
    }

    @Override
    public Kind kind() {
        return Kind.CHARACTER;
    }
}
