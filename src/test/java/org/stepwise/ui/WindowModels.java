package org.stepwise.ui;

import java.util.Random;

import javafx.scene.Scene;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.tokenizer.Tokenizer;

/** Small random models with tokenizers trained on a tiny corpus, and a window opened on them, for the UI tests. */
final class WindowModels {
    private WindowModels() {
    }

    static final String CORPUS = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on a mat.";
    /** Context of the test models: short, so a sentence is easily too long. */
    static final int CONTEXT = 12;

    /** A pre-LN (character tokenizer, learned positions) or post-LN (BPE, sinusoidal positions) model, 2 blocks, 4 heads. */
    static LoadedModel model(ModelConfig.Norm norm, long seed) {
        Tokenizer tokenizer = norm == ModelConfig.Norm.PRE_LN ? CharTokenizer.train(CORPUS) : BpeTokenizer.train(CORPUS, 12);
        ModelConfig config = new ModelConfig(tokenizer.vocabSize(), CONTEXT, 2, 4, 4, 16, 32,
                norm == ModelConfig.Norm.PRE_LN ? ModelConfig.Activation.GELU_TANH : ModelConfig.Activation.RELU,
                norm == ModelConfig.Norm.PRE_LN ? ModelConfig.Positional.LEARNED : ModelConfig.Positional.SINUSOIDAL,
                norm, norm == ModelConfig.Norm.PRE_LN, true, 0, 0, 1e-5, 10000.0);
        return new LoadedModel("test-" + norm, config, perturbed(config, seed), tokenizer);
    }

    /** GPT-2 initialisation plus N(0, 0.3²) noise, so no number is trivially small. */
    static Parameters perturbed(ModelConfig config, long seed) {
        Parameters parameters = ParameterLayout.of(config).initialize(seed);
        Random random = new Random(seed * 31 + 7);
        for (String name : parameters.names()) {
            DMatrixRMaj matrix = parameters.get(name);
            for (int i = 0; i < matrix.getNumElements(); i++) {
                matrix.data[i] += 0.3 * random.nextGaussian();
            }
        }
        return parameters;
    }

    /** Opens a window on {@code model} in {@code stage}; call on the FX thread. */
    static MainWindow open(Stage stage, VisualizerViewModel viewModel) {
        MainWindow window = new MainWindow(viewModel, I18n.bundle(java.util.Locale.ENGLISH));
        Scene scene = new Scene(window.root(), 1280, 800);
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
        window.root().requestFocus();
        return window;
    }
}
