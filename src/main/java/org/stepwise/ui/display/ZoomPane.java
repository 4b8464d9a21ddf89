package org.stepwise.ui.display;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.layout.Region;
import javafx.scene.transform.Scale;

/**
 * Shows one node magnified by {@link #scaleProperty()}: the node is laid out in the pane's size divided by the
 * scale and drawn scaled up, so text, controls and heatmap labels all grow together and nothing is cut off.
 */
public final class ZoomPane extends Region {

    private final Parent content;
    private final Scale transform = new Scale(1, 1, 0, 0);
    private final DoubleProperty scale = new SimpleDoubleProperty(this, "scale", 1) {
        @Override
        public void set(double value) {
            if (!(value > 0 && Double.isFinite(value))) {
                throw new IllegalArgumentException("the scale is a positive number, got " + value);
            }
            super.set(value);
        }
    };

    /** @param content the node shown magnified; becomes this pane's only child */
    public ZoomPane(Parent content) {
        if (content == null) {
            throw new IllegalArgumentException("content is required");
        }
        this.content = content;
        getStyleClass().add("zoom-pane");
        content.getTransforms().add(transform);
        getChildren().add(content);
        transform.xProperty().bind(scale);
        transform.yProperty().bind(scale);
        scale.addListener((observable, before, after) -> requestLayout());
    }

    /** The magnification, 1 for none; must be positive. */
    public DoubleProperty scaleProperty() {
        return scale;
    }

    /** The node shown magnified. */
    public Node content() {
        return content;
    }

    @Override
    protected void layoutChildren() {
        double factor = scale.get();
        content.resizeRelocate(0, 0, getWidth() / factor, getHeight() / factor);
    }

    @Override
    protected double computePrefWidth(double height) {
        return content.prefWidth(-1) * scale.get();
    }

    @Override
    protected double computePrefHeight(double width) {
        return content.prefHeight(-1) * scale.get();
    }

    @Override
    protected double computeMinWidth(double height) {
        return 0;
    }

    @Override
    protected double computeMinHeight(double width) {
        return 0;
    }
}
