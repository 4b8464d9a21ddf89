package org.stepwise.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.StackPane;
import javafx.scene.text.Text;
import javafx.stage.Stage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.robot.Motion;
import org.testfx.util.WaitForAsyncUtils;

/** The heatmap shows each cell in its scale colour, hatches masked cells, and reports hover, clicks and zoom. */
@ExtendWith(ApplicationExtension.class)
class HeatmapViewTest {

    private HeatmapView heatmap;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        Locale.setDefault(Locale.ENGLISH);
        heatmap = new HeatmapView();
        heatmap.setId("heatmap");
        stage.setScene(new Scene(new StackPane(heatmap), 900, 700));
        stage.show();
    }

    /** A 5×7 matrix of signed values: sin of the cell index, so neighbouring cells differ. */
    private static double[] signedValues(int rows, int cols) {
        double[] values = new double[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = 2.5 * Math.sin(0.7 * i + 0.3);
        }
        return values;
    }

    @Test
    void everyCellShowsItsScaleColour(FxRobot robot) throws Exception {
        double[] values = signedValues(5, 7);
        robot.interact(() -> {
            heatmap.setValues(values, 5, 7);
            heatmap.cellSizeProperty().set(12);
        });
        FxImages.Shot shot = FxImages.snapshot(heatmap);
        double extent = 0;
        for (double value : values) {
            extent = Math.max(extent, Math.abs(value));
        }
        assertEquals(-extent, heatmap.getRangeLow(), 1e-12, "automatic diverging range is symmetric");
        assertEquals(extent, heatmap.getRangeHigh(), 1e-12);
        for (int row = 0; row < 5; row++) {
            for (int col = 0; col < 7; col++) {
                Bounds cell = heatmap.cellBounds(new Cell(row, col));
                int expected = ColorScale.DIVERGING.argb(values[row * 7 + col], -extent, extent);
                assertEquals(Integer.toHexString(expected),
                        Integer.toHexString(shot.argbAt(cell.getCenterX(), cell.getCenterY())), "cell " + row + "," + col);
                assertEquals(Integer.toHexString(expected),
                        Integer.toHexString(shot.argbAt(cell.getMinX() + 1.5, cell.getMaxY() - 1.5)),
                        "cell " + row + "," + col + " is one flat colour to within a pixel of its corner (no smoothing)");
            }
        }
    }

    @Test
    void sequentialScaleWithAFixedRange(FxRobot robot) throws Exception {
        double[] values = {0.0, 0.1, 0.5, 0.9, 1.0, 2.0};
        robot.interact(() -> {
            heatmap.setColorScale(ColorScale.SEQUENTIAL);
            heatmap.setValues(values, 2, 3);
        });
        assertEquals(0, heatmap.getRangeLow());
        assertEquals(2, heatmap.getRangeHigh(), "a value above 1 widens the automatic range to the data");
        robot.interact(() -> heatmap.setRange(0, 1));
        FxImages.Shot shot = FxImages.snapshot(heatmap);
        for (int i = 0; i < values.length; i++) {
            Bounds cell = heatmap.cellBounds(new Cell(i / 3, i % 3));
            assertEquals(ColorScale.SEQUENTIAL.argb(values[i], 0, 1), shot.argbAt(cell.getCenterX(), cell.getCenterY()));
        }
    }

    @Test
    void maskedCellsShowTheHatchNotAScaleColour(FxRobot robot) throws Exception {
        int size = 6;
        double[] scores = new double[size * size];
        for (int row = 0; row < size; row++) {
            for (int col = 0; col < size; col++) {
                scores[row * size + col] = col > row ? Double.NEGATIVE_INFINITY : Math.cos(row + 2.0 * col);
            }
        }
        robot.interact(() -> {
            heatmap.setValues(scores, size, size);
            heatmap.cellSizeProperty().set(24);
        });
        FxImages.Shot shot = FxImages.snapshot(heatmap);
        Bounds masked = heatmap.cellBounds(new Cell(1, 4));
        Set<Integer> colours = new HashSet<>();
        for (double y = masked.getMinY() + 0.5; y < masked.getMaxY(); y++) {
            for (double x = masked.getMinX() + 0.5; x < masked.getMaxX(); x++) {
                colours.add(shot.argbAt(x, y));
            }
        }
        assertEquals(Set.of(0xff8c8c8c, 0xffe6e6e6), colours, "a masked cell is the two-tone hatch");
        Bounds visible = heatmap.cellBounds(new Cell(4, 1));
        assertEquals(ColorScale.DIVERGING.argb(scores[4 * size + 1], heatmap.getRangeLow(), heatmap.getRangeHigh()),
                shot.argbAt(visible.getCenterX(), visible.getCenterY()), "unmasked cells keep their colour");
        boolean captionShown = robot.lookup(node -> node instanceof Text text && text.isVisible()
                && "masked".equals(text.getText())).tryQuery().isPresent();
        assertTrue(captionShown, "the legend explains the hatch");
    }

    @Test
    void hoverReportsTheCellUnderTheMouseAndClickPins(FxRobot robot) {
        robot.interact(() -> {
            heatmap.setValues(signedValues(5, 7), 5, 7);
            heatmap.cellSizeProperty().set(20);
        });
        WaitForAsyncUtils.waitForFxEvents();
        robot.moveTo(screenCentre(new Cell(2, 5)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new Cell(2, 5), heatmap.hoveredCellProperty().get());
        robot.moveTo(screenCentre(new Cell(4, 0)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new Cell(4, 0), heatmap.hoveredCellProperty().get());

        robot.clickOn(screenCentre(new Cell(3, 6)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(new Cell(3, 6), heatmap.pinnedCellProperty().get());
        robot.clickOn(screenCentre(new Cell(3, 6)), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(heatmap.pinnedCellProperty().get(), "a second click unpins");

        Bounds first = heatmap.cellBounds(new Cell(0, 0));
        robot.moveTo(heatmap.localToScreen(first.getMinX() - 3, first.getMinY() - 3), Motion.DIRECT);
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(heatmap.hoveredCellProperty().get(), "outside the cells nothing is hovered");
    }

    @Test
    void controlScrollZooms(FxRobot robot) {
        robot.interact(() -> {
            heatmap.setValues(signedValues(5, 7), 5, 7);
            heatmap.cellSizeProperty().set(20);
        });
        robot.moveTo(screenCentre(new Cell(1, 1)), Motion.DIRECT);
        robot.press(KeyCode.CONTROL);
        try {
            robot.scroll(javafx.geometry.VerticalDirection.UP);
        } finally {
            robot.release(KeyCode.CONTROL);
        }
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(heatmap.cellSizeProperty().get() != 20, "ctrl+scroll changes the cell size");
        assertThrows(IllegalArgumentException.class, () -> heatmap.cellSizeProperty().set(0));
    }

    @Test
    void labelsThinOutWhenCellsAreSmall(FxRobot robot) {
        int rows = 60;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            tokens.add("tok" + i);
        }
        robot.interact(() -> {
            heatmap.setValues(signedValues(rows, 48), rows, 48);
            heatmap.setRowLabels(tokens);
            heatmap.cellSizeProperty().set(20);
        });
        assertEquals(rows, heatmap.visibleRowLabels().size(), "every row is labelled at 20 px");
        assertEquals(48, heatmap.visibleColumnLabels().size());

        robot.interact(() -> heatmap.cellSizeProperty().set(3));
        List<Text> rowLabels = heatmap.visibleRowLabels();
        List<Text> columnLabels = heatmap.visibleColumnLabels();
        assertTrue(rowLabels.size() < rows && rowLabels.size() > 1, rowLabels.size() + " row labels at 3 px");
        assertTrue(columnLabels.size() < 48 && columnLabels.size() > 1, columnLabels.size() + " column labels at 3 px");
        assertEquals("tok0", rowLabels.get(0).getText());
        assertNoOverlap(rowLabels);
        assertNoOverlap(columnLabels);
    }

    @Test
    void scrollingAWideMatrixDrawsTheCellsThatComeIntoView(FxRobot robot) throws Exception {
        int rows = 32;
        int cols = 768;
        double[] values = signedValues(rows, cols);
        ScrollPane scroller = new ScrollPane();
        robot.interact(() -> {
            stage.getScene().setRoot(scroller);
            scroller.setContent(heatmap);
            heatmap.setValues(values, rows, cols);
            heatmap.cellSizeProperty().set(14);
        });
        assertTrue(heatmap.prefWidth(-1) > cols * 14, "the view asks for room for every column");
        for (double position : new double[] {0, 0.5, 1}) {
            robot.interact(() -> scroller.setHvalue(position));
            WaitForAsyncUtils.waitForFxEvents();
            WritableImage shot = WaitForAsyncUtils.asyncFx(() -> stage.getScene().snapshot(null)).get();
            Bounds viewport = scroller.localToScene(scroller.getLayoutBounds());
            Cell visible = heatmap.cellAt(heatmap.sceneToLocal(viewport.getCenterX(), viewport.getCenterY()).getX(),
                    heatmap.cellBounds(new Cell(rows / 2, 0)).getCenterY());
            assertTrue(visible != null, "a cell is under the middle of the viewport at " + position);
            Bounds cell = heatmap.localToScene(heatmap.cellBounds(visible));
            int expected = ColorScale.DIVERGING.argb(values[visible.row() * cols + visible.col()],
                    heatmap.getRangeLow(), heatmap.getRangeHigh());
            assertEquals(Integer.toHexString(expected), Integer.toHexString(shot.getPixelReader().getArgb(
                    (int) cell.getCenterX(), (int) cell.getCenterY())), "cell " + visible + " at scroll " + position);
        }
    }

    @Test
    void badValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> heatmap.setValues(new double[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> heatmap.setValues(new double[0], -1, 0));
        assertThrows(IllegalArgumentException.class, () -> heatmap.setRange(1, -1));
        assertThrows(IllegalArgumentException.class, () -> heatmap.highlightedRowProperty().set(-2));
    }

    private Point2D screenCentre(Cell cell) {
        Bounds bounds = heatmap.cellBounds(cell);
        return heatmap.localToScreen(bounds.getCenterX(), bounds.getCenterY());
    }

    private static void assertNoOverlap(List<Text> labels) {
        for (int i = 1; i < labels.size(); i++) {
            Bounds before = labels.get(i - 1).getBoundsInParent();
            Bounds after = labels.get(i).getBoundsInParent();
            assertTrue(!before.intersects(after), "labels " + labels.get(i - 1).getText() + " and "
                    + labels.get(i).getText() + " overlap: " + before + " " + after);
        }
    }
}
