package org.stepwise.ui.stage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.ByteLevelAlphabet;
import org.stepwise.tokenizer.ByteLevelBpeTokenizer;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;

/**
 * "Why this split": the merges that turned the word around one token into its tokens, replayed one by
 * one, for BPE (with {@code </w>}) and byte-level BPE (GPT-2). Other tokenizers have no merges.
 *
 * @param word    the word (BPE) or pre-tokenized piece (byte-level) the token belongs to
 * @param initial its symbols before any merge: characters, or bytes for byte-level BPE
 * @param steps   every merge applied, in order
 */
record MergeReplay(String word, List<Symbol> initial, List<Step> steps) {

    /** A symbol as a learner reads it, and its vocabulary id (−1 when it is not in the vocabulary). */
    record Symbol(String shown, int id) {
    }

    /**
     * One merge: {@code left} + {@code right} became one symbol everywhere in the word.
     *
     * @param rank      position of the merge in the learned history, from 0 (lower merges first)
     * @param left      the left symbol as shown
     * @param right     the right symbol as shown
     * @param count     how often the pair was seen in training, −1 when unknown
     * @param after     the word's symbols after the merge
     * @param madeIndex index in {@code after} of the first symbol the merge made
     */
    record Step(int rank, String left, String right, int count, List<Symbol> after, int madeIndex) {
    }

    /** Why a token has no replay; each has a bundle key. */
    enum NoReplay {
        NOT_BPE("stage.merges.notBpe"),
        SPECIAL("stage.merges.special"),
        WHITESPACE("stage.merges.whitespace"),
        UNKNOWN("stage.merges.unknown");

        private final String bundleKey;

        NoReplay(String bundleKey) {
            this.bundleKey = bundleKey;
        }

        String bundleKey() {
            return bundleKey;
        }
    }

    /** The replay, or why there is none. Exactly one of the two is non-null. */
    record Result(MergeReplay replay, NoReplay reason) {
    }

    /** The symbols after the last merge: the word's tokens. */
    List<Symbol> finalSymbols() {
        return steps.isEmpty() ? initial : steps.get(steps.size() - 1).after();
    }

    /**
     * The replay for token {@code index} of {@code encoding}, the encoding of {@code text} by {@code tokenizer}.
     *
     * @throws IllegalArgumentException when {@code index} is outside the encoding
     */
    static Result of(Tokenizer tokenizer, String text, Tokenizer.Encoding encoding, int index) {
        if (index < 0 || index >= encoding.size()) {
            throw new IllegalArgumentException("token " + index + " is outside the " + encoding.size() + " tokens");
        }
        int id = encoding.ids()[index];
        if (tokenizer instanceof BpeTokenizer bpe) {
            return ofBpe(bpe, text, encoding, index, id);
        }
        if (tokenizer instanceof ByteLevelBpeTokenizer byteLevel) {
            return ofByteLevel(byteLevel, text, encoding.spans().get(index), id);
        }
        return new Result(null, NoReplay.NOT_BPE);
    }

    private static Result ofBpe(BpeTokenizer bpe, String text, Tokenizer.Encoding encoding, int index, int id) {
        Tokenizer.SpecialTokens specials = bpe.specials();
        if (id == specials.unk()) {
            return new Result(null, NoReplay.UNKNOWN);
        }
        if (id == specials.eos() || id == specials.pad()) {
            return new Result(null, NoReplay.SPECIAL);
        }
        if (!isWordPart(bpe, encoding.ids()[index])) {
            return new Result(null, NoReplay.WHITESPACE);
        }
        int first = index;
        while (first > 0 && isWordPart(bpe, encoding.ids()[first - 1])
                && !encoding.tokens().get(first - 1).endsWith(BpeTokenizer.END_OF_WORD)
                && encoding.spans().get(first - 1).end() == encoding.spans().get(first).start()) {
            first--;
        }
        int last = index;
        while (!encoding.tokens().get(last).endsWith(BpeTokenizer.END_OF_WORD) && last + 1 < encoding.size()
                && isWordPart(bpe, encoding.ids()[last + 1])
                && encoding.spans().get(last).end() == encoding.spans().get(last + 1).start()) {
            last++;
        }
        String word = text.substring(encoding.spans().get(first).start(), encoding.spans().get(last).end());
        BpeTokenizer.WordTrace trace = bpe.traceWord(word);
        List<Step> steps = new ArrayList<>(trace.steps().size());
        for (BpeTokenizer.MergeStep step : trace.steps()) {
            BpeTokenizer.Merge merge = step.merge();
            steps.add(new Step(merge.rank(), TokenDisplay.ofText(merge.left()).text(),
                    TokenDisplay.ofText(merge.right()).text(), merge.count(), bpeSymbols(bpe, step.after()),
                    step.after().indexOf(merge.token())));
        }
        return new Result(new MergeReplay(word, bpeSymbols(bpe, trace.initialSymbols()), List.copyOf(steps)), null);
    }

    /** True for a token of a word: neither special nor whitespace. */
    private static boolean isWordPart(BpeTokenizer bpe, int id) {
        Tokenizer.SpecialTokens specials = bpe.specials();
        if (id == specials.unk() || id == specials.eos() || id == specials.pad()) {
            return false;
        }
        String token = bpe.token(id);
        return !token.isBlank();
    }

    private static List<Symbol> bpeSymbols(BpeTokenizer bpe, List<String> symbols) {
        List<Symbol> shown = new ArrayList<>(symbols.size());
        for (String symbol : symbols) {
            shown.add(new Symbol(TokenDisplay.ofText(symbol).text(), bpe.id(symbol)));
        }
        return List.copyOf(shown);
    }

    /**
     * Byte-level BPE as GPT-2 does it: the piece's UTF-8 bytes, each one symbol; then, again and again, the
     * adjacent pair with the lowest merge rank is merged everywhere, left to right, until no pair has a rank.
     */
    private static Result ofByteLevel(ByteLevelBpeTokenizer byteLevel, String text, Tokenizer.Span span, int id) {
        if (byteLevel.isSpecial(id)) {
            return new Result(null, NoReplay.SPECIAL);
        }
        Tokenizer.Span piece = null;
        for (Tokenizer.Span candidate : byteLevel.preTokenize(text)) {
            if (candidate.start() <= span.start() && span.end() <= candidate.end()) {
                piece = candidate;
                break;
            }
        }
        if (piece == null) {
            throw new IllegalArgumentException("token span [" + span.start() + ", " + span.end()
                    + ") lies in no pre-tokenized piece of the text");
        }
        String word = text.substring(piece.start(), piece.end());
        Map<String, ByteLevelBpeTokenizer.Merge> mergeOfPair = new HashMap<>();
        for (ByteLevelBpeTokenizer.Merge merge : byteLevel.merges()) {
            mergeOfPair.putIfAbsent(merge.left() + " " + merge.right(), merge);
        }
        List<String> symbols = new ArrayList<>();
        for (byte value : word.getBytes(StandardCharsets.UTF_8)) {
            symbols.add(String.valueOf(ByteLevelAlphabet.symbolOf(value & 0xFF)));
        }
        List<Symbol> initial = byteLevelSymbols(byteLevel, symbols);
        List<Step> steps = new ArrayList<>();
        while (symbols.size() > 1) {
            ByteLevelBpeTokenizer.Merge best = null;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                ByteLevelBpeTokenizer.Merge merge = mergeOfPair.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (merge != null && (best == null || merge.rank() < best.rank())) {
                    best = merge;
                }
            }
            if (best == null) {
                break;
            }
            List<String> merged = new ArrayList<>(symbols.size());
            int madeIndex = -1;
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(best.left()) && symbols.get(i + 1).equals(best.right())) {
                    if (madeIndex < 0) {
                        madeIndex = merged.size();
                    }
                    merged.add(best.token());
                    i++;
                } else {
                    merged.add(symbols.get(i));
                }
            }
            symbols = merged;
            steps.add(new Step(best.rank(), shownSymbol(best.left()), shownSymbol(best.right()), -1,
                    byteLevelSymbols(byteLevel, symbols), madeIndex));
        }
        return new Result(new MergeReplay(word, initial, List.copyOf(steps)), null);
    }

    private static List<Symbol> byteLevelSymbols(ByteLevelBpeTokenizer byteLevel, List<String> symbols) {
        List<Symbol> shown = new ArrayList<>(symbols.size());
        for (String symbol : symbols) {
            shown.add(new Symbol(shownSymbol(symbol), byteLevel.id(symbol)));
        }
        return List.copyOf(shown);
    }

    /** A byte-level symbol (GPT-2's printable stand-ins for bytes) as the bytes it stands for. */
    private static String shownSymbol(String symbol) {
        byte[] bytes = new byte[symbol.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ByteLevelAlphabet.byteOf(symbol.charAt(i));
        }
        return TokenDisplay.ofBytes(bytes).text();
    }
}
