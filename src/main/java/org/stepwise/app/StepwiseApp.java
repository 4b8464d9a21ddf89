package org.stepwise.app;

import java.io.IOException;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.prefs.Preferences;

import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.Screen;
import javafx.stage.Stage;

import org.stepwise.lesson.LessonLibrary;
import org.stepwise.lesson.LessonProgress;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.ui.AppMenu;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.OpenModelController;
import org.stepwise.ui.RecentModels;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.convert.ModelMenu;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.lesson.LessonPlayer;
import org.stepwise.ui.lesson.LessonsPanel;
import org.stepwise.ui.lesson.WindowLessonHost;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.train.TrainingSettings;

/**
 * The desktop application: opens the bundled model, shows it in the visualizer's main window, and
 * puts the training dashboard beside it and the lessons panel at its left; the visualizer follows the
 * weights the dashboard trains. The File menu opens any model folder; a model too large to train is
 * shown with training off.
 */
public final class StepwiseApp extends Application {

    /** Models with a vocabulary this large (GPT-2's) are shown but not trained. */
    public static final int UNTRAINABLE_VOCAB = 50257;
    /** Models with more parameters than this are shown but not trained. */
    public static final long UNTRAINABLE_PARAMETERS = 10_000_000L;

    private VisualizerViewModel viewModel;
    private MainWindow window;
    private TrainingDashboard dashboard;
    private OpenModelController opener;
    private ResourceBundle messages;
    /** The app's preferences: recent models and lesson progress live in nodes under it. */
    private Preferences preferences = Preferences.userNodeForPackage(StepwiseApp.class).node("settings");
    private LessonsPanel lessons;
    /** The config of the model on screen, read by the trainer's thread. */
    private volatile ModelConfig shownConfig;
    /** Whether the model on screen is the one the trainer trains (read by the trainer's thread). */
    private volatile boolean trainerShown = true;
    /** The model last opened from the File menu, or null while the start model is on screen. */
    private LoadedModel opened;
    /** Where the session is kept between runs; null keeps none (an app started without {@link #init}). */
    private DataDirectory dataDirectory;
    private SessionKeeper session;

    /** Keeps the session in the platform's data directory (the JavaFX launcher calls this before start). */
    @Override
    public void init() {
        if (dataDirectory == null) {
            dataDirectory = DataDirectory.platformDefault();
        }
    }

    /** Keeps the session (and autosaved training) in {@code directory}; call before {@link #start}. */
    public void useDataDirectory(DataDirectory directory) {
        this.dataDirectory = directory;
    }

    @Override
    public void start(Stage stage) throws IOException {
        messages = I18n.bundle(Locale.getDefault());
        LoadedModel model = DefaultModel.load();
        session = dataDirectory == null ? null : new SessionKeeper(dataDirectory, messages);
        String sentence = messages.getString("ui.defaultSentence");
        viewModel = new VisualizerViewModel(model, messages, session == null ? sentence : session.sentence(sentence));
        shownConfig = model.config();
        window = new MainWindow(viewModel, messages);
        dashboard = new TrainingDashboard(messages);
        dashboard.setPrefWidth(500);
        dashboard.setMinWidth(420);
        window.root().setRight(dashboard);
        dashboard.modelProperty().addListener((observable, before, trained) -> followTrainer(before, trained));
        dashboard.addWeightsListener(this::showTrainedWeights);
        window.addLessons(lessonsPanel(messages, model));
        stage.setOnCloseRequest(event -> {
            if (!dashboard.confirmCloseWhileTraining()) {
                event.consume();
            }
        });
        // As large as the visualizer and the dashboard want side by side, but never beyond the screen.
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        opener = new OpenModelController(messages, new RecentModels(preferences), DefaultModel::load, this::showOpened,
                () -> stage);
        AppMenu menu = new AppMenu(messages, opener, () -> {
            if (dashboard.confirmCloseWhileTraining()) {
                stage.close();
            }
        });
        if (session != null) {
            session.addAutosaveMenu(menu.bar().getMenus().get(0));
        }
        menu.bar().getMenus().add(new ModelMenu(messages, viewModel, dashboard, shown -> trainingOffReason(shown, messages),
                this::showOpened, () -> stage).menu());
        HBox.setHgrow(menu.bar(), Priority.ALWAYS);
        HBox menuRow = new HBox(8, menu.bar(), opener.progressNode());
        BorderPane frame = new BorderPane(window.root());
        frame.setTop(menuRow);
        Scene scene = new Scene(frame, Math.min(1560, screen.getWidth()), Math.min(940, screen.getHeight()));
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        stage.setTitle(messages.getString("app.title"));
        stage.setScene(scene);
        stage.show();
        window.root().requestFocus();   // the step keys work at once; a click puts the cursor in the sentence
        if (session != null) {
            session.begin(this, stage);
        }
    }

    /**
     * Keeps the recent models and the lesson progress under {@code node} instead of the user's own preferences;
     * call before {@link #start}.
     */
    public void usePreferences(Preferences node) {
        this.preferences = node;
    }

    /**
     * Why the trainer should not train {@code model} (too large to learn visibly here), or null when it may.
     */
    public static String trainingOffReason(LoadedModel model, ResourceBundle messages) {
        long parameterCount = 0;
        for (String name : model.parameters().names()) {
            parameterCount += model.parameters().get(name).getNumElements();
        }
        if (model.config().vocabSize() >= UNTRAINABLE_VOCAB || parameterCount > UNTRAINABLE_PARAMETERS) {
            return I18n.format(messages, "open.training.off", model.name(), model.config().vocabSize(), parameterCount);
        }
        return null;
    }

    /** Shows a model opened from the File menu; the trainer takes it over when it is small enough. */
    private void showOpened(LoadedModel model) {
        boolean trainerTakesIt = trainingOffReason(model, messages) == null && dashboard.viewModel().readyProperty().get();
        if (trainerTakesIt && !dashboard.confirmReplaceTraining()) {
            return;                         // the user kept the model being trained: nothing changes
        }
        opened = model;
        shownConfig = model.config();
        String reason = trainingOffReason(model, messages);
        if (reason != null) {
            trainerShown = false;
            dashboard.setTrainingOff(reason);
            viewModel.setModel(model);
            return;
        }
        viewModel.setModel(model);
        if (!dashboard.viewModel().readyProperty().get()) {
            trainerShown = false;           // the bundled model is still loading; the trainer takes this one after
            return;
        }
        startTraining(model);
    }

    /** Hands {@code model} to the trainer (paused) on the current corpus and settings. */
    private void startTraining(LoadedModel model) {
        TrainingSettings settings = dashboard.viewModel().settings();
        try {
            Corpus text = dashboard.viewModel().corpus() != null ? dashboard.viewModel().corpus() : Corpus.english();
            dashboard.setTrainingOff(null);
            dashboard.viewModel().pause();
            dashboard.viewModel().train(model, text, settings != null ? settings : TrainingSettings.defaults());
            trainerShown = true;
        } catch (IOException | IllegalArgumentException cannot) {
            trainerShown = false;
            dashboard.setTrainingOff(I18n.format(messages, "open.training.cannot", cannot.getMessage()));
        }
    }

    /** Shows the trainer's new model (built, reset or opened in the dashboard) in the visualizer. */
    private void followTrainer(LoadedModel before, LoadedModel trained) {
        if (trained == null) {
            return;
        }
        if (trained == viewModel.modelProperty().get()) {
            trainerShown = true;            // the trainer took over the model on screen
            return;
        }
        if (before == null && opened != null) {
            // The bundled model finished loading after a model was opened: the opened one stays on screen.
            if (trainingOffReason(opened, messages) == null) {
                startTraining(opened);
            }
            return;
        }
        opened = null;
        dashboard.setTrainingOff(null);
        shownConfig = trained.config();
        trainerShown = true;
        viewModel.setModel(trained);
    }

    /**
     * The lessons of the user's language beside the pipeline strip, acting on this window and its
     * dashboard; when the lessons cannot be listed the panel says why.
     */
    private LessonsPanel lessonsPanel(ResourceBundle messages, LoadedModel bundled) {
        WindowLessonHost host = new WindowLessonHost(viewModel, dashboard.viewModel(), window.root(), () -> bundled);
        LessonPlayer player = new LessonPlayer(host, LessonProgress.stored(preferences.node("lesson-progress")));
        lessons = new LessonsPanel(messages, host, player);
        lessons.installKeys(window.root());
        try {
            lessons.setEntries(LessonLibrary.loadBundled(Locale.getDefault()));
        } catch (IOException unreadable) {
            lessons.showLoadError(unreadable.getMessage());
        }
        return lessons;
    }

    /**
     * Hands the trainer's latest weights to the visualizer (any thread). Weights of a model the
     * visualizer has not switched to yet (a new model was just built) are skipped: the next snapshot
     * after the switch brings them.
     */
    private void showTrainedWeights(org.stepwise.model.Parameters weights) {
        if (!trainerShown) {
            return;
        }
        try {
            ParameterLayout.of(shownConfig).check(weights);
        } catch (IllegalArgumentException otherModel) {
            return;
        }
        viewModel.setLiveWeights(weights);
    }

    /** The window's view model (for tests); null before start. */
    public VisualizerViewModel viewModel() {
        return viewModel;
    }

    /**
     * Trains the translation model {@code model} in the dashboard on the bundled English→Chinese pairs (paused); the
     * visualizer keeps what it shows. False when the user kept the current run or the model cannot be trained.
     */
    public boolean trainTranslation(org.stepwise.model.io.LoadedEncoderDecoder model) {
        return dashboard.trainTranslation(model);
    }

    /** The training dashboard beside the visualizer; null before start. */
    public TrainingDashboard dashboard() {
        return dashboard;
    }

    /** The File menu's model opener; null before start. */
    public OpenModelController opener() {
        return opener;
    }

    /** The lessons panel; null before start. */
    public LessonsPanel lessons() {
        return lessons;
    }

    /** What keeps the session across restarts; null before start or without a data directory. */
    public SessionKeeper session() {
        return session;
    }

    /** The model last opened from the File menu while it is on screen or waits for the trainer, else null. */
    LoadedModel openedModel() {
        return opened;
    }

    /** The main window; null before start. */
    public MainWindow window() {
        return window;
    }

    @Override
    public void stop() {
        if (session != null) {
            session.close();
        }
        if (dashboard != null) {
            dashboard.viewModel().close();
        }
        if (viewModel != null) {
            viewModel.close();
        }
    }
}
