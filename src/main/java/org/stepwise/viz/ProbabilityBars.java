package org.stepwise.viz;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.VPos;
import javafx.scene.layout.Region;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;

/** Horizontal bars of probabilities, one row per label, each bar's length proportional to its probability. */
public final class ProbabilityBars extends Region {

    /** One bar: the label (e.g. a token shown visibly), its probability in [0, 1], and whether to emphasise it. */
    public record Bar(String label, double probability, boolean highlighted) {
        public Bar {
            if (label == null) {
                throw new IllegalArgumentException("A bar needs a label, got null");
            }
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("A probability lies in [0, 1], got " + probability + " for " + label);
            }
        }
    }

    private static final double ROW_HEIGHT = 24;
    private static final double ROW_GAP = 4;
    private static final double COLUMN_GAP = 10;
    private static final double PREFERRED_BAR_WIDTH = 320;
    private static final double BAR_HEIGHT = 16;

    private final List<Bar> bars = new ArrayList<>();
    private final List<Text> labels = new ArrayList<>();
    private final List<Rectangle> tracks = new ArrayList<>();
    private final List<Rectangle> fills = new ArrayList<>();
    private final List<Text> valueTexts = new ArrayList<>();

    public ProbabilityBars() {
        getStyleClass().add("viz-probability-bars");
    }

    @Override
    public String getUserAgentStylesheet() {
        return ProbabilityBars.class.getResource("viz.css").toExternalForm();
    }

    /** Shows these bars top to bottom (the list is copied, not modified). */
    public void setBars(List<Bar> newBars) {
        bars.clear();
        bars.addAll(newBars);
        labels.clear();
        tracks.clear();
        fills.clear();
        valueTexts.clear();
        getChildren().clear();
        for (Bar bar : bars) {
            Text label = new Text(bar.label());
            label.getStyleClass().add("viz-bar-label");
            label.setTextOrigin(VPos.CENTER);
            Rectangle track = new Rectangle(0, BAR_HEIGHT);
            track.getStyleClass().add("viz-bar-track");
            track.setArcWidth(4);
            track.setArcHeight(4);
            Rectangle fill = new Rectangle(0, BAR_HEIGHT);
            fill.getStyleClass().add(bar.highlighted() ? "viz-bar-highlighted" : "viz-bar");
            fill.setArcWidth(4);
            fill.setArcHeight(4);
            Text value = new Text(NumberText.percent(bar.probability()));
            value.getStyleClass().add("viz-bar-value");
            value.setTextOrigin(VPos.CENTER);
            labels.add(label);
            tracks.add(track);
            fills.add(fill);
            valueTexts.add(value);
            getChildren().addAll(track, fill, label, value);
        }
        requestLayout();
    }

    /** The bars shown, top to bottom. */
    public List<Bar> getBars() {
        return List.copyOf(bars);
    }

    /** Width in pixels of the bar of row {@code index} as laid out now. */
    public double barWidth(int index) {
        return fills.get(index).getWidth();
    }

    /** Width in pixels a bar of probability 1 would have as laid out now. */
    public double fullBarWidth() {
        return barArea(getWidth());
    }

    private double labelColumnWidth() {
        double widest = 0;
        for (Text label : labels) {
            widest = Math.max(widest, label.getLayoutBounds().getWidth());
        }
        return widest;
    }

    private double valueColumnWidth() {
        double widest = 0;
        for (Text value : valueTexts) {
            widest = Math.max(widest, value.getLayoutBounds().getWidth());
        }
        return widest;
    }

    private double barArea(double width) {
        return Math.max(0, width - snappedLeftInset() - snappedRightInset() - labelColumnWidth()
                - valueColumnWidth() - 2 * COLUMN_GAP);
    }

    @Override
    protected double computePrefWidth(double height) {
        return snappedLeftInset() + labelColumnWidth() + COLUMN_GAP + PREFERRED_BAR_WIDTH + COLUMN_GAP
                + valueColumnWidth() + snappedRightInset();
    }

    @Override
    protected double computePrefHeight(double width) {
        int count = bars.size();
        return snappedTopInset() + count * ROW_HEIGHT + Math.max(0, count - 1) * ROW_GAP + snappedBottomInset();
    }

    @Override
    protected void layoutChildren() {
        double left = snappedLeftInset();
        double barX = left + labelColumnWidth() + COLUMN_GAP;
        double full = barArea(getWidth());
        double y = snappedTopInset();
        for (int i = 0; i < bars.size(); i++) {
            double centre = y + ROW_HEIGHT / 2;
            labels.get(i).relocate(left, centre - labels.get(i).getLayoutBounds().getHeight() / 2);
            Rectangle track = tracks.get(i);
            track.setWidth(full);
            track.relocate(barX, centre - BAR_HEIGHT / 2);
            Rectangle fill = fills.get(i);
            fill.setWidth(bars.get(i).probability() * full);
            fill.relocate(barX, centre - BAR_HEIGHT / 2);
            Text value = valueTexts.get(i);
            value.relocate(barX + full + COLUMN_GAP, centre - value.getLayoutBounds().getHeight() / 2);
            y += ROW_HEIGHT + ROW_GAP;
        }
    }
}
