package org.stepwise.model.io;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;

/** A model as opened from (or saved to) a folder: its name, shape, weights and tokenizer. */
public record LoadedModel(String name, ModelConfig config, Parameters parameters, Tokenizer tokenizer) {

    public LoadedModel {
        if (tokenizer.vocabSize() != config.vocabSize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's vocabulary has " + config.vocabSize());
        }
    }

    public LoadedModel withName(String newName) {
        return new LoadedModel(newName, config, parameters, tokenizer);
    }
}
