package org.stepwise.ui.lesson;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleButton;
import javafx.util.Duration;

import org.stepwise.lesson.Directive;
import org.stepwise.lesson.QuestionContext;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.train.Optimizer;
import org.stepwise.train.TrainingSpeed;
import org.stepwise.train.UpdateStrategy;
import org.stepwise.ui.I18n;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.convert.ModelMenu;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.ui.stage.StagePanels;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.ModelRecipe;
import org.stepwise.ui.training.TrainingViewModel;
import org.stepwise.ui.translate.TranslationScreen;
import org.stepwise.ui.translate.TranslationViewModel;

/**
 * The lesson host of the real window: lesson actions become calls on the visualizer's view model, the
 * trainer's view model (when the window has one; a model a lesson chooses becomes the one it trains) and
 * the window's nodes (found by their ids). Given a {@link TranslationScreen} ({@link #useTranslation}),
 * {@code @model translation} swaps in the translation window and, until a {@code @model default} or
 * {@code variant}, sentences, stages, tokens, sampling and questions act on the translation model.
 */
public final class WindowLessonHost implements LessonHost {

    /** How long a highlighted part of the window stays marked. */
    public static final Duration HIGHLIGHT_TIME = Duration.seconds(2.5);
    /** The style class a highlighted part of the window gets for {@link #HIGHLIGHT_TIME}. */
    public static final String HIGHLIGHT_CLASS = "lesson-highlight";
    /** Vocabulary size of a word or BPE tokenizer a model variant trains. */
    public static final int VARIANT_VOCAB_SIZE = 256;
    /** Seed of a model variant's random weights when the lesson gives none. */
    public static final long VARIANT_SEED = 1;

    private static final Map<String, String> PANEL_IDS = Map.of(
            "sentence", "#sentence",
            "pipeline", "#pipeline-strip",
            "stage", "#stage-host",
            "explanation", "#explanation",
            "dashboard", "#training-dashboard",
            "loss-chart", "#dashboard-loss-chart",
            "temperature", "#dashboard-temperature",
            "tokens", "#token");

    /** Where a highlighted part of the translation window is, where it differs from the visualizer. */
    private static final Map<String, String> TRANSLATION_PANEL_IDS = Map.of("sentence", "#source-sentence");

    private final VisualizerViewModel viewModel;
    private final TrainingViewModel training;
    private final Parent window;
    private final Supplier<LoadedModel> defaultModel;
    /** Tokenizers trained for model variants, by kind (a lesson switching back and forth trains each once). */
    private final Map<Tokenizer.Kind, CompletableFuture<Tokenizer>> variantTokenizers =
            new EnumMap<>(Tokenizer.Kind.class);
    /** Model variants whose tokenizer is still being trained (FX thread). */
    private final IntegerProperty pendingVariants = new SimpleIntegerProperty(0);
    /** Counts the models lessons asked for; a variant that finishes after a newer request is not shown. */
    private long variantRequest;
    private String failure;
    /** Shows the translation model in place of the visualizer; null when the window has none. */
    private TranslationScreen translationScreen;
    private Callable<LoadedEncoderDecoder> translationLoader;
    /** The bundled translation model, loaded once off the FX thread. */
    private CompletableFuture<LoadedEncoderDecoder> translationModel;
    /** The last {@code @model default|variant} this host showed and the model it became, for {@link #restoreModel}. */
    private Directive.UseModel lastChoice;
    private LoadedModel lastChoiceShown;
    /** How often {@link #whenSettled} looks again while the translation model is involved. */
    private static final Duration SETTLE_POLL = Duration.millis(40);

    /** One background thread trains the tokenizers of model variants. */
    private static final ExecutorService TOKENIZER_TRAINER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-lesson-tokenizer");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param viewModel    the visualizer's view model; not modified here except through its setters
     * @param training     the trainer's view model, or null when the window has no dashboard
     * @param window       the window's root, where highlighted parts are looked up by id
     * @param defaultModel the bundled model (called each time a lesson asks for it or a variant of it)
     */
    public WindowLessonHost(VisualizerViewModel viewModel, TrainingViewModel training, Parent window,
            Supplier<LoadedModel> defaultModel) {
        if (viewModel == null || window == null || defaultModel == null) {
            throw new IllegalArgumentException("a lesson host needs the view model, the window and the default model");
        }
        this.viewModel = viewModel;
        this.training = training;
        this.window = window;
        this.defaultModel = defaultModel;
    }

    /**
     * Lets lessons show the translation model on {@code screen}, loading it with {@code loader} (off the FX thread,
     * once) the first time a lesson asks; a screen given again (the window rebuilt in another language) replaces the
     * one before.
     */
    public void useTranslation(TranslationScreen screen, Callable<LoadedEncoderDecoder> loader) {
        if (screen == null || loader == null) {
            throw new IllegalArgumentException("a translation screen and the model's loader are required");
        }
        this.translationScreen = screen;
        this.translationLoader = loader;
    }

    /** True while the translation window is on screen. */
    private boolean translationShown() {
        return translationScreen != null && translationScreen.isShowing();
    }

    /** The translation window's view model; throws when the translation model is not on screen. */
    private TranslationViewModel translation(String action) {
        if (!translationShown()) {
            throw new IllegalArgumentException(action + " needs the translation model on screen (@model translation)");
        }
        return translationScreen.window().viewModel();
    }

    @Override
    public void setSentence(String text) {
        if (translationShown()) {
            translation("@sentence").sourceProperty().set(text);
            return;
        }
        viewModel.sentenceProperty().set(text);
    }

    @Override
    public void setTarget(String text) {
        translation("@target").targetProperty().set(text);
    }

    @Override
    public void translate() {
        translation("@translate").translate();
    }

    @Override
    public void goToStage(Stage.Kind kind, int block, int head, boolean encoder) {
        if (!translationShown()) {
            if (encoder) {
                throw new IllegalArgumentException("encoder stages need the translation model on screen"
                        + " (@model translation)");
            }
            goToStage(kind, block, head);
            return;
        }
        TranslationViewModel translation = translation("@stage");
        EncoderDecoderConfig config = translation.modelProperty().get().config();
        int blocks = encoder ? config.nEncoderLayer() : config.nDecoderLayer();
        if (kind.inBlock() && (block < 0 || block >= blocks)) {
            throw new IllegalArgumentException("block " + (block + 1) + " is outside the " + (encoder ? "encoder's " : "decoder's ")
                    + blocks + " blocks");
        }
        Stage target = new Stage(kind, kind.inBlock() ? block : -1, encoder);
        if (translation.indexOf(target) < 0) {
            throw new IllegalArgumentException("the translation model has no stage " + kind.name().toLowerCase(Locale.ROOT)
                    .replace('_', '-') + (encoder ? " in its encoder" : " in its decoder"));
        }
        if (head >= config.shared().nHead()) {
            throw new IllegalArgumentException("head " + (head + 1) + " is outside the model's " + config.shared().nHead()
                    + " heads");
        }
        translation.openStage(target, head < 0 ? translation.headProperty().get() : head);
    }

    @Override
    public void goToStage(Stage.Kind kind, int block, int head) {
        if (translationShown()) {
            goToStage(kind, block, head, false);
            return;
        }
        if (kind.crossAttention()) {
            throw new IllegalArgumentException("cross-attention stages need the translation model on screen"
                    + " (@model translation)");
        }
        int blocks = viewModel.modelProperty().get().config().nLayer();
        if (kind.inBlock() && (block < 0 || block >= blocks)) {
            throw new IllegalArgumentException("block " + (block + 1) + " is outside the model's " + blocks + " blocks");
        }
        Stage target = kind.inBlock() ? Stage.of(kind, block) : Stage.of(kind);
        viewModel.openStage(target, head < 0 ? viewModel.headProperty().get() : head);
    }

    @Override
    public void selectToken(int position) {
        if (translationShown()) {
            translation("@select").selectToken(position);
            return;
        }
        viewModel.selectToken(position);
    }

    @Override
    public void setSampling(Double temperature, Integer topK, Double topP) {
        boolean onTranslation = translationShown();
        SamplingSettings settings = onTranslation ? translation("@sampling").samplingProperty().get()
                : viewModel.samplingProperty().get();
        if (temperature != null) {
            settings = settings.withTemperature(temperature);
        }
        if (topK != null) {
            settings = settings.withTopK(topK);
        }
        if (topP != null) {
            settings = settings.withTopP(topP);
        }
        if (onTranslation) {
            translation("@sampling").setSampling(settings);
            return;
        }
        viewModel.setSampling(settings);
    }

    @Override
    public void useModel(Directive.UseModel choice) {
        LoadedModel base = defaultModel.get();
        variantRequest++;
        lastChoice = choice;
        if (translationScreen != null) {
            translationScreen.hide();
        }
        if (!choice.variant()) {
            show(base);
            return;
        }
        ModelConfig config = choice.configFor(base.config());
        long seed = choice.seed().orElse(VARIANT_SEED);
        if (choice.tokenizer().isEmpty()) {
            show(variant(base, config, base.tokenizer(), seed));
            return;
        }
        // Training a tokenizer on the corpus takes a few hundred milliseconds: never on the FX thread.
        CompletableFuture<Tokenizer> trained = variantTokenizers.computeIfAbsent(choice.tokenizer().get(),
                kind -> CompletableFuture.supplyAsync(() -> trainTokenizer(config, kind), TOKENIZER_TRAINER));
        long request = variantRequest;
        pendingVariants.set(pendingVariants.get() + 1);
        trained.whenComplete((tokenizer, failed) -> Platform.runLater(() -> {
            if (request == variantRequest) {
                if (failed != null) {
                    Throwable cause = failed instanceof CompletionException && failed.getCause() != null
                            ? failed.getCause() : failed;
                    failure = String.valueOf(cause.getMessage());
                    variantTokenizers.remove(choice.tokenizer().get());
                } else {
                    show(variant(base, config.withVocabSize(tokenizer.vocabSize()), tokenizer, seed));
                }
            }
            pendingVariants.set(pendingVariants.get() - 1);
        }));
    }

    @Override
    public void useTranslationModel() {
        if (translationScreen == null) {
            throw new IllegalArgumentException("this window cannot show the translation model");
        }
        TranslationScreen screen = translationScreen;
        if (translationModel == null) {
            Callable<LoadedEncoderDecoder> loader = translationLoader;
            translationModel = CompletableFuture.supplyAsync(() -> {
                try {
                    return loader.call();
                } catch (Exception unreadable) {
                    throw new IllegalArgumentException("the bundled translation model cannot be read: "
                            + unreadable.getMessage(), unreadable);
                }
            }, TOKENIZER_TRAINER);
        }
        long request = ++variantRequest;
        pendingVariants.set(pendingVariants.get() + 1);
        translationModel.whenComplete((model, failed) -> Platform.runLater(() -> {
            if (request == variantRequest) {
                if (failed != null) {
                    Throwable cause = failed instanceof CompletionException && failed.getCause() != null
                            ? failed.getCause() : failed;
                    failure = String.valueOf(cause.getMessage());
                    translationModel = null;
                } else if (!screen.isShowing()) {
                    screen.showForLesson(model);
                }
            }
            pendingVariants.set(pendingVariants.get() - 1);
        }));
    }

    @Override
    public void restoreModel(Directive model) {
        if (model == null) {
            if (translationScreen != null) {
                translationScreen.hide();
            }
        } else if (model instanceof Directive.UseTranslation) {
            if (!translationShown()) {
                useTranslationModel();
            }
        } else if (model instanceof Directive.UseModel use) {
            boolean shown = !translationShown() && use.equals(lastChoice) && lastChoiceShown != null
                    && viewModel.modelProperty().get() == lastChoiceShown;
            if (!shown) {
                useModel(use);
            }
        }
    }

    private static Tokenizer trainTokenizer(ModelConfig config, Tokenizer.Kind kind) {
        try {
            return new ModelRecipe(config, kind, VARIANT_VOCAB_SIZE).trainTokenizer(Corpus.english().text());
        } catch (IOException unreadable) {
            throw new IllegalArgumentException("the bundled corpus cannot be read: " + unreadable.getMessage(),
                    unreadable);
        }
    }

    private static LoadedModel variant(LoadedModel base, ModelConfig config, Tokenizer tokenizer, long seed) {
        return new LoadedModel(base.name() + "-variant", config, ParameterLayout.of(config).initialize(seed), tokenizer);
    }

    @Override
    public String takeFailure() {
        String last = failure;
        failure = null;
        return last;
    }

    /**
     * Shows {@code model} in the visualizer and, when the window has a trainer, makes it the model the
     * trainer trains (paused, on its corpus, with its settings), so later training actions act on it.
     */
    private void show(LoadedModel model) {
        lastChoiceShown = model;
        if (training != null && training.readyProperty().get()) {
            Corpus text = training.corpus();
            try {
                training.train(model, text != null ? text : Corpus.english(), training.settings());
            } catch (IOException unreadable) {
                throw new IllegalArgumentException("the bundled corpus cannot be read: " + unreadable.getMessage(),
                        unreadable);
            }
        }
        if (viewModel.modelProperty().get() != model) {
            viewModel.setModel(model);
        }
    }

    private static String upper(String option) {
        return option.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public void train(String command) {
        if ("pause".equals(command) && (training == null || !training.readyProperty().get())) {
            return;     // nothing is training, so nothing needs pausing
        }
        TrainingViewModel trainer = trainer();
        switch (command) {
            case "start" -> trainer.start();
            case "pause" -> trainer.pause();
            case "step" -> trainer.stepIteration();
            case "epoch" -> trainer.stepEpoch();
            case "reset" -> trainer.reset();
            default -> throw new IllegalArgumentException("unknown training command " + command);
        }
    }

    @Override
    public void setTraining(String key, String value) {
        TrainingViewModel trainer = trainer();
        switch (key) {
            case "lr" -> trainer.setLearningRate(Double.parseDouble(value));
            case "batch" -> trainer.setBatchSize(Integer.parseInt(value));
            case "optimizer" -> trainer.setOptimizer(Optimizer.Kind.valueOf(upper(value)));
            case "strategy" -> trainer.setUpdateStrategy(UpdateStrategy.valueOf("PER_" + upper(value)));
            case "speed" -> trainer.setSpeed("full".equals(value) ? TrainingSpeed.FULL
                    : TrainingSpeed.atMost(Double.parseDouble(value)));
            default -> throw new IllegalArgumentException("unknown training setting " + key);
        }
    }

    private TrainingViewModel trainer() {
        if (training == null || !training.readyProperty().get()) {
            throw new IllegalArgumentException("the trainer is not ready yet");
        }
        showDashboard();
        return training;
    }

    /** A step that acts on the training shows the dashboard when the window has hidden it (its toggle is off). */
    private void showDashboard() {
        if (translationShown()) {
            translationScreen.showDashboard();
            return;
        }
        if (window.lookup("#training-toggle") instanceof ToggleButton toggle && !toggle.isSelected()) {
            toggle.setSelected(true);
        }
    }

    @Override
    public void highlight(String panel) {
        String selector = PANEL_IDS.get(panel);
        if (selector == null) {
            throw new IllegalArgumentException("unknown panel " + panel + "; known: " + PANEL_IDS.keySet());
        }
        if (Set.of("dashboard", "loss-chart", "temperature").contains(panel)) {
            showDashboard();
        }
        Parent shown = window;
        if (translationShown()) {
            shown = translationScreen.window().root();
            selector = TRANSLATION_PANEL_IDS.getOrDefault(panel, selector);
        }
        Node target = shown.lookup(selector);
        if (target == null) {
            throw new IllegalArgumentException("the window does not show the " + panel + " now");
        }
        target.getStyleClass().add(HIGHLIGHT_CLASS);
        PauseTransition fade = new PauseTransition(HIGHLIGHT_TIME);
        fade.setOnFinished(event -> target.getStyleClass().remove(HIGHLIGHT_CLASS));
        fade.play();
    }

    @Override
    public void openPanel(String panel) {
        if (translationShown()) {
            throw new IllegalArgumentException("the side view " + panel + " shows the decoder-only model;"
                    + " @model default goes back to it");
        }
        switch (panel) {
            case "parameter-count" -> showParameterCount();
            case "all-heads" -> showAllHeads();
            case "gqa-conversion" -> showGqaConversion();
            default -> throw new IllegalArgumentException("unknown side view " + panel);
        }
    }

    /** The parameter count of the model on screen, in a window of its own. */
    private void showParameterCount() {
        StagePanel counts = StagePanels.parameterCount();
        counts.show(viewModel.contextProperty().get());
        javafx.stage.Stage dialog = new javafx.stage.Stage();
        dialog.setScene(new Scene((Parent) counts.node(), 640, 520));
        dialog.setTitle(window.getScene() == null || window.getScene().getWindow() == null ? ""
                : ((javafx.stage.Stage) window.getScene().getWindow()).getTitle());
        if (window.getScene() != null) {
            dialog.initOwner(window.getScene().getWindow());
        }
        dialog.show();
    }

    /**
     * The grouped-query conversion dialog on the model on screen; the model it converts, when the class trains it
     * on, becomes the model shown and trained, and training starts.
     */
    private void showGqaConversion() {
        ModelMenu.open(I18n.bundle(Locale.getDefault()), viewModel, training,
                training == null ? I18n.bundle(Locale.getDefault()).getString("gqa.continue.noTrainer") : null,
                converted -> {
                    show(converted);
                    if (training != null && training.readyProperty().get()) {
                        training.start();
                    }
                }, window.getScene() == null ? null : window.getScene().getWindow());
    }

    /** The attention pattern's "all heads" overview of the current block (block 1 when outside the blocks). */
    private void showAllHeads() {
        int block = Math.max(0, viewModel.currentBlock());
        goToStage(Stage.Kind.ATTENTION_SOFTMAX, block, -1);
        window.applyCss();
        for (Node node : window.lookupAll(".tab-pane")) {
            TabPane tabs = (TabPane) node;
            if (tabs.getTabs().size() > 1 && "attention-head-tab".equals(tabs.getTabs().get(0).getId())) {
                tabs.getSelectionModel().select(1);
                return;
            }
        }
        throw new IllegalArgumentException("the window does not show the attention overview");
    }

    @Override
    public void whenSettled(Runnable next) {
        if (settled()) {
            next.run();
            return;
        }
        if (translationScreen != null) {
            // The translation window's view model may only come into being once its model is loaded: look again.
            PauseTransition again = new PauseTransition(SETTLE_POLL);
            again.setOnFinished(event -> whenSettled(next));
            again.play();
            return;
        }
        javafx.beans.InvalidationListener check = new javafx.beans.InvalidationListener() {
            @Override
            public void invalidated(javafx.beans.Observable observable) {
                if (settled()) {
                    viewModel.busyProperty().removeListener(this);
                    viewModel.preparedProperty().removeListener(this);
                    viewModel.weightsProperty().removeListener(this);
                    pendingVariants.removeListener(this);
                    next.run();
                }
            }
        };
        viewModel.busyProperty().addListener(check);
        viewModel.preparedProperty().addListener(check);
        viewModel.weightsProperty().addListener(check);
        pendingVariants.addListener(check);
    }

    /**
     * True when the window shows the trace of the sentence typed under the model chosen: nothing is
     * being computed, the prepared sentence is the typed one, and weights of the shown model are in.
     */
    private boolean settled() {
        if (translationShown()) {
            return pendingVariants.get() == 0 && translationScreen.window().viewModel().showsCurrentSentences();
        }
        PreparedSentence prepared = viewModel.preparedProperty().get();
        return pendingVariants.get() == 0 && !viewModel.busyProperty().get() && prepared != null && viewModel.weightsProperty().get() != null
                && prepared.text().equals(viewModel.sentenceProperty().get());
    }

    @Override
    public QuestionContext questionContext() {
        if (translationShown()) {
            TranslationViewModel translation = translation("a question");
            EncoderDecoderPipeline.Side decoder = translation.tracedDecoder();
            LoadedEncoderDecoder traced = translation.tracedModel() != null ? translation.tracedModel()
                    : translation.modelProperty().get();
            return new QuestionContext(traced.config().shared(), traced.parameters(),
                    decoder == null ? null : decoder.run(), traced.targetTokenizer(),
                    translation.samplingProperty().get(), traced.config());
        }
        LoadedModel model = viewModel.modelProperty().get();
        Parameters weights = viewModel.weightsProperty().get();
        return new QuestionContext(model.config(), weights == null ? model.parameters() : weights,
                viewModel.runProperty().get(), model.tokenizer(), viewModel.samplingProperty().get());
    }

    @Override
    public List<String> tokenTexts() {
        if (translationShown()) {
            EncoderDecoderPipeline.Side decoder = translation("tokens").tracedDecoder();
            return decoder == null ? List.of()
                    : names(decoder.run().ids(), translationScreen.window().viewModel().modelProperty().get().targetTokenizer());
        }
        PreparedSentence prepared = viewModel.preparedProperty().get();
        if (prepared == null) {
            return List.of();
        }
        Tokenizer tokenizer = viewModel.modelProperty().get().tokenizer();
        List<String> texts = new ArrayList<>();
        for (int id : prepared.ids()) {
            texts.add(TokenDisplay.of(tokenizer, id).text());
        }
        return texts;
    }

    @Override
    public List<String> sourceTokenTexts() {
        if (!translationShown()) {
            return List.of();
        }
        EncoderDecoderPipeline.Side decoder = translation("tokens").tracedDecoder();
        return decoder == null ? List.of()
                : names(decoder.run().source().ids(), decoder.run().source().tokenizer());
    }

    private static List<String> names(int[] ids, Tokenizer tokenizer) {
        List<String> texts = new ArrayList<>();
        for (int id : ids) {
            texts.add(TokenDisplay.of(tokenizer, id).text());
        }
        return texts;
    }
}
