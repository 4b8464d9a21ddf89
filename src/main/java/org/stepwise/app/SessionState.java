package org.stepwise.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.stepwise.files.AtomicFiles;
import org.stepwise.model.io.ModelFileException;

/**
 * What the window showed when it was last saved, as kept in {@code session.json}: the model (a folder, or null
 * for the bundled model or the trainer's own), the sentence, the stage and the selection in it, the open lesson
 * and its step, the corpus name of the training, the autosave setting, and the translation window when it was on
 * screen (its model, sentences, stage and head). The training itself is autosaved
 * beside it (see {@link TrainingAutosave}).
 *
 * @param modelFolder     the folder of the model on screen, or null when it is the bundled model or the trainer's
 * @param trainerShown    true when the model on screen is the one being trained
 * @param sentence        the sentence typed in the window, or null when none was kept
 * @param stageKind       the name of the stage's {@link org.stepwise.pipeline.Stage.Kind}, or null
 * @param stageBlock      the stage's block, −1 outside the blocks
 * @param head            the attention head shown, ≥ 0
 * @param selectedToken   the selected token position, −1 for none
 * @param lessonId        the id of the open lesson, or null for none
 * @param lessonStep      the step of the open lesson (0-based), ≥ 0
 * @param corpusName      the name of the training corpus shown in the dashboard, or null
 * @param autosaveMinutes minutes between two autosaves, ≥ 1
 * @param translation     the translation window as it was on screen, or null when the visualizer was
 */
public record SessionState(Path modelFolder, boolean trainerShown, String sentence, String stageKind, int stageBlock,
        int head, int selectedToken, String lessonId, int lessonStep, String corpusName, int autosaveMinutes,
        Translation translation) {

    /**
     * The translation window as it was on screen.
     *
     * @param folder    the folder of the translation model, or null for the bundled one (or the trained one)
     * @param trained   true when the model on screen was the one being trained
     * @param source    the source sentence
     * @param target    the target so far
     * @param stageKind the name of the stage's {@link org.stepwise.pipeline.Stage.Kind}, or null
     * @param encoder   true for a stage of the encoder
     * @param block     the stage's block, −1 outside the blocks
     * @param head      the attention head shown, ≥ 0
     */
    public record Translation(Path folder, boolean trained, String source, String target, String stageKind,
            boolean encoder, int block, int head) {

        public Translation {
            if (source == null || target == null) {
                throw new IllegalArgumentException("the translation window's source and target are required");
            }
            if (block < -1 || head < 0) {
                throw new IllegalArgumentException("a translation stage needs block ≥ −1 and head ≥ 0, not " + block
                        + ", " + head);
            }
        }
    }

    /** A session with the visualizer on screen (no translation window). */
    public SessionState(Path modelFolder, boolean trainerShown, String sentence, String stageKind, int stageBlock,
            int head, int selectedToken, String lessonId, int lessonStep, String corpusName, int autosaveMinutes) {
        this(modelFolder, trainerShown, sentence, stageKind, stageBlock, head, selectedToken, lessonId, lessonStep,
                corpusName, autosaveMinutes, null);
    }

    /** Version of the file's format; a newer one is refused with a clear message. */
    public static final int FORMAT_VERSION = 1;
    /** Minutes between two autosaves unless the session file says otherwise. */
    public static final int DEFAULT_AUTOSAVE_MINUTES = 3;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public SessionState {
        if (stageBlock < -1 || head < 0 || selectedToken < -1 || lessonStep < 0) {
            throw new IllegalArgumentException("a session needs stage block ≥ −1, head ≥ 0, token ≥ −1 and lesson "
                    + "step ≥ 0, not " + stageBlock + ", " + head + ", " + selectedToken + ", " + lessonStep);
        }
        if (autosaveMinutes < 1) {
            throw new IllegalArgumentException("autosave needs at least 1 minute between saves, not " + autosaveMinutes);
        }
    }

    /** This session with another autosave interval. */
    public SessionState withAutosaveMinutes(int minutes) {
        return new SessionState(modelFolder, trainerShown, sentence, stageKind, stageBlock, head, selectedToken,
                lessonId, lessonStep, corpusName, minutes, translation);
    }

    /** Writes this session into {@code file} atomically (its folder must exist). */
    public void write(Path file) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format_version", FORMAT_VERSION);
        ObjectNode model = root.putObject("model");
        if (modelFolder == null) {
            model.putNull("folder");
        } else {
            model.put("folder", modelFolder.toString());
        }
        model.put("trainer_shown", trainerShown);
        ObjectNode view = root.putObject("view");
        view.put("sentence", sentence);
        view.put("stage", stageKind);
        view.put("block", stageBlock);
        view.put("head", head);
        view.put("token", selectedToken);
        ObjectNode lesson = root.putObject("lesson");
        lesson.put("id", lessonId);
        lesson.put("step", lessonStep);
        ObjectNode training = root.putObject("training");
        training.put("corpus", corpusName);
        ObjectNode settings = root.putObject("settings");
        settings.put("autosave_minutes", autosaveMinutes);
        if (translation != null) {
            ObjectNode shown = root.putObject("translation");
            if (translation.folder() == null) {
                shown.putNull("folder");
            } else {
                shown.put("folder", translation.folder().toString());
            }
            shown.put("trained", translation.trained());
            shown.put("source", translation.source());
            shown.put("target", translation.target());
            shown.put("stage", translation.stageKind());
            shown.put("encoder", translation.encoder());
            shown.put("block", translation.block());
            shown.put("head", translation.head());
        }
        byte[] bytes = (JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeBytes(file, bytes);
    }

    /**
     * The session kept in {@code file}, or null when there is no such file.
     *
     * @throws ModelFileException when the file is not a session this Stepwise can read; the message names the file
     */
    public static SessionState read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException none) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException broken) {
            throw new ModelFileException(file, "is not valid JSON: " + broken.getOriginalMessage(), broken);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(file, "must hold one JSON object");
        }
        int version = whole(root.path("format_version"), "format_version", file, 1);
        if (version > FORMAT_VERSION) {
            throw new ModelFileException(file, "has format version " + version + "; this Stepwise reads up to "
                    + FORMAT_VERSION);
        }
        JsonNode model = root.path("model");
        JsonNode view = root.path("view");
        JsonNode lesson = root.path("lesson");
        String folder = text(model.path("folder"));
        try {
            return new SessionState(folder == null ? null : Path.of(folder), model.path("trainer_shown").asBoolean(true),
                    text(view.path("sentence")), text(view.path("stage")),
                    whole(view.path("block"), "view.block", file, -1), whole(view.path("head"), "view.head", file, 0),
                    whole(view.path("token"), "view.token", file, -1), text(lesson.path("id")),
                    whole(lesson.path("step"), "lesson.step", file, 0), text(root.path("training").path("corpus")),
                    whole(root.path("settings").path("autosave_minutes"), "settings.autosave_minutes", file,
                            DEFAULT_AUTOSAVE_MINUTES), translation(root.path("translation"), file));
        } catch (IllegalArgumentException wrong) {
            throw new ModelFileException(file, "holds a session that cannot be used: " + wrong.getMessage(), wrong);
        }
    }

    /** The translation window of the file, or null when it kept none. */
    private static Translation translation(JsonNode node, Path file) throws ModelFileException {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ModelFileException(file, "\"translation\" must be an object, not " + node);
        }
        String folder = text(node.path("folder"));
        String source = text(node.path("source"));
        String target = text(node.path("target"));
        return new Translation(folder == null ? null : Path.of(folder), node.path("trained").asBoolean(false),
                source == null ? "" : source, target == null ? "" : target, text(node.path("stage")),
                node.path("encoder").asBoolean(false), whole(node.path("block"), "translation.block", file, -1),
                whole(node.path("head"), "translation.head", file, 0));
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }

    /** A whole number, or {@code absent} when the field is missing or null. */
    private static int whole(JsonNode node, String name, Path file, int absent) throws ModelFileException {
        if (node.isMissingNode() || node.isNull()) {
            return absent;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new ModelFileException(file, "\"" + name + "\" must be a whole number, not " + node);
        }
        return node.intValue();
    }
}
