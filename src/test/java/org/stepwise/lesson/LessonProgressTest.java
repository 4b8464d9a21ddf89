package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The steps seen survive a restart (a new store on the same node); unreadable stored values count as nothing. */
class LessonProgressTest {

    private Preferences node;

    @BeforeEach
    void node() {
        node = Preferences.userRoot().node("org/stepwise/test/lesson-progress-" + ProcessHandle.current().pid());
    }

    @AfterEach
    void remove() throws BackingStoreException {
        node.removeNode();
    }

    @Test
    void theStepsSeenAndTheStepLeftAtAreReadBackByANewStore() {
        LessonProgress first = LessonProgress.stored(node);
        first.stepShown("05-one-attention-head", 0);
        first.stepShown("05-one-attention-head", 1);
        first.stepShown("05-one-attention-head", 3);
        first.stepShown("05-one-attention-head", 1);
        first.stepShown("01-text-to-tokens", 2);

        LessonProgress restarted = LessonProgress.stored(node);
        assertEquals(3, restarted.stepsSeen("05-one-attention-head"));
        assertTrue(restarted.seen("05-one-attention-head", 3));
        assertFalse(restarted.seen("05-one-attention-head", 2));
        assertEquals(1, restarted.lastStep("05-one-attention-head"));
        assertEquals(1, restarted.stepsSeen("01-text-to-tokens"));
        assertEquals(2, restarted.lastStep("01-text-to-tokens"));
        assertEquals(0, restarted.stepsSeen("12-encoder-decoder"));
        assertEquals(0, restarted.lastStep("12-encoder-decoder"));
    }

    @Test
    void brokenStoredValuesCountAsNothingSeenAndNeverThrow() {
        node.put("seen.06-many-heads", "1,x,,-4,2");
        node.put("last.06-many-heads", "not a number");
        LessonProgress progress = LessonProgress.stored(node);
        assertEquals(2, progress.stepsSeen("06-many-heads"));
        assertTrue(progress.seen("06-many-heads", 1) && progress.seen("06-many-heads", 2));
        assertEquals(0, progress.lastStep("06-many-heads"));
    }

    @Test
    void inMemoryProgressWritesNothing() throws BackingStoreException {
        LessonProgress memory = LessonProgress.inMemory();
        memory.stepShown("03-embedding-lookup", 4);
        assertEquals(1, memory.stepsSeen("03-embedding-lookup"));
        assertEquals(0, node.keys().length);
        assertThrows(IllegalArgumentException.class, () -> memory.stepShown("03-embedding-lookup", -1));
    }
}
