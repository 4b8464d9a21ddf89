package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;

/** Parameter counts by part agree with the real tensors of the layout. */
class ParameterCountTest {

    @Test
    void everyPartMatchesTheLayoutsTensors() {
        List<ModelConfig> configs = new ArrayList<>();
        Models.all().forEach(m -> configs.add(m.config()));
        configs.add(ModelConfig.gpt2Like(50257, 1024, 12, 12, 768));
        for (ModelConfig config : configs) {
            long wte = 0, wpe = 0, attention = 0, ffn = 0, norms = 0, head = 0;
            for (ParameterLayout.Spec spec : ParameterLayout.of(config).specs()) {
                long size = (long) spec.rows() * spec.cols();
                String name = spec.name();
                if (name.equals(ParameterLayout.TOKEN_EMBEDDING)) {
                    wte += size;
                } else if (name.equals(ParameterLayout.POSITION_EMBEDDING)) {
                    wpe += size;
                } else if (name.equals(ParameterLayout.OUTPUT)) {
                    head += size;
                } else if (name.contains(".attn.")) {
                    attention += size;
                } else if (name.contains(".mlp.")) {
                    ffn += size;
                } else if (name.contains("ln_")) {
                    norms += size;
                } else {
                    throw new AssertionError("unclassified parameter " + name);
                }
            }
            ParameterCount count = ParameterCount.of(config);
            assertEquals(new ParameterCount(wte, wpe, attention, ffn, norms, head), count, config.toString());
            assertEquals(ParameterLayout.of(config).zeros().count(), count.total());
        }
    }

    @Test
    void gpt2SmallHasTwoThirdsOfItsBlockWeightsInTheFeedForwardNetworks() {
        ParameterCount gpt2 = ParameterCount.of(ModelConfig.gpt2Like(50257, 1024, 12, 12, 768));
        assertEquals(124_439_808L, gpt2.total());
        assertEquals(0, gpt2.outputHead());
        assertEquals(56_669_184L, gpt2.feedForward());
        assertEquals(28_348_416L, gpt2.attention());
        double share = gpt2.feedForwardShareOfBlocks();
        assertTrue(share > 0.66 && share < 0.67, "share " + share);
        assertTrue(gpt2.feedForwardShareOfTotal() < 0.5, "embeddings take a large part of the total");
    }
}
