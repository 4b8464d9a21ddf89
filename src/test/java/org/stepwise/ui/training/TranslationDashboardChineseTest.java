package org.stepwise.ui.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.image.WritableImage;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.ui.I18n;

/** The dashboard training the bundled translation checkpoint in Chinese: its own strings, the batch of pairs. */
@ExtendWith(ApplicationExtension.class)
class TranslationDashboardChineseTest {

    private final ResourceBundle messages = I18n.bundle(Locale.SIMPLIFIED_CHINESE);
    private TrainingDashboard dashboard;
    private TrainingViewModel viewModel;

    @Start
    void start(Stage stage) throws Exception {
        LoadedEncoderDecoder checkpoint = EncoderDecoderFolder.load(Path.of("assets", "model-en-zh"));
        viewModel = new TrainingViewModel(messages);
        dashboard = new TrainingDashboard(messages, viewModel);
        stage.setScene(new Scene(dashboard, 640, 760));
        stage.show();
        assertTrue(dashboard.trainTranslation(checkpoint));
    }

    @AfterEach
    void close() throws Exception {
        onFx(() -> {
            viewModel.close();
            return null;
        });
    }

    private <T> T onFx(Callable<T> action) throws Exception {
        return WaitForAsyncUtils.asyncFx(action).get(30, TimeUnit.SECONDS);
    }

    private String label(FxRobot robot, String id) throws Exception {
        return onFx(() -> robot.lookup(id).queryAs(Label.class).getText());
    }

    @Test
    void showsTheTranslationRunInChinese(FxRobot robot) throws Exception {
        onFx(() -> {
            robot.lookup("#dashboard-step").queryButton().fire();
            return null;
        });
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> {
            TrainingSnapshot now = onFx(() -> viewModel.snapshotProperty().get());
            return now != null && now.iteration() == 1;
        });
        onFx(() -> {
            robot.lookup("#dashboard-details").queryAs(TabPane.class).getSelectionModel().select(1);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("英译中句对", onFx(() -> robot.lookup("#dashboard-corpus").queryAs(ComboBox.class).getPromptText()));
        assertTrue(label(robot, "#dashboard-model").contains("翻译模型"), label(robot, "#dashboard-model"));
        assertEquals(messages.getString("dashboard.translation.note"), label(robot, "#dashboard-translation-note"));
        assertTrue(label(robot, "#dashboard-batch-text").startsWith("16 个句对"), label(robot, "#dashboard-batch-text"));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS,
                () -> onFx(() -> viewModel.sampleTextProperty().get()).contains(" → "));
        Files.createDirectories(Path.of("target", "stage-shots"));
        WritableImage image = onFx(() -> dashboard.snapshot(null, null));
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png",
                Path.of("target", "stage-shots", "dashboard-translation-zh.png").toFile());
    }
}
