package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.stepwise.sample.SamplingSettings;

/** The displayed probabilities are exactly softmax(logits/T) after the top-k and top-p filters. */
class OutputDistributionTest {

    private static final double[] LOGITS = {1.0, 3.0, -0.5, 2.0, 3.0, 0.25};

    /** softmax(logits/T) over the tokens in {@code kept}, written out independently of the sampler. */
    private static double[] softmaxOver(double[] logits, double temperature, boolean[] kept) {
        double sum = 0;
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            if (kept[i]) {
                out[i] = Math.exp(logits[i] / temperature);
                sum += out[i];
            }
        }
        for (int i = 0; i < logits.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    @Test
    void temperatureAloneGivesSoftmaxOfTheScaledLogits() {
        boolean[] all = {true, true, true, true, true, true};
        for (double temperature : new double[] {0.05, 0.5, 1.0, 2.0, 5.0}) {
            OutputDistribution d = OutputDistribution.of(LOGITS, SamplingSettings.ofTemperature(temperature), 3);
            double[] expected = softmaxOver(LOGITS, temperature, all);
            for (int i = 0; i < LOGITS.length; i++) {
                assertEquals(expected[i], d.probabilities()[i], 1e-15, "T=" + temperature + " id " + i);
            }
        }
    }

    @Test
    void topKAndTopPKeepOnlyTheFilteredTokensAndRenormalise() {
        // top-k 3 keeps logits ≥ 2.0: ids 1, 4 (3.0) and 3 (2.0)
        OutputDistribution k = OutputDistribution.of(LOGITS, new SamplingSettings(1.0, 3, 1.0), 6);
        double[] expected = softmaxOver(LOGITS, 1.0, new boolean[] {false, true, false, true, true, false});
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(expected[i], k.probabilities()[i], 1e-15);
        }
        // at T = 1 the two 3.0 logits hold e³/(2e³ + e² + e + e^−0.5 + e^0.25) ≈ 0.35 each: 0.6 is reached by both
        OutputDistribution p = OutputDistribution.of(LOGITS, new SamplingSettings(1.0, 0, 0.6), 6);
        double[] expectedP = softmaxOver(LOGITS, 1.0, new boolean[] {false, true, false, false, true, false});
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(expectedP[i], p.probabilities()[i], 1e-15);
        }
        assertEquals(0.5, p.top().get(0).probability(), 1e-15);
    }

    @Test
    void topTokensAreSortedWithTiesToTheLowerId() {
        OutputDistribution d = OutputDistribution.of(LOGITS, SamplingSettings.PLAIN, 4);
        assertEquals(List.of(1, 4, 3, 0), d.top().stream().map(OutputDistribution.Candidate::id).toList());
        assertEquals(1, d.mostLikely());
        assertEquals(3.0, d.top().get(0).logit(), 0.0);
        assertEquals(6, OutputDistribution.of(LOGITS, SamplingSettings.PLAIN, 50).top().size());
    }

    @Test
    void temperatureZeroIsOneHotOnTheArgmaxWithZeroEntropy() {
        OutputDistribution d = OutputDistribution.of(LOGITS, SamplingSettings.GREEDY, 2);
        assertEquals(1.0, d.probabilities()[1], 0.0);
        assertEquals(1.0, java.util.Arrays.stream(d.probabilities()).sum(), 0.0);
        assertEquals(0.0, d.entropy(), 0.0);
        assertEquals(1, d.mostLikely());
    }

    @Test
    void entropyIsMinusSumPLogP() {
        double[] flat = {0.5, 0.5, 0.5, 0.5};
        OutputDistribution uniform = OutputDistribution.of(flat, SamplingSettings.PLAIN, 1);
        assertEquals(Math.log(4), uniform.entropy(), 1e-15);
        assertEquals(2.0, uniform.entropyBits(), 1e-15);
        OutputDistribution d = OutputDistribution.of(LOGITS, SamplingSettings.ofTemperature(0.8), 1);
        double expected = 0;
        for (double p : d.probabilities()) {
            expected -= p * Math.log(p);
        }
        assertEquals(expected, d.entropy(), 1e-15);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> OutputDistribution.of(LOGITS, SamplingSettings.PLAIN, 0));
        assertThrows(IllegalArgumentException.class,
                () -> OutputDistribution.of(new double[] {1, Double.NaN}, SamplingSettings.PLAIN, 1));
    }
}
