package org.stepwise.train;

import java.util.List;

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.GqaConversion;
import org.stepwise.model.KvCacheSize;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedEncoderDecoder;

/**
 * A translation model before and after the key/value heads of all its attention layers are mean-pooled to fewer:
 * the loss of each on the same sentence pairs and the size of each one's key/value cache. While it translates, the
 * decoder keeps, in each of its L blocks, one key and one value vector per key/value head for every target token
 * so far (self-attention) and for every source token (cross-attention, computed once from the encoder's output);
 * the encoder keeps none. So both caches take 2 · L · G · D values per token, L the decoder's blocks.
 *
 * @param before      the config of the model as it was
 * @param converted   the converted config and weights
 * @param lossBefore  mean cross-entropy per target position of the model as it was, on the pairs
 * @param lossAfter   the same for the converted model
 * @param cacheBefore key/value cache per target token (and per source token) of the model as it was
 * @param cacheAfter  the same for the converted model
 */
public record TranslationGqaComparison(EncoderDecoderConfig before, GqaConversion.EncoderDecoderResult converted,
        double lossBefore, double lossAfter, KvCacheSize cacheBefore, KvCacheSize cacheAfter) {

    /**
     * Converts {@code model} to {@code kvHeads} key/value heads and measures both on {@code pairs}.
     *
     * @param model Not modified
     * @param pairs Not modified
     * @throws IllegalArgumentException for a bad {@code kvHeads} or a pair that does not fit the model's context
     */
    public static TranslationGqaComparison compute(LoadedEncoderDecoder model, int kvHeads, ParallelCorpus pairs) {
        GqaConversion.EncoderDecoderResult converted = GqaConversion.convert(model.config(), model.parameters(),
                kvHeads);
        List<TranslationTraining.Example> examples = TranslationLoop.encode(model, pairs);
        double before = loss(model.config(), model.parameters(), examples);
        double after = loss(converted.config(), converted.parameters(), examples);
        return new TranslationGqaComparison(model.config(), converted, before, after, cacheOf(model.config()),
                cacheOf(converted.config()));
    }

    /**
     * Mean cross-entropy per target position of the model over {@code examples}.
     *
     * @param weights  Not modified
     * @param examples Not modified
     */
    public static double loss(EncoderDecoderConfig config, Parameters weights,
            List<TranslationTraining.Example> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("no sentence pairs to measure the loss on");
        }
        int[][] sources = new int[examples.size()][];
        int[][] inputs = new int[examples.size()][];
        int[][] outputs = new int[examples.size()][];
        for (int i = 0; i < examples.size(); i++) {
            sources[i] = examples.get(i).source();
            inputs[i] = examples.get(i).targetInput();
            outputs[i] = examples.get(i).targetOutput();
        }
        return new EncoderDecoder(config, weights).loss(sources, inputs, outputs);
    }

    /** The decoder's cache per token, float32: 2 · L · G · D values, L the decoder's blocks. */
    public static KvCacheSize cacheOf(EncoderDecoderConfig config) {
        return new KvCacheSize(config.nDecoderLayer(), config.shared().nKvHead(), config.shared().headDim(),
                KvCacheSize.FLOAT32_BYTES);
    }
}
