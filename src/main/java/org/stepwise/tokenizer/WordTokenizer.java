package org.stepwise.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The word tokenizer: every word, punctuation mark and whitespace character is one token.
 *
 * <p>How text is cut (see {@link TextPieces}): a word is a maximal run of letters, digits and
 * combining marks of any script ({@code naïve}, {@code 2024}, {@code слово}); each punctuation
 * mark or symbol is a token of its own ({@code don't} → {@code don ' t}); Chinese and Japanese are
 * written without spaces, so each Han, Hiragana or Katakana character is a word of its own
 * ({@code 我爱北京} → {@code 我 爱 北 京}).
 *
 * <p>Whitespace, exactly: each whitespace character (space, tab, newline, ...) is a token of its
 * own, except the single space between two words, which is left out because it is by far the most
 * common gap and the only way two words can follow each other. Decoding writes one space between
 * two consecutive word tokens and nothing between any other tokens. So {@code Hello, world!}
 * becomes {@code Hello , ␣ world !} and {@code a  b} (two spaces) becomes {@code a ␣ ␣ b}, and
 * {@code decode(encode(s))} equals {@code s} whenever every piece of {@code s} is in the
 * vocabulary. A piece that is not becomes {@code <unk>} with the span of the whole piece and
 * decodes as the text {@code <unk>}; a space next to an {@code <unk>} is always written out as its
 * own token, so nothing around an unknown word is lost.
 *
 * <p>Vocabulary: {@code <eos>} = 0, {@code <unk>} = 1, {@code <pad>} = 2, then the pieces of the
 * training corpus (every occurrence counted, single spaces between words included) from most to
 * least frequent, ties in {@link String#compareTo} order. Special tokens are never produced from
 * text: the input {@code <eos>} is the three tokens {@code < eos >}.
 */
public final class WordTokenizer extends VocabularyTokenizer {

    WordTokenizer(Vocabulary vocabulary) {
        super(checked(vocabulary));
    }

    /** {@code vocabulary}, after checking that every entry fits this strategy. */
    private static Vocabulary checked(Vocabulary vocabulary) {
        for (int id = Vocabulary.SPECIALS.size(); id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (TextPieces.split(token, false).size() != 1) {
                throw new IllegalArgumentException("a word vocabulary holds single words, punctuation marks or"
                        + " whitespace characters, but id " + id + " is \"" + token + "\"");
            }
        }
        return vocabulary;
    }

    /** A tokenizer whose vocabulary holds every piece of {@code corpus}. */
    public static WordTokenizer train(String corpus) {
        return train(corpus, Integer.MAX_VALUE);
    }

    /**
     * A tokenizer whose vocabulary holds the {@code maxWords} most frequent pieces of
     * {@code corpus} (besides the three specials); all others will encode as {@code <unk>}.
     */
    public static WordTokenizer train(String corpus, int maxWords) {
        Objects.requireNonNull(corpus, "corpus");
        if (maxWords < 0) {
            throw new IllegalArgumentException("maxWords must be ≥ 0, got " + maxWords);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (TextPieces.Piece piece : TextPieces.split(corpus, false)) {
            counts.merge(piece.text(corpus), 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.entrySet());
        ranked.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        List<String> learned = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : ranked) {
            if (learned.size() == maxWords) {
                break;
            }
            learned.add(entry.getKey());
        }
        return new WordTokenizer(Vocabulary.withSpecials(learned));
    }

    @Override
    public Encoding encode(String text) {
        Objects.requireNonNull(text, "text");
        List<TextPieces.Piece> pieces = TextPieces.split(text, false);
        int[] pieceIds = new int[pieces.size()];
        for (int index = 0; index < pieces.size(); index++) {
            int id = vocabulary.id(pieces.get(index).text(text));
            pieceIds[index] = id < 0 ? Vocabulary.UNK_ID : id;
        }
        List<Integer> ids = new ArrayList<>(pieces.size());
        List<String> tokens = new ArrayList<>(pieces.size());
        List<Span> spans = new ArrayList<>(pieces.size());
        for (int index = 0; index < pieces.size(); index++) {
            boolean implicitSpace = TextPieces.isSingleSpaceBetweenWords(pieces, index, text)
                    && pieceIds[index - 1] != Vocabulary.UNK_ID
                    && pieceIds[index + 1] != Vocabulary.UNK_ID;
            if (implicitSpace) {
                continue;
            }
            TextPieces.Piece piece = pieces.get(index);
            ids.add(pieceIds[index]);
            tokens.add(vocabulary.token(pieceIds[index]));
            spans.add(new Span(piece.start(), piece.end()));
        }
        return new Encoding(ids.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(tokens), List.copyOf(spans));
    }

    /**
     * Concatenates the entries, with one space between two consecutive word tokens; a special token
     * is written as its name, e.g. {@code <eos>}.
     */
    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        boolean previousIsWord = false;
        for (int id : ids) {
            String token = vocabulary.token(id);
            boolean isWord = !Vocabulary.isSpecialId(id) && TextPieces.kindOfFirst(token) == TextPieces.PieceKind.WORD;
            if (previousIsWord && isWord) {
                text.append(' ');
            }
            text.append(token);
            previousIsWord = isWord;
        }
        return text.toString();
    }

    @Override
    public Kind kind() {
        return Kind.WORD;
    }
}
