package org.stepwise.ui;

import java.util.List;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.ui.stage.StageActions;
import org.stepwise.ui.stage.StageContext;

/**
 * State of the visualizer: the model, the sentence and its trace, the stage on screen, the selected block,
 * head and token, and the sampling settings. The trace is computed on one background thread, only for the
 * newest request (sentence or weights); stepping through stages only reads the trace and never recomputes.
 * Weights are the model's own, or the newest ones a trainer hands to {@link #setLiveWeights}, picked up
 * a few times a second unless {@link #frozenProperty() frozen}. Properties are read and written on the FX thread.
 */
public final class VisualizerViewModel implements StageActions, AutoCloseable {

    /**
     * Shortest time in milliseconds between two recomputations for new live weights: attention patterns and
     * activations change slowly enough that about two pictures a second show them forming, and every picture is
     * a trace, a restyle and a redraw of the stage that the trainer's threads do not get.
     */
    public static final long LIVE_REFRESH_MILLIS = 400;

    /** A finished computation, handed from the worker to the FX thread. */
    private record Result(PreparedSentence sentence, SentenceTrace run, Parameters weights, String error) {
    }

    /** The user's language; read by the worker for its error text, replaced by {@link #setMessages}. */
    private volatile ResourceBundle messages;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-trace");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean computeQueued = new AtomicBoolean();
    private final AtomicBoolean liveRefreshQueued = new AtomicBoolean();

    private final ReadOnlyObjectWrapper<LoadedModel> model = new ReadOnlyObjectWrapper<>();
    private final StringProperty sentence = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<PreparedSentence> prepared = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<SentenceTrace> run = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<Parameters> weights = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyObjectWrapper<List<Stage>> stages = new ReadOnlyObjectWrapper<>(List.of());
    private final IntegerProperty stageIndex = new SimpleIntegerProperty(0);
    private final ReadOnlyObjectWrapper<Stage> stage = new ReadOnlyObjectWrapper<>();
    private final IntegerProperty head = new SimpleIntegerProperty(0);
    private final IntegerProperty selectedToken = new SimpleIntegerProperty(-1);
    private final ObjectProperty<SamplingSettings> sampling = new SimpleObjectProperty<>(SamplingSettings.PLAIN);
    private final BooleanProperty frozen = new SimpleBooleanProperty(false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<StageContext> context = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper explanation = new ReadOnlyStringWrapper("");

    // Read by the worker; written on the FX thread (or by the trainer for liveWeights).
    private volatile LoadedModel workerModel;
    private volatile String requestedText = "";
    private volatile Parameters liveWeights;
    private volatile boolean workerFrozen;
    private volatile Parameters frozenWeights;
    // Only touched by the worker.
    private LoadedModel computedModel;
    private String computedText;
    private Parameters computedWeights;
    private Transformer transformer;

    /**
     * @param model    the model to show
     * @param messages the user's language
     * @param text     the first sentence
     */
    public VisualizerViewModel(LoadedModel model, ResourceBundle messages, String text) {
        this.messages = Objects.requireNonNull(messages, "messages");
        stageIndex.addListener((observable, before, after) -> {
            List<Stage> all = stages.get();
            int clamped = Math.max(0, Math.min(all.size() - 1, after.intValue()));
            if (clamped != after.intValue()) {
                stageIndex.set(clamped);
                return;
            }
            stage.set(all.isEmpty() ? null : all.get(clamped));
        });
        head.addListener((observable, before, after) -> {
            LoadedModel current = this.model.get();
            if (current != null && (after.intValue() < 0 || after.intValue() >= current.config().nHead())) {
                throw new IllegalArgumentException("head " + after + " is outside the model's "
                        + current.config().nHead() + " heads");
            }
        });
        sentence.addListener((observable, before, after) -> {
            requestedText = after == null ? "" : after;
            requestCompute();
        });
        frozen.addListener((observable, before, after) -> {
            frozenWeights = weights.get();
            workerFrozen = after;
            if (!after) {
                requestCompute();
            }
        });
        for (javafx.beans.Observable input : List.of(stage, head, selectedToken, sampling, run, weights, prepared)) {
            input.addListener(observable -> updateContext());
        }
        setModel(model);
        sentence.set(text == null ? "" : text);
    }

    /** Shows another model: its own weights, the first stage, head 0; the sentence is kept and recomputed. */
    public void setModel(LoadedModel newModel) {
        if (newModel == null) {
            throw new IllegalArgumentException("a model is required");
        }
        liveWeights = null;
        frozenWeights = null;
        workerModel = newModel;
        run.set(null);
        weights.set(null);
        head.set(0);
        selectedToken.set(-1);
        model.set(newModel);
        stages.set(Pipeline.stages(newModel.config()));
        stage.set(null);
        stageIndex.set(0);
        stage.set(stages.get().get(0));
        requestCompute();
    }

    /**
     * Hands the trainer's newest weights to the visualizer; callable from any thread. {@code latest} must
     * be a copy the caller no longer modifies. Several calls within {@value #LIVE_REFRESH_MILLIS} ms are
     * coalesced into one recomputation with the newest weights; while frozen they are kept but not shown.
     */
    public void setLiveWeights(Parameters latest) {
        if (latest == null) {
            throw new IllegalArgumentException("live weights are required");
        }
        LoadedModel current = workerModel;
        if (current != null) {
            org.stepwise.model.ParameterLayout.of(current.config()).check(latest);
        }
        liveWeights = latest;
        if (liveRefreshQueued.compareAndSet(false, true)) {
            worker.schedule(() -> {
                liveRefreshQueued.set(false);
                requestCompute();
            }, LIVE_REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void requestCompute() {
        if (computeQueued.compareAndSet(false, true)) {
            if (Platform.isFxApplicationThread()) {
                busy.set(true);
            }
            worker.execute(this::computeLatest);
        }
    }

    /** On the worker: prepares and traces the newest sentence under the newest weights, if they changed. */
    private void computeLatest() {
        computeQueued.set(false);
        LoadedModel current = workerModel;
        String text = requestedText;
        Parameters chosen = workerFrozen && frozenWeights != null ? frozenWeights
                : liveWeights != null ? liveWeights : current.parameters();
        if (current == computedModel && text.equals(computedText) && chosen == computedWeights) {
            Platform.runLater(() -> busy.set(computeQueued.get()));
            return;
        }
        Result result;
        try {
            if (transformer == null || current != computedModel || chosen != computedWeights) {
                transformer = new Transformer(current.config(), chosen);
            }
            PreparedSentence sentenceReady = Pipeline.prepare(current.tokenizer(), text,
                    current.config().contextLength(), Pipeline.Keep.LAST);
            SentenceTrace trace = sentenceReady.isEmpty() ? null : SentenceTrace.record(transformer, sentenceReady.ids());
            result = new Result(sentenceReady, trace, chosen, "");
        } catch (RuntimeException e) {
            result = new Result(null, null, chosen, I18n.format(messages, "ui.error.compute", String.valueOf(e.getMessage())));
        }
        computedModel = current;
        computedText = text;
        computedWeights = chosen;
        Result finished = result;
        Platform.runLater(() -> publish(current, finished));
    }

    private void publish(LoadedModel computedFor, Result result) {
        busy.set(computeQueued.get());
        if (computedFor != model.get()) {
            return;
        }
        error.set(result.error());
        if (result.sentence() == null) {
            return;
        }
        int tokens = result.sentence().ids().length;
        if (selectedToken.get() >= tokens) {
            selectedToken.set(-1);
        }
        prepared.set(result.sentence());
        weights.set(result.weights());
        if (frozen.get()) {
            frozenWeights = result.weights();
        }
        run.set(result.run());
        updateContext();
    }

    private void updateContext() {
        LoadedModel current = model.get();
        Stage shown = stage.get();
        if (current == null || shown == null || prepared.get() == null || weights.get() == null) {
            context.set(null);
            return;
        }
        int headShown = Math.min(head.get(), current.config().nHead() - 1);
        context.set(new StageContext(current, weights.get(), prepared.get(), run.get(), shown, headShown,
                selectedToken.get(), sampling.get(), messages, this));
    }

    /**
     * Speaks {@code newMessages} from now on: the stage context is made again with it, so the panel on screen
     * redraws its text in that language; the model, sentence, trace, stage and selection stay as they are.
     */
    public void setMessages(ResourceBundle newMessages) {
        if (newMessages == null) {
            throw new IllegalArgumentException("messages are required");
        }
        messages = newMessages;
        updateContext();
    }

    /** The language the view model formats its text in. */
    public ResourceBundle messages() {
        return messages;
    }

    /** One stage on. */
    public void next() {
        stageIndex.set(Math.min(stages.get().size() - 1, stageIndex.get() + 1));
    }

    /** One stage back. */
    public void previous() {
        stageIndex.set(Math.max(0, stageIndex.get() - 1));
    }

    /** The first stage (Text). */
    public void first() {
        stageIndex.set(0);
    }

    /** The last stage (Next token). */
    public void last() {
        stageIndex.set(stages.get().size() - 1);
    }

    /**
     * Moves to block {@code block}: to the same kind of stage there when the current stage is inside a
     * block, otherwise to the block's first stage.
     *
     * @throws IllegalArgumentException for a block the model does not have
     */
    public void jumpToBlock(int block) {
        int blocks = model.get().config().nLayer();
        if (block < 0 || block >= blocks) {
            throw new IllegalArgumentException("block " + block + " is outside the model's " + blocks + " blocks");
        }
        Stage current = stage.get();
        List<Stage> all = stages.get();
        if (current != null && current.kind().inBlock()) {
            int same = all.indexOf(Stage.of(current.kind(), block));
            if (same >= 0) {
                stageIndex.set(same);
                return;
            }
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).block() == block) {
                stageIndex.set(i);
                return;
            }
        }
    }

    /** The block of the stage on screen, or −1 outside the blocks. */
    public int currentBlock() {
        Stage current = stage.get();
        return current == null ? -1 : current.block();
    }

    @Override
    public void appendToken(int id) {
        LoadedModel current = model.get();
        if (id < 0 || id >= current.config().vocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of "
                    + current.config().vocabSize());
        }
        sentence.set(sentence.get() + current.tokenizer().decode(new int[] {id}));
    }

    @Override
    public void openStage(Stage target, int headToShow) {
        int index = stages.get().indexOf(target);
        if (index < 0) {
            throw new IllegalArgumentException("this model has no stage " + target);
        }
        head.set(headToShow);
        stageIndex.set(index);
    }

    @Override
    public void selectToken(int position) {
        PreparedSentence current = prepared.get();
        int tokens = current == null ? 0 : current.ids().length;
        if (position < -1 || position >= tokens) {
            throw new IllegalArgumentException("token position " + position + " is outside the " + tokens + " tokens");
        }
        selectedToken.set(position);
    }

    @Override
    public void setSampling(SamplingSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("sampling settings are required");
        }
        sampling.set(settings);
    }

    @Override
    public boolean isOnScreen(StageContext shown) {
        return shown != null && shown == context.get();
    }

    @Override
    public void showExplanation(String text) {
        if (text == null) {
            throw new IllegalArgumentException("an explanation is required; \"\" clears it");
        }
        explanation.set(text);
    }

    public ReadOnlyObjectProperty<LoadedModel> modelProperty() {
        return model.getReadOnlyProperty();
    }

    public StringProperty sentenceProperty() {
        return sentence;
    }

    /** The sentence as last computed (tokens, notices); null before the first computation. */
    public ReadOnlyObjectProperty<PreparedSentence> preparedProperty() {
        return prepared.getReadOnlyProperty();
    }

    /** The trace of the sentence on screen; null for an empty sentence or before the first computation. */
    public ReadOnlyObjectProperty<SentenceTrace> runProperty() {
        return run.getReadOnlyProperty();
    }

    /** The weights {@link #runProperty()} was computed with. */
    public ReadOnlyObjectProperty<Parameters> weightsProperty() {
        return weights.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<List<Stage>> stagesProperty() {
        return stages.getReadOnlyProperty();
    }

    /** Index of the stage on screen in {@link #stagesProperty()}; values outside are clamped. */
    public IntegerProperty stageIndexProperty() {
        return stageIndex;
    }

    public ReadOnlyObjectProperty<Stage> stageProperty() {
        return stage.getReadOnlyProperty();
    }

    /** The selected query head, in [0, H). */
    public IntegerProperty headProperty() {
        return head;
    }

    /** The selected token position, or −1 for none. */
    public IntegerProperty selectedTokenProperty() {
        return selectedToken;
    }

    public ObjectProperty<SamplingSettings> samplingProperty() {
        return sampling;
    }

    /** While true, the weights on screen stay as they are, whatever the trainer sends. */
    public BooleanProperty frozenProperty() {
        return frozen;
    }

    /** True while a computation is queued or running. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** The message of the last failed computation, or empty. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** How the hovered or pinned number of the panel on screen was computed; empty when none is. */
    public ReadOnlyStringProperty explanationProperty() {
        return explanation.getReadOnlyProperty();
    }

    /** What the stage panel draws; a new value with every change, null until the first trace is ready. */
    public ReadOnlyObjectProperty<StageContext> contextProperty() {
        return context.getReadOnlyProperty();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
