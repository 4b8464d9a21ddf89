package org.stepwise.ui.convert;

import java.io.IOException;
import java.util.ResourceBundle;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import javafx.scene.control.Alert;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.stage.Window;

import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.TrainingDashboard;

/**
 * The Model menu: Convert to grouped-query attention… opens a {@link GqaConversionDialog} on the model on screen
 * (with the trainer's latest weights and the sentence on screen); the converted model goes to the trainer, which
 * starts at once so the class watches the loss recover.
 */
public final class ModelMenu {

    private final Menu menu = new Menu();
    private final ResourceBundle messages;
    private final VisualizerViewModel viewModel;
    private final TrainingDashboard dashboard;
    private final Function<LoadedModel, String> trainingOffReason;
    private final Consumer<LoadedModel> showAndTrain;
    private final Supplier<Window> owner;
    private GqaConversionDialog lastDialog;

    /**
     * @param trainingOffReason why a model may not be trained here, or null when it may
     * @param showAndTrain      puts a model on screen and hands it to the trainer (paused), as opening a model
     *                          folder does
     * @param owner             the window the dialog belongs to
     */
    public ModelMenu(ResourceBundle messages, VisualizerViewModel viewModel, TrainingDashboard dashboard,
            Function<LoadedModel, String> trainingOffReason, Consumer<LoadedModel> showAndTrain,
            Supplier<Window> owner) {
        this.messages = messages;
        this.viewModel = viewModel;
        this.dashboard = dashboard;
        this.trainingOffReason = trainingOffReason;
        this.showAndTrain = showAndTrain;
        this.owner = owner;
        menu.setText(messages.getString("menu.model"));
        menu.setId("menu-model");
        MenuItem convert = new MenuItem(messages.getString("menu.model.convertGqa"));
        convert.setId("menu-convert-gqa");
        convert.setOnAction(event -> openConversion());
        menu.getItems().add(convert);
    }

    /** The menu to add to the menu bar. */
    public Menu menu() {
        return menu;
    }

    /** The conversion dialog opened last (for tests); null before the first. */
    public GqaConversionDialog lastDialog() {
        return lastDialog;
    }

    /** Opens the conversion dialog on the model on screen. */
    public void openConversion() {
        LoadedModel model = viewModel.modelProperty().get();
        Parameters weights = viewModel.weightsProperty().get();
        if (weights == null || !fits(model, weights)) {
            weights = model.parameters();
        }
        PreparedSentence sentence = viewModel.preparedProperty().get();
        Corpus corpus = dashboard.viewModel().corpus();
        try {
            if (corpus == null) {
                corpus = Corpus.english();
            }
        } catch (IOException missing) {
            Alert alert = new Alert(Alert.AlertType.ERROR, I18n.format(messages, "gqa.noCorpus", missing.getMessage()));
            alert.initOwner(owner.get());
            alert.show();
            return;
        }
        TrainingSettings settings = dashboard.viewModel().settings();
        GqaConversionDialog.Source source = new GqaConversionDialog.Source(model, weights,
                sentence == null ? new int[0] : sentence.ids(), corpus,
                settings != null ? settings : TrainingSettings.defaults());
        lastDialog = new GqaConversionDialog(messages, source, trainingOffReason.apply(model), this::train);
        lastDialog.initOwner(owner.get());
        lastDialog.show();
    }

    private static boolean fits(LoadedModel model, Parameters weights) {
        try {
            ParameterLayout.of(model.config()).check(weights);
            return true;
        } catch (IllegalArgumentException otherModel) {
            return false;
        }
    }

    private void train(LoadedModel converted) {
        showAndTrain.accept(converted);
        if (dashboard.modelProperty().get() == converted) {
            dashboard.viewModel().start();
        }
    }
}
