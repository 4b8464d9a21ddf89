package org.stepwise.lesson;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import java.util.stream.Collectors;

/**
 * Which steps of each lesson the learner has seen, and the step each lesson was left at: in memory, or kept
 * across restarts in a preferences node. A stored value that cannot be read counts as nothing seen.
 */
public final class LessonProgress {

    private static final String SEEN = "seen.";
    private static final String LAST = "last.";

    /** Where the progress is written, or null to keep it in memory only. */
    private final Preferences node;
    private final Map<String, Set<Integer>> seen = new HashMap<>();
    private final Map<String, Integer> lastStep = new HashMap<>();

    private LessonProgress(Preferences node) {
        this.node = node;
    }

    /** Progress that lasts as long as the app runs. */
    public static LessonProgress inMemory() {
        return new LessonProgress(null);
    }

    /** Progress read from {@code node} and written back to it at every step shown. */
    public static LessonProgress stored(Preferences node) {
        if (node == null) {
            throw new IllegalArgumentException("a preferences node is required");
        }
        LessonProgress progress = new LessonProgress(node);
        try {
            for (String key : node.keys()) {
                String value = node.get(key, "");
                if (key.startsWith(SEEN)) {
                    progress.seen.put(key.substring(SEEN.length()), parseSteps(value));
                } else if (key.startsWith(LAST)) {
                    progress.lastStep.put(key.substring(LAST.length()), parseStep(value));
                }
            }
        } catch (BackingStoreException unreadable) {
            // The learner starts with nothing seen; the steps shown from now on are written again.
        }
        return progress;
    }

    /** Records that step {@code index} (0-based) of lesson {@code lessonId} is on screen. */
    public void stepShown(String lessonId, int index) {
        if (lessonId == null || index < 0) {
            throw new IllegalArgumentException("a lesson id and a step index of at least 0 are required");
        }
        Set<Integer> steps = seen.computeIfAbsent(lessonId, id -> new TreeSet<>());
        boolean added = steps.add(index);
        Integer before = lastStep.put(lessonId, index);
        if (node != null && (added || before == null || before != index)) {
            node.put(SEEN + lessonId, steps.stream().map(String::valueOf).collect(Collectors.joining(",")));
            node.putInt(LAST + lessonId, index);
        }
    }

    /** How many different steps of lesson {@code lessonId} have been shown. */
    public int stepsSeen(String lessonId) {
        return seen.getOrDefault(lessonId, Set.of()).size();
    }

    /** Whether step {@code index} of lesson {@code lessonId} has been shown. */
    public boolean seen(String lessonId, int index) {
        return seen.getOrDefault(lessonId, Set.of()).contains(index);
    }

    /** The step lesson {@code lessonId} was left at (0 when it was never opened). */
    public int lastStep(String lessonId) {
        return lastStep.getOrDefault(lessonId, 0);
    }

    private static Set<Integer> parseSteps(String value) {
        Set<Integer> steps = new TreeSet<>();
        for (String part : value.split(",")) {
            int step = parseStep(part.trim());
            if (step > 0 || "0".equals(part.trim())) {
                steps.add(step);
            }
        }
        return steps;
    }

    private static int parseStep(String value) {
        try {
            return Math.max(0, Integer.parseInt(value));
        } catch (NumberFormatException unreadable) {
            return 0;
        }
    }
}
