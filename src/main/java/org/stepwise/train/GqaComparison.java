package org.stepwise.train;

import org.stepwise.model.GqaConversion;
import org.stepwise.model.KvCacheSize;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;

/**
 * A model before and after its key/value heads are mean-pooled to fewer: the validation loss of each on the
 * same corpus (computed as the trainer computes it) and the size of each one's key/value cache.
 *
 * @param before      the config of the model as it was
 * @param converted   the converted config and weights
 * @param lossBefore  validation loss of the model as it was
 * @param lossAfter   validation loss of the converted model
 * @param cacheBefore key/value cache of the model as it was
 * @param cacheAfter  key/value cache of the converted model
 */
public record GqaComparison(ModelConfig before, GqaConversion.Result converted, double lossBefore, double lossAfter,
                            KvCacheSize cacheBefore, KvCacheSize cacheAfter) {

    /**
     * Converts {@code weights} to {@code kvHeads} key/value heads and measures both models on {@code corpusIds}.
     * Runs the model over the validation samples twice: call it off the FX thread. The converted model shares
     * every matrix but the fused Q,K,V projections with {@code weights} ({@link
     * GqaConversion#convertSharingUnchanged}), so a GPT-2-sized model is not held twice.
     *
     * @param weights   Not modified; shared with the converted model
     * @param corpusIds the corpus as ids of the model's tokenizer. Not modified.
     * @param settings  where the validation samples come from ({@link TrainingSettings#validationFraction()}) and
     *                  how many there are ({@link TrainingSettings#validationBatches()} batches of
     *                  {@link TrainingSettings#batchSize()})
     * @throws IllegalArgumentException for a bad {@code kvHeads} or a corpus too short for a validation sample
     */
    public static GqaComparison compute(ModelConfig config, Parameters weights, int kvHeads, int[] corpusIds,
            TrainingSettings settings) {
        GqaConversion.Result converted = GqaConversion.convertSharingUnchanged(config, weights, kvHeads);
        double before = validationLoss(config, weights, corpusIds, settings);
        double after = validationLoss(converted.config(), converted.parameters(), corpusIds, settings);
        return new GqaComparison(config, converted, before, after,
                KvCacheSize.of(config, KvCacheSize.FLOAT32_BYTES),
                KvCacheSize.of(converted.config(), KvCacheSize.FLOAT32_BYTES));
    }

    /**
     * The mean cross-entropy on the validation samples of {@code corpusIds}, the same samples and the same
     * number as {@link TrainingLoop#validationLoss()} uses, without the trainer's optimizer buffers (so a model
     * too large to train can be measured too).
     *
     * @param weights   Not modified
     * @param corpusIds Not modified
     * @throws IllegalArgumentException when the corpus is too short to hold back a validation sample
     */
    public static double validationLoss(ModelConfig config, Parameters weights, int[] corpusIds,
            TrainingSettings settings) {
        Dataset data = new Dataset(corpusIds, config.contextLength(), settings.validationFraction());
        int count = Math.min(data.validationSize(), settings.validationBatches() * settings.batchSize());
        if (count == 0) {
            throw new IllegalArgumentException("the corpus has " + corpusIds.length + " tokens, too few to keep a"
                    + " validation sample of " + config.contextLength() + " tokens apart; give a longer text");
        }
        int[][] inputs = new int[count][data.contextLength()];
        int[][] targets = new int[count][data.contextLength()];
        for (int i = 0; i < count; i++) {
            data.copyValidationSample(i, inputs[i], targets[i]);
        }
        return new Transformer(config, weights).loss(inputs, targets);
    }
}
