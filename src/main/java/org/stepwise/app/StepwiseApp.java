package org.stepwise.app;

import java.util.Locale;
import java.util.ResourceBundle;

import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.stepwise.ui.I18n;
import org.stepwise.ui.PredictionView;
import org.stepwise.ui.PredictionViewModel;

/** The desktop application: composes the engine and the views of the main window. */
public final class StepwiseApp extends Application {

    private PredictionViewModel viewModel;

    @Override
    public void start(Stage stage) {
        ResourceBundle messages = I18n.bundle(Locale.getDefault());
        viewModel = new PredictionViewModel(messages, DefaultModel::load);
        PredictionView view = new PredictionView(viewModel, messages);
        Scene scene = new Scene(view.root(), 1100, 720);
        scene.getStylesheets().add(PredictionView.class.getResource("stepwise.css").toExternalForm());
        stage.setTitle(messages.getString("app.title"));
        stage.setScene(scene);
        stage.show();
        viewModel.start();
    }

    @Override
    public void stop() {
        if (viewModel != null) {
            viewModel.close();
        }
    }
}
