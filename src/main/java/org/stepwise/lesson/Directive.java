package org.stepwise.lesson;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.tokenizer.Tokenizer;

/**
 * One action or question of a lesson step (a line starting with {@code @}). Block, head, token and option
 * numbers are 1-based in the files and 0-based in these records.
 */
public sealed interface Directive {

    /**
     * The directive as a lesson file writes it (1-based numbers, question kind and arguments without the
     * question text), e.g. {@code @stage scores block=1 head=2}.
     */
    default String fileText() {
        return DirectiveText.of(this);
    }

    /** {@code @sentence TEXT}: type this sentence. */
    record SetSentence(String text) implements Directive {
        public SetSentence {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("a sentence needs some text");
            }
        }
    }

    /**
     * {@code @stage KIND [block=N] [head=N] [encoder]}: go to a stage.
     *
     * @param block0  0-based block for in-block kinds, −1 for the stages outside the blocks
     * @param head0   0-based query head to select, −1 to keep the one selected
     * @param encoder true for a stage of the translation model's encoder (the word {@code encoder})
     */
    record GoToStage(Stage.Kind kind, int block0, int head0, boolean encoder) implements Directive {
        public GoToStage {
            if (kind == null) {
                throw new IllegalArgumentException("a stage kind is required");
            }
            if (kind.inBlock() != (block0 >= 0)) {
                throw new IllegalArgumentException(kind.inBlock() ? "stage " + word(kind) + " needs block=N"
                        : "stage " + word(kind) + " lies outside the blocks and takes no block");
            }
            if (head0 < -1) {
                throw new IllegalArgumentException("head must be at least 1");
            }
            if (encoder) {
                checkEncoderKind(kind);
            }
        }

        /** A stage of a decoder-only model or of the translation model's decoder. */
        public GoToStage(Stage.Kind kind, int block0, int head0) {
            this(kind, block0, head0, false);
        }

        /** The stage this directive goes to. */
        public Stage stage() {
            return new Stage(kind, block0, encoder);
        }

        /** True when the directive selects a head. */
        public boolean selectsHead() {
            return head0 >= 0;
        }
    }

    /** {@code @model translation}: the bundled English→Chinese encoder-decoder model, on the translation screen. */
    record UseTranslation() implements Directive {
    }

    /** {@code @target TEXT}: the Chinese target the translation model's decoder reads after its start token. */
    record SetTarget(String text) implements Directive {
        public SetTarget {
            if (text == null || text.isBlank()) {
                throw new IllegalArgumentException("a target needs some text (the Chinese the decoder has written so far)");
            }
        }
    }

    /** {@code @translate}: the translation model writes on from the target on screen until it ends the sentence. */
    record Translate() implements Directive {
    }

    /** {@code @select token=N|none}: select a token (0-based), or −1 to clear the selection. */
    record SelectToken(int token0) implements Directive {
        public SelectToken {
            if (token0 < -1) {
                throw new IllegalArgumentException("token must be at least 1 or none");
            }
        }

        public boolean clears() {
            return token0 < 0;
        }
    }

    /** {@code @sampling [temperature=T] [top-k=K] [top-p=P]}: change the knobs given, keep the others. */
    record SetSampling(OptionalDouble temperature, OptionalInt topK, OptionalDouble topP) implements Directive {
        public SetSampling {
            if (temperature == null || topK == null || topP == null) {
                throw new IllegalArgumentException("use empty optionals for the knobs that are not set");
            }
            if (temperature.isEmpty() && topK.isEmpty() && topP.isEmpty()) {
                throw new IllegalArgumentException("@sampling needs temperature=, top-k= or top-p=");
            }
            new SamplingSettings(temperature.orElse(1.0), topK.orElse(0), topP.orElse(1.0));
        }

        /** {@code current} (Not modified) with the knobs of this directive changed. */
        public SamplingSettings applyTo(SamplingSettings current) {
            SamplingSettings result = current;
            if (temperature.isPresent()) {
                result = result.withTemperature(temperature.getAsDouble());
            }
            if (topK.isPresent()) {
                result = result.withTopK(topK.getAsInt());
            }
            if (topP.isPresent()) {
                result = result.withTopP(topP.getAsDouble());
            }
            return result;
        }
    }

    /**
     * {@code @model default} ({@code variant} false, no options) or {@code @model variant KEY=VALUE...}: a fresh
     * randomly initialised copy of the bundled model's config with the options changed.
     *
     * @param options the variant's options by key ({@link #VARIANT_KEYS}), values as written
     */
    record UseModel(boolean variant, Map<String, String> options) implements Directive {
        /** The option keys a variant accepts. */
        public static final List<String> VARIANT_KEYS = List.of("norm", "positional", "kv-heads", "activation",
                "experts", "top-k", "tied", "tokenizer", "seed");

        public UseModel {
            if (options == null) {
                throw new IllegalArgumentException("options are required (empty for the default model)");
            }
            if (!variant && !options.isEmpty()) {
                throw new IllegalArgumentException("@model default takes no options");
            }
            if (variant && options.isEmpty()) {
                throw new IllegalArgumentException("@model variant needs at least one KEY=VALUE");
            }
            for (Map.Entry<String, String> option : options.entrySet()) {
                checkOption(option.getKey(), option.getValue());
            }
            options = Collections.unmodifiableMap(new TreeMap<>(options));
        }

        /** The bundled model. */
        public static UseModel bundled() {
            return new UseModel(false, Map.of());
        }

        /**
         * The architecture of this model given the bundled model's {@code base}: the base itself for
         * {@code @model default}. The vocabulary size is the base's; a variant with another tokenizer gets its
         * vocabulary from that tokenizer once trained ({@link #tokenizer()}).
         *
         * @throws IllegalArgumentException when the options do not fit the base (e.g. kv-heads not dividing the heads)
         */
        public ModelConfig configFor(ModelConfig base) {
            ModelConfig config = base;
            if (!variant) {
                return config;
            }
            ModelConfig.Norm norm = options.containsKey("norm")
                    ? ModelConfig.Norm.valueOf(options.get("norm").toUpperCase(Locale.ROOT)) : config.norm();
            ModelConfig.Positional positional = options.containsKey("positional")
                    ? ModelConfig.Positional.valueOf(options.get("positional").toUpperCase(Locale.ROOT))
                    : config.positional();
            ModelConfig.Activation activation = options.containsKey("activation")
                    ? ModelConfig.Activation.fromHfName(options.get("activation")) : config.activation();
            boolean tied = options.containsKey("tied") ? Boolean.parseBoolean(options.get("tied")) : config.tiedOutput();
            config = config.withVariants(activation, positional, norm, tied, config.bias());
            if (options.containsKey("kv-heads")) {
                config = config.withAttention(config.nHead(), Integer.parseInt(options.get("kv-heads")));
            }
            if (options.containsKey("experts")) {
                int experts = Integer.parseInt(options.get("experts"));
                int chosen = options.containsKey("top-k") ? Integer.parseInt(options.get("top-k"))
                        : Math.min(DEFAULT_EXPERTS_PER_TOKEN, experts);
                config = config.withExperts(experts, experts == 0 ? 0 : chosen);
            } else if (options.containsKey("top-k")) {
                if (!config.isMoe()) {
                    throw new IllegalArgumentException("top-k chooses experts: the model needs experts=E as well");
                }
                config = config.withExperts(config.nExperts(), Integer.parseInt(options.get("top-k")));
            }
            return config;
        }

        /** The tokenizer strategy the variant asks for, empty to keep the bundled model's tokenizer. */
        public Optional<Tokenizer.Kind> tokenizer() {
            String kind = options.get("tokenizer");
            return kind == null ? Optional.empty() : Optional.of(Tokenizer.Kind.valueOf(kind.toUpperCase(Locale.ROOT)));
        }

        /** The seed of the random initialisation, empty when the lesson leaves it to the app. */
        public OptionalLong seed() {
            String seed = options.get("seed");
            return seed == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(seed));
        }

        /** Experts each token is routed to when a variant sets {@code experts=E} without {@code top-k}. */
        public static final int DEFAULT_EXPERTS_PER_TOKEN = 2;

        private static void checkOption(String key, String value) {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("option " + key + " needs a value");
            }
            switch (key) {
                case "norm" -> oneOf(key, value, "pre_ln", "post_ln");
                case "positional" -> oneOf(key, value, "learned", "sinusoidal", "rope", "none");
                case "activation" -> oneOf(key, value, "relu", "gelu", "gelu_new");
                case "tied" -> oneOf(key, value, "true", "false");
                case "tokenizer" -> oneOf(key, value, "character", "word", "bpe");
                case "kv-heads", "top-k" -> wholeNumber(key, value, 1);
                case "experts" -> wholeNumber(key, value, 0);
                case "seed" -> {
                    try {
                        Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("seed must be a whole number, got " + value);
                    }
                }
                default -> throw new IllegalArgumentException("unknown model option " + key + " (known: "
                        + String.join(", ", VARIANT_KEYS) + ")");
            }
        }
    }

    /** {@code @train start|pause|step|epoch|reset}. */
    record TrainCommand(Action action) implements Directive {
        /** What the trainer is told to do. */
        public enum Action { START, PAUSE, STEP, EPOCH, RESET }

        public TrainCommand {
            if (action == null) {
                throw new IllegalArgumentException("a training action is required");
            }
        }
    }

    /** {@code @train set KEY=VALUE}: one training setting, its value checked as written. */
    record TrainSetting(Key key, String value) implements Directive {
        /** The settings a lesson may change. */
        public enum Key { LR, BATCH, OPTIMIZER, STRATEGY, SPEED }

        public TrainSetting {
            if (key == null || value == null) {
                throw new IllegalArgumentException("a training setting needs a key and a value");
            }
            String name = word(key);
            switch (key) {
                case LR -> {
                    double rate = number(name, value);
                    if (!(rate > 0) || Double.isInfinite(rate)) {
                        throw new IllegalArgumentException("lr must be a positive number, got " + value);
                    }
                }
                case BATCH -> wholeNumber(name, value, 1);
                case OPTIMIZER -> oneOf(name, value, "sgd", "adamw");
                case STRATEGY -> oneOf(name, value, "sample", "batch", "epoch");
                case SPEED -> {
                    if (!value.equals("full")) {
                        wholeNumber(name, value, 1);
                    }
                }
            }
        }

        /** True for {@code speed=full} (as fast as the machine allows). */
        public boolean fullSpeed() {
            return key == Key.SPEED && value.equals("full");
        }
    }

    /** {@code @highlight PANEL}: draw the class's eye to a part of the window. */
    record Highlight(Panel panel) implements Directive {
        /** The parts of the window a lesson can highlight. */
        public enum Panel { SENTENCE, PIPELINE, STAGE, EXPLANATION, DASHBOARD, LOSS_CHART, TEMPERATURE, TOKENS }

        public Highlight {
            if (panel == null) {
                throw new IllegalArgumentException("a panel is required");
            }
        }
    }

    /** {@code @panel parameter-count|all-heads|gqa-conversion}: open a side view. */
    record OpenPanel(SideView view) implements Directive {
        /**
         * The side views a lesson can open; {@code GQA_CONVERSION} is the dialog that pools the key/value heads of
         * the model on screen and measures it before and after.
         */
        public enum SideView { PARAMETER_COUNT, ALL_HEADS, GQA_CONVERSION }

        public OpenPanel {
            if (view == null) {
                throw new IllegalArgumentException("a side view is required");
            }
        }
    }

    /**
     * {@code @question KIND args...} with its question text; the expected answer is computed from the live
     * model by {@link #expected(QuestionContext)}, never written in the file.
     *
     * @param ask     what is asked, with its arguments (compared between languages)
     * @param text    the question as the student reads it
     * @param options the options of a {@link Ask.Choice}, empty for the other kinds
     */
    record Question(Ask ask, String text, List<String> options) implements Directive {

        public Question {
            if (ask == null || text == null || options == null) {
                throw new IllegalArgumentException("a question needs its kind, text and options");
            }
            if (text.isBlank()) {
                throw new IllegalArgumentException("the question has no text (write it on the lines after @question)");
            }
            options = List.copyOf(options);
            if (ask instanceof Ask.Choice choice) {
                if (options.size() < 2) {
                    throw new IllegalArgumentException("a choice question needs at least two '- option' lines, got "
                            + options.size());
                }
                if (choice.correct0() >= options.size()) {
                    throw new IllegalArgumentException("correct=" + (choice.correct0() + 1) + " but there are only "
                            + options.size() + " options");
                }
            } else if (!options.isEmpty()) {
                throw new IllegalArgumentException("only a choice question has '- option' lines");
            }
        }

        /** The answer the live model gives now. @throws IllegalArgumentException when it cannot be computed */
        public Answer expected(QuestionContext context) {
            return Questions.expected(this, context);
        }
    }

    /** What a question asks; numbers 0-based. */
    sealed interface Ask {
        /**
         * {@code attends-most block=N head=N token=N [stage=attention-softmax|cross-softmax] [encoder]}: the position
         * row {@code token0} of an attention pattern weighs most. {@code stage} is {@code ATTENTION_SOFTMAX} for
         * self-attention (the encoder's with {@code encoder}) and {@code CROSS_SOFTMAX} for the translation model's
         * cross-attention, whose columns are the source tokens.
         */
        record AttendsMost(int block0, int head0, int token0, Stage.Kind stage, boolean encoder) implements Ask {
            public AttendsMost {
                if (block0 < 0 || head0 < 0 || token0 < 0) {
                    throw new IllegalArgumentException("attends-most needs block, head and token, each at least 1");
                }
                if (stage != Stage.Kind.ATTENTION_SOFTMAX && stage != Stage.Kind.CROSS_SOFTMAX) {
                    throw new IllegalArgumentException("attends-most reads the pattern of stage attention-softmax or"
                            + " cross-softmax, got " + (stage == null ? "none" : word(stage)));
                }
                if (encoder && stage == Stage.Kind.CROSS_SOFTMAX) {
                    throw new IllegalArgumentException("the encoder has no cross-attention (cross-softmax is in the decoder)");
                }
            }

            /** Self-attention of a decoder-only model or of the translation model's decoder. */
            public AttendsMost(int block0, int head0, int token0) {
                this(block0, head0, token0, Stage.Kind.ATTENTION_SOFTMAX, false);
            }

            /** True for the cross-attention pattern (rows: target tokens, columns: source tokens). */
            public boolean cross() {
                return stage == Stage.Kind.CROSS_SOFTMAX;
            }
        }

        /**
         * {@code shape tensor=LETTER stage=KIND [block=N] [encoder]}: the shape of a tensor of a stage's view.
         *
         * @param block0  0-based block for in-block stages, −1 otherwise
         * @param encoder true for a stage of the translation model's encoder
         */
        record Shape(String tensor, Stage.Kind stage, int block0, boolean encoder) implements Ask {
            public Shape {
                if (tensor == null || tensor.isEmpty() || stage == null) {
                    throw new IllegalArgumentException("shape needs tensor= and stage=");
                }
                if (stage.inBlock() != (block0 >= 0)) {
                    throw new IllegalArgumentException(stage.inBlock() ? "stage " + word(stage) + " needs block=N"
                            : "stage " + word(stage) + " lies outside the blocks and takes no block");
                }
                if (encoder) {
                    checkEncoderKind(stage);
                }
            }

            /** A stage of a decoder-only model or of the translation model's decoder. */
            public Shape(String tensor, Stage.Kind stage, int block0) {
                this(tensor, stage, block0, false);
            }

            /** The stage whose tensor is asked. */
            public Stage where() {
                return new Stage(stage, block0, encoder);
            }
        }

        /** {@code token-count}: the number of tokens of the sentence. */
        record TokenCount() implements Ask {
        }

        /** {@code most-likely-next}: the most likely next token at the current sampling settings. */
        record MostLikelyNext() implements Ask {
        }

        /** {@code parameter-share part=ffn|attention|embedding}: a part's percentage of all parameters. */
        record ParameterShare(Part part) implements Ask {
            /** The parts whose share can be asked. */
            public enum Part { FFN, ATTENTION, EMBEDDING }

            public ParameterShare {
                if (part == null) {
                    throw new IllegalArgumentException("parameter-share needs part=");
                }
            }
        }

        /** {@code choice correct=N}: a conceptual multiple choice; {@code correct0} is the right option, 0-based. */
        record Choice(int correct0) implements Ask {
            public Choice {
                if (correct0 < 0) {
                    throw new IllegalArgumentException("correct must be at least 1");
                }
            }
        }
    }

    /** Rejects, with the reason, a stage kind the translation model's encoder does not have. */
    private static void checkEncoderKind(Stage.Kind kind) {
        if (kind.crossAttention()) {
            throw new IllegalArgumentException("the encoder has no " + word(kind)
                    + " stage (cross-attention is in the decoder; drop the word encoder)");
        }
        if (kind == Stage.Kind.CAUSAL_MASK) {
            throw new IllegalArgumentException("the encoder has no causal-mask stage: it masks nothing");
        }
        if (kind == Stage.Kind.LOGITS || kind == Stage.Kind.OUTPUT_SOFTMAX || kind == Stage.Kind.NEXT_TOKEN
                || kind == Stage.Kind.ROUTER || kind == Stage.Kind.EXPERTS) {
            throw new IllegalArgumentException("the encoder has no " + word(kind) + " stage");
        }
    }

    /** The file spelling of an enum constant: lower case with {@code -}, e.g. {@code loss-chart}. */
    static String word(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static void oneOf(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return;
            }
        }
        throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed) + ", got " + value);
    }

    private static int wholeNumber(String key, String value, int minimum) {
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got " + value);
        }
        if (parsed < minimum) {
            throw new IllegalArgumentException(key + " must be at least " + minimum + ", got " + value);
        }
        return parsed;
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got " + value);
        }
    }
}
