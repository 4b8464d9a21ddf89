package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.List;

import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.shape.Line;

/**
 * The tick marks under the temperature slider: 0.05, 0.1, 0.2, 0.5, 1, 2, 5 on the slider's log scale,
 * with 1.0 (the model's own distribution) drawn stronger.
 */
final class TemperatureScale extends Region {

    /** Smallest and largest temperature of the slider. */
    static final double LOWEST = 0.05;
    static final double HIGHEST = 5.0;
    /** The temperatures marked. */
    static final double[] MARKS = {0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0};
    /** Horizontal distance in pixels from the slider's edge to the centre of its thumb at either end. */
    private static final double THUMB_INSET = 8;
    /** Least space in pixels between two tick labels shown. */
    private static final double LABEL_GAP = 4;

    private final List<Line> ticks = new ArrayList<>();
    private final List<Label> labels = new ArrayList<>();

    TemperatureScale() {
        getStyleClass().add("stage-temperature-scale");
        for (double mark : MARKS) {
            Line tick = new Line();
            tick.getStyleClass().add(mark == 1.0 ? "stage-tick-one" : "stage-tick");
            Label label = new Label(mark == 1.0 ? "1.0" : Texts.number(mark, 2));
            label.getStyleClass().add(mark == 1.0 ? "stage-tick-label-one" : "stage-tick-label");
            ticks.add(tick);
            labels.add(label);
            getChildren().addAll(tick, label);
        }
    }

    /** Position of {@code temperature} on the slider, from 0 (lowest) to 1 (highest). */
    static double fraction(double temperature) {
        return (Math.log10(temperature) - Math.log10(LOWEST)) / (Math.log10(HIGHEST) - Math.log10(LOWEST));
    }

    @Override
    protected double computePrefHeight(double width) {
        return 8 + labels.get(0).prefHeight(-1);
    }

    @Override
    protected double computePrefWidth(double height) {
        return 240;
    }

    @Override
    protected void layoutChildren() {
        double track = getWidth() - 2 * THUMB_INSET;
        for (int i = 0; i < MARKS.length; i++) {
            double x = Math.round(THUMB_INSET + fraction(MARKS[i]) * track) + 0.5;
            Line tick = ticks.get(i);
            tick.setStartX(x);
            tick.setEndX(x);
            tick.setStartY(0);
            tick.setEndY(MARKS[i] == 1.0 ? 7 : 5);
            Label label = labels.get(i);
            double width = label.prefWidth(-1);
            label.resizeRelocate(Math.max(0, Math.min(getWidth() - width, x - width / 2)), 8, width, label.prefHeight(-1));
        }
        hideCrowdedLabels();
    }

    /** On a narrow slider, labels that would overlap are hidden: 1.0 first, then the ends, then the rest. */
    private void hideCrowdedLabels() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < MARKS.length; i++) {
            if (MARKS[i] == 1.0) {
                order.add(0, i);
            } else if (i == 0 || i == MARKS.length - 1) {
                order.add(Math.min(order.size(), 1), i);
            } else {
                order.add(i);
            }
        }
        List<Label> shown = new ArrayList<>();
        for (int index : order) {
            Label label = labels.get(index);
            boolean free = true;
            for (Label other : shown) {
                free &= label.getLayoutX() + label.getWidth() + LABEL_GAP <= other.getLayoutX()
                        || other.getLayoutX() + other.getWidth() + LABEL_GAP <= label.getLayoutX();
            }
            label.setVisible(free);
            if (free) {
                shown.add(label);
            }
        }
    }
}
