package org.stepwise.ui.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.ResourceBundle;
import java.util.concurrent.ExecutionException;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;

import org.ejml.data.DMatrixRMaj;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.BpeTokenizer;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.I18n;

/** Small random models with a trained tokenizer, stage contexts built from them, and PNG snapshots of panels. */
final class StageFixtures {

    static final Path SHOTS = Path.of("target", "stage-shots");
    static final String CORPUS = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on the mat; "
            + "the cat saw the dog and the dog saw the cat. cats and dogs like mats and logs.";

    private StageFixtures() {
    }

    /** Everything a panel was asked to do. */
    static final class RecordingActions implements StageActions {
        final List<Integer> appended = new ArrayList<>();
        final List<Stage> opened = new ArrayList<>();
        final List<Integer> openedHeads = new ArrayList<>();
        final List<Integer> selected = new ArrayList<>();
        final List<SamplingSettings> sampling = new ArrayList<>();
        final List<String> explanations = new ArrayList<>();

        @Override
        public void appendToken(int id) {
            appended.add(id);
        }

        @Override
        public void openStage(Stage stage, int head) {
            opened.add(stage);
            openedHeads.add(head);
        }

        @Override
        public void selectToken(int position) {
            selected.add(position);
        }

        @Override
        public void setSampling(SamplingSettings settings) {
            sampling.add(settings);
        }

        @Override
        public void showExplanation(String text) {
            explanations.add(text);
        }

        /** The line the window would show now: the last explanation asked for, "" when none. */
        String explanation() {
            return explanations.isEmpty() ? "" : explanations.get(explanations.size() - 1);
        }
    }

    static BpeTokenizer bpe() {
        return BpeTokenizer.train(CORPUS, 40);
    }

    /** A random model of {@code config} with {@code tokenizer}: GPT-2 initialisation plus noise, so patterns differ. */
    static LoadedModel model(ModelConfig config, Tokenizer tokenizer, long seed) {
        Parameters parameters = ParameterLayout.of(config).initialize(seed);
        Random random = new Random(seed + 1);
        for (String name : parameters.names()) {
            DMatrixRMaj values = parameters.get(name);
            for (int i = 0; i < values.getNumElements(); i++) {
                values.data[i] += 0.3 * random.nextGaussian();
            }
        }
        return new LoadedModel("test-" + seed, config, parameters, tokenizer);
    }

    /** A pre-LN model of 2 blocks, 4 heads, d_model 16 over the tokenizer's vocabulary. */
    static ModelConfig smallConfig(Tokenizer tokenizer) {
        return ModelConfig.gpt2Like(tokenizer.vocabSize(), 16, 2, 4, 16);
    }

    static StageContext context(LoadedModel model, String text, Stage stage, int head, int selected,
                                SamplingSettings sampling, StageActions actions) {
        PreparedSentence sentence = Pipeline.prepare(model.tokenizer(), text, model.config().contextLength(),
                Pipeline.Keep.LAST);
        SentenceTrace run = sentence.isEmpty() ? null
                : SentenceTrace.record(new Transformer(model.config(), model.parameters()), sentence.ids());
        ResourceBundle messages = I18n.bundle(Locale.ENGLISH);
        return new StageContext(model, model.parameters(), sentence, run, stage, head, selected, sampling, messages, actions);
    }

    /** The same context with another selection, stage, head or sampling. */
    static StageContext with(StageContext context, Stage stage, int head, int selected, SamplingSettings sampling) {
        return new StageContext(context.model(), context.weights(), context.sentence(), context.run(), stage, head,
                selected, sampling, context.messages(), context.actions());
    }

    static void writePng(Node node, String name) throws IOException, InterruptedException, ExecutionException {
        Files.createDirectories(SHOTS);
        WritableImage image = WaitForAsyncUtils.asyncFx(() -> {
            node.applyCss();
            return node.snapshot(null, null);
        }).get();
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", SHOTS.resolve(name + ".png").toFile());
    }
}
