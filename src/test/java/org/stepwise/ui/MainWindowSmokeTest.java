package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import javafx.scene.control.Label;
import javafx.scene.layout.GridPane;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.app.StepwiseApp;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;

/** Opens the real main window headless and checks it shows the default model's real prediction. */
@ExtendWith(ApplicationExtension.class)
class MainWindowSmokeTest {

    private Stage stage;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
        new StepwiseApp().start(stage);
    }

    @Test
    void windowShowsTheModelsOwnNextTokenPrediction(FxRobot robot) throws Exception {
        assertEquals("Stepwise", stage.getTitle());
        GridPane bars = robot.lookup("#predictions").queryAs(GridPane.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !bars.getChildren().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();

        LoadedModel model = DefaultModel.load();
        String sentence = I18n.bundle(Locale.ENGLISH).getString("prediction.defaultSentence");
        int[] ids = model.tokenizer().encode(sentence).ids();
        DMatrixRMaj logits = new Transformer(model.config(), model.parameters()).forward(ids, TraceSink.NONE);
        int best = 0;
        int last = (logits.numRows - 1) * logits.numCols;
        for (int v = 1; v < logits.numCols; v++) {
            if (logits.data[last + v] > logits.data[last + best]) {
                best = v;
            }
        }
        Label firstToken = (Label) bars.getChildren().get(0);
        assertEquals(TokenText.visible(model.tokenizer().token(best)), firstToken.getText());
        assertFalse(robot.lookup("#tokens").queryParent().getChildrenUnmodifiable().isEmpty());
        assertTrue(robot.lookup("#model-summary").queryAs(Label.class).getText().contains("2"));
    }

    @Test
    void typingANewSentenceUpdatesTheTokens(FxRobot robot) throws Exception {
        GridPane bars = robot.lookup("#predictions").queryAs(GridPane.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !bars.getChildren().isEmpty());
        robot.interact(() -> robot.lookup("#sentence").queryTextInputControl().setText("The dog"));
        LoadedModel model = DefaultModel.load();
        int expected = model.tokenizer().encode("The dog").size();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> robot.lookup("#tokens").queryParent().getChildrenUnmodifiable().size() == expected);
        robot.interact(() -> robot.lookup("#sentence").queryTextInputControl().setText(""));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS,
                () -> robot.lookup("#tokens").queryParent().getChildrenUnmodifiable().isEmpty());
        String status = robot.lookup("#status").queryAs(Label.class).getText();
        assertEquals(I18n.bundle(Locale.ENGLISH).getString("status.emptySentence"), status);
    }
}
