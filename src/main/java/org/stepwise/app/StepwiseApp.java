package org.stepwise.app;

import java.io.IOException;
import java.util.Locale;
import java.util.ResourceBundle;

import javafx.application.Application;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.stage.Screen;
import javafx.stage.Stage;

import org.stepwise.lesson.LessonLibrary;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.lesson.LessonPlayer;
import org.stepwise.ui.lesson.LessonsPanel;
import org.stepwise.ui.lesson.WindowLessonHost;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * The desktop application: opens the bundled model, shows it in the visualizer's main window, and
 * puts the training dashboard beside it and the lessons panel at its left; the visualizer follows the
 * weights the dashboard trains.
 */
public final class StepwiseApp extends Application {

    private VisualizerViewModel viewModel;
    private MainWindow window;
    private TrainingDashboard dashboard;
    private LessonsPanel lessons;
    /** The config of the model on screen, read by the trainer's thread. */
    private volatile ModelConfig shownConfig;

    @Override
    public void start(Stage stage) throws IOException {
        ResourceBundle messages = I18n.bundle(Locale.getDefault());
        LoadedModel model = DefaultModel.load();
        viewModel = new VisualizerViewModel(model, messages, messages.getString("ui.defaultSentence"));
        shownConfig = model.config();
        window = new MainWindow(viewModel, messages);
        dashboard = new TrainingDashboard(messages);
        dashboard.setPrefWidth(500);
        dashboard.setMinWidth(420);
        window.root().setRight(dashboard);
        dashboard.modelProperty().addListener((observable, before, trained) -> {
            if (trained != null) {
                shownConfig = trained.config();
                viewModel.setModel(trained);
            }
        });
        dashboard.addWeightsListener(this::showTrainedWeights);
        window.addLessons(lessonsPanel(messages, model));
        stage.setOnCloseRequest(event -> {
            if (!dashboard.confirmCloseWhileTraining()) {
                event.consume();
            }
        });
        // As large as the visualizer and the dashboard want side by side, but never beyond the screen.
        Rectangle2D screen = Screen.getPrimary().getVisualBounds();
        Scene scene = new Scene(window.root(), Math.min(1560, screen.getWidth()), Math.min(940, screen.getHeight()));
        scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
        stage.setTitle(messages.getString("app.title"));
        stage.setScene(scene);
        stage.show();
        window.root().requestFocus();   // the step keys work at once; a click puts the cursor in the sentence
    }

    /**
     * The lessons of the user's language beside the pipeline strip, acting on this window and its
     * dashboard; when the lessons cannot be listed the panel says why.
     */
    private LessonsPanel lessonsPanel(ResourceBundle messages, LoadedModel bundled) {
        WindowLessonHost host = new WindowLessonHost(viewModel, dashboard.viewModel(), window.root(), () -> bundled);
        lessons = new LessonsPanel(messages, host, new LessonPlayer(host));
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

    /** The training dashboard beside the visualizer; null before start. */
    public TrainingDashboard dashboard() {
        return dashboard;
    }

    /** The lessons panel; null before start. */
    public LessonsPanel lessons() {
        return lessons;
    }

    /** The main window; null before start. */
    public MainWindow window() {
        return window;
    }

    @Override
    public void stop() {
        if (dashboard != null) {
            dashboard.viewModel().close();
        }
        if (viewModel != null) {
            viewModel.close();
        }
    }
}
