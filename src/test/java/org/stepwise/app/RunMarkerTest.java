package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running marker tells a clean exit from a crash, and a crash from another window still running. */
class RunMarkerTest {

    @TempDir
    Path folder;

    @Test
    void aMarkerLeftBehindMeansTheRunBeforeCrashed() throws IOException {
        Path file = folder.resolve(DataDirectory.RUNNING_MARKER);
        RunMarker first = new RunMarker(file);
        assertEquals(RunMarker.Previous.CLEAN, first.claim());
        assertTrue(Files.exists(file));
        // The first run stops without releasing its marker; the process that wrote it counts as gone.
        RunMarker second = new RunMarker(file);
        assertEquals(RunMarker.Previous.CRASHED, second.claim());
        second.release();
        assertFalse(Files.exists(file));
        assertEquals(RunMarker.Previous.CLEAN, new RunMarker(file).claim());
    }

    @Test
    void aMarkerOfALiveProcessMeansAnotherWindowRuns() throws IOException, InterruptedException {
        Path file = folder.resolve(DataDirectory.RUNNING_MARKER);
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            String started = other.info().startInstant().orElseThrow().toString();
            Files.writeString(file, "{\"pid\": " + other.pid() + ", \"started\": \"" + started + "\"}",
                    StandardCharsets.UTF_8);
            RunMarker marker = new RunMarker(file);
            assertEquals(RunMarker.Previous.STILL_RUNNING, marker.claim());
            assertFalse(marker.isClaimed(), "the other window's marker stays");
            // The same pid with another start time is a reused pid, not that window.
            Files.writeString(file, "{\"pid\": " + other.pid() + ", \"started\": \"2001-01-01T00:00:00Z\"}",
                    StandardCharsets.UTF_8);
            assertEquals(RunMarker.Previous.CRASHED, new RunMarker(file).claim());
        } finally {
            other.destroyForcibly();
            other.waitFor(10, TimeUnit.SECONDS);
        }
        Files.writeString(file, "not json", StandardCharsets.UTF_8);
        assertEquals(RunMarker.Previous.CRASHED, new RunMarker(file).claim());
    }
}
