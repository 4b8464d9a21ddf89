package org.stepwise.train;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.stepwise.model.Parameters;
import org.stepwise.tokenizer.Tokenizer;

/**
 * Runs a {@link TrainableLoop} (a {@link TrainingLoop} or a {@link TranslationLoop}) on its own daemon thread, which alone touches the weights. Commands
 * arrive through a queue and are taken between iterations; immutable {@link TrainingSnapshot}s go to
 * the listeners at most about 10 times a second, however fast training runs. The trainer also feeds a
 * {@link TrainingTimeline}, limits its speed on request, and measures its own throughput. Knows nothing of
 * any UI.
 */
public final class Trainer implements AutoCloseable {

    /**
     * Shortest time between two routine snapshots: about 4 a second, as often as the dashboard shows them; every
     * snapshot copies the weights, and every one drawn is CPU time the trainer does not get.
     */
    static final long PUBLISH_INTERVAL_NANOS = 250_000_000L;
    /** Throughput is measured over windows of about this length. */
    static final long SPEED_WINDOW_NANOS = 1_000_000_000L;

    /** Bundle key of the message at the end of an epoch: {0} the epoch that ended, {1} the next. */
    public static final String EPOCH_END_KEY = "train.epochEnded";
    /** Bundle key of the message after a reset: {0} the seed. */
    public static final String RESET_KEY = "train.reset";
    /** Bundle key of the message when training stopped on an unexpected error: {0} the error. */
    public static final String FAILED_KEY = "train.failed";
    /** Bundle key of the message when a setting is refused: {0} why. */
    public static final String SETTING_REJECTED_KEY = "train.settingRejected";

    private sealed interface Command permits Start, Pause, StepIterations, StepEpoch, ChangeSettings, Reset,
            SetSpeed, CaptureSession, Stop {
    }

    private record Start() implements Command {
    }

    private record Pause() implements Command {
    }

    private record StepIterations(int count) implements Command {
    }

    private record StepEpoch() implements Command {
    }

    private record ChangeSettings(UnaryOperator<TrainingSettings> change, CompletableFuture<TrainingSettings> result)
            implements Command {
    }

    private record Reset() implements Command {
    }

    private record SetSpeed(TrainingSpeed speed) implements Command {
    }

    private record CaptureSession(String name, Tokenizer tokenizer, CompletableFuture<SavedTraining> result)
            implements Command {
    }

    private record Stop() implements Command {
    }

    private final TrainableLoop loop;
    private final TrainingTimeline timeline;
    private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final List<Consumer<TrainingSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private boolean running;
    private int iterationsToStep;
    private boolean steppingEpoch;
    private TrainingSpeed speed = TrainingSpeed.FULL;
    private long lastIterationStart;
    private long lastPublish;
    private long speedWindowStart;
    private long speedWindowTokens;
    private double tokensPerSecond;
    private long copiedVersion = -1;
    private Parameters copiedWeights;
    private WeightChange copiedChange;

    /** @param loop the loop to run; from now on only the trainer's thread touches it */
    public Trainer(TrainableLoop loop) {
        this(loop, new TrainingTimeline());
    }

    /**
     * @param loop     the loop to run; from now on only the trainer's thread touches it
     * @param timeline where the trainer records snapshots and losses (Modified.); its loss points may already hold
     *                 those of earlier iterations (a reopened session)
     */
    public Trainer(TrainableLoop loop, TrainingTimeline timeline) {
        this.loop = loop;
        this.timeline = timeline;
        this.thread = new Thread(this::run, "stepwise-trainer");
        thread.setDaemon(true);
    }

    /** A trainer that continues a saved run exactly, its loss history already in the timeline. */
    public static Trainer resume(SavedTraining session) {
        TrainingTimeline timeline = new TrainingTimeline();
        timeline.restoreLossHistory(session.lossHistory());
        return new Trainer(session.toLoop(), timeline);
    }

    /** Starts the trainer's thread, paused; publishes a first snapshot. */
    public Trainer open() {
        thread.start();
        return this;
    }

    public void addListener(Consumer<TrainingSnapshot> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<TrainingSnapshot> listener) {
        listeners.remove(listener);
    }

    /** The snapshots and losses of this run; safe to read from any thread. */
    public TrainingTimeline timeline() {
        return timeline;
    }

    /** Trains continuously until paused. */
    public void start() {
        commands.add(new Start());
    }

    public void pause() {
        commands.add(new Pause());
    }

    /** Trains exactly one more iteration (one batch), then stays paused. */
    public void stepIteration() {
        stepIterations(1);
    }

    /** Trains exactly {@code count} more iterations, then stays paused. */
    public void stepIterations(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("step at least one iteration, not " + count);
        }
        commands.add(new StepIterations(count));
    }

    /** Trains until the current epoch ends, then pauses. */
    public void stepEpoch() {
        commands.add(new StepEpoch());
    }

    /** Full speed, or at most so many iterations a second; takes effect at once, also while running. */
    public void setSpeed(TrainingSpeed newSpeed) {
        if (newSpeed == null) {
            throw new IllegalArgumentException("a speed is required (TrainingSpeed.FULL for full speed)");
        }
        commands.add(new SetSpeed(newSpeed));
    }

    public void setLearningRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + rate);
        }
        changeSettings(settings -> settings.withLearningRate(rate));
    }

    /** Samples per batch from the next batch on; keeps the weights, optimizer and epoch position. */
    public CompletableFuture<TrainingSettings> setBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        return changeSettings(settings -> settings.withBatchSize(batchSize));
    }

    /** When the weights change; see {@link TrainingLoop#changeSettings} for what is kept. */
    public CompletableFuture<TrainingSettings> setUpdateStrategy(UpdateStrategy strategy) {
        if (strategy == null) {
            throw new IllegalArgumentException("an update strategy is required");
        }
        return changeSettings(settings -> settings.withStrategy(strategy));
    }

    /** Another optimizer: keeps the weights and counters; the new optimizer starts with empty buffers. */
    public CompletableFuture<TrainingSettings> setOptimizer(Optimizer.Kind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("an optimizer kind is required");
        }
        return changeSettings(settings -> settings.withOptimizerKind(kind));
    }

    /** Another seed: new weights from it and training from the start, paused (a reset with that seed). */
    public CompletableFuture<TrainingSettings> setSeed(long seed) {
        return changeSettings(settings -> settings.withSeed(seed));
    }

    /**
     * Changes the settings between two iterations, computed from those in force; what each change keeps is said
     * at {@link TrainingLoop#changeSettings}. The future completes on the trainer's thread with the settings now
     * in force, or with the {@link IllegalArgumentException} that refused the change (a snapshot with
     * {@link TrainingSnapshot.Event#SETTINGS_REJECTED} says so too).
     */
    public CompletableFuture<TrainingSettings> changeSettings(UnaryOperator<TrainingSettings> change) {
        CompletableFuture<TrainingSettings> result = new CompletableFuture<>();
        commands.add(new ChangeSettings(change, result));
        return result;
    }

    /** New random weights from the same seed; training pauses. */
    public void reset() {
        commands.add(new Reset());
    }

    /**
     * A copy of the whole training state between two iterations, to save with {@link SavedTraining#save}: a
     * {@link TrainingSession} for a {@link TrainingLoop}, a {@link TranslationSession} for a {@link TranslationLoop}.
     * The future fails with an {@link UnsupportedOperationException} for a loop that cannot be saved.
     *
     * @param tokenizer the tokenizer of the corpus, saved with a text model (a translation model keeps its own two)
     */
    public CompletableFuture<SavedTraining> captureSession(String name, Tokenizer tokenizer) {
        CompletableFuture<SavedTraining> result = new CompletableFuture<>();
        commands.add(new CaptureSession(name, tokenizer, result));
        return result;
    }

    /** Stops the thread after the iteration in progress; waits for it up to {@code timeoutMillis}. */
    public void close(long timeoutMillis) throws InterruptedException {
        commands.add(new Stop());
        thread.join(timeoutMillis);
    }

    @Override
    public void close() {
        try {
            close(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        timeline.record(loop.iteration(), loop.epoch(), Double.NaN, Double.NaN, loop.weights());
        publish(TrainingSnapshot.Event.NONE, null, null);
        speedWindowStart = System.nanoTime();
        try {
            while (true) {
                boolean busy = running || iterationsToStep > 0 || steppingEpoch;
                long waitNanos = busy ? nanosUntilNextIteration() : 0;
                Command command;
                if (!busy) {
                    command = commands.poll(1, TimeUnit.SECONDS);
                } else if (waitNanos > 0) {
                    command = commands.poll(waitNanos, TimeUnit.NANOSECONDS);
                } else {
                    command = commands.poll();
                }
                if (command instanceof Stop) {
                    return;
                }
                try {
                    if (command != null) {
                        handle(command);
                        continue;
                    }
                    if (busy && nanosUntilNextIteration() <= 0) {
                        trainOne();
                    }
                } catch (RuntimeException failure) {
                    stopStepping();
                    publish(TrainingSnapshot.Event.FAILED, FAILED_KEY, failure.toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long nanosUntilNextIteration() {
        if (speed.isFull()) {
            return 0;
        }
        return lastIterationStart + speed.minimumNanosBetweenIterations() - System.nanoTime();
    }

    private void stopStepping() {
        running = false;
        iterationsToStep = 0;
        steppingEpoch = false;
    }

    private void handle(Command command) {
        if (command instanceof Start) {
            running = true;
            speedWindowStart = System.nanoTime();
            speedWindowTokens = 0;
            publish(TrainingSnapshot.Event.STARTED, null, null);
        } else if (command instanceof Pause) {
            stopStepping();
            publish(TrainingSnapshot.Event.PAUSED, null, null);
        } else if (command instanceof StepIterations step) {
            iterationsToStep += step.count();
        } else if (command instanceof StepEpoch) {
            steppingEpoch = true;
        } else if (command instanceof SetSpeed newSpeed) {
            speed = newSpeed.speed();
            speedWindowStart = System.nanoTime();
            speedWindowTokens = 0;
            publish(TrainingSnapshot.Event.SPEED_CHANGED, null, null);
        } else if (command instanceof ChangeSettings change) {
            changeSettings(change);
        } else if (command instanceof Reset) {
            loop.reset();
            afterReset();
        } else if (command instanceof CaptureSession capture) {
            try {
                capture.result().complete(loop.captureSession(capture.name(), capture.tokenizer(),
                        timeline.lossHistory()));
            } catch (RuntimeException e) {
                capture.result().completeExceptionally(e);
            }
        }
    }

    private void changeSettings(ChangeSettings change) {
        try {
            TrainingSettings before = loop.settings();
            TrainingSettings next = change.change().apply(before);
            loop.changeSettings(next);
            if (next.seed() != before.seed()) {
                afterReset();
            } else {
                publish(TrainingSnapshot.Event.SETTINGS_CHANGED, null, null);
            }
            change.result().complete(next);
        } catch (IllegalArgumentException e) {
            change.result().completeExceptionally(e);
            publish(TrainingSnapshot.Event.SETTINGS_REJECTED, SETTING_REJECTED_KEY, e.getMessage());
        }
    }

    private void afterReset() {
        stopStepping();
        tokensPerSecond = 0;
        timeline.clear();
        timeline.record(loop.iteration(), loop.epoch(), Double.NaN, Double.NaN, loop.weights());
        publish(TrainingSnapshot.Event.RESET, RESET_KEY, null);
    }

    private void trainOne() {
        lastIterationStart = System.nanoTime();
        TrainingLoop.Step step = loop.stepIteration();
        if (step.diverged()) {
            stopStepping();
            publish(TrainingSnapshot.Event.DIVERGED, step.divergence().messageKey(), step.message(), step.divergence());
            return;
        }
        timeline.record(loop.iteration(), loop.epoch(), step.loss(), step.validationLoss(), loop.weights());
        long now = System.nanoTime();
        speedWindowTokens += step.tokens();
        if (now - speedWindowStart > SPEED_WINDOW_NANOS) {
            tokensPerSecond = speedWindowTokens * 1e9 / (now - speedWindowStart);
            speedWindowStart = now;
            speedWindowTokens = 0;
        }
        boolean stepDone = false;
        if (iterationsToStep > 0) {
            iterationsToStep--;
            stepDone = iterationsToStep == 0 && !running;
        }
        if (steppingEpoch && step.epochEnded()) {
            steppingEpoch = false;
            iterationsToStep = 0;
            stepDone = !running;
        }
        if (step.epochEnded()) {
            publish(TrainingSnapshot.Event.EPOCH_END, EPOCH_END_KEY, null);
        } else if (stepDone || now - lastPublish >= PUBLISH_INTERVAL_NANOS) {
            publish(TrainingSnapshot.Event.NONE, null, null);
        }
    }

    private void publish(TrainingSnapshot.Event event, String messageKey, String message) {
        publish(event, messageKey, message, null);
    }

    private void publish(TrainingSnapshot.Event event, String messageKey, String message,
            TrainingLoop.Divergence divergence) {
        lastPublish = System.nanoTime();
        if (listeners.isEmpty()) {
            return;
        }
        if (copiedVersion != loop.weightsVersion()) {
            copiedWeights = loop.weights().copy();
            copiedChange = new WeightChange(loop.weightsBeforeLastUpdate().copy(), copiedWeights, loop.updates());
            copiedVersion = loop.weightsVersion();
        }
        TrainingSnapshot snapshot = new TrainingSnapshot(loop.iteration(), loop.epoch(), loop.batchInEpoch(),
                loop.batchesPerEpoch(), loop.samplesInEpoch(), loop.trainSize(), loop.samplesSeen(),
                loop.updates(), loop.lastLoss(), loop.lastValidationLoss(), loop.validationIteration(),
                loop.learningRate(), tokensPerSecond, loop.lastGradientNorm(), running, speed, loop.settings(), event,
                messageKey, message, divergence, copiedWeights, copiedChange, loop.lastBatch(),
                loop.lastBatchPairs());
        for (Consumer<TrainingSnapshot> listener : listeners) {
            listener.accept(snapshot);
        }
    }
}
