package org.stepwise.model.io;

import org.stepwise.files.AtomicFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and writes safetensors files, the plain tensor container of Hugging Face checkpoints
 * ({@code model.safetensors}).
 *
 * <p>A file is: 8 bytes holding the header length N (unsigned, little-endian); N bytes of UTF-8 JSON, possibly
 * padded with trailing spaces,
 * <pre>{"__metadata__": {"format": "pt"},
 *  "wte.weight": {"dtype": "F32", "shape": [50257, 768], "data_offsets": [0, 154389504]}, ...}</pre>
 * and then the data buffer. Each tensor's values lie row-major and little-endian in
 * {@code [begin, end)} of the data buffer (offsets count from the buffer's first byte, not the file's).
 *
 * <p>Reading turns F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL values into doubles, exactly (every value of
 * those types is a double, except I64 values beyond 2^53 that are not, which are refused; BOOL reads as 0 or 1). The
 * integer and BOOL types appear in checkpoints as buffers such as GPT-2's attention mask. It reads the header first, checks every
 * entry against the file, and then streams each tensor's bytes through one small reused buffer straight into its
 * {@code double[]}, so loading a large file costs its doubles and nothing more. Writing stores F64 or F32 and is
 * atomic (see {@link AtomicFiles}). Every problem with a file is a {@link ModelFileException} naming the file.
 */
public final class Safetensors {

    /** Largest header accepted, the limit of the reference implementation. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The header key that holds the string-to-string metadata rather than a tensor. */
    public static final String METADATA_KEY = "__metadata__";

    private static final int CHUNK_BYTES = 1 << 16;
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final long LARGEST_EXACT_LONG = 1L << 53;
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Safetensors() {
    }

    /** Element types this class understands, with their names in the header and their sizes. */
    public enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        private final int byteSize;

        DType(int byteSize) {
            this.byteSize = byteSize;
        }

        /** Bytes per element. */
        public int byteSize() {
            return byteSize;
        }

        /** The type named {@code name} in a header, or null when this class does not know it. */
        static DType fromHeaderName(String name) {
            for (DType type : values()) {
                if (type.name().equals(name)) {
                    return type;
                }
            }
            return null;
        }
    }

    /**
     * One header entry: where a tensor's bytes lie in the data buffer.
     *
     * @param begin first byte, counted from the start of the data buffer
     * @param end   one past the last byte
     */
    public record TensorInfo(String name, DType dtype, int[] shape, long begin, long end) {

        /** Number of values (1 for a scalar of shape []). */
        public int elementCount() {
            return (int) Tensor.elementCount(shape);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof TensorInfo that && name.equals(that.name) && dtype == that.dtype
                    && Arrays.equals(shape, that.shape) && begin == that.begin && end == that.end;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + " " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
        }
    }

    /**
     * A tensor's shape and its values in row-major order. The arrays are shared, not copied.
     *
     * @param shape  sizes of the dimensions, outermost first; [] is a scalar
     * @param values exactly as many values as the shape holds
     */
    public record Tensor(int[] shape, double[] values) {

        public Tensor {
            if (shape == null || values == null) {
                throw new IllegalArgumentException("a tensor needs a shape and values");
            }
            long count = elementCount(shape);
            if (count != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                        + " values, but " + values.length + " were given");
            }
        }

        /** Product of the dimensions; throws on negative sizes or when the product does not fit a long. */
        public static long elementCount(int[] shape) {
            long count = 1;
            for (int size : shape) {
                if (size < 0) {
                    throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
                }
                count = Math.multiplyExact(count, size);
            }
            return count;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tensor that && Arrays.equals(shape, that.shape) && Arrays.equals(values, that.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shape) * 31 + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape) + " (" + values.length + " values)";
        }
    }

    /** A whole file: tensors in header order, and the metadata (empty when the file has none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /** Reads every tensor and the metadata of {@code file}. */
    public static Contents read(Path file) throws IOException {
        try (Reader reader = open(file)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : reader.tensors().keySet()) {
                tensors.put(name, reader.read(name));
            }
            return new Contents(Collections.unmodifiableMap(tensors), reader.metadata());
        }
    }

    /**
     * Opens {@code file} and checks its header (lengths, JSON, dtypes, shapes against offsets, offsets inside the
     * data buffer and not overlapping); the tensors are read later, one at a time, with {@link Reader#read}.
     */
    public static Reader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new Reader(file, channel);
        } catch (Throwable failure) {
            try {
                channel.close();
            } catch (IOException closeFailure) {
                failure.addSuppressed(closeFailure);
            }
            throw failure;
        }
    }

    /**
     * An open safetensors file whose header has been checked. Reads tensors on demand into doubles. Not safe for
     * use by several threads at once (it reuses one byte buffer).
     */
    public static final class Reader implements Closeable {

        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, TensorInfo> tensors;
        private final Map<String, String> metadata;
        private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);

        private Reader(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw problem("the file is only " + fileSize + " bytes long, shorter than the 8-byte header length"
                        + " every safetensors file starts with");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lengthBytes, 0, "the header length");
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > fileSize - 8) {
                throw problem("the header length " + Long.toUnsignedString(headerLength)
                        + " goes beyond the end of the file (" + fileSize + " bytes); this is not a safetensors file"
                        + " or it is truncated");
            }
            if (headerLength > MAX_HEADER_BYTES) {
                throw problem("the header length " + headerLength + " is larger than the " + MAX_HEADER_BYTES
                        + " bytes a safetensors header may have");
            }
            if (headerLength == 0) {
                throw problem("the header is empty; it should be a JSON object");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(headerBytes, 8, "the header");
            this.dataStart = 8 + headerLength;
            long dataLength = fileSize - dataStart;

            JsonNode root = parseHeader(headerBytes.flip());
            Map<String, TensorInfo> infos = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : root.properties()) {
                if (METADATA_KEY.equals(entry.getKey())) {
                    parseMetadata(entry.getValue(), meta);
                } else {
                    infos.put(entry.getKey(), parseTensorInfo(entry.getKey(), entry.getValue(), dataLength));
                }
            }
            checkNoOverlap(infos.values());
            this.tensors = Collections.unmodifiableMap(infos);
            this.metadata = Collections.unmodifiableMap(meta);
        }

        public Path file() {
            return file;
        }

        /** Header entries by name, in header order (the metadata entry is not among them). */
        public Map<String, TensorInfo> tensors() {
            return tensors;
        }

        /** The {@code __metadata__} entries; empty when the file has none. */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** Reads the tensor {@code name} into a new array of doubles. */
        public Tensor read(String name) throws IOException {
            TensorInfo info = info(name);
            double[] values = new double[info.elementCount()];
            readInto(name, values);
            return new Tensor(info.shape().clone(), values);
        }

        /**
         * Reads the values of tensor {@code name}, row-major, into the start of {@code target} (Modified.), which
         * must have room for all of them; entries past them are Not modified.
         */
        public void readInto(String name, double[] target) throws IOException {
            TensorInfo info = info(name);
            int count = info.elementCount();
            if (target.length < count) {
                throw new IllegalArgumentException("tensor " + name + " has " + count + " values, but the target"
                        + " array holds only " + target.length);
            }
            int elementBytes = info.dtype().byteSize();
            int perChunk = CHUNK_BYTES / elementBytes;
            long position = dataStart + info.begin();
            int done = 0;
            while (done < count) {
                int batch = Math.min(perChunk, count - done);
                chunk.clear().limit(batch * elementBytes);
                readFully(chunk, position, "the data of tensor \"" + name + "\"");
                decode(info, done, batch, target);
                position += (long) batch * elementBytes;
                done += batch;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        private TensorInfo info(String name) {
            TensorInfo info = tensors.get(name);
            if (info == null) {
                throw new IllegalArgumentException(file + " has no tensor named \"" + name + "\"");
            }
            return info;
        }

        /** Converts the {@code batch} elements in the chunk into {@code target[first .. first + batch)}. */
        private void decode(TensorInfo info, int first, int batch, double[] target) throws ModelFileException {
            switch (info.dtype()) {
                case F64 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.getDouble(8 * i);
                    }
                }
                case F32 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.getFloat(4 * i);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = halfToDouble(chunk.getShort(2 * i));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = bfloat16ToDouble(chunk.getShort(2 * i));
                    }
                }
                case I32 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.getInt(4 * i);
                    }
                }
                case I16 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.getShort(2 * i);
                    }
                }
                case I8 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.get(i);
                    }
                }
                case U8 -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.get(i) & 0xFF;
                    }
                }
                case BOOL -> {
                    for (int i = 0; i < batch; i++) {
                        target[first + i] = chunk.get(i) == 0 ? 0.0 : 1.0;
                    }
                }
                case I64 -> {
                    for (int i = 0; i < batch; i++) {
                        long value = chunk.getLong(8 * i);
                        if (!isExactDouble(value)) {
                            throw problem("tensor \"" + info.name() + "\" holds the I64 value " + value + " at index "
                                    + (first + i) + ", which a double cannot represent exactly");
                        }
                        target[first + i] = value;
                    }
                }
            }
        }

        /** Fills {@code buffer} from its position to its limit with file bytes starting at {@code position}. */
        private void readFully(ByteBuffer buffer, long position, String what) throws IOException {
            long at = position;
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, at);
                if (read < 0) {
                    throw problem(what + " is cut off at byte " + at + " of the file: the file is truncated");
                }
                at += read;
            }
        }

        private JsonNode parseHeader(ByteBuffer headerBytes) throws ModelFileException {
            CharBuffer text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(headerBytes);
            } catch (CharacterCodingException badText) {
                throw problem("the header is not valid UTF-8 text (bad bytes at byte " + headerBytes.position()
                        + " of the header)", badText);
            }
            JsonNode root;
            try {
                root = JSON.readTree(text.toString());
            } catch (JsonProcessingException jsonError) {
                throw problem("the header is not valid JSON: " + jsonError.getOriginalMessage() + " (line "
                        + jsonError.getLocation().getLineNr() + ", column " + jsonError.getLocation().getColumnNr()
                        + ")", jsonError);
            }
            if (root == null || !root.isObject()) {
                throw problem("the header is JSON but not an object of tensors (it is "
                        + (root == null ? "empty" : describe(root)) + ")");
            }
            return root;
        }

        private void parseMetadata(JsonNode node, Map<String, String> into) throws ModelFileException {
            if (!node.isObject()) {
                throw problem(METADATA_KEY + " must be an object of strings, but it is " + describe(node));
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                if (!entry.getValue().isTextual()) {
                    throw problem(METADATA_KEY + " entry \"" + entry.getKey() + "\" must be a string, but it is "
                            + describe(entry.getValue()));
                }
                into.put(entry.getKey(), entry.getValue().textValue());
            }
        }

        private TensorInfo parseTensorInfo(String name, JsonNode node, long dataLength) throws ModelFileException {
            String where = "tensor \"" + name + "\"";
            if (!node.isObject()) {
                throw problem(where + " should be described by an object with dtype, shape and data_offsets, but it is "
                        + describe(node));
            }
            JsonNode dtypeNode = node.get("dtype");
            if (dtypeNode == null || !dtypeNode.isTextual()) {
                throw problem(where + " has no dtype string");
            }
            DType dtype = DType.fromHeaderName(dtypeNode.textValue());
            if (dtype == null) {
                throw problem(where + " has dtype \"" + dtypeNode.textValue() + "\", which is unknown here (supported: "
                        + Arrays.toString(DType.values()) + ")");
            }

            JsonNode shapeNode = node.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw problem(where + " has no shape array");
            }
            int[] shape = new int[shapeNode.size()];
            for (int d = 0; d < shape.length; d++) {
                JsonNode size = shapeNode.get(d);
                if (!size.isIntegralNumber() || !size.canConvertToInt() || size.intValue() < 0) {
                    throw problem(where + " has shape " + shapeNode + ", whose sizes are not all whole numbers from 0"
                            + " to " + Integer.MAX_VALUE);
                }
                shape[d] = size.intValue();
            }
            long count;
            try {
                count = Tensor.elementCount(shape);
            } catch (ArithmeticException overflow) {
                count = Long.MAX_VALUE;
            }
            if (count > MAX_ELEMENTS) {
                throw problem(where + " has shape " + Arrays.toString(shape) + ", too many values for one array");
            }

            JsonNode offsetsNode = node.get("data_offsets");
            if (offsetsNode == null || !offsetsNode.isArray() || offsetsNode.size() != 2
                    || !isByteOffset(offsetsNode.get(0)) || !isByteOffset(offsetsNode.get(1))) {
                throw problem(where + " needs data_offsets [begin, end] of two whole numbers of at least 0, but has "
                        + offsetsNode);
            }
            long begin = offsetsNode.get(0).longValue();
            long end = offsetsNode.get(1).longValue();
            if (end < begin) {
                throw problem(where + " has data_offsets [" + begin + ", " + end + "] that end before they begin");
            }
            long needed = count * dtype.byteSize();
            if (end - begin != needed) {
                throw problem(where + " has shape " + Arrays.toString(shape) + " of " + dtype + ", which needs "
                        + needed + " bytes, but its data_offsets [" + begin + ", " + end + "] span " + (end - begin)
                        + " bytes");
            }
            if (end > dataLength) {
                throw problem(where + " has data_offsets [" + begin + ", " + end + "] that reach past the end of the"
                        + " data buffer (" + dataLength + " bytes): the file is truncated or the offsets are wrong");
            }
            return new TensorInfo(name, dtype, shape, begin, end);
        }

        private void checkNoOverlap(Collection<TensorInfo> infos) throws ModelFileException {
            List<TensorInfo> byBegin = new ArrayList<>();
            for (TensorInfo info : infos) {
                if (info.end() > info.begin()) {
                    byBegin.add(info);
                }
            }
            byBegin.sort(Comparator.comparingLong(TensorInfo::begin));
            for (int i = 1; i < byBegin.size(); i++) {
                TensorInfo previous = byBegin.get(i - 1);
                TensorInfo current = byBegin.get(i);
                if (current.begin() < previous.end()) {
                    throw problem("tensors \"" + previous.name() + "\" [" + previous.begin() + ", " + previous.end()
                            + ") and \"" + current.name() + "\" [" + current.begin() + ", " + current.end()
                            + ") overlap in the data buffer");
                }
            }
        }

        private ModelFileException problem(String message) {
            return new ModelFileException(file, message);
        }

        private ModelFileException problem(String message, Throwable cause) {
            return new ModelFileException(file, message, cause);
        }
    }

    /**
     * Writes {@code tensors} in the map's iteration order (use a LinkedHashMap to choose it), packed one after
     * another, with {@code metadata} as {@code __metadata__} (left out when null or empty). The header is padded
     * with spaces to a multiple of 8 bytes, as the reference implementation does. The write is atomic.
     *
     * @param file     Modified: replaced only when the whole file has been written
     * @param tensors  Not modified
     * @param dtype    {@link DType#F64} (exact) or {@link DType#F32} (each value rounded to the nearest float)
     * @param metadata Not modified; may be null
     * @throws IllegalArgumentException for a name that is empty or {@code __metadata__}, another dtype, or, with
     *                                  F32, a finite value too large for a float (the old file is then kept)
     */
    public static void write(Path file, Map<String, Tensor> tensors, DType dtype, Map<String, String> metadata)
            throws IOException {
        if (dtype != DType.F64 && dtype != DType.F32) {
            throw new IllegalArgumentException("safetensors files are written as F64 or F32, not " + dtype);
        }
        List<String> names = new ArrayList<>(tensors.size());
        List<Tensor> values = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.isEmpty() || METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("a tensor cannot be named \"" + name + "\"");
            }
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("tensor " + name + " is null");
            }
            names.add(name);
            values.add(entry.getValue());
        }
        byte[] header = headerBytes(names, values, dtype, metadata == null ? Map.of() : metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length);
            out.write(buffer.array(), 0, buffer.position());
            out.write(header);
            buffer.clear();
            for (int t = 0; t < names.size(); t++) {
                writeValues(names.get(t), values.get(t).values(), dtype, buffer, out);
            }
            out.write(buffer.array(), 0, buffer.position());
        });
    }

    /** Appends every value to {@code buffer} (Modified.), emptying it into {@code out} (Modified.) whenever full. */
    private static void writeValues(String name, double[] values, DType dtype, ByteBuffer buffer, OutputStream out)
            throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (buffer.remaining() < dtype.byteSize()) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            double value = values[i];
            if (dtype == DType.F64) {
                buffer.putDouble(value);
            } else {
                float rounded = (float) value;
                if (Float.isInfinite(rounded) && Double.isFinite(value)) {
                    throw new IllegalArgumentException("tensor " + name + " holds " + value + " at index " + i
                            + ", too large for F32; save it as F64");
                }
                buffer.putFloat(rounded);
            }
        }
    }

    private static byte[] headerBytes(List<String> names, List<Tensor> values, DType dtype,
            Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            for (Map.Entry<String, String> entry : metadata.entrySet()) {
                if (entry.getKey() == null || entry.getValue() == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null: " + entry);
                }
                meta.put(entry.getKey(), entry.getValue());
            }
        }
        long offset = 0;
        for (int t = 0; t < names.size(); t++) {
            Tensor tensor = values.get(t);
            ObjectNode entry = root.putObject(names.get(t));
            entry.put("dtype", dtype.name());
            ArrayNode shape = entry.putArray("shape");
            for (int size : tensor.shape()) {
                shape.add(size);
            }
            long end = offset + (long) tensor.values().length * dtype.byteSize();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException jsonError) {
            throw new IllegalStateException("a JSON tree of strings and numbers could not be written", jsonError);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /** IEEE 754 half precision: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. Exact. */
    public static double halfToDouble(short bits) {
        int exponent = (bits >>> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        double magnitude;
        if (exponent == 0) {
            magnitude = Math.scalb((double) fraction, -24);                // subnormal: fraction · 2^-24
        } else if (exponent == 0x1F) {
            magnitude = fraction == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            magnitude = Math.scalb((double) (0x400 | fraction), exponent - 25); // 1.fraction · 2^(exponent-15)
        }
        return bits < 0 ? -magnitude : magnitude;
    }

    /** bfloat16: the upper 16 bits of an F32. Exact. */
    public static double bfloat16ToDouble(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    private static boolean isExactDouble(long value) {
        if (value >= -LARGEST_EXACT_LONG && value <= LARGEST_EXACT_LONG || value == Long.MIN_VALUE) {
            return true;
        }
        long magnitude = Math.abs(value);
        int significantBits = 64 - Long.numberOfLeadingZeros(magnitude) - Long.numberOfTrailingZeros(magnitude);
        return significantBits <= 53;
    }

    private static boolean isByteOffset(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0;
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
        return ("aeiou".indexOf(type.charAt(0)) >= 0 ? "an " : "a ") + type + " (" + shown + ")";
    }
}
