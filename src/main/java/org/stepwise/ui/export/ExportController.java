package org.stepwise.ui.export;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import java.util.prefs.Preferences;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.concurrent.Task;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Group;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.image.WritableImage;
import javafx.scene.input.ContextMenuEvent;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Window;

import org.stepwise.files.NpyFile;
import org.stepwise.files.TensorCsv;
import org.stepwise.model.io.TraceFile;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.viz.HeatmapView;

/**
 * Exports what the window shows: the stage panel as a PNG at 1× or 2× under a title, any tensor of the stage as CSV
 * or {@code .npy}, the whole trace of the sentence as {@code .safetensors}, and a worksheet page as PNG. Offers them
 * in a File → Export submenu and in a context menu on the stage panel (a right-clicked heatmap offers its own
 * tensor). Pictures are taken on the FX thread; files are written on a background thread with a progress bar,
 * all-or-nothing; a failure is shown in a dialog in the user's language. Every method is called on the FX thread.
 */
public final class ExportController {

    /** A file format a tensor is exported in. */
    public enum TensorFormat {
        CSV("csv", "export.kind.csv"),
        NPY("npy", "export.kind.npy");

        private final String extension;
        private final String kindKey;

        TensorFormat(String extension, String kindKey) {
            this.extension = extension;
            this.kindKey = kindKey;
        }

        /** The file extension without its dot. */
        public String extension() {
            return extension;
        }
    }

    private final ResourceBundle messages;
    private final Supplier<StageContext> context;
    private final Supplier<Node> panel;
    private final Supplier<Window> owner;
    private final ReadOnlyBooleanWrapper writing = new ReadOnlyBooleanWrapper(this, "writing", false);
    private final Label progressText = new Label();
    private final HBox progressBox;
    private final Menu menu = new Menu();
    private SaveChooser chooser;
    /** The letter of the heatmap last right-clicked, offered by File → Export while the stage still has it. */
    private String lastClickedLetter;
    private Alert shownFailure;

    /**
     * @param messages the bundle of the visible strings
     * @param context  the stage on screen with its sentence, trace and selections (null before the first one)
     * @param panel    the node of the stage panel on screen (null when none is)
     * @param owner    the window dialogs belong to
     * @param chooser  asks for the file to write
     */
    public ExportController(ResourceBundle messages, Supplier<StageContext> context, Supplier<Node> panel,
            Supplier<Window> owner, SaveChooser chooser) {
        if (messages == null || context == null || panel == null || owner == null || chooser == null) {
            throw new IllegalArgumentException("messages, context, panel, owner and chooser are required");
        }
        this.messages = messages;
        this.context = context;
        this.panel = panel;
        this.owner = owner;
        this.chooser = chooser;

        ProgressBar bar = new ProgressBar(ProgressBar.INDETERMINATE_PROGRESS);
        bar.setId("export-progress");
        bar.setPrefWidth(120);
        progressText.setId("export-progress-text");
        progressBox = new HBox(8, progressText, bar);
        progressBox.setAlignment(Pos.CENTER_RIGHT);
        progressBox.setMinWidth(Region.USE_PREF_SIZE);
        progressBox.visibleProperty().bind(writing.getReadOnlyProperty());
        progressBox.managedProperty().bind(writing.getReadOnlyProperty());
        buildMenu();
    }

    /**
     * The exporter of a main window: it exports the panel in the window's stage host ({@code #stage-host} under
     * {@code root}), opens its context menu there, and remembers the last folder in {@code store}.
     *
     * @throws IllegalArgumentException when {@code root} has no stage host
     */
    public static ExportController forWindow(ResourceBundle messages, VisualizerViewModel viewModel, Parent root,
            Supplier<Window> owner, Preferences store) {
        if (!(root.lookup("#stage-host") instanceof Pane host)) {
            throw new IllegalArgumentException("the window has no stage host (#stage-host) to export from");
        }
        // Panels shown before stay in the host, hidden: the one on screen is the visible one.
        Supplier<Node> shownPanel = () -> host.getChildren().stream().filter(Node::isVisible).findFirst().orElse(null);
        ExportController exporter = new ExportController(messages, viewModel.contextProperty()::get, shownPanel, owner,
                new DialogSaveChooser(store));
        exporter.installOn(host);
        return exporter;
    }

    /** Replaces the file chooser (a test answers with paths of its own instead of a native dialog). */
    public void setChooser(SaveChooser replacement) {
        if (replacement == null) {
            throw new IllegalArgumentException("a chooser is required");
        }
        this.chooser = replacement;
    }

    /** The File → Export submenu. */
    public Menu menu() {
        return menu;
    }

    /** Puts the Export submenu into the bar's File menu ({@code #menu-file}) in a group of its own above its last separator. */
    public void addTo(MenuBar bar) {
        for (Menu candidate : bar.getMenus()) {
            if ("menu-file".equals(candidate.getId())) {
                List<MenuItem> items = candidate.getItems();
                int at = items.size();
                for (int i = items.size() - 1; i >= 0; i--) {
                    if (items.get(i) instanceof SeparatorMenuItem) {
                        at = i;
                        break;
                    }
                }
                items.add(at, menu);
                items.add(at, new SeparatorMenuItem());
                return;
            }
        }
        throw new IllegalArgumentException("the menu bar has no File menu (#menu-file) to add Export to");
    }

    /** Opens the export context menu when the stage panel inside {@code host} is right-clicked. */
    public void installOn(Node host) {
        host.addEventHandler(ContextMenuEvent.CONTEXT_MENU_REQUESTED, event -> {
            ContextMenu popup = contextMenu(heatmapLetter(event.getPickResult().getIntersectedNode()));
            popup.show(host, event.getScreenX(), event.getScreenY());
            event.consume();
        });
    }

    /** The progress caption and bar; visible only while a file is written. */
    public Node progressNode() {
        return progressBox;
    }

    /** True while a file is written. */
    public ReadOnlyBooleanProperty writingProperty() {
        return writing.getReadOnlyProperty();
    }

    /** The dialog of the last failed export while it is open, else null. */
    public Alert shownFailure() {
        return shownFailure != null && shownFailure.isShowing() ? shownFailure : null;
    }

    /**
     * The context menu for a right-click on the stage panel: the clicked heatmap's tensor (when {@code letter}
     * names one of the stage's) as CSV and .npy, else submenus of every tensor of the stage; then the panel as PNG
     * and the worksheet page.
     */
    public ContextMenu contextMenu(String letter) {
        ContextMenu popup = new ContextMenu();
        popup.setId("export-context-menu");
        StageTensor clicked = tensorWithLetter(letter);
        if (clicked != null) {
            lastClickedLetter = letter;
            popup.getItems().add(item("export-context-csv", I18n.format(messages, "export.context.tensorCsv", letter),
                    () -> exportTensor(clicked, TensorFormat.CSV)));
            popup.getItems().add(item("export-context-npy", I18n.format(messages, "export.context.tensorNpy", letter),
                    () -> exportTensor(clicked, TensorFormat.NPY)));
        } else {
            popup.getItems().add(tensorSubmenu("export-context-any-csv", "export.context.anyCsv", TensorFormat.CSV));
            popup.getItems().add(tensorSubmenu("export-context-any-npy", "export.context.anyNpy", TensorFormat.NPY));
        }
        popup.getItems().addAll(new SeparatorMenuItem(),
                item("export-context-panel-1x", messages.getString("export.context.panel1x"), () -> exportPanel(1)),
                item("export-context-panel-2x", messages.getString("export.context.panel2x"), () -> exportPanel(2)),
                item("export-context-worksheet", messages.getString("export.context.worksheet"), this::exportWorksheet));
        return popup;
    }

    /**
     * The tensor File → Export writes: the one of the heatmap with a pinned cell, else the one last right-clicked,
     * else the stage's first output, else its first tensor; null when the stage shows none.
     */
    public StageTensor selectedTensor() {
        List<StageTensor> tensors = TensorTable.tensorsOf(context.get());
        if (tensors.isEmpty()) {
            return null;
        }
        Node shown = panel.get();
        List<HeatmapView> heatmaps = new ArrayList<>();
        if (shown != null) {
            collectHeatmaps(shown, heatmaps);
        }
        for (HeatmapView heatmap : heatmaps) {
            if (heatmap.isVisible() && heatmap.pinnedCellProperty().get() != null) {
                StageTensor pinned = tensorWithLetter(letterOf(heatmap));
                if (pinned != null) {
                    return pinned;
                }
            }
        }
        StageTensor clicked = tensorWithLetter(lastClickedLetter);
        if (clicked != null) {
            return clicked;
        }
        for (StageTensor tensor : tensors) {
            if (tensor.role() == StageTensor.Role.OUTPUT) {
                return tensor;
            }
        }
        return tensors.get(0);
    }

    /** Asks for a file and writes the panel on screen there as PNG at {@code scale} (1 or 2); null when none is chosen. */
    public Task<Path> exportPanel(double scale) {
        StageContext shown = context.get();
        Node node = panel.get();
        if (shown == null || node == null) {
            return nothingToExport();
        }
        String suffix = scale == 1 ? "" : "@" + (int) scale + "x";
        Path file = choose(messages.getString("export.chooser.panel"), stemOf(shown) + suffix + ".png", "export.kind.png", "png");
        if (file == null) {
            return null;
        }
        try {
            BufferedImage picture = PanelImage.toBuffered(titled(shown, node, scale));
            return write(file, () -> PanelImage.writePng(file, picture));
        } catch (IllegalArgumentException | IllegalStateException cannot) {
            showFailure(file, cannot);
            return null;
        }
    }

    /** Asks for a file and writes the selected tensor there (see {@link #selectedTensor()}); null when none is chosen. */
    public Task<Path> exportSelectedTensor(TensorFormat format) {
        StageTensor tensor = selectedTensor();
        return tensor == null ? nothingToExport() : exportTensor(tensor, format);
    }

    /** Asks for a file and writes every number of {@code tensor} there as CSV or .npy; null when none is chosen. */
    public Task<Path> exportTensor(StageTensor tensor, TensorFormat format) {
        StageContext shown = context.get();
        if (shown == null || shown.run() == null) {
            return nothingToExport();
        }
        Path file = choose(I18n.format(messages, "export.chooser.tensor", tensor.letter()),
                TensorTable.fileStem(shown, tensor) + "." + format.extension, format.kindKey, format.extension);
        if (file == null) {
            return null;
        }
        return write(file, () -> {
            TensorTable table = TensorTable.of(shown, tensor);
            int rows = table.matrix().numRows;
            int columns = table.matrix().numCols;
            if (format == TensorFormat.CSV) {
                TensorCsv.write(file, table.letter(), table.columnLabels(), table.rowLabels(), table.matrix().data);
            } else {
                NpyFile.write(file, rows, columns, table.matrix().data);
            }
        });
    }

    /** Asks for a file and writes the whole trace of the sentence there as .safetensors; null when none is chosen. */
    public Task<Path> exportTrace() {
        StageContext shown = context.get();
        SentenceTrace run = shown == null ? null : shown.run();
        if (run == null) {
            return nothingToExport();
        }
        Path file = choose(messages.getString("export.chooser.trace"), TensorTable.safe(shown.model().name()) + "-trace.safetensors",
                "export.kind.safetensors", "safetensors");
        if (file == null) {
            return null;
        }
        return write(file, () -> TraceFile.write(file, run.trace(), run.ids()));
    }

    /** Asks for a file and writes a worksheet page of the stage on screen there as PNG; null when none is chosen. */
    public Task<Path> exportWorksheet() {
        StageContext shown = context.get();
        Node node = panel.get();
        if (shown == null || shown.run() == null || node == null) {
            return nothingToExport();
        }
        Path file = choose(messages.getString("export.chooser.worksheet"), "worksheet-" + stemOf(shown) + ".png", "export.kind.png", "png");
        if (file == null) {
            return null;
        }
        try {
            Node copy = PanelCopy.of(shown, node);
            WritableImage picture;
            try {
                picture = PanelImage.snapshot(copy, 2);
            } catch (IllegalArgumentException tooLargeAtTwice) {
                picture = PanelImage.snapshot(copy, 1);
            }
            BufferedImage page = PanelImage.toBuffered(WorksheetPage.render(shown, picture));
            return write(file, () -> PanelImage.writePng(file, page));
        } catch (IllegalArgumentException | IllegalStateException cannot) {
            showFailure(file, cannot);
            return null;
        }
    }

    /** The panel's picture at {@code scale} under its title lines (stage, block and head; sentence and model). */
    static WritableImage titled(StageContext shown, Node node, double scale) {
        WritableImage body = PanelImage.snapshot(PanelCopy.of(shown, node), scale);
        Label title = new Label(ExportTitles.stageLine(shown));
        title.getStyleClass().add("export-header-title");
        Label subtitle = new Label(ExportTitles.sentenceLine(shown));
        subtitle.getStyleClass().add("export-header-subtitle");
        for (Label label : List.of(title, subtitle)) {
            label.setWrapText(true);
            label.setMinHeight(Region.USE_PREF_SIZE);
        }
        VBox header = new VBox(4, title, subtitle);
        header.getStyleClass().add("export-header");
        double width = Math.ceil(body.getWidth() / scale);
        header.setMinWidth(width);
        header.setPrefWidth(width);
        header.setMaxWidth(width);
        Scene scene = new Scene(new Group(header));   // sized as the header wants
        scene.getStylesheets().add(WorksheetPage.STYLESHEET);
        WritableImage top = PanelImage.snapshot(header, scale);
        return PanelImage.stack(List.of(top, body), 0, 0);
    }

    private static String stemOf(StageContext shown) {
        return TensorTable.stageStem(shown);
    }

    private Path choose(String title, String suggestedName, String kindKey, String extension) {
        return chooser.choose(owner.get(), title, suggestedName, messages.getString(kindKey), extension);
    }

    /** Something that writes a file and may fail. */
    @FunctionalInterface
    private interface Writing {
        void run() throws Exception;
    }

    /** Writes {@code file} on a background thread with the progress bar shown; a failure opens the dialog. */
    private Task<Path> write(Path file, Writing work) {
        Task<Path> task = new Task<>() {
            @Override
            protected Path call() throws Exception {
                work.run();
                return file;
            }
        };
        task.setOnSucceeded(event -> writing.set(false));
        task.setOnFailed(event -> {
            writing.set(false);
            showFailure(file, task.getException());
        });
        progressText.setText(I18n.format(messages, "export.progress", file.getFileName()));
        writing.set(true);
        Thread thread = new Thread(task, "export");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private Task<Path> nothingToExport() {
        Alert alert = new Alert(Alert.AlertType.INFORMATION, messages.getString("export.nothing"));
        alert.setTitle(messages.getString("export.failed.title"));
        alert.setHeaderText(null);
        show(alert);
        return null;
    }

    private void showFailure(Path file, Throwable problem) {
        String message = problem.getMessage() != null ? problem.getMessage() : problem.toString();
        Alert alert = new Alert(Alert.AlertType.ERROR, message);
        alert.setTitle(messages.getString("export.failed.title"));
        alert.setHeaderText(I18n.format(messages, "export.failed.header", file.getFileName()));
        show(alert);
    }

    private void show(Alert alert) {
        alert.getDialogPane().setId("export-failure");
        Window window = owner.get();
        if (window != null) {
            alert.initOwner(window);
        }
        shownFailure = alert;
        alert.show();
    }

    private void buildMenu() {
        menu.setText(messages.getString("menu.export"));
        menu.setId("menu-export");
        menu.getItems().addAll(
                item("menu-export-panel-1x", messages.getString("menu.export.panel1x"), () -> exportPanel(1)),
                item("menu-export-panel-2x", messages.getString("menu.export.panel2x"), () -> exportPanel(2)),
                new SeparatorMenuItem(),
                item("menu-export-tensor-csv", messages.getString("menu.export.tensorCsv"),
                        () -> exportSelectedTensor(TensorFormat.CSV)),
                item("menu-export-tensor-npy", messages.getString("menu.export.tensorNpy"),
                        () -> exportSelectedTensor(TensorFormat.NPY)),
                item("menu-export-trace", messages.getString("menu.export.trace"), this::exportTrace),
                new SeparatorMenuItem(),
                item("menu-export-worksheet", messages.getString("menu.export.worksheet"), this::exportWorksheet));
    }

    private Menu tensorSubmenu(String id, String textKey, TensorFormat format) {
        Menu submenu = new Menu(messages.getString(textKey));
        submenu.setId(id);
        List<StageTensor> tensors = TensorTable.tensorsOf(context.get());
        for (StageTensor tensor : tensors) {
            MenuItem entry = item(null, tensor.letter() + "  " + tensor.shapeText(), () -> exportTensor(tensor, format));
            entry.setMnemonicParsing(false);
            submenu.getItems().add(entry);
        }
        submenu.setDisable(tensors.isEmpty());
        return submenu;
    }

    private static MenuItem item(String id, String text, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setMnemonicParsing(false);
        item.setOnAction(event -> action.run());
        return item;
    }

    /** The stage's tensor the formula calls {@code letter}, or null when there is none or no letter. */
    private StageTensor tensorWithLetter(String letter) {
        if (letter == null) {
            return null;
        }
        for (StageTensor tensor : TensorTable.tensorsOf(context.get())) {
            if (tensor.letter().equals(letter)) {
                return tensor;
            }
        }
        return null;
    }

    /** The letter of the heatmap {@code node} is part of (the general panel keeps it as the heatmap's user data). */
    private static String heatmapLetter(Node node) {
        for (Node at = node; at != null; at = at.getParent()) {
            if (at instanceof HeatmapView heatmap) {
                return letterOf(heatmap);
            }
        }
        return null;
    }

    private static String letterOf(HeatmapView heatmap) {
        return heatmap.getUserData() instanceof String letter ? letter : null;
    }

    private static void collectHeatmaps(Node node, List<HeatmapView> into) {
        if (node instanceof HeatmapView heatmap) {
            into.add(heatmap);
            return;
        }
        if (node instanceof ScrollPane scroll && scroll.getContent() != null) {
            collectHeatmaps(scroll.getContent(), into);
        }
        if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                collectHeatmaps(child, into);
            }
        }
    }
}
