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
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.training.TranslationCorpus;
import org.stepwise.ui.translate.TranslationScreen;
import org.stepwise.ui.translate.TranslationViewModel;

/**
 * The Model menu: Convert to grouped-query attention… opens a {@link GqaConversionDialog} on the model on screen
 * (with the trainer's latest weights and the sentence on screen), or on the translation model while the translation
 * window is on screen; the converted model goes to the trainer, which starts at once so the class watches the loss
 * recover.
 */
public final class ModelMenu {

    private final Menu menu = new Menu();
    private final ResourceBundle messages;
    private final VisualizerViewModel viewModel;
    private final TrainingDashboard dashboard;
    private final Function<LoadedModel, String> trainingOffReason;
    private final Consumer<LoadedModel> showAndTrain;
    private final Supplier<Window> owner;
    private TranslationScreen translationScreen;

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

    /**
     * Converts the translation model instead while {@code screen} shows it; the converted model is trained in the
     * dashboard and shown by {@code screen}.
     */
    public void useTranslationScreen(TranslationScreen screen) {
        this.translationScreen = screen;
    }

    /** The menu to add to the menu bar. */
    public Menu menu() {
        return menu;
    }

    /** Opens the conversion dialog on the model on screen (the translation model while it is on screen). */
    public void openConversion() {
        if (translationScreen != null && translationScreen.isShowing()) {
            openTranslation(messages, translationScreen.window().viewModel(), owner.get(), this::trainTranslation);
            return;
        }
        open(messages, viewModel, dashboard.viewModel(), trainingOffReason.apply(
                viewModel.modelProperty().get()), this::train, owner.get());
    }

    /**
     * Opens a conversion dialog on the model {@code viewModel} shows, with its latest weights and its sentence,
     * measuring the loss on the trainer's corpus with the trainer's settings (the bundled English corpus and the
     * default settings when there is no trainer, {@code training} null, or it has none yet).
     *
     * @param trainingOffReason why the model may not be trained, or null when it may
     * @param train             takes the converted model when the class chooses to train it on
     * @return the dialog, shown; null when there is no text to measure the loss on (an alert says why)
     */
    public static GqaConversionDialog open(ResourceBundle messages, VisualizerViewModel viewModel,
            TrainingViewModel training, String trainingOffReason, Consumer<LoadedModel> train, Window owner) {
        LoadedModel model = viewModel.modelProperty().get();
        Parameters weights = viewModel.weightsProperty().get();
        if (weights == null || !fits(model, weights)) {
            weights = model.parameters();
        }
        PreparedSentence sentence = viewModel.preparedProperty().get();
        Corpus corpus = training == null ? null : training.corpus();
        try {
            if (corpus == null) {
                corpus = Corpus.english();
            }
        } catch (IOException missing) {
            Alert alert = new Alert(Alert.AlertType.ERROR, I18n.format(messages, "gqa.noCorpus", missing.getMessage()));
            alert.initOwner(owner);
            alert.show();
            return null;
        }
        TrainingSettings settings = training == null ? null : training.settings();
        GqaConversionDialog.Source source = new GqaConversionDialog.Source(model, weights,
                sentence == null ? new int[0] : sentence.ids(), corpus,
                settings != null ? settings : TrainingSettings.defaults());
        GqaConversionDialog dialog = new GqaConversionDialog(messages, source, trainingOffReason, train);
        if (owner != null) {
            dialog.initOwner(owner);
        }
        dialog.show();
        return dialog;
    }

    /**
     * Opens a conversion dialog on the translation model {@code translation} shows, with its latest weights and its
     * sentences, measuring the loss on the bundled held-back English→Chinese pairs.
     *
     * @param train takes the converted model when the class chooses to train it on
     * @return the dialog, shown; null when the pairs cannot be read (an alert says why)
     */
    public static GqaConversionDialog openTranslation(ResourceBundle messages, TranslationViewModel translation,
            Window owner, Consumer<LoadedEncoderDecoder> train) {
        LoadedEncoderDecoder model = translation.liveModel();
        TranslationCorpus pairs;
        try {
            pairs = TranslationCorpus.englishChinese(messages.getString("dashboard.corpus.pairs"));
        } catch (IOException missing) {
            Alert alert = new Alert(Alert.AlertType.ERROR, I18n.format(messages, "gqa.noCorpus", missing.getMessage()));
            alert.initOwner(owner);
            alert.show();
            return null;
        }
        int[][] traced = translation.tracedIds();
        GqaConversionDialog.TranslationSource source = new GqaConversionDialog.TranslationSource(model,
                model.parameters(), traced == null ? new int[0] : traced[0], traced == null ? new int[0] : traced[1],
                pairs.name(), pairs.test());
        GqaConversionDialog dialog = new GqaConversionDialog(messages, source, null, train);
        if (owner != null) {
            dialog.initOwner(owner);
        }
        dialog.show();
        return dialog;
    }

    /** The converted translation model on screen and in the trainer, which starts at once. */
    private void trainTranslation(LoadedEncoderDecoder converted) {
        translationScreen.show(converted);
        if (dashboard.viewModel().translationModelProperty().get() == converted) {
            dashboard.viewModel().start();
        }
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
