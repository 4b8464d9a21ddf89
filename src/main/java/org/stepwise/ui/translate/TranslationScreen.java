package org.stepwise.ui.translate;

import java.util.ResourceBundle;
import java.util.function.Consumer;

import javafx.scene.layout.BorderPane;
import javafx.util.Subscription;

import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * Puts the translation window in place of the decoder-only visualizer when a translation model is opened, and
 * back when a decoder-only model is: the training dashboard moves along and trains the translation model on the
 * English→Chinese pairs, and the window follows its weights. When the dashboard starts training another translation
 * model by itself (a reopened session, a converted model), the window shows that one. A screen built anew for
 * another language takes over the view model of the one before, so the sentences, stage, head and training stay.
 * Every method is called on the FX thread.
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
        if (model == null) {
            throw new IllegalArgumentException("a model is required");
        }
        display(model);
        if (!train || !dashboard.trainTranslation(model)) {
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
            visualizer.setRight(null);
            window.showTraining();
            frame.setCenter(window.root());
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
        window.root().setRight(null);
        visualizer.setRight(dashboard);
        frame.setCenter(visualizer);
        showing = false;
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
