package org.stepwise.model;

/**
 * How much memory a model's key/value cache takes while it generates: for every token already read it keeps,
 * in every block, one key and one value vector per key/value head, so 2 · L · G · D values per token.
 *
 * @param layers        L: blocks, each with its own cache
 * @param kvHeads       G: key/value heads per block
 * @param headDim       D: size of one key or value vector
 * @param bytesPerValue bytes one stored number takes (4 for float32, 2 for float16)
 */
public record KvCacheSize(int layers, int kvHeads, int headDim, int bytesPerValue) {

    /** Bytes of a float32 value, the precision inference engines usually keep the cache in. */
    public static final int FLOAT32_BYTES = 4;

    public KvCacheSize {
        if (layers < 1 || kvHeads < 1 || headDim < 1 || bytesPerValue < 1) {
            throw new IllegalArgumentException("layers, key/value heads, head size and bytes per value must all be"
                    + " at least 1, got " + layers + ", " + kvHeads + ", " + headDim + ", " + bytesPerValue);
        }
    }

    /** The cache of a model with {@code config}, holding {@code bytesPerValue}-byte numbers. */
    public static KvCacheSize of(ModelConfig config, int bytesPerValue) {
        return new KvCacheSize(config.nLayer(), config.nKvHead(), config.headDim(), bytesPerValue);
    }

    /** Numbers kept per token: 2 (a key and a value) · L · G · D. */
    public long valuesPerToken() {
        return 2L * layers * kvHeads * headDim;
    }

    /** Bytes kept per token: 2 · L · G · D · bytes per value. */
    public long bytesPerToken() {
        return valuesPerToken() * bytesPerValue;
    }

    /**
     * Bytes kept once {@code tokens} tokens have been read (the full context at most).
     *
     * @throws IllegalArgumentException when {@code tokens} is negative
     */
    public long bytesFor(int tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("the number of tokens cannot be negative, got " + tokens);
        }
        return bytesPerToken() * tokens;
    }
}
