package org.stepwise.lesson;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.EncoderDecoderConfig;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.pipeline.EncoderDecoderPipeline;
import org.stepwise.pipeline.OutputDistribution;
import org.stepwise.pipeline.ParameterCount;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;

/**
 * Computes the expected answer of a lesson question from the live model and trace, so the answer stays
 * right when the weights, the sentence or the settings change.
 */
public final class Questions {
    private Questions() {
    }

    /**
     * The expected answer of {@code question} in {@code context} (both Not modified).
     *
     * @throws IllegalArgumentException when the question does not fit the live state (a block, head or
     *                                  token the model or sentence has not, a tensor the stage does not show,
     *                                  no sentence on screen)
     */
    public static Answer expected(Directive.Question question, QuestionContext context) {
        if (question == null || context == null) {
            throw new IllegalArgumentException("question and context are required");
        }
        Directive.Ask ask = question.ask();
        if (ask instanceof Directive.Ask.AttendsMost attendsMost) {
            return attendsMost(attendsMost, context);
        }
        if (ask instanceof Directive.Ask.Shape shape) {
            return shape(shape, context);
        }
        if (ask instanceof Directive.Ask.TokenCount) {
            return new Answer.Count(context.requireTrace().tokens());
        }
        if (ask instanceof Directive.Ask.MostLikelyNext) {
            return mostLikelyNext(context);
        }
        if (ask instanceof Directive.Ask.ParameterShare share) {
            return parameterShare(share, context);
        }
        Directive.Ask.Choice choice = (Directive.Ask.Choice) ask;
        return new Answer.Option(choice.correct0(), question.options());
    }

    /**
     * The position of the largest weight in row {@code token} of the head's attention pattern (first on ties): the
     * self-attention of the decoder-only model or the translation model's decoder, the encoder's self-attention, or
     * the translation model's cross-attention, whose columns (and so the answer) are source tokens.
     */
    private static Answer attendsMost(Directive.Ask.AttendsMost ask, QuestionContext context) {
        boolean readsSource = ask.cross() || ask.encoder();
        EncoderDecoderConfig translation = context.translation();
        if (readsSource && translation == null) {
            throw new IllegalArgumentException((ask.cross() ? "the cross-attention pattern" : "the encoder's pattern")
                    + " needs the translation model on screen (@model translation)");
        }
        SentenceTrace run = context.requireTrace();
        if (ask.encoder()) {
            if (ask.block0() >= translation.nEncoderLayer()) {
                throw new IllegalArgumentException("block " + (ask.block0() + 1) + " is past the encoder's "
                        + translation.nEncoderLayer() + " blocks");
            }
            checkBlockAndHead(0, ask.head0(), context);
        } else {
            checkBlockAndHead(ask.block0(), ask.head0(), context);
        }
        int rows = ask.encoder() ? run.source().tokens() : run.tokens();
        if (ask.token0() >= rows) {
            throw new IllegalArgumentException("token " + (ask.token0() + 1) + " is past the "
                    + (ask.encoder() ? "source's " : "sentence's ") + rows + " tokens");
        }
        HookKey key = ask.cross() ? HookKey.of(Hook.CROSS_PATTERN, ask.block0(), ask.head0())
                : ask.encoder() ? HookKey.of(Hook.PATTERN, ask.block0(), ask.head0()).inEncoder()
                : HookKey.of(Hook.PATTERN, ask.block0(), ask.head0());
        DMatrixRMaj pattern = run.trace().get(key); // [T, T], [T, T_src] (cross) or [T_src, T_src] (encoder)
        int row = ask.token0();
        int best = 0;
        for (int column = 1; column < pattern.numCols; column++) {
            if (pattern.get(row, column) > pattern.get(row, best)) {
                best = column;
            }
        }
        Tokenizer names = readsSource ? run.source().tokenizer() : context.tokenizer();
        int id = readsSource ? run.source().ids()[best] : run.id(best);
        return new Answer.TokenPosition(best, TokenDisplay.of(names, id).text(), names.token(id));
    }

    /** The shape of the first tensor of the stage's view with the asked letter. */
    private static Answer shape(Directive.Ask.Shape ask, QuestionContext context) {
        EncoderDecoderConfig translation = context.translation();
        if (translation == null && (ask.encoder() || ask.stage().crossAttention())) {
            throw new IllegalArgumentException("stage " + Directive.word(ask.stage()) + (ask.encoder() ? " encoder" : "")
                    + " needs the translation model on screen (@model translation)");
        }
        SentenceTrace run = context.requireTrace();
        StageView view;
        if (translation == null) {
            if (ask.block0() >= context.config().nLayer()) {
                throw new IllegalArgumentException("block " + (ask.block0() + 1) + " is past the model's "
                        + context.config().nLayer() + " blocks");
            }
            view = StageView.of(context.config(), new Stage(ask.stage(), ask.block0()), 0, run.tokens(),
                    context.sampling());
        } else {
            int blocks = ask.encoder() ? translation.nEncoderLayer() : translation.nDecoderLayer();
            if (ask.block0() >= blocks) {
                throw new IllegalArgumentException("block " + (ask.block0() + 1) + " is past the "
                        + (ask.encoder() ? "encoder's " : "decoder's ") + blocks + " blocks");
            }
            view = EncoderDecoderPipeline.view(translation, ask.where(), 0, run.source().tokens(), run.tokens(),
                    context.sampling());
        }
        for (StageTensor tensor : view.tensors()) {
            if (tensor.letter().equals(ask.tensor())) {
                return new Answer.Shape(tensor.rows(), tensor.columns());
            }
        }
        throw new IllegalArgumentException("stage " + Directive.word(ask.stage()) + " shows no tensor " + ask.tensor()
                + " (it shows " + String.join(", ", view.tensors().stream().map(StageTensor::letter).toList()) + ")");
    }

    /** The most probable next token after the last position, at the window's sampling settings. */
    private static Answer mostLikelyNext(QuestionContext context) {
        SentenceTrace run = context.requireTrace();
        DMatrixRMaj logits = run.trace().logits(); // [T, V]
        int id = OutputDistribution.of(logits, run.tokens() - 1, context.sampling(), 1).mostLikely();
        return new Answer.TokenText(id, TokenDisplay.of(context.tokenizer(), id).text(), context.tokenizer().token(id));
    }

    /** A part's share of all the model's parameters, in percent. */
    private static Answer parameterShare(Directive.Ask.ParameterShare ask, QuestionContext context) {
        if (context.translation() != null) {
            throw new IllegalArgumentException("parameter-share counts a decoder-only model's parts; the translation"
                    + " model is on screen (@model default goes back)");
        }
        ParameterCount count = ParameterCount.of(context.config());
        long part = switch (ask.part()) {
            case FFN -> count.feedForward();
            case ATTENTION -> count.attention();
            case EMBEDDING -> count.embeddings();
        };
        return new Answer.Percentage(100.0 * part / count.total());
    }

    private static void checkBlockAndHead(int block0, int head0, QuestionContext context) {
        if (block0 >= context.config().nLayer()) {
            throw new IllegalArgumentException("block " + (block0 + 1) + " is past the model's "
                    + context.config().nLayer() + " blocks");
        }
        if (head0 >= context.config().nHead()) {
            throw new IllegalArgumentException("head " + (head0 + 1) + " is past the model's "
                    + context.config().nHead() + " heads");
        }
    }
}
