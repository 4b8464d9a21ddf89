package org.stepwise.ui.export;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Bounds;
import javafx.geometry.Rectangle2D;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.transform.Transform;

import org.stepwise.files.AtomicFiles;

/**
 * Pictures for slides and worksheets: a node on white at 1× or 2× resolution, pictures stacked one under another,
 * and the PNG file of a picture. Every method that snapshots runs on the FX thread.
 */
public final class PanelImage {

    /** The largest width or height of a picture in pixels; a larger one could not be snapshot or opened reliably. */
    public static final int MAX_SIDE = 16384;
    private static final int WHITE = 0xffffffff;

    private PanelImage() {
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
