package org.stepwise.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.ejml.data.DMatrixRMaj;

import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.OutputDistribution;
import org.stepwise.pipeline.Pipeline;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;

/**
 * Checks a parsed lesson against the real model: every stage it goes to exists in the model it uses at
 * that point, every selected head and token exists, every question can be computed, and the English and
 * Chinese versions have the same steps and directives. After {@code @model translation} the stages, sentences and
 * questions are those of the bundled English→Chinese model. Each problem reads {@code file:line: what is wrong}.
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
        return check(lesson, bundled, null);
    }

    /**
     * Plays {@code lesson} like {@link #check(Lesson, LoadedModel)} and, after {@code @model translation}, on
     * {@code translation} (Not modified): its stages, its source and target sentences and the answers of its
     * questions. {@code @translate} is played greedily, as the translation screen does at temperature 0.
     *
     * @param translation the bundled English→Chinese model; null lists every {@code @model translation} as a problem
     */
    public static List<String> check(Lesson lesson, LoadedModel bundled, LoadedEncoderDecoder translation) {
        if (lesson == null || bundled == null) {
            throw new IllegalArgumentException("lesson and bundled model are required");
        }
        Player player = new Player(lesson, bundled, translation);
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

    /**
     * The live state a lesson builds up as it is played: sentence, sampling and model; and, for the translation
     * model, its source and target (kept while the decoder-only model is on screen, as the translation screen keeps
     * them) and whether the last stage shown was one of its encoder's.
     */
    private static final class Player {
        private final Lesson lesson;
        private final LoadedModel bundled;
        private final LoadedEncoderDecoder translationModel;
        private final List<String> problems = new ArrayList<>();
        private ModelConfig config;
        private Parameters parameters;
        private String sentence;
        private SamplingSettings sampling = SamplingSettings.PLAIN;
        private SentenceTrace trace;
        private boolean translating;
        private String source;
        private String target = "";
        private SamplingSettings translationSampling = SamplingSettings.GREEDY;
        private SentenceTrace translationTrace;
        private boolean encoderStage;

        Player(Lesson lesson, LoadedModel bundled, LoadedEncoderDecoder translationModel) {
            this.lesson = lesson;
            this.bundled = bundled;
            this.translationModel = translationModel;
            this.config = bundled.config();
            this.parameters = bundled.parameters();
        }

        void play(Directive directive, int line) {
            try {
                if (directive instanceof Directive.UseTranslation) {
                    if (translationModel == null) {
                        throw new IllegalArgumentException("@model translation: no translation model to check the"
                                + " lesson against");
                    }
                    translating = true;
                    encoderStage = false;
                } else if (directive instanceof Directive.SetTarget || directive instanceof Directive.Translate) {
                    if (!translating) {
                        throw new IllegalArgumentException(directive.fileText().split(" ")[0]
                                + " needs the translation model on screen (@model translation first)");
                    }
                    if (directive instanceof Directive.SetTarget set) {
                        target = set.text();
                        translationTrace = null;
                    } else {
                        translateToTheEnd();
                    }
                } else if (translating) {
                    playOnTranslation(directive);
                } else if (directive instanceof Directive.SetSentence set) {
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

        /** One directive while the translation model is on screen. */
        private void playOnTranslation(Directive directive) {
            EncoderDecoderConfig whole = translationModel.config();
            if (directive instanceof Directive.SetSentence set) {
                source = set.text();
                translationTrace = null;
            } else if (directive instanceof Directive.SetSampling set) {
                translationSampling = set.applyTo(translationSampling);
            } else if (directive instanceof Directive.UseModel use) {
                translating = false;
                useModel(use);
            } else if (directive instanceof Directive.GoToStage go) {
                Stage stage = go.stage();
                if (!EncoderDecoderPipeline.stages(whole).contains(stage)) {
                    throw new IllegalArgumentException("the translation model has no stage " + Directive.word(stage.kind())
                            + (stage.block() >= 0 ? " in " + (stage.encoder() ? "encoder" : "decoder") + " block "
                                    + (stage.block() + 1) : stage.encoder() ? " in the encoder" : ""));
                }
                if (go.head0() >= whole.shared().nHead()) {
                    throw new IllegalArgumentException("head " + (go.head0() + 1) + " is past the model's "
                            + whole.shared().nHead() + " heads");
                }
                encoderStage = stage.encoder();
            } else if (directive instanceof Directive.SelectToken select) {
                if (select.clears()) {
                    return;
                }
                SentenceTrace run = translationTrace();
                int tokens = encoderStage ? run.source().tokens() : run.tokens();
                if (select.token0() >= tokens) {
                    throw new IllegalArgumentException("token " + (select.token0() + 1) + " is past the "
                            + (encoderStage ? "source's " : "target's ") + tokens + " tokens (the start token included)");
                }
            } else if (directive instanceof Directive.Question question) {
                SentenceTrace run = source == null ? null : translationTrace();
                question.expected(new QuestionContext(whole.shared(), translationModel.parameters(), run,
                        translationModel.targetTokenizer(), translationSampling, whole));
            } else if (directive instanceof Directive.TrainCommand || directive instanceof Directive.TrainSetting) {
                return;     // the dashboard trains the translation model on its sentence pairs
            } else if (!(directive instanceof Directive.Highlight)) {
                throw new IllegalArgumentException(directive.fileText() + " does not act on the translation model"
                        + " (@model default goes back to the visualizer)");
            }
        }

        /** The decoder's pass over the target (start token first), reading the source; recomputed when they change. */
        private SentenceTrace translationTrace() {
            if (source == null) {
                throw new IllegalArgumentException("no source sentence yet (set one with @sentence after"
                        + " @model translation)");
            }
            if (translationTrace == null) {
                int context = translationModel.config().shared().contextLength();
                String read = translationModel.lowercaseSource() ? source.toLowerCase(Locale.ROOT) : source;
                PreparedSentence sourceSentence = Pipeline.prepare(translationModel.sourceTokenizer(), read, context,
                        Pipeline.Keep.FIRST);
                if (sourceSentence.isEmpty()) {
                    throw new IllegalArgumentException("the source \"" + source + "\" has no tokens");
                }
                int[] written = Pipeline.prepare(translationModel.targetTokenizer(), target, context - 1,
                        Pipeline.Keep.FIRST).ids();
                int[] decoderInput = new int[written.length + 1];
                decoderInput[0] = translationModel.startId();
                System.arraycopy(written, 0, decoderInput, 1, written.length);
                EncoderDecoder engine = new EncoderDecoder(translationModel.config(), translationModel.parameters());
                translationTrace = EncoderDecoderPipeline.record(engine, sourceSentence.ids(), decoderInput,
                        translationModel.sourceTokenizer())[1].run();
            }
            return translationTrace;
        }

        /** Appends the most likely next target token until the model ends the sentence or the context is full. */
        private void translateToTheEnd() {
            int context = translationModel.config().shared().contextLength();
            while (translationTrace().tokens() < context) {
                SentenceTrace run = translationTrace();
                DMatrixRMaj logits = run.trace().logits(); // [T, V]
                int next = OutputDistribution.of(logits, run.tokens() - 1, SamplingSettings.GREEDY, 1).mostLikely();
                if (next == translationModel.endId()) {
                    return;
                }
                target = target + translationModel.targetTokenizer().decode(new int[] {next});
                translationTrace = null;
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
            if (go.encoder() || stage.kind().crossAttention()) {
                throw new IllegalArgumentException("stage " + Directive.word(stage.kind()) + (go.encoder() ? " encoder" : "")
                        + " is a stage of the translation model (@model translation first)");
            }
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
