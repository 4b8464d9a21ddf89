package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stepwise.model.io.Safetensors.DType;
import org.stepwise.model.io.Safetensors.Tensor;
import org.stepwise.model.io.Safetensors.TensorInfo;

/** Safetensors round trips, exact decoding of every dtype from hand-made bytes, and a clear error for every broken file. */
class SafetensorsTest {

    @TempDir
    Path directory;

    private static final double[] SPECIAL = {0.0, -0.0, 1.0, -2.5, 0.1, Double.MIN_VALUE, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-40, 123456.789};

    private static Map<String, Tensor> sampleTensors(long seed) {
        Random random = new Random(seed);
        double[] matrix = new double[3 * 4];
        for (int i = 0; i < matrix.length; i++) {
            matrix[i] = random.nextGaussian();
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("h.0.attn.c_attn.weight", new Tensor(new int[] {3, 4}, matrix));
        tensors.put("special", new Tensor(new int[] {SPECIAL.length}, SPECIAL.clone()));
        tensors.put("scalar", new Tensor(new int[] {}, new double[] {-7.25}));
        tensors.put("empty", new Tensor(new int[] {0, 4}, new double[0]));
        tensors.put("a.bias", new Tensor(new int[] {2, 1, 2}, new double[] {1, 2, 3, 4}));
        return tensors;
    }

    @Test
    void float64RoundTripIsBitExactAndKeepsOrderAndMetadata() throws IOException {
        Path file = directory.resolve("weights.safetensors");
        Map<String, Tensor> tensors = sampleTensors(1);
        Map<String, String> metadata = Map.of("step", "1200", "note", "größer als 2 × 2");
        Safetensors.write(file, tensors, DType.F64, metadata);

        Safetensors.Contents contents = Safetensors.read(file);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(contents.tensors().keySet()));
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            Tensor read = contents.tensors().get(entry.getKey());
            assertArrayEquals(entry.getValue().shape(), read.shape(), entry.getKey());
            for (int i = 0; i < read.values().length; i++) {
                assertEquals(Double.doubleToRawLongBits(entry.getValue().values()[i]),
                        Double.doubleToRawLongBits(read.values()[i]), entry.getKey() + "[" + i + "]");
            }
        }
        assertEquals(metadata, contents.metadata());

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        long values = tensors.values().stream().mapToLong(tensor -> tensor.values().length).sum();
        assertEquals(8 + headerLength + 8 * values, bytes.length);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
        assertTrue(header.contains("\"h.0.attn.c_attn.weight\":{\"dtype\":\"F64\",\"shape\":[3,4],\"data_offsets\":[0,96]}"),
                header);

        try (Safetensors.Reader reader = Safetensors.open(file)) {
            long expectedBegin = 0;
            for (TensorInfo info : reader.tensors().values()) {
                assertEquals(expectedBegin, info.begin(), "packed in the given order: " + info);
                expectedBegin = info.end();
            }
        }
    }

    @Test
    void float32RoundTripGivesTheFloatRoundedValues() throws IOException {
        Path file = directory.resolve("weights32.safetensors");
        Map<String, Tensor> tensors = sampleTensors(2);
        tensors.remove("special");
        tensors.put("special", new Tensor(new int[] {SPECIAL.length - 1}, java.util.Arrays.stream(SPECIAL)
                .filter(value -> value != Double.MAX_VALUE).toArray()));
        Safetensors.write(file, tensors, DType.F32, null);

        Safetensors.Contents contents = Safetensors.read(file);
        assertEquals(Map.of(), contents.metadata());
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            double[] written = entry.getValue().values();
            double[] read = contents.tensors().get(entry.getKey()).values();
            assertEquals(written.length, read.length);
            for (int i = 0; i < read.length; i++) {
                assertEquals(Double.doubleToRawLongBits((double) (float) written[i]), Double.doubleToRawLongBits(read[i]),
                        entry.getKey() + "[" + i + "]");
            }
        }
        assertEquals(0.1f, (float) contents.tensors().get("special").values()[4]);
        assertTrue(0.1 != contents.tensors().get("special").values()[4], "0.1 is not a float: it was rounded");
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            assertEquals(DType.F32, reader.tensors().get("special").dtype());
        }
    }

    @Test
    void float32OverflowHalfWayKeepsTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = directory.resolve("model.safetensors");
        Safetensors.write(file, sampleTensors(3), DType.F64, Map.of("step", "1"));
        byte[] old = Files.readAllBytes(file);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        double[] large = new double[100_000];   // 400 kB: already streamed to the temporary file when the failure comes
        java.util.Arrays.fill(large, 0.5);
        tensors.put("first", new Tensor(new int[] {large.length}, large));
        tensors.put("second", new Tensor(new int[] {3}, new double[] {1.0, 1e300, 2.0}));
        IllegalArgumentException failure = assertThrows(IllegalArgumentException.class,
                () -> Safetensors.write(file, tensors, DType.F32, Map.of("step", "2")));
        assertTrue(failure.getMessage().contains("second") && failure.getMessage().contains("F64"), failure.getMessage());

        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(Map.of("step", "1"), Safetensors.read(file).metadata());
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of("model.safetensors"),
                    files.map(path -> path.getFileName().toString()).collect(Collectors.toList()));
        }
    }

    @Test
    void float16DecodesKnownBitPatternsExactly() throws IOException {
        int[] bits = {0x3C00, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x8000, 0xC000, 0x3555, 0x8001,
                0x0000, 0x3800};
        double[] expected = {1.0, Math.pow(2, -24), 1023 * Math.pow(2, -24), Math.pow(2, -14), 65504.0,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, -0.0, -2.0, 0.333251953125,
                -Math.pow(2, -24), 0.0, 0.5};
        Path file = directory.resolve("half.safetensors");
        Files.write(file, RawSafetensors.file("{\"x\":{\"dtype\":\"F16\",\"shape\":[2,7],\"data_offsets\":[0,28]}}",
                RawSafetensors.shorts(bits)));
        double[] read = Safetensors.read(file).tensors().get("x").values();
        for (int i = 0; i < bits.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(read[i]),
                    String.format("0x%04X → %s, read %s", bits[i], expected[i], read[i]));
            assertEquals(Double.doubleToLongBits(expected[i]),
                    Double.doubleToLongBits(Safetensors.halfToDouble((short) bits[i])));
        }
    }

    @Test
    void float16AgreesWithTheDefinitionForEveryBitPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int sign = bits >> 15;
            int exponent = (bits >> 10) & 0x1F;
            int fraction = bits & 0x3FF;
            double expected;
            if (exponent == 0x1F) {
                expected = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
            } else if (exponent == 0) {
                expected = fraction / 1024.0 * Math.pow(2, -14);
            } else {
                expected = (1 + fraction / 1024.0) * Math.pow(2, exponent - 15);
            }
            if (sign == 1) {
                expected = -expected;
            }
            assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(Safetensors.halfToDouble((short) bits)),
                    String.format("0x%04X", bits));
        }
    }

    @Test
    void bfloat16DecodesKnownBitPatternsExactly() throws IOException {
        int[] bits = {0x3F80, 0xC000, 0x7F80, 0xFF80, 0x7FC0, 0x0001, 0x4049, 0x8000, 0x3E80};
        double[] expected = {1.0, -2.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
                Math.pow(2, -133), 3.140625, -0.0, 0.25};
        Path file = directory.resolve("brain.safetensors");
        Files.write(file, RawSafetensors.file("{\"y\":{\"dtype\":\"BF16\",\"shape\":[9],\"data_offsets\":[0,18]}}",
                RawSafetensors.shorts(bits)));
        double[] read = Safetensors.read(file).tensors().get("y").values();
        for (int i = 0; i < bits.length; i++) {
            assertEquals(Double.doubleToLongBits(expected[i]), Double.doubleToLongBits(read[i]),
                    String.format("0x%04X → %s, read %s", bits[i], expected[i], read[i]));
        }
    }

    @Test
    void integersDecodeExactlyAndAnInexactI64IsRefused() throws IOException {
        long twoTo53 = 1L << 53;
        Path file = directory.resolve("ints.safetensors");
        Files.write(file, RawSafetensors.file(
                "{\"i\":{\"dtype\":\"I32\",\"shape\":[3],\"data_offsets\":[0,12]},"
                        + "\"l\":{\"dtype\":\"I64\",\"shape\":[4],\"data_offsets\":[12,44]}}",
                RawSafetensors.concat(RawSafetensors.ints(-1, Integer.MAX_VALUE, Integer.MIN_VALUE),
                        RawSafetensors.longs(twoTo53, -twoTo53, 1L << 62, Long.MIN_VALUE))));
        Safetensors.Contents contents = Safetensors.read(file);
        assertArrayEquals(new double[] {-1, Integer.MAX_VALUE, Integer.MIN_VALUE}, contents.tensors().get("i").values());
        assertArrayEquals(new double[] {twoTo53, -twoTo53, Math.pow(2, 62), -Math.pow(2, 63)},
                contents.tensors().get("l").values());

        Path inexact = directory.resolve("inexact.safetensors");
        Files.write(inexact, RawSafetensors.file("{\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}",
                RawSafetensors.longs(5, twoTo53 + 1)));
        ModelFileException failure = assertThrows(ModelFileException.class, () -> Safetensors.read(inexact));
        assertTrue(failure.getMessage().contains("inexact.safetensors") && failure.getMessage().contains("9007199254740993"),
                failure.getMessage());
    }

    @Test
    void readsAFileLaidOutLikePythonSafetensors() throws IOException {
        // Python's safetensors puts the larger dtype first in the buffer, so header order and buffer order differ;
        // metadata comes first and the header is padded with spaces.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"h.0.attn.c_attn.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[16,28]},"
                + "\"wte.weight\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,16]}}" + " ".repeat(13);
        byte[] data = RawSafetensors.concat(RawSafetensors.doubles(0.125, -3.0), RawSafetensors.floats(1.5f, -0.25f, 7f));
        Path file = directory.resolve("python.safetensors");
        Files.write(file, RawSafetensors.file(header, data));

        Safetensors.Contents contents = Safetensors.read(file);
        assertEquals(Map.of("format", "pt"), contents.metadata());
        assertEquals(List.of("h.0.attn.c_attn.bias", "wte.weight"), List.copyOf(contents.tensors().keySet()));
        assertEquals(new Tensor(new int[] {1, 2}, new double[] {0.125, -3.0}), contents.tensors().get("wte.weight"));
        assertEquals(new Tensor(new int[] {3}, new double[] {1.5, -0.25, 7.0}), contents.tensors().get("h.0.attn.c_attn.bias"));
    }

    @Test
    void tensorsLongerThanTheReadBufferAreReadWhole() throws IOException {
        int halfCount = 70_001;       // 140 002 bytes: crosses the 64 kB read buffer twice, odd length
        int floatCount = 33_333;
        int[] halfBits = new int[halfCount];
        float[] floats = new float[floatCount];
        for (int i = 0; i < halfCount; i++) {
            halfBits[i] = i % 0x7C00;          // every finite positive half, in order
        }
        for (int i = 0; i < floatCount; i++) {
            floats[i] = i * 0.5f - 1000f;
        }
        long halfEnd = 2L * halfCount;
        String header = "{\"halves\":{\"dtype\":\"F16\",\"shape\":[" + halfCount + "],\"data_offsets\":[0," + halfEnd + "]},"
                + "\"floats\":{\"dtype\":\"F32\",\"shape\":[" + floatCount + "],\"data_offsets\":[" + halfEnd + ","
                + (halfEnd + 4L * floatCount) + "]}}";
        Path file = directory.resolve("long.safetensors");
        Files.write(file, RawSafetensors.file(header, RawSafetensors.concat(RawSafetensors.shorts(halfBits),
                RawSafetensors.floats(floats))));

        Safetensors.Contents contents = Safetensors.read(file);
        double[] halves = contents.tensors().get("halves").values();
        for (int i = 0; i < halfCount; i++) {
            assertEquals(Safetensors.halfToDouble((short) halfBits[i]), halves[i], "halves[" + i + "]");
        }
        double[] readFloats = contents.tensors().get("floats").values();
        for (int i = 0; i < floatCount; i++) {
            assertEquals(floats[i], readFloats[i], "floats[" + i + "]");
        }
    }

    @Test
    void readIntoFillsTheStartOfALargerArray() throws IOException {
        Path file = directory.resolve("into.safetensors");
        Safetensors.write(file, sampleTensors(4), DType.F64, null);
        double[] target = new double[20];
        java.util.Arrays.fill(target, 9.0);
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            reader.readInto("a.bias", target);
            assertThrows(IllegalArgumentException.class, () -> reader.readInto("h.0.attn.c_attn.weight", new double[11]));
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> reader.read("nope"));
            assertTrue(unknown.getMessage().contains("nope"), unknown.getMessage());
        }
        assertArrayEquals(new double[] {1, 2, 3, 4, 9, 9}, java.util.Arrays.copyOf(target, 6));
    }

    @Test
    void aFileCutShortAfterOpeningIsReportedAsTruncated() throws IOException {
        Path file = directory.resolve("shrinking.safetensors");
        Safetensors.write(file, sampleTensors(5), DType.F64, null);
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 5);
            }
            ModelFileException failure = assertThrows(ModelFileException.class, () -> reader.read("a.bias"));
            assertTrue(failure.getMessage().contains("shrinking.safetensors") && failure.getMessage().contains("truncated"),
                    failure.getMessage());
        }
    }

    @Test
    void missingFileIsAnIOExceptionNamingIt() {
        Path file = directory.resolve("absent.safetensors");
        NoSuchFileException failure = assertThrows(NoSuchFileException.class, () -> Safetensors.read(file));
        assertTrue(failure.getMessage().contains("absent.safetensors"));
    }

    @Test
    void badArgumentsToWriteAreRefusedBeforeAnythingIsWritten() {
        Path file = directory.resolve("never.safetensors");
        Tensor one = new Tensor(new int[] {1}, new double[] {1});
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of("__metadata__", one), DType.F64, null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of("", one), DType.F64, null));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, Map.of("x", one), DType.F16, null));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 2}, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {-1}, new double[0]));
        assertTrue(Files.notExists(file));
    }

    static Stream<Arguments> brokenFiles() {
        byte[] twelveBytes = new byte[12];
        String f32Pair = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of("empty", new byte[0], "only 0 bytes"));
        cases.add(Arguments.of("five-bytes", new byte[] {1, 2, 3, 4, 5}, "only 5 bytes"));
        cases.add(Arguments.of("length-beyond-file", RawSafetensors.concat(RawSafetensors.littleEndianLong(1000),
                "{}".getBytes(StandardCharsets.UTF_8)), "header length 1000 goes beyond the end of the file (10 bytes)"));
        cases.add(Arguments.of("length-negative", RawSafetensors.concat(RawSafetensors.littleEndianLong(-1), new byte[8]),
                "header length 18446744073709551615 goes beyond"));
        cases.add(Arguments.of("length-zero", RawSafetensors.littleEndianLong(0), "header is empty"));
        cases.add(Arguments.of("not-json", RawSafetensors.file("{\"a\": ", new byte[0]), "not valid JSON"));
        cases.add(Arguments.of("trailing-text", RawSafetensors.file("{} x", new byte[0]), "not valid JSON"));
        cases.add(Arguments.of("json-array", RawSafetensors.file("[1, 2]", new byte[0]), "not an object"));
        cases.add(Arguments.of("not-utf8", RawSafetensors.concat(RawSafetensors.littleEndianLong(4),
                new byte[] {'{', (byte) 0xFF, '}', ' '}), "not valid UTF-8"));
        cases.add(Arguments.of("duplicate-name", RawSafetensors.file("{\"a\":" + f32Pair + "[0,8]},\"a\":" + f32Pair
                + "[0,8]}}", new byte[8]), "Duplicate field 'a'"));
        cases.add(Arguments.of("unknown-dtype", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,1]}}", new byte[1]), "dtype \"Q4\""));
        cases.add(Arguments.of("no-dtype", RawSafetensors.file(
                "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]), "no dtype"));
        cases.add(Arguments.of("no-shape", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", new byte[8]), "no shape"));
        cases.add(Arguments.of("fractional-shape", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}", new byte[8]), "shape [1.5]"));
        cases.add(Arguments.of("negative-shape", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]), "shape [-2]"));
        cases.add(Arguments.of("huge-shape", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2000000000,2000000000,4],\"data_offsets\":[0,8]}}", new byte[8]),
                "too many values"));
        cases.add(Arguments.of("shape-offset-mismatch", RawSafetensors.file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", twelveBytes),
                "needs 16 bytes, but its data_offsets [0, 12] span 12 bytes"));
        cases.add(Arguments.of("offsets-outside-buffer", RawSafetensors.file("{\"a\":" + f32Pair + "[8,16]}}", new byte[8]),
                "reach past the end of the data buffer (8 bytes)"));
        cases.add(Arguments.of("offsets-backwards", RawSafetensors.file("{\"a\":" + f32Pair + "[8,0]}}", new byte[8]),
                "end before they begin"));
        cases.add(Arguments.of("offset-negative", RawSafetensors.file("{\"a\":" + f32Pair + "[-4,4]}}", new byte[8]),
                "data_offsets"));
        cases.add(Arguments.of("offsets-one-number", RawSafetensors.file("{\"a\":" + f32Pair + "[8]}}", new byte[8]),
                "data_offsets"));
        cases.add(Arguments.of("overlap", RawSafetensors.file("{\"a\":" + f32Pair + "[0,8]},\"b\":" + f32Pair + "[4,12]}}",
                twelveBytes), "overlap"));
        cases.add(Arguments.of("truncated-data", RawSafetensors.file(
                "{\"w\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", new byte[29]), "truncated"));
        cases.add(Arguments.of("metadata-number", RawSafetensors.file("{\"__metadata__\":{\"step\":12}}", new byte[0]),
                "\"step\" must be a string"));
        cases.add(Arguments.of("metadata-not-object", RawSafetensors.file("{\"__metadata__\":\"pt\"}", new byte[0]),
                "__metadata__ must be an object"));
        cases.add(Arguments.of("entry-not-object", RawSafetensors.file("{\"a\":3}", new byte[0]),
                "tensor \"a\" should be described by an object"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void everyBrokenFileIsAnIOExceptionNamingTheFileAndTheProblem(String name, byte[] bytes, String problem)
            throws IOException {
        Path file = directory.resolve("broken-" + name + ".safetensors");
        Files.write(file, bytes);
        IOException failure = assertThrows(IOException.class, () -> Safetensors.read(file));
        String message = failure.getMessage();
        assertTrue(message.startsWith(file.toString() + ": "), message);
        assertTrue(message.contains(problem), "expected \"" + problem + "\" in: " + message);
        try {
            Safetensors.open(file).close();
        } catch (ModelFileException expected) {
            assertEquals(file, expected.file());
        }
    }
}
