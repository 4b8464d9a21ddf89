package org.stepwise.ui.translate;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;

import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextInputControl;
import javafx.scene.control.Tooltip;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Subscription;

import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.Stage;
import org.stepwise.ui.ChoiceText;
import org.stepwise.ui.I18n;
import org.stepwise.ui.PipelineStrip;
import org.stepwise.ui.ScrollPanes;
import org.stepwise.ui.TensorStagePanel;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.ui.stage.StagePanels;

/**
 * The visualizer's window for an encoder-decoder (translation) model: the source sentence, the target so far,
 * step buttons, block and head selectors and the Translate button on top; the pipeline strip of both stacks on
 * the left (source input, encoder blocks, target input, decoder blocks, output); the stage panel in the centre;
 * the explanation of the hovered number and the status at the bottom. Space or → steps on, ← back; Enter in a
 * sentence field or Ctrl+T translates; T shows or hides the training dashboard, as in the decoder-only window.
 */
public final class TranslationWindow {

    /** Translates (or stops), wherever the focus is: Ctrl+T (⌘T on a Mac). */
    public static final KeyCombination TRANSLATE_KEY = new KeyCodeCombination(KeyCode.T, KeyCombination.SHORTCUT_DOWN);

    private final TranslationViewModel viewModel;
    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final TextField source = new TextField();
    private final TextField target = new TextField();
    private final ComboBox<Integer> block = new ComboBox<>();
    private final ComboBox<Integer> head = new ComboBox<>();
    private final Button translate = new Button();
    private final ToggleButton trainingToggle = new ToggleButton();
    private final HBox steps = new HBox(8);
    /** The training dashboard shown at the right while {@link #trainingToggle} is on; null until added. */
    private Node training;
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
    /** Block choices: index i is {@code blockSides[i]} (true: encoder) block {@code blockNumbers[i]}. */
    private final List<Boolean> blockSides = new ArrayList<>();
    private final List<Integer> blockNumbers = new ArrayList<>();
    private StagePanel shownPanel;
    private boolean syncing;
    /** What this window listens to on the view model, let go by {@link #detach}. */
    private final List<Subscription> subscriptions = new ArrayList<>();

    public TranslationWindow(TranslationViewModel viewModel, ResourceBundle messages) {
        this.viewModel = viewModel;
        this.messages = messages;
        root.getStyleClass().add("stepwise-root");
        root.setId("translation-window");
        root.setTop(toolbar());
        strip.setId("pipeline");
        strip.getStyleClass().add("pipeline-strip");
        stripScroll.setId("pipeline-strip");
        stripScroll.setFitToWidth(true);
        stripScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        stripScroll.getStyleClass().add("pipeline-scroll");
        stripScroll.setFocusTraversable(false);
        root.setLeft(stripScroll);
        centre.setId("stage-host");
        centre.getStyleClass().add("stage-host");
        root.setCenter(centre);
        root.setBottom(bottomBar());
        root.addEventFilter(KeyEvent.KEY_PRESSED, this::onKey);
        generalPanel.setStageViews((config, stage, chosenHead, run, sampling) -> {
            EncoderDecoderConfig whole = viewModel.modelProperty().get().config();
            int sourceTokens = stage.encoder() ? run.tokens() : run.source().tokens();
            return EncoderDecoderPipeline.view(whole, stage, chosenHead, sourceTokens, run.tokens(), sampling);
        });

        subscriptions.add(viewModel.modelProperty().subscribe((before, after) -> showModel()));
        subscriptions.add(viewModel.stagesProperty().subscribe((before, after) -> rebuildStrip()));
        subscriptions.add(viewModel.stageIndexProperty().subscribe((before, after) -> markCurrentStage()));
        subscriptions.add(viewModel.stageProperty().subscribe((before, after) -> syncSelectors()));
        subscriptions.add(viewModel.headProperty().subscribe((before, after) -> syncSelectors()));
        subscriptions.add(viewModel.contextProperty().subscribe((before, after) -> showContext(after)));
        subscriptions.add(viewModel.busyProperty().subscribe(() -> showStatus()));
        subscriptions.add(viewModel.statusProperty().subscribe(() -> showStatus()));
        subscriptions.add(viewModel.noticesProperty().subscribe((before, after) -> showNotices(after)));
        subscriptions.add(viewModel.translatingProperty().subscribe((before, after) -> showTranslating(after)));
        showModel();
        showTranslating(false);
        showNotices(viewModel.noticesProperty().get());
        showContext(viewModel.contextProperty().get());
    }

    /**
     * Lets go of the view model: this window no longer follows it or writes to it, so a window built anew on the
     * same view model (e.g. in another language) can take its place.
     */
    public void detach() {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
        source.textProperty().unbindBidirectional(viewModel.sourceProperty());
        target.textProperty().unbindBidirectional(viewModel.targetProperty());
    }

    /**
     * Takes {@code dashboard} for the window's right, with a Training toggle in the top bar (key T) set as
     * {@code shown} says; {@link #showTraining()} puts it there once the window is on screen. Call once.
     */
    public void addTraining(Node dashboard, boolean shown) {
        if (dashboard == null || training != null) {
            throw new IllegalArgumentException("the window takes one training dashboard");
        }
        training = dashboard;
        trainingToggle.setId("training-toggle");
        trainingToggle.setText(messages.getString("training.toggle"));
        trainingToggle.setTooltip(new Tooltip(messages.getString("training.toggle.tooltip")));
        trainingToggle.setFocusTraversable(false);
        trainingToggle.setMinWidth(Region.USE_PREF_SIZE);
        trainingToggle.setSelected(shown);
        trainingToggle.selectedProperty().addListener((observable, before, now) -> root.setRight(now ? training : null));
        steps.getChildren().add(trainingToggle);
    }

    /** Shows the dashboard again at the right when the toggle says so (after it sat beside the other window). */
    public void showTraining() {
        if (training != null) {
            root.setRight(trainingToggle.isSelected() ? training : null);
        }
    }

    /** The toggle that shows or hides the training dashboard (not in the top bar before {@link #addTraining}). */
    public ToggleButton trainingToggle() {
        return trainingToggle;
    }

    /** The Translate button's action: translates, or stops a translation under way. */
    private void translateOrStop() {
        if (viewModel.translatingProperty().get()) {
            viewModel.stopTranslating();
        } else {
            viewModel.translate();
        }
    }

    /** The window's root. */
    public BorderPane root() {
        return root;
    }

    /** The general tensor panel (every stage kind without a special panel, the cross-attention included). */
    public TensorStagePanel generalPanel() {
        return generalPanel;
    }

    public TranslationViewModel viewModel() {
        return viewModel;
    }

    private Node toolbar() {
        source.setId("source-sentence");
        source.getStyleClass().add("sentence-field");
        source.setPromptText(messages.getString("encdec.source.prompt"));
        source.textProperty().bindBidirectional(viewModel.sourceProperty());
        HBox.setHgrow(source, Priority.ALWAYS);
        target.setId("target-sentence");
        target.getStyleClass().add("sentence-field");
        target.setPromptText(messages.getString("encdec.target.prompt"));
        target.textProperty().bindBidirectional(viewModel.targetProperty());
        HBox.setHgrow(target, Priority.ALWAYS);

        Button previous = new Button(messages.getString("ui.previous"));
        previous.setId("previous");
        previous.setTooltip(new Tooltip(messages.getString("ui.previous.tooltip")));
        previous.setOnAction(event -> viewModel.previous());
        Button next = new Button(messages.getString("ui.next"));
        next.setId("next");
        next.setTooltip(new Tooltip(messages.getString("ui.next.tooltip")));
        next.setOnAction(event -> viewModel.next());
        translate.setId("translate");
        translate.setTooltip(new Tooltip(I18n.format(messages, "encdec.translate.tooltip",
                TRANSLATE_KEY.getDisplayText())));
        translate.setOnAction(event -> translateOrStop());
        source.setOnAction(event -> translateOrStop());     // Enter in either sentence field
        target.setOnAction(event -> translateOrStop());
        Button clear = new Button(messages.getString("encdec.clearTarget"));
        clear.setId("clear-target");
        clear.setTooltip(new Tooltip(messages.getString("encdec.clearTarget.tooltip")));
        clear.setOnAction(event -> viewModel.clearTarget());
        for (Button button : List.of(previous, next, translate, clear)) {
            button.getStyleClass().add(button == previous || button == next ? "step-button" : "translate-button");
            button.setFocusTraversable(false);
        }

        block.setId("block");
        block.setConverter(ChoiceText.of(index -> index < 0 || index >= blockSides.size()
                ? messages.getString("ui.block.none")
                : I18n.format(messages, blockSides.get(index) ? "encdec.strip.encoderBlock" : "encdec.strip.decoderBlock",
                        blockNumbers.get(index) + 1)));
        block.valueProperty().addListener((observable, before, after) -> {
            if (!syncing && after != null && after >= 0) {
                viewModel.jumpToBlock(blockSides.get(after), blockNumbers.get(after));
            }
        });
        head.setId("head");
        head.setConverter(ChoiceText.of(item -> I18n.format(messages, "ui.head.item", item + 1)));
        head.valueProperty().addListener((observable, before, after) -> {
            if (!syncing && after != null) {
                viewModel.headProperty().set(after);
            }
        });
        for (Region control : List.of(previous, next, translate, clear, block, head)) {
            control.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox sentences = new HBox(8, label("encdec.source", source), source, label("encdec.target", target), target,
                translate, clear);
        sentences.setAlignment(Pos.CENTER_LEFT);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        steps.getChildren().setAll(previous, next, label("ui.block", block), block, label("ui.head", head), head,
                spacer);
        steps.setAlignment(Pos.CENTER_LEFT);
        notices.setId("notices");
        notices.getStyleClass().add("notices");
        notices.setWrapText(true);
        VBox top = new VBox(6, sentences, steps, notices);
        top.getStyleClass().add("header");
        return top;
    }

    private Label label(String key, Node forNode) {
        Label label = new Label(messages.getString(key));
        label.getStyleClass().add("toolbar-label");
        label.setLabelFor(forNode);
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
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

    private void showExplanation(String text) {
        explanation.setText(text.isEmpty() ? messages.getString("ui.explanation.hint") : text);
    }

    private void showTranslating(boolean running) {
        translate.setText(messages.getString(running ? "encdec.translate.stop" : "encdec.translate"));
    }

    private void showModel() {
        LoadedEncoderDecoder model = viewModel.modelProperty().get();
        EncoderDecoderConfig config = model.config();
        modelSummary.setText(I18n.format(messages, "encdec.summary", model.name(), config.nEncoderLayer(),
                config.nDecoderLayer(), config.shared().nHead(), config.shared().dModel(), config.sourceVocabSize(),
                config.targetVocabSize(), model.parameters().count()));
        syncing = true;
        blockSides.clear();
        blockNumbers.clear();
        List<Integer> choices = new ArrayList<>();
        choices.add(-1);
        for (int b = 0; b < config.nEncoderLayer(); b++) {
            choices.add(blockSides.size());
            blockSides.add(true);
            blockNumbers.add(b);
        }
        for (int b = 0; b < config.nDecoderLayer(); b++) {
            choices.add(blockSides.size());
            blockSides.add(false);
            blockNumbers.add(b);
        }
        block.setItems(FXCollections.observableList(choices));
        List<Integer> heads = new ArrayList<>();
        for (int h = 0; h < config.shared().nHead(); h++) {
            heads.add(h);
        }
        head.setItems(FXCollections.observableList(heads));
        syncing = false;
        rebuildStrip();
        syncSelectors();
    }

    /** One clickable item per stage under headings: source, encoder blocks, target, decoder blocks, output. */
    private void rebuildStrip() {
        strip.getChildren().clear();
        stageItems.clear();
        List<Stage> stages = viewModel.stagesProperty().get();
        String group = null;
        boolean pastDecoderBlocks = false;
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            pastDecoderBlocks |= !stage.encoder() && stage.block() >= 0;
            String heading;
            if (stage.block() >= 0) {
                heading = I18n.format(messages, stage.encoder() ? "encdec.strip.encoderBlock" : "encdec.strip.decoderBlock",
                        stage.block() + 1);
            } else if (stage.encoder()) {
                heading = messages.getString(stage.kind() == Stage.Kind.FINAL_LAYER_NORM ? "encdec.strip.encoderOutput"
                        : "encdec.strip.source");
            } else {
                heading = messages.getString(pastDecoderBlocks ? "ui.strip.output" : "encdec.strip.target");
            }
            if (!heading.equals(group)) {
                group = heading;
                Label title = new Label(heading);
                title.getStyleClass().add("strip-heading");
                strip.getChildren().add(title);
            }
            Label item = new Label(messages.getString(stage.kind().bundleKey()));
            item.setId("stage-" + i);
            item.getStyleClass().add("stage-item");
            if (stage.kind().crossAttention()) {
                item.getStyleClass().add("stage-item-cross");
            }
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

    private void syncSelectors() {
        syncing = true;
        Stage stage = viewModel.stageProperty().get();
        int choice = -1;
        if (stage != null && stage.block() >= 0) {
            for (int i = 0; i < blockSides.size(); i++) {
                if (blockSides.get(i) == stage.encoder() && blockNumbers.get(i) == stage.block()) {
                    choice = i;
                }
            }
        }
        block.setValue(choice);
        head.setValue(viewModel.headProperty().get());
        syncing = false;
    }

    private void showNotices(List<String> lines) {
        notices.setText(String.join("\n", lines));
        notices.setVisible(!lines.isEmpty());
        notices.setManaged(!lines.isEmpty());
    }

    private void showStatus() {
        String said = viewModel.statusProperty().get();
        if (!said.isEmpty()) {
            status.setText(said);
        } else if (viewModel.busyProperty().get()) {
            status.setText(messages.getString("ui.status.computing"));
        } else {
            status.setText(I18n.format(messages, "encdec.status.ready", viewModel.stagesProperty().get().size()));
        }
    }

    /** The special panels this window uses: the token, embedding, position and output panels; the rest is general. */
    private StagePanel panelFor(Stage.Kind kind) {
        return switch (kind) {
            case TOKEN_EMBEDDING, POSITION, OUTPUT_SOFTMAX, NEXT_TOKEN -> StagePanels.special(kind).orElse(generalPanel);
            default -> generalPanel;
        };
    }

    private void showContext(StageContext context) {
        if (context == null) {
            return;
        }
        StagePanel panel = panels.computeIfAbsent(context.stage().kind(), this::panelFor);
        if (panel != shownPanel) {
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
        showStatus();
    }

    private void onKey(KeyEvent event) {
        if (TRANSLATE_KEY.match(event)) {                  // also while typing in a sentence field
            translateOrStop();
            event.consume();
            return;
        }
        if (event.getTarget() instanceof TextInputControl || root.getScene() != null
                && root.getScene().getFocusOwner() instanceof TextInputControl) {
            return;
        }
        boolean handled = true;
        switch (event.getCode()) {
            case SPACE, RIGHT -> viewModel.next();
            case LEFT -> viewModel.previous();
            case HOME -> viewModel.stageIndexProperty().set(0);
            case END -> viewModel.stageIndexProperty().set(viewModel.stagesProperty().get().size() - 1);
            case T -> {
                if (training != null) {
                    trainingToggle.setSelected(!trainingToggle.isSelected());
                } else {
                    handled = false;
                }
            }
            default -> handled = false;
        }
        if (handled) {
            event.consume();
        }
    }
}
