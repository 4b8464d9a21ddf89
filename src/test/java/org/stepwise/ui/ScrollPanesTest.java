package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * A scroll pane made by {@link ScrollPanes#drawnDirectly} keeps no image of its viewport, also when it gets a new
 * skin and when another scroll pane sits inside it; a plain one does (JavaFX's default, which the helper undoes).
 */
@ExtendWith(ApplicationExtension.class)
class ScrollPanesTest {

    private ScrollPane plain;
    private ScrollPane inner;
    private ScrollPane direct;

    @Start
    void start(Stage stage) {
        plain = new ScrollPane(new Label("plain"));
        inner = new ScrollPane(new Label("inner"));
        direct = ScrollPanes.drawnDirectly(new ScrollPane(inner));
        stage.setScene(new Scene(new HBox(plain, direct), 400, 200));
        stage.show();
    }

    @Test
    void theViewportIsDrawnWithoutACache(FxRobot robot) {
        robot.interact(() -> {
            assertTrue(ScrollPanes.cachesViewport(plain), "JavaFX caches a scroll pane's viewport by default");
            assertFalse(ScrollPanes.cachesViewport(direct));
            assertTrue(ScrollPanes.cachesViewport(inner), "only the scroll pane handed over is changed");
            direct.setSkin(new javafx.scene.control.skin.ScrollPaneSkin(direct));
            direct.applyCss();
            assertFalse(ScrollPanes.cachesViewport(direct), "a new skin is made direct too");
        });
        assertThrows(IllegalArgumentException.class, () -> ScrollPanes.drawnDirectly(null));
    }
}
