package org.stepwise.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes and reads a matrix of doubles as a NumPy {@code .npy} file (format version 1.0, dtype {@code '<f8'},
 * C order), so {@code numpy.load} opens what the app exports exactly as NumPy's own {@code numpy.save} would write it.
 *
 * <p>The layout: the magic {@code \x93NUMPY}, the version bytes 1 and 0, the header length as a little-endian
 * unsigned 16-bit number, then the header, a Python dict literal such as
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }}, padded with spaces and ended by a newline
 * so the data starts at a multiple of {@value #ALIGNMENT} bytes; then the values, little-endian, row after row.
 */
public final class NpyFile {

    /** The data starts at a multiple of this many bytes, as NumPy writes it. */
    public static final int ALIGNMENT = 64;
    /** The six bytes every {@code .npy} file starts with. */
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic, two version bytes and the two bytes of the header length. */
    private static final int PREAMBLE_BYTES = MAGIC.length + 4;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFile() {
    }

    /**
     * A matrix read from a {@code .npy} file.
     *
     * @param shape  the sizes of its axes as the file gives them ({@code [rows, columns]} for what this class writes)
     * @param values every value in C order (the last axis varies fastest)
     */
    public record Array(int[] shape, double[] values) {
    }

    /**
     * The header NumPy writes for a {@code rows × columns} float64 C-order array: preamble, dict, spaces and the
     * newline, {@link #ALIGNMENT}-byte aligned.
     */
    public static byte[] header(int rows, int columns) {
        checkShape(rows, columns);
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + rows + ", " + columns + "), }";
        int unpadded = PREAMBLE_BYTES + dict.length() + 1;                           // + 1 for the closing newline
        int padding = (ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT;
        int headerLength = dict.length() + padding + 1;
        ByteBuffer bytes = ByteBuffer.allocate(PREAMBLE_BYTES + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
        bytes.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < padding; i++) {
            bytes.put((byte) ' ');
        }
        bytes.put((byte) '\n');
        return bytes.array();
    }

    /**
     * Writes the {@code rows × columns} matrix held row after row in {@code rowMajor} (Not modified) to {@code out}
     * (Modified.) as a whole {@code .npy} file.
     */
    public static void write(OutputStream out, int rows, int columns, double[] rowMajor) throws IOException {
        checkShape(rows, columns);
        if (rowMajor.length < (long) rows * columns) {
            throw new IllegalArgumentException("a " + rows + "×" + columns + " matrix needs " + (long) rows * columns
                    + " values, got " + rowMajor.length);
        }
        out.write(header(rows, columns));
        ByteBuffer row = ByteBuffer.allocate(columns * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            row.clear();
            for (int c = 0; c < columns; c++) {
                row.putDouble(rowMajor[r * columns + c]);
            }
            out.write(row.array(), 0, row.position());
        }
    }

    /** Writes the matrix to {@code file} all-or-nothing ({@link AtomicFiles}); see {@link #write(OutputStream, int, int, double[])}. */
    public static void write(Path file, int rows, int columns, double[] rowMajor) throws IOException {
        checkShape(rows, columns);
        AtomicFiles.write(file, out -> write(out, rows, columns, rowMajor));
    }

    /**
     * Reads a float64 {@code .npy} file of format version 1.0 or 2.0 in C order.
     *
     * @throws IOException when the file cannot be read or is not such a file (the message says what is wrong)
     */
    public static Array read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < PREAMBLE_BYTES) {
            throw new IOException(file + " is too short to be a .npy file (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new IOException(file + " is not a .npy file: it does not start with \\x93NUMPY");
            }
        }
        int major = bytes[6];
        int headerStart;
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort(8));
            headerStart = PREAMBLE_BYTES;
        } else if (major == 2) {
            if (bytes.length < PREAMBLE_BYTES + 2) {
                throw new IOException(file + " ends inside its .npy preamble");
            }
            headerLength = Integer.toUnsignedLong(buffer.getInt(8));
            headerStart = PREAMBLE_BYTES + 2;
        } else {
            throw new IOException(file + " has .npy format version " + major + "." + bytes[7] + "; versions 1 and 2 are read");
        }
        if (headerStart + headerLength > bytes.length) {
            throw new IOException(file + " declares a header of " + headerLength + " bytes but has only "
                    + (bytes.length - headerStart) + " after its preamble");
        }
        String header = new String(bytes, headerStart, (int) headerLength, StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, "descr", file);
        if (!descr.equals("<f8")) {
            throw new IOException(file + " holds dtype " + descr + "; only little-endian float64 ('<f8') is read");
        }
        if (find(FORTRAN, header, "fortran_order", file).equals("True")) {
            throw new IOException(file + " is in Fortran order; only C order is read");
        }
        int[] shape = parseShape(find(SHAPE, header, "shape", file), file);
        long count = 1;
        for (int size : shape) {
            count *= size;
        }
        long dataStart = headerStart + headerLength;
        long expectedBytes = count * Double.BYTES;
        if (bytes.length - dataStart != expectedBytes) {
            throw new IOException(file + " should hold " + count + " float64 values (" + expectedBytes + " bytes) after its header, but holds "
                    + (bytes.length - dataStart) + " bytes");
        }
        double[] values = new double[(int) count];
        buffer.position((int) dataStart);
        buffer.asDoubleBuffer().get(values);
        return new Array(shape, values);
    }

    private static String find(Pattern pattern, String header, String name, Path file) throws IOException {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new IOException(file + " has no '" + name + "' in its .npy header: " + header.strip());
        }
        return matcher.group(1);
    }

    private static int[] parseShape(String inside, Path file) throws IOException {
        String[] parts = inside.split(",");
        int count = 0;
        int[] sizes = new int[parts.length];
        for (String part : parts) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            try {
                sizes[count] = Integer.parseInt(trimmed);
            } catch (NumberFormatException notANumber) {
                throw new IOException(file + " has a .npy shape that is not a list of sizes: (" + inside + ")");
            }
            if (sizes[count] < 0) {
                throw new IOException(file + " has a negative size in its .npy shape: (" + inside + ")");
            }
            count++;
        }
        int[] shape = new int[count];
        System.arraycopy(sizes, 0, shape, 0, count);
        return shape;
    }

    private static void checkShape(int rows, int columns) {
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("a matrix needs at least one row and one column, got " + rows + "×" + columns);
        }
        if ((long) rows * columns > Integer.MAX_VALUE / Double.BYTES) {
            throw new IllegalArgumentException("a " + rows + "×" + columns + " matrix is too large for one .npy file here");
        }
    }
}
