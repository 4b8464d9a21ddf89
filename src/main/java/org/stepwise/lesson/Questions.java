package org.stepwise.lesson;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.pipeline.OutputDistribution;
import org.stepwise.pipeline.ParameterCount;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.tokenizer.TokenDisplay;

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

    /** The position of the largest weight in row {@code token} of the head's attention pattern (first on ties). */
    private static Answer attendsMost(Directive.Ask.AttendsMost ask, QuestionContext context) {
        SentenceTrace run = context.requireTrace();
        checkBlockAndHead(ask.block0(), ask.head0(), context);
        if (ask.token0() >= run.tokens()) {
            throw new IllegalArgumentException("token " + (ask.token0() + 1) + " is past the sentence's " + run.tokens()
                    + " tokens");
        }
        DMatrixRMaj pattern = run.trace().get(HookKey.of(Hook.PATTERN, ask.block0(), ask.head0())); // [T, T]
        int row = ask.token0();
        int best = 0;
        for (int column = 1; column < pattern.numCols; column++) {
            if (pattern.get(row, column) > pattern.get(row, best)) {
                best = column;
            }
        }
        int id = run.id(best);
        return new Answer.TokenPosition(best, TokenDisplay.of(context.tokenizer(), id).text(),
                context.tokenizer().token(id));
    }

    /** The shape of the first tensor of the stage's view with the asked letter. */
    private static Answer shape(Directive.Ask.Shape ask, QuestionContext context) {
        SentenceTrace run = context.requireTrace();
        if (ask.block0() >= context.config().nLayer()) {
            throw new IllegalArgumentException("block " + (ask.block0() + 1) + " is past the model's "
                    + context.config().nLayer() + " blocks");
        }
        StageView view = StageView.of(context.config(), new Stage(ask.stage(), ask.block0()), 0, run.tokens(),
                context.sampling());
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
