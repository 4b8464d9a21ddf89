package org.stepwise.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes a file all-or-nothing: readers see either the old file or the complete new one, never a half-written
 * file, even when writing fails or the program stops part-way.
 *
 * <p>The content goes to a hidden temporary file next to the target ({@code .NAME.RANDOM.tmp}, same directory so
 * the same file system), is flushed to disk, and is then moved over the target with an atomic rename. When the
 * file system cannot rename atomically the move falls back to a plain replace. If anything fails before the move,
 * the temporary file is deleted and the target is left as it was.
 */
public final class AtomicFiles {

    private static final int BUFFER_BYTES = 1 << 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    /** Produces the bytes of a file. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to {@code out} (Modified.); need not flush or close it. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces (or creates) {@code target} with what {@code content} writes.
     *
     * @param target  the file to write; its directory must exist. Modified only when {@code content} completes.
     * @param content writes the bytes; any exception it throws aborts the write and is rethrown unchanged
     * @throws IOException when the temporary file cannot be written or moved into place
     */
    public static void write(Path target, Content content) throws IOException {
        Path absoluteTarget = target.toAbsolutePath();
        Path directory = absoluteTarget.getParent();
        Path fileName = absoluteTarget.getFileName();
        if (directory == null || fileName == null) {
            throw new IllegalArgumentException("cannot write a file at " + target + ": it names no file inside a directory");
        }
        byte[] randomBytes = new byte[6];
        RANDOM.nextBytes(randomBytes);
        Path temporary = directory.resolve("." + fileName + "." + HexFormat.of().formatHex(randomBytes) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_BYTES);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            moveIntoPlace(temporary, absoluteTarget);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanupFailure) {
                failure.addSuppressed(cleanupFailure);
            }
            throw failure;
        }
        syncDirectory(directory);
    }

    /** Replaces (or creates) {@code target} with {@code bytes} (Not modified). */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException unsupported) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Flushes the directory entry of the rename to disk where the system allows it (Linux, macOS). Some systems
     * (Windows) cannot open a directory for this; the file itself is already on disk, so that is not an error.
     */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupportedHere) {
            // The rename has happened; only the durability of the directory entry could not be forced.
        }
    }
}
