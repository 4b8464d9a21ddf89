package org.stepwise.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the safetensors reader with random bytes and with valid files whose bytes are overwritten, cut short or
 * extended: opening and reading every tensor either succeeds or throws a {@link ModelFileException} naming the file,
 * never anything else; and whatever opens holds no tensor whose bytes are not inside the file, so reading never
 * allocates more values than the file has bytes.
 */
class SafetensorsFuzzProperties {

    private static Path directory;

    /** A valid file with tensors of every width: F64, F32, F16, BF16, I64, I32, BOOL and a scalar. */
    private static final byte[] VALID = RawSafetensors.file("{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[16,32]},"
            + "\"c\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[32,38]},"
            + "\"d\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[38,40]},"
            + "\"e\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[40,48]},"
            + "\"f\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[48,52]},"
            + "\"g\":{\"dtype\":\"BOOL\",\"shape\":[4],\"data_offsets\":[52,56]}}",
            RawSafetensors.concat(RawSafetensors.doubles(1.5, -2), RawSafetensors.floats(1, 2, 3, 4),
                    RawSafetensors.shorts(0x3C00, 0x7BFF, 0x0001), RawSafetensors.shorts(0x3F80),
                    RawSafetensors.longs(-7), RawSafetensors.ints(42), new byte[] {0, 1, 0, 1}));

    @BeforeContainer
    static void createDirectory() throws IOException {
        directory = Files.createTempDirectory("safetensors-fuzz");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @Property(tries = 300)
    void randomBytesAreRefusedClearly(@ForAll("randomFiles") byte[] bytes) throws IOException {
        readEverything(bytes);
    }

    @Property(tries = 500)
    void mutatedValidFilesOpenOrAreRefusedClearly(@ForAll("mutatedFiles") byte[] bytes) throws IOException {
        readEverything(bytes);
    }

    @Property(tries = 200)
    void randomHeadersOpenOrAreRefusedClearly(@ForAll("randomHeaders") String header,
            @ForAll("dataLengths") int dataLength) throws IOException {
        readEverything(RawSafetensors.file(header, new byte[dataLength]));
    }

    @Property(tries = 1)
    void theUnmutatedFileReads() throws IOException {
        assertEquals(7, readEverything(VALID));
    }

    /** Opens the file and reads every tensor; returns how many tensors it read (0 when it was refused). */
    private static int readEverything(byte[] bytes) throws IOException {
        Path file = directory.resolve("fuzz.safetensors");
        Files.write(file, bytes);
        try (Safetensors.Reader reader = Safetensors.open(file)) {
            long valueBytes = 0;
            for (Safetensors.TensorInfo info : reader.tensors().values()) {
                long size = (long) info.elementCount() * info.dtype().byteSize();
                assertEquals(info.end() - info.begin(), size, info.toString());
                valueBytes += size;
            }
            assertTrue(valueBytes <= bytes.length, "tensors claim " + valueBytes + " bytes of a "
                    + bytes.length + "-byte file");
            for (String name : reader.tensors().keySet()) {
                reader.read(name);
            }
            return reader.tensors().size();
        } catch (ModelFileException refused) {
            assertEquals(file, refused.file());
            assertTrue(refused.getMessage().startsWith(file + ": ") && !refused.problem().isBlank(),
                    refused.getMessage());
            return 0;
        } catch (RuntimeException | IOException other) {
            fail("expected a ModelFileException, got " + other, other);
            return -1;
        }
    }

    @Provide
    Arbitrary<byte[]> randomFiles() {
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        // a plausible header length in front of random bytes, so that more than the first check is reached
        Arbitrary<byte[]> withLength = Arbitraries.longs().between(0, 300).flatMap(length ->
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                        .map(rest -> RawSafetensors.concat(RawSafetensors.littleEndianLong(length), rest)));
        return Arbitraries.oneOf(noise, withLength);
    }

    @Provide
    Arbitrary<byte[]> mutatedFiles() {
        Arbitrary<byte[]> overwritten = Arbitraries.integers().between(0, VALID.length - 1).list().ofMinSize(1)
                .ofMaxSize(6).flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size())
                        .map(values -> overwrite(positions, values)));
        Arbitrary<byte[]> cut = Arbitraries.integers().between(0, VALID.length - 1)
                .map(length -> java.util.Arrays.copyOf(VALID, length));
        Arbitrary<byte[]> extended = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40)
                .map(extra -> RawSafetensors.concat(VALID, extra));
        Arbitrary<byte[]> digitChanged = Arbitraries.integers().between(8, VALID.length - 1)
                .filter(index -> Character.isDigit(VALID[index]))
                .flatMap(index -> Arbitraries.of("0", "9", "99999999999", "-1", "1.5", "", "1e30", "18446744073709551616")
                        .map(text -> replaceByte(index, text)));
        return Arbitraries.oneOf(overwritten, cut, extended, digitChanged);
    }

    @Provide
    Arbitrary<String> randomHeaders() {
        Arbitrary<String> dtype = Arbitraries.of("F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL",
                "Q4", "", "f32");
        Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.integers().between(-2, 70).map(String::valueOf),
                Arbitraries.of("2147483648", "9223372036854775807", "1e3", "null", "\"4\""));
        Arbitrary<String> shape = number.list().ofMaxSize(3).map(sizes -> sizes.toString());
        Arbitrary<String> entry = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(3)
                .flatMap(name -> Arbitraries.lazy(() -> Arbitraries.oneOf(
                        net.jqwik.api.Combinators.combine(dtype, shape, number, number).as((d, s, begin, end) ->
                                "\"" + name + "\":{\"dtype\":\"" + d + "\",\"shape\":" + s + ",\"data_offsets\":["
                                        + begin + "," + end + "]}"),
                        Arbitraries.just("\"" + name + "\":[]"),
                        Arbitraries.just("\"__metadata__\":{\"k\":" + "\"v\"}"))));
        return entry.list().ofMaxSize(4).map(entries -> "{" + String.join(",", entries) + "}");
    }

    @Provide
    Arbitrary<Integer> dataLengths() {
        return Arbitraries.integers().between(0, 80);
    }

    private static byte[] overwrite(List<Integer> positions, List<Byte> values) {
        byte[] bytes = VALID.clone();
        for (int i = 0; i < positions.size(); i++) {
            bytes[positions.get(i)] = values.get(i);
        }
        return bytes;
    }

    /** VALID with the byte at {@code index} replaced by {@code text}. */
    private static byte[] replaceByte(int index, String text) {
        return RawSafetensors.concat(java.util.Arrays.copyOf(VALID, index), text.getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOfRange(VALID, index + 1, VALID.length));
    }

}
