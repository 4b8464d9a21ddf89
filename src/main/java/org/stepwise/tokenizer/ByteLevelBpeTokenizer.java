package org.stepwise.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level byte-pair encoding: the text's UTF-8 bytes are merged into tokens by a fixed
 * list of merges, so every text can be encoded and no token is ever unknown.
 *
 * <p><b>Encoding</b> goes in four steps, exactly as Hugging Face's {@code encode} for GPT-2:
 * <ol>
 *   <li>The special tokens (such as {@code <|endoftext|>}) are cut out of the text first and become
 *       their own ids; the text between them is encoded on its own.</li>
 *   <li>Pre-tokenization: {@link #PRE_TOKENIZER} cuts the text into pieces: contractions
 *       ({@code 's}, {@code 't}, {@code 're}, {@code 've}, {@code 'm}, {@code 'll}, {@code 'd}), a
 *       run of letters, of digits, or of other symbols with at most one space in front, and runs of
 *       whitespace. {@code \s+(?!\S)} takes a run of whitespace but leaves its last space to the
 *       word after it, so {@code "a   b"} becomes {@code "a"}, {@code "  "}, {@code " b"}. The pattern
 *       is GPT-2's, compiled with {@link Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s} is every
 *       Unicode whitespace character as in Python's {@code regex}; Java matches by code point, so a
 *       surrogate pair is one character.</li>
 *   <li>Each piece is turned into its UTF-8 bytes, one starting token per byte (the
 *       {@link ByteLevelAlphabet} symbols, e.g. {@code Ġ} for the space byte).</li>
 *   <li>Merges: repeatedly the adjacent pair with the lowest merge rank is merged, the leftmost one
 *       first when a pair occurs several times, until no adjacent pair has a merge. A piece's result
 *       is cached, since words repeat.</li>
 * </ol>
 *
 * <p><b>Spans.</b> Each token's span is the chars of the input its bytes come from. A token holding
 * only some of the bytes of a multi-byte character gets the span of that whole character, so
 * neighbouring tokens can share a span (the two tokens of {@code 你} both cover {@code 你}).
 *
 * <p><b>Decoding</b> joins the tokens' bytes (a special token gives its text) and reads them as
 * UTF-8, so {@code decode(encode(s).ids())} equals {@code s} for every {@code s}. Ids whose bytes are
 * not valid UTF-8 (a lone piece of a character) decode to U+FFFD, as Hugging Face's
 * {@code errors="replace"} does.
 *
 * <p>Text holding an unpaired surrogate char has no UTF-8 bytes and is refused.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {

    /** GPT-2's end-of-text token, id 50256 in GPT-2. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    /** GPT-2's pre-tokenization pattern. */
    public static final Pattern PRE_TOKENIZER = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** One merge: symbols {@code left} and {@code right} become {@code left + right}; lower ranks merge first. */
    public record Merge(int rank, String left, String right) {
        public String token() {
            return left + right;
        }
    }

    private static final int CACHE_LIMIT = 50_000;

    private final String[] tokens;
    private final Map<String, Integer> idOfToken;
    private final byte[][] bytesOfId;
    private final boolean[] isSpecialId;
    private final int[] idOfByte = new int[ByteLevelAlphabet.SIZE];
    private final List<Merge> merges;
    /** (left id, right id) packed in a long → merge rank. */
    private final Map<Long, Integer> rankOfPair;
    /** merge rank → id of the merged token. */
    private final int[] idOfRank;
    /** Special token texts, longest first, so the longest one wins where two start at the same char. */
    private final List<String> specialsLongestFirst;
    private final SpecialTokens specials;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * A tokenizer from its vocabulary, merges and special tokens (as read from files).
     *
     * @param tokens        the vocabulary: {@code tokens.get(id)} is the entry of id, written in
     *                      {@link ByteLevelAlphabet} symbols, except the special tokens, which are
     *                      plain text. Not modified.
     * @param merges        in rank order, ranks 0, 1, 2, .... Not modified.
     * @param specialTokens the entries of {@code tokens} that are special tokens. Not modified.
     * @param eosToken      the end-of-sequence token, or null for {@link #END_OF_TEXT} when it is in
     *                      the vocabulary
     * @param padToken      the padding token, or null for none
     * @throws IllegalArgumentException when an entry is empty, repeated, or neither special nor made
     *                                  of byte symbols; when one of the 256 byte symbols is missing;
     *                                  when a merge is out of order, repeated, or uses or makes a
     *                                  symbol that is not a non-special entry; or when a named special
     *                                  token is not in the vocabulary
     */
    ByteLevelBpeTokenizer(List<String> tokens, List<Merge> merges, Set<String> specialTokens,
                          String eosToken, String padToken) {
        checkVocabulary(tokens, specialTokens);
        int size = tokens.size();
        this.tokens = tokens.toArray(new String[0]);
        this.idOfToken = new HashMap<>(size * 2);
        this.bytesOfId = new byte[size][];
        this.isSpecialId = new boolean[size];
        for (int id = 0; id < size; id++) {
            String token = this.tokens[id];
            idOfToken.put(token, id);
            isSpecialId[id] = specialTokens.contains(token);
            bytesOfId[id] = isSpecialId[id] ? token.getBytes(StandardCharsets.UTF_8) : ByteLevelAlphabet.bytesOf(token);
        }
        for (int value = 0; value < ByteLevelAlphabet.SIZE; value++) {
            idOfByte[value] = idOfToken.get(String.valueOf(ByteLevelAlphabet.symbolOf(value)));
        }

        this.rankOfPair = new HashMap<>(merges.size() * 2);
        this.idOfRank = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge merge = merges.get(rank);
            String where = "merge " + rank + " (" + merge.left() + " " + merge.right() + ")";
            if (merge.rank() != rank) {
                throw new IllegalArgumentException(where + " has rank " + merge.rank() + "; ranks must count 0, 1, 2, ...");
            }
            int[] parts = new int[3];
            List<String> symbols = List.of(merge.left(), merge.right(), merge.token());
            for (int index = 0; index < 3; index++) {
                Integer id = idOfToken.get(symbols.get(index));
                if (id == null || isSpecialId[id]) {
                    throw new IllegalArgumentException(where + " uses \"" + symbols.get(index) + "\", which is "
                            + (id == null ? "not in the vocabulary" : "a special token"));
                }
                parts[index] = id;
            }
            if (rankOfPair.put(pairKey(parts[0], parts[1]), rank) != null) {
                throw new IllegalArgumentException(where + " repeats an earlier merge");
            }
            idOfRank[rank] = parts[2];
        }
        this.merges = List.copyOf(merges);

        List<String> sorted = new ArrayList<>(specialTokens);
        sorted.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        this.specialsLongestFirst = List.copyOf(sorted);
        int eos = eosToken != null ? requireSpecial(eosToken, "end-of-sequence")
                : specialTokens.contains(END_OF_TEXT) ? idOfToken.get(END_OF_TEXT) : -1;
        int pad = padToken != null ? requireSpecial(padToken, "padding") : -1;
        this.specials = new SpecialTokens(eos, -1, pad);
    }

    /**
     * Checks a vocabulary on its own: every entry has text, none repeats, each is a special token or
     * made of byte symbols, every special token is an entry, and all 256 byte symbols are
     * (non-special) entries. Not modified: both arguments.
     *
     * @throws IllegalArgumentException saying which entry is wrong
     */
    static void checkVocabulary(List<String> tokens, Set<String> specialTokens) {
        Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
        for (int id = 0; id < tokens.size(); id++) {
            String token = tokens.get(id);
            if (token == null || token.isEmpty()) {
                throw new IllegalArgumentException("id " + id + " has no text; every token needs text");
            }
            Integer earlier = ids.put(token, id);
            if (earlier != null) {
                throw new IllegalArgumentException("token \"" + token + "\" appears twice (ids " + earlier + " and " + id + ")");
            }
            if (!specialTokens.contains(token) && !ByteLevelAlphabet.isSymbols(token)) {
                int bad = 0;
                while (ByteLevelAlphabet.byteOf(token.charAt(bad)) >= 0) {
                    bad++;
                }
                throw new IllegalArgumentException(String.format("token \"%s\" (id %d) holds '%c' (U+%04X), which is not a"
                        + " byte-level symbol, and it is not a special token", token, id, token.charAt(bad), (int) token.charAt(bad)));
            }
        }
        for (String special : specialTokens) {
            if (!ids.containsKey(special)) {
                throw new IllegalArgumentException("special token \"" + special + "\" is not in the vocabulary");
            }
        }
        for (int value = 0; value < ByteLevelAlphabet.SIZE; value++) {
            String symbol = String.valueOf(ByteLevelAlphabet.symbolOf(value));
            Integer id = ids.get(symbol);
            if (id == null || specialTokens.contains(symbol)) {
                throw new IllegalArgumentException(String.format("the byte symbol \"%s\" (byte 0x%02x) is missing;"
                        + " a byte-level vocabulary holds all 256 bytes", symbol, value));
            }
        }
    }

    private int requireSpecial(String token, String role) {
        Integer id = idOfToken.get(token);
        if (id == null || !isSpecialId[id]) {
            throw new IllegalArgumentException("the " + role + " token \"" + token + "\" is not a special token of the vocabulary");
        }
        return id;
    }

    private static long pairKey(int leftId, int rightId) {
        return ((long) leftId << 32) | (rightId & 0xFFFFFFFFL);
    }

    @Override
    public Encoding encode(String text) {
        requireWellFormed(text);
        List<Integer> ids = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        int from = 0;
        while (true) {
            SpecialMatch special = nextSpecial(text, from);
            encodeOrdinary(text, from, special == null ? text.length() : special.start(), ids, texts, spans);
            if (special == null) {
                break;
            }
            ids.add(idOfToken.get(special.token()));
            texts.add(special.token());
            spans.add(new Span(special.start(), special.end()));
            from = special.end();
        }
        int[] idArray = new int[ids.size()];
        for (int index = 0; index < idArray.length; index++) {
            idArray[index] = ids.get(index);
        }
        return new Encoding(idArray, List.copyOf(texts), List.copyOf(spans));
    }

    /**
     * The pieces pre-tokenization cuts {@code text} into, as [start, end) char spans; special
     * tokens are pieces of their own.
     */
    public List<Span> preTokenize(String text) {
        requireWellFormed(text);
        List<Span> pieces = new ArrayList<>();
        int from = 0;
        while (true) {
            SpecialMatch special = nextSpecial(text, from);
            Matcher matcher = PRE_TOKENIZER.matcher(text).region(from, special == null ? text.length() : special.start());
            while (matcher.find()) {
                pieces.add(new Span(matcher.start(), matcher.end()));
            }
            if (special == null) {
                break;
            }
            pieces.add(new Span(special.start(), special.end()));
            from = special.end();
        }
        return pieces;
    }

    /** Where a special token occurs in the text. */
    private record SpecialMatch(int start, String token) {
        int end() {
            return start + token.length();
        }
    }

    /** The first special token at or after char {@code from} (the longest where two start together), or null. */
    private SpecialMatch nextSpecial(String text, int from) {
        SpecialMatch first = null;
        for (String candidate : specialsLongestFirst) {
            int found = text.indexOf(candidate, from);
            if (found >= 0 && (first == null || found < first.start())) {
                first = new SpecialMatch(found, candidate);
            }
        }
        return first;
    }

    /**
     * Encodes chars [from, to) of {@code text}, which hold no special token, appending to the lists.
     * The matcher's region has opaque bounds, so {@code \s+(?!\S)} sees the end of this stretch as
     * the end of the text, as when Hugging Face encodes the stretch between special tokens alone.
     */
    private void encodeOrdinary(String text, int from, int to, List<Integer> ids, List<String> texts, List<Span> spans) {
        Matcher matcher = PRE_TOKENIZER.matcher(text).region(from, to);
        while (matcher.find()) {
            String piece = matcher.group();
            int[] pieceIds = idsOfPiece(piece);
            int[] charOfByte = charStartOfEachByte(piece);
            int byteIndex = 0;
            for (int id : pieceIds) {
                int length = bytesOfId[id].length;
                int firstChar = charOfByte[byteIndex];
                int lastByte = byteIndex + length - 1;
                int endChar = charOfByte[lastByte] + Character.charCount(piece.codePointAt(charOfByte[lastByte]));
                ids.add(id);
                texts.add(tokens[id]);
                spans.add(new Span(matcher.start() + firstChar, matcher.start() + endChar));
                byteIndex += length;
            }
        }
    }

    /** For each UTF-8 byte of {@code piece}, the index of the first char of the character it belongs to. */
    private static int[] charStartOfEachByte(String piece) {
        int[] charOfByte = new int[piece.length() * 3];
        int byteCount = 0;
        for (int charIndex = 0; charIndex < piece.length(); ) {
            int codePoint = piece.codePointAt(charIndex);
            int bytes = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            for (int index = 0; index < bytes; index++) {
                charOfByte[byteCount++] = charIndex;
            }
            charIndex += Character.charCount(codePoint);
        }
        return charOfByte;
    }

    /** The ids of one pre-tokenized piece, from the cache or by merging its bytes. */
    private int[] idsOfPiece(String piece) {
        int[] cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        int[] ids = mergeBytes(piece.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(piece, ids);
        return ids;
    }

    /**
     * Byte-pair merging of one piece: starts from one symbol per byte and merges, each time, the
     * adjacent pair with the lowest rank (the leftmost one among equal pairs). The symbols form a
     * linked list over the byte positions; a min-heap of (rank, position) finds the next merge, and
     * entries made stale by an earlier merge are skipped when they come up. Not modified: {@code bytes}.
     */
    private int[] mergeBytes(byte[] bytes) {
        int count = bytes.length;
        int[] symbol = new int[count];
        int[] next = new int[count];
        int[] previous = new int[count];
        for (int position = 0; position < count; position++) {
            symbol[position] = idOfByte[bytes[position] & 0xFF];
            next[position] = position + 1;
            previous[position] = position - 1;
        }
        LongMinHeap candidates = new LongMinHeap(Math.max(count, 1));
        for (int position = 0; position + 1 < count; position++) {
            pushPair(candidates, symbol[position], symbol[position + 1], position);
        }
        while (!candidates.isEmpty()) {
            long entry = candidates.pop();
            int rank = (int) (entry >>> 32);
            int position = (int) entry;
            int right = next[position];
            if (symbol[position] < 0 || right >= count) {
                continue;
            }
            Integer current = rankOfPair.get(pairKey(symbol[position], symbol[right]));
            if (current == null || current != rank) {
                continue;
            }
            symbol[position] = idOfRank[rank];
            symbol[right] = -1;
            next[position] = next[right];
            if (next[position] < count) {
                previous[next[position]] = position;
                pushPair(candidates, symbol[position], symbol[next[position]], position);
            }
            if (previous[position] >= 0) {
                pushPair(candidates, symbol[previous[position]], symbol[position], previous[position]);
            }
        }
        int kept = 0;
        for (int position = 0; position < count; position = next[position]) {
            symbol[kept++] = symbol[position];
        }
        return Arrays.copyOf(symbol, kept);
    }

    private void pushPair(LongMinHeap candidates, int leftId, int rightId, int position) {
        Integer rank = rankOfPair.get(pairKey(leftId, rightId));
        if (rank != null) {
            candidates.push(((long) rank << 32) | position);
        }
    }

    /** A growable binary min-heap of longs (rank in the high half, position in the low half). */
    private static final class LongMinHeap {
        private long[] items;
        private int size;

        LongMinHeap(int capacity) {
            items = new long[capacity];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long item) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int index = size++;
            while (index > 0) {
                int parent = (index - 1) / 2;
                if (items[parent] <= item) {
                    break;
                }
                items[index] = items[parent];
                index = parent;
            }
            items[index] = item;
        }

        long pop() {
            long top = items[0];
            long last = items[--size];
            int index = 0;
            while (true) {
                int child = 2 * index + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[index] = items[child];
                index = child;
            }
            items[index] = last;
            return top;
        }
    }

    /** Refuses text with an unpaired surrogate, which has no UTF-8 bytes. */
    private static void requireWellFormed(String text) {
        for (int index = 0; index < text.length(); index++) {
            char current = text.charAt(index);
            if (Character.isHighSurrogate(current) && index + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(index + 1))) {
                index++;
            } else if (Character.isSurrogate(current)) {
                throw new IllegalArgumentException(String.format("the text holds an unpaired surrogate \\u%04X at index %d;"
                        + " it is not a character and has no UTF-8 bytes, so a byte-level tokenizer cannot encode it",
                        (int) current, index));
            }
        }
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            checkId(id);
            bytes.writeBytes(bytesOfId[id]);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("id " + id + " is not in the vocabulary (ids 0.." + (tokens.length - 1) + ")");
        }
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public String token(int id) {
        checkId(id);
        return tokens[id];
    }

    @Override
    public int id(String token) {
        Integer id = idOfToken.get(token);
        return id == null ? -1 : id;
    }

    @Override
    public SpecialTokens specials() {
        return specials;
    }

    @Override
    public Kind kind() {
        return Kind.BYTE_LEVEL_BPE;
    }

    /** The bytes id {@code id} stands for (a special token: the UTF-8 bytes of its text); a fresh copy. */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return bytesOfId[id].clone();
    }

    /** True when {@code id} is a special token such as {@code <|endoftext|>}. */
    public boolean isSpecial(int id) {
        checkId(id);
        return isSpecialId[id];
    }

    /** The special tokens' texts, longest first. */
    public List<String> specialTokens() {
        return specialsLongestFirst;
    }

    /** The merges in rank order; unmodifiable. */
    public List<Merge> merges() {
        return merges;
    }

    /** Every vocabulary entry in id order (special tokens as plain text); a fresh list. */
    public List<String> tokens() {
        return new ArrayList<>(Arrays.asList(tokens));
    }

}
