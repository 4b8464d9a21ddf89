package org.stepwise.ui.translate;

import java.util.ResourceBundle;

import javafx.scene.layout.BorderPane;

import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.ui.I18n;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * Puts the translation window in place of the decoder-only visualizer when a translation model is opened, and
 * back when a decoder-only model is: the training dashboard moves along, with training off for a translation
 * model (and the reason on its controls). Every method is called on the FX thread.
 */
public final class TranslationScreen {

    private final ResourceBundle messages;
    private final BorderPane frame;
    private final BorderPane visualizer;
    private final TrainingDashboard dashboard;
    private TranslationViewModel viewModel;
    private TranslationWindow window;
    private boolean showing;

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

    /** Shows {@code model} in the translation window; the trainer pauses and says why it cannot train it. */
    public void show(LoadedEncoderDecoder model) {
        if (model == null) {
            throw new IllegalArgumentException("a model is required");
        }
        if (viewModel == null) {
            viewModel = new TranslationViewModel(model, messages, messages.getString("encdec.defaultSource"));
            window = new TranslationWindow(viewModel, messages);
        } else {
            viewModel.setModel(model);
        }
        if (dashboard.viewModel().readyProperty().get()) {
            dashboard.viewModel().pause();
        }
        dashboard.setTrainingOff(I18n.format(messages, "encdec.training.off", model.name()));
        if (!showing) {
            visualizer.setRight(null);
            window.root().setRight(dashboard);
            frame.setCenter(window.root());
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
