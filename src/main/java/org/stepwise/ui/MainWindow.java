package org.stepwise.ui;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;

import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import javafx.util.Subscription;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.Stage;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.ui.stage.StagePanels;

/**
 * The visualizer's main window: the sentence field, step buttons, block/head/token selectors, the
 * freeze toggle and the sentence's notices on top; the pipeline strip of every stage on the left; the
 * stage panel in the centre; the explanation of the hovered or pinned number and the status at the
 * bottom. The right side is left free for a training dashboard. Space or → steps on, ← back, Home/End
 * go to the ends and digits 1–9 jump to a block, wherever the focus is except in the sentence field; L
 * shows or hides the lessons panel when the window has one.
 */
public final class MainWindow {

    /** Narrower than this, the window hides the training dashboard when the lessons open beside the strip. */
    public static final double ROOM_FOR_ALL_PANELS = 1700;

    private final VisualizerViewModel viewModel;
    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final TextField sentence = new TextField();
    private final ComboBox<Integer> block = new ComboBox<>();
    private final ComboBox<Integer> head = new ComboBox<>();
    private final ComboBox<Integer> token = new ComboBox<>();
    private final ToggleButton freeze = new ToggleButton();
    private final Label notices = new Label();
    private final VBox strip = new VBox(2);
    private final ScrollPane stripScroll = ScrollPanes.drawnDirectly(new ScrollPane(strip));
    private final List<Label> stageItems = new ArrayList<>();
    private final StackPane centre = new StackPane();
    private final Label explanation = new Label();
    private final Label status = new Label();
    private final Label modelSummary = new Label();
    private final TensorStagePanel generalPanel = new TensorStagePanel();
    private final Map<Stage.Kind, StagePanel> panels = new EnumMap<>(Stage.Kind.class);
    private StagePanel shownPanel;
    private boolean syncing;
    private HBox controls;
    private final ToggleButton lessonsToggle = new ToggleButton();
    private final ToggleButton trainingToggle = new ToggleButton();
    private Node training;
    private Node lessons;
    /** What this window listens to on the view model, let go by {@link #detach}. */
    private final List<Subscription> subscriptions = new ArrayList<>();

    public MainWindow(VisualizerViewModel viewModel, ResourceBundle messages) {
        this.viewModel = viewModel;
        this.messages = messages;
        root.getStyleClass().add("stepwise-root");
        root.setId("main-window");
        root.setTop(toolbar());
        root.setLeft(pipelineStrip());
        centre.setId("stage-host");
        centre.getStyleClass().add("stage-host");
        root.setCenter(centre);
        root.setBottom(bottomBar());
        root.addEventFilter(KeyEvent.KEY_PRESSED, this::onKey);

        listenTo(viewModel.stagesProperty(), this::rebuildStrip);
        listenTo(viewModel.modelProperty(), this::showModel);
        listenTo(viewModel.stageIndexProperty(), this::markCurrentStage);
        listenTo(viewModel.stageProperty(), this::syncBlock);
        listenTo(viewModel.headProperty(), this::syncSelectors);
        listenTo(viewModel.selectedTokenProperty(), this::syncSelectors);
        subscriptions.add(viewModel.preparedProperty().subscribe((before, after) -> showSentence(after)));
        subscriptions.add(viewModel.contextProperty().subscribe((before, after) -> showContext(after)));
        subscriptions.add(viewModel.busyProperty().subscribe(this::showStatus));
        subscriptions.add(viewModel.errorProperty().subscribe(this::showStatus));
        showModel();
        showSentence(viewModel.preparedProperty().get());
        showContext(viewModel.contextProperty().get());
    }

    /** Runs {@code action} on every change of {@code value} until {@link #detach}. */
    private void listenTo(ObservableValue<?> value, Runnable action) {
        subscriptions.add(value.subscribe((before, after) -> action.run()));
    }

    /**
     * Lets go of the view model: this window no longer follows it or writes to it, so a window built anew
     * (e.g. in another language) can take its place. The view model itself is not modified.
     */
    public void detach() {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
        sentence.textProperty().unbindBidirectional(viewModel.sentenceProperty());
        freeze.selectedProperty().unbindBidirectional(viewModel.frozenProperty());
    }

    /** The window's root; its right side is free. */
    public BorderPane root() {
        return root;
    }

    /** The general tensor panel (used for every stage kind without a special panel). */
    public TensorStagePanel generalPanel() {
        return generalPanel;
    }

    private Node toolbar() {
        sentence.setId("sentence");
        sentence.getStyleClass().add("sentence-field");
        sentence.setPromptText(messages.getString("ui.sentencePrompt"));
        sentence.textProperty().bindBidirectional(viewModel.sentenceProperty());
        HBox.setHgrow(sentence, Priority.ALWAYS);

        Button previous = new Button(messages.getString("ui.previous"));
        previous.setId("previous");
        previous.setTooltip(new Tooltip(messages.getString("ui.previous.tooltip")));
        previous.setOnAction(event -> viewModel.previous());
        previous.setFocusTraversable(false);
        Button next = new Button(messages.getString("ui.next"));
        next.setId("next");
        next.setTooltip(new Tooltip(messages.getString("ui.next.tooltip")));
        next.setOnAction(event -> viewModel.next());
        next.setFocusTraversable(false);
        for (Button button : List.of(previous, next)) {
            button.getStyleClass().add("step-button");
        }

        block.setId("block");
        block.setConverter(numbered("ui.block.item", "ui.block.none"));
        block.valueProperty().addListener((observable, before, after) -> {
            if (!syncing && after != null && after >= 0) {
                viewModel.jumpToBlock(after);
            }
        });
        head.setId("head");
        head.setConverter(numbered("ui.head.item", "ui.head.item"));
        head.valueProperty().addListener((observable, before, after) -> {
            if (!syncing && after != null) {
                viewModel.headProperty().set(after);
            }
        });
        token.setId("token");
        token.setConverter(tokenNames());
        token.valueProperty().addListener((observable, before, after) -> {
            if (!syncing && after != null) {
                viewModel.selectToken(after);
            }
        });
        freeze.setId("freeze");
        freeze.setText(messages.getString("ui.freeze"));
        freeze.setTooltip(new Tooltip(messages.getString("ui.freeze.tooltip")));
        freeze.selectedProperty().bindBidirectional(viewModel.frozenProperty());
        freeze.setFocusTraversable(false);
        for (Region control : List.of(previous, next, freeze, block, head, token)) {
            control.setMinWidth(Region.USE_PREF_SIZE);
        }

        controls = new HBox(8, label("ui.sentence", sentence), sentence, previous, next,
                label("ui.block", block), block, label("ui.head", head), head, label("ui.token", token), token, freeze);
        controls.setAlignment(Pos.CENTER_LEFT);
        notices.setId("notices");
        notices.getStyleClass().add("notices");
        notices.setWrapText(true);
        VBox top = new VBox(6, controls, notices);
        top.getStyleClass().add("header");
        return top;
    }

    /**
     * Adds a lessons panel: a toggle at the end of the top bar (and the key L) shows or hides it docked
     * at the left of the pipeline strip. Hidden at first, so the stages keep their room until asked.
     */
    public void addLessons(Node panel) {
        if (panel == null || lessons != null) {
            throw new IllegalArgumentException("the window takes one lessons panel");
        }
        lessons = panel;
        lessonsToggle.setId("lessons-toggle");
        lessonsToggle.setText(messages.getString("lesson.toggle"));
        lessonsToggle.setTooltip(new Tooltip(messages.getString("lesson.toggle.tooltip")));
        lessonsToggle.setFocusTraversable(false);
        lessonsToggle.setMinWidth(Region.USE_PREF_SIZE);
        lessonsToggle.selectedProperty().addListener((observable, before, shown) -> showLessons(shown));
        controls.getChildren().add(lessonsToggle);
        showLessons(false);
    }

    /**
     * Docks the training dashboard at the right of the stage panel, with a toggle at the end of the top bar (and
     * the key T) that shows or hides it. Shown at first.
     */
    public void addTraining(Node dashboard) {
        if (dashboard == null || training != null) {
            throw new IllegalArgumentException("the window takes one training dashboard");
        }
        training = dashboard;
        trainingToggle.setId("training-toggle");
        trainingToggle.setText(messages.getString("training.toggle"));
        trainingToggle.setTooltip(new Tooltip(messages.getString("training.toggle.tooltip")));
        trainingToggle.setFocusTraversable(false);
        trainingToggle.setMinWidth(Region.USE_PREF_SIZE);
        trainingToggle.selectedProperty().addListener((observable, before, shown) -> root.setRight(shown ? training : null));
        int lessonsAt = controls.getChildren().indexOf(lessonsToggle);
        controls.getChildren().add(lessonsAt >= 0 ? lessonsAt : controls.getChildren().size(), trainingToggle);
        trainingToggle.setSelected(true);
        root.setRight(training);
    }

    /** The toggle that shows or hides the training dashboard (not in the top bar before {@link #addTraining}). */
    public ToggleButton trainingToggle() {
        return trainingToggle;
    }

    /** The toggle that shows or hides the lessons (not in the top bar before {@link #addLessons}). */
    public ToggleButton lessonsToggle() {
        return lessonsToggle;
    }

    private void showLessons(boolean shown) {
        lessons.setVisible(shown);
        root.setLeft(shown ? new HBox(lessons, stripScroll) : stripScroll);
        if (shown && training != null && root.getScene() != null && root.getWidth() < ROOM_FOR_ALL_PANELS) {
            // Lessons, strip, stage and dashboard do not fit side by side: the stage keeps its room, and the
            // dashboard comes back with its toggle (or when a lesson step acts on the training).
            trainingToggle.setSelected(false);
        }
    }

    private Label label(String key, Node target) {
        Label label = new Label(messages.getString(key));
        label.getStyleClass().add("toolbar-label");
        label.setLabelFor(target);
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    /** Writes an index as e.g. "Block 3" (counted from 1) and −1 as the none text. */
    private StringConverter<Integer> numbered(String key, String noneKey) {
        return ChoiceText.of(item -> item < 0 ? messages.getString(noneKey) : I18n.format(messages, key, item + 1));
    }

    /** Writes a token position as "2: ␣cat" and −1 as the none text. */
    private StringConverter<Integer> tokenNames() {
        return ChoiceText.of(item -> {
            PreparedSentence prepared = viewModel.preparedProperty().get();
            if (item < 0 || prepared == null || item >= prepared.ids().length) {
                return messages.getString("ui.token.none");
            }
            LoadedModel model = viewModel.modelProperty().get();
            return I18n.format(messages, "ui.token.item", item + 1,
                    TokenDisplay.of(model.tokenizer(), prepared.ids()[item]).text());
        });
    }

    private Node pipelineStrip() {
        strip.setId("pipeline");
        strip.getStyleClass().add("pipeline-strip");
        stripScroll.setId("pipeline-strip");
        stripScroll.setFitToWidth(true);
        stripScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        stripScroll.getStyleClass().add("pipeline-scroll");
        stripScroll.setFocusTraversable(false);
        return stripScroll;
    }

    private Node bottomBar() {
        explanation.setId("explanation");
        explanation.getStyleClass().add("explanation");
        explanation.setWrapText(true);
        explanation.setMinHeight(Region.USE_PREF_SIZE);
        status.setId("status");
        modelSummary.setId("model-summary");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox statusLine = new HBox(12, status, spacer, modelSummary);
        VBox bottom = new VBox(4, explanation, statusLine);
        bottom.getStyleClass().add("status-bar");
        generalPanel.explanationProperty().addListener((observable, before, after) -> {
            if (shownPanel == generalPanel) {
                viewModel.showExplanation(after);
            }
        });
        subscriptions.add(viewModel.explanationProperty().subscribe((before, after) -> showExplanation(after)));
        showExplanation(viewModel.explanationProperty().get());
        return bottom;
    }

    /** The explanation line: how the hovered or pinned number was computed, or the hint when none is. */
    private void showExplanation(String text) {
        explanation.setText(text.isEmpty() ? messages.getString("ui.explanation.hint") : text);
    }

    private void showModel() {
        LoadedModel model = viewModel.modelProperty().get();
        ModelConfig config = model.config();
        modelSummary.setText(I18n.format(messages, "model.summary", model.name(), config.nLayer(), config.nHead(),
                config.dModel(), config.vocabSize(), model.parameters().count()));
        syncing = true;
        List<Integer> blocks = new ArrayList<>();
        blocks.add(-1);
        for (int b = 0; b < config.nLayer(); b++) {
            blocks.add(b);
        }
        block.setItems(FXCollections.observableList(blocks));
        List<Integer> heads = new ArrayList<>();
        for (int h = 0; h < config.nHead(); h++) {
            heads.add(h);
        }
        head.setItems(FXCollections.observableList(heads));
        syncing = false;
        rebuildStrip();
        syncBlock();
        syncSelectors();
    }

    /** One clickable item per stage, grouped under a heading per block. */
    private void rebuildStrip() {
        strip.getChildren().clear();
        stageItems.clear();
        List<Stage> stages = viewModel.stagesProperty().get();
        int group = Integer.MIN_VALUE;
        boolean pastBlocks = false;
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            pastBlocks |= stage.block() >= 0;
            int stageGroup = stage.block() >= 0 ? stage.block() : pastBlocks ? Integer.MAX_VALUE : -1;
            if (stageGroup != group) {
                group = stageGroup;
                String heading = group == -1 ? messages.getString("ui.strip.input")
                        : group == Integer.MAX_VALUE ? messages.getString("ui.strip.output")
                        : I18n.format(messages, "ui.strip.block", group + 1);
                Label title = new Label(heading);
                title.getStyleClass().add("strip-heading");
                strip.getChildren().add(title);
            }
            Label item = new Label(messages.getString(stage.kind().bundleKey()));
            item.setId("stage-" + i);
            item.getStyleClass().add("stage-item");
            item.setMaxWidth(Double.MAX_VALUE);
            int index = i;
            item.setOnMouseClicked(event -> viewModel.stageIndexProperty().set(index));
            stageItems.add(item);
            strip.getChildren().add(item);
        }
        markCurrentStage();
    }

    private void markCurrentStage() {
        PipelineStrip.markCurrent(stageItems, viewModel.stageIndexProperty().get(), strip, stripScroll);
    }

    private void syncBlock() {
        syncing = true;
        block.setValue(viewModel.currentBlock());
        syncing = false;
    }

    private void syncSelectors() {
        syncing = true;
        head.setValue(viewModel.headProperty().get());
        token.setValue(viewModel.selectedTokenProperty().get());
        syncing = false;
    }

    private void showSentence(PreparedSentence prepared) {
        syncing = true;
        List<Integer> positions = new ArrayList<>();
        positions.add(-1);
        int tokens = prepared == null ? 0 : prepared.ids().length;
        for (int t = 0; t < tokens; t++) {
            positions.add(t);
        }
        token.setItems(FXCollections.observableList(positions));
        token.setValue(viewModel.selectedTokenProperty().get());
        syncing = false;
        List<String> lines = new ArrayList<>();
        if (prepared != null) {
            int context = viewModel.modelProperty().get().config().contextLength();
            for (PreparedSentence.Notice notice : prepared.notices()) {
                lines.add(I18n.format(messages, notice.bundleKey(), prepared.encoding().size(), context));
            }
        }
        notices.setText(String.join("\n", lines));
        notices.setVisible(!lines.isEmpty());
        notices.setManaged(!lines.isEmpty());
        showStatus();
    }

    private void showStatus() {
        String error = viewModel.errorProperty().get();
        PreparedSentence prepared = viewModel.preparedProperty().get();
        if (!error.isEmpty()) {
            status.setText(error);
        } else if (viewModel.busyProperty().get() || prepared == null) {
            status.setText(messages.getString("ui.status.computing"));
        } else {
            status.setText(I18n.format(messages, "ui.status.ready", prepared.ids().length,
                    viewModel.stagesProperty().get().size()));
        }
    }

    private void showContext(StageContext context) {
        if (context == null) {
            return;
        }
        StagePanel panel = panels.computeIfAbsent(context.stage().kind(),
                kind -> StagePanels.special(kind).orElse(generalPanel));
        if (panel != shownPanel) {
            // Panels shown once stay in the scene, hidden: putting a panel back into the scene would style
            // every node of it again, which costs more than a frame.
            if (shownPanel != null) {
                shownPanel.node().setVisible(false);
                shownPanel.node().setManaged(false);
            }
            shownPanel = panel;
            if (!centre.getChildren().contains(panel.node())) {
                centre.getChildren().add(panel.node());
            }
            panel.node().setManaged(true);
            panel.node().setVisible(true);
            viewModel.showExplanation("");
        }
        panel.show(context);
        if (panel == generalPanel) {
            viewModel.showExplanation(generalPanel.explanationProperty().get());
        }
    }

    private void onKey(KeyEvent event) {
        if (event.getTarget() instanceof TextInputControl || root.getScene() != null
                && root.getScene().getFocusOwner() instanceof TextInputControl) {
            return;
        }
        KeyCode code = event.getCode();
        boolean handled = true;
        switch (code) {
            case SPACE, RIGHT -> viewModel.next();
            case LEFT -> viewModel.previous();
            case HOME -> viewModel.first();
            case END -> viewModel.last();
            case L -> {
                if (lessons != null) {
                    lessonsToggle.setSelected(!lessonsToggle.isSelected());
                } else {
                    handled = false;
                }
            }
            case T -> {
                if (training != null) {
                    trainingToggle.setSelected(!trainingToggle.isSelected());
                } else {
                    handled = false;
                }
            }
            default -> {
                int digit = code.isDigitKey() ? digitOf(code) : -1;
                if (digit >= 1 && digit <= viewModel.modelProperty().get().config().nLayer()) {
                    viewModel.jumpToBlock(digit - 1);
                } else {
                    handled = false;
                }
            }
        }
        if (handled) {
            event.consume();
        }
    }

    private static int digitOf(KeyCode code) {
        String name = code.getName();
        char last = name.charAt(name.length() - 1);
        return Character.isDigit(last) ? last - '0' : -1;
    }
}
