package org.stepwise.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.train.GqaComparison;
import org.stepwise.train.TrainingSettings;

/** {@code stepwise convert-gqa} on the bundled model: the saved folder, the printed figures, bad input. */
class ConvertGqaCommandTest {

    private static final Path DEFAULT_MODEL = Path.of("assets", "model");
    private static final Path ENGLISH = Path.of("assets", "corpus", "english.txt");

    @TempDir
    Path work;

    @Test
    void convertsTheBundledModelAndPrintsTheLossesOfBothModels() throws IOException {
        Path out = work.resolve("gqa2");
        CliTest.Result result = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads", "2",
                "--out", out.toString(), "--json");
        assertEquals(0, result.code(), result.err());
        JsonNode report = result.jsonLines().get(0);

        LoadedModel original = ModelFolder.load(DEFAULT_MODEL);
        LoadedModel converted = ModelFolder.load(out);
        assertEquals(4, original.config().nKvHead());
        assertEquals(2, converted.config().nKvHead());
        assertEquals(original.config().withAttention(4, 2), converted.config());
        int[] ids = original.tokenizer().encode(Files.readString(ENGLISH)).ids();
        TrainingSettings settings = TrainingSettings.defaults();
        double before = GqaComparison.validationLoss(original.config(), original.parameters(), ids, settings);
        double after = GqaComparison.validationLoss(converted.config(), converted.parameters(), ids, settings);
        assertEquals(before, report.get("val_loss_before").asDouble(), 0.0);
        assertEquals(after, report.get("val_loss_after").asDouble(), 0.0);
        assertTrue(after > before, "pooling trained heads costs some loss: " + before + " → " + after);
        assertEquals(2 * 2 * 4 * 16 * 4, report.get("kv_cache_bytes_per_token_before").asLong()); // 2·L·G·D·4 B
        assertEquals(2 * 2 * 2 * 16 * 4, report.get("kv_cache_bytes_per_token_after").asLong());
        assertEquals(4, report.get("kv_heads_before").asInt());
        assertEquals(2, report.get("kv_heads_after").asInt());
        try (Stream<Path> siblings = Files.list(work)) {
            assertEquals(1, siblings.count(), "no staging folder is left behind");
        }
    }

    @Test
    void plainTextReportNamesEveryFigure() {
        Path out = work.resolve("mqa");
        CliTest.Result result = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads", "1",
                "--out", out.toString(), "--corpus", ENGLISH.toString());
        assertEquals(0, result.code(), result.err());
        String text = result.out();
        assertTrue(text.contains("english.txt"), text);
        assertTrue(text.contains("(4 key/value heads)"), text);
        assertTrue(text.contains("(1 key/value heads)"), text);
        assertTrue(text.contains("1024 bytes before, 256 bytes after (75.0% less)"), text);
        assertTrue(Files.isRegularFile(out.resolve(ModelFolder.WEIGHTS)));
    }

    @Test
    void badInputEndsWithExitCodeTwoAndWritesNothing() throws IOException {
        Path out = work.resolve("never");
        CliTest.Result notADivisor = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads",
                "3", "--out", out.toString());
        assertEquals(Cli.BAD_INPUT, notADivisor.code());
        assertTrue(notADivisor.err().contains("3 key/value heads do not divide the model's 4"), notADivisor.err());
        CliTest.Result zero = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads", "0",
                "--out", out.toString());
        assertEquals(Cli.BAD_INPUT, zero.code());
        assertTrue(zero.err().contains("at least 1"), zero.err());
        assertFalse(Files.exists(out));

        Path taken = work.resolve("taken");
        Files.createDirectories(taken);
        Files.writeString(taken.resolve("notes.txt"), "keep me");
        CliTest.Result occupied = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads", "2",
                "--out", taken.toString());
        assertEquals(Cli.BAD_INPUT, occupied.code());
        assertTrue(occupied.err().contains("not an empty folder"), occupied.err());
        assertEquals("keep me", Files.readString(taken.resolve("notes.txt")));

        Path tiny = work.resolve("tiny.txt");
        Files.writeString(tiny, "a few words");
        CliTest.Result tooShort = CliTest.run("convert-gqa", "--model", DEFAULT_MODEL.toString(), "--kv-heads", "2",
                "--out", out.toString(), "--corpus", tiny.toString());
        assertEquals(Cli.BAD_INPUT, tooShort.code());
        assertFalse(Files.exists(out));
    }
}
