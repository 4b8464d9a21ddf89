package org.stepwise.app;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.function.Function;
import java.util.prefs.Preferences;

import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.Dialog;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.Screen;
import javafx.stage.Stage;

import org.stepwise.lesson.Lesson;
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
import org.stepwise.ui.display.DisplayControl;
import org.stepwise.ui.display.DisplayPreferences;
import org.stepwise.ui.display.KeyboardMap;
import org.stepwise.ui.display.ViewMenu;
import org.stepwise.ui.display.ZoomPane;
import org.stepwise.ui.export.ExportController;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.lesson.LessonPlayer;
import org.stepwise.ui.lesson.LessonsPanel;
import org.stepwise.ui.lesson.WindowLessonHost;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.translate.TranslationScreen;
import org.stepwise.train.TrainingSettings;

/**
 * The desktop application: opens the bundled model, shows it in the visualizer's main window, and
 * puts the training dashboard beside it and the lessons panel at its left; the visualizer follows the
 * weights the dashboard trains. The File menu opens any model folder; a model too large to train is
 * shown with training off. The View menu switches the language (the window is rebuilt around the same view
 * models, so nothing on screen is lost), the theme, the zoom and presentation mode.
 */
public final class StepwiseApp extends Application {

    /** Models with a vocabulary this large (GPT-2's) are shown but not trained. */
    public static final int UNTRAINABLE_VOCAB = 50257;
    /** Models with more parameters than this are shown but not trained. */
    public static final long UNTRAINABLE_PARAMETERS = 10_000_000L;

    private VisualizerViewModel viewModel;
    /** Style class of the main window's root in presentation mode (larger stage title and step buttons). */
    public static final String PRESENTING_CLASS = "presenting";

    private MainWindow window;
    private TrainingDashboard dashboard;
    private OpenModelController opener;
    private ExportController exporter;
    private ResourceBundle messages;
    /** The app's preferences: recent models, lesson progress and export folders live in nodes under it. */
    private Preferences preferences = Preferences.userNodeForPackage(StepwiseApp.class).node("settings");
    private LessonsPanel lessons;
    private Preferences displayNode = Preferences.userNodeForPackage(StepwiseApp.class).node("display");
    private DisplayPreferences displayPreferences;
    private DisplayControl display;
    private Locale language;
    private Stage stage;
    /** The scene's content inside the zoom: the menu row on top, the main window in the centre. */
    private final BorderPane frame = new BorderPane();
    private HBox menuRow;
    private RecentModels recentModels;
    private WindowLessonHost lessonHost;
    private LessonPlayer lessonPlayer;
    private Dialog<Void> keyboardMap;
    /** Writes why training is off in a language; null while training is on. */
    private Function<ResourceBundle, String> trainingOff;
    /** The config of the model on screen, read by the trainer's thread. */
    private volatile ModelConfig shownConfig;
    /** Whether the model on screen is the one the trainer trains (read by the trainer's thread). */
    private volatile boolean trainerShown = true;
    /** The model last opened from the File menu, or null while the start model is on screen. */
    private LoadedModel opened;
    /** Where the session is kept between runs; null keeps none (an app started without {@link #init}). */
    private DataDirectory dataDirectory;
    private SessionKeeper session;
    /** Swaps in the translation window when an encoder-decoder model is opened. */
    private TranslationScreen translation;

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
        this.stage = stage;
        displayPreferences = new DisplayPreferences(displayNode);
        language = displayPreferences.locale(Locale.getDefault());
        messages = I18n.bundle(language);
        LoadedModel model = DefaultModel.load();
        session = dataDirectory == null ? null : new SessionKeeper(dataDirectory, messages);
        String sentence = messages.getString("ui.defaultSentence");
        viewModel = new VisualizerViewModel(model, messages, session == null ? sentence : session.sentence(sentence));
        shownConfig = model.config();
        dashboard = new TrainingDashboard(messages);
        dashboard.modelProperty().addListener((observable, before, trained) -> followTrainer(before, trained));
        dashboard.addWeightsListener(this::showTrainedWeights);
        recentModels = new RecentModels(preferences);
        lessonHost = new WindowLessonHost(viewModel, dashboard.viewModel(), frame, () -> model);
        lessonPlayer = new LessonPlayer(lessonHost, LessonProgress.stored(preferences.node("lesson-progress")));
        ZoomPane zoomPane = new ZoomPane(frame);
        display = new DisplayControl(stage, zoomPane, displayPreferences, this::present, this::showKeyboardMap,
                messages);
        buildViews();
        stage.setOnCloseRequest(event -> {
            if (!mayClose()) {
                event.consume();
            }
        });
        // As large as the visualizer and the dashboard want side by side, but never beyond the screen.
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        Scene scene = new Scene(zoomPane, Math.min(1560, screen.getWidth()), Math.min(940, screen.getHeight()));
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        display.install(scene);
        stage.setScene(scene);
        stage.show();
        window.root().requestFocus();   // the step keys work at once; a click puts the cursor in the sentence
        if (session != null) {
            session.begin(this, stage);
        }
    }

    /**
     * Whether the window may close now. With a session kept, the training is autosaved on exit and comes back at
     * the next start, so nothing is asked; without one, unsaved training asks whether to save it first.
     */
    private boolean mayClose() {
        return session != null || dashboard.confirmCloseWhileTraining();
    }

    /**
     * Builds the visible parts of the window in {@link #messages}' language around the view models, which are
     * made once: the visualizer, the lessons panel (left), the menu bar, and puts {@link #dashboard} beside them.
     */
    private void buildViews() {
        window = new MainWindow(viewModel, messages);
        dashboard.setPrefWidth(500);
        dashboard.setMinWidth(420);
        window.addTraining(dashboard);
        window.addLessons(lessonsPanel(messages));
        opener = new OpenModelController(messages, recentModels, DefaultModel::load, this::showOpened, () -> stage);
        translation = new TranslationScreen(messages, frame, window.root(), dashboard, translation);
        opener.setTranslationOpener(TranslationModel::load, translation::show);
        lessonHost.useTranslation(translation, TranslationModel::load);
        AppMenu menu = new AppMenu(messages, opener, () -> {
            if (mayClose()) {
                stage.close();
            }
        });
        if (session != null) {
            session.addAutosaveMenu(menu.bar().getMenus().get(0));
        }
        ModelMenu modelMenu = new ModelMenu(messages, viewModel, dashboard, shown -> trainingOffReason(shown, messages),
                this::showOpened, () -> stage);
        modelMenu.useTranslationScreen(translation);
        menu.bar().getMenus().add(modelMenu.menu());
        exporter = ExportController.forWindow(messages, viewModel, window.root(), () -> stage, preferences.node("export"));
        exporter.addTo(menu.bar());
        menu.bar().getMenus().add(new ViewMenu(messages, language, this::switchLanguage, display,
                this::showKeyboardMap).menu());
        HBox.setHgrow(menu.bar(), Priority.ALWAYS);
        menuRow = new HBox(8, menu.bar(), exporter.progressNode(), opener.progressNode());
        frame.setTop(menuRow);
        translation.putOnScreen();
        stage.setTitle(messages.getString("app.title"));
    }

    /**
     * Shows every string of the window in {@code chosen}'s language (English or Simplified Chinese) and remembers
     * the choice. The model, sentence, stage, selections, training and the open lesson stay as they are; the
     * lesson is shown from its file in the new language when there is one with the same steps.
     */
    public void switchLanguage(Locale chosen) {
        if (chosen == null) {
            throw new IllegalArgumentException("a language is required");
        }
        boolean presenting = display.isPresenting();
        display.leavePresentation();
        boolean lessonsShown = window.lessonsToggle().isSelected();
        boolean trainingShown = window.trainingToggle().isSelected();
        window.detach();
        dashboard.detach();
        lessons.detach();
        displayPreferences.setLocale(chosen);
        language = "zh".equals(chosen.getLanguage()) ? Locale.SIMPLIFIED_CHINESE : Locale.ENGLISH;
        messages = I18n.bundle(language);
        viewModel.setMessages(messages);
        dashboard.viewModel().setMessages(messages);
        display.setMessages(messages);
        TrainingDashboard before = dashboard;
        dashboard = new TrainingDashboard(messages, before.viewModel());
        dashboard.showAs(before);
        buildViews();
        showTrainingOff();
        window.lessonsToggle().setSelected(lessonsShown);
        window.trainingToggle().setSelected(trainingShown);
        translation.carryOpenLessons();     // the open lesson stays beside the translation window
        window.root().requestFocus();
        if (presenting) {
            display.enterPresentation();
        }
    }

    /**
     * Presentation mode's layout: no menu, no lessons, no dashboard, and the top bar without the freeze and
     * lessons toggles (F5 and L still work), so the sentence keeps its room; returns what puts it all back.
     */
    private Runnable present() {
        MainWindow shown = window;
        boolean lessonsShown = shown.lessonsToggle().isSelected();
        boolean trainingShown = shown.trainingToggle().isSelected();
        javafx.scene.Node right = shown.root().getRight();
        List<javafx.scene.Node> toggles = List.of(shown.lessonsToggle(), shown.trainingToggle(),
                shown.root().lookup("#freeze"));
        shown.lessonsToggle().setSelected(false);
        shown.root().setRight(null);
        frame.setTop(null);
        shown.root().getStyleClass().add(PRESENTING_CLASS);
        for (javafx.scene.Node toggle : toggles) {
            toggle.setVisible(false);
            toggle.setManaged(false);
        }
        return () -> {
            for (javafx.scene.Node toggle : toggles) {
                toggle.setVisible(true);
                toggle.setManaged(true);
            }
            shown.root().getStyleClass().remove(PRESENTING_CLASS);
            frame.setTop(menuRow);
            shown.lessonsToggle().setSelected(lessonsShown);       // first: on a narrow window it hides the dashboard
            shown.trainingToggle().setSelected(trainingShown);
            shown.root().setRight(right);
        };
    }

    /** Opens the keyboard map, or brings it to the front when it is open. */
    private void showKeyboardMap() {
        if (keyboardMap != null && keyboardMap.isShowing()) {
            keyboardMap.getDialogPane().getScene().getWindow().requestFocus();
            return;
        }
        keyboardMap = KeyboardMap.dialog(messages, stage);
        keyboardMap.show();
    }

    /** The keyboard map last opened, or null. */
    public Dialog<Void> keyboardMap() {
        return keyboardMap;
    }

    /** The window's theme, zoom and presentation mode; null before start. */
    public DisplayControl display() {
        return display;
    }

    /** Keeps the language, theme and zoom in {@code node} instead of the user's own preferences; call before {@link #start}. */
    public void useDisplayPreferences(Preferences node) {
        this.displayNode = node;
    }

    /**
     * Keeps the recent models, the lesson progress and the export folders under {@code node} instead of the
     * user's own preferences; call before {@link #start}.
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
        translation.hide();
        shownConfig = model.config();
        String reason = trainingOffReason(model, messages);
        if (reason != null) {
            trainerShown = false;
            setTrainingOff(bundle -> trainingOffReason(model, bundle));
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
            setTrainingOff(null);
            dashboard.viewModel().pause();
            dashboard.viewModel().train(model, text, settings != null ? settings : TrainingSettings.defaults());
            trainerShown = true;
        } catch (IOException | IllegalArgumentException cannot) {
            trainerShown = false;
            setTrainingOff(bundle -> I18n.format(bundle, "open.training.cannot", cannot.getMessage()));
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
        translation.hide();
        setTrainingOff(null);
        shownConfig = trained.config();
        trainerShown = true;
        viewModel.setModel(trained);
    }

    /** Turns training off with the reason {@code reason} writes in a language, or back on for null. */
    private void setTrainingOff(Function<ResourceBundle, String> reason) {
        trainingOff = reason;
        showTrainingOff();
    }

    private void showTrainingOff() {
        if (!translation.showTrainingState()) {
            dashboard.setTrainingOff(trainingOff == null ? null : trainingOff.apply(messages));
        }
    }

    /**
     * The lessons of the shown language beside the pipeline strip, acting on this window and its dashboard;
     * when the lessons cannot be listed the panel says why. An open lesson is shown from its file in this
     * language when that file has the same steps.
     */
    private LessonsPanel lessonsPanel(ResourceBundle messages) {
        lessons = new LessonsPanel(messages, lessonHost, lessonPlayer);
        lessons.installKeys(window.root());
        try {
            List<LessonLibrary.Entry> entries = LessonLibrary.loadBundled(language);
            Lesson open = lessonPlayer.lessonProperty().get();
            for (LessonLibrary.Entry entry : entries) {
                if (open != null && entry.ok() && entry.lesson() != open && entry.lesson().id().equals(open.id())
                        && entry.lesson().steps().size() == open.steps().size()) {
                    lessonPlayer.replaceLesson(entry.lesson());
                }
            }
            lessons.setEntries(entries);
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

    /** The File → Export actions; null before start. */
    public ExportController exporter() {
        return exporter;
    }

    /** What keeps the session across restarts; null before start or without a data directory. */
    public SessionKeeper session() {
        return session;
    }

    /** The model last opened from the File menu while it is on screen or waits for the trainer, else null. */
    LoadedModel openedModel() {
        return opened;
    }

    /** The lessons panel; null before start. */
    public LessonsPanel lessons() {
        return lessons;
    }

    /** The main window; null before start. */
    public MainWindow window() {
        return window;
    }

    /** What shows a translation (encoder-decoder) model in place of the visualizer. */
    public TranslationScreen translation() {
        return translation;
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
