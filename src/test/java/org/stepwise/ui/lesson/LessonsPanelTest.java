package org.stepwise.ui.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.event.Event;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.DefaultModel;
import org.stepwise.app.TranslationModel;
import org.stepwise.lesson.Directive;
import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonLibrary;
import org.stepwise.lesson.LessonParser;
import org.stepwise.lesson.LessonStep;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.translate.TranslationScreen;

/**
 * The lessons panel in the real window on the bundled model: plays lesson 5 from its first step to its
 * last, checks that every step's actions took effect and answers every question with the value read
 * from the trace on screen.
 */
@ExtendWith(ApplicationExtension.class)
class LessonsPanelTest {

    private static final Path SHOTS = Path.of("target", "stage-shots");
    private static final Path LESSON_SHOTS = Path.of("target", "lesson-shots");
    private static final Path LESSON_5 = Path.of("lessons", "en", "05-one-attention-head.md");
    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);

    private Stage stage;
    private VisualizerViewModel viewModel;
    private MainWindow window;
    private LessonPlayer player;
    private LessonsPanel panel;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        this.stage = stage;
    }

    @AfterEach
    void close() {
        if (viewModel != null) {
            viewModel.close();
        }
    }

    private void open(FxRobot robot, List<LessonLibrary.Entry> items) throws Exception {
        LoadedModel model = DefaultModel.load();
        robot.interact(() -> {
            viewModel = new VisualizerViewModel(model, ENGLISH, "Hello");
            window = new MainWindow(viewModel, ENGLISH);
            WindowLessonHost host = new WindowLessonHost(viewModel, null, window.root(), () -> model);
            player = new LessonPlayer(host);
            panel = new LessonsPanel(ENGLISH, host, player);
            panel.installKeys(window.root());
            window.addLessons(panel);
            window.lessonsToggle().setSelected(true);
            panel.setEntries(items);
            Scene scene = new Scene(window.root(), 1280, 800);
            scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
            window.root().requestFocus();
        });
        awaitSettled();
    }

    /** Waits until every action of the shown step ran and the trace of the sentence on screen is computed. */
    private void awaitSettled() throws TimeoutException {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> (player.lessonProperty().get() == null
                || player.stepSettled() || !player.errorProperty().get().isEmpty())
                && !viewModel.busyProperty().get() && viewModel.contextProperty().get() != null
                && viewModel.preparedProperty().get().text().equals(viewModel.sentenceProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void press(FxRobot robot, KeyCode code) {
        robot.interact(() -> Event.fireEvent(window.root(),
                new KeyEvent(KeyEvent.KEY_PRESSED, "", "", code, false, false, false, false)));
    }

    @Test
    void playsLessonFiveFromStartToEndAnsweringItsQuestionsFromTheTrace(FxRobot robot) throws Exception {
        Lesson lesson = LessonParser.parse(LESSON_5);
        open(robot, List.of(new LessonLibrary.Entry(LESSON_5.getFileName().toString(), lesson, null)));
        Files.createDirectories(SHOTS);
        robot.clickOn(robot.lookup("#lesson-list .list-cell").nth(0).queryAs(Node.class));
        awaitSettled();
        assertEquals(lesson, player.lessonProperty().get(), "a click on the list opens the lesson");

        String sentence = null;
        org.stepwise.pipeline.Stage shownStage = null;
        int answered = 0;
        for (int index = 0; index < lesson.steps().size(); index++) {
            awaitSettled();
            LessonStep step = lesson.step(index);
            assertEquals("", player.errorProperty().get(), "step " + (index + 1) + " acted without error");
            assertEquals(index, player.stepIndexProperty().get());
            assertEquals(step.title(), text(robot, "lesson-step-title"));
            assertEquals("step " + (index + 1) + " of " + lesson.steps().size(), text(robot, "lesson-progress"));
            for (Directive directive : step.directives()) {
                if (directive instanceof Directive.SetSentence set) {
                    sentence = set.text();
                } else if (directive instanceof Directive.GoToStage go) {
                    shownStage = go.stage();
                    if (go.selectsHead()) {
                        assertEquals(lastHead(step), viewModel.headProperty().get(), "head of step " + (index + 1));
                    }
                }
            }
            assertEquals(sentence, viewModel.sentenceProperty().get(), "sentence of step " + (index + 1));
            assertEquals(shownStage, viewModel.stageProperty().get(), "stage of step " + (index + 1));
            int selected = lastSelection(step);
            if (selected != Integer.MIN_VALUE) {
                assertEquals(selected, viewModel.selectedTokenProperty().get(), "selection of step " + (index + 1));
            }
            List<LessonsPanel.QuestionBox> boxes = panel.questions();
            assertEquals(step.directives().stream().filter(d -> d instanceof Directive.Question).count(), boxes.size());
            for (int q = 0; q < boxes.size(); q++) {
                answer(robot, boxes.get(q), q);
                answered++;
            }
            writeShot(window.root(), String.format("lesson-05-step-%02d", index + 1));
            if (index == 1) {
                checkSpaceStillStepsTheModel(robot);
            }
            if (index + 1 < lesson.steps().size()) {
                int nextIndex = index + 1;
                robot.interact(() -> {
                    Event.fireEvent(window.root(),
                            new KeyEvent(KeyEvent.KEY_PRESSED, "", "", KeyCode.PAGE_DOWN, false, false, false, false));
                    assertEquals(lesson.step(nextIndex).title(), text(robot, "lesson-step-title"),
                            "the text of the next step is shown at once");
                    assertEquals(0, player.actionsDoneProperty().get(), "its actions wait for the pause");
                });
            } else {
                press(robot, KeyCode.PAGE_DOWN);
            }
        }
        awaitSettled();
        assertEquals(lesson.steps().size() - 1, player.stepIndexProperty().get(), "Page Down stops at the last step");
        assertTrue(answered >= 2, "lesson 5 asks questions");
        assertEquals(lesson.steps().size(), player.stepsSeen(lesson.id()));

        press(robot, KeyCode.PAGE_UP);
        awaitSettled();
        assertEquals(lesson.steps().size() - 2, player.stepIndexProperty().get());
        robot.clickOn("#lesson-previous");
        awaitSettled();
        assertEquals(lesson.steps().size() - 3, player.stepIndexProperty().get());
        @SuppressWarnings("unchecked")
        ComboBox<Integer> jump = robot.lookup("#lesson-jump").queryAs(ComboBox.class);
        robot.interact(() -> jump.setValue(1));
        awaitSettled();
        assertEquals(1, player.stepIndexProperty().get(), "the chooser jumps to any step");
        assertEquals(lesson.step(1).directives().stream().filter(d -> d instanceof Directive.GoToStage)
                .map(d -> ((Directive.GoToStage) d).stage()).reduce((a, b) -> b).orElseThrow(),
                viewModel.stageProperty().get(), "a jump runs the step's actions");

        robot.interact(() -> window.lessonsToggle().setSelected(false));
        assertFalse(panel.isVisible(), "the toggle hides the lessons");
        press(robot, KeyCode.L);
        assertTrue(panel.isVisible() && window.lessonsToggle().isSelected(), "L shows them again");
    }

    @Test
    void theTrainingLessonActsOnTheTrainerAndTheModelItChoosesIsTheOneTrained(FxRobot robot) throws Exception {
        Lesson lesson = LessonParser.parse(Path.of("lessons", "en", "10-training.md"));
        LoadedModel model = DefaultModel.load();
        Corpus english = Corpus.english();
        TrainingViewModel[] training = new TrainingViewModel[1];
        robot.interact(() -> {
            viewModel = new VisualizerViewModel(model, ENGLISH, "Hello");
            window = new MainWindow(viewModel, ENGLISH);
            training[0] = new TrainingViewModel(ENGLISH);
            training[0].train(model, english, TrainingSettings.defaults());
            window.root().setRight(new TrainingDashboard(ENGLISH, training[0]));
            WindowLessonHost host = new WindowLessonHost(viewModel, training[0], window.root(), () -> model);
            player = new LessonPlayer(host);
            panel = new LessonsPanel(ENGLISH, host, player);
            window.addLessons(panel);
            window.lessonsToggle().setSelected(true);
            stage.setScene(new Scene(window.root(), 1280, 800));
            stage.show();
            player.open(lesson);
        });
        try {
            awaitSettled();
            assertEquals("", player.errorProperty().get());
            LoadedModel chosen = viewModel.modelProperty().get();
            assertTrue(chosen != model && chosen.name().endsWith("-variant"), chosen.name());
            assertTrue(training[0].modelProperty().get() == chosen, "the trainer trains the model the lesson chose");
            robot.interact(() -> player.next());
            awaitSettled();
            assertEquals("", player.errorProperty().get());
            assertEquals(8, training[0].settings().batchSize());
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> training[0].snapshotProperty().get() != null
                    && training[0].snapshotProperty().get().iteration() >= 1);
            assertFalse(training[0].isRunning(), "@train step trains one iteration and stays paused");
        } finally {
            robot.interact(() -> training[0].close());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"en", "zh"})
    void everyStepOfEveryLessonActsWithoutError(String language, FxRobot robot) throws Exception {
        List<LessonLibrary.Entry> entries = LessonLibrary.load(Path.of("lessons"), Locale.forLanguageTag(language));
        assertEquals(12, entries.size(), "lessons in " + language);
        LoadedModel model = DefaultModel.load();
        Corpus english = Corpus.english();
        TrainingViewModel[] training = new TrainingViewModel[1];
        ResourceBundle messages = I18n.bundle(Locale.forLanguageTag(language));
        boolean shots = Boolean.getBoolean("stepwise.lessonShots");
        BorderPane frame = new BorderPane();
        robot.interact(() -> {
            viewModel = new VisualizerViewModel(model, messages, "Hello");
            window = new MainWindow(viewModel, messages);
            training[0] = new TrainingViewModel(messages);
            training[0].train(model, english, TrainingSettings.defaults());
            TrainingDashboard dashboard = new TrainingDashboard(messages, training[0]);
            dashboard.setPrefWidth(500);
            dashboard.setMinWidth(420);
            window.addTraining(dashboard);      // as the app: hidden while the lessons take its room
            frame.setCenter(window.root());
            WindowLessonHost host = new WindowLessonHost(viewModel, training[0], window.root(), () -> model);
            host.useTranslation(new TranslationScreen(messages, frame, window.root(), dashboard), TranslationModel::load);
            player = new LessonPlayer(host, javafx.util.Duration.millis(20));
            panel = new LessonsPanel(messages, host, player);
            window.addLessons(panel);
            window.lessonsToggle().setSelected(true);
            panel.setEntries(entries);
            Scene scene = new Scene(frame, 1280, 800);   // the headless screen's size
            scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        List<String> problems = new ArrayList<>();
        try {
            for (LessonLibrary.Entry entry : entries) {
                assertTrue(entry.ok(), entry.fileName() + ": " + entry.error());
                robot.interact(() -> player.open(entry.lesson()));
                for (int index = 0; index < entry.lesson().steps().size(); index++) {
                    int step = index;
                    robot.interact(() -> player.goTo(step));
                    awaitSettled();
                    if (shots) {
                        writeShot(frame, String.format("%s/%s-step-%02d", language,
                                entry.fileName().replace(".md", ""), index + 1), LESSON_SHOTS);
                    }
                    if (!player.errorProperty().get().isEmpty()) {
                        problems.add(entry.fileName() + ":" + player.errorLine() + ": " + player.errorProperty().get());
                    }
                }
                robot.interact(() -> training[0].pause());
            }
        } finally {
            robot.interact(() -> training[0].close());
        }
        assertEquals(List.of(), problems);
    }

    /** Space is the window's next stage even with a lesson open; the lesson stays at its step. */
    private void checkSpaceStillStepsTheModel(FxRobot robot) throws TimeoutException {
        int stageBefore = viewModel.stageIndexProperty().get();
        int stepBefore = player.stepIndexProperty().get();
        press(robot, KeyCode.SPACE);
        assertEquals(stageBefore + 1, viewModel.stageIndexProperty().get());
        assertEquals(stepBefore, player.stepIndexProperty().get());
        robot.interact(() -> viewModel.stageIndexProperty().set(stageBefore));
        awaitSettled();
    }

    /**
     * Answers question {@code number} of the step, first wrongly and then with the value read from the
     * trace here, and checks the panel's verdict each time.
     */
    private void answer(FxRobot robot, LessonsPanel.QuestionBox box, int number) throws Exception {
        Directive.Ask ask = box.question().ask();
        SentenceTrace run = viewModel.runProperty().get();
        String right;
        String wrong;
        boolean pick = false;
        if (ask instanceof Directive.Ask.AttendsMost most) {
            int best = 0;
            for (int column = 1; column <= most.token0(); column++) {
                if (run.trace().get(HookKey.of(Hook.PATTERN, most.block0(), most.head0()), most.token0(), column)
                        > run.trace().get(HookKey.of(Hook.PATTERN, most.block0(), most.head0()), most.token0(), best)) {
                    best = column;
                }
            }
            right = String.valueOf(best + 1);
            wrong = String.valueOf(best == 0 ? 2 : 1);
            pick = true;
        } else if (ask instanceof Directive.Ask.Shape shape) {
            org.stepwise.pipeline.Stage where = new org.stepwise.pipeline.Stage(shape.stage(), shape.block0());
            StageView view = StageView.of(viewModel.modelProperty().get().config(), where,
                    viewModel.headProperty().get(), run.tokens(), viewModel.samplingProperty().get());
            StageTensor tensor = view.tensors().stream().filter(t -> t.letter().equals(shape.tensor())).findFirst()
                    .orElseThrow(() -> new AssertionError("no tensor " + shape.tensor() + " in " + where));
            right = tensor.rows() + "×" + tensor.columns();
            wrong = tensor.rows() + "×" + (tensor.columns() + 1);
        } else if (ask instanceof Directive.Ask.TokenCount) {
            right = String.valueOf(run.tokens());
            wrong = String.valueOf(run.tokens() + 1);
        } else if (ask instanceof Directive.Ask.Choice choice) {
            right = String.valueOf(choice.correct0() + 1);
            wrong = String.valueOf(choice.correct0() == 0 ? 2 : 1);
            pick = true;
        } else {
            fail("this test does not answer " + ask);
            return;
        }
        String prefix = "#lesson-question-" + number;
        robot.interact(() -> robot.lookup("#lesson-step-scroll").queryAs(javafx.scene.control.ScrollPane.class)
                .setVvalue(1));     // the student scrolls down to the question
        give(robot, prefix, wrong, pick);
        robot.clickOn("#lesson-check-" + number);
        assertTrue(box.verdict().startsWith("Not quite"), box.verdict());
        give(robot, prefix, right, pick);
        robot.clickOn("#lesson-check-" + number);
        assertTrue(box.verdict().startsWith("Right"), right + " is right: " + box.verdict());
    }

    private void give(FxRobot robot, String prefix, String value, boolean pick) {
        if (pick) {
            robot.clickOn(prefix + "-pick-" + value);
        } else {
            robot.interact(() -> robot.lookup(prefix.replace("question", "answer"))
                    .queryAs(javafx.scene.control.TextField.class).setText(value));
        }
    }

    private static int lastHead(LessonStep step) {
        int head = -1;
        for (Directive directive : step.directives()) {
            if (directive instanceof Directive.GoToStage go && go.selectsHead()) {
                head = go.head0();
            }
        }
        return head;
    }

    private static int lastSelection(LessonStep step) {
        int selection = Integer.MIN_VALUE;
        for (Directive directive : step.directives()) {
            if (directive instanceof Directive.SelectToken select) {
                selection = select.token0();
            }
        }
        return selection;
    }

    @Test
    void aBrokenFileIsListedWithItsLineAndTheOtherLessonsStillOpen(FxRobot robot, @TempDir Path lessons)
            throws Exception {
        Path english = Files.createDirectories(lessons.resolve("en"));
        Files.copy(LESSON_5, english.resolve(LESSON_5.getFileName()));
        Files.writeString(english.resolve("04-broken.md"),
                "---\nid: 04-broken\ntitle: Broken\n---\n## One\nText.\n@stage nowhere\n");
        List<LessonLibrary.Entry> entries = LessonLibrary.load(lessons, Locale.ENGLISH);
        assertEquals(2, entries.size());
        Lesson lesson = entries.get(1).lesson();
        open(robot, entries);
        List<String> rows = new ArrayList<>();
        for (Node cell : robot.lookup("#lesson-list .list-cell").queryAll()) {
            String text = ((javafx.scene.control.ListCell<?>) cell).getText();
            if (text != null) {
                rows.add(text);
            }
        }
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.get(0).startsWith("⚠ 04-broken.md, line 7: "), rows.get(0));
        assertTrue(rows.get(1).startsWith(lesson.title()) && rows.get(1).endsWith("0/" + lesson.steps().size()),
                rows.get(1));
        @SuppressWarnings("unchecked")
        ListView<LessonLibrary.Entry> list = robot.lookup("#lesson-list").queryAs(ListView.class);
        robot.interact(() -> list.getSelectionModel().select(0));
        assertEquals(null, player.lessonProperty().get(), "a broken file opens nothing");
        robot.clickOn(robot.lookup("#lesson-list .list-cell").nth(1).queryAs(Node.class));
        awaitSettled();
        assertEquals(lesson, player.lessonProperty().get(), "the other lesson opens");
        robot.interact(() -> list.refresh());
        String seen = ((javafx.scene.control.ListCell<?>) robot.lookup("#lesson-list .list-cell").nth(1)
                .queryAs(Node.class)).getText();
        assertTrue(seen.endsWith("1/" + lesson.steps().size()), "progress counts the step shown: " + seen);
        writeShot(window.root(), "lesson-list-with-broken-file");
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup("#" + id).queryAs(Label.class).getText();
    }

    private static void writeShot(Node node, String name) throws IOException {
        writeShot(node, name, SHOTS);
    }

    /**
     * Writes a PNG of {@code node} as {@code folder/name.png}. The every-step test writes one per lesson step
     * under {@code target/lesson-shots} when run with {@code -Dstepwise.lessonShots=true}, for a reader to look at.
     */
    private static void writeShot(Node node, String name, Path folder) throws IOException {
        Path file = folder.resolve(name + ".png");
        Files.createDirectories(file.getParent());
        var image = WaitForAsyncUtils.asyncFx(() -> node.snapshot(null, null));
        try {
            ImageIO.write(SwingFXUtils.fromFXImage(image.get(), null), "png", file.toFile());
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException(e);
        }
    }
}
