package org.stepwise.lesson;

import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/**
 * The live state a question's answer is computed from: the model on screen, the trace of the sentence on
 * screen, the tokenizer and the sampling settings. None of it is modified by a question.
 *
 * @param config      the model's architecture (for the translation model, its decoder's)
 * @param parameters  the model's current weights
 * @param trace       the forward pass of the sentence on screen; null when there is no sentence. For the translation
 *                    model it is the decoder's pass over the target, holding the encoder's hooks too and naming the
 *                    source it reads ({@link SentenceTrace#source()})
 * @param tokenizer   the model's tokenizer (for the translation model, the target's)
 * @param sampling    temperature, top-k and top-p as set in the window
 * @param translation the translation model's architecture when it is on screen, null for a decoder-only model
 */
public record QuestionContext(ModelConfig config, Parameters parameters, SentenceTrace trace, Tokenizer tokenizer,
                              SamplingSettings sampling, EncoderDecoderConfig translation) {

    public QuestionContext {
        if (config == null || parameters == null || tokenizer == null || sampling == null) {
            throw new IllegalArgumentException("config, parameters, tokenizer and sampling are required");
        }
        if (translation != null && !translation.shared().equals(config)) {
            throw new IllegalArgumentException("the config must be the translation model's decoder config");
        }
        if (translation != null && trace != null && trace.source() == null) {
            throw new IllegalArgumentException("the translation model's trace must name the source it reads");
        }
    }

    /** The state of a decoder-only model on screen. */
    public QuestionContext(ModelConfig config, Parameters parameters, SentenceTrace trace, Tokenizer tokenizer,
                           SamplingSettings sampling) {
        this(config, parameters, trace, tokenizer, sampling, null);
    }

    /** The trace, or a clear error when there is no sentence on screen. */
    public SentenceTrace requireTrace() {
        if (trace == null) {
            throw new IllegalArgumentException("this question needs a sentence on screen (set one with @sentence)");
        }
        return trace;
    }
}
