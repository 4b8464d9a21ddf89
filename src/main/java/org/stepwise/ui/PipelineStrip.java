package org.stepwise.ui;

import java.util.List;

import javafx.geometry.Bounds;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.Region;

/** The pipeline strip's one behaviour shared by the visualizer and the translation window: marking the current stage. */
public final class PipelineStrip {

    private PipelineStrip() {
    }

    /**
     * Marks {@code items[current]} as the current stage (style class {@code stage-current}) and scrolls
     * {@code scroll}, which holds {@code strip}, just enough to show it; −1 or past the end marks none.
     */
    public static void markCurrent(List<Label> items, int current, Region strip, ScrollPane scroll) {
        for (int i = 0; i < items.size(); i++) {
            Label item = items.get(i);
            item.getStyleClass().remove("stage-current");
            if (i == current) {
                item.getStyleClass().add("stage-current");
            }
        }
        if (current >= 0 && current < items.size()) {
            scrollIntoView(items.get(current), strip, scroll);
        }
    }

    private static void scrollIntoView(Label item, Region strip, ScrollPane scroll) {
        if (strip.getHeight() <= 0) {
            // Only before the strip's first layout: the current stage's style changes no item's height,
            // so the laid-out positions stay right and the strip need not be styled again here.
            strip.applyCss();
            strip.layout();
        }
        double contentHeight = strip.getBoundsInLocal().getHeight();
        double viewportHeight = scroll.getViewportBounds().getHeight();
        if (contentHeight <= viewportHeight || viewportHeight <= 0) {
            return;
        }
        Bounds bounds = item.getBoundsInParent();
        double top = (contentHeight - viewportHeight) * scroll.getVvalue();
        if (bounds.getMinY() < top) {
            scroll.setVvalue(bounds.getMinY() / (contentHeight - viewportHeight));
        } else if (bounds.getMaxY() > top + viewportHeight) {
            scroll.setVvalue((bounds.getMaxY() - viewportHeight) / (contentHeight - viewportHeight));
        }
    }
}
