package org.stepwise.app.cli;

import java.nio.file.Path;

import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.tokenizer.Tokenizer;

/** Turning the command line's ids and texts into checked token ids for a model. */
final class ModelOptions {
    private ModelOptions() {
    }

    static LoadedModel open(Path dir) throws java.io.IOException {
        return ModelFolder.load(dir);
    }

    /** "1,2,3" → {1, 2, 3}, each checked against the vocabulary. */
    static int[] parseIds(String list, int vocabSize) {
        String[] parts = list.split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            try {
                ids[i] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new BadInputException("\"" + part + "\" is not a token id (give whole numbers separated by commas)");
            }
        }
        return checkIds(ids, vocabSize);
    }

    static int[] checkIds(int[] ids, int vocabSize) {
        if (ids.length == 0) {
            throw new BadInputException("no token ids given");
        }
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new BadInputException("unknown token id " + id + ": the vocabulary has ids 0 to " + (vocabSize - 1));
            }
        }
        return ids;
    }

    static int[] encode(Tokenizer tokenizer, String text) {
        if (text.isEmpty()) {
            throw new BadInputException("the text is empty: give at least one character");
        }
        int[] ids = tokenizer.encode(text).ids();
        if (ids.length == 0) {
            throw new BadInputException("the text has no tokens");
        }
        return ids;
    }

    static void checkLength(int[] ids, int contextLength) {
        if (ids.length > contextLength) {
            throw new BadInputException(ids.length + " tokens are more than the model's context length of "
                    + contextLength);
        }
    }
}
