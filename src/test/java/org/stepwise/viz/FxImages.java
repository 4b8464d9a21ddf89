package org.stepwise.viz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;

import javax.imageio.ImageIO;

import javafx.embed.swing.SwingFXUtils;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.image.WritableImage;

import org.testfx.util.WaitForAsyncUtils;

/** Snapshots of widgets for the tests: taken on the JavaFX thread, read by pixel, written as PNG. */
final class FxImages {
    /** Folder of the PNG snapshots a reader looks at. */
    static final Path SHOTS = Path.of("target", "viz-shots");

    private FxImages() {
    }

    /** A snapshot of {@code node} with its local origin at {@code (originX, originY)} of the image. */
    record Shot(WritableImage image, double originX, double originY) {
        /** ARGB of the image pixel that shows the node's local point {@code (x, y)}. */
        int argbAt(double x, double y) {
            return image.getPixelReader().getArgb((int) Math.floor(x - originX), (int) Math.floor(y - originY));
        }
    }

    static Shot snapshot(Node node) throws InterruptedException, ExecutionException {
        return WaitForAsyncUtils.asyncFx(() -> {
            node.applyCss();
            if (node.getParent() != null) {
                node.getParent().layout();
            }
            Bounds bounds = node.getBoundsInLocal();
            return new Shot(node.snapshot(null, null), -bounds.getMinX(), -bounds.getMinY());
        }).get();
    }

    static void writePng(Node node, String name) throws IOException, InterruptedException, ExecutionException {
        Files.createDirectories(SHOTS);
        WritableImage image = snapshot(node).image();
        ImageIO.write(SwingFXUtils.fromFXImage(image, null), "png", SHOTS.resolve(name + ".png").toFile());
    }
}
