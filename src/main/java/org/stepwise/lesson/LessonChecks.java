package org.stepwise.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;

/**
 * Checks a parsed lesson against the real model: every stage it goes to exists in the model it uses at
 * that point, every selected head and token exists, every question can be computed, and the English and
 * Chinese versions have the same steps and directives. Each problem reads {@code file:line: what is wrong}.
 */
public final class LessonChecks {
    /** Seed of the random weights of a {@code @model variant} without {@code seed=}. */
    public static final long DEFAULT_VARIANT_SEED = 0;

    private LessonChecks() {
    }

    /**
     * Plays {@code lesson} (Not modified) on {@code bundled} (Not modified) and its variants, directive by
     * directive, and lists what does not fit. A variant gets fresh random weights from its seed and keeps the
     * bundled tokenizer (a variant's own tokenizer changes the vocabulary, not which stages or questions exist).
     *
     * @return the problems, empty when the lesson plays through
     */
    public static List<String> check(Lesson lesson, LoadedModel bundled) {
        if (lesson == null || bundled == null) {
            throw new IllegalArgumentException("lesson and bundled model are required");
        }
        Player player = new Player(lesson, bundled);
        for (LessonStep step : lesson.steps()) {
            for (int i = 0; i < step.directives().size(); i++) {
                player.play(step.directives().get(i), step.directiveLine(i));
            }
        }
        return player.problems;
    }

    /**
     * Compares two language versions of one lesson: the same id, the same number of steps and, step by step,
     * the same directives with the same arguments (question texts and option texts may differ, the number of
     * options may not).
     */
    public static List<String> languageProblems(Lesson first, Lesson second) {
        List<String> problems = new ArrayList<>();
        String where = second.source().toString();
        if (!first.id().equals(second.id())) {
            problems.add(where + ": id " + second.id() + " differs from " + first.id() + " in " + first.source());
        }
        if (first.steps().size() != second.steps().size()) {
            problems.add(where + ": " + second.steps().size() + " steps, but " + first.source() + " has "
                    + first.steps().size());
        }
        for (int s = 0; s < Math.min(first.steps().size(), second.steps().size()); s++) {
            LessonStep a = first.step(s);
            LessonStep b = second.step(s);
            if (a.directives().size() != b.directives().size()) {
                problems.add(where + ":" + b.line() + ": step " + (s + 1) + " has " + b.directives().size()
                        + " directives, but " + first.source() + ":" + a.line() + " has " + a.directives().size());
                continue;
            }
            for (int d = 0; d < a.directives().size(); d++) {
                if (!sameArguments(a.directives().get(d), b.directives().get(d))) {
                    problems.add(where + ":" + b.directiveLine(d) + ": " + b.directives().get(d).fileText()
                            + " differs from " + first.source() + ":" + a.directiveLine(d) + ": " + a.directives().get(d).fileText());
                }
            }
        }
        return problems;
    }

    /** Equal directives, where a question only needs the same kind, arguments and number of options. */
    static boolean sameArguments(Directive a, Directive b) {
        if (a instanceof Directive.Question qa && b instanceof Directive.Question qb) {
            return qa.ask().equals(qb.ask()) && qa.options().size() == qb.options().size();
        }
        return Objects.equals(a, b);
    }

    /** The live state a lesson builds up as it is played: sentence, sampling and model. */
    private static final class Player {
        private final Lesson lesson;
        private final LoadedModel bundled;
        private final List<String> problems = new ArrayList<>();
        private ModelConfig config;
        private Parameters parameters;
        private String sentence;
        private SamplingSettings sampling = SamplingSettings.PLAIN;
        private SentenceTrace trace;

        Player(Lesson lesson, LoadedModel bundled) {
            this.lesson = lesson;
            this.bundled = bundled;
            this.config = bundled.config();
            this.parameters = bundled.parameters();
        }

        void play(Directive directive, int line) {
            try {
                if (directive instanceof Directive.SetSentence set) {
                    sentence = set.text();
                    trace = null;
                } else if (directive instanceof Directive.SetSampling set) {
                    sampling = set.applyTo(sampling);
                } else if (directive instanceof Directive.UseModel use) {
                    useModel(use);
                } else if (directive instanceof Directive.GoToStage go) {
                    goToStage(go);
                } else if (directive instanceof Directive.SelectToken select && !select.clears()) {
                    int tokens = trace().tokens();
                    if (select.token0() >= tokens) {
                        throw new IllegalArgumentException("token " + (select.token0() + 1) + " is past the sentence's "
                                + tokens + " tokens");
                    }
                } else if (directive instanceof Directive.Question question) {
                    SentenceTrace run = sentence == null ? null : trace();
                    question.expected(new QuestionContext(config, parameters, run, bundled.tokenizer(), sampling));
                }
            } catch (IllegalArgumentException e) {
                problems.add(lesson.source() + ":" + line + ": " + e.getMessage());
            }
        }

        private void useModel(Directive.UseModel use) {
            if (!use.variant()) {
                config = bundled.config();
                parameters = bundled.parameters();
            } else {
                config = use.configFor(bundled.config());
                parameters = ParameterLayout.of(config).initialize(use.seed().orElse(DEFAULT_VARIANT_SEED));
            }
            trace = null;
        }

        private void goToStage(Directive.GoToStage go) {
            Stage stage = go.stage();
            if (!Pipeline.stages(config).contains(stage)) {
                throw new IllegalArgumentException("the model at this point (" + describe(config) + ") has no stage "
                        + Directive.word(stage.kind()) + (stage.block() >= 0 ? " in block " + (stage.block() + 1) : ""));
            }
            if (go.head0() >= config.nHead()) {
                throw new IllegalArgumentException("head " + (go.head0() + 1) + " is past the model's " + config.nHead()
                        + " heads");
            }
        }

        private SentenceTrace trace() {
            if (sentence == null) {
                throw new IllegalArgumentException("no sentence yet (set one with @sentence)");
            }
            if (trace == null) {
                PreparedSentence prepared = Pipeline.prepare(bundled.tokenizer(), sentence, config.contextLength(),
                        Pipeline.Keep.LAST);
                if (prepared.isEmpty()) {
                    throw new IllegalArgumentException("the sentence \"" + sentence + "\" has no tokens");
                }
                trace = SentenceTrace.record(new Transformer(config, parameters), prepared.ids());
            }
            return trace;
        }

        private static String describe(ModelConfig config) {
            return config.nLayer() + " blocks, " + config.norm().name().toLowerCase(java.util.Locale.ROOT)
                    + (config.isMoe() ? ", " + config.nExperts() + " experts" : ", dense FFN");
        }
    }
}
