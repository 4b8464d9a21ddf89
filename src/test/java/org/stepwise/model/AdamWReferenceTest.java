package org.stepwise.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

import org.stepwise.train.AdamW;

/**
 * Our AdamW against the numpy reference's transcription of {@code torch.optim.AdamW}: one step with
 * lr 1e-3 and PyTorch's defaults from the reference's weights and gradients gives the reference's weights
 * after the step (fixture {@code ref_tiny_seed0.npz}, {@code param_after/*}).
 */
class AdamWReferenceTest {

    @Test
    void oneStepMatchesTheReference() throws IOException {
        NumpyArchive npz;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/ref_tiny_seed0.npz")) {
            assertTrue(in != null, "missing fixture");
            npz = NumpyArchive.read(in);
        }
        ModelConfig config = ModelConfig.gpt2Like((int) npz.get("config/vocab_size").scalar(),
                (int) npz.get("config/block_size").scalar(), (int) npz.get("config/n_layer").scalar(),
                (int) npz.get("config/n_head").scalar(), (int) npz.get("config/n_embd").scalar());
        config = new ModelConfig(config.vocabSize(), config.contextLength(), config.nLayer(), config.nHead(),
                config.nKvHead(), config.dModel(), (int) npz.get("config/ffn").scalar(), config.activation(),
                config.positional(), config.norm(), true, true, 0, 0, 1e-5, 10000.0);
        Parameters weights = ParameterLayout.of(config).zeros();
        Parameters gradients = weights.zerosLike();
        for (String name : weights.names()) {
            System.arraycopy(npz.get("param/" + reference(name)).values(), 0, weights.get(name).data, 0,
                    weights.get(name).getNumElements());
            System.arraycopy(npz.get("grad/" + reference(name)).values(), 0, gradients.get(name).data, 0,
                    gradients.get(name).getNumElements());
        }
        new AdamW(weights).step(weights, gradients, 1e-3);
        for (String name : weights.names()) {
            double[] expected = npz.get("param_after/" + reference(name)).values();
            double[] actual = weights.get(name).data;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-15, name + "[" + i + "]");
            }
        }
    }

    private static String reference(String name) {
        if (name.equals(ParameterLayout.TOKEN_EMBEDDING)) {
            return "wte";
        }
        return name.equals(ParameterLayout.POSITION_EMBEDDING) ? "wpe" : name;
    }
}
