package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import org.ejml.data.DMatrixRMaj;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.model.Trace;
import org.stepwise.model.TraceSink;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.model.io.TraceFile;

/** {@code stepwise forward}: the logits of a sequence, and optionally every named tensor of the pass. */
@Command(name = "forward", resourceBundle = Cli.BUNDLE)
final class ForwardCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", descriptionKey = "model")
    Path modelDir;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    static final class Source {
        @Option(names = "--ids", paramLabel = "1,2,3", descriptionKey = "ids")
        String ids;

        @Option(names = "--text", paramLabel = "TEXT", descriptionKey = "text")
        String text;

        @Option(names = "--input", paramLabel = "FILE", descriptionKey = "inputIds")
        Path input;
    }

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--dump", paramLabel = "FILE", descriptionKey = "dump")
    Path dump;

    @Option(names = "--source", paramLabel = "TEXT", descriptionKey = "sourceSentence")
    String sourceSentence;

    @Override
    public Integer call() throws IOException {
        if (TranslationCommands.isTranslationModel(modelDir)) {
            if (sourceSentence == null) {
                throw new BadInputException(modelDir + " holds a translation model: give the sentence to translate with"
                        + " --source (and the translation so far, if any, with --text or --ids)");
            }
            if (source != null && source.input != null) {
                throw new BadInputException("--input is for a decoder-only model; a translation model reads --source");
            }
            TranslationCommands.forward(modelDir, sourceSentence, source == null ? null : source.text,
                    source == null ? null : source.ids, json, dump, spec.commandLine().getOut());
            return 0;
        }
        if (sourceSentence != null) {
            throw new BadInputException("--source is for a translation (encoder-decoder) model, and " + modelDir
                    + " holds a decoder-only model");
        }
        if (source == null) {
            throw new BadInputException("give the tokens to run with --ids, --text or --input");
        }
        LoadedModel model = ModelOptions.open(modelDir);
        int vocab = model.config().vocabSize();
        List<int[]> sequences = new ArrayList<>();
        if (source.input != null) {
            if (dump != null) {
                throw new BadInputException("--dump writes the tensors of one sequence: use it with --ids or --text");
            }
            int line = 0;
            for (JsonNode node : Json.readLines(source.input)) {
                line++;
                if (!node.isArray()) {
                    throw new BadInputException(source.input + ": value " + line + " is not a JSON array of token ids");
                }
                int[] ids = new int[node.size()];
                for (int i = 0; i < ids.length; i++) {
                    if (!node.get(i).canConvertToExactIntegral() || !node.get(i).canConvertToInt()) {
                        throw new BadInputException(source.input + ": value " + line + " holds " + node.get(i)
                                + ", which is not a token id");
                    }
                    ids[i] = node.get(i).intValue();
                }
                sequences.add(ids);
            }
        } else if (source.ids != null) {
            sequences.add(ModelOptions.parseIds(source.ids, vocab));
        } else {
            sequences.add(ModelOptions.encode(model.tokenizer(), source.text));
        }
        for (int[] ids : sequences) {
            ModelOptions.checkIds(ids, vocab);
            ModelOptions.checkLength(ids, model.config().contextLength());
        }
        Transformer transformer = new Transformer(model.config(), model.parameters());
        PrintWriter out = spec.commandLine().getOut();
        for (int[] ids : sequences) {
            DMatrixRMaj logits;
            if (dump != null) {
                Trace trace = Trace.record(transformer, ids);
                TraceFile.write(dump, trace, ids);
                logits = trace.logits();
            } else {
                logits = transformer.forward(ids, TraceSink.NONE);   // [T, V]
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("ids", ids);
                double[][] rows = new double[logits.numRows][logits.numCols];
                for (int t = 0; t < logits.numRows; t++) {
                    System.arraycopy(logits.data, t * logits.numCols, rows[t], 0, logits.numCols);
                }
                result.put("logits", rows);
                out.println(Json.line(result));
            } else {
                printReadable(out, model, ids, logits);
            }
        }
        return 0;
    }

    /** For each position: the token and the three most likely next tokens. */
    private static void printReadable(PrintWriter out, LoadedModel model, int[] ids, DMatrixRMaj logits) {
        for (int t = 0; t < ids.length; t++) {
            double[] row = new double[logits.numCols];
            System.arraycopy(logits.data, t * logits.numCols, row, 0, row.length);
            double[] p = new org.stepwise.sample.Sampler().probabilities(row, org.stepwise.sample.SamplingSettings.PLAIN);
            StringBuilder line = new StringBuilder();
            line.append(t).append('\t').append(model.tokenizer().token(ids[t])).append("\t→");
            boolean[] used = new boolean[p.length];
            for (int k = 0; k < Math.min(3, p.length); k++) {
                int best = -1;
                for (int i = 0; i < p.length; i++) {
                    if (!used[i] && (best < 0 || p[i] > p[best])) {
                        best = i;
                    }
                }
                used[best] = true;
                line.append(String.format(java.util.Locale.ROOT, "  %s %.3f", model.tokenizer().token(best), p[best]));
            }
            out.println(line);
        }
    }
}
