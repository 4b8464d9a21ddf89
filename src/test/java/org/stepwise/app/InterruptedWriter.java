package org.stepwise.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.stepwise.files.AtomicFiles;
import org.stepwise.train.TrainingSession;

/**
 * The program {@link AtomicSaveKillTest} starts in a separate JVM and kills half-way through a write:
 * <ul>
 * <li>{@code file TARGET}: writes a file through {@link AtomicFiles} that never ends, printing "writing" after its
 * first megabytes;</li>
 * <li>{@code session FOLDER}: autosaves a large training session (millions of weights with their optimizer state)
 * into FOLDER again and again, printing "writing N" before and "saved N" after each save.</li>
 * </ul>
 */
public final class InterruptedWriter {

    private InterruptedWriter() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (args.length == 2 && args[0].equals("file")) {
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'N');
            AtomicFiles.write(Path.of(args[1]), stream -> {
                for (int megabyte = 0; ; megabyte++) {
                    stream.write(chunk);
                    if (megabyte == 8) {
                        stream.flush();
                        out.println("writing");
                    }
                    if (megabyte > 8) {
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException stop) {
                            throw new IOException("interrupted", stop);
                        }
                    }
                }
            });
        } else if (args.length == 2 && args[0].equals("session")) {
            // d_model 384 in 4 blocks: about 7 million weights, 4 such buffers with the optimizer's, ~230 MB a save.
            TrainingSession large = SessionFixtures.trained("large", 384, 4, 1);
            TrainingAutosave autosave = new TrainingAutosave(Path.of(args[1]));
            java.util.Set<Path> before = new java.util.HashSet<>();
            try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(Path.of(args[1]))) {
                entries.forEach(before::add);
            }
            Thread watcher = new Thread(() -> announceHalfWritten(Path.of(args[1]), before, out), "half-written-watcher");
            watcher.setDaemon(true);
            watcher.start();
            for (int save = 1; ; save++) {
                out.println("writing " + save);
                autosave.save(large);
                out.println("saved " + save);
            }
        } else {
            throw new IllegalArgumentException("usage: InterruptedWriter file TARGET | session FOLDER");
        }
    }

    /**
     * Prints "half" as soon as a session folder in {@code autosaveFolder} that was not there before the first save
     * ({@code before}) holds a file of a megabyte or more: the save is under way, and the test kills the program then.
     */
    private static void announceHalfWritten(Path autosaveFolder, java.util.Set<Path> before, PrintStream out) {
        try {
            while (true) {
                try (java.util.stream.Stream<Path> entries = java.nio.file.Files.list(autosaveFolder)) {
                    for (Path entry : entries.filter(java.nio.file.Files::isDirectory).toList()) {
                        if (!before.contains(entry) && largestFile(entry) >= 1 << 20) {
                            out.println("half");
                            return;
                        }
                    }
                }
                Thread.sleep(1);
            }
        } catch (IOException | InterruptedException | RuntimeException stopped) {
            out.println("watcher stopped: " + stopped);
        }
    }

    private static long largestFile(Path folder) throws IOException {
        long largest = 0;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(folder)) {
            for (Path file : files.toList()) {
                try {
                    largest = Math.max(largest, java.nio.file.Files.size(file));
                } catch (IOException gone) {
                    // a temporary file renamed meanwhile
                }
            }
        }
        return largest;
    }
}
