package org.stepwise.files;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a labelled matrix as a CSV table (RFC 4180, UTF-8): a header row with a corner cell and the column labels,
 * then one line per row, its label first and its values after at full double precision ({@link Double#toString},
 * which reads back to the same double in Java, Python and NumPy; NaN and ±Infinity as {@code NaN},
 * {@code Infinity}, {@code -Infinity}).
 */
public final class TensorCsv {

    private TensorCsv() {
    }

    /**
     * Writes the table to {@code out} (Modified.); the arguments are Not modified.
     *
     * @param corner       the text of the header row's first cell (what the row labels are)
     * @param columnLabels one label per column
     * @param rowLabels    one label per row
     * @param rowMajor     the {@code rows × columns} values row after row, rows and columns given by the labels
     */
    public static void write(OutputStream out, String corner, List<String> columnLabels, List<String> rowLabels,
            double[] rowMajor) throws IOException {
        int rows = rowLabels.size();
        int columns = columnLabels.size();
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("a table needs at least one row and one column, got " + rows + "×" + columns);
        }
        if (rowMajor.length < (long) rows * columns) {
            throw new IllegalArgumentException("a " + rows + "×" + columns + " table needs " + (long) rows * columns
                    + " values, got " + rowMajor.length);
        }
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        StringBuilder line = new StringBuilder();
        line.append(quoted(corner));
        for (String label : columnLabels) {
            line.append(',').append(quoted(label));
        }
        writer.write(line.append("\r\n").toString());
        for (int r = 0; r < rows; r++) {
            line.setLength(0);
            line.append(quoted(rowLabels.get(r)));
            for (int c = 0; c < columns; c++) {
                line.append(',').append(rowMajor[r * columns + c]);
            }
            writer.write(line.append("\r\n").toString());
        }
        writer.flush();
    }

    /** Writes the table to {@code file} all-or-nothing ({@link AtomicFiles}); see {@link #write(OutputStream, String, List, List, double[])}. */
    public static void write(Path file, String corner, List<String> columnLabels, List<String> rowLabels,
            double[] rowMajor) throws IOException {
        AtomicFiles.write(file, out -> write(out, corner, columnLabels, rowLabels, rowMajor));
    }

    /**
     * {@code text} as one CSV field: in double quotes (inner quotes doubled) when it holds a comma, a quote, a line
     * break or starts or ends with a space (a token such as {@code " cat"} keeps its space), else as it is.
     */
    public static String quoted(String text) {
        boolean needsQuotes = text.isEmpty() ? false
                : text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
                || Character.isWhitespace(text.charAt(0)) || Character.isWhitespace(text.charAt(text.length() - 1));
        return needsQuotes ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }
}
