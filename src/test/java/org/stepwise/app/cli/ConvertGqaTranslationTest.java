package org.stepwise.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.train.ParallelCorpus;
import org.stepwise.train.TranslationGqaComparison;
import org.stepwise.train.TranslationLoop;

/** {@code stepwise convert-gqa} on the bundled English→Chinese translation model. */
class ConvertGqaTranslationTest {

    private static final Path MODEL = Path.of("assets", "model-en-zh");
    private static final Path TEST_PAIRS = Path.of("assets", "corpus", "en-zh", "test.tsv");

    @TempDir
    Path work;

    @Test
    void convertsEveryAttentionLayerAndReportsLossesOnTheTestPairs() throws IOException {
        Path out = work.resolve("gqa2");
        CliTest.Result result = CliTest.run("convert-gqa", "--model", MODEL.toString(), "--kv-heads", "2",
                "--out", out.toString(), "--json");
        assertEquals(0, result.code(), result.err());
        JsonNode report = result.jsonLines().get(0);

        LoadedEncoderDecoder original = EncoderDecoderFolder.load(MODEL);
        LoadedEncoderDecoder converted = EncoderDecoderFolder.load(out);
        assertEquals(2, converted.config().shared().nKvHead());
        assertEquals(original.config().withShared(original.config().shared().withAttention(4, 2)), converted.config());
        assertEquals(2 * 2 * 16, converted.parameters().get("h.0.crossattention.c_attn.weight").numCols); // 2·G·D
        assertEquals(64 + 2 * 2 * 16, converted.parameters().get("encoder.h.1.attn.c_attn.weight").numCols); // C + 2·G·D
        ParallelCorpus pairs = ParallelCorpus.read(TEST_PAIRS);
        double before = TranslationGqaComparison.loss(original.config(), original.parameters(),
                TranslationLoop.encode(original, pairs));
        double after = TranslationGqaComparison.loss(converted.config(), converted.parameters(),
                TranslationLoop.encode(converted, pairs));
        assertEquals(before, report.get("pairs_loss_before").asDouble(), 0.0);
        assertEquals(after, report.get("pairs_loss_after").asDouble(), 1e-5);   // saved as float32
        assertTrue(after > before, "pooling trained heads costs some loss: " + before + " → " + after);
        assertEquals(2 * 2 * 4 * 16 * 4, report.get("kv_cache_bytes_per_token_before").asLong()); // 2·L·G·D·4 B
        assertEquals(2 * 2 * 2 * 16 * 4, report.get("kv_cache_bytes_per_token_after").asLong());
        assertEquals(converted.sourceTokenizer().vocabSize(), original.sourceTokenizer().vocabSize());
        assertTrue(converted.lowercaseSource());
    }

    @Test
    void plainTextReportAndBadInput() throws IOException {
        Path out = work.resolve("mqa");
        CliTest.Result result = CliTest.run("convert-gqa", "--model", MODEL.toString(), "--kv-heads", "1",
                "--out", out.toString(), "--corpus", TEST_PAIRS.toString());
        assertEquals(0, result.code(), result.err());
        assertTrue(result.out().contains("test.tsv"), result.out());
        assertTrue(result.out().contains("1024 bytes before, 256 bytes after (75.0% less)"), result.out());

        Path never = work.resolve("never");
        CliTest.Result notADivisor = CliTest.run("convert-gqa", "--model", MODEL.toString(), "--kv-heads", "3",
                "--out", never.toString());
        assertEquals(Cli.BAD_INPUT, notADivisor.code());
        assertTrue(notADivisor.err().contains("do not divide the model's 4"), notADivisor.err());
        assertFalse(Files.exists(never));
    }
}
