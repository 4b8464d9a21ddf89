package org.stepwise.lesson;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the lessons of a language ({@code lessons/zh} for Chinese, {@code lessons/en} otherwise) and parses
 * each file on its own, so a broken file is listed with its error and never hides the others.
 */
public final class LessonLibrary {
    /** The lessons folder relative to the project root, also packed into the jar as {@code /lessons}. */
    public static final Path FOLDER = Path.of("lessons");

    private LessonLibrary() {
    }

    /**
     * One lesson file of the list: the lesson, or the error that keeps it from opening.
     *
     * @param fileName the file's name, e.g. {@code 05-one-attention-head.md}
     * @param lesson   the parsed lesson, null when the file is broken
     * @param error    why the file does not parse, null when it does
     */
    public record Entry(String fileName, Lesson lesson, LessonFormatException error) {
        public Entry {
            if (fileName == null || (lesson == null) == (error == null)) {
                throw new IllegalArgumentException("an entry has a file name and either a lesson or an error");
            }
        }

        public boolean ok() {
            return lesson != null;
        }
    }

    /** The folder name of the lessons for {@code locale}: {@code zh} for Chinese, {@code en} otherwise. */
    public static String languageOf(Locale locale) {
        return locale != null && locale.getLanguage().equals("zh") ? "zh" : "en";
    }

    /**
     * The lessons of {@code locale}'s language under {@code lessonsDir}, sorted by file name.
     *
     * @throws IOException when the language folder cannot be listed (a file that cannot be read is listed as an
     *                     error entry instead)
     */
    public static List<Entry> load(Path lessonsDir, Locale locale) throws IOException {
        if (lessonsDir == null) {
            throw new IllegalArgumentException("lessonsDir is required");
        }
        String language = languageOf(locale);
        Path folder = lessonsDir.resolve(language);
        if (!Files.isDirectory(folder)) {
            throw new IOException("no lessons folder " + folder);
        }
        return loadFolder(folder, language);
    }

    /**
     * The lessons the app ships: from {@link #FOLDER} when run from the project, else from the jar's
     * {@code /lessons} resources.
     */
    public static List<Entry> loadBundled(Locale locale) throws IOException {
        if (Files.isDirectory(FOLDER.resolve(languageOf(locale)))) {
            return load(FOLDER, locale);
        }
        return loadFromClasspath(LessonLibrary.class.getClassLoader(), locale);
    }

    /** The lessons of {@code locale}'s language under {@code lessons/} on {@code loader}'s classpath (a folder or a jar). */
    static List<Entry> loadFromClasspath(ClassLoader loader, Locale locale) throws IOException {
        String language = languageOf(locale);
        URL url = loader.getResource("lessons/" + language);
        if (url == null) {
            throw new IOException("no lessons/" + language + " folder on the classpath");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("bad lessons location " + url, e);
        }
        if (!uri.getScheme().equals("jar")) {
            return loadFolder(Path.of(uri), language);
        }
        FileSystem opened;
        try {
            opened = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
            return loadFolder(FileSystems.getFileSystem(uri).getPath("/lessons", language), language);
        }
        try (FileSystem jar = opened) {
            return loadFolder(jar.getPath("/lessons", language), language);
        }
    }

    /**
     * Parses every {@code .md} file of {@code folder}; every file is read before this returns. Errors name the
     * file as {@code language/file.md}; lessons read from disk keep their real path as source.
     */
    private static List<Entry> loadFolder(Path folder, String language) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".md"))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            String fileName = file.getFileName().toString();
            String name = language + "/" + fileName;
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Lesson lesson = LessonParser.parse(name, text);
                if (file.getFileSystem() == FileSystems.getDefault()) {
                    lesson = new Lesson(lesson.id(), lesson.title(), lesson.intro(), lesson.language(), file,
                            lesson.steps());
                }
                entries.add(new Entry(fileName, lesson, null));
            } catch (LessonFormatException e) {
                entries.add(new Entry(fileName, null, e));
            } catch (IOException e) {
                entries.add(new Entry(fileName, null, new LessonFormatException(name, 0,
                        "cannot be read as UTF-8 text: " + e.getMessage())));
            }
        }
        return entries;
    }
}
