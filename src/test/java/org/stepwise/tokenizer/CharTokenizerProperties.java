package org.stepwise.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of the character tokenizer on arbitrary text, surrogate pairs included. */
class CharTokenizerProperties {

    private static final CharTokenizer SMALL = CharTokenizer.train("The cat sat on the mat.\n猫坐在垫子上。 😀");

    @Provide
    Arbitrary<String> anyText() {
        return EncodingChecks.anyText();
    }

    @Property(tries = 300)
    void roundTripWhenTrainedOnTheText(@ForAll("anyText") String text) {
        CharTokenizer tokenizer = CharTokenizer.train(text);
        Tokenizer.Encoding encoding = tokenizer.encode(text);
        assertEquals(text.codePointCount(0, text.length()), encoding.size(), "one token per code point");
        assertEquals(0, EncodingChecks.unknownCount(tokenizer, encoding));
        assertEquals(text, tokenizer.decode(encoding.ids()));
        EncodingChecks.assertConsistent(tokenizer, text, encoding);
    }

    @Property(tries = 300)
    void unknownsBecomeUnkAndSpansCoverTheInput(@ForAll("anyText") String text) {
        Tokenizer.Encoding encoding = SMALL.encode(text);
        EncodingChecks.assertConsistent(SMALL, text, encoding);
        for (int index = 0; index < encoding.size(); index++) {
            Tokenizer.Span span = encoding.spans().get(index);
            String character = text.substring(span.start(), span.end());
            boolean known = SMALL.id(character) >= 0;
            assertEquals(!known, encoding.ids()[index] == SMALL.specials().unk(), "\"" + character + "\" known=" + known);
        }
    }
}
