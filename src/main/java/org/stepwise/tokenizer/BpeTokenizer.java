package org.stepwise.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Byte-pair encoding over characters with the {@code </w>} end-of-word marker, as in Sennrich et
 * al. (2016) and the original GPT: training merges the most frequent adjacent pair of symbols again
 * and again, and encoding replays those merges on each word.
 *
 * <p><b>Words.</b> Text is cut into pieces as described in {@link TextPieces}: runs of letters and
 * digits, runs of Chinese/Japanese characters (so merges learn Chinese words across characters),
 * single punctuation marks, and single whitespace characters. Each non-whitespace piece is a word:
 * it starts as its characters with {@code </w>} attached to the last one ({@code hello} →
 * {@code h e l l o</w>}), and merges never cross a word boundary.
 *
 * <p><b>Training.</b> Word frequencies are counted once; then, {@code merges} times, the adjacent
 * pair with the highest count (occurrences in all words, weighted by word frequency) is merged
 * everywhere, left to right. Ties are broken by the left symbol, then the right symbol, in
 * {@link String#compareTo} order (smaller first), so training is deterministic. Training stops
 * early when no pair is left (every word is a single symbol). Pair counts are updated only for the
 * words that contain the merged pair. The full history is kept as {@link Merge} records.
 *
 * <p><b>Encoding</b> a word repeatedly merges the adjacent pair with the lowest rank (earliest in
 * the history), all its occurrences left to right, until no pair of the history is left: the same
 * rule as Hugging Face's {@code tokenizers}. {@link #traceWord} shows those steps.
 *
 * <p><b>Whitespace, exactly.</b> Whitespace is never merged: each whitespace character is a token of
 * its own, written as itself (no {@code </w>}), except the single space between two words made of
 * letters/digits, which is left out. Decoding strips {@code </w>} and writes one space between a
 * token ending a letter/digit word and a token starting the next letter/digit word, nothing
 * elsewhere. So {@code hello world} → {@code he llo</w> wor ld</w>}, {@code hi, you} →
 * {@code hi</w> ,</w> ␣ you</w>}, and {@code decode(encode(s))} equals {@code s} for every
 * {@code s} made of characters of the training corpus. A character outside it becomes
 * {@code <unk>} with the span of that character and decodes as the text {@code <unk>}; a space next
 * to an {@code <unk>} is always written out as its own token.
 *
 * <p><b>Vocabulary:</b> {@code <eos>} = 0, {@code <unk>} = 1, {@code <pad>} = 2; then, for every
 * distinct code point of the corpus in ascending order, the character itself and (unless it is
 * whitespace) the character with {@code </w>}, so every word over the training alphabet can be
 * encoded; then each merged symbol in merge order (a symbol made twice by different merges is
 * stored once). Special tokens are never produced from text.
 */
public final class BpeTokenizer extends VocabularyTokenizer {

    /** The marker attached to the last symbol of a word. */
    public static final String END_OF_WORD = "</w>";

    /**
     * One training step: symbols {@code left} and {@code right}, seen side by side {@code count}
     * times in the corpus at that moment, became {@code token}. {@code rank} is the position in
     * the history, from 0; {@code count} is −1 when it is unknown (merges read from a file that did
     * not store counts).
     */
    public record Merge(int rank, String left, String right, int count, String token) {
    }

    /** One merge applied while encoding a word: the word's symbols before and after it. */
    public record MergeStep(Merge merge, List<String> before, List<String> after) {
    }

    /**
     * How one word is encoded: its starting symbols, every merge applied in order, and the final
     * tokens ({@code <unk>} for a symbol outside the vocabulary).
     */
    public record WordTrace(String word, List<String> initialSymbols, List<MergeStep> steps, List<String> tokens) {
    }

    private record Pair(String left, String right) {
    }

    private final List<Merge> merges;
    private final Map<Pair, Merge> mergeByPair;

    /**
     * A tokenizer from a vocabulary and a merge history (as read from files).
     *
     * @throws IllegalArgumentException when an entry is not a BPE symbol, or a merge is out of
     *                                  order, repeated, or uses or makes a symbol missing from the
     *                                  vocabulary
     */
    BpeTokenizer(Vocabulary vocabulary, List<Merge> merges) {
        super(checked(vocabulary));
        Map<Pair, Merge> byPair = new HashMap<>(merges.size() * 2);
        for (int index = 0; index < merges.size(); index++) {
            Merge merge = merges.get(index);
            String where = "merge " + index + " (" + merge.left() + " " + merge.right() + ")";
            if (merge.rank() != index) {
                throw new IllegalArgumentException(where + " has rank " + merge.rank() + "; ranks must count 0, 1, 2, ...");
            }
            if (merge.left().endsWith(END_OF_WORD)) {
                throw new IllegalArgumentException(where + ": the left symbol ends a word, so nothing can follow it");
            }
            if (!merge.token().equals(merge.left() + merge.right())) {
                throw new IllegalArgumentException(where + " makes \"" + merge.token() + "\" instead of \""
                        + merge.left() + merge.right() + "\"");
            }
            for (String symbol : List.of(merge.left(), merge.right(), merge.token())) {
                if (!vocabulary.contains(symbol) || Vocabulary.SPECIALS.contains(symbol)) {
                    throw new IllegalArgumentException(where + " uses \"" + symbol + "\", which is not in the vocabulary");
                }
                if (isWhitespaceSymbol(symbol)) {
                    throw new IllegalArgumentException(where + " merges whitespace, which BPE here never does");
                }
            }
            if (byPair.put(new Pair(merge.left(), merge.right()), merge) != null) {
                throw new IllegalArgumentException(where + " repeats an earlier merge");
            }
        }
        this.merges = List.copyOf(merges);
        this.mergeByPair = byPair;
    }

    /** {@code vocabulary}, after checking that every entry fits this strategy. */
    private static Vocabulary checked(Vocabulary vocabulary) {
        for (int id = Vocabulary.SPECIALS.size(); id < vocabulary.size(); id++) {
            checkSymbol(vocabulary.token(id), "id " + id);
        }
        return vocabulary;
    }

    /**
     * Learns up to {@code merges} merges from {@code corpus} (fewer when every word of the corpus
     * has become a single symbol).
     */
    public static BpeTokenizer train(String corpus, int merges) {
        if (merges < 0) {
            throw new IllegalArgumentException("the number of merges must be ≥ 0, got " + merges);
        }
        return learn(corpus, merges, Integer.MAX_VALUE, (entries, wanted) -> { });
    }

    /**
     * Learns merges from {@code corpus} until the vocabulary (specials included) has
     * {@code vocabSize} entries, or no pair is left to merge.
     *
     * @throws IllegalArgumentException when {@code vocabSize} is smaller than the vocabulary the
     *                                  corpus needs before any merge
     */
    public static BpeTokenizer trainToVocabSize(String corpus, int vocabSize) {
        return trainToVocabSize(corpus, vocabSize, (entries, wanted) -> { });
    }

    /** Learns the merges a vocabulary entry comes from, and hears how far training got. */
    @FunctionalInterface
    public interface Progress {
        /** Called after every merge: the vocabulary has {@code entries} of the {@code wanted} entries. */
        void entries(int entries, int wanted);
    }

    /**
     * As {@link #trainToVocabSize(String, int)}, telling {@code progress} the vocabulary's size after every merge
     * (on the calling thread), so a window can show training with a progress bar.
     */
    public static BpeTokenizer trainToVocabSize(String corpus, int vocabSize, Progress progress) {
        Objects.requireNonNull(progress, "progress");
        int baseSize = Vocabulary.SPECIALS.size() + baseSymbols(Objects.requireNonNull(corpus, "corpus")).size();
        if (vocabSize < baseSize) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is too small: this corpus needs " + baseSize
                    + " entries before any merge (3 specials and its characters with and without " + END_OF_WORD + ")");
        }
        return learn(corpus, Integer.MAX_VALUE, vocabSize, progress);
    }

    /** The merge history in rank order; unmodifiable. */
    public List<Merge> merges() {
        return merges;
    }

    /**
     * This tokenizer as it was after its first {@code count} merges, for replaying training step by
     * step: the same vocabulary and ids (entries of later merges simply do not occur), only the
     * first {@code count} merges.
     *
     * @throws IllegalArgumentException when {@code count} is not in [0, merges().size()]
     */
    public BpeTokenizer withFirstMerges(int count) {
        if (count < 0 || count > merges.size()) {
            throw new IllegalArgumentException("count must be in 0.." + merges.size() + ", got " + count);
        }
        return new BpeTokenizer(vocabulary, merges.subList(0, count));
    }

    @Override
    public Encoding encode(String text) {
        Objects.requireNonNull(text, "text");
        List<TextPieces.Piece> pieces = TextPieces.split(text, true);
        List<List<Symbol>> pieceSymbols = new ArrayList<>(pieces.size());
        for (TextPieces.Piece piece : pieces) {
            pieceSymbols.add(encodePiece(text, piece, null));
        }
        List<Integer> ids = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (int index = 0; index < pieces.size(); index++) {
            boolean implicitSpace = TextPieces.isSingleSpaceBetweenWords(pieces, index, text)
                    && idOf(last(pieceSymbols.get(index - 1))) != Vocabulary.UNK_ID
                    && idOf(pieceSymbols.get(index + 1).get(0)) != Vocabulary.UNK_ID;
            if (implicitSpace) {
                continue;
            }
            for (Symbol symbol : pieceSymbols.get(index)) {
                int id = idOf(symbol);
                ids.add(id);
                tokens.add(vocabulary.token(id));
                spans.add(new Span(symbol.start, symbol.end));
            }
        }
        return new Encoding(ids.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(tokens), List.copyOf(spans));
    }

    /**
     * Concatenates the entries without {@code </w>}, with one space between a token that ends a
     * letter/digit word and a token that starts the next one; a special token is written as its
     * name, e.g. {@code <eos>}.
     */
    @Override
    public String decode(int[] ids) {
        StringBuilder text = new StringBuilder();
        boolean previousEndedLetterWord = false;
        TextPieces.PieceKind wordInProgress = null;
        for (int id : ids) {
            String token = vocabulary.token(id);
            if (Vocabulary.isSpecialId(id) || isWhitespaceSymbol(token)) {
                text.append(token);
                previousEndedLetterWord = false;
                wordInProgress = null;
                continue;
            }
            boolean endsWord = token.endsWith(END_OF_WORD);
            String characters = endsWord ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
            if (wordInProgress == null) {
                wordInProgress = TextPieces.kindOfFirst(characters);
                if (previousEndedLetterWord && wordInProgress == TextPieces.PieceKind.WORD) {
                    text.append(' ');
                }
            }
            text.append(characters);
            previousEndedLetterWord = endsWord && wordInProgress == TextPieces.PieceKind.WORD;
            if (endsWord) {
                wordInProgress = null;
            }
        }
        return text.toString();
    }

    /**
     * How {@code word} is encoded, merge by merge, for showing why it splits the way it does.
     *
     * @param word one word: letters/digits, a run of CJK characters, or one punctuation mark. Not
     *             modified.
     * @throws IllegalArgumentException when {@code word} is empty, whitespace, or several words
     */
    public WordTrace traceWord(String word) {
        Objects.requireNonNull(word, "word");
        List<TextPieces.Piece> pieces = TextPieces.split(word, true);
        if (pieces.size() != 1) {
            throw new IllegalArgumentException("\"" + word + "\" is " + pieces.size() + " pieces; pass exactly one word");
        }
        if (pieces.get(0).kind() == TextPieces.PieceKind.SPACE) {
            throw new IllegalArgumentException("whitespace is never merged; pass a word");
        }
        List<MergeStep> steps = new ArrayList<>();
        List<String> initial = texts(initialSymbols(word, pieces.get(0)));
        List<Symbol> symbols = encodePiece(word, pieces.get(0), steps);
        List<String> tokens = new ArrayList<>(symbols.size());
        for (Symbol symbol : symbols) {
            tokens.add(vocabulary.token(idOf(symbol)));
        }
        return new WordTrace(word, initial, List.copyOf(steps), List.copyOf(tokens));
    }

    @Override
    public Kind kind() {
        return Kind.BPE;
    }

    // ---------------------------------------------------------------- encoding

    /** A symbol of a word being encoded and the chars [start, end) of the input it covers. */
    private record Symbol(String text, int start, int end) {
    }

    private static List<Symbol> initialSymbols(String text, TextPieces.Piece piece) {
        List<Symbol> symbols = new ArrayList<>(piece.end() - piece.start());
        int position = piece.start();
        while (position < piece.end()) {
            int end = text.offsetByCodePoints(position, 1);
            String character = text.substring(position, end);
            boolean last = end == piece.end() && piece.kind() != TextPieces.PieceKind.SPACE;
            symbols.add(new Symbol(last ? character + END_OF_WORD : character, position, end));
            position = end;
        }
        return symbols;
    }

    /** The symbols of one piece after every applicable merge; records each merge in {@code steps} unless null. */
    private List<Symbol> encodePiece(String text, TextPieces.Piece piece, List<MergeStep> steps) {
        List<Symbol> symbols = initialSymbols(text, piece);
        if (piece.kind() == TextPieces.PieceKind.SPACE) {
            return symbols;
        }
        while (symbols.size() > 1) {
            Merge best = null;
            for (int index = 0; index + 1 < symbols.size(); index++) {
                Merge merge = mergeByPair.get(new Pair(symbols.get(index).text, symbols.get(index + 1).text));
                if (merge != null && (best == null || merge.rank() < best.rank())) {
                    best = merge;
                }
            }
            if (best == null) {
                break;
            }
            List<Symbol> merged = new ArrayList<>(symbols.size());
            int index = 0;
            while (index < symbols.size()) {
                Symbol symbol = symbols.get(index);
                if (index + 1 < symbols.size() && symbol.text.equals(best.left())
                        && symbols.get(index + 1).text.equals(best.right())) {
                    merged.add(new Symbol(best.token(), symbol.start, symbols.get(index + 1).end));
                    index += 2;
                } else {
                    merged.add(symbol);
                    index += 1;
                }
            }
            if (steps != null) {
                steps.add(new MergeStep(best, texts(symbols), texts(merged)));
            }
            symbols = merged;
        }
        return symbols;
    }

    private int idOf(Symbol symbol) {
        int id = vocabulary.id(symbol.text);
        return id < 0 || Vocabulary.isSpecialId(id) ? Vocabulary.UNK_ID : id;
    }

    private static Symbol last(List<Symbol> symbols) {
        return symbols.get(symbols.size() - 1);
    }

    private static List<String> texts(List<Symbol> symbols) {
        List<String> texts = new ArrayList<>(symbols.size());
        for (Symbol symbol : symbols) {
            texts.add(symbol.text);
        }
        return List.copyOf(texts);
    }

    private static boolean isWhitespaceSymbol(String symbol) {
        return symbol.codePointCount(0, symbol.length()) == 1
                && TextPieces.kindOfFirst(symbol) == TextPieces.PieceKind.SPACE;
    }

    /** Rejects vocabulary entries that no word of any text could produce. */
    private static void checkSymbol(String token, String where) {
        if (isWhitespaceSymbol(token)) {
            return;
        }
        String characters = token.endsWith(END_OF_WORD) ? token.substring(0, token.length() - END_OF_WORD.length()) : token;
        List<TextPieces.Piece> pieces = TextPieces.split(characters, true);
        if (pieces.size() != 1 || pieces.get(0).kind() == TextPieces.PieceKind.SPACE) {
            throw new IllegalArgumentException(where + " is \"" + token + "\", which is not part of one word"
                    + " (optionally ending in " + END_OF_WORD + ") nor a single whitespace character");
        }
    }

    // ---------------------------------------------------------------- training

    /** The base symbols of {@code corpus}: each code point, and unless whitespace, also with {@code </w>}. */
    private static List<String> baseSymbols(String corpus) {
        TreeSet<Integer> codePoints = new TreeSet<>();
        corpus.codePoints().forEach(codePoints::add);
        List<String> symbols = new ArrayList<>(codePoints.size() * 2);
        for (int codePoint : codePoints) {
            String character = Character.toString(codePoint);
            symbols.add(character);
            if (TextPieces.kindOf(codePoint) != TextPieces.PieceKind.SPACE) {
                symbols.add(character + END_OF_WORD);
            }
        }
        return symbols;
    }

    /** The merge loop shared by {@link #train} and {@link #trainToVocabSize}. */
    private static BpeTokenizer learn(String corpus, int maxMerges, int maxVocabSize, Progress progress) {
        Objects.requireNonNull(corpus, "corpus");
        List<String> learned = baseSymbols(corpus);
        Map<String, Integer> symbolIds = new HashMap<>();
        List<String> symbolTexts = new ArrayList<>();
        for (String symbol : learned) {
            symbolIds.put(symbol, symbolTexts.size());
            symbolTexts.add(symbol);
        }

        TreeMap<String, Integer> wordCounts = new TreeMap<>();
        for (TextPieces.Piece piece : TextPieces.split(corpus, true)) {
            if (piece.kind() != TextPieces.PieceKind.SPACE) {
                wordCounts.merge(piece.text(corpus), 1, Integer::sum);
            }
        }
        int wordCount = wordCounts.size();
        int[][] words = new int[wordCount][];
        int[] frequencies = new int[wordCount];
        int wordIndex = 0;
        for (Map.Entry<String, Integer> entry : wordCounts.entrySet()) {
            String text = entry.getKey();
            TextPieces.Piece whole = new TextPieces.Piece(0, text.length(), TextPieces.kindOfFirst(text));
            List<Symbol> symbols = initialSymbols(text, whole);
            int[] word = new int[symbols.size()];
            for (int position = 0; position < word.length; position++) {
                word[position] = symbolIds.get(symbols.get(position).text);
            }
            words[wordIndex] = word;
            frequencies[wordIndex] = entry.getValue();
            wordIndex++;
        }

        PairCounts pairs = new PairCounts(symbolTexts);
        for (int index = 0; index < wordCount; index++) {
            pairs.add(words[index], frequencies[index], index);
        }
        pairs.commit();

        List<Merge> history = new ArrayList<>();
        int vocabSize = Vocabulary.SPECIALS.size() + learned.size();
        while (history.size() < maxMerges && vocabSize < maxVocabSize) {
            long best = pairs.best();
            if (best == PairCounts.NONE) {
                break;
            }
            int left = PairCounts.leftOf(best);
            int right = PairCounts.rightOf(best);
            int count = pairs.count(best);
            String token = symbolTexts.get(left) + symbolTexts.get(right);
            Integer merged = symbolIds.get(token);
            if (merged == null) {
                merged = symbolTexts.size();
                symbolIds.put(token, merged);
                symbolTexts.add(token);
                learned.add(token);
                vocabSize++;
            }
            history.add(new Merge(history.size(), symbolTexts.get(left), symbolTexts.get(right), count, token));
            progress.entries(vocabSize, maxVocabSize);
            for (int index : pairs.wordsWith(best)) {
                int[] word = words[index];
                if (!contains(word, left, right)) {
                    continue;
                }
                pairs.remove(word, frequencies[index]);
                words[index] = applyMerge(word, left, right, merged);
                pairs.add(words[index], frequencies[index], index);
            }
            pairs.commit();
            pairs.forget(best);
        }
        return new BpeTokenizer(Vocabulary.withSpecials(learned), history);
    }

    private static boolean contains(int[] word, int left, int right) {
        for (int position = 0; position + 1 < word.length; position++) {
            if (word[position] == left && word[position + 1] == right) {
                return true;
            }
        }
        return false;
    }

    /** {@code word} with every (left, right), left to right without overlap, replaced by {@code merged}. */
    private static int[] applyMerge(int[] word, int left, int right, int merged) {
        int[] result = new int[word.length];
        int length = 0;
        int position = 0;
        while (position < word.length) {
            if (position + 1 < word.length && word[position] == left && word[position + 1] == right) {
                result[length++] = merged;
                position += 2;
            } else {
                result[length++] = word[position++];
            }
        }
        return Arrays.copyOf(result, length);
    }

    /**
     * Counts of adjacent symbol pairs over all words (weighted by word frequency), kept sorted so
     * the next merge is the first entry, and for each pair the words that contain (or once
     * contained) it. A pair of symbol ids is packed in a long. Changes are collected with
     * {@link #add}/{@link #remove} and applied by {@link #commit}, so each pair is re-sorted once
     * per merge.
     */
    private static final class PairCounts {
        static final long NONE = -1L;

        private final List<String> symbolTexts;
        private final Map<Long, Integer> counts = new HashMap<>();
        private Map<Long, Integer> pendingChanges = new HashMap<>();
        private final Map<Long, Set<Integer>> words = new HashMap<>();
        private final TreeSet<Long> ranking = new TreeSet<>(this::compare);

        PairCounts(List<String> symbolTexts) {
            this.symbolTexts = symbolTexts;
        }

        static long pack(int left, int right) {
            return ((long) left << 32) | (right & 0xffffffffL);
        }

        static int leftOf(long pair) {
            return (int) (pair >>> 32);
        }

        static int rightOf(long pair) {
            return (int) pair;
        }

        /** Counts the pairs of {@code word} {@code frequency} more times (after {@link #commit}). */
        void add(int[] word, int frequency, int wordIndex) {
            for (int position = 0; position + 1 < word.length; position++) {
                long pair = pack(word[position], word[position + 1]);
                pendingChanges.merge(pair, frequency, Integer::sum);
                words.computeIfAbsent(pair, key -> new HashSet<>()).add(wordIndex);
            }
        }

        /** Counts the pairs of {@code word} {@code frequency} fewer times (after {@link #commit}). */
        void remove(int[] word, int frequency) {
            for (int position = 0; position + 1 < word.length; position++) {
                pendingChanges.merge(pack(word[position], word[position + 1]), -frequency, Integer::sum);
            }
        }

        /** Applies the collected changes to the counts and the ranking. */
        void commit() {
            for (Map.Entry<Long, Integer> change : pendingChanges.entrySet()) {
                if (change.getValue() == 0) {
                    continue;
                }
                long pair = change.getKey();
                Integer before = counts.get(pair);
                if (before != null) {
                    ranking.remove(pair);
                }
                int after = (before == null ? 0 : before) + change.getValue();
                if (after < 0) {
                    throw new IllegalStateException("pair count below zero: " + symbolTexts.get(leftOf(pair))
                            + " " + symbolTexts.get(rightOf(pair)));
                }
                if (after == 0) {
                    counts.remove(pair);
                } else {
                    counts.put(pair, after);
                    ranking.add(pair);
                }
            }
            pendingChanges = new HashMap<>();
        }

        int count(long pair) {
            return counts.getOrDefault(pair, 0);
        }

        /** A snapshot of the words that may contain {@code pair}. */
        List<Integer> wordsWith(long pair) {
            return new ArrayList<>(words.getOrDefault(pair, Set.of()));
        }

        /** Drops the word list of a pair that has just been merged everywhere. */
        void forget(long pair) {
            words.remove(pair);
        }

        /** The pair with the highest count, ties to the smaller left then right text; NONE when empty. */
        long best() {
            return ranking.isEmpty() ? NONE : ranking.first();
        }

        /** Higher count first, then smaller left text, then smaller right text. */
        private int compare(Long pair, Long other) {
            int byCount = Integer.compare(counts.get(other), counts.get(pair));
            if (byCount != 0) {
                return byCount;
            }
            int byLeft = symbolTexts.get(leftOf(pair)).compareTo(symbolTexts.get(leftOf(other)));
            if (byLeft != 0) {
                return byLeft;
            }
            return symbolTexts.get(rightOf(pair)).compareTo(symbolTexts.get(rightOf(other)));
        }
    }
}
