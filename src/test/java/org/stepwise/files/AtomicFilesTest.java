package org.stepwise.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** All-or-nothing writes: the target is either the old file or the whole new one, and no temporary file stays. */
class AtomicFilesTest {

    @TempDir
    Path directory;

    @Test
    void createsAndReplacesTheTargetLeavingNothingElse() throws IOException {
        Path target = directory.resolve("notes.txt");
        AtomicFiles.writeBytes(target, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(target));
        AtomicFiles.write(target, out -> out.write("second, longer".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second, longer", Files.readString(target));
        assertEquals(List.of("notes.txt"), fileNames());
    }

    @Test
    void failureHalfWayKeepsTheOldFileAndRemovesTheTemporaryFile() throws IOException {
        Path target = directory.resolve("model.safetensors");
        byte[] old = "the old, complete file".getBytes(StandardCharsets.UTF_8);
        Files.write(target, old);
        IOException diskFull = new IOException("No space left on device");
        List<List<String>> seenWhileWriting = new java.util.ArrayList<>();

        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(new byte[200_000]);   // more than the stream buffers, so bytes really reach the temporary file
            out.flush();
            seenWhileWriting.add(fileNames());
            throw diskFull;
        }));

        assertSame(diskFull, thrown);
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of("model.safetensors"), fileNames());
        List<String> during = seenWhileWriting.get(0);
        assertEquals(2, during.size(), "a temporary file existed next to the target while writing: " + during);
        assertTrue(during.stream().anyMatch(name -> name.startsWith(".model.safetensors.") && name.endsWith(".tmp")),
                during.toString());
    }

    @Test
    void uncheckedFailureAlsoKeepsTheOldFile() throws IOException {
        Path target = directory.resolve("config.json");
        Files.writeString(target, "{}");
        IllegalStateException bug = new IllegalStateException("stopped");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            out.write('{');
            throw bug;
        }));
        assertSame(bug, thrown);
        assertEquals("{}", Files.readString(target));
        assertEquals(List.of("config.json"), fileNames());
    }

    @Test
    void missingDirectoryIsAnIOException() {
        Path target = directory.resolve("no-such-folder").resolve("model.safetensors");
        assertThrows(NoSuchFileException.class, () -> AtomicFiles.writeBytes(target, new byte[] {1}));
    }

    private List<String> fileNames() {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException readError) {
            throw new UncheckedIOException(readError);
        }
    }
}
