package org.stepwise.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of the sampling distribution for arbitrary logits, including huge and masked ones. */
class SamplerProperties {

    private final Sampler sampler = new Sampler();

    @Provide
    Arbitrary<double[]> logits() {
        Arbitrary<Double> ordinary = Arbitraries.doubles().between(-50.0, 50.0);
        Arbitrary<Double> huge = Arbitraries.of(1e300, -1e300, Double.MAX_VALUE, -Double.MAX_VALUE, 0.0, 1.0);
        Arbitrary<Double> masked = Arbitraries.just(Double.NEGATIVE_INFINITY);
        Arbitrary<Double> entry = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, ordinary), net.jqwik.api.Tuple.of(1, huge), net.jqwik.api.Tuple.of(1, masked));
        return entry.array(double[].class).ofMinSize(1).ofMaxSize(40)
                .filter(values -> Arrays.stream(values).anyMatch(Double::isFinite));
    }

    @Provide
    Arbitrary<SamplingSettings> settings() {
        Arbitrary<Double> temperature = Arbitraries.oneOf(
                Arbitraries.just(0.0), Arbitraries.doubles().between(0.01, 200.0), Arbitraries.of(1e-6, 1.0, 1e6));
        Arbitrary<Integer> topK = Arbitraries.integers().between(0, 45);
        Arbitrary<Double> topP = Arbitraries.oneOf(Arbitraries.just(1.0), Arbitraries.doubles().between(0.01, 1.0));
        return Combinators.combine(temperature, topK, topP).as(SamplingSettings::new);
    }

    @Property(tries = 500)
    void isAFiniteDistributionThatKeepsTheArgmax(@ForAll("logits") double[] logits,
                                                 @ForAll("settings") SamplingSettings settings) {
        double[] probabilities = sampler.probabilities(logits, settings);
        double total = 0.0;
        int argmax = 0;
        for (int i = 0; i < logits.length; i++) {
            assertTrue(Double.isFinite(probabilities[i]) && probabilities[i] >= 0.0, Arrays.toString(probabilities));
            total += probabilities[i];
            if (logits[i] > logits[argmax]) {
                argmax = i;
            }
        }
        assertEquals(1.0, total, 1e-12);
        assertTrue(probabilities[argmax] > 0.0, "the most likely token always survives");
    }

    @Property(tries = 500)
    void masksStayZeroAndOrderIsPreserved(@ForAll("logits") double[] logits,
                                          @ForAll("settings") SamplingSettings settings) {
        double[] probabilities = sampler.probabilities(logits, settings);
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] == Double.NEGATIVE_INFINITY) {
                assertEquals(0.0, probabilities[i], "a masked token has probability 0");
            }
            for (int j = 0; j < logits.length; j++) {
                if (logits[i] > logits[j]) {
                    assertTrue(probabilities[i] >= probabilities[j], "a larger logit never gets a smaller probability");
                }
                if (logits[i] == logits[j] && !settings.isGreedy()) { // greedy breaks ties by lowest id
                    assertEquals(probabilities[i], probabilities[j], "equal logits get equal probabilities");
                }
            }
        }
    }

    @Property(tries = 500)
    void topKLeavesOnlyTokensAtOrAboveTheKthLogit(@ForAll("logits") double[] logits,
                                                  @ForAll("settings") SamplingSettings settings) {
        if (settings.topK() == 0 || settings.topK() >= logits.length) {
            return;
        }
        double[] sorted = logits.clone();
        Arrays.sort(sorted);
        double kthLargest = sorted[logits.length - settings.topK()];
        double[] probabilities = sampler.probabilities(logits, settings);
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < kthLargest) {
                assertEquals(0.0, probabilities[i], "token " + i + " is below the k-th largest logit");
            }
        }
    }

    @Property(tries = 200)
    void drawsOnlyTokensOfPositiveProbability(@ForAll("logits") double[] logits,
                                              @ForAll("settings") SamplingSettings settings) {
        double[] probabilities = sampler.probabilities(logits, settings);
        SplittableRandom random = new SplittableRandom(logits.length);
        for (int draw = 0; draw < 50; draw++) {
            int token = sampler.sample(logits, settings, random);
            assertTrue(probabilities[token] > 0.0, "drew token " + token + " of probability 0");
        }
    }
}
