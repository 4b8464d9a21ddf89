package org.stepwise.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.io.ModelFileException;

/** The session file: written and read back field for field; missing fields take defaults; broken files say why. */
class SessionStateTest {

    @TempDir
    Path folder;

    @Test
    void aSessionIsReadBackAsItWasWritten() throws IOException {
        SessionState written = new SessionState(folder.resolve("模型 gpt2"), false, "the cat 坐 on", "SCORES", 1, 3, 2,
                "attention", 4, "english.txt", 7);
        Path file = folder.resolve("session.json");
        written.write(file);
        assertEquals(written, SessionState.read(file));
        assertEquals(written.withAutosaveMinutes(2), SessionState.read(file).withAutosaveMinutes(2));
    }

    @Test
    void theTranslationWindowIsReadBackAsItWasWritten() throws IOException {
        SessionState written = new SessionState(null, false, "hello", null, -1, 0, -1, null, 0, "English→Chinese pairs",
                3, new SessionState.Translation(folder.resolve("英中 model"), true, "i have two red apples", "我有",
                        "CROSS_SCORES", false, 1, 2));
        Path file = folder.resolve("session.json");
        written.write(file);
        assertEquals(written, SessionState.read(file));
        assertEquals(written.translation(), SessionState.read(file).withAutosaveMinutes(5).translation());
        Files.writeString(file, "{\"translation\": {\"source\": \"a cat\"}}", StandardCharsets.UTF_8);
        assertEquals(new SessionState.Translation(null, false, "a cat", "", null, false, -1, 0),
                SessionState.read(file).translation());
        Files.writeString(file, "{\"translation\": 3}", StandardCharsets.UTF_8);
        ModelFileException broken = assertThrows(ModelFileException.class, () -> SessionState.read(file));
        assertTrue(broken.getMessage().contains("translation"), broken.getMessage());
    }

    @Test
    void noFileIsNoSessionAndMissingFieldsTakeTheirDefaults() throws IOException {
        assertNull(SessionState.read(folder.resolve("none.json")));
        Path file = folder.resolve("short.json");
        Files.writeString(file, "{\"view\": {\"sentence\": \"hello\"}}", StandardCharsets.UTF_8);
        SessionState read = SessionState.read(file);
        assertEquals(new SessionState(null, true, "hello", null, -1, 0, -1, null, 0, null,
                SessionState.DEFAULT_AUTOSAVE_MINUTES), read);
        Files.writeString(file, "{\"settings\": {\"autosave_minutes\": 1}}", StandardCharsets.UTF_8);
        assertNull(SessionState.read(file).sentence(), "no sentence kept: the window's own first sentence is used");
    }

    @Test
    void brokenOrNewerFilesAreRefusedWithTheFileNamed() throws IOException {
        Path file = folder.resolve("session.json");
        Files.writeString(file, "{\"view\": {\"sentence\": ", StandardCharsets.UTF_8);
        ModelFileException broken = assertThrows(ModelFileException.class, () -> SessionState.read(file));
        assertTrue(broken.getMessage().contains("session.json") && broken.getMessage().contains("not valid JSON"),
                broken.getMessage());

        Files.writeString(file, "{\"format_version\": 99}", StandardCharsets.UTF_8);
        ModelFileException newer = assertThrows(ModelFileException.class, () -> SessionState.read(file));
        assertTrue(newer.getMessage().contains("format version 99"), newer.getMessage());

        Files.writeString(file, "{\"view\": {\"head\": -2}}", StandardCharsets.UTF_8);
        ModelFileException wrong = assertThrows(ModelFileException.class, () -> SessionState.read(file));
        assertTrue(wrong.getMessage().contains("cannot be used"), wrong.getMessage());

        Files.writeString(file, "{\"settings\": {\"autosave_minutes\": 1.5}}", StandardCharsets.UTF_8);
        ModelFileException fraction = assertThrows(ModelFileException.class, () -> SessionState.read(file));
        assertTrue(fraction.getMessage().contains("autosave_minutes"), fraction.getMessage());
    }

    @Test
    void anAutosaveNeedsAtLeastOneMinute() {
        assertThrows(IllegalArgumentException.class, () -> new SessionState(null, true, "", null, -1, 0, -1, null, 0,
                null, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionState(null, true, "", null, -1, -1, -1, null, 0,
                null, 3));
    }
}
