package org.stepwise.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Checks that sampling settings accept every meaningful value and reject the rest with a clear message. */
class SamplingSettingsTest {

    @Test
    void acceptsTheEdgesOfEachRange() {
        SamplingSettings settings = new SamplingSettings(0.0, 0, 1.0);
        assertTrue(settings.isGreedy());
        SamplingSettings hot = new SamplingSettings(1e6, 50, Double.MIN_VALUE);
        assertFalse(hot.isGreedy());
        assertEquals(1e6, hot.temperature());
        assertEquals(50, hot.topK());
    }

    @Test
    void rejectsBadTemperature() {
        for (double bad : new double[] {-0.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> new SamplingSettings(bad, 0, 1.0));
            assertTrue(error.getMessage().contains("temperature"), error.getMessage());
        }
    }

    @Test
    void rejectsNegativeTopK() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new SamplingSettings(1.0, -1, 1.0));
        assertTrue(error.getMessage().contains("topK"), error.getMessage());
    }

    @Test
    void rejectsTopPOutsideZeroToOne() {
        for (double bad : new double[] {0.0, -0.1, 1.0000001, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> new SamplingSettings(1.0, 0, bad));
            assertTrue(error.getMessage().contains("topP"), error.getMessage());
        }
    }

    @Test
    void withersChangeOneKnobAndValidateIt() {
        SamplingSettings settings = SamplingSettings.ofTemperature(0.7).withTopK(5).withTopP(0.9);
        assertEquals(new SamplingSettings(0.7, 5, 0.9), settings);
        assertEquals(new SamplingSettings(0.0, 5, 0.9), settings.withTemperature(0.0));
        assertThrows(IllegalArgumentException.class, () -> settings.withTopP(2.0));
        assertEquals(new SamplingSettings(1.0, 0, 1.0), SamplingSettings.PLAIN);
        assertTrue(SamplingSettings.GREEDY.isGreedy());
    }
}
