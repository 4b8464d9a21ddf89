package org.stepwise.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The colour maps: exact ColorBrewer/viridis end points, a white centre, and lightness that never turns back. */
class ColorScaleTest {

    @Test
    void divergingEndsAreRdBuBlueAndRedAndZeroIsWhite() {
        assertEquals(0xff053061, ColorScale.DIVERGING.argb(-2, -2, 2));
        assertEquals(0xff67001f, ColorScale.DIVERGING.argb(2, -2, 2));
        assertEquals(0xfff7f7f7, ColorScale.DIVERGING.argb(0, -2, 2));
        assertEquals(0xfff7f7f7, ColorScale.DIVERGING.argb(0, -0.1, 3), "zero stays white in an asymmetric range");
    }

    @Test
    void divergingIsSymmetricAroundZero() {
        // With range [−1, 3] the map spans [−3, 3]: −1 is a third of the way to the blue end.
        assertEquals(ColorScale.DIVERGING.argb(-1, -3, 3), ColorScale.DIVERGING.argb(-1, -1, 3));
        assertEquals(ColorScale.DIVERGING.argb(2, -3, 3), ColorScale.DIVERGING.argb(2, -1, 3));
    }

    @Test
    void sequentialEndsAreViridis() {
        assertEquals(0xff440154, ColorScale.SEQUENTIAL.argb(0, 0, 1));
        assertEquals(0xfffde725, ColorScale.SEQUENTIAL.argb(1, 0, 1));
        assertEquals(0xff21918c, ColorScale.SEQUENTIAL.argb(0.5, 0, 1));
        assertEquals(0xff440154, ColorScale.SEQUENTIAL.argb(-5, 0, 1), "values below the range clamp to its end");
        assertEquals(0xfffde725, ColorScale.SEQUENTIAL.argb(7, 0, 1));
    }

    /** Lightness may dip by this much between neighbouring colours only from rounding channels to 8 bits. */
    private static final double ROUNDING = 0.3;

    @Test
    void sequentialLightnessRisesMonotonically() {
        double previous = -1;
        for (int i = 0; i <= 2000; i++) {
            double lightness = lightness(ColorScale.SEQUENTIAL.argb(i / 2000.0, 0, 1));
            assertTrue(lightness >= previous - ROUNDING, "lightness falls at " + i / 2000.0);
            previous = lightness;
        }
        assertTrue(lightness(0xfffde725) - lightness(0xff440154) > 70, "the map spans most of the lightness range");
    }

    @Test
    void divergingLightnessRisesToTheCentreThenFalls() {
        double previous = -1;
        for (int i = -1000; i <= 1000; i++) {
            double lightness = lightness(ColorScale.DIVERGING.argb(i / 1000.0, -1, 1));
            if (i <= 0) {
                assertTrue(lightness >= previous - ROUNDING, "lightness falls before the centre at " + i / 1000.0);
            } else {
                assertTrue(lightness <= previous + ROUNDING, "lightness rises after the centre at " + i / 1000.0);
            }
            previous = lightness;
        }
        for (double value : new double[] {0.25, 0.5, 0.75, 1}) {
            double gap = Math.abs(lightness(ColorScale.DIVERGING.argb(value, -1, 1))
                    - lightness(ColorScale.DIVERGING.argb(-value, -1, 1)));
            assertTrue(gap < 8, "±" + value + " differ in lightness by " + gap);
        }
    }

    @Test
    void allEqualValuesAndAnEmptyRangeGiveTheMiddle() {
        assertEquals(ColorScale.SEQUENTIAL.argb(0.5, 0, 1), ColorScale.SEQUENTIAL.argb(3, 3, 3));
        assertEquals(0xfff7f7f7, ColorScale.DIVERGING.argb(0, 0, 0));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ColorScale.DIVERGING.argb(Double.NaN, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> ColorScale.DIVERGING.argb(Double.NEGATIVE_INFINITY, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> ColorScale.SEQUENTIAL.argb(0.5, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ColorScale.SEQUENTIAL.argb(0.5, 0, Double.POSITIVE_INFINITY));
    }

    /** CIE L* (0 black … 100 white) of an sRGB colour. */
    static double lightness(int argb) {
        double luminance = 0.2126 * linear(argb >> 16) + 0.7152 * linear(argb >> 8) + 0.0722 * linear(argb);
        return luminance > 216.0 / 24389 ? 116 * Math.cbrt(luminance) - 16 : luminance * 24389.0 / 27;
    }

    private static double linear(int channel) {
        double value = (channel & 0xff) / 255.0;
        return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    }
}
