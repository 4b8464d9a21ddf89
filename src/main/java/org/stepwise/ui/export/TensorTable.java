package org.stepwise.ui.export;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.pipeline.StageTensor;
import org.stepwise.pipeline.StageView;
import org.stepwise.pipeline.TensorValues;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.stage.StageContext;

/**
 * One tensor of a stage as a table to export: all its numbers (every row and column, not only those a heatmap
 * shows), its row and column labels (token texts for token and vocabulary axes, indices for the others) and a
 * file name that says which stage and tensor it is.
 *
 * @param letter       the formula's name of the tensor, written in the table's corner cell
 * @param fileStem     a file name without extension, e.g. {@code block1-qkv-head2-W_Q}
 * @param rowLabels    one label per row
 * @param columnLabels one label per column
 * @param matrix       the numbers, {@code [rows, columns]}; shared with the trace or the weights, so Not modified
 */
public record TensorTable(String letter, String fileStem, List<String> rowLabels, List<String> columnLabels,
                          DMatrixRMaj matrix) {

    public TensorTable {
        if (rowLabels.size() != matrix.numRows || columnLabels.size() != matrix.numCols) {
            throw new IllegalArgumentException(letter + " has " + matrix.numRows + "×" + matrix.numCols + " numbers but "
                    + rowLabels.size() + "×" + columnLabels.size() + " labels");
        }
        rowLabels = List.copyOf(rowLabels);
        columnLabels = List.copyOf(columnLabels);
    }

    /** The tensors {@code context}'s stage shows, in its order; empty when there is no sentence. */
    public static List<StageTensor> tensorsOf(StageContext context) {
        SentenceTrace run = context == null ? null : context.run();
        if (run == null) {
            return List.of();
        }
        return StageView.of(context.model().config(), context.stage(), context.head(), run.tokens(), context.sampling())
                .tensors();
    }

    /**
     * The table of {@code tensor} as computed for {@code context} (Not modified).
     *
     * @throws IllegalArgumentException when the context has no sentence or its trace does not hold the tensor
     */
    public static TensorTable of(StageContext context, StageTensor tensor) {
        SentenceTrace run = context.run();
        if (run == null) {
            throw new IllegalArgumentException("there is no sentence, so no tensor to export");
        }
        DMatrixRMaj matrix = TensorValues.of(tensor.ref(), run, context.weights(), context.model().config()); // [rows, columns]
        Tokenizer tokenizer = context.model().tokenizer();
        return new TensorTable(tensor.letter(), fileStem(context, tensor),
                labels(tensor.rowAxis(), matrix.numRows, run, tokenizer),
                labels(tensor.columnAxis(), matrix.numCols, run, tokenizer), matrix);
    }

    private static List<String> labels(StageTensor.Axis axis, int count, SentenceTrace run, Tokenizer tokenizer) {
        List<String> labels = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            labels.add(switch (axis) {
                case TOKENS -> TokenDisplay.of(tokenizer, run.id(i)).text();
                case SOURCE_TOKENS -> run.source() == null ? TokenDisplay.of(tokenizer, run.id(i)).text()
                        : TokenDisplay.of(run.source().tokenizer(), run.source().ids()[i]).text();
                case VOCAB -> TokenDisplay.of(tokenizer, i).text();
                case DIMENSIONS, EXPERTS, CHOICES, NONE -> Integer.toString(i);
            });
        }
        return labels;
    }

    /** E.g. {@code block1-qkv-head2-W_Q}: the stage's stem and the tensor's letter. */
    static String fileStem(StageContext context, StageTensor tensor) {
        return stageStem(context) + '-' + safe(tensor.letter());
    }

    /** E.g. {@code block1-qkv-head2}: the block counted from 1, the stage, and the head for head stages. */
    static String stageStem(StageContext context) {
        Stage stage = context.stage();
        StringBuilder stem = new StringBuilder();
        if (stage.block() >= 0) {
            stem.append("block").append(stage.block() + 1).append('-');
        }
        stem.append(stage.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (ExportTitles.isHeadStage(stage.kind())) {
            stem.append("-head").append(context.head() + 1);
        }
        return stem.toString();
    }

    /** {@code text} with every character a file name may not hold replaced by {@code _}. */
    static String safe(String text) {
        StringBuilder safe = new StringBuilder();
        text.codePoints().forEach(code -> safe.appendCodePoint(
                Character.isLetterOrDigit(code) || code == '_' || code == '-' || code == '.' ? code : '_'));
        return safe.toString();
    }
}
