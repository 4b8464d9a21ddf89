package org.stepwise.ui;

import javafx.scene.Node;
import javafx.scene.control.ScrollPane;

/**
 * Scroll panes that redraw only what changed. JavaFX's {@link ScrollPane} keeps an image cache of its viewport: with
 * it, every change of anything inside (a counter of the dashboard, a heatmap of the stage) first renders the whole
 * content again into that image, then draws the image, and text can come out blurred; with the cache off only the
 * changed region is drawn. While the trainer runs, that difference is CPU time the trainer gets back.
 */
public final class ScrollPanes {

    private ScrollPanes() {
    }

    /** Turns the viewport cache of {@code scroll} off, now and whenever it gets a new skin; returns {@code scroll}. */
    public static ScrollPane drawnDirectly(ScrollPane scroll) {
        if (scroll == null) {
            throw new IllegalArgumentException("a scroll pane is required");
        }
        scroll.skinProperty().addListener((observable, before, skin) -> uncache(scroll));
        uncache(scroll);
        return scroll;
    }

    /** True when the viewport of {@code scroll} (once it has a skin) keeps an image cache. */
    public static boolean cachesViewport(ScrollPane scroll) {
        Node viewport = viewport(scroll);
        return viewport != null && viewport.isCache();
    }

    private static void uncache(ScrollPane scroll) {
        Node viewport = viewport(scroll);
        if (viewport != null) {
            viewport.setCache(false);
        }
    }

    /** The skin's viewport: a direct child of the scroll pane, never one of a scroll pane inside its content. */
    private static Node viewport(ScrollPane scroll) {
        for (Node child : scroll.getChildrenUnmodifiable()) {
            if (child.getStyleClass().contains("viewport")) {
                return child;
            }
        }
        return null;
    }
}
