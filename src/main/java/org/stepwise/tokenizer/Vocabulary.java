package org.stepwise.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable id ↔ token table shared by every Stepwise tokenizer, with the special tokens at
 * fixed ids: {@code <eos>} = 0, {@code <unk>} = 1, {@code <pad>} = 2, then the learned entries.
 */
final class Vocabulary {

    static final int EOS_ID = 0;
    static final int UNK_ID = 1;
    static final int PAD_ID = 2;
    static final List<String> SPECIALS = List.of(
            Tokenizer.SpecialTokens.EOS, Tokenizer.SpecialTokens.UNK, Tokenizer.SpecialTokens.PAD);
    static final Tokenizer.SpecialTokens SPECIAL_IDS = new Tokenizer.SpecialTokens(EOS_ID, UNK_ID, PAD_ID);

    private final List<String> tokens;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> tokens) {
        this.tokens = Collections.unmodifiableList(tokens);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int id = 0; id < tokens.size(); id++) {
            String token = tokens.get(id);
            if (token.isEmpty()) {
                throw new IllegalArgumentException("id " + id + " is the empty string; every token needs text");
            }
            Integer earlier = ids.put(token, id);
            if (earlier != null) {
                throw new IllegalArgumentException("token \"" + token + "\" appears twice (ids " + earlier + " and " + id + ")");
            }
        }
    }

    /** The specials at ids 0, 1, 2 followed by {@code learned} in order. */
    static Vocabulary withSpecials(List<String> learned) {
        List<String> all = new ArrayList<>(SPECIALS.size() + learned.size());
        all.addAll(SPECIALS);
        for (String token : learned) {
            if (SPECIALS.contains(token)) {
                throw new IllegalArgumentException("\"" + token + "\" is a special token and cannot be learned");
            }
            all.add(token);
        }
        return new Vocabulary(all);
    }

    /**
     * A vocabulary read back from a file: {@code tokens.get(id)} is the entry of id, and the
     * specials must already sit at ids 0, 1, 2.
     */
    static Vocabulary ofAllTokens(List<String> tokens) {
        for (int id = 0; id < SPECIALS.size(); id++) {
            if (id >= tokens.size() || !SPECIALS.get(id).equals(tokens.get(id))) {
                String found = id < tokens.size() ? "\"" + tokens.get(id) + "\"" : "nothing";
                throw new IllegalArgumentException("id " + id + " must be " + SPECIALS.get(id) + " but is " + found);
            }
        }
        return new Vocabulary(new ArrayList<>(tokens));
    }

    int size() {
        return tokens.size();
    }

    /** Every entry in id order (specials included); unmodifiable. */
    List<String> tokens() {
        return tokens;
    }

    String token(int id) {
        if (id < 0 || id >= tokens.size()) {
            throw new IllegalArgumentException("id " + id + " is not in the vocabulary (ids 0.." + (tokens.size() - 1) + ")");
        }
        return tokens.get(id);
    }

    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    boolean contains(String token) {
        return ids.containsKey(token);
    }

    static boolean isSpecialId(int id) {
        return id == EOS_ID || id == UNK_ID || id == PAD_ID;
    }
}
