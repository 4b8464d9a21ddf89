package org.stepwise.model.io;

import java.util.Locale;

import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;

/**
 * An encoder-decoder (translation) model as opened from (or saved to) a folder: its name, shape, weights and the
 * tokenizers of its source and target language. The target tokenizer's {@code <eos>} both starts the decoder's
 * input and ends a translation. {@code lowercaseSource}: the model was trained on lowercase source sentences, so
 * {@link #encodeSource} lowercases a sentence before tokenizing it.
 */
public record LoadedEncoderDecoder(String name, EncoderDecoderConfig config, Parameters parameters,
                                   Tokenizer sourceTokenizer, Tokenizer targetTokenizer, boolean lowercaseSource) {

    public LoadedEncoderDecoder {
        if (name == null || config == null || parameters == null || sourceTokenizer == null || targetTokenizer == null) {
            throw new IllegalArgumentException("name, config, parameters and both tokenizers are required");
        }
        if (sourceTokenizer.vocabSize() != config.sourceVocabSize()) {
            throw new IllegalArgumentException("the source tokenizer has " + sourceTokenizer.vocabSize()
                    + " tokens but the model's source vocabulary has " + config.sourceVocabSize());
        }
        if (targetTokenizer.vocabSize() != config.targetVocabSize()) {
            throw new IllegalArgumentException("the target tokenizer has " + targetTokenizer.vocabSize()
                    + " tokens but the model's target vocabulary has " + config.targetVocabSize());
        }
        if (targetTokenizer.specials().eos() < 0) {
            throw new IllegalArgumentException("the target tokenizer needs an <eos> token to start and end a sentence");
        }
    }

    /** The id the decoder's input starts with: the target tokenizer's {@code <eos>}. */
    public int startId() {
        return targetTokenizer.specials().eos();
    }

    /** The id that ends a translation: the target tokenizer's {@code <eos>}. */
    public int endId() {
        return targetTokenizer.specials().eos();
    }

    /** The source tokenizer's ids of {@code sentence}, lowercased first when {@link #lowercaseSource}. */
    public int[] encodeSource(String sentence) {
        return sourceTokenizer.encode(lowercaseSource ? sentence.toLowerCase(Locale.ROOT) : sentence).ids();
    }

    public LoadedEncoderDecoder withName(String newName) {
        return new LoadedEncoderDecoder(newName, config, parameters, sourceTokenizer, targetTokenizer, lowercaseSource);
    }
}
