package org.stepwise.lesson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import org.stepwise.pipeline.Stage;

/**
 * Reads a lesson file (front matter, intro, {@code ## } steps with Markdown text and {@code @} directives)
 * into a {@link Lesson}, or says which line of which file breaks the format.
 */
public final class LessonParser {
    private LessonParser() {
    }

    /** Parses the file at {@code file}; its language is the name of the folder it lives in. */
    public static Lesson parse(Path file) throws IOException, LessonFormatException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return parse(file.toString(), text);
    }

    /**
     * Parses {@code text} as the lesson file {@code name} (e.g. {@code en/05-one-attention-head.md}): the id must
     * equal the file name without {@code .md}, and the language is the name's folder ({@code en}), empty when
     * the name has none.
     *
     * @throws LessonFormatException naming {@code name} and the line of the first problem
     */
    public static Lesson parse(String name, String text) throws LessonFormatException {
        if (name == null || text == null) {
            throw new IllegalArgumentException("name and text are required");
        }
        return new Reader(name, text).read();
    }

    /** Parses one file top to bottom; keeps the line number for every message. */
    private static final class Reader {
        private final String name;
        private final String[] lines;
        private final Path path;
        private int index; // 0-based line being read

        Reader(String name, String text) {
            this.name = name;
            String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
            this.lines = body.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
            this.path = Path.of(name);
        }

        Lesson read() throws LessonFormatException {
            Map<String, String> front = frontMatter();
            String fileName = path.getFileName().toString();
            String expectedId = fileName.endsWith(".md") ? fileName.substring(0, fileName.length() - 3) : fileName;
            if (!front.containsKey("id")) {
                throw error(1, "the front matter has no id");
            }
            if (!front.containsKey("title") || front.get("title").isBlank()) {
                throw error(1, "the front matter has no title");
            }
            if (!front.get("id").equals(expectedId)) {
                throw error(1, "id " + front.get("id") + " differs from the file name " + expectedId);
            }
            StringBuilder intro = new StringBuilder();
            List<LessonStep> steps = new ArrayList<>();
            boolean inFence = false;
            while (index < lines.length && !isHeading(lines[index], inFence)) {
                String line = lines[index];
                if (!inFence && line.startsWith("@")) {
                    throw error(index + 1, "directive " + firstWord(line) + " before the first '## ' step");
                }
                inFence ^= isFence(line);
                intro.append(line).append('\n');
                index++;
            }
            while (index < lines.length) {
                steps.add(step());
            }
            if (steps.isEmpty()) {
                throw error(0, "the lesson has no steps (a step starts with '## ')");
            }
            String language = path.getParent() == null ? "" : path.getParent().getFileName().toString();
            return new Lesson(expectedId, front.get("title").trim(), intro.toString().strip(), language, path, steps);
        }

        private Map<String, String> frontMatter() throws LessonFormatException {
            if (lines.length == 0 || !lines[0].strip().equals("---")) {
                throw error(1, "missing front matter: the file must start with a '---' line, then id: and title:");
            }
            Map<String, String> front = new LinkedHashMap<>();
            index = 1;
            while (index < lines.length && !lines[index].strip().equals("---")) {
                String line = lines[index];
                if (!line.isBlank()) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        throw error(index + 1, "front matter lines are 'key: value', got: " + line.strip());
                    }
                    String key = line.substring(0, colon).strip();
                    if (!key.equals("id") && !key.equals("title")) {
                        throw error(index + 1, "unknown front matter key " + key + " (known: id, title)");
                    }
                    if (front.put(key, line.substring(colon + 1).strip()) != null) {
                        throw error(index + 1, "front matter key " + key + " is given twice");
                    }
                }
                index++;
            }
            if (index >= lines.length) {
                throw error(1, "the front matter is not closed by a '---' line");
            }
            index++;
            return front;
        }

        private LessonStep step() throws LessonFormatException {
            int headingLine = index + 1;
            String title = lines[index].substring(3).strip();
            if (title.isEmpty()) {
                throw error(headingLine, "a step heading needs a title after '## '");
            }
            index++;
            StringBuilder text = new StringBuilder();
            List<Directive> directives = new ArrayList<>();
            List<Integer> directiveLines = new ArrayList<>();
            boolean inFence = false;
            while (index < lines.length && !isHeading(lines[index], inFence)) {
                String line = lines[index];
                if (!inFence && line.startsWith("@")) {
                    int lineNumber = index + 1;
                    index++;
                    directives.add(directive(line, lineNumber));
                    directiveLines.add(lineNumber);
                } else {
                    inFence ^= isFence(line);
                    text.append(line).append('\n');
                    index++;
                }
            }
            return new LessonStep(title, text.toString().strip(), directives, headingLine, directiveLines);
        }

        private Directive directive(String line, int lineNumber) throws LessonFormatException {
            String body = line.substring(1).strip();
            int space = body.indexOf(' ');
            String directiveName = space < 0 ? body : body.substring(0, space);
            String rest = space < 0 ? "" : body.substring(space + 1).strip();
            try {
                return switch (directiveName) {
                    case "sentence" -> new Directive.SetSentence(rest);
                    case "stage" -> stage(new Arguments(rest, ENCODER));
                    case "target" -> new Directive.SetTarget(rest);
                    case "translate" -> {
                        Arguments args = new Arguments(rest);
                        args.noPositional();
                        args.done();
                        yield new Directive.Translate();
                    }
                    case "select" -> select(new Arguments(rest));
                    case "sampling" -> sampling(new Arguments(rest));
                    case "model" -> model(new Arguments(rest));
                    case "train" -> train(new Arguments(rest));
                    case "highlight" -> new Directive.Highlight(
                            single(new Arguments(rest), Directive.Highlight.Panel.class, "panel"));
                    case "panel" -> new Directive.OpenPanel(
                            single(new Arguments(rest), Directive.OpenPanel.SideView.class, "panel"));
                    case "question" -> question(new Arguments(rest, ENCODER));
                    default -> throw new IllegalArgumentException("unknown directive @" + directiveName
                            + " (known: @sentence, @target, @translate, @stage, @select, @sampling, @model, @train,"
                            + " @highlight, @panel, @question)");
                };
            } catch (IllegalArgumentException e) {
                throw error(lineNumber, (directiveName.isEmpty() ? "@" : "@" + directiveName + ": ") + e.getMessage());
            }
        }

        private Directive stage(Arguments args) {
            Stage.Kind kind = args.onePositional(Stage.Kind.class, "stage kind");
            int block = args.index("block", -1);
            int head = args.index("head", -1);
            args.done();
            return new Directive.GoToStage(kind, block, head, args.flag);
        }

        private Directive select(Arguments args) {
            args.noPositional();
            String token = args.required("token");
            args.done();
            return new Directive.SelectToken(token.equals("none") ? -1 : toIndex("token", token));
        }

        private Directive sampling(Arguments args) {
            args.noPositional();
            String temperature = args.optional("temperature");
            String topK = args.optional("top-k");
            String topP = args.optional("top-p");
            args.done();
            return new Directive.SetSampling(
                    temperature == null ? OptionalDouble.empty() : OptionalDouble.of(decimal("temperature", temperature)),
                    topK == null ? OptionalInt.empty() : OptionalInt.of(whole("top-k", topK)),
                    topP == null ? OptionalDouble.empty() : OptionalDouble.of(decimal("top-p", topP)));
        }

        private Directive model(Arguments args) {
            if (args.positional.size() != 1) {
                throw new IllegalArgumentException("write @model default, @model translation or @model variant"
                        + " KEY=VALUE...");
            }
            String which = args.positional.get(0);
            if (which.equals("default")) {
                args.done();
                return Directive.UseModel.bundled();
            }
            if (which.equals("translation")) {
                args.done();
                return new Directive.UseTranslation();
            }
            if (!which.equals("variant")) {
                throw new IllegalArgumentException("expected default, translation or variant, got " + which);
            }
            return new Directive.UseModel(true, args.pairs);
        }

        private Directive train(Arguments args) {
            if (args.positional.size() != 1) {
                throw new IllegalArgumentException("write @train start|pause|step|epoch|reset or @train set KEY=VALUE");
            }
            String action = args.positional.get(0);
            if (!action.equals("set")) {
                Directive.TrainCommand.Action parsed = constant(Directive.TrainCommand.Action.class, action, "action");
                args.done();
                return new Directive.TrainCommand(parsed);
            }
            if (args.pairs.size() != 1) {
                throw new IllegalArgumentException("@train set takes one KEY=VALUE (lr, batch, optimizer, strategy,"
                        + " speed), got " + args.pairs.size());
            }
            Map.Entry<String, String> pair = args.pairs.entrySet().iterator().next();
            Directive.TrainSetting.Key key = constant(Directive.TrainSetting.Key.class, pair.getKey(), "setting");
            return new Directive.TrainSetting(key, pair.getValue());
        }

        private Directive question(Arguments args) {
            Directive.Ask ask = ask(args);
            List<String> textLines = new ArrayList<>();
            List<String> options = new ArrayList<>();
            while (index < lines.length && !lines[index].isBlank() && !lines[index].startsWith("@")
                    && !isHeading(lines[index], false)) {
                String line = lines[index].strip();
                if (ask instanceof Directive.Ask.Choice && line.startsWith("- ")) {
                    options.add(line.substring(2).strip());
                } else if (!options.isEmpty()) {
                    throw new IllegalArgumentException("line " + (index + 1)
                            + ": the question text comes before the '- option' lines");
                } else {
                    textLines.add(line);
                }
                index++;
            }
            return new Directive.Question(ask, String.join("\n", textLines), options);
        }

        private Directive.Ask ask(Arguments args) {
            if (args.positional.size() != 1) {
                throw new IllegalArgumentException("write @question KIND key=value... (kinds: attends-most, shape,"
                        + " token-count, most-likely-next, parameter-share, choice)");
            }
            String kind = args.positional.get(0);
            if (args.flag && !kind.equals("attends-most") && !kind.equals("shape")) {
                throw new IllegalArgumentException("only attends-most and shape take the word encoder");
            }
            Directive.Ask ask = switch (kind) {
                case "attends-most" -> new Directive.Ask.AttendsMost(args.index("block", -2), args.index("head", -2),
                        args.index("token", -2), args.optional("stage") == null ? Stage.Kind.ATTENTION_SOFTMAX
                                : constant(Stage.Kind.class, args.optional("stage"), "stage kind"), args.flag);
                case "shape" -> new Directive.Ask.Shape(args.required("tensor"),
                        constant(Stage.Kind.class, args.required("stage"), "stage kind"), args.index("block", -1),
                        args.flag);
                case "token-count" -> new Directive.Ask.TokenCount();
                case "most-likely-next" -> new Directive.Ask.MostLikelyNext();
                case "parameter-share" -> new Directive.Ask.ParameterShare(
                        constant(Directive.Ask.ParameterShare.Part.class, args.required("part"), "part"));
                case "choice" -> new Directive.Ask.Choice(args.index("correct", -2));
                default -> throw new IllegalArgumentException("unknown question kind " + kind + " (known: attends-most,"
                        + " shape, token-count, most-likely-next, parameter-share, choice)");
            };
            args.done();
            return ask;
        }

        private <E extends Enum<E>> E single(Arguments args, Class<E> type, String what) {
            E value = args.onePositional(type, what);
            args.done();
            return value;
        }

        private LessonFormatException error(int line, String problem) {
            return new LessonFormatException(name, line, problem);
        }
    }

    /** The flag word that puts a stage or question on the translation model's encoder. */
    private static final String ENCODER = "encoder";

    /**
     * The words after a directive's name: positional words in order, {@code key=value} pairs, and whether the
     * directive's flag word (e.g. {@code encoder}) is written anywhere among them.
     */
    private static final class Arguments {
        final List<String> positional = new ArrayList<>();
        final Map<String, String> pairs = new LinkedHashMap<>();
        private final List<String> used = new ArrayList<>();
        boolean flag;

        Arguments(String text) {
            this(text, null);
        }

        /** @param flagWord a word that may stand anywhere, once; null when the directive takes none */
        Arguments(String text, String flagWord) {
            for (String word : text.isBlank() ? new String[0] : text.strip().split("\\s+")) {
                if (word.equals(flagWord)) {
                    if (flag) {
                        throw new IllegalArgumentException("the word " + flagWord + " is given twice");
                    }
                    flag = true;
                    continue;
                }
                int equals = word.indexOf('=');
                if (equals < 0) {
                    if (!pairs.isEmpty()) {
                        throw new IllegalArgumentException("word " + word + " comes after the key=value pairs");
                    }
                    positional.add(word);
                } else {
                    String key = word.substring(0, equals);
                    if (key.isEmpty()) {
                        throw new IllegalArgumentException("a key is missing before =" + word.substring(equals + 1));
                    }
                    if (pairs.put(key, word.substring(equals + 1)) != null) {
                        throw new IllegalArgumentException(key + "= is given twice");
                    }
                }
            }
        }

        <E extends Enum<E>> E onePositional(Class<E> type, String what) {
            if (positional.size() != 1) {
                throw new IllegalArgumentException("expected one " + what + " (" + known(type) + "), got "
                        + (positional.isEmpty() ? "none" : String.join(" ", positional)));
            }
            return constant(type, positional.get(0), what);
        }

        void noPositional() {
            if (!positional.isEmpty()) {
                throw new IllegalArgumentException("unexpected word " + positional.get(0) + " (only key=value here)");
            }
        }

        String optional(String key) {
            used.add(key);
            String value = pairs.get(key);
            if (value != null && value.isEmpty()) {
                throw new IllegalArgumentException(key + "= needs a value");
            }
            return value;
        }

        String required(String key) {
            String value = optional(key);
            if (value == null) {
                throw new IllegalArgumentException(key + "= is required");
            }
            return value;
        }

        /** A 1-based number in the file as a 0-based index; {@code absent} when missing (−2 = required). */
        int index(String key, int absent) {
            String value = optional(key);
            if (value == null) {
                if (absent == -2) {
                    throw new IllegalArgumentException(key + "= is required");
                }
                return absent;
            }
            return toIndex(key, value);
        }

        void done() {
            for (String key : pairs.keySet()) {
                if (!used.contains(key)) {
                    throw new IllegalArgumentException("unknown argument " + key + "="
                            + (used.isEmpty() ? " (this directive takes none)" : " (known: " + String.join(", ", used) + ")"));
                }
            }
        }
    }

    private static int toIndex(String key, String value) {
        int number = whole(key, value);
        if (number < 1) {
            throw new IllegalArgumentException(key + " counts from 1, got " + value);
        }
        return number - 1;
    }

    private static int whole(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got " + value);
        }
    }

    private static double decimal(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got " + value);
        }
    }

    /** The constant of {@code type} written as {@code word} (lower case, {@code -} or {@code _} between words). */
    static <E extends Enum<E>> E constant(Class<E> type, String word, String what) {
        String wanted = word.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " " + word + " (known: " + known(type) + ")");
    }

    private static <E extends Enum<E>> String known(Class<E> type) {
        List<String> words = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            words.add(Directive.word(constant));
        }
        return String.join(", ", words);
    }

    private static boolean isHeading(String line, boolean inFence) {
        return !inFence && line.startsWith("## ");
    }

    private static boolean isFence(String line) {
        return line.strip().startsWith("```");
    }

    private static String firstWord(String line) {
        int space = line.indexOf(' ');
        return space < 0 ? line : line.substring(0, space);
    }
}
