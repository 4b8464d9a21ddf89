package org.stepwise.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads a numpy {@code .npz} archive (a zip of {@code .npy} files, stored or deflated) holding
 * little-endian float64, float32, int64 or int32 arrays in C order, as {@code np.savez} writes them.
 */
final class NumpyArchive {

    /** One array: its shape and its values in C (row-major) order. */
    record Array(int[] shape, double[] values) {
        int dimension(int axis) {
            return shape[axis];
        }

        double scalar() {
            if (values.length != 1) {
                throw new IllegalStateException("not a scalar: shape " + Arrays.toString(shape));
            }
            return values[0];
        }
    }

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?)([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private final Map<String, Array> arrays = new LinkedHashMap<>();

    private NumpyArchive() {
    }

    /** Reads every array; names lose their {@code .npy} ending. */
    static NumpyArchive read(InputStream in) throws IOException {
        NumpyArchive archive = new NumpyArchive();
        try (ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new IOException("unexpected entry " + name + " in the archive");
                }
                archive.arrays.put(name.substring(0, name.length() - 4), parse(name, readAll(zip)));
            }
        }
        return archive;
    }

    Array get(String name) {
        Array array = arrays.get(name);
        if (array == null) {
            throw new IllegalArgumentException("the archive has no array " + name);
        }
        return array;
    }

    boolean has(String name) {
        return arrays.containsKey(name);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Array parse(String name, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        buffer.get(magic);
        if (magic[0] != (byte) 0x93 || !"NUMPY".equals(new String(magic, 1, 5, StandardCharsets.US_ASCII))) {
            throw new IOException(name + " is not an .npy file");
        }
        int major = buffer.get();
        buffer.get(); // minor version
        int headerLength = major == 1 ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
        String header = new String(bytes, buffer.position(), headerLength, StandardCharsets.US_ASCII);
        buffer.position(buffer.position() + headerLength);

        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeText = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeText.find()) {
            throw new IOException(name + ": cannot read the header " + header);
        }
        if (">".equals(descr.group(1)) || "True".equals(fortran.group(1))) {
            throw new IOException(name + ": only little-endian C-order arrays are read");
        }
        int[] shape = Arrays.stream(shapeText.group(1).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] values = new double[count];
        String kind = descr.group(2) + descr.group(3);
        for (int i = 0; i < count; i++) {
            values[i] = switch (kind) {
                case "f8" -> buffer.getDouble();
                case "f4" -> buffer.getFloat();
                case "i8" -> buffer.getLong();
                case "i4" -> buffer.getInt();
                default -> throw new IOException(name + ": unsupported dtype " + kind);
            };
        }
        return new Array(shape, values);
    }
}
