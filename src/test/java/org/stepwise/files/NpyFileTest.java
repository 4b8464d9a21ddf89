package org.stepwise.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .npy} files the app writes follow the NumPy format spec (version 1.0) byte for byte and read back to
 * the same doubles; a file written by NumPy itself reads to the values NumPy was given.
 */
class NpyFileTest {

    /** The values of {@code fixtures/npy/matrix_3x4.npy}, which NumPy 2.4 wrote with (from the repository root):
     * {@code python3 -c "import numpy as np; np.save('src/test/resources/fixtures/npy/matrix_3x4.npy', np.array([[0.0, -1.5, 1e-300, 3.141592653589793], [2.0**-1074, -0.0, 1.7976931348623157e308, 1/3], [np.inf, -np.inf, 123456789.125, -2.5e-8]], dtype='<f8'))"} */
    private static final double[] FIXTURE_VALUES = {
            0.0, -1.5, 1e-300, 3.141592653589793,
            Double.MIN_VALUE, -0.0, Double.MAX_VALUE, 1.0 / 3,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 123456789.125, -2.5e-8};

    @TempDir
    Path directory;

    @Test
    void headerFollowsTheFormatSpecByteForByte() {
        byte[] header = NpyFile.header(2, 3);
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        assertEquals(128, header.length, "10 preamble bytes + 118 header bytes: the data starts at 128, a multiple of 64");
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, java.util.Arrays.copyOf(header, 8));
        assertEquals(118, (header[8] & 0xff) | (header[9] & 0xff) << 8, "header length, little-endian uint16");
        String text = new String(header, 10, 118, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith(dict), text);
        assertEquals(" ".repeat(118 - dict.length() - 1) + "\n", text.substring(dict.length()));
    }

    @Test
    void headerOfEveryShapeEndsOnA64ByteBoundaryWithANewline() {
        for (int[] shape : new int[][] {{1, 1}, {5, 16}, {12, 50257}, {1024, 3072}, {99999, 99}}) {
            byte[] header = NpyFile.header(shape[0], shape[1]);
            assertEquals(0, header.length % 64, "shape " + shape[0] + "×" + shape[1]);
            assertEquals('\n', header[header.length - 1]);
            assertEquals(header.length - 10, (header[8] & 0xff) | (header[9] & 0xff) << 8);
        }
    }

    @Test
    void headerMatchesTheOneNumpyWrote() throws IOException {
        byte[] numpyFile = fixtureBytes();
        byte[] ours = NpyFile.header(3, 4);
        assertArrayEquals(java.util.Arrays.copyOf(numpyFile, ours.length), ours);
    }

    @Test
    void wholeFileMatchesTheOneNumpyWrote() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyFile.write(out, 3, 4, FIXTURE_VALUES);
        assertArrayEquals(fixtureBytes(), out.toByteArray());
    }

    @Test
    void readsTheFileNumpyWrote() throws IOException {
        Path file = directory.resolve("matrix_3x4.npy");
        Files.write(file, fixtureBytes());
        NpyFile.Array array = NpyFile.read(file);
        assertArrayEquals(new int[] {3, 4}, array.shape());
        assertEquals(FIXTURE_VALUES.length, array.values().length);
        for (int i = 0; i < FIXTURE_VALUES.length; i++) {
            assertEquals(Double.doubleToRawLongBits(FIXTURE_VALUES[i]), Double.doubleToRawLongBits(array.values()[i]),
                    "value " + i);
        }
    }

    @Test
    void writtenFileReadsBackToTheSameBits() throws IOException {
        Random random = new Random(7);
        int rows = 7;
        int columns = 13;
        double[] values = new double[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
        }
        values[5] = Double.NaN;
        Path file = directory.resolve("random.npy");
        NpyFile.write(file, rows, columns, values);
        NpyFile.Array array = NpyFile.read(file);
        assertArrayEquals(new int[] {rows, columns}, array.shape());
        for (int i = 0; i < values.length; i++) {
            assertEquals(Double.doubleToRawLongBits(values[i]), Double.doubleToRawLongBits(array.values()[i]), "value " + i);
        }
        assertEquals(NpyFile.header(rows, columns).length + 8L * rows * columns, Files.size(file));
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(values[columns + 2], data.getDouble(NpyFile.header(rows, columns).length + 8 * (columns + 2)),
                "row 1, column 2 sits where C order puts it");
    }

    @Test
    void badInputIsRefusedWithAClearMessage() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> NpyFile.header(0, 3));
        assertThrows(IllegalArgumentException.class, () -> NpyFile.write(new ByteArrayOutputStream(), 2, 2, new double[3]));
        Path notNpy = directory.resolve("text.npy");
        Files.writeString(notNpy, "hello, this is not numpy");
        IOException wrongMagic = assertThrows(IOException.class, () -> NpyFile.read(notNpy));
        assertTrue(wrongMagic.getMessage().contains("NUMPY"), wrongMagic.getMessage());
        Path truncated = directory.resolve("short.npy");
        byte[] whole = fixtureBytes();
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 8));
        IOException shortData = assertThrows(IOException.class, () -> NpyFile.read(truncated));
        assertTrue(shortData.getMessage().contains("12 float64 values"), shortData.getMessage());
        Path float32 = directory.resolve("float32.npy");
        Files.write(float32, new String(whole, StandardCharsets.ISO_8859_1).replace("<f8", "<f4")
                .getBytes(StandardCharsets.ISO_8859_1));
        IOException wrongType = assertThrows(IOException.class, () -> NpyFile.read(float32));
        assertTrue(wrongType.getMessage().contains("<f4"), wrongType.getMessage());
    }

    private static byte[] fixtureBytes() throws IOException {
        try (InputStream in = NpyFileTest.class.getResourceAsStream("/fixtures/npy/matrix_3x4.npy")) {
            if (in == null) {
                throw new IOException("the fixture fixtures/npy/matrix_3x4.npy is missing from the test resources");
            }
            return in.readAllBytes();
        }
    }
}
