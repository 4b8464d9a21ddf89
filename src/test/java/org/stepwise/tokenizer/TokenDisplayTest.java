package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Tokens shown to learners: visible whitespace marks, hex bytes for split characters, special tokens marked. */
class TokenDisplayTest {

    private static final ByteLevelBpeTokenizer GPT2 = Gpt2TestFolder.shared();

    @Test
    void gpt2SpaceIsAVisibleMarkNotG() {
        int id = GPT2.id("Ġcat");
        TokenDisplay.Shown shown = TokenDisplay.of(GPT2, id);
        assertEquals("␣cat", shown.text());
        assertEquals(Set.of(TokenDisplay.Mark.SPACE), shown.marks());
        assertEquals("Hello", TokenDisplay.of(GPT2, GPT2.id("Hello")).text());
        assertTrue(TokenDisplay.of(GPT2, GPT2.id("Hello")).marks().isEmpty());
    }

    @Test
    void newlinesAndTabsGetTheirMarks() {
        TokenDisplay.Shown newlines = TokenDisplay.of(GPT2, GPT2.id("ĊĊ"));
        assertEquals("↵↵", newlines.text());
        assertEquals(Set.of(TokenDisplay.Mark.NEWLINE), newlines.marks());
        TokenDisplay.Shown tab = TokenDisplay.of(GPT2, GPT2.id("ĉ"));
        assertEquals("→", tab.text());
        assertTrue(tab.has(TokenDisplay.Mark.TAB));
        TokenDisplay.Shown mixed = TokenDisplay.ofText(" a\tb\n");
        assertEquals("␣a→b↵", mixed.text());
        assertEquals(Set.of(TokenDisplay.Mark.SPACE, TokenDisplay.Mark.TAB, TokenDisplay.Mark.NEWLINE), mixed.marks());
    }

    @Test
    void invisibleCharactersShowTheirCodePoint() {
        TokenDisplay.Shown shown = TokenDisplay.ofText("a\u00a0b\u200dc\r");
        assertEquals("a<U+00A0>b<U+200D>c<U+000D>", shown.text());
        assertEquals(Set.of(TokenDisplay.Mark.INVISIBLE), shown.marks());
    }

    @Test
    void partsOfAChineseCharacterShowTheirBytes() {
        // 你 is e4 bd a0 in UTF-8; GPT-2 splits it into two tokens.
        Tokenizer.Encoding encoding = GPT2.encode("你");
        assertEquals(2, encoding.size());
        List<String> shown = new ArrayList<>();
        for (int id : encoding.ids()) {
            TokenDisplay.Shown display = TokenDisplay.of(GPT2, id);
            assertEquals(Set.of(TokenDisplay.Mark.PARTIAL_CHARACTER), display.marks());
            shown.add(display.text());
        }
        assertEquals(List.of("<e4 bd>", "<a0>"), shown);
        assertEquals("<e4 bd a0>", TokenDisplay.utf8Hex("你"));
    }

    @Test
    void wholeCharactersBesidePartialBytesStayReadable() {
        TokenDisplay.Shown shown = TokenDisplay.ofBytes(new byte[] {' ', (byte) 0xe4, (byte) 0xbd, (byte) 0xa0, (byte) 0xe5});
        assertEquals("␣你<e5>", shown.text());
        assertEquals(Set.of(TokenDisplay.Mark.SPACE, TokenDisplay.Mark.PARTIAL_CHARACTER), shown.marks());
        assertEquals("<80 81>a", TokenDisplay.ofBytes(new byte[] {(byte) 0x80, (byte) 0x81, 'a'}).text());
        // An overlong form and an encoded surrogate are not characters.
        assertEquals("<c0 af>", TokenDisplay.ofBytes(new byte[] {(byte) 0xc0, (byte) 0xaf}).text());
        assertEquals("<ed a0 80>", TokenDisplay.ofBytes(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}).text());
        assertEquals("😀", TokenDisplay.ofBytes("😀".getBytes(StandardCharsets.UTF_8)).text());
    }

    @Test
    void everyGpt2TokenHasADisplayWithoutGOrReplacementCharacter() {
        int partial = 0;
        for (int id = 0; id < GPT2.vocabSize(); id++) {
            TokenDisplay.Shown shown = TokenDisplay.of(GPT2, id);
            // Only a token whose bytes are the character U+FFFD itself (ef bf bd) may show it.
            boolean holdsTheCharacterFffd = hexOf(GPT2.tokenBytes(id)).contains("ef bf bd ");
            assertTrue(!shown.text().contains("\ufffd") || holdsTheCharacterFffd, "id " + id + " shows " + shown.text());
            assertFalse(shown.text().isEmpty(), "id " + id);
            if (shown.has(TokenDisplay.Mark.PARTIAL_CHARACTER)) {
                partial++;
            }
            if (!shown.has(TokenDisplay.Mark.PARTIAL_CHARACTER) && !shown.has(TokenDisplay.Mark.SPECIAL)) {
                assertEquals(TokenDisplay.ofText(new String(GPT2.tokenBytes(id), StandardCharsets.UTF_8)), shown, "id " + id);
            }
        }
        assertTrue(partial > 128, "GPT-2 has many byte tokens that are parts of characters: " + partial);
        assertEquals(new TokenDisplay.Shown("<|endoftext|>", Set.of(TokenDisplay.Mark.SPECIAL)), TokenDisplay.of(GPT2, 50256));
    }

    private static String hexOf(byte[] bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte value : bytes) {
            hex.append(String.format("%02x ", value & 0xFF));
        }
        return hex.toString();
    }

    @Test
    void otherTokenizersAreShownFromTheirText() {
        CharTokenizer characters = CharTokenizer.train("a b\nc");
        assertEquals("␣", TokenDisplay.of(characters, characters.id(" ")).text());
        assertEquals("↵", TokenDisplay.of(characters, characters.id("\n")).text());
        assertEquals(Set.of(TokenDisplay.Mark.SPECIAL), TokenDisplay.of(characters, characters.specials().eos()).marks());
        BpeTokenizer bpe = BpeTokenizer.train("hello hello world", 3);
        int id = bpe.encode("hello").ids()[0];
        assertEquals(bpe.token(id), TokenDisplay.of(bpe, id).text());
    }

    @Test
    void everyMarkIsExplainedInEnglishAndChinese() {
        for (Locale locale : List.of(Locale.ENGLISH, Locale.CHINESE)) {
            ResourceBundle bundle = ResourceBundle.getBundle("org.stepwise.i18n.messages", locale);
            for (TokenDisplay.Mark mark : TokenDisplay.Mark.values()) {
                assertFalse(bundle.getString(mark.bundleKey()).isBlank(), mark + " in " + locale);
            }
            assertTrue(bundle.getString("token.partialCharacterOf").contains("{2}"));
        }
        ResourceBundle chinese = ResourceBundle.getBundle("org.stepwise.i18n.messages", Locale.CHINESE);
        assertTrue(chinese.getString(TokenDisplay.Mark.PARTIAL_CHARACTER.bundleKey()).contains("字节"));
    }
}
