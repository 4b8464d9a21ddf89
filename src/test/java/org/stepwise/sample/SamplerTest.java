package org.stepwise.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Checks the sampling distribution against hand-computed values and the draws against that distribution. */
class SamplerTest {

    private static final double NEG_INF = Double.NEGATIVE_INFINITY;

    private final Sampler sampler = new Sampler();

    /** Natural logs of the given probabilities: softmax of these gives the probabilities back. */
    private static double[] logsOf(double... probabilities) {
        double[] logits = new double[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            logits[i] = Math.log(probabilities[i]);
        }
        return logits;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance,
                    "entry " + i + ": expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        }
    }

    private static double sum(double[] values) {
        double total = 0.0;
        for (double value : values) {
            total += value;
        }
        return total;
    }

    private static void assertFiniteDistribution(double[] probabilities) {
        for (double probability : probabilities) {
            assertTrue(Double.isFinite(probability) && probability >= 0.0, Arrays.toString(probabilities));
        }
        assertEquals(1.0, sum(probabilities), 1e-14);
    }

    // ---- temperature ----

    @Test
    void temperatureZeroIsOneHotOnTheLowestArgmax() {
        double[] logits = {1.0, 5.0, 3.0, 5.0};
        assertArrayEquals(new double[] {0, 1, 0, 0}, sampler.probabilities(logits, SamplingSettings.GREEDY));
        SamplingSettings greedyWithFilters = new SamplingSettings(0.0, 3, 0.2);
        assertArrayEquals(new double[] {0, 1, 0, 0}, sampler.probabilities(logits, greedyWithFilters));
        double[] masked = {NEG_INF, -1e300, NEG_INF};
        assertArrayEquals(new double[] {0, 1, 0}, sampler.probabilities(masked, SamplingSettings.GREEDY));
    }

    @Test
    void lowTemperatureConvergesToTheArgmax() {
        double[] logits = {1.0, 2.0, 2.5, 0.0};
        double previous = 0.0;
        for (double temperature : new double[] {1.0, 0.5, 0.1, 0.05, 0.01, 0.001}) {
            double top = sampler.probabilities(logits, SamplingSettings.ofTemperature(temperature))[2];
            // Strictly growing until it rounds to 1 (1 − e^−50 already does at T = 0.01).
            assertTrue(top > previous || top == 1.0, "p(argmax) grows as temperature falls: " + top + " at " + temperature);
            previous = top;
        }
        assertEquals(1.0, previous, 1e-15);
    }

    @Test
    void temperatureHundredthIsExactAndFinite() {
        double[] logits = {1.0, 2.0, 3.0};
        double[] probabilities = sampler.probabilities(logits, SamplingSettings.ofTemperature(0.01));
        // (logit − 3) / 0.01 = −200, −100, 0
        double normaliser = 1.0 + Math.exp(-100) + Math.exp(-200);
        double[] expected = {Math.exp(-200) / normaliser, Math.exp(-100) / normaliser, 1.0 / normaliser};
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], probabilities[i], 1e-13 * expected[i], "entry " + i);
        }
        assertTrue(probabilities[0] > 0.0, "e^-200 ≈ 1.4e-87 is representable and must not be flushed to 0");
        assertFiniteDistribution(probabilities);
    }

    @Test
    void temperatureHundredFlattensAndStaysExact() {
        double[] logits = {0.0, 10.0, -5.0, 3.0};
        double[] probabilities = sampler.probabilities(logits, SamplingSettings.ofTemperature(100.0));
        double normaliser = 1.0 + Math.exp(0.1) + Math.exp(-0.05) + Math.exp(0.03);
        double[] expected = {1.0 / normaliser, Math.exp(0.1) / normaliser, Math.exp(-0.05) / normaliser,
                Math.exp(0.03) / normaliser};
        assertClose(expected, probabilities, 1e-15);
        assertFiniteDistribution(probabilities);
    }

    @Test
    void hugeLogitsDoNotOverflowAtAnyTemperature() {
        double[] logits = {1e300, -1e300, 1e300, NEG_INF};
        for (double temperature : new double[] {0.01, 1.0, 100.0}) {
            double[] probabilities = sampler.probabilities(logits, SamplingSettings.ofTemperature(temperature));
            assertArrayEquals(new double[] {0.5, 0.0, 0.5, 0.0}, probabilities, "T = " + temperature);
        }
        double[] extremes = {-Double.MAX_VALUE, Double.MAX_VALUE};
        assertArrayEquals(new double[] {0.0, 1.0}, sampler.probabilities(extremes, SamplingSettings.ofTemperature(0.01)));
        // At T = 1e300 the gap of 2e300 becomes 2, a finite softmax: 1 / (1 + e^2) and e^2 / (1 + e^2).
        double[] spread = {-1e300, 1e300};
        double[] hot = sampler.probabilities(spread, SamplingSettings.ofTemperature(1e300));
        assertClose(new double[] {1.0 / (1.0 + Math.exp(2)), Math.exp(2) / (1.0 + Math.exp(2))}, hot, 1e-15);
    }

    @Test
    void minusInfinityIsMaskedAtEveryTemperature() {
        double[] logits = logsOf(0.25, 1.0, 0.75);
        logits[1] = NEG_INF;
        assertClose(new double[] {0.25, 0.0, 0.75}, sampler.probabilities(logits, SamplingSettings.PLAIN), 1e-15);
        double[] hot = sampler.probabilities(logits, SamplingSettings.ofTemperature(1e6));
        assertEquals(0.0, hot[1]);
        assertEquals(0.5, hot[0], 1e-6);
        assertEquals(0.5, hot[2], 1e-6);
    }

    @Test
    void temperatureOneIsPlainSoftmax() {
        SplittableRandom random = new SplittableRandom(7);
        double[] logits = new double[300];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = random.nextDouble(-10.0, 10.0);
        }
        // Textbook softmax, without the max shift (safe for logits within ±10).
        double[] expected = new double[logits.length];
        double normaliser = 0.0;
        for (int i = 0; i < logits.length; i++) {
            expected[i] = Math.exp(logits[i]);
            normaliser += expected[i];
        }
        double[] probabilities = sampler.probabilities(logits, SamplingSettings.PLAIN);
        for (int i = 0; i < logits.length; i++) {
            expected[i] /= normaliser;
            assertEquals(expected[i], probabilities[i], 1e-13 * expected[i], "entry " + i);
        }
        assertFiniteDistribution(probabilities);
    }

    // ---- top-k ----

    @Test
    void topKKeepsTheKLargestLogits() {
        double[] logits = {1.0, 4.0, 2.0, 3.0};
        double[] probabilities = sampler.probabilities(logits, new SamplingSettings(1.0, 2, 1.0));
        double normaliser = Math.exp(4) + Math.exp(3);
        assertClose(new double[] {0, Math.exp(4) / normaliser, 0, Math.exp(3) / normaliser}, probabilities, 1e-15);
        assertArrayEquals(new double[] {0, 1, 0, 0}, sampler.probabilities(logits, new SamplingSettings(1.0, 1, 1.0)));
    }

    @Test
    void topKKeepsEveryTokenTiedWithTheKthLargest() {
        double[] logits = {1.0, 3.0, 3.0, 2.0};
        assertClose(new double[] {0, 0.5, 0.5, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 1, 1.0)), 0.0);
        assertClose(new double[] {0, 0.5, 0.5, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 2, 1.0)), 0.0);
        double[] threeWay = logsOf(0.4, 0.2, 0.2, 0.2);
        threeWay[1] = threeWay[2] = threeWay[3] = Math.log(0.2);
        // k = 2: the 2nd largest is tied three ways, so all four survive.
        assertClose(new double[] {0.4, 0.2, 0.2, 0.2},
                sampler.probabilities(threeWay, new SamplingSettings(1.0, 2, 1.0)), 1e-15);
    }

    @Test
    void topKAtOrAboveTheVocabularyIsOff() {
        double[] logits = {0.3, -1.0, 2.0};
        double[] plain = sampler.probabilities(logits, SamplingSettings.PLAIN);
        assertArrayEquals(plain, sampler.probabilities(logits, new SamplingSettings(1.0, 3, 1.0)));
        assertArrayEquals(plain, sampler.probabilities(logits, new SamplingSettings(1.0, 50, 1.0)));
    }

    // ---- top-p ----

    @Test
    void topPKeepsTheSmallestMostProbableSetReachingP() {
        double[] logits = logsOf(0.2, 0.4, 0.1, 0.3); // sorted: 0.4 (id 1), 0.3 (id 3), 0.2 (id 0), 0.1 (id 2)
        assertClose(new double[] {0, 1, 0, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.35)), 1e-15);
        assertClose(new double[] {0, 4.0 / 7, 0, 3.0 / 7},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.65)), 1e-15);
        assertClose(new double[] {2.0 / 9, 4.0 / 9, 0, 3.0 / 9},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.75)), 1e-15);
        assertClose(new double[] {0.2, 0.4, 0.1, 0.3},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.95)), 1e-15);
    }

    @Test
    void topPKeepsTokensTiedWithTheLastOneKept() {
        double[] logits = logsOf(0.5, 0.25, 0.125, 0.125);
        // 0.5 + 0.25 + 0.125 = 0.875 ≥ 0.8 is reached at a 0.125 token, and the other 0.125 ties with it.
        assertClose(new double[] {0.5, 0.25, 0.125, 0.125},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.8)), 1e-15);
        assertClose(new double[] {2.0 / 3, 1.0 / 3, 0, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.7)), 1e-15);
    }

    @Test
    void topPActsOnTheDistributionAfterTemperatureAndTopK() {
        double[] logits = logsOf(0.4, 0.3, 0.2, 0.1);
        // Top-p alone at 0.75: 0.4 + 0.3 = 0.7 < 0.75, so three tokens.
        assertClose(new double[] {4.0 / 9, 3.0 / 9, 2.0 / 9, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.75)), 1e-15);
        // Top-k 3 first renormalises to 4/9, 3/9, 2/9; then 4/9 + 3/9 ≈ 0.78 ≥ 0.75, so two tokens.
        assertClose(new double[] {4.0 / 7, 3.0 / 7, 0, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 3, 0.75)), 1e-15);
        // Temperature 0.5 squares the probabilities: 0.16, 0.09, 0.04, 0.01 over 0.30, so 0.53 + 0.30 ≥ 0.8.
        assertClose(new double[] {16.0 / 25, 9.0 / 25, 0, 0},
                sampler.probabilities(logits, new SamplingSettings(0.5, 0, 0.8)), 1e-15);
        // Temperature 1 with the same p needs three tokens: 0.4 + 0.3 + 0.2 = 0.9.
        assertClose(new double[] {4.0 / 9, 3.0 / 9, 2.0 / 9, 0},
                sampler.probabilities(logits, new SamplingSettings(1.0, 0, 0.8)), 1e-15);
    }

    // ---- bad input ----

    @Test
    void badLogitsAreRejectedWithTheirIndex() {
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> sampler.probabilities(new double[] {0.0, Double.NaN}, SamplingSettings.PLAIN));
        assertTrue(nan.getMessage().contains("logit 1") && nan.getMessage().contains("NaN"), nan.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new double[] {Double.NaN}, SamplingSettings.GREEDY, new SplittableRandom(1)));
        IllegalArgumentException plusInfinity = assertThrows(IllegalArgumentException.class,
                () -> sampler.probabilities(new double[] {Double.POSITIVE_INFINITY, 0.0}, SamplingSettings.PLAIN));
        assertTrue(plusInfinity.getMessage().contains("logit 0"), plusInfinity.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> sampler.probabilities(new double[] {NEG_INF, NEG_INF}, SamplingSettings.PLAIN));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.probabilities(new double[0], SamplingSettings.PLAIN));
        assertThrows(IllegalArgumentException.class, () -> sampler.probabilities(null, SamplingSettings.PLAIN));
        assertThrows(IllegalArgumentException.class, () -> sampler.probabilities(new double[] {1.0}, null));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.probabilitiesInto(new double[] {1.0, 2.0}, SamplingSettings.PLAIN, new double[3]));
        assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new double[] {1.0}, SamplingSettings.PLAIN, null));
    }

    @Test
    void logitsAreNotModified() {
        double[] logits = {1.0, NEG_INF, 3.0, 2.0};
        double[] copy = logits.clone();
        sampler.probabilities(logits, new SamplingSettings(0.7, 2, 0.9));
        sampler.sample(logits, new SamplingSettings(0.7, 2, 0.9), new SplittableRandom(3));
        assertArrayEquals(copy, logits);
    }

    // ---- drawing ----

    @Test
    void inverseCdfPicksTheSegmentTheUniformFallsIn() {
        double[] probabilities = {0.25, 0.0, 0.75};
        assertEquals(0, Sampler.inverseCdf(probabilities, 0.0));
        assertEquals(0, Sampler.inverseCdf(probabilities, 0.2499));
        assertEquals(2, Sampler.inverseCdf(probabilities, 0.25));
        assertEquals(2, Sampler.inverseCdf(probabilities, Math.nextDown(1.0)));
        assertEquals(1, Sampler.inverseCdf(new double[] {1.0, 3.0}, 0.5));
        assertEquals(2, Sampler.inverseCdf(new double[] {0.0, 0.0, 5.0, 0.0}, 0.0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.inverseCdf(probabilities, 1.0));
        assertThrows(IllegalArgumentException.class, () -> Sampler.inverseCdf(probabilities, -0.1));
        assertThrows(IllegalArgumentException.class, () -> Sampler.inverseCdf(new double[] {0.0, 0.0}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> Sampler.inverseCdf(new double[] {0.5, -0.1}, 0.5));
    }

    /** χ² statistic of observed counts against expected probabilities (tokens of probability 0 must not occur). */
    private static double chiSquare(long[] counts, double[] probabilities, int draws) {
        double statistic = 0.0;
        for (int i = 0; i < counts.length; i++) {
            if (probabilities[i] == 0.0) {
                assertEquals(0, counts[i], "token " + i + " has probability 0 but was drawn");
                continue;
            }
            double expected = probabilities[i] * draws;
            statistic += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        return statistic;
    }

    @Test
    void drawFrequenciesMatchTheProbabilities() {
        double[] logits = logsOf(0.1, 0.2, 0.3, 0.15, 0.25);
        int draws = 200_000;
        SplittableRandom random = new SplittableRandom(20240601L);

        long[] counts = new long[5];
        for (int draw = 0; draw < draws; draw++) {
            counts[sampler.sample(logits, SamplingSettings.PLAIN, random)]++;
        }
        double statistic = chiSquare(counts, sampler.probabilities(logits, SamplingSettings.PLAIN), draws);
        assertTrue(statistic < 18.47, "χ² = " + statistic + " exceeds the 0.1% critical value for 4 degrees of freedom");

        SamplingSettings filtered = new SamplingSettings(0.8, 3, 0.7);
        double[] filteredProbabilities = sampler.probabilities(logits, filtered);
        long[] filteredCounts = new long[5];
        for (int draw = 0; draw < draws; draw++) {
            filteredCounts[sampler.sample(logits, filtered, random)]++;
        }
        int kept = 0;
        for (double probability : filteredProbabilities) {
            kept += probability > 0 ? 1 : 0;
        }
        assertEquals(2, kept, Arrays.toString(filteredProbabilities));
        double filteredStatistic = chiSquare(filteredCounts, filteredProbabilities, draws);
        assertTrue(filteredStatistic < 10.83, "χ² = " + filteredStatistic + " exceeds the 0.1% value for 1 degree of freedom");
    }

    @Test
    void sameSeedGivesTheSameSequence() {
        double[] logits = {0.5, 1.5, -0.5, 1.0, 0.0, 2.0};
        SamplingSettings settings = new SamplingSettings(1.3, 4, 0.95);
        int[] first = new int[500];
        int[] second = new int[500];
        int[] otherSeed = new int[500];
        Random firstRandom = new Random(99);
        Random secondRandom = new Random(99);
        Random otherRandom = new Random(100);
        for (int i = 0; i < first.length; i++) {
            first[i] = sampler.sample(logits, settings, firstRandom);
            second[i] = new Sampler().sample(logits, settings, secondRandom);
            otherSeed[i] = sampler.sample(logits, settings, otherRandom);
        }
        assertArrayEquals(first, second);
        assertNotEquals(Arrays.toString(first), Arrays.toString(otherSeed));
    }

    @Test
    void everyDrawUsesExactlyOneUniform() {
        double[] logits = {0.5, 1.5, -0.5};
        SplittableRandom greedyRandom = new SplittableRandom(5);
        SplittableRandom plainRandom = new SplittableRandom(5);
        assertEquals(1, sampler.sample(logits, SamplingSettings.GREEDY, greedyRandom));
        sampler.sample(logits, SamplingSettings.PLAIN, plainRandom);
        assertEquals(plainRandom.nextLong(), greedyRandom.nextLong());
    }
}
