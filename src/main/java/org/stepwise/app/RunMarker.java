package org.stepwise.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.stepwise.files.AtomicFiles;

/**
 * Tells whether the previous run ended normally: a running window keeps a marker file naming its process, and
 * removes it when it exits normally. A marker found at start whose process is gone means that run crashed (or
 * was killed); one whose process still runs means another Stepwise window is open on the same data directory.
 */
public final class RunMarker {

    /** How the run before this one ended. */
    public enum Previous {
        /** No marker: the previous run exited normally, or there was none. */
        CLEAN,
        /** A marker of a process that is gone: the previous run did not exit normally. */
        CRASHED,
        /** A marker of a process that still runs: another window uses this data directory. */
        STILL_RUNNING
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path marker;
    private boolean claimed;

    /** A marker kept in the file {@code marker}; its folder must exist before {@link #claim}. */
    public RunMarker(Path marker) {
        if (marker == null) {
            throw new IllegalArgumentException("a run marker needs a file");
        }
        this.marker = marker;
    }

    /**
     * Reads the marker left by the run before and, unless that run is still going, writes this process's own.
     *
     * @return how the previous run ended
     */
    public Previous claim() throws IOException {
        Previous previous = readPrevious();
        if (previous == Previous.STILL_RUNNING) {
            return previous;
        }
        ProcessHandle self = ProcessHandle.current();
        ObjectNode root = JSON.createObjectNode();
        root.put("pid", self.pid());
        root.put("started", startOf(self).map(Instant::toString).orElse(""));
        AtomicFiles.writeBytes(marker, (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
        claimed = true;
        return previous;
    }

    /** Removes this process's marker: the run ends normally. Does nothing when {@link #claim} did not write one. */
    public void release() throws IOException {
        if (claimed) {
            Files.deleteIfExists(marker);
            claimed = false;
        }
    }

    /** True when {@link #claim} wrote this process's marker and it has not been released. */
    public boolean isClaimed() {
        return claimed;
    }

    private Previous readPrevious() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(marker);
        } catch (NoSuchFileException none) {
            return Previous.CLEAN;
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException unreadable) {
            return Previous.CRASHED;        // a marker is written atomically; an unreadable one belongs to no live run
        }
        if (root == null || !root.path("pid").canConvertToLong()) {
            return Previous.CRASHED;
        }
        long pid = root.path("pid").longValue();
        String started = root.path("started").asText("");
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        // The same pid may have been given to another process since; the start time tells them apart.
        boolean alive = pid != ProcessHandle.current().pid() && process.isPresent() && process.get().isAlive()
                && startOf(process.get()).map(Instant::toString).orElse("").equals(started);
        return alive ? Previous.STILL_RUNNING : Previous.CRASHED;
    }

    private static Optional<Instant> startOf(ProcessHandle process) {
        return process.info().startInstant();
    }
}
