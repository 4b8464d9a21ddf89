package org.stepwise.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javafx.animation.AnimationTimer;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.stage.Stage;

import org.stepwise.viz.ColorScale;
import org.stepwise.viz.HeatmapView;

/**
 * Redraw time of {@link HeatmapView} for a 512×512 (262k cells), a 32×768 and a 64×64 matrix: the cost of
 * {@code setValues} alone, of {@code setValues} plus a full render (a scene snapshot), and the interval
 * between frames while new values arrive every frame. Run with
 * {@code java -cp <test classpath> org.stepwise.bench.HeatmapRedrawBenchmark}; without a display it
 * uses the headless Monocle platform and the software renderer, so render figures are an upper bound.
 */
public final class HeatmapRedrawBenchmark {

    private static final int SET_VALUES_RUNS = 300;
    private static final int SNAPSHOT_RUNS = 30;
    private static final int FRAMES = 240;

    private HeatmapRedrawBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getenv("DISPLAY") == null && System.getProperty("glass.platform") == null) {
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            System.setProperty("prism.order", "sw");
        }
        CountDownLatch started = new CountDownLatch(1);
        Platform.startup(started::countDown);
        started.await();
        Platform.setImplicitExit(false); // closing one measurement's window must not end the toolkit
        System.out.println("pipeline: " + System.getProperty("prism.order", "default") + ", "
                + Runtime.getRuntime().availableProcessors() + " processors");
        measureEmptyWindow();
        measure(512, 512, 2, ColorScale.SEQUENTIAL);
        measure(32, 768, 14, ColorScale.DIVERGING);
        measure(64, 64, 10, ColorScale.DIVERGING);
        Platform.exit();
    }

    private static void measure(int rows, int cols, double cellSize, ColorScale scale) throws Exception {
        double[][] frames = randomMatrices(rows, cols, 2);
        HeatmapView heatmap = onFx(() -> {
            HeatmapView view = new HeatmapView();
            view.setColorScale(scale);
            view.cellSizeProperty().set(cellSize);
            view.setValues(frames[0], rows, cols);
            Stage stage = new Stage();
            stage.setScene(new Scene(new ScrollPane(view), 1200, 780));
            stage.show();
            return view;
        });

        double[] setValuesMicros = onFx(() -> {
            double[] times = new double[SET_VALUES_RUNS];
            for (int run = 0; run < SET_VALUES_RUNS; run++) {
                long start = System.nanoTime();
                heatmap.setValues(frames[run % 2], rows, cols);
                times[run] = (System.nanoTime() - start) / 1e3;
            }
            return times;
        });

        double[] renderMillis = onFx(() -> {
            double[] times = new double[SNAPSHOT_RUNS];
            for (int run = 0; run < SNAPSHOT_RUNS; run++) {
                long start = System.nanoTime();
                heatmap.setValues(frames[run % 2], rows, cols);
                heatmap.getScene().snapshot(null);
                times[run] = (System.nanoTime() - start) / 1e6;
            }
            return times;
        });

        double[] frameMillis = new double[FRAMES];
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> new AnimationTimer() {
            private long previous = -1;
            private int frame;

            @Override
            public void handle(long now) {
                if (previous >= 0) {
                    frameMillis[frame++] = (now - previous) / 1e6;
                }
                previous = now;
                heatmap.setValues(frames[frame % 2], rows, cols);
                if (frame == FRAMES) {
                    stop();
                    done.countDown();
                }
            }
        }.start());
        done.await(2, TimeUnit.MINUTES);

        System.out.printf(Locale.ROOT, "%d×%d (%d cells, %.0f px cells): setValues median %.0f µs (p95 %.0f); "
                + "setValues+render median %.1f ms (p95 %.1f); frame interval median %.1f ms (p95 %.1f)%n",
                rows, cols, rows * cols, cellSize, percentile(setValuesMicros, 50), percentile(setValuesMicros, 95),
                percentile(renderMillis, 50), percentile(renderMillis, 95), percentile(frameMillis, 50),
                percentile(frameMillis, 95));
        onFx(() -> {
            ((Stage) heatmap.getScene().getWindow()).close();
            return null;
        });
    }

    /** Frame interval of a window of the same size with nothing to draw: the renderer's own cost. */
    private static void measureEmptyWindow() throws Exception {
        Stage stage = onFx(() -> {
            Stage window = new Stage();
            window.setScene(new Scene(new ScrollPane(new javafx.scene.layout.Region()), 1200, 780));
            window.show();
            return window;
        });
        double[] frameMillis = new double[FRAMES];
        CountDownLatch done = new CountDownLatch(1);
        Platform.runLater(() -> new AnimationTimer() {
            private long previous = -1;
            private int frame;

            @Override
            public void handle(long now) {
                if (previous >= 0) {
                    frameMillis[frame++] = (now - previous) / 1e6;
                }
                previous = now;
                stage.getScene().getRoot().setOpacity(frame % 2 == 0 ? 1 : 0.99); // a change, so every frame renders
                if (frame == FRAMES) {
                    stop();
                    done.countDown();
                }
            }
        }.start());
        done.await(2, TimeUnit.MINUTES);
        System.out.printf(Locale.ROOT, "empty 1200×780 window: frame interval median %.1f ms (p95 %.1f)%n",
                percentile(frameMillis, 50), percentile(frameMillis, 95));
        onFx(() -> {
            stage.close();
            return null;
        });
    }

    private static double[][] randomMatrices(int rows, int cols, int count) {
        SplittableRandom random = new SplittableRandom(42);
        double[][] matrices = new double[count][rows * cols];
        for (double[] matrix : matrices) {
            for (int i = 0; i < matrix.length; i++) {
                matrix[i] = random.nextGaussian();
            }
        }
        return matrices;
    }

    private static double percentile(double[] values, int percent) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
    }

    private interface FxTask<T> {
        T run() throws Exception;
    }

    private static <T> T onFx(FxTask<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(task.run());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(2, TimeUnit.MINUTES);
    }
}
