package org.stepwise.ui.translate;

import java.util.ResourceBundle;

import javafx.event.Event;
import javafx.scene.Node;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;

import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * Puts the translation window in place of the decoder-only visualizer when a translation model is opened, and
 * back when a decoder-only model is: the training dashboard moves along and trains the translation model on the
 * English→Chinese pairs, and the window follows its weights. Every method is called on the FX thread.
 */
public final class TranslationScreen {

    private final ResourceBundle messages;
    private final BorderPane frame;
    private final BorderPane visualizer;
    private final TrainingDashboard dashboard;
    private TranslationViewModel viewModel;
    private TranslationWindow window;
    private volatile boolean showing;
    private boolean followsTrainer;
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
        if (messages == null || frame == null || visualizer == null || dashboard == null) {
            throw new IllegalArgumentException("messages, frame, visualizer and dashboard are required");
        }
        this.messages = messages;
        this.frame = frame;
        this.visualizer = visualizer;
        this.dashboard = dashboard;
    }

    /**
     * Shows {@code model} in the translation window and hands it to the trainer (paused); when the user keeps the
     * run in progress instead, the trainer pauses and says why it does not train this model.
     */
    public void show(LoadedEncoderDecoder model) {
        show(model, true);
    }

    /**
     * Shows {@code model} like {@link #show(LoadedEncoderDecoder)}; with {@code askFirst} false the trainer takes it
     * over without asking about the run in progress (a lesson choosing the model). An open lessons panel moves along,
     * beside the translation window's pipeline strip, and goes back with the visualizer.
     */
    public void show(LoadedEncoderDecoder model, boolean askFirst) {
        if (model == null) {
            throw new IllegalArgumentException("a model is required");
        }
        if (viewModel == null) {
            viewModel = new TranslationViewModel(model, messages, messages.getString("encdec.defaultSource"));
            window = new TranslationWindow(viewModel, messages);
            window.root().addEventFilter(KeyEvent.KEY_PRESSED, this::forwardLessonKeys);
        } else {
            viewModel.setModel(model);
        }
        if (!dashboard.trainTranslation(model, askFirst)) {
            // The user kept the run in progress (or the pairs cannot be read): shown, but not trained.
            if (dashboard.viewModel().readyProperty().get()) {
                dashboard.viewModel().pause();
            }
            dashboard.setTrainingOff(I18n.format(messages, "encdec.training.off", model.name()));
        }
        if (!followsTrainer) {
            followsTrainer = true;
            dashboard.addWeightsListener(weights -> {
                if (showing && viewModel != null) {
                    viewModel.setLiveWeights(weights);     // weights of another model are ignored there
                }
            });
        }
        if (!showing) {
            dashboardWasBeside = visualizer.getRight() == dashboard;
            visualizer.setRight(null);
            window.root().setRight(dashboard);
            frame.setCenter(window.root());
            carryLessons();
            if (carriedLessons != null && (!dashboardWasBeside || frame.getWidth() < MainWindow.ROOM_FOR_ALL_PANELS)) {
                // As in the visualizer: lessons, strip, stage and dashboard do not fit side by side, so the stage
                // keeps its room and the dashboard comes back when a lesson acts on the training.
                window.root().setRight(null);
            }
            showing = true;
        }
        window.root().requestFocus();
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
        if (showing && window.root().getRight() != dashboard) {
            window.root().setRight(dashboard);
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
