package org.stepwise.ui.lesson;

import java.util.List;

import javafx.animation.PauseTransition;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.util.Duration;

import org.stepwise.lesson.Directive;
import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonProgress;
import org.stepwise.lesson.LessonStep;

/**
 * Plays a lesson: shows one step at a time and, a short pause after its text appears, runs the step's
 * actions on the app through a {@link LessonHost}, one after the other, each once the app has settled
 * from the one before. Remembers which steps of each lesson were shown (in a {@link LessonProgress}).
 * FX thread only.
 */
public final class LessonPlayer {

    /** The pause between a step's text appearing and its first action, so the text never races the pictures. */
    public static final Duration ACTION_DELAY = Duration.millis(400);

    private final LessonHost host;
    private final Duration actionDelay;
    private final ReadOnlyObjectWrapper<Lesson> lesson = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyIntegerWrapper stepIndex = new ReadOnlyIntegerWrapper(-1);
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyIntegerWrapper actionsDone = new ReadOnlyIntegerWrapper();
    private final LessonProgress progress;
    private int errorLine;
    private PauseTransition pending;
    /** Raised on every step change, so the actions of a step left behind stop running. */
    private int generation;

    /** A player with the standard {@link #ACTION_DELAY} that remembers the steps seen while the app runs. */
    public LessonPlayer(LessonHost host) {
        this(host, ACTION_DELAY, LessonProgress.inMemory());
    }

    /** A player with the standard {@link #ACTION_DELAY} that keeps the steps seen in {@code progress}. */
    public LessonPlayer(LessonHost host, LessonProgress progress) {
        this(host, ACTION_DELAY, progress);
    }

    /** A player that remembers the steps seen while the app runs. */
    public LessonPlayer(LessonHost host, Duration actionDelay) {
        this(host, actionDelay, LessonProgress.inMemory());
    }

    /**
     * @param host        what the actions act on
     * @param actionDelay pause between a step's text and its first action
     * @param progress    the steps seen and the step each lesson was left at; modified as steps are shown
     */
    public LessonPlayer(LessonHost host, Duration actionDelay, LessonProgress progress) {
        if (host == null || actionDelay == null || progress == null) {
            throw new IllegalArgumentException("a lesson player needs a host, an action delay and a progress store");
        }
        this.host = host;
        this.actionDelay = actionDelay;
        this.progress = progress;
    }

    /** Opens {@code chosen} at the step it was left at (the first step the first time). */
    public void open(Lesson chosen) {
        if (chosen == null) {
            throw new IllegalArgumentException("a lesson is required");
        }
        cancelPending();
        stepIndex.set(-1);      // first, so nothing reads the old lesson's step index in the new lesson
        lesson.set(chosen);
        goTo(Math.min(progress.lastStep(chosen.id()), chosen.steps().size() - 1));
    }

    /**
     * Puts {@code translation} (the same lesson in another language: same id and number of steps) in place of
     * the open lesson at the step on screen, without running that step's actions again; the steps seen are kept.
     * Actions of the step still pending run as planned.
     *
     * @throws IllegalArgumentException when no lesson is open or {@code translation} is not the same lesson
     */
    public void replaceLesson(Lesson translation) {
        Lesson current = requireLesson();
        if (translation == null || !translation.id().equals(current.id())
                || translation.steps().size() != current.steps().size()) {
            throw new IllegalArgumentException("a translation of lesson " + current.id() + " with "
                    + current.steps().size() + " steps is required");
        }
        lesson.set(translation);
    }

    /** Shows step {@code index} (0-based) of the open lesson and schedules its actions. */
    public void goTo(int index) {
        Lesson current = requireLesson();
        if (index < 0 || index >= current.steps().size()) {
            throw new IllegalArgumentException("step " + (index + 1) + " is outside the lesson's "
                    + current.steps().size() + " steps");
        }
        cancelPending();
        generation++;
        error.set("");
        actionsDone.set(0);
        stepIndex.set(index);
        progress.stepShown(current.id(), index);
        LessonStep step = current.step(index);
        Directive startModel = modelBefore(current, index);
        int mine = generation;
        pending = new PauseTransition(actionDelay);
        pending.setOnFinished(event -> {
            if (!step.directives().isEmpty() && choosesModel(step.directives().get(0))) {
                runFrom(step, 0, mine);         // the step chooses its model itself, first
                return;
            }
            try {
                host.restoreModel(startModel);
            } catch (RuntimeException failed) {
                errorLine = step.line();
                error.set(String.valueOf(failed.getMessage()));
                return;
            }
            host.whenSettled(() -> {
                String failure = host.takeFailure();
                if (failure != null && mine == generation) {
                    errorLine = step.line();
                    error.set(failure);
                    return;
                }
                runFrom(step, 0, mine);
            });
        });
        pending.play();
    }

    /** The next step; false when the lesson is at its last step. */
    public boolean next() {
        if (lesson.get() == null || stepIndex.get() + 1 >= lesson.get().steps().size()) {
            return false;
        }
        goTo(stepIndex.get() + 1);
        return true;
    }

    /** The step before; false at the first step. */
    public boolean previous() {
        if (lesson.get() == null || stepIndex.get() <= 0) {
            return false;
        }
        goTo(stepIndex.get() - 1);
        return true;
    }

    /** Stops the actions of the shown step that have not run yet. */
    public void cancelPending() {
        generation++;
        if (pending != null) {
            pending.stop();
            pending = null;
        }
    }

    /**
     * The model step {@code index} starts from: the last {@code @model} directive of the steps before it, null when
     * they have none or when the step's first directive chooses the model itself. Stepping back or jumping thus
     * shows the model the step was written for.
     */
    static Directive modelBefore(Lesson lesson, int index) {
        List<Directive> own = lesson.step(index).directives();
        if (!own.isEmpty() && choosesModel(own.get(0))) {
            return null;
        }
        Directive last = null;
        for (int s = 0; s < index; s++) {
            for (Directive directive : lesson.step(s).directives()) {
                if (choosesModel(directive)) {
                    last = directive;
                }
            }
        }
        return last;
    }

    private static boolean choosesModel(Directive directive) {
        return directive instanceof Directive.UseModel || directive instanceof Directive.UseTranslation;
    }

    /** Runs the actions of {@code step} from {@code index} on, each after the app settled from the last. */
    private void runFrom(LessonStep step, int index, int mine) {
        List<Directive> directives = step.directives();
        if (mine != generation || index >= directives.size()) {
            return;
        }
        try {
            apply(directives.get(index));
        } catch (RuntimeException failed) {
            errorLine = step.directiveLine(index);
            error.set(String.valueOf(failed.getMessage()));
            return;
        }
        actionsDone.set(index + 1);
        host.whenSettled(() -> {
            String failure = host.takeFailure();
            if (failure != null && mine == generation) {
                errorLine = step.directiveLine(index);
                error.set(failure);
                return;
            }
            runFrom(step, index + 1, mine);
        });
    }

    /** Does what one directive says; questions are asked by the panel and do nothing here. */
    private void apply(Directive directive) {
        if (directive instanceof Directive.SetSentence sentence) {
            host.setSentence(sentence.text());
        } else if (directive instanceof Directive.GoToStage stage) {
            if (stage.encoder()) {
                host.goToStage(stage.kind(), stage.block0(), stage.head0(), true);
            } else {
                host.goToStage(stage.kind(), stage.block0(), stage.head0());
            }
        } else if (directive instanceof Directive.UseTranslation) {
            host.useTranslationModel();
        } else if (directive instanceof Directive.SetTarget target) {
            host.setTarget(target.text());
        } else if (directive instanceof Directive.Translate) {
            host.translate();
        } else if (directive instanceof Directive.SelectToken select) {
            host.selectToken(select.token0());
        } else if (directive instanceof Directive.SetSampling sampling) {
            host.setSampling(sampling.temperature().isPresent() ? sampling.temperature().getAsDouble() : null,
                    sampling.topK().isPresent() ? sampling.topK().getAsInt() : null,
                    sampling.topP().isPresent() ? sampling.topP().getAsDouble() : null);
        } else if (directive instanceof Directive.UseModel model) {
            host.useModel(model);
        } else if (directive instanceof Directive.TrainCommand command) {
            host.train(word(command.action()));
        } else if (directive instanceof Directive.TrainSetting setting) {
            host.setTraining(word(setting.key()), setting.value());
        } else if (directive instanceof Directive.Highlight highlight) {
            host.highlight(word(highlight.panel()));
        } else if (directive instanceof Directive.OpenPanel panel) {
            host.openPanel(word(panel.view()));
        } else if (!(directive instanceof Directive.Question)) {
            throw new IllegalArgumentException("the lessons panel does not know the directive " + directive);
        }
    }

    /** The file spelling of an enum constant: lower case with {@code -}, e.g. {@code loss-chart}. */
    private static String word(Enum<?> constant) {
        return constant.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private Lesson requireLesson() {
        if (lesson.get() == null) {
            throw new IllegalStateException("no lesson is open");
        }
        return lesson.get();
    }

    /** The open lesson, null before {@link #open}. */
    public ReadOnlyObjectProperty<Lesson> lessonProperty() {
        return lesson.getReadOnlyProperty();
    }

    /** The shown step, 0-based; −1 before a lesson is open. */
    public ReadOnlyIntegerProperty stepIndexProperty() {
        return stepIndex.getReadOnlyProperty();
    }

    /** How many directives of the shown step have run (questions included). */
    public ReadOnlyIntegerProperty actionsDoneProperty() {
        return actionsDone.getReadOnlyProperty();
    }

    /** The 1-based file line of the action that failed last (see {@link #errorProperty()}). */
    public int errorLine() {
        return errorLine;
    }

    /** The problem of the action of the shown step that failed, "" when all went well. */
    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    /** True once every directive of the shown step has run. */
    public boolean stepSettled() {
        Lesson current = lesson.get();
        return current != null && stepIndex.get() >= 0
                && actionsDone.get() == current.step(stepIndex.get()).directives().size();
    }

    /** How many different steps of lesson {@code id} were shown. */
    public int stepsSeen(String id) {
        return progress.stepsSeen(id);
    }
}
