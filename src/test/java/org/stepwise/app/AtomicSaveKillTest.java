package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.files.AtomicFiles;
import org.stepwise.train.TrainingSession;

/**
 * A write killed half-way leaves the old file whole: a separate JVM ({@link InterruptedWriter}) starts writing a
 * large file or a large autosaved session over an existing one and is killed with {@code destroyForcibly}; the old
 * file, and the old session, are still there, complete and readable, and nothing half-written took their place.
 */
class AtomicSaveKillTest {

    @TempDir
    Path folder;

    /**
     * Starts the writer, waits for its line starting with {@code signal}, waits {@code moreMillis} more, kills it;
     * returns every line it printed before it died.
     */
    private static List<String> startAndKill(String mode, Path target, String signal, long moreMillis)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx1500m", "-cp", System.getProperty("java.class.path"),
                InterruptedWriter.class.getName(), mode, target.toString()).redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch signalled = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = output.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith(signal)) {
                        signalled.countDown();
                    }
                }
            } catch (IOException closedByTheKill) {
                // The kill closes the pipe; the lines read so far are all there is.
            }
        }, "interrupted-writer-output");
        reader.start();
        try {
            assertTrue(signalled.await(120, TimeUnit.SECONDS), "the writer never started writing: " + lines);
            Thread.sleep(moreMillis);
        } finally {
            child.destroyForcibly();
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer was not killed");
        reader.join(10_000);
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Test
    void aFileKilledHalfWayKeepsItsOldContent() throws Exception {
        Path target = folder.resolve("weights.bin");
        byte[] old = new byte[3 << 20];
        for (int i = 0; i < old.length; i++) {
            old[i] = (byte) (i * 31 + 7);
        }
        AtomicFiles.writeBytes(target, old);

        List<String> lines = startAndKill("file", target, "writing", 300);

        assertEquals("writing", lines.get(lines.size() - 1), "killed while writing: " + lines);
        assertArrayEquals(old, Files.readAllBytes(target), "the old file is intact");
        List<Path> temporary;
        try (Stream<Path> entries = Files.list(folder)) {
            temporary = entries.filter(path -> !path.equals(target)).toList();
        }
        assertEquals(1, temporary.size(), "the half write stayed in its temporary file: " + temporary);
        assertTrue(temporary.get(0).getFileName().toString().startsWith(".weights.bin."));
        assertTrue(Files.size(temporary.get(0)) >= 9L << 20, "the writer was killed after writing 9 MB or more");
    }

    @Test
    void aSessionSaveKilledHalfWayLeavesTheOldSessionWholeAndReadable() throws Exception {
        Path autosaveFolder = folder.resolve("autosave");
        TrainingAutosave autosave = new TrainingAutosave(autosaveFolder);
        TrainingSession old = SessionFixtures.trained("old", 8, 1, 9);
        Path oldFolder = autosave.save(old);

        List<String> lines = startAndKill("session", autosaveFolder, "half", 0);   // killed the moment the save is under way

        assertFalse(lines.contains("saved 1"), "the large save was killed before it completed: " + lines);
        assertEquals(oldFolder, autosave.current(), "the pointer still names the old save");
        TrainingSession reopened = assertInstanceOf(TrainingSession.class, autosave.load());
        assertEquals(9, reopened.state().iteration());
        assertEquals(old.config(), reopened.config());
        assertEquals(old.lossHistory(), reopened.lossHistory());
        for (String name : old.state().weights().names()) {
            assertArrayEquals(old.state().weights().get(name).data, reopened.state().weights().get(name).data, name);
        }
        List<Path> halfWritten;
        try (Stream<Path> entries = Files.list(autosaveFolder)) {
            halfWritten = entries.filter(path -> Files.isDirectory(path) && !path.equals(oldFolder)).toList();
        }
        assertEquals(1, halfWritten.size(), "the killed save left its folder half-written beside the old one");

        // The next save clears what the killed one left.
        Path next = autosave.save(SessionFixtures.trained("next", 8, 1, 10));
        try (Stream<Path> entries = Files.list(autosaveFolder)) {
            assertEquals(List.of(next), entries.filter(Files::isDirectory).toList());
        }
        assertEquals(10, autosave.load().state().iteration());
    }
}
