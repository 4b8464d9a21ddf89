package org.stepwise.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.io.HfConfig;
import org.stepwise.tensor.MatMul;
import org.stepwise.train.TrainStepWorkload;

/**
 * {@code stepwise bench}: training throughput (forward, backward and AdamW on random batches) of the
 * default config, and, with {@code --reference}, the same measurement of the numpy reference
 * implementation on the same machine and the ratio of the two.
 */
@Command(name = "bench", resourceBundle = Cli.BUNDLE)
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", descriptionKey = "config")
    Path configFile;

    @Option(names = "--batch-size", defaultValue = "16", paramLabel = "B", descriptionKey = "batchSize")
    int batchSize;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N", descriptionKey = "benchSteps")
    int steps;

    @Option(names = "--repeats", defaultValue = "5", paramLabel = "N", descriptionKey = "repeats")
    int repeats;

    @Option(names = "--reference", paramLabel = "SCRIPT", descriptionKey = "reference")
    Path reference;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (batchSize < 1 || steps < 1 || repeats < 1) {
            throw new BadInputException("--batch-size, --steps and --repeats must be at least 1");
        }
        ModelConfig config = configFile == null ? DefaultModel.CONFIG : HfConfig.read(configFile);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("config", Json.MAPPER.readTree(HfConfig.toJson(config)));
        result.put("batch_size", batchSize);
        result.put("dtype", "float64");
        result.put("threads", Runtime.getRuntime().availableProcessors());
        result.put("matmul", MatMul.backend());
        double[] stepSeconds = measure(config);
        double median = median(stepSeconds);
        double tokensPerSecond = (double) batchSize * config.contextLength() / median;
        result.put("train_tokens_per_s", Math.round(tokensPerSecond));
        result.put("step_ms_median", median * 1e3);
        if (reference != null) {
            JsonNode numpy = runReference(config);
            double referenceTokens = numpy.get("tokens_per_s").asDouble();
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("implementation", "numpy float64, 2 BLAS threads");
            ref.put("tokens_per_s", Math.round(referenceTokens));
            ref.put("step_ms_median", numpy.get("step_s_median").asDouble() * 1e3);
            result.put("reference", ref);
            result.put("ratio", tokensPerSecond / referenceTokens);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.line(result));
        } else {
            out.println(String.format(Locale.ROOT, "stepwise: %,.0f tokens/s (median step %.1f ms, batch %d × %d tokens, matrix products: %s)",
                    tokensPerSecond, median * 1e3, batchSize, config.contextLength(), MatMul.backend()));
            if (result.containsKey("ratio")) {
                out.println(String.format(Locale.ROOT, "numpy reference: %,d tokens/s; ratio stepwise/numpy = %.2f",
                        ((Map<?, ?>) result.get("reference")).get("tokens_per_s"), (double) result.get("ratio")));
            }
        }
        return 0;
    }

    /** Seconds per training step, the median of each of {@code repeats} blocks of {@code steps} steps. */
    private double[] measure(ModelConfig config) {
        TrainStepWorkload workload = new TrainStepWorkload(config, batchSize, 0);
        for (int s = 0; s < 10; s++) {   // warm-up: let the JIT compile the hot loops
            workload.step();
        }
        double[] perStep = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                workload.step();
            }
            perStep[r] = (System.nanoTime() - start) / 1e9 / steps;
        }
        return perStep;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** Runs the numpy reference's own benchmark on the same config, float64, two BLAS threads. */
    private JsonNode runReference(ModelConfig config) throws IOException, InterruptedException {
        if (!Files.isRegularFile(reference)) {
            throw new BadInputException("no such file: " + reference);
        }
        Path configJson = Files.createTempFile("stepwise-bench", ".json");
        try {
            Files.writeString(configJson, HfConfig.toJson(config), StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>(List.of("python3", reference.toString(), "bench", "--config-json",
                    configJson.toString(), "--dtype", "float64", "--batch", Integer.toString(batchSize), "--steps",
                    Integer.toString(steps), "--repeats", Integer.toString(repeats), "--json"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
            // The reference's own advice: two BLAS threads, no OpenBLAS core-type override.
            builder.environment().remove("OPENBLAS_CORETYPE");
            builder.environment().remove("OPENBLAS_L2_SIZE");
            builder.environment().put("OPENBLAS_NUM_THREADS", "2");
            builder.redirectError(ProcessBuilder.Redirect.INHERIT);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new BadInputException("the reference benchmark failed (exit code " + process.exitValue() + ")");
            }
            String last = output.strip().lines().reduce((a, b) -> b).orElse("");
            return Json.MAPPER.readTree(last);
        } finally {
            Files.deleteIfExists(configJson);
        }
    }
}
