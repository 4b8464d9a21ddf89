package org.stepwise.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.stage.Stage;

import org.stepwise.app.DefaultModel;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.Stage.Kind;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSettings;
import org.stepwise.ui.I18n;
import org.stepwise.ui.MainWindow;
import org.stepwise.ui.VisualizerViewModel;

/**
 * Frame-time benchmark of the visualizer window (a program, not a test): the time to redraw each stage
 * of the default model, the time to change layer or head on a GPT-2-small-shaped random model, and the
 * frame intervals an {@link AnimationTimer} sees while a trainer runs and sends its weights to the window.
 * Each redraw is measured twice, from the change to the end of the layout of the next pulse, as the window
 * redraws after any change: the CPU time the FX thread spends in it (our code: values, setValues, then the
 * pulse's CSS and layout of what the change touched; little affected by other processes on a shared machine)
 * and the wall time (which includes the wait for the pulse). The frames report the
 * CPU time per frame of the FX thread and of the renderer thread, idle and while training, to separate
 * what our code costs from what rendering costs (the software renderer when run headless).
 * Run: {@code mvn -q -o test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=org.stepwise.bench.WindowFrameBenchmark} (without a display add {@code -Dglass.platform=Monocle
 * -Dmonocle.platform=Headless -Dprism.order=sw -Dheadless.geometry=1600x1000-32}) (add {@code -Dexec.args=--small-vocab} for
 * a GPT-2 vocabulary of 8192 instead of 50257; {@code --default-rounds N} repeats the default model's redraws N
 * times, {@code --default-only} stops after them, e.g. to profile them).
 */
public final class WindowFrameBenchmark {

    private static final ResourceBundle MESSAGES = I18n.bundle(Locale.ENGLISH);

    private WindowFrameBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean smallVocab = Arrays.asList(args).contains("--small-vocab");
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        Platform.setImplicitExit(false);

        LoadedModel model = DefaultModel.load();
        Opened small = open(model, MESSAGES.getString("ui.defaultSentence"));
        double[] redraws = new double[small.viewModel.stagesProperty().get().size()];
        double[] redrawWalls = new double[redraws.length];
        int rounds = Math.max(3, intArgument(args, "--default-rounds", 3));
        for (int round = 0; round < rounds; round++) {     // the first rounds warm the JIT up
            for (int index = 0; index < redraws.length; index++) {
                int stage = index;
                redrawWalls[index] = onFx(() -> small.viewModel.stageIndexProperty().set(stage));
                redraws[index] = lastCpuMillis;
            }
        }
        System.out.printf(Locale.ROOT, "default model: redraw a stage  FX-thread CPU mean %.2f ms, max %.2f ms;"
                + " wall mean %.2f ms, max %.2f ms over %d stages%n",
                mean(redraws), max(redraws), mean(redrawWalls), max(redrawWalls), redraws.length);
        StringBuilder byStage = new StringBuilder("  by stage (FX-thread CPU ms):");
        for (int index = 0; index < redraws.length; index++) {
            byStage.append(String.format(Locale.ROOT, " %s %.1f;",
                    small.viewModel.stagesProperty().get().get(index), redraws[index]));
        }
        System.out.println(byStage);
        if (Arrays.asList(args).contains("--default-only")) {
            Platform.exit();
            System.exit(0);
        }
        frames(small, "idle window", 3000);

        frameTimesWhileTraining(small, model);
        onFx(() -> small.stage.close());
        small.viewModel.close();

        int vocab = smallVocab ? 8192 : 50257;
        LoadedModel gpt2 = gpt2Shaped(vocab);
        StringBuilder sentence = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sentence.append(gpt2.tokenizer().token(1000 + 37 * i));
        }
        long start = System.nanoTime();
        Opened large = open(gpt2, sentence.toString());
        System.out.printf(Locale.ROOT, "GPT-2-small-shaped model (12 layers, 12 heads, d 768, vocab %d): first trace and"
                + " window %.0f ms%n", vocab, (System.nanoTime() - start) / 1e6);
        List<Double> headChanges = new ArrayList<>();
        List<Double> layerChanges = new ArrayList<>();
        List<Double> headWalls = new ArrayList<>();
        List<Double> layerWalls = new ArrayList<>();
        for (Kind kind : List.of(Kind.QKV, Kind.SCORES, Kind.ATTENTION_SOFTMAX, Kind.FFN_UP, Kind.FFN_DOWN)) {
            onFx(() -> large.viewModel.openStage(org.stepwise.pipeline.Stage.of(kind, 0), 0));
            for (int step = 1; step < 12; step++) {
                int target = step;
                headWalls.add(onFx(() -> large.viewModel.headProperty().set(target)));
                headChanges.add(lastCpuMillis);
                layerWalls.add(onFx(() -> large.viewModel.jumpToBlock(target)));
                layerChanges.add(lastCpuMillis);
            }
            double[] heads = headChanges.stream().mapToDouble(Double::doubleValue).toArray();
            double[] layers = layerChanges.stream().mapToDouble(Double::doubleValue).toArray();
            System.out.printf(Locale.ROOT, "  %-18s FX-thread CPU: head change mean %.1f ms max %.1f ms; layer change"
                            + " mean %.1f ms max %.1f ms (wall means %.1f, %.1f ms)%n", kind, mean(heads), max(heads),
                    mean(layers), max(layers), mean(unbox(headWalls)), mean(unbox(layerWalls)));
            headChanges.clear();
            layerChanges.clear();
            headWalls.clear();
            layerWalls.clear();
        }
        double[] stages = new double[large.viewModel.stagesProperty().get().size()];
        double[] stageWalls = new double[stages.length];
        for (int index = 0; index < stages.length; index++) {
            int stage = index;
            stageWalls[index] = onFx(() -> large.viewModel.stageIndexProperty().set(stage));
            stages[index] = lastCpuMillis;
        }
        System.out.printf(Locale.ROOT, "  every stage once: FX-thread CPU mean %.1f ms, max %.1f ms (stage %d);"
                + " wall mean %.1f ms, max %.1f ms%n", mean(stages), max(stages), argmax(stages), mean(stageWalls),
                max(stageWalls));
        frames(large, "GPT-2-shaped idle window", 3000);
        large.viewModel.close();
        Platform.exit();
        System.exit(0);
    }

    /** The integer after {@code name} in {@code args}, or {@code fallback} when it is not given. */
    private static int intArgument(String[] args, String name, int fallback) {
        int at = Arrays.asList(args).indexOf(name);
        return at >= 0 && at + 1 < args.length ? Integer.parseInt(args[at + 1]) : fallback;
    }

    /** A window on a model, shown in its own stage, with the first trace on screen. */
    private record Opened(Stage stage, VisualizerViewModel viewModel, MainWindow window) {
    }

    private static Opened open(LoadedModel model, String sentence) throws Exception {
        Opened[] opened = new Opened[1];
        onFx(() -> {
            VisualizerViewModel viewModel = new VisualizerViewModel(model, MESSAGES, sentence);
            MainWindow window = new MainWindow(viewModel, MESSAGES);
            Stage stage = new Stage();
            Scene scene = new Scene(window.root(), 1280, 800);
            scene.getStylesheets().add(MainWindow.class.getResource("stepwise.css").toExternalForm());
            stage.setScene(scene);
            stage.show();
            opened[0] = new Opened(stage, viewModel, window);
        });
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (opened[0].viewModel.runProperty().get() == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        onFx(() -> { });
        return opened[0];
    }

    /** FX-thread CPU milliseconds of the last {@link #onFx} call. */
    private static volatile double lastCpuMillis;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * Runs {@code action} on the FX thread followed by CSS and layout of every window; returns wall
     * milliseconds and leaves the FX thread's CPU milliseconds in {@link #lastCpuMillis}.
     */
    /**
     * Runs {@code action} on the FX thread and waits for the next pulse to style and lay the window out, as it
     * does after any change in the application; {@link #lastCpuMillis} becomes the FX thread's CPU time from the
     * action to the end of that pulse's layout (our code, then the CSS and layout passes of the nodes the change
     * made dirty). Returns the wall time of the same span in ms.
     */
    private static double onFx(Runnable action) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        double[] millis = new double[2];
        Platform.runLater(() -> {
            long start = System.nanoTime();
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            action.run();
            List<Scene> scenes = new ArrayList<>();
            for (javafx.stage.Window window : javafx.stage.Window.getWindows()) {
                if (window.isShowing() && window.getScene() != null) {
                    scenes.add(window.getScene());
                }
            }
            if (scenes.isEmpty()) {
                millis[1] = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6;
                millis[0] = (System.nanoTime() - start) / 1e6;
                done.countDown();
                return;
            }
            Scene last = scenes.get(scenes.size() - 1);    // scenes are styled and laid out in turn in one pulse
            Runnable afterLayout = new Runnable() {
                @Override
                public void run() {
                    last.removePostLayoutPulseListener(this);
                    millis[1] = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6;
                    millis[0] = (System.nanoTime() - start) / 1e6;
                    done.countDown();
                }
            };
            last.addPostLayoutPulseListener(afterLayout);
            Platform.requestNextPulse();
        });
        done.await();
        lastCpuMillis = millis[1];
        return millis[0];
    }

    /** CPU nanoseconds so far of every thread whose name starts with {@code prefix}. */
    private static long cpuOfThreads(String prefix) {
        long total = 0;
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(prefix)) {
                total += Math.max(0, THREADS.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** The FX thread's name (the Monocle headless platform calls it differently from a desktop one). */
    private static String fxThreadName() throws InterruptedException {
        String[] name = new String[1];
        onFx(() -> name[0] = Thread.currentThread().getName());
        return name[0];
    }

    /**
     * Frame intervals an {@link AnimationTimer} sees over {@code millis} ms, and the CPU time per frame of
     * the FX thread and of the renderer thread; prints them under {@code label} and returns the frame count.
     */
    private static int frames(Opened opened, String label, long millis) throws Exception {
        String fxThread = fxThreadName();
        List<Long> intervals = new ArrayList<>();
        long[] last = {0};
        AnimationTimer timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                if (last[0] != 0) {
                    intervals.add(now - last[0]);
                }
                last[0] = now;
            }
        };
        long fxCpu = cpuOfThreads(fxThread);
        long renderCpu = cpuOfThreads("QuantumRenderer");
        Platform.runLater(timer::start);
        Thread.sleep(millis);
        CountDownLatch stopped = new CountDownLatch(1);
        Platform.runLater(() -> {
            timer.stop();
            stopped.countDown();
        });
        stopped.await();
        fxCpu = cpuOfThreads(fxThread) - fxCpu;
        renderCpu = cpuOfThreads("QuantumRenderer") - renderCpu;
        double[] frames = intervals.stream().skip(10).mapToDouble(nanos -> nanos / 1e6).sorted().toArray();
        int count = Math.max(1, intervals.size());
        System.out.printf(Locale.ROOT, "%s: %d frames, interval mean %.1f ms (%.0f fps), p95 %.1f ms, max %.1f ms;"
                        + " CPU per frame: FX thread %.1f ms, renderer %.1f ms%n", label, frames.length,
                mean(frames), 1000 / mean(frames), frames.length == 0 ? Double.NaN : frames[(int) (frames.length * 0.95)],
                max(frames), fxCpu / 1e6 / count, renderCpu / 1e6 / count);
        return frames.length;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Trains the default model on its own thread for a few seconds, handing every update to the window. */
    private static void frameTimesWhileTraining(Opened opened, LoadedModel model) throws Exception {
        String corpus = "the cat sat on the mat. the dog sat on the log. ".repeat(200);
        Dataset data = new Dataset(model.tokenizer().encode(corpus).ids(), model.config().contextLength(), 0.1);
        TrainingLoop loop = new TrainingLoop(model.config(), model.parameters().copy(), data, TrainingSettings.defaults());
        AtomicBoolean training = new AtomicBoolean(true);
        AtomicLong iterations = new AtomicLong();
        Thread trainer = new Thread(() -> {
            while (training.get()) {
                loop.stepIteration();
                iterations.incrementAndGet();
                opened.viewModel.setLiveWeights(loop.weights().copy());
            }
        }, "benchmark-trainer");
        onFx(() -> opened.viewModel.stageIndexProperty().set(
                opened.viewModel.stagesProperty().get().indexOf(org.stepwise.pipeline.Stage.of(Kind.ATTENTION_SOFTMAX, 1))));
        trainer.start();
        frames(opened, "while training (weights sent every iteration)", 6000);
        training.set(false);
        trainer.join();
        System.out.printf(Locale.ROOT, "  trainer: %d iterations in 6 s%n", iterations.get());
    }

    /** A GPT-2-small-shaped model with random weights and a character tokenizer of exactly {@code vocab} tokens. */
    private static LoadedModel gpt2Shaped(int vocab) {
        int specials = CharTokenizer.train("").vocabSize();
        StringBuilder characters = new StringBuilder();
        for (int codePoint = 0x20000; characters.codePointCount(0, characters.length()) < vocab - specials; codePoint++) {
            characters.appendCodePoint(codePoint);
        }
        CharTokenizer tokenizer = CharTokenizer.train(characters.toString());
        ModelConfig config = ModelConfig.gpt2Like(vocab, 1024, 12, 12, 768);
        return new LoadedModel("gpt2-shaped", config, ParameterLayout.of(config).initialize(1), tokenizer);
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            best = values[i] > values[best] ? i : best;
        }
        return best;
    }
}
