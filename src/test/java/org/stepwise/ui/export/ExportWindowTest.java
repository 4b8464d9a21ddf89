package org.stepwise.ui.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import javax.imageio.ImageIO;

import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import javafx.scene.control.DialogPane;
import javafx.stage.Stage;

import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import org.stepwise.app.StepwiseApp;
import org.stepwise.files.NpyFile;
import org.stepwise.model.HookKey;
import org.stepwise.model.io.Safetensors;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.stage.StageContext;

/**
 * Exports of the real window, headless, with the save dialog replaced by a chooser answering with files of a
 * temporary folder: a panel at 1× and 2× (twice the pixels, not blank), tensors as CSV and .npy read back number by
 * number against the trace and the weights, the whole trace as .safetensors, a worksheet page of A4 size, and a
 * failing write shown in a dialog.
 */
@ExtendWith(ApplicationExtension.class)
class ExportWindowTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final String PREFERENCES = "/org/stepwise/export-window-test";
    /** Where exported pictures are kept for a reader to look at. */
    private static final Path SHOTS = Path.of("target", "export-shots");

    @TempDir
    Path folder;

    private StepwiseApp app;
    /** The file the chooser answers with next. */
    private Path answer;
    /** The names the chooser was offered, in order. */
    private final List<String> suggested = new ArrayList<>();

    @Start
    void start(Stage stage) throws Exception {
        Locale.setDefault(Locale.ENGLISH);
        Preferences node = Preferences.userRoot().node(PREFERENCES);
        node.clear();
        app = new StepwiseApp();
        app.usePreferences(node);
        app.start(stage);
        app.exporter().setChooser((owner, title, name, kind, extension) -> {
            suggested.add(name);
            return answer;
        });
    }

    @AfterEach
    void stop() throws BackingStoreException {
        app.stop();
        Preferences.userRoot().node(PREFERENCES).removeNode();
    }

    /** Waits for the start model and its trace, then freezes the numbers so training does not change them. */
    private VisualizerViewModel ready(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = app.viewModel();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> viewModel.runProperty().get() != null);
        robot.interact(() -> viewModel.frozenProperty().set(true));
        WaitForAsyncUtils.waitForFxEvents();
        return viewModel;
    }

    private void openStage(FxRobot robot, VisualizerViewModel viewModel, org.stepwise.pipeline.Stage.Kind kind, int block)
            throws Exception {
        robot.interact(() -> viewModel.openStage(block < 0 ? org.stepwise.pipeline.Stage.of(kind)
                : org.stepwise.pipeline.Stage.of(kind, block), 1));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> viewModel.contextProperty().get() != null
                && viewModel.contextProperty().get().stage().kind() == kind && viewModel.contextProperty().get().run() != null);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Path finished(Task<Path> task) throws Exception {
        assertNotNull(task, "the export started");
        assertEquals(Worker.State.SUCCEEDED, done(task), () -> String.valueOf(task.getException()));
        return WaitForAsyncUtils.asyncFx(task::getValue).get();
    }

    /** Waits for {@code task} to end and says how it ended. */
    private static Worker.State done(Task<Path> task) throws Exception {
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, task::isDone);
        WaitForAsyncUtils.waitForFxEvents();
        return WaitForAsyncUtils.asyncFx(task::getState).get();
    }

    /**
     * Asks for the context menu of {@code node} as a right-click on its centre does, by firing the context-menu
     * event there, so the test does not depend on how the headless platform turns clicks into such events.
     */
    private static void rightClick(FxRobot robot, javafx.scene.Node node) {
        robot.interact(() -> {
            javafx.geometry.Bounds bounds = node.getLayoutBounds();
            double x = bounds.getCenterX();
            double y = bounds.getCenterY();
            javafx.geometry.Point2D inScene = node.localToScene(x, y);
            javafx.geometry.Point2D onScreen = node.localToScreen(x, y);
            javafx.event.Event.fireEvent(node, new javafx.scene.input.ContextMenuEvent(
                    javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, inScene.getX(), inScene.getY(),
                    onScreen.getX(), onScreen.getY(), false, new javafx.scene.input.PickResult(node, x, y)));
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Clicks the shown menu item, button or label with exactly {@code text}, in whichever window shows it. */
    private static void clickText(FxRobot robot, String text) throws Exception {
        javafx.scene.Node shown = WaitForAsyncUtils.asyncFx(() -> {
            for (javafx.stage.Window window : javafx.stage.Window.getWindows()) {
                if (!window.isShowing() || window.getScene() == null) {
                    continue;
                }
                java.util.Optional<javafx.scene.Node> found = robot.from(window.getScene().getRoot())
                        .lookup((javafx.scene.Node node) -> node instanceof javafx.scene.control.Labeled labeled
                                && text.equals(labeled.getText()) && node.isVisible())
                        .tryQuery();
                if (found.isPresent()) {
                    return found.get();
                }
            }
            return null;
        }).get();
        assertNotNull(shown, "nothing shown reads " + text);
        robot.clickOn(shown);
    }

    @Test
    void aPanelExportedAt2xHasTwiceThePixelsOfThe1xOneAndShowsThePanel(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = ready(robot);
        openStage(robot, viewModel, org.stepwise.pipeline.Stage.Kind.QKV, 0);
        answer = folder.resolve("panel.png");
        Path single = finished(WaitForAsyncUtils.asyncFx(() -> app.exporter().exportPanel(1)).get());
        answer = folder.resolve("panel@2x.png");
        Path twice = finished(WaitForAsyncUtils.asyncFx(() -> app.exporter().exportPanel(2)).get());
        assertEquals(List.of("block1-qkv-head2.png", "block1-qkv-head2@2x.png"), suggested);

        BufferedImage small = ImageIO.read(single.toFile());
        BufferedImage large = ImageIO.read(twice.toFile());
        assertEquals(2 * small.getWidth(), large.getWidth());
        assertEquals(2 * small.getHeight(), large.getHeight());
        assertTrue(small.getWidth() > 300 && small.getHeight() > 200, small.getWidth() + "×" + small.getHeight());
        keep(single, "panel-qkv.png");
        keep(twice, "panel-qkv@2x.png");
        assertNotBlank(small);
        assertNotBlank(large);
        assertEquals(0xffffffff, small.getRGB(0, 0), "the picture is on white");

        // A special panel (the attention pattern's tabs) is exported whole as well.
        openStage(robot, viewModel, org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 0);
        answer = folder.resolve("attention.png");
        BufferedImage attention = ImageIO.read(
                finished(WaitForAsyncUtils.asyncFx(() -> app.exporter().exportPanel(1)).get()).toFile());
        keep(answer, "panel-attention.png");
        assertNotBlank(attention);
    }

    @Test
    void aRightClickedHeatmapIsExportedAsCsvAndNpyWithEveryNumberOfTheTrace(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = ready(robot);
        openStage(robot, viewModel, org.stepwise.pipeline.Stage.Kind.SCORES, 0);
        StageContext scores = viewModel.contextProperty().get();
        SentenceTrace run = scores.run();

        // The stage's first input (the first heatmap, on screen) as CSV, from a right-click on it.
        StageTensor input = TensorTable.tensorsOf(scores).get(0);
        assertEquals(StageTensor.Role.INPUT, input.role());
        answer = folder.resolve("input.csv");
        rightClick(robot, robot.lookup(node -> node instanceof org.stepwise.viz.HeatmapView && node.isVisible()
                && input.letter().equals(node.getUserData())).query());
        clickText(robot, I18n.format(ENGLISH, "export.context.tensorCsv", input.letter()));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.exists(answer) && !app.exporter().writingProperty().get());
        DMatrixRMaj expected = run.trace().get(((TensorRef.Hooked) input.ref()).key());  // [T, C]
        List<List<String>> table = readCsv(answer);
        assertEquals(expected.numRows + 1, table.size());
        assertEquals(input.letter(), table.get(0).get(0));
        for (int c = 0; c < expected.numCols; c++) {
            assertEquals(Integer.toString(c), table.get(0).get(c + 1), "column label " + c);
        }
        for (int r = 0; r < expected.numRows; r++) {
            List<String> row = table.get(r + 1);
            assertEquals(expected.numCols + 1, row.size());
            assertEquals(TokenDisplay.of(scores.model().tokenizer(), run.id(r)).text(), row.get(0), "row label " + r);
            for (int c = 0; c < expected.numCols; c++) {
                assertEquals(expected.get(r, c), Double.parseDouble(row.get(c + 1)), 0.0,
                        input.letter() + "[" + r + "," + c + "]");
            }
        }

        // The weight W_Q of the Q, K, V stage, as .npy, from the File menu once its heatmap's context menu was asked for.
        openStage(robot, viewModel, org.stepwise.pipeline.Stage.Kind.QKV, 0);
        StageContext context = viewModel.contextProperty().get();
        robot.interact(() -> app.exporter().contextMenu("W_Q"));
        answer = folder.resolve("w_q.npy");
        Path npy = finished(WaitForAsyncUtils.asyncFx(
                () -> app.exporter().exportSelectedTensor(ExportController.TensorFormat.NPY)).get());
        TensorRef.Weight weight = (TensorRef.Weight) tensor(context, "W_Q").ref();
        DMatrixRMaj whole = context.weights().get(weight.name());                        // [C, 3C] or [C, H·d]
        NpyFile.Array array = NpyFile.read(npy);
        assertArrayEquals(new int[] {whole.numRows, weight.columns()}, array.shape());
        for (int r = 0; r < whole.numRows; r++) {
            for (int c = 0; c < weight.columns(); c++) {
                assertEquals(whole.get(r, weight.firstColumn() + c), array.values()[r * weight.columns() + c], 0.0,
                        "W_Q[" + r + "," + c + "]");
            }
        }

        // The output Q as .npy: every number of the trace's tensor.
        StageTensor q = tensor(context, "Q");
        DMatrixRMaj queries = run.trace().get(((TensorRef.Hooked) q.ref()).key());      // [T, d_head]
        answer = folder.resolve("q.npy");
        Path qNpy = finished(WaitForAsyncUtils.asyncFx(
                () -> app.exporter().exportTensor(q, ExportController.TensorFormat.NPY)).get());
        NpyFile.Array qArray = NpyFile.read(qNpy);
        assertArrayEquals(new int[] {queries.numRows, queries.numCols}, qArray.shape());
        for (int i = 0; i < queries.getNumElements(); i++) {
            assertEquals(queries.data[i], qArray.values()[i], 0.0, "Q value " + i);
        }
    }

    @Test
    void theTraceIsExportedWithEveryHookAndReadBackBySafetensors(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = ready(robot);
        SentenceTrace run = viewModel.contextProperty().get().run();
        answer = folder.resolve("trace.safetensors");
        javafx.scene.control.MenuBar bar = robot.lookup("#menu-bar").queryAs(javafx.scene.control.MenuBar.class);
        assertTrue(bar.getMenus().get(0).getItems().contains(app.exporter().menu()), "File → Export");
        javafx.scene.control.MenuItem traceItem = app.exporter().menu().getItems().stream()
                .filter(item -> "menu-export-trace".equals(item.getId())).findFirst().orElseThrow();
        assertEquals(ENGLISH.getString("menu.export.trace"), traceItem.getText());
        robot.interact(traceItem::fire);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> Files.exists(answer) && !app.exporter().writingProperty().get());
        Safetensors.Contents contents = Safetensors.read(answer);
        assertEquals(run.trace().size() + 1, contents.tensors().size());
        double[] ids = contents.tensors().get("input_ids").values();
        for (int t = 0; t < run.tokens(); t++) {
            assertEquals(run.id(t), ids[t], 0.0);
        }
        for (HookKey key : run.trace().keys()) {
            Safetensors.Tensor tensor = contents.tensors().get(key.name());
            assertNotNull(tensor, key.name());
            DMatrixRMaj expected = run.trace().get(key);
            assertArrayEquals(new int[] {expected.numRows, expected.numCols}, tensor.shape(), key.name());
            for (int i = 0; i < expected.getNumElements(); i++) {
                assertEquals(expected.data[i], tensor.values()[i], 0.0, key.name() + " value " + i);
            }
        }
    }

    @Test
    void aWorksheetPageIsAnA4PictureOfTheStage(FxRobot robot) throws Exception {
        VisualizerViewModel viewModel = ready(robot);
        openStage(robot, viewModel, org.stepwise.pipeline.Stage.Kind.SCORES, 0);
        answer = folder.resolve("worksheet.png");
        Path page = finished(WaitForAsyncUtils.asyncFx(() -> app.exporter().exportWorksheet()).get());
        BufferedImage image = ImageIO.read(page.toFile());
        keep(page, "worksheet-scores.png");
        assertEquals(WorksheetPage.WIDTH, image.getWidth());
        assertEquals(WorksheetPage.HEIGHT, image.getHeight());
        assertNotBlank(image);
        assertEquals(0xffffffff, image.getRGB(5, 5), "white paper");
    }

    @Test
    void aFailedWriteIsShownInADialogAndTheChooserMayDecline(FxRobot robot) throws Exception {
        ready(robot);
        answer = null;
        assertNull(WaitForAsyncUtils.asyncFx(() -> app.exporter().exportTrace()).get(), "no file chosen: nothing written");
        answer = folder.resolve("no-such-folder").resolve("trace.safetensors");
        Task<Path> task = WaitForAsyncUtils.asyncFx(() -> app.exporter().exportTrace()).get();
        assertEquals(Worker.State.FAILED, done(task));
        DialogPane dialog = robot.lookup("#export-failure").queryAs(DialogPane.class);
        assertEquals(I18n.format(ENGLISH, "export.failed.header", "trace.safetensors"), dialog.getHeaderText());
        assertFalse(app.exporter().writingProperty().get());
        assertFalse(Files.exists(answer));
        robot.interact(() -> app.exporter().shownFailure().close());
    }

    private static StageTensor tensor(StageContext context, String letter) {
        for (StageTensor tensor : TensorTable.tensorsOf(context)) {
            if (tensor.letter().equals(letter)) {
                return tensor;
            }
        }
        throw new AssertionError("the stage has no tensor " + letter);
    }

    /** At least a few percent of the pixels are not white, in many colours: the picture shows something. */
    private static void assertNotBlank(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        long inked = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                colours.add(rgb);
                if (rgb != 0xffffffff) {
                    inked++;
                }
            }
        }
        long sampled = (long) ((image.getHeight() + 1) / 2) * ((image.getWidth() + 1) / 2);
        assertTrue(inked > sampled / 50, inked + " of " + sampled + " sampled pixels are not white");
        assertTrue(colours.size() > 50, colours.size() + " colours");
    }

    private static void keep(Path file, String name) throws IOException {
        Files.createDirectories(SHOTS);
        Files.copy(file, SHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static List<List<String>> readCsv(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (ch == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(ch);
            }
        }
        if (!row.isEmpty() || field.length() > 0) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
