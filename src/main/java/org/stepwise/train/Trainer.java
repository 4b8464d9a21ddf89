package org.stepwise.train;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.stepwise.model.Parameters;

/**
 * Runs a {@link TrainingLoop} on its own daemon thread, which alone touches the weights. Commands
 * arrive through a queue and are taken between iterations; immutable {@link TrainingSnapshot}s go to
 * the listeners at most about 30 times a second, however fast training runs. Knows nothing of any UI.
 */
public final class Trainer implements AutoCloseable {

    /** Shortest time between two routine snapshots: about 30 a second. */
    static final long PUBLISH_INTERVAL_NANOS = 33_000_000L;

    private sealed interface Command permits Start, Pause, StepIterations, StepEpoch, SetLearningRate, Reset, Stop {
    }

    private record Start() implements Command {
    }

    private record Pause() implements Command {
    }

    private record StepIterations(int count) implements Command {
    }

    private record StepEpoch() implements Command {
    }

    private record SetLearningRate(double rate) implements Command {
    }

    private record Reset() implements Command {
    }

    private record Stop() implements Command {
    }

    private final TrainingLoop loop;
    private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
    private final List<Consumer<TrainingSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;

    private boolean running;
    private int iterationsToStep;
    private boolean steppingEpoch;
    private double validationLoss = Double.NaN;
    private long lastPublish;
    private long speedWindowStart;
    private long speedWindowTokens;
    private double tokensPerSecond;

    /** @param loop the loop to run; from now on only the trainer's thread touches it */
    public Trainer(TrainingLoop loop) {
        this.loop = loop;
        this.thread = new Thread(this::run, "stepwise-trainer");
        thread.setDaemon(true);
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

    /** Trains continuously until paused. */
    public void start() {
        commands.add(new Start());
    }

    public void pause() {
        commands.add(new Pause());
    }

    /** Trains exactly one more iteration (one batch), then stays paused. */
    public void stepIteration() {
        commands.add(new StepIterations(1));
    }

    /** Trains until the current epoch ends, then pauses. */
    public void stepEpoch() {
        commands.add(new StepEpoch());
    }

    public void setLearningRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + rate);
        }
        commands.add(new SetLearningRate(rate));
    }

    /** New random weights from the same seed; training pauses. */
    public void reset() {
        commands.add(new Reset());
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
        publish(TrainingSnapshot.Event.NONE, null);
        speedWindowStart = System.nanoTime();
        try {
            while (true) {
                boolean busy = running || iterationsToStep > 0 || steppingEpoch;
                Command command = busy ? commands.poll() : commands.poll(1, TimeUnit.SECONDS);
                if (command instanceof Stop) {
                    return;
                }
                if (command != null) {
                    handle(command);
                    continue;
                }
                if (busy) {
                    trainOne();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(Command command) {
        if (command instanceof Start) {
            running = true;
            speedWindowStart = System.nanoTime();
            speedWindowTokens = 0;
            publish(TrainingSnapshot.Event.STARTED, null);
        } else if (command instanceof Pause) {
            running = false;
            iterationsToStep = 0;
            steppingEpoch = false;
            publish(TrainingSnapshot.Event.PAUSED, null);
        } else if (command instanceof StepIterations step) {
            iterationsToStep += step.count();
        } else if (command instanceof StepEpoch) {
            steppingEpoch = true;
        } else if (command instanceof SetLearningRate rate) {
            loop.setLearningRate(rate.rate());
            publish(TrainingSnapshot.Event.NONE, null);
        } else if (command instanceof Reset) {
            running = false;
            iterationsToStep = 0;
            steppingEpoch = false;
            loop.reset();
            validationLoss = Double.NaN;
            tokensPerSecond = 0;
            publish(TrainingSnapshot.Event.RESET, null);
        }
    }

    private void trainOne() {
        TrainingLoop.Step step = loop.stepIteration();
        if (step.diverged()) {
            running = false;
            iterationsToStep = 0;
            steppingEpoch = false;
            publish(TrainingSnapshot.Event.DIVERGED, step.message());
            return;
        }
        long now = System.nanoTime();
        speedWindowTokens += (long) loop.settings().batchSize() * loop.data().contextLength();
        if (now - speedWindowStart > 1_000_000_000L) {
            tokensPerSecond = speedWindowTokens * 1e9 / (now - speedWindowStart);
            speedWindowStart = now;
            speedWindowTokens = 0;
        }
        int every = loop.settings().validationEvery();
        if (step.epochEnded() || (every > 0 && loop.iteration() % every == 0)) {
            validationLoss = loop.validationLoss();
        }
        boolean stepDone = false;
        if (iterationsToStep > 0) {
            iterationsToStep--;
            stepDone = iterationsToStep == 0 && !running;
        }
        if (steppingEpoch && step.epochEnded()) {
            steppingEpoch = false;
            stepDone = !running;
        }
        if (step.epochEnded()) {
            publish(TrainingSnapshot.Event.EPOCH_END, null);
        } else if (stepDone || now - lastPublish >= PUBLISH_INTERVAL_NANOS) {
            publish(TrainingSnapshot.Event.NONE, null);
        }
    }

    private void publish(TrainingSnapshot.Event event, String message) {
        lastPublish = System.nanoTime();
        if (listeners.isEmpty()) {
            return;
        }
        Parameters weights = loop.weights().copy();
        TrainingSnapshot snapshot = new TrainingSnapshot(loop.iteration(), loop.epoch(), loop.batchInEpoch(),
                loop.batchesPerEpoch(), loop.samplesSeen(), loop.updates(), loop.lastLoss(), validationLoss,
                loop.learningRate(), tokensPerSecond, running, event, message, weights);
        for (Consumer<TrainingSnapshot> listener : listeners) {
            listener.accept(snapshot);
        }
    }
}
