package org.stepwise.ui.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.app.TranslationModel;
import org.stepwise.lesson.Answer;
import org.stepwise.lesson.Directive;
import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonParser;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.translate.TranslationScreen;
import org.stepwise.ui.translate.TranslationViewModel;

/**
 * Lesson 12 in the real window: {@code @model translation} swaps in the translation screen with the lessons panel
 * beside it, the model translates the lesson's sentence, the cross-attention stage is shown, the question's answer is
 * the argmax of the cross-attention pattern on screen, {@code @model default} brings the visualizer back, and
 * stepping back puts the translation model back.
 */
@ExtendWith(ApplicationExtension.class)
class EncoderDecoderLessonTest {

    private static final Path LESSON_12 = Path.of("lessons", "en", "12-encoder-decoder.md");
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);

    private Stage stage;
    private VisualizerViewModel viewModel;
    private MainWindow window;
    private LessonPlayer player;
    private LessonsPanel panel;
    private TranslationScreen screen;
    private final BorderPane frame = new BorderPane();
    private TrainingViewModel training;
    private WindowLessonHost host;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
    }

    @AfterEach
    void close(FxRobot robot) {
        robot.interact(() -> {
            if (training != null) {
                training.close();
            }
            if (viewModel != null) {
                viewModel.close();
            }
        });
    }

    private void open(FxRobot robot) throws Exception {
        LoadedModel model = DefaultModel.load();
        Corpus english = Corpus.english();
        robot.interact(() -> {
            viewModel = new VisualizerViewModel(model, ENGLISH, "Hello");
            window = new MainWindow(viewModel, ENGLISH);
            training = new TrainingViewModel(ENGLISH);
            training.train(model, english, TrainingSettings.defaults());
            TrainingDashboard dashboard = new TrainingDashboard(ENGLISH, training);
            dashboard.setPrefWidth(500);
            dashboard.setMinWidth(420);
            window.addTraining(dashboard);
            frame.setCenter(window.root());
            screen = new TranslationScreen(ENGLISH, frame, window.root(), dashboard);
            host = new WindowLessonHost(viewModel, training, window.root(), () -> model);
            host.useTranslation(screen, TranslationModel::load);
            player = new LessonPlayer(host, javafx.util.Duration.millis(20));
            panel = new LessonsPanel(ENGLISH, host, player);
            panel.installKeys(window.root());
            window.addLessons(panel);
            window.lessonsToggle().setSelected(true);
            Scene scene = new Scene(frame, 1280, 800);
            scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
    }

    private void awaitSettled() throws TimeoutException {
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> player.stepSettled()
                || !player.errorProperty().get().isEmpty());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("", player.errorProperty().get(), "step " + (player.stepIndexProperty().get() + 1));
    }

    private void goTo(FxRobot robot, int index) throws TimeoutException {
        robot.interact(() -> player.goTo(index));
        awaitSettled();
    }

    private TranslationViewModel translation() {
        return screen.window().viewModel();
    }

    @Test
    void lessonTwelvePlaysOnTheTranslationModelAndAnswersFromItsCrossAttention(FxRobot robot) throws Exception {
        Lesson lesson = LessonParser.parse(LESSON_12);
        open(robot);
        robot.interact(() -> player.open(lesson));
        awaitSettled();

        assertTrue(screen.isShowing(), "@model translation shows the translation screen");
        assertSame(screen.window().root(), frame.getCenter());
        assertNotNull(screen.window().root().lookup("#lessons-panel"), "the lessons panel moves along");
        assertTrue(panel.isVisible());
        assertEquals("I have three red apples", translation().sourceProperty().get());
        assertEquals("我有三个红色的苹果。", translation().targetProperty().get(), "the model wrote on from 我");
        assertEquals(org.stepwise.pipeline.Stage.ofEncoder(org.stepwise.pipeline.Stage.Kind.TEXT),
                translation().stageProperty().get());

        goTo(robot, 1);
        assertEquals(org.stepwise.pipeline.Stage.ofEncoder(org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 0),
                translation().stageProperty().get());
        assertEquals(2, translation().headProperty().get());
        checkQuestion(robot, 0);

        robot.interact(() -> javafx.event.Event.fireEvent(screen.window().root(), new javafx.scene.input.KeyEvent(
                javafx.scene.input.KeyEvent.KEY_PRESSED, "", "", javafx.scene.input.KeyCode.PAGE_DOWN, false, false,
                false, false)));
        awaitSettled();
        assertEquals(2, player.stepIndexProperty().get(), "Page Down steps the lesson on the translation screen too");
        assertEquals("我有三个红色的苹果。", translation().targetProperty().get());

        goTo(robot, 5);
        org.stepwise.pipeline.Stage cross = org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.CROSS_SOFTMAX, 1);
        assertEquals(cross, translation().stageProperty().get(), "the cross-attention stage is on screen");
        assertEquals(0, translation().headProperty().get());
        assertEquals(2, translation().contextProperty().get().selectedToken());
        assertTrue(screen.window().root().lookup("#stage-host").isVisible());
        assertEquals(List.of("1: i", "2: have", "3: three", "4: red", "5: apples"),
                robot.lookup("#lesson-question-0 .lesson-pick").queryAllAs(javafx.scene.control.ToggleButton.class)
                        .stream().map(javafx.scene.control.ToggleButton::getText).toList(),
                "the question offers the English words");
        Answer.TokenPosition answer = checkQuestion(robot, 0);
        assertEquals("three", answer.text(), "有's row reads three in the bundled model");

        goTo(robot, 6);
        assertFalse(screen.isShowing(), "@model default brings the visualizer back");
        assertSame(window.root(), frame.getCenter());
        assertNotNull(window.root().lookup("#lessons-panel"), "the lessons panel comes back with it");
        assertEquals("The cat sat on the mat", viewModel.sentenceProperty().get());

        goTo(robot, 4);
        assertTrue(screen.isShowing(), "stepping back puts the translation model back");
        assertEquals(org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.CROSS_SCORES, 1),
                translation().stageProperty().get());
        checkQuestion(robot, 0);
    }

    /**
     * Checks question {@code number} of the step: the expected answer is the one read from the pattern on screen,
     * a wrong pick is refused and the right one accepted. Returns the answer of an attends-most question.
     */
    private Answer.TokenPosition checkQuestion(FxRobot robot, int number) throws Exception {
        LessonsPanel.QuestionBox box = panel.questions().get(number);
        Directive.Ask ask = box.question().ask();
        SentenceTrace run = translation().tracedDecoder().run();
        String right;
        String wrong;
        boolean pick;
        Answer.TokenPosition position = null;
        if (ask instanceof Directive.Ask.AttendsMost most) {
            HookKey key = most.cross() ? HookKey.of(Hook.CROSS_PATTERN, most.block0(), most.head0())
                    : HookKey.of(Hook.PATTERN, most.block0(), most.head0()).inEncoder();
            DMatrixRMaj pattern = run.trace().get(key);     // [T, T_src] or [T_src, T_src]
            int best = 0;
            for (int column = 1; column < pattern.numCols; column++) {
                if (pattern.get(most.token0(), column) > pattern.get(most.token0(), best)) {
                    best = column;
                }
            }
            position = (Answer.TokenPosition) box.question().expected(host.questionContext());
            assertEquals(best, position.position0(), "the answer is the argmax of the live pattern");
            right = String.valueOf(best + 1);
            wrong = String.valueOf(best == 0 ? 2 : 1);
            pick = true;
        } else {
            Directive.Ask.Shape shape = (Directive.Ask.Shape) ask;
            assertTrue(shape.stage().crossAttention());
            int sourceTokens = run.source().tokens();
            right = run.tokens() + "×" + sourceTokens;
            wrong = run.tokens() + "×" + run.tokens();
            pick = false;
        }
        robot.interact(() -> robot.lookup("#lesson-step-scroll").queryAs(ScrollPane.class).setVvalue(1));
        give(robot, number, wrong, pick);
        robot.clickOn("#lesson-check-" + number);
        assertTrue(box.verdict().startsWith("Not quite"), box.verdict());
        give(robot, number, right, pick);
        robot.clickOn("#lesson-check-" + number);
        assertTrue(box.verdict().startsWith("Right"), right + " is right: " + box.verdict());
        return position;
    }

    private void give(FxRobot robot, int number, String value, boolean pick) {
        if (pick) {
            Node button = robot.lookup("#lesson-question-" + number + "-pick-" + value).query();
            robot.clickOn(button);
        } else {
            robot.interact(() -> robot.lookup("#lesson-answer-" + number)
                    .queryAs(javafx.scene.control.TextField.class).setText(value));
        }
    }
}
