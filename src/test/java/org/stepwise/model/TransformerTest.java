package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.stepwise.tensor.SinusoidalPositions;

/** Behaviour of the model beyond its gradients: masking, determinism, batching, equivalences and bad input. */
class TransformerTest {

    private static final ModelConfig.Activation GELU = ModelConfig.Activation.GELU_TANH;

    @Test
    void maskedScoresAreMinusInfinityAndTheirPatternCellsExactlyZero() {
        ModelConfig config = TinyModels.base().withAttention(4, 2);
        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 1)), new int[] {3, 0, 5, 5, 1, 2});
        for (int l = 0; l < config.nLayer(); l++) {
            for (int h = 0; h < config.nHead(); h++) {
                DMatrixRMaj scores = trace.get(HookKey.of(Hook.ATTN_SCORES, l, h));
                DMatrixRMaj pattern = trace.get(HookKey.of(Hook.PATTERN, l, h));
                for (int i = 0; i < 6; i++) {
                    double rowSum = 0;
                    for (int j = 0; j < 6; j++) {
                        if (j > i) {
                            assertEquals(Double.NEGATIVE_INFINITY, scores.get(i, j));
                            assertEquals(0.0, pattern.get(i, j), 0.0);
                        } else {
                            assertTrue(Double.isFinite(scores.get(i, j)));
                            assertTrue(pattern.get(i, j) > 0);
                        }
                        rowSum += pattern.get(i, j);
                    }
                    assertEquals(1.0, rowSum, 1e-15);
                }
                assertEquals(1.0, pattern.get(0, 0), 0.0, "the first token can only attend to itself");
            }
        }
    }

    @Test
    void scoresAreQueryKeyProductsOverRootD() {
        ModelConfig config = TinyModels.base().withAttention(4, 1);
        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 2)), new int[] {1, 2, 3});
        DMatrixRMaj q = trace.get(HookKey.of(Hook.Q, 1, 3));
        DMatrixRMaj k = trace.get(HookKey.of(Hook.K, 1, 0)); // MQA: every query head reads key head 0
        double expected = (q.get(2, 0) * k.get(1, 0) + q.get(2, 1) * k.get(1, 1)) / Math.sqrt(2);
        assertEquals(expected, trace.get(HookKey.of(Hook.ATTN_SCORES, 1, 3), 2, 1), 1e-15);
    }

    @Test
    void forwardIsDeterministicAndForgetsEarlierLongerSequences() {
        ModelConfig config = TinyModels.base().withExperts(3, 2).withVariants(ModelConfig.Activation.RELU,
                ModelConfig.Positional.ROPE, ModelConfig.Norm.POST_LN, false, true);
        Parameters parameters = TinyModels.perturbed(config, 3);
        int[] shortIds = {4, 1, 3};
        DMatrixRMaj fresh = new Transformer(config, parameters).forward(shortIds, TraceSink.NONE);
        Transformer model = new Transformer(config, parameters);
        model.forward(new int[] {6, 5, 4, 3, 2, 1}, TraceSink.NONE);
        model.lossAndGradients(new int[][] {{1, 2, 3, 4, 5, 6}}, new int[][] {{2, 3, 4, 5, 6, 0}}, parameters.zerosLike());
        DMatrixRMaj again = model.forward(shortIds, TraceSink.NONE);
        assertArrayEquals(fresh.data, again.data);
        assertEquals(3, again.numRows);
        assertEquals(7, again.numCols);
    }

    @Test
    void lossAndGradientsAreBitIdenticalOnRepeatedCallsAndAcrossModels() {
        // big enough that the chunks run on the worker threads
        ModelConfig config = new ModelConfig(40, 24, 2, 4, 2, 32, 64, GELU, ModelConfig.Positional.LEARNED,
                ModelConfig.Norm.PRE_LN, true, true, 0, 0, 1e-5, 10000.0);
        Parameters parameters = TinyModels.perturbed(config, 4);
        int[][] inputs = TinyModels.randomIds(40, 5, 24, 17, 24, 9, 20, 24, 13);
        int[][] targets = TinyModels.randomIds(40, 6, 24, 17, 24, 9, 20, 24, 13);
        Transformer model = new Transformer(config, parameters);
        Parameters first = parameters.zerosLike();
        double firstLoss = model.lossAndGradients(inputs, targets, first);
        for (int repeat = 0; repeat < 3; repeat++) {
            Transformer subject = repeat == 2 ? new Transformer(config, parameters) : model;
            Parameters grads = parameters.zerosLike();
            double loss = subject.lossAndGradients(inputs, targets, grads);
            assertEquals(Double.doubleToRawLongBits(firstLoss), Double.doubleToRawLongBits(loss));
            for (String name : grads.names()) {
                assertArrayEquals(first.get(name).data, grads.get(name).data, name);
            }
        }
        assertEquals(Double.doubleToRawLongBits(firstLoss), Double.doubleToRawLongBits(model.loss(inputs, targets)),
                "loss() and lossAndGradients() add the same numbers in the same order");
    }

    @Test
    void theBatchLossIsTheMeanOverAllPositions() {
        ModelConfig config = TinyModels.base().withAttention(4, 2).withExperts(3, 2);
        Parameters parameters = TinyModels.perturbed(config, 5);
        Transformer model = new Transformer(config, parameters);
        int[][] inputs = {{1, 2, 3, 4, 5, 6}, {0, 3}};
        int[][] targets = {{2, 3, 4, 5, 6, 0}, {1, 1}};
        Parameters both = parameters.zerosLike();
        Parameters longer = parameters.zerosLike();
        Parameters shorter = parameters.zerosLike();
        double lossBoth = model.lossAndGradients(inputs, targets, both);
        double lossLonger = model.lossAndGradients(new int[][] {inputs[0]}, new int[][] {targets[0]}, longer);
        double lossShorter = model.lossAndGradients(new int[][] {inputs[1]}, new int[][] {targets[1]}, shorter);
        assertEquals((6 * lossLonger + 2 * lossShorter) / 8, lossBoth, 1e-15);
        for (String name : both.names()) {
            for (int i = 0; i < both.get(name).getNumElements(); i++) {
                double expected = (6 * longer.get(name).data[i] + 2 * shorter.get(name).data[i]) / 8;
                assertEquals(expected, both.get(name).data[i], 1e-15, name);
            }
        }
    }

    @Test
    void sequencesStackedInOneChunkGiveTheSameLossAndGradientsAsEachAlone() {
        // Eight sequences make chunks of two: each chunk stacks two sequences of different lengths.
        int[] lengths = {6, 3, 1, 5, 4, 6, 2, 5};
        for (ModelConfig config : new ModelConfig[] {
                TinyModels.base().withAttention(4, 2),
                TinyModels.base().withVariants(ModelConfig.Activation.RELU, ModelConfig.Positional.ROPE,
                        ModelConfig.Norm.POST_LN, false, true).withExperts(3, 2),
                TinyModels.base().withVariants(ModelConfig.Activation.GELU_ERF, ModelConfig.Positional.SINUSOIDAL,
                        ModelConfig.Norm.PRE_LN, true, false)}) {
            Parameters parameters = TinyModels.perturbed(config, 9);
            Transformer model = new Transformer(config, parameters);
            int[][] inputs = TinyModels.randomIds(config.vocabSize(), 21, lengths);
            int[][] targets = TinyModels.randomIds(config.vocabSize(), 22, lengths);
            Parameters stacked = parameters.zerosLike();
            double loss = model.lossAndGradients(inputs, targets, stacked);
            int positions = java.util.Arrays.stream(lengths).sum();
            double expectedLoss = 0;
            Parameters expected = parameters.zerosLike();
            Parameters alone = parameters.zerosLike();
            for (int i = 0; i < inputs.length; i++) {
                double weight = (double) lengths[i] / positions;
                expectedLoss += weight * model.lossAndGradients(new int[][] {inputs[i]}, new int[][] {targets[i]}, alone);
                for (String name : expected.names()) {
                    for (int j = 0; j < alone.get(name).getNumElements(); j++) {
                        expected.get(name).data[j] += weight * alone.get(name).data[j];
                    }
                }
            }
            assertEquals(expectedLoss, loss, 1e-12 * Math.abs(expectedLoss));
            for (String name : expected.names()) {
                for (int j = 0; j < expected.get(name).getNumElements(); j++) {
                    assertEquals(expected.get(name).data[j], stacked.get(name).data[j], 1e-12, name);
                }
            }
        }
    }

    @Test
    void gradientsOverwriteWhatTheStoreHeld() {
        ModelConfig config = TinyModels.base();
        Parameters parameters = TinyModels.perturbed(config, 6);
        Transformer model = new Transformer(config, parameters);
        int[][] inputs = {{1, 2, 3}};
        Parameters clean = parameters.zerosLike();
        model.lossAndGradients(inputs, inputs, clean);
        Parameters dirty = parameters.copy();
        model.lossAndGradients(inputs, inputs, dirty);
        for (String name : clean.names()) {
            assertArrayEquals(clean.get(name).data, dirty.get(name).data, name);
        }
    }

    @Test
    void groupedQueryAttentionEqualsMultiHeadWithSharedKeysAndValues() {
        ModelConfig gqa = TinyModels.base().withAttention(4, 2);
        ModelConfig mha = TinyModels.base().withAttention(4, 4);
        Parameters grouped = TinyModels.perturbed(gqa, 7);
        Parameters full = ParameterLayout.of(mha).zeros();
        for (String name : full.names()) {
            if (!name.contains("c_attn")) {
                full.get(name).setTo(grouped.get(name));
            }
        }
        int c = 8;
        int d = 2;
        for (int l = 0; l < 2; l++) {
            DMatrixRMaj groupedWeight = grouped.get("h." + l + ".attn.c_attn.weight"); // [8, 8 + 2·2·2]
            DMatrixRMaj groupedBias = grouped.get("h." + l + ".attn.c_attn.bias");
            DMatrixRMaj fullWeight = full.get("h." + l + ".attn.c_attn.weight");       // [8, 24]
            DMatrixRMaj fullBias = full.get("h." + l + ".attn.c_attn.bias");
            for (int column = 0; column < 3 * c; column++) {
                int source;
                if (column < c) {
                    source = column;                                             // query heads are the same
                } else {
                    int part = (column - c) / c;                                 // 0 = keys, 1 = values
                    int head = (column - c - part * c) / d;
                    int group = head / 2;                                        // heads 0,1 → group 0; 2,3 → 1
                    source = c + part * 2 * d + group * d + (column - c) % d;
                }
                for (int row = 0; row < c; row++) {
                    fullWeight.set(row, column, groupedWeight.get(row, source));
                }
                fullBias.set(0, column, groupedBias.get(0, source));
            }
        }
        int[] ids = {5, 0, 2, 6, 1};
        DMatrixRMaj expected = new Transformer(mha, full).forward(ids, TraceSink.NONE);
        DMatrixRMaj actual = new Transformer(gqa, grouped).forward(ids, TraceSink.NONE);
        for (int i = 0; i < expected.getNumElements(); i++) {
            assertEquals(expected.data[i], actual.data[i], 1e-13);
        }
    }

    @Test
    void tiedOutputEqualsAnUntiedCopyAndCollectsBothGradients() {
        ModelConfig tied = TinyModels.base();
        ModelConfig untied = tied.withVariants(GELU, ModelConfig.Positional.LEARNED, ModelConfig.Norm.PRE_LN, false, true);
        Parameters tiedWeights = TinyModels.perturbed(tied, 8);
        Parameters untiedWeights = ParameterLayout.of(untied).zeros();
        for (String name : tiedWeights.names()) {
            untiedWeights.get(name).setTo(tiedWeights.get(name));
        }
        untiedWeights.get(ParameterLayout.OUTPUT).setTo(tiedWeights.get(ParameterLayout.TOKEN_EMBEDDING));
        int[][] inputs = {{1, 5, 2, 2}, {0, 6, 3}};
        int[][] targets = {{5, 2, 2, 4}, {6, 3, 1}};
        Parameters tiedGrads = tiedWeights.zerosLike();
        Parameters untiedGrads = untiedWeights.zerosLike();
        double tiedLoss = new Transformer(tied, tiedWeights).lossAndGradients(inputs, targets, tiedGrads);
        double untiedLoss = new Transformer(untied, untiedWeights).lossAndGradients(inputs, targets, untiedGrads);
        assertEquals(untiedLoss, tiedLoss, 1e-15);
        DMatrixRMaj embedding = tiedGrads.get(ParameterLayout.TOKEN_EMBEDDING);
        for (int i = 0; i < embedding.getNumElements(); i++) {
            double sum = untiedGrads.get(ParameterLayout.TOKEN_EMBEDDING).data[i]
                    + untiedGrads.get(ParameterLayout.OUTPUT).data[i];
            assertEquals(sum, embedding.data[i], 1e-15);
        }
    }

    @Test
    void sinusoidalPositionsAreTheFixedTable() {
        ModelConfig config = TinyModels.base().withVariants(GELU, ModelConfig.Positional.SINUSOIDAL,
                ModelConfig.Norm.PRE_LN, true, true);
        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 9)), new int[] {1, 2, 3, 4});
        DMatrixRMaj table = SinusoidalPositions.table(6, 8);
        for (int t = 0; t < 4; t++) {
            for (int j = 0; j < 8; j++) {
                assertEquals(table.get(t, j), trace.get(HookKey.of(Hook.POS_EMBED), t, j), 0.0);
            }
        }
    }

    @Test
    void expertTiesGoToTheLowerIndexWithEqualWeights() {
        ModelConfig config = TinyModels.base().withExperts(3, 2);
        Parameters parameters = TinyModels.perturbed(config, 10);
        for (int l = 0; l < 2; l++) {
            parameters.get("h." + l + ".mlp.router.weight").zero();
            parameters.get("h." + l + ".mlp.router.bias").fill(0.5);
        }
        Trace trace = Trace.record(new Transformer(config, parameters), new int[] {3, 4, 5});
        DMatrixRMaj chosen = trace.get(HookKey.of(Hook.EXPERT_INDICES, 1));
        DMatrixRMaj weights = trace.get(HookKey.of(Hook.EXPERT_WEIGHTS, 1));
        for (int t = 0; t < 3; t++) {
            assertEquals(0.0, chosen.get(t, 0));
            assertEquals(1.0, chosen.get(t, 1));
            assertEquals(0.5, weights.get(t, 0), 0.0);
            assertEquals(0.5, weights.get(t, 1), 0.0);
        }
    }

    @Test
    void expertsAreRankedBestFirstAndWeightedBySoftmax() {
        ModelConfig config = TinyModels.base().withExperts(3, 2);
        Trace trace = Trace.record(new Transformer(config, TinyModels.perturbed(config, 11)), new int[] {2, 6, 0, 1});
        DMatrixRMaj logits = trace.get(HookKey.of(Hook.MOE_GATE, 0));
        DMatrixRMaj chosen = trace.get(HookKey.of(Hook.EXPERT_INDICES, 0));
        DMatrixRMaj weights = trace.get(HookKey.of(Hook.EXPERT_WEIGHTS, 0));
        for (int t = 0; t < 4; t++) {
            int best = (int) chosen.get(t, 0);
            int second = (int) chosen.get(t, 1);
            int left = 3 - best - second;
            assertTrue(logits.get(t, best) >= logits.get(t, second) && logits.get(t, second) >= logits.get(t, left));
            double gap = logits.get(t, second) - logits.get(t, best);
            assertEquals(1 / (1 + Math.exp(gap)), weights.get(t, 0), 1e-15);
            assertEquals(1.0, weights.get(t, 0) + weights.get(t, 1), 1e-15);
        }
    }

    @Test
    void theModelReadsItsParametersInPlace() {
        ModelConfig config = TinyModels.base();
        Parameters parameters = TinyModels.perturbed(config, 12);
        Transformer model = new Transformer(config, parameters);
        assertSame(parameters, model.parameters());
        DMatrixRMaj before = model.forward(new int[] {1, 2}, TraceSink.NONE);
        parameters.get("ln_f.bias").add(0, 3, 1.0);
        DMatrixRMaj after = model.forward(new int[] {1, 2}, TraceSink.NONE);
        assertNotEquals(before.get(1, 4), after.get(1, 4));
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        ModelConfig config = TinyModels.base();
        Parameters parameters = TinyModels.perturbed(config, 13);
        Transformer model = new Transformer(config, parameters);
        assertMessage("ids[2] = 7 is not a token id (vocabulary size 7)",
                () -> model.forward(new int[] {1, 2, 7}, TraceSink.NONE));
        assertMessage("ids[0] = -1 is not a token id (vocabulary size 7)",
                () -> model.forward(new int[] {-1}, TraceSink.NONE));
        assertMessage("ids has length 0; a sequence needs length 1 to contextLength = 6",
                () -> model.forward(new int[0], TraceSink.NONE));
        assertMessage("ids has length 7; a sequence needs length 1 to contextLength = 6",
                () -> model.forward(new int[7], TraceSink.NONE));
        assertMessage("inputs[1] has length 3 but targets[1] has length 2",
                () -> model.loss(new int[][] {{1}, {1, 2, 3}}, new int[][] {{1}, {1, 2}}));
        assertMessage("targets[0][1] = 9 is not a token id (vocabulary size 7)",
                () -> model.loss(new int[][] {{1, 2}}, new int[][] {{1, 9}}));
        assertMessage("the batch is empty", () -> model.loss(new int[0][], new int[0][]));
        assertMessage("2 input sequences but 1 target sequences",
                () -> model.loss(new int[][] {{1}, {2}}, new int[][] {{1}}));
        assertMessage("grads must be a separate store, not the model's parameters",
                () -> model.lossAndGradients(new int[][] {{1}}, new int[][] {{1}}, parameters));
        Parameters wrong = ParameterLayout.of(config.withAttention(4, 2)).zeros();
        assertMessage("parameter h.0.attn.c_attn.weight has shape [8, 16], expected [8, 24]",
                () -> model.lossAndGradients(new int[][] {{1}}, new int[][] {{1}}, wrong));
        assertMessage("missing parameter wpe.weight", () -> new Transformer(config,
                ParameterLayout.of(config.withVariants(GELU, ModelConfig.Positional.NONE, ModelConfig.Norm.PRE_LN,
                        true, true)).zeros()));
    }

    @Test
    void aWarmTrainingStepAllocatesNothingOnTheCallingThread() {
        ModelConfig config = TinyModels.base().withAttention(4, 2).withExperts(3, 2)
                .withVariants(GELU, ModelConfig.Positional.ROPE, ModelConfig.Norm.PRE_LN, false, true);
        Parameters parameters = TinyModels.perturbed(config, 14);
        Transformer model = new Transformer(config, parameters);
        Parameters grads = parameters.zerosLike();
        int[][] inputs = {{1, 2, 3, 4, 5, 6}};
        int[][] targets = {{2, 3, 4, 5, 6, 0}};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 2000; i++) {
            model.lossAndGradients(inputs, targets, grads);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 1000; i++) {
            model.lossAndGradients(inputs, targets, grads);
        }
        long perCall = (threads.getThreadAllocatedBytes(thread) - before) / 1000;
        assertTrue(perCall < 16, "a warm lossAndGradients call allocated " + perCall + " bytes");
    }

    private static void assertMessage(String expected, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertEquals(expected, e.getMessage());
    }
}
