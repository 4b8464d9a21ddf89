package org.stepwise.ui;

/** How a token's text is shown to a learner: spaces, tabs and line breaks become visible marks. */
public final class TokenText {
    private TokenText() {
    }

    /** {@code " cat"} → {@code "␣cat"}, a newline → {@code "↵"}, a tab → {@code "⇥"}. */
    public static String visible(String token) {
        StringBuilder out = new StringBuilder(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            switch (c) {
                case ' ' -> out.append('␣');
                case '\n' -> out.append('↵');
                case '\t' -> out.append('⇥');
                case '\r' -> out.append('␍');
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
