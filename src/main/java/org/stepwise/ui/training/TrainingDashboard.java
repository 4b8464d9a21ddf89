package org.stepwise.ui.training;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import javafx.animation.FadeTransition;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.binding.BooleanBinding;
import javafx.concurrent.Task;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import javafx.util.Duration;
import javafx.util.Subscription;

import org.ejml.data.DMatrixRMaj;
import org.kordamp.ikonli.Ikon;
import org.kordamp.ikonli.javafx.FontIcon;
import org.kordamp.ikonli.materialdesign2.MaterialDesignC;
import org.kordamp.ikonli.materialdesign2.MaterialDesignF;
import org.kordamp.ikonli.materialdesign2.MaterialDesignP;
import org.kordamp.ikonli.materialdesign2.MaterialDesignR;
import org.kordamp.ikonli.materialdesign2.MaterialDesignS;
import org.kordamp.ikonli.materialdesign2.MaterialDesignT;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.train.BatchView;
import org.stepwise.train.LossHistory;
import org.stepwise.train.Optimizer;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.TrainingSpeed;
import org.stepwise.train.TrainingTimeline;
import org.stepwise.train.UpdateStrategy;
import org.stepwise.train.WeightChange;
import org.stepwise.ui.ChoiceText;
import org.stepwise.ui.I18n;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.ui.ScrollPanes;
import org.stepwise.viz.ColorScale;
import org.stepwise.viz.HeatmapView;
import org.stepwise.viz.LossChart;

/**
 * The live training dashboard beside the visualizer: controls, counters, the loss chart with its timeline,
 * a generated sample, what the last update changed, and the batch being trained. A view only: every decision is
 * made by its {@link TrainingViewModel}.
 */
public final class TrainingDashboard extends VBox {

    /** Slow-motion choices in iterations per second; the first is full speed. */
    private static final double[] SPEEDS = {Double.POSITIVE_INFINITY, 20, 5, 1, 0.5};
    /** Learning-rate slider range, as powers of ten. */
    private static final double LOG_RATE_MIN = -5;
    private static final double LOG_RATE_MAX = 2;
    /** Half the width of the timeline's marker on the loss chart, as a fraction of the iterations shown. */
    static final double MARKER_HALF_WIDTH = 0.006;
    /** Widest cell of a heatmap in the dashboard, in pixels; wide matrices get narrower cells to fit. */
    private static final double MAX_CELL = 14;
    /** Sentence pairs of a translation batch listed under the batch view. */
    private static final int SHOWN_PAIRS = 5;
    /** Width the dashboard's heatmaps try to fit their columns into, in pixels. */
    private static final double HEATMAP_FIT_WIDTH = 360;
    /** Height of the scrolling box around each heatmap, in pixels. */
    private static final double HEATMAP_BOX_HEIGHT = 280;

    private final ResourceBundle messages;
    private final TrainingViewModel viewModel;

    private final Label modelSummary = new Label();
    private final Button playPause = new Button();
    private final Slider learningRate = new Slider(LOG_RATE_MIN, LOG_RATE_MAX, Math.log10(3e-3));
    private final Label learningRateValue = new Label();
    private final Spinner<Integer> batchSize = new Spinner<>(1, 512, 16);
    private final ComboBox<Optimizer.Kind> optimizer = new ComboBox<>();
    private final ComboBox<UpdateStrategy> strategy = new ComboBox<>();
    private final TextField seed = new TextField("1");
    private final ComboBox<String> corpus = new ComboBox<>();
    private final ComboBox<Double> speed = new ComboBox<>();
    private final Label message = new Label();
    private final Label offReason = new Label();
    private final Label translationNote = new Label();
    private final Label sampleTitle = new Label();
    private final BooleanProperty trainingOff = new SimpleBooleanProperty(this, "trainingOff", false);
    private final Button useSuggestedRate = new Button();
    private final ProgressBar progress = new ProgressBar();
    private final Label progressText = new Label();

    private final Label epoch = new Label("–");
    private final Label iteration = new Label("–");
    private final Label batchInEpoch = new Label("–");
    private final Label samplesSeen = new Label("–");
    private final Label trainLoss = new Label("–");
    private final Label validationLoss = new Label("–");
    private final Label perplexity = new Label("–");
    private final Label tokensPerSecond = new Label("–");
    private final Label epochFlash = new Label();
    private final GridPane counters = new GridPane();

    private final LossChart lossChart;
    private final CheckBox logScale = new CheckBox();
    private final TitledPane settingsTitled = new TitledPane();
    private final Slider timeline = new Slider(0, 1, 1);
    private final Label timelineText = new Label();
    private final Button live = new Button();

    private final Slider temperature = new Slider(0, 2, 0.8);
    private final Label temperatureValue = new Label();
    private final Label sample = new Label();

    private final ComboBox<String> weightName = new ComboBox<>();
    private final HeatmapView deltaHeatmap;
    private final Label deltaText = new Label();
    private final Label movedRows = new Label();
    private final HeatmapView batchHeatmap;
    private final HeatmapView maskHeatmap;
    private final Label batchText = new Label();

    private final Tab deltaTab = new Tab();
    private final Tab batchTab = new Tab();

    /** What this dashboard listens to on the view model, let go by {@link #detach}. */
    private final List<Subscription> subscriptions = new ArrayList<>();
    private boolean updatingControls;
    private boolean timelineFromCode;
    private WeightChange shownChange;
    private BatchView shownBatch;
    /** The state the play/pause button shows, null before it first shows one. */
    private Boolean shownRunning;

    /** A dashboard that opens the bundled model and corpus on a background thread. */
    public TrainingDashboard(ResourceBundle messages) {
        this(messages, new TrainingViewModel(messages));
        Task<Void> task = viewModel.loadDefault();
        task.setOnFailed(event -> viewModel.showMessage(I18n.format(messages, "dashboard.build.failed",
                rootMessage(task.getException())), true, null));
        runTask(task);
    }

    /** A dashboard on {@code viewModel}, which the caller sets training (e.g. with {@link TrainingViewModel#train}). */
    public TrainingDashboard(ResourceBundle messages, TrainingViewModel viewModel) {
        this.messages = messages;
        this.viewModel = viewModel;
        this.lossChart = new LossChart(messages);
        this.deltaHeatmap = new HeatmapView(messages);
        this.batchHeatmap = new HeatmapView(messages);
        this.maskHeatmap = new HeatmapView(messages);
        this.translating = viewModel.translationModelProperty().isNotNull();
        setId("training-dashboard");
        getStyleClass().add("training-dashboard");
        getStylesheets().add(TrainingDashboard.class.getResource("dashboard.css").toExternalForm());

        Node transport = transport();
        Node settings = settingsPane();
        transport.disableProperty().bind(viewModel.readyProperty().not().or(trainingOff));
        settings.disableProperty().bind(viewModel.readyProperty().not().or(trainingOff));
        VBox content = new VBox(10, header(), transport, settings, messageLine(), countersBox(), chartBox(),
                sampleBox(), detailTabs());
        content.setPadding(new Insets(10));
        content.setFillWidth(true);
        ScrollPane scroll = ScrollPanes.drawnDirectly(new ScrollPane(content));
        scroll.setFitToWidth(true);
        scroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().add(scroll);

        subscriptions.add(viewModel.snapshotProperty().subscribe((before, after) -> show(after)));
        subscriptions.add(viewModel.lossHistoryProperty().subscribe((before, after) -> showLosses(after)));
        subscriptions.add(viewModel.modelProperty().subscribe((before, after) -> showModel(after)));
        subscriptions.add(viewModel.translationModelProperty().subscribe((before, after) -> showTranslationModel(after)));
        subscriptions.add(viewModel.epochsEndedProperty().subscribe((before, after) -> flashEpochEnd()));
        subscriptions.add(viewModel.viewedMomentProperty().subscribe((before, after) -> showViewedMoment(after)));
        showCurrentState();
    }

    /** Shows what the view model already holds, for a dashboard built on a view model that is training. */
    private void showCurrentState() {
        showModel(viewModel.modelProperty().get());
        showTranslationModel(viewModel.translationModelProperty().get());
        showLosses(viewModel.lossHistoryProperty().get());
        show(viewModel.snapshotProperty().get());
        showViewedMoment(viewModel.viewedMomentProperty().get());
        showWarning(viewModel.warningProperty().get());
        Double rate = viewModel.suggestedRateProperty().get();
        if (rate != null) {
            useSuggestedRate.setText(I18n.format(messages, "dashboard.useSuggestedRate", rate));
        }
    }

    /**
     * Shows the dashboard the way {@code before} (a dashboard on the same view model, e.g. in another language)
     * was shown: settings open or folded, log scale, the detail tab and the weight matrix chosen in it.
     * {@code before} is not modified.
     */
    public void showAs(TrainingDashboard before) {
        if (before == null || before.viewModel != viewModel) {
            throw new IllegalArgumentException("the dashboard to copy must show the same training");
        }
        settingsTitled.setExpanded(before.settingsTitled.isExpanded());
        logScale.setSelected(before.logScale.isSelected());
        if (before.batchTab.isSelected()) {
            batchTab.getTabPane().getSelectionModel().select(batchTab);
        }
        String matrix = before.weightName.getValue();
        if (matrix != null && weightName.getItems().contains(matrix)) {
            weightName.setValue(matrix);
        }
    }

    /**
     * Lets go of the view model: this dashboard no longer follows it or writes to it, so a dashboard built anew on
     * the same view model (e.g. in another language) can take its place. Training goes on untouched.
     */
    public void detach() {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
        sample.textProperty().unbind();     // a mapped binding listens to the view model strongly
        if (viewModel.temperatureProperty().isBound()) {
            viewModel.temperatureProperty().unbind();
        }
    }

    // ---------------------------------------------------------------- the window's hooks

    /** See {@link TrainingViewModel#addWeightsListener}. */
    public void addWeightsListener(Consumer<Parameters> listener) {
        viewModel.addWeightsListener(listener);
    }

    /** See {@link TrainingViewModel#modelProperty()}. */
    public ObjectProperty<LoadedModel> modelProperty() {
        return viewModel.modelProperty();
    }

    /**
     * Trains the translation model {@code model} (a copy of its weights) on the bundled English→Chinese pairs, paused,
     * with the settings in force; asks first when unsaved training would be replaced. False when the user cancelled
     * or the pairs could not be read or do not fit the model (the message line says why).
     */
    public boolean trainTranslation(LoadedEncoderDecoder model) {
        return trainTranslation(model, true);
    }

    /**
     * Trains {@code model} on the English→Chinese pairs (paused); with {@code askFirst} false the run in progress is
     * replaced without asking, as when a lesson chooses the model. False when the pairs cannot be read or the user
     * kept the run in progress.
     */
    public boolean trainTranslation(LoadedEncoderDecoder model, boolean askFirst) {
        if (askFirst && !confirmReplaceTraining()) {
            return false;
        }
        if (viewModel.isRunning()) {
            viewModel.pause();
        }
        TrainingSettings settings = viewModel.settings();
        try {
            TranslationCorpus pairs = TranslationCorpus.englishChinese(messages.getString("dashboard.corpus.pairs"));
            setTrainingOff(null);
            viewModel.train(model, pairs, settings != null ? settings : TrainingSettings.defaults());
            return true;
        } catch (java.io.IOException | IllegalArgumentException cannot) {
            viewModel.showMessage(I18n.format(messages, "dashboard.translation.cannot", cannot.getMessage()), true,
                    null);
            return false;
        }
    }

    /**
     * Turns the training controls off, pausing any run, with {@code reason} shown under the model's name; a null
     * reason turns them back on.
     */
    public void setTrainingOff(String reason) {
        if (reason != null) {
            viewModel.pause();
        }
        offReason.setText(reason == null ? "" : reason);
        trainingOff.set(reason != null);
    }

    /** True while {@link #setTrainingOff} keeps the training controls off. */
    public boolean isTrainingOff() {
        return trainingOff.get();
    }

    public TrainingViewModel viewModel() {
        return viewModel;
    }

    /**
     * Asks, when there is unsaved training, whether to save it first. Call on the FX thread before closing.
     *
     * @return true when the window may close (saved, or the user chose not to save), false to stay open
     */
    public boolean confirmCloseWhileTraining() {
        return confirmLeavingTraining("dashboard.close.question", "dashboard.close.discard");
    }

    /**
     * Before another model replaces the one being trained: when it was trained since it was last saved, asks
     * whether to save the session first. False when the user cancelled (nothing is replaced then).
     */
    public boolean confirmReplaceTraining() {
        return confirmLeavingTraining("dashboard.replace.question", "dashboard.replace.discard");
    }

    private boolean confirmLeavingTraining(String questionKey, String discardKey) {
        if (!viewModel.isRunning() && !viewModel.hasUnsavedProgress()) {
            return true;
        }
        ButtonType save = new ButtonType(messages.getString("dashboard.close.save"), ButtonBar.ButtonData.YES);
        ButtonType discard = new ButtonType(messages.getString(discardKey), ButtonBar.ButtonData.NO);
        ButtonType cancel = new ButtonType(messages.getString("dashboard.close.cancel"),
                ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, messages.getString(questionKey), save,
                discard, cancel);
        alert.setHeaderText(messages.getString("dashboard.close.title"));
        alert.initOwner(window());
        Optional<ButtonType> answer = alert.showAndWait();
        if (answer.isEmpty() || answer.get() == cancel) {
            return false;
        }
        if (answer.get() == discard) {
            viewModel.pause();
            return true;
        }
        viewModel.pause();
        Path dir = chooseSessionFolder(true);
        if (dir == null) {
            return false;
        }
        try {
            viewModel.saveSession(dir).join();
            return true;
        } catch (RuntimeException e) {
            viewModel.showMessage(I18n.format(messages, "dashboard.session.saveFailed", rootMessage(e)), true, null);
            return false;
        }
    }

    // ---------------------------------------------------------------- building the view

    /** True while a translation model trains: the controls that do not apply to it are off. */
    private final BooleanBinding translating;

    private Node header() {
        Label title = new Label(messages.getString("dashboard.title"));
        title.getStyleClass().add("dashboard-title");
        modelSummary.setId("dashboard-model");
        modelSummary.getStyleClass().add("dashboard-caption");
        modelSummary.setWrapText(true);
        Button newModel = button("dashboard-new-model", "dashboard.newModel", MaterialDesignP.PLUS_BOX,
                "dashboard.newModel.tooltip", this::openNewModelDialog);
        Button open = button("dashboard-open-session", "dashboard.session.openButton", MaterialDesignF.FOLDER_OPEN,
                "dashboard.session.open.tooltip", this::openSession);
        Button save = button("dashboard-save-session", "dashboard.session.saveButton", MaterialDesignC.CONTENT_SAVE,
                "dashboard.session.save.tooltip", this::saveSession);
        newModel.disableProperty().bind(translating);
        FlowPane files = new FlowPane(6, 6, newModel, open, save);
        files.setAlignment(Pos.CENTER_RIGHT);
        HBox.setHgrow(files, Priority.ALWAYS);
        title.setMinWidth(Region.USE_PREF_SIZE);
        HBox top = new HBox(10, title, files);
        top.setAlignment(Pos.CENTER_LEFT);
        progress.setId("dashboard-progress");
        progress.setVisible(false);
        progress.setManaged(false);
        progress.setPrefWidth(160);
        progressText.getStyleClass().add("dashboard-caption");
        progressText.visibleProperty().bind(progress.visibleProperty());
        progressText.managedProperty().bind(progress.visibleProperty());
        HBox busy = new HBox(8, progress, progressText);
        busy.setAlignment(Pos.CENTER_LEFT);
        offReason.setId("dashboard-off-reason");
        offReason.getStyleClass().add("dashboard-caption");
        offReason.setWrapText(true);
        offReason.visibleProperty().bind(trainingOff);
        offReason.managedProperty().bind(trainingOff);
        translationNote.setId("dashboard-translation-note");
        translationNote.getStyleClass().add("dashboard-caption");
        translationNote.setWrapText(true);
        translationNote.visibleProperty().bind(translating);
        translationNote.managedProperty().bind(translating);
        return new VBox(4, top, modelSummary, offReason, translationNote, busy);
    }

    private Node transport() {
        playPause.setId("dashboard-play");
        playPause.getStyleClass().add("dashboard-play");
        playPause.setOnAction(event -> {
            if (viewModel.isRunning()) {
                viewModel.pause();
            } else {
                viewModel.goLive();
                viewModel.start();
            }
        });
        playPause.setMinWidth(Region.USE_PREF_SIZE);
        showRunning(false);
        Button step = button("dashboard-step", "dashboard.stepIteration", MaterialDesignS.STEP_FORWARD,
                "dashboard.stepIteration.tooltip", viewModel::stepIteration);
        Button stepEpoch = button("dashboard-step-epoch", "dashboard.stepEpoch", MaterialDesignS.SKIP_FORWARD,
                "dashboard.stepEpoch.tooltip", viewModel::stepEpoch);
        Button reset = button("dashboard-reset", "dashboard.reset", MaterialDesignR.RESTORE,
                "dashboard.reset.tooltip", viewModel::reset);
        speed.setId("dashboard-speed");
        for (double choice : SPEEDS) {
            speed.getItems().add(choice);
        }
        speed.setValue(SPEEDS[0]);
        speed.setConverter(ChoiceText.of(value -> Double.isInfinite(value)
                ? messages.getString("dashboard.speed.full")
                : I18n.format(messages, "dashboard.speed.limited", value)));
        speed.valueProperty().addListener((observable, before, after) -> {
            if (!updatingControls && after != null) {
                viewModel.setSpeed(Double.isInfinite(after) ? TrainingSpeed.FULL : TrainingSpeed.atMost(after));
            }
        });
        speed.setMinWidth(Region.USE_PREF_SIZE);
        Label speedLabel = new Label(messages.getString("dashboard.speed"), icon(MaterialDesignS.SPEEDOMETER));
        speedLabel.setMinWidth(Region.USE_PREF_SIZE);
        speedLabel.setTooltip(new Tooltip(messages.getString("dashboard.speed.tooltip")));
        HBox speedGroup = new HBox(6, speedLabel, speed);
        speedGroup.setAlignment(Pos.CENTER_LEFT);
        FlowPane row = new FlowPane(6, 6, playPause, step, stepEpoch, reset, speedGroup);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    private Node settingsPane() {
        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(6);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setMinWidth(Region.USE_PREF_SIZE);
        ColumnConstraints fields = new ColumnConstraints();
        fields.setHgrow(Priority.ALWAYS);
        fields.setFillWidth(true);
        grid.getColumnConstraints().addAll(labels, fields);

        learningRate.setId("dashboard-learning-rate");
        learningRate.setMajorTickUnit(1);
        learningRate.setShowTickMarks(true);
        learningRateValue.setId("dashboard-learning-rate-value");
        learningRateValue.setMinWidth(Region.USE_PREF_SIZE);
        learningRateValue.setPrefWidth(52);
        learningRate.valueProperty().addListener((observable, before, after) -> {
            learningRateValue.setText(rateText(rate()));
            if (!updatingControls && !learningRate.isValueChanging()) {
                viewModel.setLearningRate(rate());
            }
        });
        learningRate.valueChangingProperty().addListener((observable, before, changing) -> {
            if (!changing && !updatingControls) {
                viewModel.setLearningRate(rate());
            }
        });
        learningRateValue.setText(rateText(rate()));
        HBox rateRow = new HBox(6, learningRate, learningRateValue);
        HBox.setHgrow(learningRate, Priority.ALWAYS);
        rateRow.setAlignment(Pos.CENTER_LEFT);

        batchSize.setId("dashboard-batch-size");
        batchSize.setEditable(true);
        batchSize.setPrefWidth(90);
        batchSize.valueProperty().addListener((observable, before, after) -> {
            if (!updatingControls && after != null) {
                settle(viewModel.setBatchSize(after));
            }
        });
        optimizer.setId("dashboard-optimizer");
        optimizer.getItems().addAll(Optimizer.Kind.values());
        optimizer.setConverter(ChoiceText.of(kind -> messages.getString("dashboard.optimizer." + kind.name())));
        optimizer.valueProperty().addListener((observable, before, after) -> {
            if (!updatingControls && after != null) {
                settle(viewModel.setOptimizer(after));
            }
        });
        strategy.setId("dashboard-strategy");
        strategy.getItems().addAll(UpdateStrategy.values());
        strategy.setConverter(ChoiceText.of(kind -> messages.getString("dashboard.strategy." + kind.name())));
        strategy.valueProperty().addListener((observable, before, after) -> {
            if (!updatingControls && after != null) {
                settle(viewModel.setUpdateStrategy(after));
            }
        });
        seed.setId("dashboard-seed");
        seed.setPrefColumnCount(6);
        seed.setOnAction(event -> applySeed());
        seed.focusedProperty().addListener((observable, before, focused) -> {
            if (!focused) {
                applySeed();
            }
        });
        corpus.setId("dashboard-corpus");
        corpus.getItems().addAll(messages.getString("dashboard.corpus.english"),
                messages.getString("dashboard.corpus.chinese"), messages.getString("dashboard.corpus.openFile"));
        corpus.setMaxWidth(Double.MAX_VALUE);
        corpus.disableProperty().bind(translating);
        corpus.setOnAction(event -> {
            if (!updatingControls) {
                chooseCorpus(corpus.getSelectionModel().getSelectedIndex());
            }
        });

        seed.setPrefColumnCount(8);
        HBox batchAndSeed = new HBox(8, batchSize, settingLabel("dashboard.seed"), seed);
        batchAndSeed.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(seed, Priority.ALWAYS);
        optimizer.setMaxWidth(Double.MAX_VALUE);
        strategy.setMaxWidth(Double.MAX_VALUE);
        grid.add(settingLabel("dashboard.learningRate"), 0, 0);
        grid.add(rateRow, 1, 0);
        grid.add(settingLabel("dashboard.batchSize"), 0, 1);
        grid.add(batchAndSeed, 1, 1);
        grid.add(settingLabel("dashboard.optimizer"), 0, 2);
        grid.add(optimizer, 1, 2);
        grid.add(settingLabel("dashboard.strategy"), 0, 3);
        grid.add(strategy, 1, 3);
        grid.add(settingLabel("dashboard.corpus"), 0, 4);
        grid.add(corpus, 1, 4);
        TitledPane pane = settingsTitled;
        pane.setText(messages.getString("dashboard.settings"));
        pane.setContent(grid);
        pane.setId("dashboard-settings");
        return pane;
    }

    private Node messageLine() {
        message.setId("dashboard-message");
        message.getStyleClass().add("dashboard-message");
        message.setWrapText(true);
        message.setMaxWidth(Double.MAX_VALUE);
        message.textProperty().bind(viewModel.messageProperty());
        subscriptions.add(viewModel.warningProperty().subscribe((before, isWarning) -> showWarning(isWarning)));
        message.visibleProperty().bind(viewModel.messageProperty().isNotEmpty());
        message.managedProperty().bind(message.visibleProperty());
        useSuggestedRate.setId("dashboard-use-suggested-rate");
        useSuggestedRate.visibleProperty().bind(viewModel.suggestedRateProperty().isNotNull());
        useSuggestedRate.managedProperty().bind(useSuggestedRate.visibleProperty());
        subscriptions.add(viewModel.suggestedRateProperty().subscribe((before, rate) -> {
            if (rate != null) {
                useSuggestedRate.setText(I18n.format(messages, "dashboard.useSuggestedRate", rate));
            }
        }));
        useSuggestedRate.setOnAction(event -> {
            Double rate = viewModel.suggestedRateProperty().get();
            if (rate != null) {
                learningRate.setValue(Math.log10(rate));
                viewModel.setLearningRate(rate);
                viewModel.showMessage("", false, null);
            }
        });
        VBox box = new VBox(6, message, useSuggestedRate);
        return box;
    }

    private void showWarning(boolean isWarning) {
        message.getStyleClass().remove("dashboard-warning");
        if (isWarning) {
            message.getStyleClass().add("dashboard-warning");
        }
    }

    private Node countersBox() {
        counters.setId("dashboard-counters");
        counters.getStyleClass().add("dashboard-counters");
        counters.setHgap(14);
        counters.setVgap(2);
        Label[] values = {epoch, iteration, batchInEpoch, samplesSeen, trainLoss, validationLoss, perplexity,
            tokensPerSecond};
        String[] ids = {"dashboard-epoch", "dashboard-iteration", "dashboard-batch-in-epoch", "dashboard-samples-seen",
            "dashboard-train-loss", "dashboard-validation-loss", "dashboard-perplexity", "dashboard-tokens-per-second"};
        String[] keys = {"dashboard.epoch", "dashboard.iteration", "dashboard.batchInEpoch", "dashboard.samplesSeen",
            "dashboard.trainLoss", "dashboard.validationLoss", "dashboard.perplexity", "dashboard.tokensPerSecond"};
        for (int i = 0; i < values.length; i++) {
            Label caption = new Label(messages.getString(keys[i]));
            caption.getStyleClass().add("dashboard-counter-caption");
            caption.setWrapText(true);
            values[i].setId(ids[i]);
            values[i].getStyleClass().add("dashboard-counter");
            counters.add(caption, i % 4, (i / 4) * 2);
            counters.add(values[i], i % 4, (i / 4) * 2 + 1);
        }
        for (int column = 0; column < 4; column++) {
            ColumnConstraints constraints = new ColumnConstraints();
            constraints.setPercentWidth(25);
            counters.getColumnConstraints().add(constraints);
        }
        epochFlash.setId("dashboard-epoch-flash");
        epochFlash.getStyleClass().add("dashboard-epoch-flash");
        epochFlash.setVisible(false);
        epochFlash.setMaxWidth(Double.MAX_VALUE);
        epochFlash.setAlignment(Pos.CENTER);
        counters.add(epochFlash, 0, 4, 4, 1);
        return counters;
    }

    private Node chartBox() {
        lossChart.setId("dashboard-loss-chart");
        lossChart.setAxisLabels(messages.getString("dashboard.iteration"), messages.getString("dashboard.loss"));
        lossChart.setPrefHeight(230);
        logScale.setId("dashboard-log-scale");
        logScale.setText(messages.getString("dashboard.logScale"));
        lossChart.logScaleProperty().bind(logScale.selectedProperty());
        timeline.setId("dashboard-timeline");
        timeline.valueProperty().addListener((observable, before, after) -> {
            if (!timelineFromCode) {
                viewModel.viewMoment(Math.round(after.doubleValue()));
            }
        });
        timelineText.setId("dashboard-timeline-text");
        timelineText.getStyleClass().add("dashboard-caption");
        live.setId("dashboard-live");
        live.setText(messages.getString("dashboard.live"));
        live.setOnAction(event -> viewModel.goLive());
        live.disableProperty().bind(viewModel.viewedMomentProperty().isNull());
        live.setGraphic(icon(MaterialDesignP.PLAY_CIRCLE_OUTLINE));
        live.setMinWidth(Region.USE_PREF_SIZE);
        live.setTooltip(new Tooltip(messages.getString("dashboard.live.tooltip")));
        Label timelineLabel = new Label(messages.getString("dashboard.timeline"));
        timelineLabel.setMinWidth(Region.USE_PREF_SIZE);
        timeline.setTooltip(new Tooltip(messages.getString("dashboard.timeline.tooltip")));
        HBox scrub = new HBox(6, timelineLabel, timeline, live);
        HBox.setHgrow(timeline, Priority.ALWAYS);
        scrub.setAlignment(Pos.CENTER_LEFT);
        logScale.setMinWidth(Region.USE_PREF_SIZE);
        timelineText.setWrapText(true);
        HBox options = new HBox(10, logScale, timelineText);
        HBox.setHgrow(timelineText, Priority.ALWAYS);
        options.setAlignment(Pos.CENTER_LEFT);
        showViewedMoment(null);
        return new VBox(4, lossChart, scrub, options);
    }

    private Node sampleBox() {
        temperature.setId("dashboard-temperature");
        temperature.setPrefWidth(140);
        temperature.setValue(viewModel.temperatureProperty().get());
        viewModel.temperatureProperty().bind(temperature.valueProperty());
        temperatureValue.textProperty().bind(temperature.valueProperty().asString("%.2f"));
        sample.setId("dashboard-sample");
        sample.getStyleClass().add("dashboard-sample");
        sample.setWrapText(true);
        sample.setMaxWidth(Double.MAX_VALUE);
        sample.setMinHeight(Region.USE_PREF_SIZE);
        sample.textProperty().bind(viewModel.sampleTextProperty().map(text -> text.isEmpty()
                ? messages.getString("dashboard.sample.waiting") : text.replace("\n", " ↵ ")));
        Label title = sampleTitle;
        title.setId("dashboard-sample-title");
        title.textProperty().bind(javafx.beans.binding.Bindings.when(translating)
                .then(messages.getString("dashboard.sample.translation"))
                .otherwise(messages.getString("dashboard.sample")));
        title.getStyleClass().add("dashboard-section");
        title.setWrapText(true);
        temperature.disableProperty().bind(translating);
        Label temperatureLabel = new Label(messages.getString("dashboard.temperature"),
                icon(MaterialDesignT.THERMOMETER));
        temperatureLabel.setMinWidth(Region.USE_PREF_SIZE);
        temperatureLabel.setTooltip(new Tooltip(messages.getString("dashboard.temperature.tooltip")));
        temperatureValue.setMinWidth(Region.USE_PREF_SIZE);
        temperature.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(temperature, Priority.ALWAYS);
        HBox temperatureRow = new HBox(6, temperatureLabel, temperature, temperatureValue);
        temperatureRow.setAlignment(Pos.CENTER_LEFT);
        return new VBox(4, title, temperatureRow, sample);
    }

    private Node detailTabs() {
        weightName.setId("dashboard-weight-name");
        weightName.valueProperty().addListener((observable, before, after) -> showChange());
        deltaHeatmap.setId("dashboard-delta");
        deltaHeatmap.setColorScale(ColorScale.DIVERGING);
        ScrollPane deltaBox = heatmapBox(deltaHeatmap, "dashboard-delta-box");
        deltaText.getStyleClass().add("dashboard-caption");
        deltaText.setWrapText(true);
        movedRows.setId("dashboard-moved-rows");
        movedRows.setWrapText(true);
        movedRows.getStyleClass().add("dashboard-caption");
        weightName.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(weightName, Priority.ALWAYS);
        HBox pick = new HBox(6, settingLabel("dashboard.delta.matrix"), weightName);
        pick.setAlignment(Pos.CENTER_LEFT);
        VBox delta = new VBox(6, pick, deltaText, deltaBox, movedRows);
        delta.setPadding(new Insets(6));

        batchHeatmap.setId("dashboard-batch");
        batchHeatmap.setColorScale(ColorScale.SEQUENTIAL);
        ScrollPane batchBox = heatmapBox(batchHeatmap, "dashboard-batch-box");
        maskHeatmap.setId("dashboard-mask");
        maskHeatmap.setColorScale(ColorScale.SEQUENTIAL);
        maskHeatmap.setRange(0, 1);
        ScrollPane maskBox = heatmapBox(maskHeatmap, "dashboard-mask-box");
        batchText.setId("dashboard-batch-text");
        batchText.getStyleClass().add("dashboard-caption");
        batchText.setWrapText(true);
        VBox batch = new VBox(6, batchText, batchBox, maskBox);
        batch.setPadding(new Insets(6));

        deltaTab.setText(messages.getString("dashboard.delta"));
        deltaTab.setContent(delta);
        batchTab.setText(messages.getString("dashboard.batch"));
        batchTab.setContent(batch);
        TabPane tabs = new TabPane(deltaTab, batchTab);
        tabs.setId("dashboard-details");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((observable, before, after) -> {
            showChange();
            showBatch();
        });
        return tabs;
    }

    // ---------------------------------------------------------------- showing the state

    private void show(TrainingSnapshot now) {
        if (now == null) {
            return;
        }
        showRunning(now.running());
        epoch.setText(Long.toString(now.epoch()));
        iteration.setText(Long.toString(now.iteration()));
        batchInEpoch.setText(now.batchInEpoch() + " / " + now.batchesPerEpoch());
        samplesSeen.setText(Long.toString(now.samplesSeen()));
        trainLoss.setText(number(now.trainLoss(), "%.3f"));
        validationLoss.setText(number(now.validationLoss(), "%.3f"));
        perplexity.setText(number(now.perplexity(), "%.1f"));
        tokensPerSecond.setText(now.running() || now.tokensPerSecond() > 0
                ? String.format(messages.getLocale(), "%,.0f", now.tokensPerSecond()) : "–");
        showSettings(now.settings(), now.speed());
        // Only the open tab is redrawn for each snapshot; the other catches up when it is chosen.
        if (shownChange != now.lastUpdate()) {
            shownChange = now.lastUpdate();
            if (deltaTab.isSelected()) {
                showChange();
            }
        }
        if (shownBatch != now.batch()) {
            shownBatch = now.batch();
            if (batchTab.isSelected()) {
                showBatch();
            }
        }
    }

    private void showRunning(boolean running) {
        if (shownRunning != null && shownRunning == running) {
            return; // a new icon and tooltip for every snapshot would restyle the button each time
        }
        shownRunning = running;
        playPause.setText(messages.getString(running ? "dashboard.pause" : "dashboard.play"));
        playPause.setGraphic(icon(running ? MaterialDesignP.PAUSE : MaterialDesignP.PLAY));
        playPause.setTooltip(new Tooltip(messages.getString(running ? "dashboard.pause.tooltip"
                : "dashboard.play.tooltip")));
    }

    private void showSettings(TrainingSettings settings, TrainingSpeed currentSpeed) {
        updatingControls = true;
        try {
            if (!learningRate.isValueChanging() && Math.abs(rate() - settings.learningRate()) > 1e-12 * settings.learningRate()) {
                learningRate.setValue(Math.log10(settings.learningRate()));
            }
            if (!batchSize.getEditor().isFocused() && batchSize.getValue() != settings.batchSize()) {
                batchSize.getValueFactory().setValue(settings.batchSize());
            }
            optimizer.setValue(settings.optimizer());
            strategy.setValue(settings.strategy());
            if (!seed.isFocused()) {
                seed.setText(Long.toString(settings.seed()));
            }
            speed.setValue(currentSpeed.isFull() ? SPEEDS[0] : currentSpeed.maxIterationsPerSecond());
        } finally {
            updatingControls = false;
        }
    }

    private void showModel(LoadedModel model) {
        updatingControls = true;
        try {
            String name = viewModel.corpusNameProperty().get();
            int bundled = "english.txt".equals(name) ? 0 : "chinese.txt".equals(name) ? 1 : -1;
            if (bundled >= 0) {
                corpus.getSelectionModel().select(bundled);
            } else {
                corpus.getSelectionModel().clearSelection();
                corpus.setPromptText(name);
            }
        } finally {
            updatingControls = false;
        }
        if (model == null) {
            modelSummary.setText("");
            return;
        }
        var config = model.config();
        modelSummary.setText(I18n.format(messages, "dashboard.modelSummary", model.name(), config.nLayer(),
                config.nHead(), config.dModel(), config.vocabSize(), config.contextLength(),
                model.parameters().count(), viewModel.corpusNameProperty().get()));
        String chosen = weightName.getValue();
        weightName.getItems().setAll(model.parameters().names());
        weightName.setValue(chosen != null && model.parameters().has(chosen) ? chosen
                : ParameterLayout.TOKEN_EMBEDDING);
    }

    /** Shows the translation model being trained; null when a text model trains instead (nothing to do). */
    private void showTranslationModel(LoadedEncoderDecoder model) {
        if (model == null) {
            return;
        }
        String pairsName = viewModel.corpusNameProperty().get();
        updatingControls = true;
        try {
            corpus.getSelectionModel().clearSelection();
            corpus.setPromptText(pairsName);
        } finally {
            updatingControls = false;
        }
        var config = model.config();
        var shared = config.shared();
        modelSummary.setText(I18n.format(messages, "dashboard.translationSummary", model.name(),
                config.nEncoderLayer(), config.nDecoderLayer(), shared.nHead(), shared.dModel(),
                config.sourceVocabSize(), config.targetVocabSize(), shared.contextLength(),
                model.parameters().count(), pairsName));
        translationNote.setText(messages.getString("dashboard.translation.note"));
        String chosen = weightName.getValue();
        weightName.getItems().setAll(model.parameters().names());
        weightName.setValue(chosen != null && model.parameters().has(chosen) ? chosen
                : ParameterLayout.TOKEN_EMBEDDING);
    }

    private void showLosses(LossHistory history) {
        lossChart.setSeries(messages.getString("dashboard.series.train"), toDoubles(history.trainIterations()),
                history.trainLosses());
        lossChart.setSeries(messages.getString("dashboard.series.validation"),
                toDoubles(history.validationIterations()), history.validationLosses());
        List<TrainingTimeline.Moment> moments = viewModel.moments();
        long last = moments.isEmpty() ? 0 : moments.get(moments.size() - 1).iteration();
        timelineFromCode = true;
        try {
            timeline.setMin(0);
            timeline.setMax(Math.max(1, last));
            if (viewModel.viewedMomentProperty().get() == null) {
                timeline.setValue(timeline.getMax());
            }
        } finally {
            timelineFromCode = false;
        }
        showMarker(history);
    }

    private void showViewedMoment(TrainingTimeline.Moment moment) {
        if (moment == null) {
            timelineText.setText(messages.getString("dashboard.timeline.live"));
            timelineText.getStyleClass().remove("dashboard-viewing");
        } else {
            timelineText.setText(I18n.format(messages, "dashboard.timeline.viewing", moment.iteration(),
                    moment.epoch()));
            if (!timelineText.getStyleClass().contains("dashboard-viewing")) {
                timelineText.getStyleClass().add("dashboard-viewing");
            }
        }
        showMarker(viewModel.lossHistoryProperty().get());
    }

    /**
     * A narrow bracket on the loss chart around the moment the timeline shows: two vertical lines a few pixels
     * either side of it, joined at the top. A single line at iteration 0 would lie on the chart's y axis and vanish;
     * the bracket's left half moves the chart's x range a little below the moment, so its right line stays visible.
     */
    private void showMarker(LossHistory history) {
        String name = messages.getString("dashboard.series.viewing");
        TrainingTimeline.Moment moment = viewModel.viewedMomentProperty().get();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double loss : history.trainLosses()) {
            if (Double.isFinite(loss) && loss > 0) {
                low = Math.min(low, loss);
                high = Math.max(high, loss);
            }
        }
        if (moment == null || !(high >= low)) {
            if (lossChart.seriesNames().contains(name)) {
                lossChart.setSeries(name, new double[0], new double[0]);
            }
            return;
        }
        double at = moment.iteration();
        double halfWidth = Math.max(1, timeline.getMax() - timeline.getMin()) * MARKER_HALF_WIDTH;
        lossChart.setSeries(name, new double[] {at - halfWidth, at - halfWidth, at + halfWidth, at + halfWidth},
                new double[] {low, high, high, low});
    }

    private void flashEpochEnd() {
        epochFlash.setText(I18n.format(messages, "dashboard.epochFlash", viewModel.lastEndedEpoch()));
        epochFlash.setVisible(true);
        epochFlash.setOpacity(1);
        if (!counters.getStyleClass().contains("dashboard-flash")) {
            counters.getStyleClass().add("dashboard-flash");
        }
        PauseTransition hold = new PauseTransition(Duration.seconds(1.5));
        FadeTransition fade = new FadeTransition(Duration.seconds(0.8), epochFlash);
        fade.setFromValue(1);
        fade.setToValue(0);
        hold.setOnFinished(event -> fade.play());
        fade.setOnFinished(event -> {
            epochFlash.setVisible(false);
            counters.getStyleClass().remove("dashboard-flash");
        });
        hold.play();
    }

    private void showChange() {
        String name = weightName.getValue();
        WeightChange change = shownChange;
        if (name == null || change == null || !change.after().has(name)) {
            return;
        }
        DMatrixRMaj delta = change.delta(name);                     // [rows, cols]
        fitCells(deltaHeatmap, delta.numCols);
        deltaHeatmap.setValues(delta.data, delta.numRows, delta.numCols);
        deltaHeatmap.setTitle("ΔW " + name + "  [" + delta.numRows + " × " + delta.numCols + "]");
        double largest = change.largestChange(name);
        deltaText.setText(change.update() == 0 ? messages.getString("dashboard.delta.none")
                : largest == 0 ? I18n.format(messages, "dashboard.delta.unchanged", change.update())
                : I18n.format(messages, "dashboard.delta.caption", change.update(), largest));
        LoadedModel model = viewModel.modelProperty().get();
        LoadedEncoderDecoder translation = viewModel.translationModelProperty().get();
        Tokenizer readTokens = model != null ? model.tokenizer()
                : translation != null ? translation.targetTokenizer() : null;
        if (readTokens == null || change.update() == 0) {
            movedRows.setText("");
            return;
        }
        int[] moved = change.movedEmbeddingRows();      // rows of wte: the decoder's (target) token embedding
        int vocab = readTokens.vocabSize();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < Math.min(moved.length, 40); i++) {
            tokens.add(TokenDisplay.of(readTokens, moved[i]).text());
        }
        String list = String.join("  ", tokens) + (moved.length > tokens.size() ? "  …" : "");
        movedRows.setText(I18n.format(messages, "dashboard.delta.movedRows", moved.length, vocab, list));
    }

    private void showBatch() {
        BatchView batch = shownBatch;
        LoadedModel model = viewModel.modelProperty().get();
        LoadedEncoderDecoder translation = viewModel.translationModelProperty().get();
        if (translation != null && batch != null && batch.batchSize() > 0) {
            showTranslationBatch(batch, translation);
            return;
        }
        if (batch == null || model == null || batch.batchSize() == 0) {
            batchText.setText(messages.getString("dashboard.batch.none"));
            return;
        }
        int rows = batch.batchSize();
        int length = batch.sequenceLength();
        showBatchHeatmaps(batch, model.config().vocabSize(), I18n.format(messages, "dashboard.batch.ids", rows, length));
        Tokenizer tokenizer = model.tokenizer();
        String first = tokenizer.decode(batch.inputs()[0]).replace("\n", " ↵ ");
        batchText.setText(I18n.format(messages, "dashboard.batch.caption", rows, length, batch.dModel(),
                batch.predictions(), first));
    }

    /**
     * The batch's input ids [B, T] (rows labelled with the samples' indices, coloured over {@code vocabSize} ids)
     * under {@code title}, and the causal mask [T, T] every row is trained with.
     */
    private void showBatchHeatmaps(BatchView batch, int vocabSize, String title) {
        int rows = batch.batchSize();
        int length = batch.sequenceLength();
        double[] ids = new double[rows * length];                   // [B, T] token ids
        List<String> rowLabels = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            for (int position = 0; position < length; position++) {
                ids[row * length + position] = batch.inputs()[row][position];
            }
            rowLabels.add("#" + batch.sampleIndices()[row]);
        }
        fitCells(batchHeatmap, length);
        batchHeatmap.setValues(ids, rows, length);
        batchHeatmap.setRange(0, Math.max(1, vocabSize - 1));
        batchHeatmap.setRowLabels(rowLabels);
        batchHeatmap.setTitle(title);
        double[] mask = new double[length * length];                // [T, T]: 1 where query may see key
        for (int query = 0; query < length; query++) {
            for (int key = 0; key < length; key++) {
                mask[query * length + key] = batch.attends(query, key) ? 1 : Double.NEGATIVE_INFINITY;
            }
        }
        fitCells(maskHeatmap, length);
        maskHeatmap.setValues(mask, length, length);
        maskHeatmap.setTitle(messages.getString("dashboard.batch.mask"));
    }

    /**
     * A translation batch: the decoder's input ids [B, T] (each row the start id and a target sentence, shorter
     * rows padded with the end id), the decoder's causal mask, and the pairs themselves, source → target.
     */
    private void showTranslationBatch(BatchView batch, LoadedEncoderDecoder translation) {
        int rows = batch.batchSize();
        int length = batch.sequenceLength();
        showBatchHeatmaps(batch, translation.config().targetVocabSize(),
                I18n.format(messages, "dashboard.batch.pairsTitle", rows, length));
        TrainingSnapshot now = viewModel.snapshotProperty().get();
        List<ParallelCorpus.Pair> pairs = now == null ? List.of() : now.batchPairs();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < Math.min(pairs.size(), SHOWN_PAIRS); i++) {
            list.append('\n').append(pairs.get(i).source()).append(" → ").append(pairs.get(i).target());
        }
        if (pairs.size() > SHOWN_PAIRS) {
            list.append("\n…");
        }
        batchText.setMinHeight(Region.USE_PREF_SIZE);     // every listed pair stays readable
        batchText.setText(I18n.format(messages, "dashboard.batch.pairsCaption", rows, length) + list);
    }

    // ---------------------------------------------------------------- actions

    private void applySeed() {
        TrainingSettings settings = viewModel.settings();
        if (updatingControls || settings == null) {
            return;
        }
        try {
            long chosen = Long.parseLong(seed.getText().trim());
            if (chosen != settings.seed()) {
                settle(viewModel.setSeed(chosen));
            }
        } catch (NumberFormatException e) {
            viewModel.showMessage(I18n.format(messages, "dashboard.seed.invalid", seed.getText()), true, null);
            seed.setText(Long.toString(settings.seed()));
        }
    }

    private void chooseCorpus(int index) {
        if (index < 0) {
            return;
        }
        Corpus chosen;
        try {
            if (index == 0) {
                chosen = Corpus.english();
            } else if (index == 1) {
                chosen = Corpus.chinese();
            } else {
                FileChooser chooser = new FileChooser();
                chooser.setTitle(messages.getString("dashboard.corpus.openFile"));
                chooser.getExtensionFilters().addAll(
                        new FileChooser.ExtensionFilter(messages.getString("dashboard.corpus.textFiles"), "*.txt"),
                        new FileChooser.ExtensionFilter(messages.getString("dashboard.corpus.allFiles"), "*"));
                File file = chooser.showOpenDialog(window());
                if (file == null) {
                    return;
                }
                chosen = Corpus.open(file.toPath());
            }
        } catch (Corpus.BadCorpusException e) {
            viewModel.showMessage(I18n.format(messages, e.problem().messageKey(), e.fileName()), true, null);
            return;
        } catch (java.io.IOException e) {
            viewModel.showMessage(I18n.format(messages, "dashboard.corpus.unreadable", e.getMessage()), true, null);
            return;
        }
        useCorpus(chosen);
    }

    /**
     * Trains a new model of the current architecture and tokenizer strategy on {@code chosen}: the tokenizer is
     * trained on it, so the vocabulary and the weights are new.
     */
    public void useCorpus(Corpus chosen) {
        LoadedModel current = viewModel.modelProperty().get();
        TrainingSettings settings = viewModel.settings();
        if (current == null || settings == null) {
            return;
        }
        Tokenizer.Kind kind = current.tokenizer().kind() == Tokenizer.Kind.BYTE_LEVEL_BPE ? Tokenizer.Kind.BPE
                : current.tokenizer().kind();
        buildAndTrain(new ModelRecipe(current.config(), kind, current.config().vocabSize()), chosen, settings);
    }

    private void openNewModelDialog() {
        LoadedModel current = viewModel.modelProperty().get();
        TrainingSettings settings = viewModel.settings();
        if (current == null || settings == null) {
            return;
        }
        NewModelDialog dialog = new NewModelDialog(messages, current.config(), current.tokenizer().kind(),
                current.config().vocabSize());
        dialog.initOwner(window());
        dialog.showAndWait().filter(recipe -> confirmReplaceTraining()).ifPresent(recipe -> {
            Corpus text = viewModel.corpus();
            if (text == null) {
                try {
                    text = Corpus.english();
                } catch (java.io.IOException e) {
                    viewModel.showMessage(I18n.format(messages, "dashboard.corpus.unreadable", e.getMessage()), true,
                            null);
                    return;
                }
            }
            buildAndTrain(recipe, text, settings);
        });
    }

    /** Builds the model of {@code recipe} on {@code text} as a task with progress, then trains it with {@code settings}. */
    public Task<LoadedModel> buildAndTrain(ModelRecipe recipe, Corpus text, TrainingSettings settings) {
        if (viewModel.isRunning()) {
            viewModel.pause();
        }
        Task<LoadedModel> task = viewModel.buildModel(recipe, text, settings.seed());
        task.setOnSucceeded(event -> viewModel.train(task.getValue(), text, settings));
        task.setOnFailed(event -> viewModel.showMessage(I18n.format(messages, "dashboard.build.failed",
                rootMessage(task.getException())), true, null));
        runTask(task);
        return task;
    }

    private void openSession() {
        if (!confirmReplaceTraining()) {
            return;
        }
        Path dir = chooseSessionFolder(false);
        if (dir == null) {
            return;
        }
        viewModel.pause();
        Task<?> task = viewModel.openSession(dir);
        task.setOnFailed(event -> viewModel.showMessage(I18n.format(messages, "dashboard.session.openFailed",
                rootMessage(task.getException())), true, null));
        runTask(task);
    }

    private void saveSession() {
        Path dir = chooseSessionFolder(true);
        if (dir != null) {
            saveSessionTo(dir);
        }
    }

    /** Saves the run into {@code dir} and says so (or why not) in the message line. */
    public CompletableFuture<Path> saveSessionTo(Path dir) {
        return viewModel.saveSession(dir).whenComplete((saved, failure) -> Platform.runLater(() -> {
            if (failure != null) {
                viewModel.showMessage(I18n.format(messages, "dashboard.session.saveFailed", rootMessage(failure)),
                        true, null);
            } else {
                viewModel.showMessage(I18n.format(messages, "dashboard.session.saved", saved.toString()), false, null);
            }
        }));
    }

    private Path chooseSessionFolder(boolean forSaving) {
        if (forSaving) {
            FileChooser chooser = new FileChooser();
            chooser.setTitle(messages.getString("dashboard.session.save"));
            String trained = viewModel.trainedModelName();
            chooser.setInitialFileName(trained == null ? "session" : trained + "-session");
            File file = chooser.showSaveDialog(window());
            return file == null ? null : file.toPath();
        }
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle(messages.getString("dashboard.session.open"));
        File dir = chooser.showDialog(window());
        return dir == null ? null : dir.toPath();
    }

    private void runTask(Task<?> task) {
        progress.progressProperty().bind(task.progressProperty());
        progressText.textProperty().bind(task.messageProperty());
        progress.setVisible(true);
        progress.setManaged(true);
        task.runningProperty().addListener((observable, before, running) -> {
            if (!running) {
                progress.setVisible(false);
                progress.setManaged(false);
            }
        });
        Thread thread = new Thread(task, "stepwise-dashboard-task");
        thread.setDaemon(true);
        thread.start();
    }

    // ---------------------------------------------------------------- small helpers

    /** A button that is never squeezed into "…": its text, an icon, and a tooltip saying what it does. */
    private Button button(String id, String key, Ikon glyph, String tooltipKey, Runnable action) {
        Button button = new Button(messages.getString(key), icon(glyph));
        button.setId(id);
        button.setMinWidth(Region.USE_PREF_SIZE);
        button.setTooltip(new Tooltip(messages.getString(tooltipKey)));
        button.setOnAction(event -> action.run());
        return button;
    }

    /**
     * A box of at most {@link #HEATMAP_BOX_HEIGHT} pixels that scrolls a large heatmap in place, so a tall weight
     * matrix does not push the rest of the dashboard away.
     */
    private static ScrollPane heatmapBox(HeatmapView heatmap, String id) {
        ScrollPane box = ScrollPanes.drawnDirectly(new ScrollPane(heatmap));
        box.setId(id);
        box.getStyleClass().add("dashboard-heatmap-box");
        box.setPannable(true);
        box.setPrefViewportHeight(HEATMAP_BOX_HEIGHT);
        box.setMaxHeight(Region.USE_PREF_SIZE);
        box.setMinViewportHeight(80);
        return box;
    }

    /** Cells narrow enough for {@code columns} columns to fit the dashboard's width (whole pixels, at least 1). */
    private static void fitCells(HeatmapView heatmap, int columns) {
        double size = Math.floor(HEATMAP_FIT_WIDTH / Math.max(1, columns));
        heatmap.cellSizeProperty().set(Math.max(HeatmapView.MIN_CELL_SIZE, Math.min(MAX_CELL, size)));
    }

    private static FontIcon icon(Ikon glyph) {
        FontIcon icon = new FontIcon(glyph);
        icon.setIconSize(16);
        icon.getStyleClass().add("dashboard-icon");
        return icon;
    }

    private Label settingLabel(String key) {
        Label label = new Label(messages.getString(key));
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    private double rate() {
        return Math.pow(10, learningRate.getValue());
    }

    private String rateText(double value) {
        return I18n.format(messages, "dashboard.learningRate.value", value);
    }

    private String number(double value, String format) {
        return Double.isFinite(value) ? String.format(messages.getLocale(), format, value) : "–";
    }

    private static double[] toDoubles(long[] values) {
        return Arrays.stream(values).asDoubleStream().toArray();
    }

    private void settle(CompletableFuture<TrainingSettings> change) {
        change.exceptionally(failure -> null);   // a refused change arrives as a SETTINGS_REJECTED snapshot too
    }

    private Window window() {
        return getScene() == null ? null : getScene().getWindow();
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }
}
