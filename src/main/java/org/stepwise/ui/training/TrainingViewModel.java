package org.stepwise.ui.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.ResourceBundle;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import javafx.application.Platform;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.concurrent.Task;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.sample.Generator;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.LossHistory;
import org.stepwise.train.Optimizer;
import org.stepwise.train.Trainer;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.SavedTraining;
import org.stepwise.train.TrainingSession;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.train.TrainingSpeed;
import org.stepwise.train.TrainingTimeline;
import org.stepwise.train.TranslationLoop;
import org.stepwise.train.TranslationSession;
import org.stepwise.train.UpdateStrategy;
import org.stepwise.ui.I18n;

/**
 * State of the training dashboard: owns the {@link Trainer} of the model being trained, turns its snapshots into
 * FX properties (coalesced: however many arrive, the FX thread handles at most ten a second, only ever the latest,
 * plus the latest noteworthy event), keeps the generated text sample fresh, lets the timeline show an earlier moment, and saves
 * and opens training sessions. It trains either a text model ({@link #modelProperty()}) on a {@link Corpus}, or a
 * translation model ({@link #translationModelProperty()}) on {@link TranslationCorpus} sentence pairs; then the
 * sample is the greedy translation of a held-back sentence. Either run saves and opens as a session. Every public
 * method is called on the FX thread unless it says otherwise.
 */
public final class TrainingViewModel implements AutoCloseable {

    /** Fraction of the corpus's samples held back for the validation loss. */
    public static final double VALIDATION_FRACTION = 0.1;
    /** Seconds between two generated samples. */
    public static final long SAMPLE_PERIOD_SECONDS = 3;
    /** Tokens each generated sample adds to its prompt. */
    public static final int SAMPLE_TOKENS = 48;
    /**
     * Shortest time between two updates of the dashboard, in nanoseconds: four a second are enough to follow the
     * counters and the curve, and every update costs a layout, CSS and drawing pass of the window (about 20 ms of
     * CPU with the software renderer), CPU time the trainer does not get.
     */
    public static final long SHOW_INTERVAL_NANOS = 250_000_000L;

    /** The user's language; read by background tasks, replaced by {@link #setMessages}. */
    private volatile ResourceBundle messages;
    private final List<Consumer<Parameters>> weightsListeners = new CopyOnWriteArrayList<>();
    private final ObjectProperty<LoadedModel> model = new SimpleObjectProperty<>(this, "model");
    private final ReadOnlyObjectWrapper<LoadedEncoderDecoder> translationModel =
            new ReadOnlyObjectWrapper<>(this, "translationModel");
    private final ReadOnlyObjectWrapper<TrainingSnapshot> snapshot = new ReadOnlyObjectWrapper<>(this, "snapshot");
    private final ReadOnlyObjectWrapper<LossHistory> lossHistory =
            new ReadOnlyObjectWrapper<>(this, "lossHistory", LossHistory.empty());
    private final ReadOnlyObjectWrapper<TrainingTimeline.Moment> viewedMoment =
            new ReadOnlyObjectWrapper<>(this, "viewedMoment");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "");
    private final ReadOnlyBooleanWrapper warning = new ReadOnlyBooleanWrapper(this, "warning", false);
    private final ReadOnlyObjectWrapper<Double> suggestedRate = new ReadOnlyObjectWrapper<>(this, "suggestedRate");
    private final ReadOnlyIntegerWrapper epochsEnded = new ReadOnlyIntegerWrapper(this, "epochsEnded", 0);
    private final ReadOnlyStringWrapper sampleText = new ReadOnlyStringWrapper(this, "sampleText", "");
    private final ReadOnlyStringWrapper corpusName = new ReadOnlyStringWrapper(this, "corpusName", "");
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready", false);
    private final DoubleProperty temperature = new SimpleDoubleProperty(this, "temperature", 0.8);

    private final AtomicReference<TrainingSnapshot> latest = new AtomicReference<>();
    private final AtomicReference<TrainingSnapshot> latestEvent = new AtomicReference<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-dashboard-pacer");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long lastDrainNanos;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-sample-text");
        thread.setDaemon(true);
        return thread;
    });

    private int lastEndedEpoch;
    private Trainer trainer;
    private Consumer<TrainingSnapshot> trainerListener;
    private Corpus corpus;
    private long savedIteration = 0;
    private volatile boolean live = true;
    private volatile Parameters lastNotifiedWeights;
    private volatile TrainingSnapshot newestForSample;
    private volatile LoadedModel modelForSample;
    private volatile LoadedEncoderDecoder translationForSample;
    private volatile String sentenceForSample;
    private volatile double temperatureForSample = 0.8;
    private Parameters lastSampledWeights;
    private double lastSampledTemperature = Double.NaN;

    public TrainingViewModel(ResourceBundle messages) {
        this.messages = messages;
        model.addListener((observable, before, after) -> modelForSample = after);
        translationModel.addListener((observable, before, after) -> translationForSample = after);
        temperature.addListener((observable, before, after) -> temperatureForSample = after.doubleValue());
        sampler.scheduleWithFixedDelay(this::refreshSample, SAMPLE_PERIOD_SECONDS, SAMPLE_PERIOD_SECONDS,
                TimeUnit.SECONDS);
    }

    /**
     * Writes the messages of the events and tasks that come from now on in {@code newMessages}; the trainer, the
     * loss history and the settings are not touched.
     */
    public void setMessages(ResourceBundle newMessages) {
        if (newMessages == null) {
            throw new IllegalArgumentException("messages are required");
        }
        messages = newMessages;
    }

    /** The language the view model formats its messages in. */
    public ResourceBundle messages() {
        return messages;
    }

    // ---------------------------------------------------------------- the model and the window's hooks

    /**
     * Tells {@code listener} about every new set of weights the window should show: the latest trained weights
     * while live (called on the trainer's thread), or those of the moment chosen on the timeline (called on the FX
     * thread). The weights are copies nobody modifies.
     */
    public void addWeightsListener(Consumer<Parameters> listener) {
        weightsListeners.add(listener);
    }

    public void removeWeightsListener(Consumer<Parameters> listener) {
        weightsListeners.remove(listener);
    }

    /**
     * The model being trained: config, tokenizer and its weights when it was opened, reset or reseeded (later
     * weights arrive through {@link #addWeightsListener}).
     */
    public ObjectProperty<LoadedModel> modelProperty() {
        return model;
    }

    /** The settings the current trainer was started with (its snapshots carry any later change). */
    private volatile TrainingSettings startSettings;

    /** Starts training {@code start} on {@code text}, paused; replaces any run in progress. */
    public void train(LoadedModel start, Corpus text, TrainingSettings settings) {
        int[] ids = start.tokenizer().encode(text.text()).ids();
        Dataset data = new Dataset(ids, start.config().contextLength(), VALIDATION_FRACTION);
        TrainingLoop loop = new TrainingLoop(start.config(), start.parameters().copy(), data, settings);
        startSettings = settings;
        replaceTrainer(new Trainer(loop), start, text, null);
        savedIteration = 0;
    }

    /**
     * Starts training the translation model {@code start} (its weights are copied) on {@code pairs}, paused;
     * replaces any run in progress. The validation loss is that of the held-back pairs.
     *
     * @throws IllegalArgumentException naming the pair when a sentence does not fit the model's context
     */
    public void train(LoadedEncoderDecoder start, TranslationCorpus pairs, TrainingSettings settings) {
        TranslationLoop loop = TranslationLoop.of(start, pairs.train(), pairs.test(), settings);
        startSettings = settings;
        sentenceForSample = pairs.shownSentence();
        corpusName.set(pairs.name());
        replaceTrainer(new Trainer(loop), null, null, start);
        savedIteration = 0;
    }

    /**
     * The translation model being trained, with its weights when it was opened or reset; null while a text model
     * trains (then {@link #modelProperty()} holds it).
     */
    public ReadOnlyObjectProperty<LoadedEncoderDecoder> translationModelProperty() {
        return translationModel.getReadOnlyProperty();
    }

    /** True while a translation model trains. */
    public boolean isTranslating() {
        return translationModel.get() != null;
    }

    /**
     * Continues a saved session exactly, paused: a text model's in {@link #modelProperty()}, a translation model's in
     * {@link #translationModelProperty()}.
     */
    public void resume(SavedTraining session, String corpusLabel) {
        Trainer resumed = Trainer.resume(session);
        startSettings = session.settings();
        corpusName.set(corpusLabel);
        if (session instanceof TranslationSession translation) {
            LoadedEncoderDecoder saved = translation.model();
            LoadedEncoderDecoder start = new LoadedEncoderDecoder(session.name(), saved.config(),
                    session.state().weights().copy(), saved.sourceTokenizer(), saved.targetTokenizer(),
                    saved.lowercaseSource());
            sentenceForSample = translation.test().pairs().get(0).source();
            replaceTrainer(resumed, null, null, start);
        } else if (session instanceof TrainingSession text) {
            LoadedModel start = new LoadedModel(session.name(), text.config(), session.state().weights().copy(),
                    text.tokenizer());
            replaceTrainer(resumed, start, null, null);
        }
        savedIteration = session.state().iteration();
    }

    /** One of {@code start} (a text model) and {@code translation} is null. */
    private void replaceTrainer(Trainer next, LoadedModel start, Corpus text, LoadedEncoderDecoder translation) {
        closeTrainer();
        latest.set(null);
        latestEvent.set(null);
        snapshot.set(null);
        lossHistory.set(next.timeline().lossHistory());
        viewedMoment.set(null);
        live = true;
        lastNotifiedWeights = null;
        newestForSample = null;
        lastSampledWeights = null;
        sampleText.set("");
        showMessage("", false, null);
        corpus = text;
        if (text != null) {
            corpusName.set(text.name());
        }
        model.set(start);
        translationModel.set(translation);
        trainer = next;
        trainerListener = this::onSnapshot;
        next.addListener(trainerListener);
        next.open();
        ready.set(true);
    }

    /** A task that opens the bundled model and corpus and trains it with {@link TrainingSettings#defaults()}. */
    public Task<Void> loadDefault() {
        Task<Void> task = new Task<>() {
            private LoadedModel loaded;
            private Corpus english;

            @Override
            protected Void call() throws Exception {
                updateMessage(messages.getString("dashboard.status.loading"));
                loaded = DefaultModel.load();
                english = Corpus.english();
                return null;
            }

            @Override
            protected void succeeded() {
                train(loaded, english, TrainingSettings.defaults());
            }
        };
        return task;
    }

    /**
     * A task that builds a new model from {@code recipe} on {@code text}: trains the tokenizer (BPE merges can
     * take a few seconds), encodes the corpus, draws the weights from {@code seed}. Run it on a background thread;
     * its value is the new model, not yet trained (hand it to {@link #train}).
     */
    public Task<LoadedModel> buildModel(ModelRecipe recipe, Corpus text, long seed) {
        return new Task<>() {
            @Override
            protected LoadedModel call() {
                updateProgress(0, 3);
                updateMessage(I18n.format(messages, "dashboard.build.tokenizer",
                        messages.getString("dashboard.tokenizer." + recipe.tokenizer().name())));
                updateProgress(-1, 3);
                // BPE: the bar fills with the vocabulary as the merges are learned (the first third of the task).
                Tokenizer tokenizer = recipe.trainTokenizer(text.text(), (entries, wanted) -> {
                    if (entries % 8 == 0 || entries == wanted) {
                        updateProgress((double) entries / wanted, 3);
                        updateMessage(I18n.format(messages, "dashboard.build.merges", entries, wanted));
                    }
                });
                updateProgress(1, 3);
                updateMessage(I18n.format(messages, "dashboard.build.tokenizerDone", tokenizer.vocabSize()));
                ModelConfig config = recipe.configFor(tokenizer);
                int tokens = tokenizer.encode(text.text()).size();
                if (tokens <= config.contextLength()) {
                    throw new IllegalArgumentException(I18n.format(messages, "dashboard.build.tooShort", tokens,
                            config.contextLength()));
                }
                updateProgress(2, 3);
                updateMessage(messages.getString("dashboard.build.weights"));
                Parameters weights = ParameterLayout.of(config).initialize(seed);
                updateProgress(3, 3);
                return new LoadedModel(text.name().replaceFirst("\\.[^.]*$", "") + "-" + config.nLayer() + "L"
                        + config.dModel(), config, weights, tokenizer);
            }
        };
    }

    // ---------------------------------------------------------------- controls

    public void start() {
        trainer().start();
    }

    public void pause() {
        trainer().pause();
    }

    public void stepIteration() {
        goLive();
        trainer().stepIteration();
    }

    public void stepEpoch() {
        goLive();
        trainer().stepEpoch();
    }

    /** New random weights from the seed; training pauses and starts again from iteration 0. */
    public void reset() {
        goLive();
        trainer().reset();
    }

    public void setSpeed(TrainingSpeed speed) {
        trainer().setSpeed(speed);
    }

    public void setLearningRate(double rate) {
        trainer().setLearningRate(rate);
    }

    public CompletableFuture<TrainingSettings> setBatchSize(int batchSize) {
        return trainer().setBatchSize(batchSize);
    }

    public CompletableFuture<TrainingSettings> setOptimizer(Optimizer.Kind kind) {
        return trainer().setOptimizer(kind);
    }

    public CompletableFuture<TrainingSettings> setUpdateStrategy(UpdateStrategy strategy) {
        return trainer().setUpdateStrategy(strategy);
    }

    /** Another seed: new weights drawn from it, training from the start, paused. */
    public CompletableFuture<TrainingSettings> setSeed(long seed) {
        goLive();
        return trainer().setSeed(seed);
    }

    private Trainer trainer() {
        if (trainer == null) {
            throw new IllegalStateException("no model is being trained yet");
        }
        return trainer;
    }

    /** The settings in force according to the latest snapshot, or null before the first. */
    public TrainingSettings settings() {
        TrainingSnapshot current = snapshot.get();
        if (current != null) {
            return current.settings();
        }
        // A trainer just started has published nothing yet: its settings are the ones it was given.
        return startSettings != null ? startSettings : TrainingSettings.defaults();
    }

    /** The corpus being trained on; null for a reopened session (its text lives in the session as ids). */
    public Corpus corpus() {
        return corpus;
    }

    // ---------------------------------------------------------------- timeline

    /** The kept moments of this run (weights every few iterations), oldest first. */
    public List<TrainingTimeline.Moment> moments() {
        return trainer == null ? List.of() : trainer.timeline().moments();
    }

    /**
     * Shows the kept moment nearest to {@code iteration}: the weights listeners get its weights and live
     * snapshots no longer reach them until {@link #goLive()}.
     */
    public void viewMoment(long iteration) {
        if (trainer == null) {
            return;
        }
        TrainingTimeline.Moment moment = trainer.timeline().nearest(iteration);
        if (moment == null) {
            return;
        }
        live = false;
        viewedMoment.set(moment);
        notifyWeights(moment.weights());
    }

    /** Back to the latest weights. */
    public void goLive() {
        if (live) {
            return;
        }
        live = true;
        viewedMoment.set(null);
        TrainingSnapshot current = latest.get() != null ? latest.get() : snapshot.get();
        if (current != null) {
            notifyWeights(current.weights());
        }
    }

    public ReadOnlyObjectProperty<TrainingTimeline.Moment> viewedMomentProperty() {
        return viewedMoment.getReadOnlyProperty();
    }

    // ---------------------------------------------------------------- sessions

    /** True when iterations were trained since the run was opened or last saved. */
    public boolean hasUnsavedProgress() {
        TrainingSnapshot current = snapshot.get();
        return current != null && current.iteration() != savedIteration;
    }

    /** True while training runs on its own. */
    public boolean isRunning() {
        TrainingSnapshot current = snapshot.get();
        return current != null && current.running();
    }

    /**
     * Captures the run between two iterations and writes it into {@code dir} on a background thread, atomically:
     * into a fresh folder beside {@code dir}, which then takes the place of {@code dir} (an older session there
     * is replaced only once the new one is complete). Completes on a background thread.
     */
    public CompletableFuture<Path> saveSession(Path dir) {
        if (trainer == null || (model.get() == null && translationModel.get() == null)) {
            return CompletableFuture.failedFuture(new IllegalStateException("no model is being trained yet"));
        }
        Path target = dir.toAbsolutePath();
        return trainer.captureSession(String.valueOf(target.getFileName()), corpusTokenizer())
                .thenApplyAsync(session -> {
                    try {
                        writeAtomically(target, session);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    Platform.runLater(() -> savedIteration = session.state().iteration());
                    return target;
                });
    }

    /**
     * A copy of the whole run between two iterations, named {@code name}, e.g. for an autosave; unlike
     * {@link #saveSession} it does not count as saving the run. Completes on the trainer's thread.
     */
    public CompletableFuture<SavedTraining> captureSession(String name) {
        if (trainer == null || (model.get() == null && translationModel.get() == null)) {
            return CompletableFuture.failedFuture(new IllegalStateException("no model is being trained yet"));
        }
        return trainer.captureSession(name, corpusTokenizer());
    }

    /** The text model's tokenizer, saved with its session; null for a translation model, which keeps its own two. */
    private Tokenizer corpusTokenizer() {
        LoadedModel current = model.get();
        return current == null ? null : current.tokenizer();
    }

    /** The name of the model being trained (text or translation), or null before one is. */
    public String trainedModelName() {
        if (translationModel.get() != null) {
            return translationModel.get().name();
        }
        return model.get() == null ? null : model.get().name();
    }

    private static void writeAtomically(Path target, SavedTraining session) throws IOException {
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path fresh = Files.createTempDirectory(parent, "." + target.getFileName() + ".saving-");
        Path old = null;
        try {
            session.save(fresh);
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(fresh, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (old != null && !Files.exists(target)) {
                Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                old = null;
            }
            deleteTree(fresh);
            throw e;
        }
        if (old != null) {
            deleteTree(old);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** A task that opens the session saved in {@code dir}; on success the run continues it, paused. */
    public Task<SavedTraining> openSession(Path dir) {
        return new Task<>() {
            @Override
            protected SavedTraining call() throws IOException {
                return SavedTraining.open(dir);
            }

            @Override
            protected void succeeded() {
                resume(getValue(), String.valueOf(dir.getFileName()));
            }
        };
    }

    // ---------------------------------------------------------------- snapshots to the FX thread

    /** Trainer's thread: keeps the newest snapshot, schedules at most one drain on the FX thread. */
    private void onSnapshot(TrainingSnapshot next) {
        latest.set(next);
        if (next.messageKey() != null || next.event() == TrainingSnapshot.Event.RESET) {
            latestEvent.set(next);
        }
        newestForSample = next;
        if (live && next.weights() != lastNotifiedWeights) {
            notifyWeights(next.weights());
        }
        if (drainScheduled.compareAndSet(false, true)) {
            long wait = lastDrainNanos + SHOW_INTERVAL_NANOS - System.nanoTime();
            if (wait <= 0) {
                Platform.runLater(this::drain);
            } else {
                pacer.schedule(() -> Platform.runLater(this::drain), wait, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void notifyWeights(Parameters weights) {
        lastNotifiedWeights = weights;
        for (Consumer<Parameters> listener : weightsListeners) {
            listener.accept(weights);
        }
    }

    private void drain() {
        lastDrainNanos = System.nanoTime();
        drainScheduled.set(false);
        TrainingSnapshot event = latestEvent.getAndSet(null);
        TrainingSnapshot newest = latest.get();
        if (newest == null) {
            return;
        }
        if (event != null) {
            showEvent(event);
        }
        if (trainer != null) {
            lossHistory.set(trainer.timeline().lossHistory());
        }
        snapshot.set(newest);
    }

    private void showEvent(TrainingSnapshot event) {
        switch (event.event()) {
            case DIVERGED -> {
                TrainingLoop.Divergence divergence = event.divergence();
                showMessage(I18n.format(messages, divergence.messageKey(), divergence.learningRate(),
                        divergence.suggestedLearningRate(), divergence.loss(), divergence.uniformLoss()), true,
                        divergence.suggestedLearningRate());
            }
            case EPOCH_END -> {
                lastEndedEpoch = event.epoch() - 1;
                epochsEnded.set(epochsEnded.get() + 1);
                showMessage(I18n.format(messages, event.messageKey(), event.epoch() - 1, event.epoch()), false, null);
            }
            case RESET -> {
                LoadedModel current = model.get();
                if (current != null) {
                    model.set(new LoadedModel(current.name(), current.config(), event.weights(), current.tokenizer()));
                }
                LoadedEncoderDecoder translation = translationModel.get();
                if (translation != null) {
                    translationModel.set(new LoadedEncoderDecoder(translation.name(), translation.config(),
                            event.weights(), translation.sourceTokenizer(), translation.targetTokenizer(),
                            translation.lowercaseSource()));
                }
                showMessage(I18n.format(messages, Trainer.RESET_KEY, String.valueOf(event.settings().seed())), false,
                        null);
            }
            case SETTINGS_REJECTED, FAILED -> showMessage(I18n.format(messages, event.messageKey(), event.message()),
                    true, null);
            default -> {
            }
        }
    }

    /** Shows {@code text} in the dashboard's message line; a warning is drawn to stand out. */
    public void showMessage(String text, boolean isWarning, Double suggested) {
        message.set(text);
        warning.set(isWarning);
        suggestedRate.set(suggested);
    }

    // ---------------------------------------------------------------- generated sample

    /** Sampler's thread: a new sample when the weights or the temperature changed since the last one. */
    private void refreshSample() {
        try {
            TrainingSnapshot current = newestForSample;
            LoadedEncoderDecoder translation = translationForSample;
            String sentence = sentenceForSample;
            if (translation != null) {
                if (current == null || sentence == null || current.weights() == lastSampledWeights
                        || current.weights().count() != translation.parameters().count()) {
                    return;
                }
                String text = sentence + " → " + translate(translation, current.weights(), sentence);
                lastSampledWeights = current.weights();
                Platform.runLater(() -> sampleText.set(text));
                return;
            }
            LoadedModel shown = modelForSample;
            double chosenTemperature = temperatureForSample;
            if (current == null || shown == null || current.weights().count() != shown.parameters().count()
                    || (current.weights() == lastSampledWeights && chosenTemperature == lastSampledTemperature)) {
                return;
            }
            String text = generate(shown.config(), shown.tokenizer(), current.weights(), chosenTemperature,
                    current.iteration());
            lastSampledWeights = current.weights();
            lastSampledTemperature = chosenTemperature;
            Platform.runLater(() -> sampleText.set(text));
        } catch (RuntimeException e) {
            Platform.runLater(() -> sampleText.set(I18n.format(messages, "dashboard.sample.failed", e.getMessage())));
        }
    }

    /**
     * Text generated from {@code weights} (Not modified): the corpus's first token as prompt, then
     * {@link #SAMPLE_TOKENS} tokens drawn at {@code temperatureValue}, seeded by the iteration so the same
     * weights give the same text.
     */
    static String generate(ModelConfig config, Tokenizer tokenizer, Parameters weights, double temperatureValue,
            long iteration) {
        int[] prompt = {firstPromptId(tokenizer)};
        int[] ids = new Generator(new Transformer(config, weights)).generate(prompt, SAMPLE_TOKENS,
                SamplingSettings.ofTemperature(temperatureValue), tokenizer.specials().eos(),
                new SplittableRandom(iteration));
        return tokenizer.decode(ids);
    }

    /**
     * The greedy translation of {@code sentence} by {@code model}'s architecture and tokenizers with
     * {@code weights} (Not modified): the most likely target token at every step, until the end id or the context
     * is full.
     */
    static String translate(LoadedEncoderDecoder model, Parameters weights, String sentence) {
        Translator translator = new Translator(new EncoderDecoder(model.config(), weights));
        int[] ids = translator.translate(model.encodeSource(sentence), model.startId(), model.endId(),
                model.config().shared().contextLength() - 1, SamplingSettings.GREEDY, new SplittableRandom(0));
        return model.targetTokenizer().decode(ids);
    }

    private static int firstPromptId(Tokenizer tokenizer) {
        for (String candidate : List.of("The", "T", "我", " ")) {
            int[] ids = tokenizer.encode(candidate).ids();
            if (ids.length > 0 && ids[0] != tokenizer.specials().unk()) {
                return ids[0];
            }
        }
        return tokenizer.specials().eos() >= 0 ? tokenizer.specials().eos() : 0;
    }

    // ---------------------------------------------------------------- read-only properties

    public ReadOnlyObjectProperty<TrainingSnapshot> snapshotProperty() {
        return snapshot.getReadOnlyProperty();
    }

    /** Every loss point of the run, replaced as training goes on. */
    public ReadOnlyObjectProperty<LossHistory> lossHistoryProperty() {
        return lossHistory.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** True when the message is a warning (divergence, a refused setting, a bad file). */
    public ReadOnlyBooleanProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    /** After a divergence, the smaller learning rate the message suggests; otherwise null. */
    public ReadOnlyObjectProperty<Double> suggestedRateProperty() {
        return suggestedRate.getReadOnlyProperty();
    }

    /** The epoch whose end was last seen (0 before any). */
    public int lastEndedEpoch() {
        return lastEndedEpoch;
    }

    /** Counts the ends of epochs seen, so the view can flash at each. */
    public ReadOnlyIntegerProperty epochsEndedProperty() {
        return epochsEnded.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty sampleTextProperty() {
        return sampleText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty corpusNameProperty() {
        return corpusName.getReadOnlyProperty();
    }

    /** True once a model is being trained. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    /** Temperature of the generated sample (0 = always the most likely token). */
    public DoubleProperty temperatureProperty() {
        return temperature;
    }

    private void closeTrainer() {
        if (trainer != null) {
            trainer.removeListener(trainerListener);
            trainer.close();
            trainer = null;
        }
    }

    /** Stops the trainer and the sampler. */
    @Override
    public void close() {
        closeTrainer();
        sampler.shutdownNow();
        pacer.shutdownNow();
    }
}
