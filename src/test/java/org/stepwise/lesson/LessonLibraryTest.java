package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lesson list: a broken file is listed with its error while the others load, per language, from disk or a jar. */
class LessonLibraryTest {
    private static final Path FIXTURES = Path.of("src/test/resources/lessons-fixtures");

    @Test
    void brokenFileIsListedWithItsErrorAndTheOthersLoad() throws IOException {
        List<LessonLibrary.Entry> entries = LessonLibrary.load(FIXTURES, Locale.ENGLISH);
        assertEquals(List.of("01-every-directive.md", "02-broken.md", "03-short.md"),
                entries.stream().map(LessonLibrary.Entry::fileName).toList());
        assertTrue(entries.get(0).ok());
        assertEquals("Every directive once", entries.get(0).lesson().title());
        assertEquals(FIXTURES.resolve("en/01-every-directive.md"), entries.get(0).lesson().source());
        LessonLibrary.Entry broken = entries.get(1);
        assertFalse(broken.ok());
        assertNull(broken.lesson());
        assertEquals("en/02-broken.md", broken.error().file());
        assertEquals(7, broken.error().line());
        assertTrue(broken.error().getMessage().startsWith("en/02-broken.md:7: @stage: stage scores needs block=N"),
                broken.error().getMessage());
        assertTrue(entries.get(2).ok());
        assertEquals("en", entries.get(2).lesson().language());
    }

    @Test
    void chineseLocalesReadTheChineseFolder() throws IOException {
        for (Locale chinese : List.of(Locale.SIMPLIFIED_CHINESE, Locale.CHINESE, Locale.forLanguageTag("zh-Hans-CN"))) {
            List<LessonLibrary.Entry> entries = LessonLibrary.load(FIXTURES, chinese);
            assertEquals(List.of("每个指令一次", "一节短课"),
                    entries.stream().map(entry -> entry.lesson().title()).toList());
        }
        assertEquals("en", LessonLibrary.languageOf(Locale.GERMAN));
        assertEquals("en", LessonLibrary.languageOf(Locale.US));
    }

    @Test
    void missingLanguageFolderIsAnError(@TempDir Path empty) {
        IOException error = assertThrows(IOException.class, () -> LessonLibrary.load(empty, Locale.ENGLISH));
        assertTrue(error.getMessage().contains("no lessons folder"), error.getMessage());
    }

    @Test
    void lessonsPackedInAJarLoadFromTheClasspath(@TempDir Path folder) throws IOException {
        Path jar = folder.resolve("lessons.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String directory : List.of("lessons/", "lessons/en/", "lessons/zh/")) {
                out.putNextEntry(new JarEntry(directory)); // folder entries, as the jar plugin writes them
                out.closeEntry();
            }
            for (String name : List.of("en/01-every-directive.md", "en/02-broken.md", "zh/03-short.md")) {
                out.putNextEntry(new JarEntry("lessons/" + name));
                OutputStream entry = out;
                entry.write(Files.readAllBytes(FIXTURES.resolve(name)));
                out.closeEntry();
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            List<LessonLibrary.Entry> english = LessonLibrary.loadFromClasspath(loader, Locale.ENGLISH);
            assertEquals(2, english.size());
            assertTrue(english.get(0).ok());
            assertEquals(7, english.get(1).error().line());
            List<LessonLibrary.Entry> chinese = LessonLibrary.loadFromClasspath(loader, Locale.CHINA);
            assertEquals("一节短课", chinese.get(0).lesson().title());
        }
    }
}
