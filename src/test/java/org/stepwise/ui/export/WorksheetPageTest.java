package org.stepwise.ui.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import javafx.scene.Scene;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.stage.StageActions;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.ui.stage.StagePanels;

/**
 * A worksheet page in Chinese for the attention pattern of the bundled model: A4 size, white, and its panel copy
 * draws every cell of both heatmaps (the window shows them in a tab pane and a scroll pane, which the copy unrolls).
 */
@ExtendWith(ApplicationExtension.class)
class WorksheetPageTest {

    private final StackPane host = new StackPane();

    @Start
    void start(Stage stage) {
        Scene scene = new Scene(host, 800, 600);
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void aChineseWorksheetOfTheAttentionPatternIsAnA4Page() throws Exception {
        LoadedModel model = DefaultModel.load();
        PreparedSentence sentence = Pipeline.prepare(model.tokenizer(), "The cat sat on the",
                model.config().contextLength(), Pipeline.Keep.LAST);
        SentenceTrace run = SentenceTrace.record(new Transformer(model.config(), model.parameters()), sentence.ids());
        StageContext context = new StageContext(model, model.parameters(), sentence, run,
                org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 0), 1, 2,
                SamplingSettings.PLAIN, I18n.bundle(Locale.SIMPLIFIED_CHINESE), new Inert());
        StagePanel panel = StagePanels.special(context.stage().kind()).orElseThrow();
        WaitForAsyncUtils.asyncFx(() -> {
            host.getChildren().setAll(panel.node());
            panel.show(context);
        }).get();
        WaitForAsyncUtils.waitForFxEvents();

        WritableImage copy = WaitForAsyncUtils.asyncFx(() -> PanelImage.snapshot(PanelCopy.of(context, panel.node()), 1)).get();
        BufferedImage page = WaitForAsyncUtils.asyncFx(() -> PanelImage.toBuffered(WorksheetPage.render(context,
                PanelImage.snapshot(PanelCopy.of(context, panel.node()), 2)))).get();
        Path shots = Files.createDirectories(Path.of("target", "export-shots"));
        PanelImage.writePng(shots.resolve("worksheet-attention-zh.png"), page);

        assertEquals(WorksheetPage.WIDTH, page.getWidth());
        assertEquals(WorksheetPage.HEIGHT, page.getHeight());
        assertEquals(0xffffffff, page.getRGB(3, 3));
        // The pattern's first row is attention of the first token to itself: 1, drawn in the sequential scale's
        // brightest colour (yellow), which appears nowhere else on the panel but in its legend.
        Set<Integer> colours = new HashSet<>();
        long yellowish = 0;
        for (int y = 0; y < (int) copy.getHeight(); y++) {
            for (int x = 0; x < (int) copy.getWidth(); x++) {
                int argb = copy.getPixelReader().getArgb(x, y);
                colours.add(argb);
                int red = argb >> 16 & 0xff;
                int green = argb >> 8 & 0xff;
                int blue = argb & 0xff;
                if (red > 200 && green > 200 && blue < 80) {
                    yellowish++;
                }
            }
        }
        assertTrue(colours.size() > 200, colours.size() + " colours in the panel");
        assertTrue(yellowish > 400, yellowish + " yellow pixels: the cell of weight 1 is drawn");
    }

    /** The actions of a panel no one clicks. */
    private static final class Inert implements StageActions {
        @Override
        public void appendToken(int id) {
        }

        @Override
        public void openStage(org.stepwise.pipeline.Stage stage, int head) {
        }

        @Override
        public void selectToken(int position) {
        }

        @Override
        public void setSampling(SamplingSettings sampling) {
        }

        @Override
        public void showExplanation(String text) {
        }
    }
}
