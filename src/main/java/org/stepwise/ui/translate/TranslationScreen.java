package org.stepwise.ui.translate;

import java.util.ResourceBundle;
import java.util.function.Consumer;

import javafx.event.Event;
import javafx.scene.Node;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.util.Subscription;

import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * Puts the translation window in place of the decoder-only visualizer when a translation model is opened, and
 * back when a decoder-only model is: the training dashboard moves along and trains the translation model on the
 * English→Chinese pairs, and the window follows its weights. When the dashboard starts training another translation
 * model by itself (a reopened session, a converted model), the window shows that one. A screen built anew for
 * another language takes over the view model of the one before, so the sentences, stage, head and training stay.
 * An open lessons panel moves along, beside the translation window's pipeline strip, and goes back with the
 * visualizer. Every method is called on the FX thread.
 */
public final class TranslationScreen {

    private final ResourceBundle messages;
    private final BorderPane frame;
    private final BorderPane visualizer;
    private final TrainingDashboard dashboard;
    private TranslationViewModel viewModel;
    private TranslationWindow window;
    private volatile boolean showing;
    private Consumer<Parameters> weightsListener;
    private final Subscription trainerFollower;
    /** The lessons panel while it is carried beside the translation window's strip, else null. */
    private Node carriedLessons;
    private Pane lessonsHome;
    private int lessonsIndex;
    private Node strip;
    /** Whether the visualizer showed the dashboard when the translation window took its place. */
    private boolean dashboardWasBeside = true;

    /** The id of the lessons panel that moves along with the translation window. */
    public static final String LESSONS_PANEL_ID = "lessons-panel";

    /**
     * @param frame      the scene's root, whose centre holds the visualizer or the translation window
     * @param visualizer the decoder-only visualizer's root, with the dashboard on its right
     * @param dashboard  the training dashboard
     */
    public TranslationScreen(ResourceBundle messages, BorderPane frame, BorderPane visualizer, TrainingDashboard dashboard) {
        this(messages, frame, visualizer, dashboard, null);
    }

    /**
     * A screen that takes over what {@code before} (a screen of the same window in another language, or null) shows:
     * its view model, now writing in {@code messages}, and whether it is on screen; {@code before} lets go of it.
     * Call {@link #putOnScreen()} once the window's parts are built.
     */
    public TranslationScreen(ResourceBundle messages, BorderPane frame, BorderPane visualizer, TrainingDashboard dashboard,
            TranslationScreen before) {
        if (messages == null || frame == null || visualizer == null || dashboard == null) {
            throw new IllegalArgumentException("messages, frame, visualizer and dashboard are required");
        }
        this.messages = messages;
        this.frame = frame;
        this.visualizer = visualizer;
        this.dashboard = dashboard;
        if (before != null && before.viewModel != null) {
            boolean wasShowing = before.showing;
            before.release();
            viewModel = before.viewModel;
            viewModel.setMessages(messages);
            window = new TranslationWindow(viewModel, messages);
            window.root().addEventFilter(KeyEvent.KEY_PRESSED, this::forwardLessonKeys);
            window.addTraining(dashboard, before.window.trainingToggle().isSelected());
            listenToTrainer();
            showing = wasShowing;
        } else if (before != null) {
            before.release();
        }
        trainerFollower = dashboard.viewModel().translationModelProperty().subscribe((was, trained) -> follow(trained));
    }

    /**
     * Shows {@code model} in the translation window and hands it to the trainer (paused); when the user keeps the
     * run in progress instead, the trainer pauses and says why it does not train this model.
     */
    public void show(LoadedEncoderDecoder model) {
        show(model, true);
    }

    /**
     * Shows {@code model} in the translation window; with {@code train} it is handed to the trainer (paused) as in
     * {@link #show(LoadedEncoderDecoder)}, without it the run in progress is kept and the dashboard says why this
     * model is not trained.
     */
    public void show(LoadedEncoderDecoder model, boolean train) {
        show(model, train, true);
    }

    /**
     * Shows {@code model} like {@link #show(LoadedEncoderDecoder)}, but the trainer takes it over without asking about
     * the run in progress: a lesson chose the model.
     */
    public void showForLesson(LoadedEncoderDecoder model) {
        show(model, true, false);
    }

    private void show(LoadedEncoderDecoder model, boolean train, boolean askFirst) {
        if (model == null) {
            throw new IllegalArgumentException("a model is required");
        }
        display(model);
        if (!train || !dashboard.trainTranslation(model, askFirst)) {
            // The user kept the run in progress (or the pairs cannot be read): shown, but not trained.
            if (dashboard.viewModel().readyProperty().get()) {
                dashboard.viewModel().pause();
            }
            dashboard.setTrainingOff(I18n.format(messages, "encdec.training.off", model.name()));
        }
        putOnScreen();
        window.root().requestFocus();
    }

    /** Puts {@code model} into the view model (made on first use) without touching the trainer. */
    private void display(LoadedEncoderDecoder model) {
        if (viewModel == null) {
            viewModel = new TranslationViewModel(model, messages, messages.getString("encdec.defaultSource"));
            window = new TranslationWindow(viewModel, messages);
            window.root().addEventFilter(KeyEvent.KEY_PRESSED, this::forwardLessonKeys);
            window.addTraining(dashboard, true);
            listenToTrainer();
        } else if (viewModel.modelProperty().get() != model) {
            viewModel.setModel(model);
        }
        showing = true;
    }

    /**
     * The dashboard trains {@code trained} (or a text model, for null): a translation model it started by itself
     * (a reopened session, a converted model) comes on screen; one it started for this screen, or a reset of the
     * same model, is already here and its weights arrive through the trainer.
     */
    private void follow(LoadedEncoderDecoder trained) {
        if (trained == null) {
            return;
        }
        LoadedEncoderDecoder current = viewModel == null ? null : viewModel.modelProperty().get();
        boolean sameModel = sameModel(current, trained);
        if (sameModel && showing) {
            return;
        }
        if (!sameModel) {
            display(trained);
        }
        dashboard.setTrainingOff(null);
        showing = true;
        putOnScreen();
    }

    private void listenToTrainer() {
        weightsListener = weights -> {
            if (showing && viewModel != null) {
                viewModel.setLiveWeights(weights);     // weights of another model are ignored there
            }
        };
        dashboard.viewModel().addWeightsListener(weightsListener);
    }

    /** Lets go of the view model and the trainer, for a screen that takes this one's place. */
    private void release() {
        showing = false;
        bringLessonsBack();
        if (trainerFollower != null) {
            trainerFollower.unsubscribe();
        }
        if (weightsListener != null) {
            dashboard.viewModel().removeWeightsListener(weightsListener);
            weightsListener = null;
        }
        if (window != null) {
            window.detach();
        }
    }

    /**
     * Puts what this screen says is shown into the frame: the translation window with the dashboard at its right
     * while a translation model is on screen, else the decoder-only visualizer.
     */
    public void putOnScreen() {
        if (showing && window != null) {
            if (frame.getCenter() == window.root()) {
                return;
            }
            dashboardWasBeside = visualizer.getRight() == dashboard;
            visualizer.setRight(null);
            window.showTraining();
            frame.setCenter(window.root());
            carryLessons();
            if (carriedLessons != null && (!dashboardWasBeside || frame.getWidth() < MainWindow.ROOM_FOR_ALL_PANELS)) {
                // As in the visualizer: lessons, strip, stage and dashboard do not fit side by side, so the stage
                // keeps its room and the dashboard comes back when a lesson acts on the training (or on T).
                window.trainingToggle().setSelected(false);
            }
        } else {
            frame.setCenter(visualizer);
        }
    }

    /**
     * While a translation model is on screen, turns the dashboard's training on when it trains that model, or off
     * with the reason, and returns true; returns false (nothing done) while the visualizer is on screen.
     */
    public boolean showTrainingState() {
        if (!showing || viewModel == null) {
            return false;
        }
        LoadedEncoderDecoder shown = viewModel.modelProperty().get();
        LoadedEncoderDecoder trained = dashboard.viewModel().translationModelProperty().get();
        dashboard.setTrainingOff(sameModel(shown, trained) ? null
                : I18n.format(messages, "encdec.training.off", shown.name()));
        return true;
    }

    /** True when {@code trained} is {@code shown} or the same model with other weights (reset, resumed). */
    private static boolean sameModel(LoadedEncoderDecoder shown, LoadedEncoderDecoder trained) {
        return shown != null && trained != null && (shown == trained
                || shown.name().equals(trained.name()) && shown.config().equals(trained.config()));
    }

    /** Puts the decoder-only visualizer back (with the dashboard); nothing happens when it is on screen. */
    public void hide() {
        if (!showing) {
            return;
        }
        viewModel.stopTranslating();
        boolean lessonsWereCarried = carriedLessons != null;
        bringLessonsBack();
        window.root().setRight(null);
        visualizer.setRight(lessonsWereCarried && !dashboardWasBeside ? null : dashboard);
        frame.setCenter(visualizer);
        showing = false;
    }

    /** Carries the lessons panel beside the strip when it was opened while this window was already on screen. */
    public void carryOpenLessons() {
        if (showing && window != null && carriedLessons == null && frame.getCenter() == window.root()) {
            carryLessons();
        }
    }

    /** Moves the visualizer's lessons panel, when it is open, to the left of the translation window's strip. */
    private void carryLessons() {
        Node lessons = visualizer.lookup("#" + LESSONS_PANEL_ID);
        if (lessons == null || !lessons.isVisible() || !(lessons.getParent() instanceof Pane home)) {
            return;
        }
        lessonsHome = home;
        lessonsIndex = home.getChildren().indexOf(lessons);
        strip = window.root().getLeft();
        home.getChildren().remove(lessons);
        window.root().setLeft(new HBox(lessons, strip));
        carriedLessons = lessons;
    }

    /**
     * While the lessons panel is carried along, Page Up and Page Down step through the lesson as they do in the
     * visualizer, whose root holds the lesson's keys.
     */
    private void forwardLessonKeys(KeyEvent event) {
        if (carriedLessons != null && (event.getCode() == KeyCode.PAGE_UP || event.getCode() == KeyCode.PAGE_DOWN)) {
            Event.fireEvent(visualizer, event.copyFor(visualizer, visualizer));
            event.consume();
        }
    }

    /** Puts the lessons panel back where {@link #carryLessons()} took it from, unless it was moved since. */
    private void bringLessonsBack() {
        if (carriedLessons == null) {
            return;
        }
        Node carrier = window.root().getLeft();
        window.root().setLeft(strip);
        if (carrier instanceof HBox beside && carriedLessons.getParent() == beside) {   // not taken back since
            beside.getChildren().remove(carriedLessons);
            lessonsHome.getChildren().add(Math.min(lessonsIndex, lessonsHome.getChildren().size()), carriedLessons);
        }
        carriedLessons = null;
        lessonsHome = null;
    }

    /** Puts the training dashboard beside the translation window when it is on screen without it. */
    public void showDashboard() {
        if (showing && window != null) {
            window.trainingToggle().setSelected(true);
        }
    }

    /** True while the translation window is on screen. */
    public boolean isShowing() {
        return showing;
    }

    /** The translation window, or null before a translation model was first opened. */
    public TranslationWindow window() {
        return window;
    }
}
