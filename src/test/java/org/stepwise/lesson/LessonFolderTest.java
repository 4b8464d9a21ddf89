package org.stepwise.lesson;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.stepwise.app.DefaultModel;
import org.stepwise.app.TranslationModel;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.LoadedModel;

/**
 * The real {@code lessons/} folder, whatever files it holds: every lesson in both languages parses and plays
 * through on the bundled models (the decoder-only one and, after {@code @model translation}, the English→Chinese
 * one), and the English and Chinese versions match step by step.
 */
class LessonFolderTest {
    private static final List<Locale> LANGUAGES = List.of(Locale.ENGLISH, Locale.SIMPLIFIED_CHINESE);
    private static LoadedModel bundled;
    private static LoadedEncoderDecoder translation;

    @BeforeAll
    static void load() throws IOException {
        bundled = DefaultModel.load();
        translation = TranslationModel.load();
    }

    @Test
    void everyLessonParsesAndPlaysOnTheBundledModel() throws IOException {
        List<String> problems = new ArrayList<>();
        int lessons = 0;
        for (Locale language : LANGUAGES) {
            if (!Files.isDirectory(LessonLibrary.FOLDER.resolve(LessonLibrary.languageOf(language)))) {
                continue;
            }
            for (LessonLibrary.Entry entry : LessonLibrary.load(LessonLibrary.FOLDER, language)) {
                if (!entry.ok()) {
                    problems.add(entry.error().getMessage());
                } else {
                    lessons++;
                    problems.addAll(LessonChecks.check(entry.lesson(), bundled, translation));
                }
            }
        }
        assertTrue(lessons + problems.size() >= 24, "lessons/en and lessons/zh hold the twelve lessons each");
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    void englishAndChineseHaveTheSameLessonsStepsAndDirectives() throws IOException, LessonFormatException {
        TreeSet<String> english = fileNames("en");
        TreeSet<String> chinese = fileNames("zh");
        assertTrue(english.size() >= 12, "lessons/en holds the twelve lessons");
        assertEquals(english, chinese, "the same file names in lessons/en and lessons/zh");
        List<String> problems = new ArrayList<>();
        for (String name : english) {
            Lesson first = LessonParser.parse(LessonLibrary.FOLDER.resolve("en").resolve(name));
            Lesson second = LessonParser.parse(LessonLibrary.FOLDER.resolve("zh").resolve(name));
            problems.addAll(LessonChecks.languageProblems(first, second));
        }
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    private static TreeSet<String> fileNames(String language) throws IOException {
        Path folder = LessonLibrary.FOLDER.resolve(language);
        TreeSet<String> names = new TreeSet<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".md")).forEach(names::add);
            }
        }
        return names;
    }
}
