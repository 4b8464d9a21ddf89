package org.stepwise.ui.translate;

import org.stepwise.model.ParameterLayout;

import org.stepwise.model.Parameters;

import javafx.animation.PauseTransition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ResourceBundle;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.Hook;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.TensorRef;
import org.stepwise.pipeline.TensorValues;
import org.stepwise.sample.Sampler;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.I18n;
import org.stepwise.ui.stage.StageActions;
import org.stepwise.ui.stage.StageContext;

/**
 * The state of the visualizer for an encoder-decoder (translation) model: the source sentence and the target so
 * far, both traced off the FX thread; the stages of both stacks and the one on screen, the selected head, the
 * sampling of the output stages; and translation token by token (the next target token appended until
 * {@code <eos>}). Every public method is called on the FX thread.
 */
public final class TranslationViewModel implements StageActions, AutoCloseable {

    /** Shortest time in milliseconds between two recomputations for the trainer's new weights. */
    public static final long LIVE_REFRESH_MILLIS = 300;


    /** Both halves of one traced pass with the sentences they were run on; the sides are null for an empty source. */
    private record Result(LoadedEncoderDecoder model, String source, String target, PreparedSentence sourceSentence,
                          PreparedSentence targetSentence, EncoderDecoderPipeline.Side encoder,
                          EncoderDecoderPipeline.Side decoder, String error) {
    }

    private ResourceBundle messages;
    private final ReadOnlyObjectWrapper<LoadedEncoderDecoder> model = new ReadOnlyObjectWrapper<>();
    private final StringProperty source = new SimpleStringProperty("");
    private final StringProperty target = new SimpleStringProperty("");
    private final ReadOnlyObjectWrapper<List<Stage>> stages = new ReadOnlyObjectWrapper<>(List.of());
    private final IntegerProperty stageIndex = new SimpleIntegerProperty(0);
    private final ReadOnlyObjectWrapper<Stage> stage = new ReadOnlyObjectWrapper<>();
    private final IntegerProperty head = new SimpleIntegerProperty(0);
    private final IntegerProperty selectedToken = new SimpleIntegerProperty(-1);
    private final ObjectProperty<SamplingSettings> sampling = new SimpleObjectProperty<>(SamplingSettings.GREEDY);
    private final ReadOnlyObjectWrapper<StageContext> context = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final BooleanProperty translating = new SimpleBooleanProperty(false);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper explanation = new ReadOnlyStringWrapper("");
    private final ReadOnlyObjectWrapper<List<String>> notices = new ReadOnlyObjectWrapper<>(List.of());
    private final ExecutorService worker = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "translation-trace");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean computeQueued = new AtomicBoolean(false);
    private final Sampler sampler = new Sampler();
    private final SplittableRandom random = new SplittableRandom(2026);
    private volatile LoadedEncoderDecoder workerModel;
    /** The shown model with the trainer's latest weights, once some came (FX thread). */
    private LoadedEncoderDecoder liveModel;
    private volatile Parameters pendingWeights;
    private final java.util.concurrent.atomic.AtomicBoolean liveScheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile String requestedSource = "";
    private volatile String requestedTarget = "";
    private EncoderDecoder engine;              // worker thread only
    private LoadedEncoderDecoder engineModel;   // worker thread only
    private Result shown;
    /** True while the status says why the last trace failed. */
    private boolean errorShown;

    /**
     * @param model    the translation model
     * @param messages the user's language
     * @param text     the first source sentence; the target starts empty
     */
    public TranslationViewModel(LoadedEncoderDecoder model, ResourceBundle messages, String text) {
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
            LoadedEncoderDecoder current = this.model.get();
            if (current != null && (after.intValue() < 0 || after.intValue() >= current.config().shared().nHead())) {
                throw new IllegalArgumentException("head " + after + " is outside the model's "
                        + current.config().shared().nHead() + " heads");
            }
        });
        source.addListener((observable, before, after) -> {
            requestedSource = after == null ? "" : after;
            requestCompute();
        });
        target.addListener((observable, before, after) -> {
            requestedTarget = after == null ? "" : after;
            requestCompute();
        });
        for (javafx.beans.Observable input : List.of(stage, head, selectedToken, sampling)) {
            input.addListener(observable -> updateContext());
        }
        setModel(model);
        source.set(text == null ? "" : text);
    }

    /** Shows another translation model: the first stage, head 0; the sentences are kept and traced again. */
    public void setModel(LoadedEncoderDecoder newModel) {
        if (newModel == null) {
            throw new IllegalArgumentException("a model is required");
        }
        translating.set(false);
        liveModel = null;
        model.set(newModel);
        workerModel = newModel;
        head.set(0);
        selectedToken.set(-1);
        stages.set(EncoderDecoderPipeline.stages(newModel.config()));
        stageIndex.set(0);
        stage.set(stages.get().get(0));
        requestCompute();
    }

    private void requestCompute() {
        busy.set(true);
        if (computeQueued.compareAndSet(false, true)) {
            worker.execute(this::computeLatest);
        }
    }

    /** On the worker: tokenizes the newest sentences and traces them, unless they are the ones traced last. */
    private void computeLatest() {
        computeQueued.set(false);
        LoadedEncoderDecoder current = workerModel;
        String sourceText = requestedSource;
        String targetText = requestedTarget;
        Result result;
        try {
            if (engine == null || engineModel != current) {
                engine = new EncoderDecoder(current.config(), current.parameters());
                engineModel = current;
            }
            int context = current.config().shared().contextLength();
            String read = current.lowercaseSource() ? sourceText.toLowerCase(Locale.ROOT) : sourceText;
            PreparedSentence sourceSentence = Pipeline.prepare(current.sourceTokenizer(), read, context,
                    Pipeline.Keep.FIRST);
            PreparedSentence targetSentence = decoderInput(current, targetText);
            EncoderDecoderPipeline.Side[] sides = sourceSentence.isEmpty() ? new EncoderDecoderPipeline.Side[2]
                    : EncoderDecoderPipeline.record(engine, sourceSentence.ids(), targetSentence.ids(),
                            current.sourceTokenizer());
            result = new Result(current, sourceText, targetText, sourceSentence, targetSentence, sides[0], sides[1], "");
        } catch (RuntimeException failure) {
            result = new Result(current, sourceText, targetText, null, null, null, null,
                    I18n.format(messages, "ui.error.compute", String.valueOf(failure.getMessage())));
        }
        Result finished = result;
        Platform.runLater(() -> publish(finished));
    }

    /**
     * The decoder's input: the start id, then the target's tokens (at most contextLength − 1 of them, the first
     * ones), with the tokens named for the token stages.
     */
    static PreparedSentence decoderInput(LoadedEncoderDecoder model, String text) {
        Tokenizer tokenizer = model.targetTokenizer();
        int context = model.config().shared().contextLength();
        PreparedSentence prefix = Pipeline.prepare(tokenizer, text, context - 1, Pipeline.Keep.FIRST);
        int[] prefixIds = prefix.ids();
        int[] ids = new int[prefixIds.length + 1];
        ids[0] = model.startId();
        System.arraycopy(prefixIds, 0, ids, 1, prefixIds.length);
        List<String> tokens = new ArrayList<>();
        List<Tokenizer.Span> spans = new ArrayList<>();
        tokens.add(TokenDisplay.of(tokenizer, model.startId()).text());
        spans.add(new Tokenizer.Span(0, 0));
        boolean[] unknown = new boolean[ids.length];
        for (int i = 0; i < prefixIds.length; i++) {
            tokens.add(prefix.tokenTextAt(i));
            spans.add(prefix.encoding().spans().get(prefix.firstToken() + i));
            unknown[i + 1] = prefix.isUnknownAt(i);
        }
        List<PreparedSentence.Notice> notices = new ArrayList<>(prefix.notices());
        notices.remove(PreparedSentence.Notice.EMPTY);          // the start id is always there to read
        return new PreparedSentence(text, new Tokenizer.Encoding(ids, tokens, spans), ids, 0, unknown, notices);
    }

    /**
     * Shows the trainer's latest weights of this model (any thread): the stage, head, token and sentences stay, and
     * the trace is computed again with them. Calls within {@value #LIVE_REFRESH_MILLIS} ms are coalesced into one
     * recomputation with the newest weights; weights of another architecture are ignored.
     */
    public void setLiveWeights(Parameters weights) {
        pendingWeights = weights;
        if (liveScheduled.compareAndSet(false, true)) {
            Platform.runLater(() -> {
                PauseTransition wait = new PauseTransition(javafx.util.Duration.millis(LIVE_REFRESH_MILLIS));
                wait.setOnFinished(event -> showLiveWeights());
                wait.play();
            });
        }
    }

    private void showLiveWeights() {
        liveScheduled.set(false);
        Parameters weights = pendingWeights;
        LoadedEncoderDecoder shown = model.get();
        if (weights == null || shown == null) {
            return;
        }
        try {
            ParameterLayout.of(shown.config()).check(weights);
        } catch (IllegalArgumentException otherModel) {
            return;
        }
        LoadedEncoderDecoder trained = new LoadedEncoderDecoder(shown.name(), shown.config(), weights,
                shown.sourceTokenizer(), shown.targetTokenizer(), shown.lowercaseSource());
        liveModel = trained;
        workerModel = trained;
        requestCompute();
    }

    private void publish(Result result) {
        busy.set(computeQueued.get());
        if (result.model() != model.get() && (liveModel == null || result.model() != liveModel)) {
            return;
        }
        // The same sentences traced again (the trainer's new weights) keep what the status says ("finished").
        boolean sameSentences = shown != null && shown.source().equals(result.source())
                && shown.target().equals(result.target());
        if (!result.error().isEmpty() || !sameSentences || errorShown) {
            status.set(result.error());
        }
        errorShown = !result.error().isEmpty();
        if (result.sourceSentence() == null) {
            translating.set(false);
            return;
        }
        shown = result;
        notices.set(noticesOf(result));
        if (selectedToken.get() >= 0) {
            selectedToken.set(-1);
        }
        updateContext();
        if (translating.get() && !busy.get()) {
            Platform.runLater(this::continueTranslation);
        }
    }

    /**
     * Writes the notices, the status and the stage's explanations in {@code newMessages} from now on; the model,
     * the sentences, the stage, the head and the selected token stay.
     */
    public void setMessages(ResourceBundle newMessages) {
        messages = Objects.requireNonNull(newMessages, "messages");
        status.set("");
        if (shown != null) {
            notices.set(noticesOf(shown));
        }
        updateContext();
    }

    /** What the window says about the sentences of {@code result}: an empty source, a cut sentence. */
    private List<String> noticesOf(Result result) {
        List<String> said = new ArrayList<>();
        if (result.sourceSentence().isEmpty()) {
            said.add(messages.getString("encdec.notice.noSource"));
        }
        for (PreparedSentence.Notice notice : result.sourceSentence().notices()) {
            if (notice != PreparedSentence.Notice.EMPTY) {
                said.add(messages.getString("encdec.notice.source") + " "
                        + I18n.format(messages, notice.bundleKey(), result.sourceSentence().encoding().size(),
                                model.get().config().shared().contextLength()));
            }
        }
        for (PreparedSentence.Notice notice : result.targetSentence().notices()) {
            said.add(messages.getString("encdec.notice.target") + " "
                    + I18n.format(messages, notice.bundleKey(), result.targetSentence().encoding().size() - 1,
                            model.get().config().shared().contextLength() - 1));
        }
        return List.copyOf(said);
    }

    private void updateContext() {
        Result result = shown;
        Stage current = stage.get();
        if (result == null || current == null
                || result.model() != model.get() && (liveModel == null || result.model() != liveModel)) {
            context.set(null);
            return;
        }
        LoadedEncoderDecoder translation = result.model();      // the shown model, with the trainer's weights if any
        EncoderDecoderPipeline.Side side = current.encoder() ? result.encoder() : result.decoder();
        PreparedSentence sentence = current.encoder() ? result.sourceSentence() : result.targetSentence();
        LoadedModel half = side == null
                ? halfModel(translation, current.encoder())
                : new LoadedModel(translation.name(), side.config(), side.parameters(),
                        current.encoder() ? translation.sourceTokenizer() : translation.targetTokenizer());
        context.set(new StageContext(half, half.parameters(), sentence, side == null ? null : side.run(), current,
                head.get(), selectedToken.get(), sampling.get(), messages, this));
    }

    /** One half of the model for a context with no trace (an empty source). */
    private static LoadedModel halfModel(LoadedEncoderDecoder translation, boolean encoder) {
        return encoder
                ? new LoadedModel(translation.name(), EncoderDecoderPipeline.encoderConfig(translation.config()),
                        EncoderDecoderPipeline.encoderParameters(translation.parameters()), translation.sourceTokenizer())
                : new LoadedModel(translation.name(), translation.config().shared(), translation.parameters(),
                        translation.targetTokenizer());
    }

    /**
     * Starts translating: the next target token is appended (greedy at temperature 0, drawn otherwise) each
     * time the new trace is ready, until {@code <eos>} or a full context.
     */
    public void translate() {
        if (shown == null || shown.decoder() == null) {
            status.set(messages.getString("encdec.notice.noSource"));
            return;
        }
        translating.set(true);
        if (!busy.get()) {
            continueTranslation();
        }
    }

    /** Stops translating after the token being traced. */
    public void stopTranslating() {
        translating.set(false);
    }

    /** Empties the target so the translation starts again. */
    public void clearTarget() {
        translating.set(false);
        target.set("");
    }

    /** Appends the next token of the shown trace, or stops at {@code <eos>} or a full context. */
    private void continueTranslation() {
        if (!translating.get() || busy.get() || shown == null || shown.decoder() == null) {
            return;
        }
        if (!shown.target().equals(target.get()) || !shown.source().equals(source.get())) {
            return;                          // a newer sentence is being traced; it continues from there
        }
        LoadedEncoderDecoder current = model.get();
        int tokens = shown.decoder().run().tokens();
        if (tokens >= current.config().shared().contextLength()) {
            translating.set(false);
            status.set(messages.getString("encdec.translate.full"));
            return;
        }
        double[] logits = TensorValues.row(TensorRef.hook(Hook.LOGITS), tokens - 1, shown.decoder().run(),
                shown.decoder().parameters(), shown.decoder().config());                    // [V]
        int next = sampler.sample(logits, sampling.get(), random);
        if (next == current.endId()) {
            translating.set(false);
            status.set(messages.getString("encdec.translate.done"));
            return;
        }
        status.set("");
        appendToken(next);
    }

    @Override
    public void appendToken(int id) {
        LoadedEncoderDecoder current = model.get();
        if (id < 0 || id >= current.config().targetVocabSize()) {
            throw new IllegalArgumentException("token id " + id + " is outside the target vocabulary of "
                    + current.config().targetVocabSize());
        }
        if (id == current.endId()) {
            status.set(messages.getString("encdec.translate.done"));
            return;
        }
        target.set(target.get() + current.targetTokenizer().decode(new int[] {id}));
    }

    @Override
    public void openStage(Stage wanted, int headToShow) {
        int index = stages.get().indexOf(wanted);
        if (index < 0) {
            throw new IllegalArgumentException("this model has no stage " + wanted);
        }
        head.set(headToShow);
        stageIndex.set(index);
    }

    @Override
    public void selectToken(int position) {
        StageContext now = context.get();
        int tokens = now == null || now.run() == null ? 0 : now.run().tokens();
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
    public boolean isOnScreen(StageContext candidate) {
        return candidate != null && candidate == context.get();
    }

    @Override
    public void showExplanation(String text) {
        if (text == null) {
            throw new IllegalArgumentException("an explanation is required; \"\" clears it");
        }
        explanation.set(text);
    }

    /** One stage on. */
    public void next() {
        stageIndex.set(Math.min(stages.get().size() - 1, stageIndex.get() + 1));
    }

    /** One stage back. */
    public void previous() {
        stageIndex.set(Math.max(0, stageIndex.get() - 1));
    }

    /**
     * Moves to block {@code block} of the encoder or the decoder: to the same kind of stage there when the
     * current stage is of that kind, otherwise to the block's first stage.
     *
     * @throws IllegalArgumentException for a block the model does not have
     */
    public void jumpToBlock(boolean encoder, int block) {
        List<Stage> all = stages.get();
        Stage current = stage.get();
        if (current != null && current.kind().inBlock()) {
            int same = all.indexOf(new Stage(current.kind(), block, encoder));
            if (same >= 0) {
                stageIndex.set(same);
                return;
            }
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).block() == block && all.get(i).encoder() == encoder) {
                stageIndex.set(i);
                return;
            }
        }
        throw new IllegalArgumentException("the " + (encoder ? "encoder" : "decoder") + " has no block " + block);
    }

    /** The position of {@code wanted} in the strip, or −1 when the model has no such stage. */
    public int indexOf(Stage wanted) {
        return stages.get().indexOf(wanted);
    }

    /**
     * The source ids [S] and the decoder's input ids [T] (the start id first) of the last trace, as two new arrays;
     * null before the first trace of a non-empty source.
     */
    public int[][] tracedIds() {
        if (shown == null || shown.encoder() == null || shown.decoder() == null) {
            return null;
        }
        return new int[][] {shown.encoder().run().ids().clone(), shown.decoder().run().ids().clone()};
    }

    /** The model on screen with the trainer's latest weights when some came, else as it was opened. */
    public LoadedEncoderDecoder liveModel() {
        return liveModel != null ? liveModel : model.get();
    }

    /** The target ids the model reads after its start id, as traced last (empty before the first trace). */
    public int[] tracedTarget() {
        if (shown == null || shown.decoder() == null) {
            return new int[0];
        }
        int[] ids = shown.decoder().run().ids();
        return Arrays.copyOfRange(ids, 1, ids.length);
    }

    /**
     * The decoder's half of the pass on screen: its trace holds the encoder's hooks too and names the source its
     * cross-attention reads. Null before the first trace and for an empty source.
     */
    public EncoderDecoderPipeline.Side tracedDecoder() {
        return shown == null ? null : shown.decoder();
    }

    /** The model the pass on screen was computed with (the trainer's latest weights when they came), or null. */
    public LoadedEncoderDecoder tracedModel() {
        return shown == null ? null : shown.model();
    }

    /**
     * True when nothing is being computed or translated and the pass on screen is the one of the source and target
     * typed now, under the model shown.
     */
    public boolean showsCurrentSentences() {
        return !busy.get() && !translating.get() && shown != null && shown.source().equals(source.get())
                && shown.target().equals(target.get()) && context.get() != null;
    }

    public ReadOnlyObjectProperty<LoadedEncoderDecoder> modelProperty() {
        return model.getReadOnlyProperty();
    }

    public StringProperty sourceProperty() {
        return source;
    }

    public StringProperty targetProperty() {
        return target;
    }

    public ReadOnlyObjectProperty<List<Stage>> stagesProperty() {
        return stages.getReadOnlyProperty();
    }

    public IntegerProperty stageIndexProperty() {
        return stageIndex;
    }

    public ReadOnlyObjectProperty<Stage> stageProperty() {
        return stage.getReadOnlyProperty();
    }

    public IntegerProperty headProperty() {
        return head;
    }

    public ObjectProperty<SamplingSettings> samplingProperty() {
        return sampling;
    }

    public ReadOnlyObjectProperty<StageContext> contextProperty() {
        return context.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True while a translation appends token after token. */
    public ReadOnlyBooleanProperty translatingProperty() {
        return BooleanProperty.readOnlyBooleanProperty(translating);
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty explanationProperty() {
        return explanation.getReadOnlyProperty();
    }

    /** What the window should say about the two sentences (trimmed, unknown characters, no source). */
    public ReadOnlyObjectProperty<List<String>> noticesProperty() {
        return notices.getReadOnlyProperty();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
