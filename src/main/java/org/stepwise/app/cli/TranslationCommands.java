package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.EncoderDecoder;
import org.stepwise.model.Trace;
import org.stepwise.model.TraceSink;
import org.stepwise.model.io.EncoderDecoderFolder;
import org.stepwise.model.io.LoadedEncoderDecoder;
import org.stepwise.model.io.TraceFile;
import org.stepwise.sample.Sampler;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.sample.Translator;

/** {@code forward} and {@code generate} with {@code --source} on an encoder-decoder (translation) model folder. */
final class TranslationCommands {

    private TranslationCommands() {
    }

    /** True when {@code dir} holds an encoder-decoder model. */
    static boolean isTranslationModel(Path dir) {
        return EncoderDecoderFolder.isEncoderDecoder(dir);
    }

    /**
     * The logits of every decoder position for a source sentence and the target so far: the decoder reads the start
     * id, then {@code targetIds} (may be empty).
     */
    static void forward(Path dir, String sourceText, String targetText, String targetIdList, boolean json, Path dump,
                        PrintWriter out) throws IOException {
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(dir);
        int context = model.config().shared().contextLength();
        int[] source = sourceIds(model, sourceText);
        int[] target;
        if (targetIdList != null) {
            target = ModelOptions.parseIds(targetIdList, model.config().targetVocabSize());
        } else if (targetText != null && !targetText.isEmpty()) {
            target = model.targetTokenizer().encode(targetText).ids();
        } else {
            target = new int[0];
        }
        int[] decoderInput = new int[target.length + 1];
        decoderInput[0] = model.startId();
        System.arraycopy(target, 0, decoderInput, 1, target.length);
        ModelOptions.checkLength(decoderInput, context);
        EncoderDecoder encoderDecoder = new EncoderDecoder(model.config(), model.parameters());
        DMatrixRMaj logits;                                                   // [T, V]
        if (dump != null) {
            Trace trace = Trace.record(encoderDecoder, source, decoderInput);
            TraceFile.write(dump, trace, decoderInput);
            logits = trace.logits();
        } else {
            logits = encoderDecoder.forward(source, decoderInput, TraceSink.NONE);
        }
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("source_ids", source);
            result.put("ids", decoderInput);
            double[][] rows = new double[logits.numRows][logits.numCols];
            for (int t = 0; t < logits.numRows; t++) {
                System.arraycopy(logits.data, t * logits.numCols, rows[t], 0, logits.numCols);
            }
            result.put("logits", rows);
            out.println(Json.line(result));
            return;
        }
        Sampler sampler = new Sampler();
        for (int t = 0; t < decoderInput.length; t++) {
            double[] row = new double[logits.numCols];
            System.arraycopy(logits.data, t * logits.numCols, row, 0, row.length);
            double[] p = sampler.probabilities(row, SamplingSettings.PLAIN);
            StringBuilder line = new StringBuilder();
            line.append(t).append('\t').append(model.targetTokenizer().token(decoderInput[t])).append("\t→");
            boolean[] used = new boolean[p.length];
            for (int k = 0; k < Math.min(3, p.length); k++) {
                int best = -1;
                for (int i = 0; i < p.length; i++) {
                    if (!used[i] && (best < 0 || p[i] > p[best])) {
                        best = i;
                    }
                }
                used[best] = true;
                line.append(String.format(Locale.ROOT, "  %s %.3f", model.targetTokenizer().token(best), p[best]));
            }
            out.println(line);
        }
    }

    /** Translates a source sentence token by token (greedy at temperature 0) and prints the translation. */
    static void generate(Path dir, String sourceText, int maxNewTokens, SamplingSettings settings, long seed,
                         boolean json, PrintWriter out) throws IOException {
        LoadedEncoderDecoder model = EncoderDecoderFolder.load(dir);
        int[] source = sourceIds(model, sourceText);
        Translator translator = new Translator(new EncoderDecoder(model.config(), model.parameters()));
        int[] ids = translator.translate(source, model.startId(), model.endId(), maxNewTokens, settings,
                new SplittableRandom(seed));
        String text = model.targetTokenizer().decode(ids);
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("source_ids", source);
            result.put("ids", ids);
            result.put("text", text);
            out.println(Json.line(result));
        } else {
            out.println(text);
        }
    }

    private static int[] sourceIds(LoadedEncoderDecoder model, String sourceText) {
        if (sourceText.isBlank()) {
            throw new BadInputException("the source sentence is empty: give at least one word");
        }
        int[] source = model.encodeSource(sourceText);
        ModelOptions.checkLength(source, model.config().shared().contextLength());
        return source;
    }
}
