package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import com.knuddels.jtokkit.api.IntArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPT-2's tokenizer, loaded from Hugging Face files written from JTokkit's r50k_base table, gives
 * the same ids as JTokkit on hundreds of varied texts, decodes them back exactly, and maps every
 * token to the chars its bytes come from.
 */
class Gpt2ReferenceTest {

    @TempDir
    static Path folder;

    static Tokenizer gpt2;

    @BeforeAll
    static void loadGpt2FromItsFiles() throws IOException {
        Gpt2TestFolder.write(folder);
        gpt2 = TokenizerFiles.load(folder);
    }

    @Test
    void folderLoadsAsGpt2() {
        ByteLevelBpeTokenizer tokenizer = assertInstanceOfByteLevel(gpt2);
        assertEquals(Tokenizer.Kind.BYTE_LEVEL_BPE, gpt2.kind());
        assertEquals(Gpt2TestFolder.GPT2_VOCAB_SIZE, gpt2.vocabSize());
        assertEquals(50_000, tokenizer.merges().size());
        assertEquals(new Tokenizer.SpecialTokens(Gpt2TestFolder.END_OF_TEXT_ID, -1, -1), gpt2.specials());
        assertEquals("<|endoftext|>", gpt2.token(50256));
        assertEquals(50256, gpt2.id("<|endoftext|>"));
        assertEquals("Ġthe", gpt2.token(262));
        assertEquals(-1, gpt2.id("not a token"));
        assertEquals(new ByteLevelBpeTokenizer.Merge(0, "Ġ", "t"), tokenizer.merges().get(0));
    }

    private static ByteLevelBpeTokenizer assertInstanceOfByteLevel(Tokenizer tokenizer) {
        assertTrue(tokenizer instanceof ByteLevelBpeTokenizer, tokenizer.getClass().getName());
        return (ByteLevelBpeTokenizer) tokenizer;
    }

    @Test
    void knownGpt2Ids() {
        assertArrayEquals(new int[] {15496, 995}, gpt2.encode("Hello world").ids());
        assertArrayEquals(new int[] {464, 3797, 3332, 319, 262, 2603, 13}, gpt2.encode("The cat sat on the mat.").ids());
        assertEquals(List.of("The", "Ġcat", "Ġsat", "Ġon", "Ġthe", "Ġmat", "."), gpt2.encode("The cat sat on the mat.").tokens());
    }

    @Test
    void sameIdsAsJTokkitOnHundredsOfWrittenTexts() {
        List<String> texts = Gpt2Samples.all();
        assertTrue(Gpt2Samples.WRITTEN.size() >= 300, "written texts: " + Gpt2Samples.WRITTEN.size());
        List<String> mismatches = new ArrayList<>();
        for (String text : texts) {
            int[] expected = Gpt2TestFolder.referenceIds(text);
            Tokenizer.Encoding encoding = gpt2.encode(text);
            if (!java.util.Arrays.equals(expected, encoding.ids())) {
                mismatches.add(escape(text) + ": expected " + java.util.Arrays.toString(expected)
                        + " got " + java.util.Arrays.toString(encoding.ids()));
                continue;
            }
            assertEquals(text, gpt2.decode(encoding.ids()), () -> "decode(encode(\"" + escape(text) + "\"))");
            assertSpansCoverTheBytes(text, encoding);
        }
        assertEquals(List.of(), mismatches, mismatches.size() + " of " + texts.size() + " texts differ");
    }

    @Test
    void emptyTextHasNoTokens() {
        Tokenizer.Encoding encoding = gpt2.encode("");
        assertEquals(0, encoding.size());
        assertEquals("", gpt2.decode(new int[0]));
    }

    @Test
    void endOfTextInTheTextIsTheSpecialToken() {
        assertArrayEquals(new int[] {50256}, gpt2.encode("<|endoftext|>").ids());
        int[] hello = Gpt2TestFolder.referenceIds("Hello");
        int[] world = Gpt2TestFolder.referenceIds(" world");
        assertArrayEquals(IntStream.concat(IntStream.concat(IntStream.of(hello), IntStream.of(50256)), IntStream.of(world)).toArray(),
                gpt2.encode("Hello<|endoftext|> world").ids());
        // Hugging Face encodes the text on each side of a special token on its own: "a " ends with its space.
        assertArrayEquals(new int[] {64, 220, 50256, 275}, gpt2.encode("a <|endoftext|> b").ids());
        assertArrayEquals(new int[] {50256, 50256}, gpt2.encode("<|endoftext|><|endoftext|>").ids());
        Tokenizer.Encoding encoding = gpt2.encode("x<|endoftext|>y");
        assertEquals(new Tokenizer.Span(1, 14), encoding.spans().get(1));
        assertEquals("<|endoftext|>", encoding.tokens().get(1));
        assertEquals("x<|endoftext|>y", gpt2.decode(encoding.ids()));
        // Only the exact text is special: a broken one is plain text, as in JTokkit.
        assertArrayEquals(Gpt2TestFolder.referenceIds("<|endoftext|"), gpt2.encode("<|endoftext|").ids());
    }

    @Test
    void preTokenizationFollowsGpt2Pattern() {
        ByteLevelBpeTokenizer tokenizer = assertInstanceOfByteLevel(gpt2);
        String text = "I'm   here!!\n\n 42<|endoftext|>x ";
        List<String> pieces = new ArrayList<>();
        for (Tokenizer.Span span : tokenizer.preTokenize(text)) {
            pieces.add(text.substring(span.start(), span.end()));
        }
        assertEquals(List.of("I", "'m", "  ", " here", "!!", "\n\n", " 42", "<|endoftext|>", "x", " "), pieces);
    }

    @Test
    void partialCharacterTokensGetTheWholeCharactersSpan() {
        Tokenizer.Encoding encoding = gpt2.encode("你好");
        assertArrayEquals(Gpt2TestFolder.referenceIds("你好"), encoding.ids());
        assertTrue(encoding.size() > 2, "你好 is more than two tokens in GPT-2");
        for (Tokenizer.Span span : encoding.spans()) {
            assertTrue(span.equals(new Tokenizer.Span(0, 1)) || span.equals(new Tokenizer.Span(1, 2)), span.toString());
        }
        Tokenizer.Encoding astral = gpt2.encode("😀");
        for (Tokenizer.Span span : astral.spans()) {
            assertEquals(new Tokenizer.Span(0, 2), span, "the surrogate pair is one character");
        }
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        for (String text : List.of("a\ud800b", "\udc00", "x\ud83d")) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> gpt2.encode(text));
            assertTrue(error.getMessage().contains("unpaired surrogate"), error.getMessage());
        }
    }

    @Test
    void unknownIdsAreRefusedWhenDecoding() {
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {50257}));
        assertThrows(IllegalArgumentException.class, () -> gpt2.decode(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> gpt2.token(50257));
    }

    @Test
    void hundredKilobytesOfEnglishEncodeLikeTheReference() throws IOException {
        String corpus = Files.readString(Path.of("assets", "corpus", "english.txt"), StandardCharsets.UTF_8);
        StringBuilder text = new StringBuilder();
        while (text.length() < 100_000) {
            text.append(corpus).append("\n\n");
        }
        String big = text.toString();
        long start = System.nanoTime();
        int[] ids = gpt2.encode(big).ids();
        long millis = (System.nanoTime() - start) / 1_000_000;
        start = System.nanoTime();
        int[] expected = Gpt2TestFolder.referenceIds(big);
        long referenceMillis = (System.nanoTime() - start) / 1_000_000;
        assertArrayEquals(expected, ids);
        assertEquals(big, gpt2.decode(ids));
        System.out.printf("encoded %d chars into %d GPT-2 tokens in %d ms (JTokkit: %d ms)%n", big.length(), ids.length,
                millis, referenceMillis);
    }

    /**
     * Each token's span is computed here from the reference's bytes of each token: the chars whose
     * UTF-8 bytes overlap the token's bytes.
     */
    private static void assertSpansCoverTheBytes(String text, Tokenizer.Encoding encoding) {
        List<Integer> charStartOfByte = new ArrayList<>();
        List<Integer> charEndOfByte = new ArrayList<>();
        for (int index = 0; index < text.length(); ) {
            int codePoint = text.codePointAt(index);
            int next = index + Character.charCount(codePoint);
            int byteCount = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            for (int count = 0; count < byteCount; count++) {
                charStartOfByte.add(index);
                charEndOfByte.add(next);
            }
            index = next;
        }
        int byteIndex = 0;
        for (int token = 0; token < encoding.size(); token++) {
            IntArrayList one = new IntArrayList();
            one.add(encoding.ids()[token]);
            int length = Gpt2TestFolder.reference().decodeBytes(one).length;
            Tokenizer.Span expected = new Tokenizer.Span(charStartOfByte.get(byteIndex), charEndOfByte.get(byteIndex + length - 1));
            assertEquals(expected, encoding.spans().get(token), "span of token " + token + " of \"" + escape(text) + "\"");
            assertEquals(gpt2.token(encoding.ids()[token]), encoding.tokens().get(token));
            byteIndex += length;
        }
        assertEquals(charStartOfByte.size(), byteIndex, "the tokens hold every byte of \"" + escape(text) + "\"");
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(codePoint -> {
            if (codePoint < 0x20 || codePoint > 0x7E) {
                out.append(String.format("\\u{%X}", codePoint));
            } else {
                out.append((char) codePoint);
            }
        });
        return out.toString();
    }
}
