package org.stepwise.lesson;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/**
 * The live state a question's answer is computed from: the model on screen, the trace of the sentence on
 * screen, the tokenizer and the sampling settings. None of it is modified by a question.
 *
 * @param config     the model's architecture
 * @param parameters the model's current weights
 * @param trace      the forward pass of the sentence on screen; null when there is no sentence
 * @param tokenizer  the model's tokenizer
 * @param sampling   temperature, top-k and top-p as set in the window
 */
public record QuestionContext(ModelConfig config, Parameters parameters, SentenceTrace trace, Tokenizer tokenizer,
                              SamplingSettings sampling) {

    public QuestionContext {
        if (config == null || parameters == null || tokenizer == null || sampling == null) {
            throw new IllegalArgumentException("config, parameters, tokenizer and sampling are required");
        }
    }

    /** The trace, or a clear error when there is no sentence on screen. */
    public SentenceTrace requireTrace() {
        if (trace == null) {
            throw new IllegalArgumentException("this question needs a sentence on screen (set one with @sentence)");
        }
        return trace;
    }
}
