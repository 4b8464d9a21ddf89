package org.stepwise.viz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;

/**
 * Training curves (e.g. train and validation loss against the iteration) on a canvas, with a linear or
 * logarithmic y axis; each series is reduced to at most four points per pixel column before drawing, so
 * ten thousand points draw as fast as a few hundred.
 */
public final class LossChart extends Region {

    /** Okabe-Ito blue, vermillion, bluish green, reddish purple, orange, sky blue: told apart by colour-blind readers. */
    private static final Color[] SERIES_COLORS = {
        Color.web("#0072b2"), Color.web("#d55e00"), Color.web("#009e73"),
        Color.web("#cc79a7"), Color.web("#e69f00"), Color.web("#56b4e9")};
    private static final Color AXIS_COLOR = Color.web("#9ca3af");
    private static final Color GRID_COLOR = Color.web("#eef0f3");
    private static final Color TEXT_COLOR = Color.web("#4b5563");
    private static final Font TEXT_FONT = Font.font(11);
    private static final double LEFT = 58;
    private static final double RIGHT = 16;
    private static final double TOP = 30;
    private static final double BOTTOM = 38;

    private final ResourceBundle messages;
    private final Map<String, double[][]> series = new LinkedHashMap<>();
    private final Canvas canvas = new Canvas();
    private final BooleanProperty logScale = new SimpleBooleanProperty(this, "logScale", false);
    private String xAxisLabel = "";
    private String yAxisLabel = "";
    private final Text legendProbe = new Text();
    private double[] decimatedX = new double[0];
    private double[] decimatedY = new double[0];

    /** A chart whose captions come from the message bundle of the default locale. */
    public LossChart() {
        this(VizMessages.forDefaultLocale());
    }

    /** A chart whose caption {@code viz.chart.empty} comes from {@code messages}. */
    public LossChart(ResourceBundle messages) {
        this.messages = messages;
        getStyleClass().add("viz-loss-chart");
        getChildren().add(canvas);
        legendProbe.setFont(TEXT_FONT);
        logScale.addListener((observable, before, after) -> redraw());
    }

    @Override
    public String getUserAgentStylesheet() {
        return LossChart.class.getResource("viz.css").toExternalForm();
    }

    /**
     * Adds or replaces the series {@code name}: points {@code (xs[i], ys[i])}, xs non-decreasing and finite.
     * Both arrays are copied (not modified). Points with a non-finite y (a diverged loss), or y ≤ 0 on the
     * log scale, are left out of the line. Throws IllegalArgumentException for unequal lengths or bad xs.
     */
    public void setSeries(String name, double[] xs, double[] ys) {
        if (name == null) {
            throw new IllegalArgumentException("A series needs a name, got null");
        }
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("Series " + name + " has " + xs.length + " x values and "
                    + ys.length + " y values");
        }
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || i > 0 && xs[i] < xs[i - 1]) {
                throw new IllegalArgumentException("Series " + name + " needs finite, non-decreasing x values; x["
                        + i + "] = " + xs[i]);
            }
        }
        series.put(name, new double[][] {xs.clone(), ys.clone()});
        redraw();
    }

    /** Removes every series. */
    public void clear() {
        series.clear();
        redraw();
    }

    /** Names of the series shown, in the order they were first added. */
    public List<String> seriesNames() {
        return new ArrayList<>(series.keySet());
    }

    /** Captions of the x and y axes (e.g. "iteration", "loss"). */
    public void setAxisLabels(String xLabel, String yLabel) {
        xAxisLabel = xLabel == null ? "" : xLabel;
        yAxisLabel = yLabel == null ? "" : yLabel;
        redraw();
    }

    /** True for a logarithmic y axis. */
    public BooleanProperty logScaleProperty() {
        return logScale;
    }

    @Override
    protected double computePrefWidth(double height) {
        return 560;
    }

    @Override
    protected double computePrefHeight(double width) {
        return 280;
    }

    @Override
    protected double computeMinWidth(double height) {
        return LEFT + RIGHT + 40;
    }

    @Override
    protected double computeMinHeight(double width) {
        return TOP + BOTTOM + 40;
    }

    @Override
    protected void layoutChildren() {
        double width = snapSizeX(getWidth() - snappedLeftInset() - snappedRightInset());
        double height = snapSizeY(getHeight() - snappedTopInset() - snappedBottomInset());
        canvas.relocate(snappedLeftInset(), snappedTopInset());
        if (canvas.getWidth() != width || canvas.getHeight() != height) {
            canvas.setWidth(Math.max(0, width));
            canvas.setHeight(Math.max(0, height));
        }
        redraw();
    }

    /**
     * M4 reduction: for each of {@code columns} equal slices of {@code [xMin, xMax]}, keeps the first, lowest,
     * highest and last point in index order, so the drawn line has exactly the extremes of the full data.
     * Points with a non-finite y, or y ≤ 0 when {@code positiveOnly}, are skipped. Writes the kept points'
     * x and y to {@code outX}/{@code outY} (Modified; length ≥ 4·columns) and returns their number.
     * {@code xs} and {@code ys} are not modified.
     */
    static int decimate(double[] xs, double[] ys, double xMin, double xMax, int columns, boolean positiveOnly,
            double[] outX, double[] outY) {
        int kept = 0;
        double span = xMax - xMin;
        int current = -1;
        int first = -1;
        int lowest = -1;
        int highest = -1;
        int last = -1;
        for (int i = 0; i <= xs.length; i++) {
            int column = -2;
            if (i < xs.length) {
                double y = ys[i];
                if (!Double.isFinite(y) || positiveOnly && y <= 0) {
                    continue;
                }
                column = span > 0 ? (int) Math.min(columns - 1, Math.floor((xs[i] - xMin) / span * columns)) : 0;
            }
            if (column != current) {
                if (current >= 0) {
                    kept = keepInOrder(xs, ys, first, lowest, highest, last, outX, outY, kept);
                }
                current = column;
                first = i;
                lowest = i;
                highest = i;
            }
            if (i < xs.length) {
                if (ys[i] < ys[lowest]) {
                    lowest = i;
                }
                if (ys[i] > ys[highest]) {
                    highest = i;
                }
                last = i;
            }
        }
        return kept;
    }

    private static int keepInOrder(double[] xs, double[] ys, int first, int lowest, int highest, int last,
            double[] outX, double[] outY, int kept) {
        int earlier = Math.min(lowest, highest);
        int later = Math.max(lowest, highest);
        kept = keep(xs, ys, first, -1, outX, outY, kept);
        kept = keep(xs, ys, earlier, first, outX, outY, kept);
        kept = keep(xs, ys, later, earlier, outX, outY, kept);
        return keep(xs, ys, last, later, outX, outY, kept);
    }

    private static int keep(double[] xs, double[] ys, int index, int previous, double[] outX, double[] outY,
            int kept) {
        if (index == previous) {
            return kept;
        }
        outX[kept] = xs[index];
        outY[kept] = ys[index];
        return kept + 1;
    }

    private void redraw() {
        GraphicsContext graphics = canvas.getGraphicsContext2D();
        double width = canvas.getWidth();
        double height = canvas.getHeight();
        graphics.clearRect(0, 0, width, height);
        graphics.setFont(TEXT_FONT);
        double plotWidth = width - LEFT - RIGHT;
        double plotHeight = height - TOP - BOTTOM;
        if (plotWidth <= 0 || plotHeight <= 0) {
            return;
        }
        boolean log = logScale.get();
        double[] extent = extent(log);
        if (extent == null) {
            graphics.setFill(TEXT_COLOR);
            graphics.setTextAlign(TextAlignment.CENTER);
            graphics.setTextBaseline(VPos.CENTER);
            graphics.fillText(messages.getString("viz.chart.empty"), LEFT + plotWidth / 2, TOP + plotHeight / 2);
            return;
        }
        double xMin = extent[0];
        double xMax = extent[1] > extent[0] ? extent[1] : extent[0] + 1;
        double yLow = log ? Math.log10(extent[2]) : extent[2];
        double yHigh = log ? Math.log10(extent[3]) : extent[3];
        if (yHigh - yLow < 1e-12) {
            yLow -= 0.5;
            yHigh += 0.5;
        } else {
            double margin = (yHigh - yLow) * 0.05;
            yLow -= margin;
            yHigh += margin;
        }
        Axis axis = new Axis(xMin, xMax, yLow, yHigh, log, plotWidth, plotHeight);
        drawAxes(graphics, axis);
        drawSeries(graphics, axis, (int) Math.ceil(plotWidth));
        drawLegend(graphics, plotWidth);
    }

    /** Maps data to canvas pixels inside the plot area. */
    private record Axis(double xMin, double xMax, double yLow, double yHigh, boolean log, double plotWidth,
            double plotHeight) {
        double pixelX(double x) {
            return LEFT + (x - xMin) / (xMax - xMin) * plotWidth;
        }

        double pixelY(double y) {
            double scaled = log ? Math.log10(y) : y;
            return TOP + (yHigh - scaled) / (yHigh - yLow) * plotHeight;
        }
    }

    /** {xMin, xMax, yMin, yMax} over the drawable points of every series, or null when there are none. */
    private double[] extent(boolean log) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (double[][] points : series.values()) {
            for (int i = 0; i < points[0].length; i++) {
                double y = points[1][i];
                if (!Double.isFinite(y) || log && y <= 0) {
                    continue;
                }
                xMin = Math.min(xMin, points[0][i]);
                xMax = Math.max(xMax, points[0][i]);
                yMin = Math.min(yMin, y);
                yMax = Math.max(yMax, y);
            }
        }
        return xMin > xMax ? null : new double[] {xMin, xMax, yMin, yMax};
    }

    private void drawAxes(GraphicsContext graphics, Axis axis) {
        graphics.setLineWidth(1);
        graphics.setFill(TEXT_COLOR);
        graphics.setTextBaseline(VPos.CENTER);
        graphics.setTextAlign(TextAlignment.RIGHT);
        for (double tick : axis.log() ? logTicks(axis.yLow(), axis.yHigh()) : linearTicks(axis.yLow(), axis.yHigh())) {
            double y = Math.round(axis.pixelY(tick)) + 0.5;
            graphics.setStroke(GRID_COLOR);
            graphics.strokeLine(LEFT, y, LEFT + axis.plotWidth(), y);
            graphics.fillText(NumberText.compact(tick), LEFT - 6, y);
        }
        graphics.setTextAlign(TextAlignment.CENTER);
        graphics.setTextBaseline(VPos.TOP);
        double bottom = TOP + axis.plotHeight();
        for (double tick : linearTicks(axis.xMin(), axis.xMax())) {
            double x = Math.round(axis.pixelX(tick)) + 0.5;
            graphics.setStroke(AXIS_COLOR);
            graphics.strokeLine(x, bottom, x, bottom + 4);
            graphics.fillText(NumberText.compact(tick), x, bottom + 6);
        }
        graphics.setStroke(AXIS_COLOR);
        graphics.strokeLine(LEFT + 0.5, TOP, LEFT + 0.5, bottom + 0.5);
        graphics.strokeLine(LEFT, bottom + 0.5, LEFT + axis.plotWidth(), bottom + 0.5);
        graphics.setTextAlign(TextAlignment.RIGHT);
        graphics.setTextBaseline(VPos.BOTTOM);
        graphics.fillText(xAxisLabel, LEFT + axis.plotWidth(), canvas.getHeight() - 2);
        graphics.setTextAlign(TextAlignment.LEFT);
        graphics.setTextBaseline(VPos.BOTTOM);
        graphics.fillText(yAxisLabel, 8, TOP - 8);
    }

    private void drawSeries(GraphicsContext graphics, Axis axis, int columns) {
        if (decimatedX.length < 4 * columns) {
            decimatedX = new double[4 * columns];
            decimatedY = new double[4 * columns];
        }
        graphics.save();
        graphics.beginPath();
        graphics.rect(LEFT, TOP, axis.plotWidth(), axis.plotHeight());
        graphics.clip();
        graphics.setLineWidth(1.6);
        int index = 0;
        for (double[][] points : series.values()) {
            int kept = decimate(points[0], points[1], axis.xMin(), axis.xMax(), columns, axis.log(),
                    decimatedX, decimatedY);
            graphics.setStroke(SERIES_COLORS[index % SERIES_COLORS.length]);
            graphics.beginPath();
            for (int i = 0; i < kept; i++) {
                double x = axis.pixelX(decimatedX[i]);
                double y = axis.pixelY(decimatedY[i]);
                if (i == 0) {
                    graphics.moveTo(x, y);
                } else {
                    graphics.lineTo(x, y);
                }
            }
            graphics.stroke();
            index++;
        }
        graphics.restore();
    }

    private void drawLegend(GraphicsContext graphics, double plotWidth) {
        graphics.setTextAlign(TextAlignment.LEFT);
        graphics.setTextBaseline(VPos.CENTER);
        double x = LEFT + plotWidth;
        List<String> names = seriesNames();
        for (int i = names.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            legendProbe.setText(name);
            double textWidth = legendProbe.getLayoutBounds().getWidth();
            x -= textWidth + 26;
            graphics.setStroke(SERIES_COLORS[i % SERIES_COLORS.length]);
            graphics.setLineWidth(3);
            graphics.strokeLine(x, TOP - 14, x + 16, TOP - 14);
            graphics.setFill(TEXT_COLOR);
            graphics.fillText(name, x + 20, TOP - 14);
        }
        graphics.setLineWidth(1);
    }

    /** Round tick values (1, 2 or 5 times a power of ten apart) covering {@code [low, high]}, about five of them. */
    static List<Double> linearTicks(double low, double high) {
        List<Double> ticks = new ArrayList<>();
        if (!(high > low)) {
            ticks.add(low);
            return ticks;
        }
        double rough = (high - low) / 5;
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double step = rough / power < 1.5 ? power : rough / power < 3.5 ? 2 * power : rough / power < 7.5 ? 5 * power
                : 10 * power;
        for (double tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step) {
            ticks.add(Math.abs(tick) < step * 1e-9 ? 0 : tick);
        }
        return ticks;
    }

    /** Tick values for a log axis spanning {@code [10^logLow, 10^logHigh]}: powers of ten, with 2 and 5 between when few. */
    static List<Double> logTicks(double logLow, double logHigh) {
        List<Double> ticks = new ArrayList<>();
        double[] multiples = logHigh - logLow > 3 ? new double[] {1} : new double[] {1, 2, 5};
        for (int power = (int) Math.floor(logLow); power <= Math.ceil(logHigh); power++) {
            for (double multiple : multiples) {
                double tick = multiple * Math.pow(10, power);
                double position = Math.log10(tick);
                if (position >= logLow && position <= logHigh) {
                    ticks.add(tick);
                }
            }
        }
        if (ticks.size() < 2) {
            ticks.clear();
            for (double position : linearTicks(Math.pow(10, logLow), Math.pow(10, logHigh))) {
                ticks.add(position);
            }
        }
        return ticks;
    }
}
