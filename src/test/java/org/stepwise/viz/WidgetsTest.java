package org.stepwise.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Probability bars, token chips, typeset formulas and the loss chart, checked on a real headless stage. */
@ExtendWith(ApplicationExtension.class)
class WidgetsTest {

    private final ProbabilityBars bars = new ProbabilityBars();
    private final TokenStrip strip = new TokenStrip();
    private final FormulaView formula = new FormulaView();
    private LossChart chart;

    @Start
    void start(Stage stage) {
        Locale.setDefault(Locale.ENGLISH);
        chart = new LossChart();
        stage.setScene(new Scene(new VBox(8, strip, bars, formula, chart), 800, 760));
        stage.show();
    }

    @Test
    void barWidthsAreProportionalToProbability(FxRobot robot) {
        double[] probabilities = softmax(new double[] {2.1, 1.3, 0.2, -0.5, -1.7});
        robot.interact(() -> bars.setBars(List.of(
                new ProbabilityBars.Bar("␣mat", probabilities[0], true),
                new ProbabilityBars.Bar("␣floor", probabilities[1], false),
                new ProbabilityBars.Bar("␣bed", probabilities[2], false),
                new ProbabilityBars.Bar("␣dog", probabilities[3], false),
                new ProbabilityBars.Bar(".", probabilities[4], false))));
        WaitForAsyncUtils.waitForFxEvents();
        double full = bars.fullBarWidth();
        assertTrue(full > 100, "bars have room: " + full);
        for (int i = 0; i < probabilities.length; i++) {
            assertEquals(probabilities[i] * full, bars.barWidth(i), 1e-9, "bar " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new ProbabilityBars.Bar("x", 1.2, false));
        assertThrows(IllegalArgumentException.class, () -> new ProbabilityBars.Bar("x", Double.NaN, false));
    }

    @Test
    void clickingAChipSelectsIt(FxRobot robot) {
        robot.interact(() -> strip.setChips(List.of(
                new TokenStrip.Chip("The", 464, "Token \"The\" has id 464", TokenStrip.Chip.Kind.NORMAL),
                new TokenStrip.Chip("␣cat", 3797, null, TokenStrip.Chip.Kind.NORMAL),
                new TokenStrip.Chip("<unk>", 0, "Not in the vocabulary", TokenStrip.Chip.Kind.UNKNOWN))));
        List<Node> chips = strip.getChildren();
        assertEquals(3, chips.size());
        assertTrue(chips.get(0).getStyleClass().contains("viz-chip-0"));
        assertTrue(chips.get(1).getStyleClass().contains("viz-chip-1"), "neighbours have different tints");
        assertTrue(chips.get(2).getStyleClass().contains("viz-chip-unknown"));
        assertEquals(-1, strip.selectedIndexProperty().get());

        robot.clickOn(chips.get(1));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, strip.selectedIndexProperty().get());
        PseudoClass selected = PseudoClass.getPseudoClass("selected");
        assertTrue(chips.get(1).getPseudoClassStates().contains(selected));
        assertFalse(chips.get(0).getPseudoClassStates().contains(selected));

        robot.clickOn(chips.get(2));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, strip.selectedIndexProperty().get());
        assertFalse(chips.get(1).getPseudoClassStates().contains(selected));
        assertThrows(IllegalArgumentException.class, () -> strip.selectedIndexProperty().set(3));
    }

    @Test
    void formulaRendersInk(FxRobot robot) {
        robot.interact(() -> formula.setLatex("p_i = \\frac{e^{s_i - m}}{\\sum_j e^{s_j - m}}"));
        Image image = formula.getImage();
        assertTrue(image.getWidth() > 100 && image.getHeight() > 40, image.getWidth() + " × " + image.getHeight());
        PixelReader pixels = image.getPixelReader();
        int ink = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((pixels.getArgb(x, y) >>> 24) > 128) {
                    ink++;
                }
            }
        }
        double coverage = ink / (image.getWidth() * image.getHeight());
        assertTrue(coverage > 0.02 && coverage < 0.5, "ink covers " + coverage + " of the image");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(image.getWidth() / 2, formula.prefWidth(-1) - formula.snappedLeftInset() - formula.snappedRightInset(),
                1, "shown at half the rendered resolution");
        assertThrows(IllegalArgumentException.class, () -> new FormulaView("\\notACommand{x}"));
    }

    @Test
    void decimationKeepsEveryColumnsExtremes() {
        int count = 10_000;
        int columns = 500;
        double[] xs = new double[count];
        double[] ys = new double[count];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < count; i++) {
            xs[i] = i;
            ys[i] = 5 * Math.exp(-i / 2000.0) + 0.3 * random.nextDouble();
        }
        ys[1234] = Double.NaN;
        double[] outX = new double[4 * columns];
        double[] outY = new double[4 * columns];
        int kept = LossChart.decimate(xs, ys, 0, count - 1, columns, false, outX, outY);
        assertTrue(kept <= 4 * columns && kept >= 2 * columns, kept + " points kept");
        for (int i = 1; i < kept; i++) {
            assertTrue(outX[i] >= outX[i - 1], "kept points stay in x order");
        }
        for (int column = 0; column < columns; column++) {
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            double keptLow = Double.POSITIVE_INFINITY;
            double keptHigh = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < count; i++) {
                if (Double.isFinite(ys[i]) && columnOf(xs[i], count - 1, columns) == column) {
                    low = Math.min(low, ys[i]);
                    high = Math.max(high, ys[i]);
                }
            }
            for (int i = 0; i < kept; i++) {
                if (columnOf(outX[i], count - 1, columns) == column) {
                    keptLow = Math.min(keptLow, outY[i]);
                    keptHigh = Math.max(keptHigh, outY[i]);
                }
            }
            assertEquals(low, keptLow, "lowest point of column " + column);
            assertEquals(high, keptHigh, "highest point of column " + column);
        }
        int positive = LossChart.decimate(new double[] {0, 1, 2}, new double[] {1, -1, 0.5}, 0, 2, 10, true, outX, outY);
        assertEquals(2, positive, "the log scale leaves out values ≤ 0");
    }

    @Test
    void chartDrawsTheSeriesAndRefusesBadInput(FxRobot robot) throws Exception {
        double[] xs = new double[10_000];
        double[] ys = new double[10_000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i;
            ys[i] = 4 * Math.exp(-i / 1500.0) + 0.5;
        }
        robot.interact(() -> {
            chart.setSeries("train", xs, ys);
            chart.logScaleProperty().set(true);
        });
        FxImages.Shot shot = FxImages.snapshot(chart);
        int blue = 0;
        for (int y = 0; y < shot.image().getHeight(); y++) {
            for (int x = 0; x < shot.image().getWidth(); x++) {
                if ((shot.image().getPixelReader().getArgb(x, y) & 0xffffff) == 0x0072b2) {
                    blue++;
                }
            }
        }
        assertTrue(blue > 200, blue + " pixels of the train line's colour");
        assertEquals(List.of("train"), chart.seriesNames());
        assertThrows(IllegalArgumentException.class, () -> chart.setSeries("bad", new double[] {0, 1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class,
                () -> chart.setSeries("bad", new double[] {1, 0}, new double[] {1, 1}));
        robot.interact(chart::clear);
        assertEquals(List.of(), chart.seriesNames());
        assertNotEquals(0, LossChart.linearTicks(0.3, 4.7).size());
        assertEquals(List.of(1.0, 10.0, 100.0), LossChart.logTicks(-0.1, 2.2).stream()
                .filter(tick -> tick == 1 || tick == 10 || tick == 100).toList());
    }

    private static int columnOf(double x, double xMax, int columns) {
        return (int) Math.min(columns - 1, Math.floor(x / xMax * columns));
    }

    private static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] probabilities = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = Math.exp(logits[i] - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] /= sum;
        }
        return probabilities;
    }
}
