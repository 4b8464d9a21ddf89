package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.tokenizer.ByteLevelBpeTokenizer;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.viz.TokenStrip;

/**
 * The chips of the tokens the model reads: each token shown visibly, its kind (special, {@code <unk>},
 * partial bytes of a character) and a tooltip explaining every mark it carries.
 */
final class TokenChips {
    private TokenChips() {
    }

    /** One chip per token the model reads, in order. Not modified: {@code sentence}. */
    static List<TokenStrip.Chip> of(PreparedSentence sentence, Tokenizer tokenizer, ResourceBundle messages) {
        int[] ids = sentence.ids();
        List<TokenStrip.Chip> chips = new ArrayList<>(ids.length);
        for (int position = 0; position < ids.length; position++) {
            chips.add(chip(sentence, tokenizer, messages, position, ids[position]));
        }
        return chips;
    }

    private static TokenStrip.Chip chip(PreparedSentence sentence, Tokenizer tokenizer, ResourceBundle messages,
                                        int position, int id) {
        String covered = coveredText(sentence, position);
        if (sentence.isUnknownAt(position)) {
            String tooltip = Texts.format(messages, "stage.tokens.unknownTooltip", covered, id);
            return new TokenStrip.Chip(tokenizer.token(id), id, tooltip, TokenStrip.Chip.Kind.UNKNOWN);
        }
        TokenDisplay.Shown shown = TokenDisplay.of(tokenizer, id);
        List<String> lines = new ArrayList<>();
        lines.add(Texts.format(messages, "stage.tokens.chipTooltip", shown.text(), id, position));
        for (TokenDisplay.Mark mark : shown.marks()) {
            lines.add(messages.getString(mark.bundleKey()));
            if (mark == TokenDisplay.Mark.PARTIAL_CHARACTER && tokenizer instanceof ByteLevelBpeTokenizer byteLevel) {
                lines.add(Texts.format(messages, "token.partialCharacterOf",
                        TokenDisplay.ofBytes(byteLevel.tokenBytes(id)).text(), covered, TokenDisplay.utf8Hex(covered)));
            }
        }
        TokenStrip.Chip.Kind kind = shown.has(TokenDisplay.Mark.SPECIAL) ? TokenStrip.Chip.Kind.SPECIAL
                : shown.has(TokenDisplay.Mark.PARTIAL_CHARACTER) ? TokenStrip.Chip.Kind.PARTIAL_BYTES
                : TokenStrip.Chip.Kind.NORMAL;
        return new TokenStrip.Chip(shown.text(), id, String.join("\n", lines), kind);
    }

    /** The characters of the sentence the token at {@code position} was made from. */
    static String coveredText(PreparedSentence sentence, int position) {
        Tokenizer.Span span = sentence.encoding().spans().get(sentence.firstToken() + position);
        return sentence.text().substring(span.start(), span.end());
    }
}
