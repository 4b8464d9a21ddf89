package org.stepwise.sample;

/**
 * The three knobs that shape the distribution a next token is drawn from: temperature, top-k and top-p.
 *
 * <p>They are applied in that order by {@link Sampler#probabilities}: the logits are divided by the
 * temperature, top-k keeps the k most likely tokens, top-p keeps the most likely tokens of what is left
 * until their mass reaches p, and the survivors are renormalised.
 *
 * @param temperature divides the logits before the softmax. 1 leaves the model's distribution unchanged,
 *                    below 1 sharpens it, above 1 flattens it, and 0 means greedy decoding (always the most
 *                    likely token, the lowest id on ties). Must be finite and ≥ 0. Values above 100 are
 *                    accepted: they flatten any realistic spread of logits so much that the distribution is
 *                    practically uniform over the tokens whose logit is not −∞ (masked tokens stay at 0).
 * @param topK        keep only the {@code topK} tokens with the largest logits; 0 switches the filter off.
 *                    Tokens whose logit equals the k-th largest are all kept, so more than k tokens can
 *                    survive a tie. Must be ≥ 0.
 * @param topP        keep only the smallest set of most probable tokens whose probabilities add up to at
 *                    least {@code topP}; 1 switches the filter off. Tokens as probable as the least probable
 *                    one kept are kept too. Must be in (0, 1].
 */
public record SamplingSettings(double temperature, int topK, double topP) {

    /** Temperature 1, no top-k, no top-p: samples from the model's own distribution. */
    public static final SamplingSettings PLAIN = new SamplingSettings(1.0, 0, 1.0);

    /** Temperature 0: always the most likely token (greedy decoding). */
    public static final SamplingSettings GREEDY = new SamplingSettings(0.0, 0, 1.0);

    /** Checks every knob; a value out of range throws {@link IllegalArgumentException} naming it. */
    public SamplingSettings {
        if (Double.isNaN(temperature) || Double.isInfinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be ≥ 0 (0 = off), got " + topK);
        }
        if (Double.isNaN(topP) || topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
        }
    }

    /** Only a temperature, with top-k and top-p off. */
    public static SamplingSettings ofTemperature(double temperature) {
        return new SamplingSettings(temperature, 0, 1.0);
    }

    /** The same settings with another temperature. */
    public SamplingSettings withTemperature(double newTemperature) {
        return new SamplingSettings(newTemperature, topK, topP);
    }

    /** The same settings with another top-k (0 = off). */
    public SamplingSettings withTopK(int newTopK) {
        return new SamplingSettings(temperature, newTopK, topP);
    }

    /** The same settings with another top-p (1 = off). */
    public SamplingSettings withTopP(double newTopP) {
        return new SamplingSettings(temperature, topK, newTopP);
    }

    /** True when the temperature is 0, so sampling always returns the most likely token. */
    public boolean isGreedy() {
        return temperature == 0.0;
    }
}
