package org.stepwise.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.train.Dataset;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TrainingSnapshot;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.VisualizerViewModel;
import org.stepwise.ui.training.Corpus;
import org.stepwise.ui.training.TrainingDashboard;
import org.stepwise.ui.training.TrainingViewModel;

/**
 * Training throughput with and without the window (a program, not a test): the default model on the bundled
 * English corpus with {@link TrainingSettings#defaults()} (batch 16 × 64 tokens, AdamW), trained (1) headless, a
 * {@link TrainingLoop} stepped on a plain thread with nothing watching, (2) by the training dashboard alone, and
 * (3) by the dashboard beside the visualizer's main window, wired as the application wires them (the visualizer
 * follows the trained weights, on the attention pattern of block 1's first head). The three runs are interleaved round after round, so a change in the load of a
 * shared machine touches all three alike; it prints tokens per second of every run, the medians, and the ratios
 * to the headless median (the issue asks for at least 0.8 with the window open), and which threads (the JVM's,
 * and on Linux the JIT compiler's, the collector's and native ones) used the CPU. All three paths are warmed up
 * first, so the figures are those of a session past its first minute.
 * Run: {@code mvn -q -o test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.stepwise.bench.TrainingThroughputBenchmark} (optional {@code -Dexec.args="ROUNDS SECONDS"},
 * default 3 rounds of 8 s per run). Without a display it runs on Monocle's headless platform.
 */
public final class TrainingThroughputBenchmark {

    private static final ResourceBundle MESSAGES = I18n.bundle(Locale.ENGLISH);
    private static final int WIDTH = 1560;
    private static final int HEIGHT = 940;
    /** Unmeasured runs of the window paths before the measured rounds. */
    private static final int WINDOW_WARM_UPS = 2;

    private TrainingThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 8;
        if (rounds < 1 || !(seconds > 0)) {
            throw new IllegalArgumentException("rounds must be at least 1 and seconds positive, got " + rounds
                    + " and " + seconds);
        }
        if (System.getenv("DISPLAY") == null && System.getProperty("glass.platform") == null) {
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            System.setProperty("prism.order", "sw");
            System.setProperty("headless.geometry", WIDTH + 40 + "x" + (HEIGHT + 60) + "-32"); // the window fits the screen
        }
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        Platform.setImplicitExit(false);

        LoadedModel model = DefaultModel.load();
        Corpus corpus = Corpus.english();
        TrainingSettings settings = TrainingSettings.defaults();
        int tokensPerIteration = settings.batchSize() * model.config().contextLength();
        System.out.printf(Locale.ROOT, "default model (%d layers, %d heads, d_model %d, vocabulary %d), batch %d × %d"
                        + " tokens, %s; %d processors; %d rounds of %.0f s per run, runs interleaved%n",
                model.config().nLayer(), model.config().nHead(), model.config().dModel(), model.config().vocabSize(),
                settings.batchSize(), model.config().contextLength(), settings.optimizer(),
                Runtime.getRuntime().availableProcessors(), rounds, seconds);

        // JIT warm-up of all three paths, not counted: the window's code (CSS, layout, rendering) keeps the JIT
        // compiler busy for tens of seconds, a cost of the first minute of a session, not of training.
        headless(model, corpus, settings, Math.min(seconds, 5));
        for (int warmUp = 0; warmUp < WINDOW_WARM_UPS; warmUp++) {
            windowed(model, corpus, settings, seconds, false);
            windowed(model, corpus, settings, seconds, true);
        }
        System.out.println("  (warm-up done)");
        List<Double> headless = new ArrayList<>();
        List<Double> dashboard = new ArrayList<>();
        List<Double> window = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            double alone = headless(model, corpus, settings, seconds) * tokensPerIteration;
            double withDashboard = windowed(model, corpus, settings, seconds, false) * tokensPerIteration;
            double withWindow = windowed(model, corpus, settings, seconds, true) * tokensPerIteration;
            headless.add(alone);
            dashboard.add(withDashboard);
            window.add(withWindow);
            System.out.printf(Locale.ROOT, "round %d: headless %,.0f tokens/s · dashboard %,.0f (%.2f) · dashboard and"
                    + " visualizer %,.0f (%.2f)%n", round, alone, withDashboard, withDashboard / alone, withWindow,
                    withWindow / alone);
        }
        double base = median(headless);
        System.out.printf(Locale.ROOT, "median: headless %,.0f tokens/s; dashboard %,.0f tokens/s, ratio %.2f;"
                        + " dashboard and visualizer %,.0f tokens/s, ratio %.2f%n", base, median(dashboard),
                median(dashboard) / base, median(window), median(window) / base);
        Platform.exit();
        System.exit(0);
    }

    /** Iterations per second of a training loop stepped on its own thread for {@code seconds}, nothing watching. */
    private static double headless(LoadedModel model, Corpus corpus, TrainingSettings settings, double seconds)
            throws InterruptedException {
        Dataset data = new Dataset(model.tokenizer().encode(corpus.text()).ids(), model.config().contextLength(),
                TrainingViewModel.VALIDATION_FRACTION);
        TrainingLoop loop = new TrainingLoop(model.config(), model.parameters().copy(), data, settings);
        AtomicBoolean training = new AtomicBoolean(true);
        long[] iterations = {0};
        long[] elapsed = {0};
        Thread trainer = new Thread(() -> {
            long start = System.nanoTime();
            while (training.get()) {
                loop.stepIteration();
                iterations[0]++;
            }
            elapsed[0] = System.nanoTime() - start;
        }, "benchmark-headless-trainer");
        Map<String, Long> cpuBefore = cpuByThread();
        long wallBefore = System.nanoTime();
        trainer.start();
        Thread.sleep((long) (seconds * 1000));
        training.set(false);
        trainer.join();
        printCpuShares("headless", cpuBefore, cpuByThread(), System.nanoTime() - wallBefore);
        return iterations[0] / (elapsed[0] / 1e9);
    }

    /**
     * Iterations per second of the dashboard's own trainer over {@code seconds} of full-speed training, in a window
     * of the application's size holding the dashboard, and with {@code withVisualizer} the visualizer beside it,
     * following the trained weights as in the application.
     */
    private static double windowed(LoadedModel model, Corpus corpus, TrainingSettings settings, double seconds,
            boolean withVisualizer) throws Exception {
        AtomicReference<Stage> stage = new AtomicReference<>();
        AtomicReference<TrainingViewModel> training = new AtomicReference<>();
        AtomicReference<VisualizerViewModel> visualizer = new AtomicReference<>();
        onFx(() -> {
            TrainingViewModel trainingModel = new TrainingViewModel(MESSAGES);
            TrainingDashboard dashboard = new TrainingDashboard(MESSAGES, trainingModel);
            dashboard.setPrefWidth(500);
            dashboard.setMinWidth(420);
            Scene scene;
            if (withVisualizer) {
                VisualizerViewModel viewModel = new VisualizerViewModel(model, MESSAGES,
                        MESSAGES.getString("ui.defaultSentence"));
                MainWindow window = new MainWindow(viewModel, MESSAGES);
                window.root().setRight(dashboard);
                dashboard.addWeightsListener(weights -> showIfSameModel(viewModel, model, weights));
                scene = new Scene(window.root(), WIDTH, HEIGHT);
                scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
                visualizer.set(viewModel);
            } else {
                scene = new Scene(dashboard, 500, HEIGHT);
            }
            Stage shown = new Stage();
            shown.setScene(scene);
            shown.show();
            trainingModel.train(model, corpus, settings);
            stage.set(shown);
            training.set(trainingModel);
        });
        TrainingViewModel trainingModel = training.get();
        awaitOnFx(() -> trainingModel.snapshotProperty().get() != null);
        if (withVisualizer) {
            awaitOnFx(() -> visualizer.get().runProperty().get() != null);
            // The stage a class watches while the model trains: an attention pattern, which the weights change.
            onFx(() -> visualizer.get().openStage(
                    org.stepwise.pipeline.Stage.of(org.stepwise.pipeline.Stage.Kind.ATTENTION_SOFTMAX, 0), 0));
        }
        onFx(trainingModel::start);
        awaitOnFx(() -> {
            TrainingSnapshot now = trainingModel.snapshotProperty().get();
            return now.running() && now.iteration() >= 3;
        });
        long[] first = iterationAndTime(trainingModel);
        Map<String, Long> cpuBefore = cpuByThread();
        Thread.sleep((long) (seconds * 1000));
        long[] last = iterationAndTime(trainingModel);
        printCpuShares(withVisualizer ? "dashboard and visualizer" : "dashboard", cpuBefore, cpuByThread(),
                last[1] - first[1]);
        onFx(() -> {
            trainingModel.close();
            if (visualizer.get() != null) {
                visualizer.get().close();
            }
            stage.get().close();
        });
        return (last[0] - first[0]) / ((last[1] - first[1]) / 1e9);
    }

    /** CPU nanoseconds used so far by every live thread, summed by thread name with digits dropped (pools). */
    private static Map<String, Long> cpuByThread() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new TreeMap<>();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean system) {
            byName.put("(whole process)", system.getProcessCpuTime());   // Java threads, GC and native threads
        }
        nativeThreads(byName);
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                byName.merge(info.getThreadName().replaceAll("[0-9]+", "#"), cpu, Long::sum);
            }
        }
        return byName;
    }

    /**
     * On Linux, adds the threads the JVM does not list (garbage collector, JIT compiler, native libraries' own
     * threads) from {@code /proc/self/task}, named "[os] name", in nanoseconds (from clock ticks of 10 ms).
     */
    private static void nativeThreads(Map<String, Long> byName) {
        java.nio.file.Path tasks = java.nio.file.Path.of("/proc/self/task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return;
        }
        try (java.util.stream.Stream<java.nio.file.Path> list = java.nio.file.Files.list(tasks)) {
            for (java.nio.file.Path task : list.toList()) {
                try {
                    String name = java.nio.file.Files.readString(task.resolve("comm")).strip();
                    String stat = java.nio.file.Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);   // utime + stime
                    byName.merge("[os] " + name.replaceAll("[0-9]+", "#"), ticks * 10_000_000L, Long::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException unreadable) {
            // no breakdown
        }
    }

    /** Prints which threads used the CPU between two readings, as a share of one core, largest first. */
    private static void printCpuShares(String run, Map<String, Long> before, Map<String, Long> after, long wallNanos) {
        StringBuilder line = new StringBuilder("  cpu (share of one core) in ").append(run).append(':');
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > wallNanos / 100)
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> line.append(String.format(Locale.ROOT, " %s %.2f;", e.getKey(),
                        e.getValue() / (double) wallNanos)));
        Long whole = after.get("(whole process)");
        if (whole != null) {
            long trainer = 0;
            for (String name : List.of("(whole process)", "stepwise-model-#", "stepwise-trainer", "benchmark-headless-trainer")) {
                long used = after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
                trainer += name.startsWith("(") ? used : -used;
            }
            line.append(String.format(Locale.ROOT, " => all but the trainer's threads %.2f", trainer / (double) wallNanos));
        }
        System.out.println(line);
    }

    /** As the application does: the visualizer takes weights only of the model it shows. */
    private static void showIfSameModel(VisualizerViewModel viewModel, LoadedModel model, Parameters weights) {
        try {
            ParameterLayout.of(model.config()).check(weights);
        } catch (IllegalArgumentException otherModel) {
            return;
        }
        viewModel.setLiveWeights(weights);
    }

    /** The trainer's iteration count as the FX thread last saw it, and the time the snapshot was read. */
    private static long[] iterationAndTime(TrainingViewModel trainingModel) throws Exception {
        AtomicReference<long[]> seen = new AtomicReference<>();
        onFx(() -> seen.set(new long[] {trainingModel.snapshotProperty().get().iteration(), System.nanoTime()}));
        return seen.get();
    }

    private static void onFx(Runnable action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Platform.runLater(() -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                failure.set(e);
            } finally {
                done.countDown();
            }
        });
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the FX thread did not answer within 2 minutes");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static void awaitOnFx(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        boolean[] met = {false};
        while (!met[0]) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the window did not get ready within 3 minutes");
            }
            Thread.sleep(20);
            onFx(() -> met[0] = condition.get());
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }
}
