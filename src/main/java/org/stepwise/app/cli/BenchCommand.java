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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.app.DefaultModel;
import org.stepwise.files.AtomicFiles;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.Trace;
import org.stepwise.model.Transformer;
import org.stepwise.model.io.HfConfig;
import org.stepwise.model.io.ModelFolder;
import org.stepwise.model.io.ModelWeights;
import org.stepwise.tensor.MatMul;
import org.stepwise.train.TrainStepWorkload;

/**
 * {@code stepwise bench}: training throughput (forward, backward and AdamW on random batches) of the
 * default config, and, with {@code --reference}, the same measurement of the numpy reference
 * implementation on the same machine and the ratio of the two. With {@code --gpt2-small}, instead: how
 * long a GPT-2 small folder (124M parameters, random weights written here as F32 safetensors) takes to
 * open, how long one forward pass over 32 tokens with the full trace takes, and the peak heap meanwhile.
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

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N", descriptionKey = "rounds")
    int rounds;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--gpt2-small", descriptionKey = "gpt2Small")
    boolean gpt2Small;

    /** GPT-2 small: V = 50257, 1024 positions, L = 12, H = 12, C = 768. */
    static final ModelConfig GPT2_SMALL = ModelConfig.gpt2Like(50257, 1024, 12, 12, 768);
    /** Tokens of the timed forward pass. */
    static final int GPT2_TOKENS = 32;
    /** Warm forward passes timed after the first one. */
    private static final int WARM_PASSES = 3;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (gpt2Small) {
            return benchGpt2Small();
        }
        if (batchSize < 1 || steps < 1 || repeats < 1 || rounds < 1) {
            throw new BadInputException("--batch-size, --steps, --repeats and --rounds must be at least 1");
        }
        ModelConfig config = configFile == null ? DefaultModel.CONFIG : HfConfig.read(configFile);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("config", Json.MAPPER.readTree(HfConfig.toJson(config)));
        result.put("batch_size", batchSize);
        result.put("dtype", "float64");
        result.put("threads", Runtime.getRuntime().availableProcessors());
        result.put("matmul", MatMul.backend());
        TrainStepWorkload workload = new TrainStepWorkload(config, batchSize, 0);
        for (int s = 0; s < 10; s++) {   // warm-up: let the JIT compile the hot loops
            workload.step();
        }
        double tokensPerStep = (double) batchSize * config.contextLength();
        double median;
        if (reference == null) {
            median = median(measure(workload));
        } else {
            // Stepwise and the reference take turns, round by round, so a slow spell of a shared
            // machine falls on both; each round's ratio compares two measurements minutes apart at most.
            double[] ours = new double[rounds];
            double[] theirs = new double[rounds];
            double[] ratios = new double[rounds];
            List<Map<String, Object>> perRound = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                ours[round] = tokensPerStep / median(measure(workload));
                theirs[round] = runReference(config).get("tokens_per_s").asDouble();
                ratios[round] = ours[round] / theirs[round];
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("stepwise_tokens_per_s", Math.round(ours[round]));
                entry.put("reference_tokens_per_s", Math.round(theirs[round]));
                entry.put("ratio", ratios[round]);
                perRound.add(entry);
            }
            median = tokensPerStep / median(ours);
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("implementation", "numpy float64, 2 BLAS threads");
            ref.put("tokens_per_s", Math.round(median(theirs)));
            result.put("reference", ref);
            result.put("rounds", perRound);
            result.put("ratio", median(ratios));
        }
        double tokensPerSecond = tokensPerStep / median;
        result.put("train_tokens_per_s", Math.round(tokensPerSecond));
        result.put("step_ms_median", median * 1e3);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.line(result));
        } else {
            out.println(String.format(Locale.ROOT, "stepwise: %,.0f tokens/s (median step %.1f ms, batch %d × %d tokens, matrix products: %s)",
                    tokensPerSecond, median * 1e3, batchSize, config.contextLength(), MatMul.backend()));
            if (result.containsKey("ratio")) {
                for (Object entry : (List<?>) result.get("rounds")) {
                    Map<?, ?> round = (Map<?, ?>) entry;
                    out.println(String.format(Locale.ROOT, "  round: stepwise %,d tokens/s, numpy %,d tokens/s, ratio %.2f",
                            round.get("stepwise_tokens_per_s"), round.get("reference_tokens_per_s"), (double) round.get("ratio")));
                }
                out.println(String.format(Locale.ROOT, "numpy reference: %,d tokens/s; ratio stepwise/numpy = %.2f"
                                + " (median of %d rounds)", ((Map<?, ?>) result.get("reference")).get("tokens_per_s"),
                        (double) result.get("ratio"), rounds));
            }
        }
        return 0;
    }

    /**
     * Writes a GPT-2 small folder with random weights to a temporary folder, drops every reference to those weights,
     * then times {@link ModelFolder#loadCheckpoint} and {@link Trace#record} on 32 random tokens, and reads the peak
     * heap of the two (the sum of each heap pool's peak since the reset, an upper bound of the heap in use).
     */
    private Integer benchGpt2Small() throws IOException {
        Path dir = Files.createTempDirectory("stepwise-gpt2-small");
        try {
            long fileBytes = writeRandomGpt2Small(dir, 0);
            System.gc();
            resetHeapPeaks();
            long start = System.nanoTime();
            ModelFolder.Checkpoint checkpoint = ModelFolder.loadCheckpoint(dir);
            double openSeconds = (System.nanoTime() - start) / 1e9;

            Transformer model = new Transformer(checkpoint.config(), checkpoint.parameters());
            int[] ids = new SplittableRandom(1).ints(GPT2_TOKENS, 0, GPT2_SMALL.vocabSize()).toArray();
            long startCpu = processCpuNanos();
            start = System.nanoTime();
            Trace trace = Trace.record(model, ids);
            double firstSeconds = (System.nanoTime() - start) / 1e9;
            double firstCpuSeconds = (processCpuNanos() - startCpu) / 1e9;
            long peakHeap = heapPeak();
            double[] warmSeconds = new double[WARM_PASSES];
            double[] warmCpuSeconds = new double[WARM_PASSES];
            for (int pass = 0; pass < WARM_PASSES; pass++) {
                startCpu = processCpuNanos();
                start = System.nanoTime();
                trace = Trace.record(model, ids);
                warmSeconds[pass] = (System.nanoTime() - start) / 1e9;
                warmCpuSeconds[pass] = (processCpuNanos() - startCpu) / 1e9;
            }

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("model", "gpt2-small random weights");
            result.put("parameters", checkpoint.parameters().count());
            result.put("file_bytes", fileBytes);
            result.put("threads", Runtime.getRuntime().availableProcessors());
            result.put("open_s", openSeconds);
            result.put("forward_trace_tokens", GPT2_TOKENS);
            result.put("forward_trace_s", firstSeconds);
            result.put("forward_trace_warm_s_median", median(warmSeconds));
            result.put("forward_trace_cpu_s", firstCpuSeconds);
            result.put("forward_trace_warm_cpu_s_median", median(warmCpuSeconds));
            result.put("trace_tensors", trace.size());
            result.put("peak_heap_mb", peakHeap / (1024.0 * 1024.0));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.line(result));
            } else {
                out.println(String.format(Locale.ROOT, "GPT-2 small (%,d parameters, %,d-byte F32 file): open %.2f s",
                        checkpoint.parameters().count(), fileBytes, openSeconds));
                out.println(String.format(Locale.ROOT, "forward pass with the full trace (%d tokens, %d tensors):"
                        + " %.2f s first, %.2f s warm (median of %d)", GPT2_TOKENS, trace.size(), firstSeconds,
                        median(warmSeconds), WARM_PASSES));
                out.println(String.format(Locale.ROOT, "  CPU time of the process: %.2f s first, %.2f s warm"
                        + " (summed over its threads; wall time grows when other programs share the cores)", firstCpuSeconds,
                        median(warmCpuSeconds)));
                out.println(String.format(Locale.ROOT, "peak heap while opening and running: %.0f MB",
                        peakHeap / (1024.0 * 1024.0)));
            }
            return 0;
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** CPU time used so far by every thread of this process (the native BLAS's threads included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Writes config.json and an F32 model.safetensors of GPT-2 small into {@code dir} (Modified): weight matrices
     * uniform with standard deviation 0.02 (GPT-2's), LayerNorm γ = 1, biases and β uniform with deviation 0.01.
     *
     * @return the size of the weights file in bytes
     */
    private static long writeRandomGpt2Small(Path dir, long seed) throws IOException {
        ParameterLayout layout = ParameterLayout.of(GPT2_SMALL);
        Parameters parameters = layout.zeros();
        SplittableRandom random = new SplittableRandom(seed);
        double halfWidth = Math.sqrt(3.0);   // uniform on [−√3 σ, √3 σ] has standard deviation σ
        for (ParameterLayout.Spec parameter : layout.specs()) {
            double[] values = parameters.get(parameter.name()).data;
            int count = parameter.rows() * parameter.cols();
            double deviation = parameter.vector() ? 0.01 : 0.02;
            double offset = parameter.init() == ParameterLayout.Init.ONES ? 1.0 : 0.0;
            for (int i = 0; i < count; i++) {
                values[i] = offset + deviation * halfWidth * (2 * random.nextDouble() - 1);
            }
        }
        HfConfig.write(dir.resolve(ModelFolder.CONFIG), GPT2_SMALL);
        Path weights = dir.resolve(ModelFolder.WEIGHTS);
        ModelWeights.save(weights, parameters, false, Map.of("stepwise_content", "random GPT-2 small weights"));
        return Files.size(weights);
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Seconds per training step, the median of each of {@code repeats} blocks of {@code steps} steps. */
    private double[] measure(TrainStepWorkload workload) {
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
            AtomicFiles.writeBytes(configJson, HfConfig.toJson(config).getBytes(StandardCharsets.UTF_8));
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
