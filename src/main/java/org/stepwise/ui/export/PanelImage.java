package org.stepwise.ui.export;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.transform.Transform;

import org.stepwise.files.AtomicFiles;

/**
 * Pictures of a stage panel for slides and worksheets: the panel's whole content, not only the part its scroll pane
 * shows, on white, at 1× or 2× resolution, stacked under a title; and the PNG file of such a picture.
 * Every method that snapshots runs on the FX thread.
 */
public final class PanelImage {

    /** The largest width or height of a picture in pixels; a larger one could not be snapshot or opened reliably. */
    public static final int MAX_SIDE = 16384;
    private static final int WHITE = 0xffffffff;

    private PanelImage() {
    }

    /**
     * The whole content of {@code panel} (Not modified) at {@code scale} pixels per screen pixel: a scroll pane gives
     * its full content, a tab pane its selected tab, and a column of parts holding a scroll pane gives each visible
     * part in full, one under the other.
     *
     * @throws IllegalArgumentException when the scale is not positive or the picture would exceed {@value #MAX_SIDE}
     *                                  pixels on a side
     */
    public static WritableImage capture(Node panel, double scale) {
        checkScale(scale);
        if (panel instanceof ScrollPane scroll && scroll.getContent() != null) {
            return capture(scroll.getContent(), scale);
        }
        if (panel instanceof TabPane tabs && tabs.getSelectionModel().getSelectedItem() != null) {
            Tab selected = tabs.getSelectionModel().getSelectedItem();
            if (selected.getContent() != null) {
                return capture(selected.getContent(), scale);
            }
        }
        if (panel instanceof VBox column && holdsScrollPane(column)) {
            List<WritableImage> parts = new ArrayList<>();
            for (Node part : column.getChildren()) {
                if (part.isVisible() && part.isManaged()) {
                    parts.add(capture(part, scale));
                }
            }
            int gap = (int) Math.round(column.getSpacing() * scale);
            int margin = (int) Math.round(column.snappedLeftInset() * scale);
            return stack(parts, gap, margin);
        }
        return snapshot(panel, scale);
    }

    /**
     * A snapshot of {@code node} (Not modified) alone, on white, at {@code scale}: its bounds rounded up to whole
     * screen pixels, so a 2× picture is exactly twice as wide and high as the 1× one.
     */
    public static WritableImage snapshot(Node node, double scale) {
        checkScale(scale);
        Parent top = node.getScene() != null ? node.getScene().getRoot() : node instanceof Parent parent ? parent : null;
        if (top != null) {
            top.applyCss();
            top.layout();                    // from the scene's root, which gives the node its size
        }
        // A node's snapshot is drawn with its own layout position and transforms: its box is its bounds in its parent.
        Bounds box = node.getBoundsInParent();
        int width = Math.max(1, (int) Math.ceil(box.getWidth()));
        int height = Math.max(1, (int) Math.ceil(box.getHeight()));
        checkSize(width * scale, height * scale);
        SnapshotParameters parameters = new SnapshotParameters();
        parameters.setFill(Color.WHITE);
        parameters.setTransform(Transform.scale(scale, scale));
        parameters.setViewport(new Rectangle2D(box.getMinX() * scale, box.getMinY() * scale,
                Math.round(width * scale), Math.round(height * scale)));
        WritableImage target = new WritableImage((int) Math.round(width * scale), (int) Math.round(height * scale));
        return node.snapshot(parameters, target);
    }

    /**
     * The pictures {@code parts} (Not modified) one under the other, left-aligned {@code margin} pixels from the
     * left, {@code gap} pixels apart, on white.
     */
    public static WritableImage stack(List<? extends Image> parts, int gap, int margin) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("there is nothing to picture: the panel shows no part");
        }
        int width = 0;
        int height = 0;
        for (Image part : parts) {
            width = Math.max(width, (int) part.getWidth() + margin);
            height += (int) part.getHeight();
        }
        height += gap * (parts.size() - 1);
        checkSize(width, height);
        WritableImage whole = new WritableImage(width, height);
        int[] white = new int[width];
        Arrays.fill(white, WHITE);
        for (int y = 0; y < height; y++) {
            whole.getPixelWriter().setPixels(0, y, width, 1, PixelFormat.getIntArgbInstance(), white, 0, width);
        }
        int top = 0;
        for (Image part : parts) {
            int partWidth = (int) part.getWidth();
            int partHeight = (int) part.getHeight();
            whole.getPixelWriter().setPixels(margin, top, partWidth, partHeight, part.getPixelReader(), 0, 0);
            top += partHeight + gap;
        }
        return whole;
    }

    /** The picture as pixels an image writer takes; call on the FX thread, then encode anywhere. */
    public static BufferedImage toBuffered(Image image) {
        return SwingFXUtils.fromFXImage(image, null);
    }

    /** Writes {@code image} (Not modified) to {@code file} as PNG, all-or-nothing. */
    public static void writePng(Path file, BufferedImage image) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer is available to write " + file);
            }
        });
    }

    private static boolean holdsScrollPane(VBox column) {
        for (Node child : column.getChildren()) {
            if (child instanceof ScrollPane) {
                return true;
            }
        }
        return false;
    }

    private static void checkScale(double scale) {
        if (!(scale > 0) || scale > 8) {
            throw new IllegalArgumentException("the picture's scale must be in (0, 8], got " + scale);
        }
    }

    private static void checkSize(double width, double height) {
        if (width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("the picture would be " + Math.round(width) + "×" + Math.round(height)
                    + " pixels, more than " + MAX_SIDE + " on a side; export it at 1×");
        }
    }
}
