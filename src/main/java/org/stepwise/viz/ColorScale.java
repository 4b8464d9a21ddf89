package org.stepwise.viz;

/**
 * The two colour maps of Stepwise's heatmaps: a diverging blue–white–red map for signed values and a
 * sequential viridis map for probabilities, both readable by colour-blind viewers.
 */
public enum ColorScale {
    /** ColorBrewer RdBu: negative values blue, zero white, positive values red; symmetric around 0. */
    DIVERGING(new int[] {
        0x053061, 0x2166ac, 0x4393c3, 0x92c5de, 0xd1e5f0, 0xf7f7f7,
        0xfddbc7, 0xf4a582, 0xd6604d, 0xb2182b, 0x67001f}),
    /** Viridis: dark purple at the low end of the range, yellow at the high end; lightness always rises. */
    SEQUENTIAL(new int[] {
        0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
        0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725});

    /** Number of entries of the precomputed colour table. */
    static final int STEPS = 1024;

    private final int[] table = new int[STEPS];

    ColorScale(int[] stops) {
        int segments = stops.length - 1;
        for (int i = 0; i < STEPS; i++) {
            double position = (double) i / (STEPS - 1) * segments;
            int segment = Math.min((int) position, segments - 1);
            double fraction = position - segment;
            table[i] = 0xff000000 | mix(stops[segment], stops[segment + 1], fraction);
        }
    }

    /**
     * ARGB colour of {@code value} for a colour range {@code [lo, hi]}; values outside are clamped to it.
     * DIVERGING centres the map at 0 and spans {@code [−m, m]} with {@code m = max(|lo|, |hi|)}, so 0 is
     * always white. SEQUENTIAL maps {@code lo} to the dark end and {@code hi} to the light end. Throws
     * IllegalArgumentException for a non-finite value or an empty or non-finite range.
     */
    public int argb(double value, double lo, double hi) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("A colour needs a finite value, got " + value);
        }
        checkRange(lo, hi);
        double slope = indexSlope(lo, hi);
        double offset = indexOffset(lo, hi);
        double low = lo * slope + offset;
        double high = hi * slope + offset;
        double index = Math.max(low, Math.min(high, value * slope + offset));
        return table[(int) (index + 0.5)];
    }

    /** Throws IllegalArgumentException unless {@code lo ≤ hi} and both are finite. */
    static void checkRange(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || lo > hi) {
            throw new IllegalArgumentException("A colour range needs finite lo ≤ hi, got [" + lo + ", " + hi + "]");
        }
    }

    /** Slope of the linear map from a value to its index in the colour table, for range {@code [lo, hi]}. */
    double indexSlope(double lo, double hi) {
        if (this == DIVERGING) {
            double extent = Math.max(Math.abs(lo), Math.abs(hi));
            return extent == 0 ? 0 : 0.5 * (STEPS - 1) / extent;
        }
        return hi == lo ? 0 : (STEPS - 1) / (hi - lo);
    }

    /** Offset of the linear map from a value to its index in the colour table, for range {@code [lo, hi]}. */
    double indexOffset(double lo, double hi) {
        if (this == DIVERGING) {
            return 0.5 * (STEPS - 1);
        }
        return hi == lo ? 0.5 * (STEPS - 1) : -lo * (STEPS - 1) / (hi - lo);
    }

    /** The colour table itself (STEPS opaque ARGB entries, low end first); callers must not modify it. */
    int[] table() {
        return table;
    }

    /** Mixes two sRGB colours in CIELAB, so lightness changes linearly between the two stops. */
    private static int mix(int from, int to, double fraction) {
        double[] start = lab(from);
        double[] end = lab(to);
        double[] mixed = new double[3];
        for (int i = 0; i < 3; i++) {
            mixed[i] = start[i] + (end[i] - start[i]) * fraction;
        }
        return rgb(mixed);
    }

    /** CIELAB (D65) of an sRGB colour 0xRRGGBB: {L*, a*, b*}. */
    static double[] lab(int rgb) {
        double red = toLinear(rgb >> 16);
        double green = toLinear(rgb >> 8);
        double blue = toLinear(rgb);
        double x = (0.4124564 * red + 0.3575761 * green + 0.1804375 * blue) / WHITE_X;
        double y = 0.2126729 * red + 0.7151522 * green + 0.0721750 * blue;
        double z = (0.0193339 * red + 0.1191920 * green + 0.9503041 * blue) / WHITE_Z;
        double fx = labCurve(x);
        double fy = labCurve(y);
        double fz = labCurve(z);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    /** The sRGB colour 0xRRGGBB nearest to a CIELAB (D65) colour {L*, a*, b*}. */
    private static int rgb(double[] lab) {
        double fy = (lab[0] + 16) / 116;
        double x = inverseLabCurve(fy + lab[1] / 500) * WHITE_X;
        double y = inverseLabCurve(fy);
        double z = inverseLabCurve(fy - lab[2] / 200) * WHITE_Z;
        int red = fromLinear(3.2404542 * x - 1.5371385 * y - 0.4985314 * z);
        int green = fromLinear(-0.9692660 * x + 1.8760108 * y + 0.0415560 * z);
        int blue = fromLinear(0.0556434 * x - 0.2040259 * y + 1.0572252 * z);
        return red << 16 | green << 8 | blue;
    }

    private static final double WHITE_X = 0.95047;
    private static final double WHITE_Z = 1.08883;
    private static final double EPSILON = 216.0 / 24389;
    private static final double KAPPA = 24389.0 / 27;

    private static double labCurve(double t) {
        return t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
    }

    private static double inverseLabCurve(double f) {
        double cube = f * f * f;
        return cube > EPSILON ? cube : (116 * f - 16) / KAPPA;
    }

    private static double toLinear(int channel) {
        double value = (channel & 0xff) / 255.0;
        return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    }

    private static int fromLinear(double value) {
        double clamped = Math.max(0, Math.min(1, value));
        double encoded = clamped <= 0.0031308 ? 12.92 * clamped : 1.055 * Math.pow(clamped, 1 / 2.4) - 0.055;
        return (int) Math.round(encoded * 255);
    }
}
