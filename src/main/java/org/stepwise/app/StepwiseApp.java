package org.stepwise.app;

import java.io.IOException;
import java.util.Locale;
import java.util.ResourceBundle;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.stepwise.model.io.LoadedModel;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.VisualizerViewModel;

/** The desktop application: opens the bundled model and shows it in the visualizer's main window. */
public final class StepwiseApp extends Application {

    private VisualizerViewModel viewModel;
    private MainWindow window;

    @Override
    public void start(Stage stage) throws IOException {
        ResourceBundle messages = I18n.bundle(Locale.getDefault());
        LoadedModel model = DefaultModel.load();
        viewModel = new VisualizerViewModel(model, messages, messages.getString("ui.defaultSentence"));
        window = new MainWindow(viewModel, messages);
        Scene scene = new Scene(window.root(), 1280, 800);
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        stage.setTitle(messages.getString("app.title"));
        stage.setScene(scene);
        stage.show();
        window.root().requestFocus();   // the step keys work at once; a click puts the cursor in the sentence
    }

    /** The window's view model (for tests and, later, the training dashboard); null before start. */
    public VisualizerViewModel viewModel() {
        return viewModel;
    }

    /** The main window; null before start. */
    public MainWindow window() {
        return window;
    }

    @Override
    public void stop() {
        if (viewModel != null) {
            viewModel.close();
        }
    }
}
