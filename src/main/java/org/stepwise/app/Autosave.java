package org.stepwise.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import javafx.application.Platform;

import org.stepwise.train.SavedTraining;

/**
 * Saves the session ({@link SessionState}) and the training ({@link TrainingAutosave}) every few minutes on a
 * background thread, and once more on a normal exit. The FX thread only gathers what to save (the window's state,
 * and a request to the trainer to copy its state between two iterations); the files are written on the autosave
 * thread, so the window never waits for the disk.
 */
public final class Autosave implements AutoCloseable {

    /** What one save writes: the window's state and the trainer's copy of its run (may fail: no trainer yet). */
    private record Gathered(SessionState session, CompletableFuture<SavedTraining> training) {
    }

    private final Path sessionFile;
    private final TrainingAutosave training;
    private final Supplier<SessionState> sessionSource;
    private final Supplier<CompletableFuture<SavedTraining>> trainingSource;
    private final ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "stepwise-autosave");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean saving = new AtomicBoolean();
    private ScheduledFuture<?> schedule;
    private final Object writeLock = new Object();
    /** Set by the exit save: a periodic save still under way afterwards must not write older state over it. */
    private boolean finished;
    private volatile Throwable lastFailure;

    /**
     * @param sessionFile    where the session is written
     * @param training       where the training is written
     * @param sessionSource  the window's state; called on the FX thread
     * @param trainingSource asks the trainer for a copy of its run; called on the FX thread
     */
    public Autosave(Path sessionFile, TrainingAutosave training, Supplier<SessionState> sessionSource,
            Supplier<CompletableFuture<SavedTraining>> trainingSource) {
        if (sessionFile == null || training == null || sessionSource == null || trainingSource == null) {
            throw new IllegalArgumentException("an autosave needs a session file, a training folder and their sources");
        }
        this.sessionFile = sessionFile;
        this.training = training;
        this.sessionSource = sessionSource;
        this.trainingSource = trainingSource;
    }

    /** Saves every {@code period} from now on (the first save after one period), replacing any earlier period. */
    public synchronized void start(Duration period) {
        if (period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("autosave needs a positive period, not " + period);
        }
        if (schedule != null) {
            schedule.cancel(false);
        }
        long millis = period.toMillis();
        schedule = saver.scheduleWithFixedDelay(() -> {
            if (saving.compareAndSet(false, true)) {
                saveNow().whenComplete((done, failure) -> saving.set(false));
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Saves now: gathers on the FX thread, writes on the autosave thread. Callable from any thread; the future
     * completes once both files are written (the training is skipped when there is no run to copy).
     */
    public CompletableFuture<Void> saveNow() {
        CompletableFuture<Gathered> gathered = new CompletableFuture<>();
        Runnable gather = () -> {
            try {
                gathered.complete(new Gathered(sessionSource.get(), trainingSource.get()));
            } catch (RuntimeException failure) {
                gathered.completeExceptionally(failure);
            }
        };
        if (Platform.isFxApplicationThread()) {
            gather.run();
        } else {
            Platform.runLater(gather);
        }
        CompletableFuture<Void> written = gathered.thenComposeAsync(found -> found.training()
                .handleAsync((run, noRun) -> {
                    write(found.session(), run);
                    return null;
                }, saver), saver);
        return written.whenComplete((done, failure) -> {
            if (failure != null) {
                lastFailure = failure;
                System.err.println("Stepwise could not autosave into " + sessionFile.getParent() + ": " + failure);
            }
        });
    }

    /**
     * The last save, on a normal exit: gathers on this (the FX) thread, waits up to {@code timeout} for the trainer's
     * copy, writes both files and stops the periodic saves.
     */
    public void saveOnExit(Duration timeout) {
        saver.shutdown();
        SessionState session = sessionSource.get();
        SavedTraining run = null;
        try {
            run = trainingSource.get().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException noRun) {
            // No run to copy (none yet, or the trainer did not answer in time): the session is still saved.
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            write(session, run);
        } catch (UncheckedIOException failure) {
            lastFailure = failure;
            System.err.println("Stepwise could not save the session on exit into " + sessionFile.getParent() + ": "
                    + failure.getCause().getMessage());
        }
        synchronized (writeLock) {
            finished = true;
        }
    }

    /** Why the last save failed, or null when none has. */
    public Throwable lastFailure() {
        return lastFailure;
    }

    /** Stops the periodic saves (without a last save). */
    @Override
    public void close() {
        saver.shutdownNow();
    }

    private void write(SessionState session, SavedTraining run) {
        synchronized (writeLock) {
            if (finished) {
                return;
            }
            try {
                if (run != null) {
                    training.save(run);
                }
                session.write(sessionFile);
            } catch (IOException failure) {
                throw new UncheckedIOException(failure);
            }
        }
    }
}
