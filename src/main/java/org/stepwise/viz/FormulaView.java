package org.stepwise.viz;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

import javafx.embed.swing.SwingFXUtils;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.layout.Region;

import org.scilab.forge.jlatexmath.JMathTeXException;
import org.scilab.forge.jlatexmath.TeXConstants;
import org.scilab.forge.jlatexmath.TeXFormula;
import org.scilab.forge.jlatexmath.TeXIcon;

/** A formula written in LaTeX, typeset by JLaTeXMath into an image and shown at its natural size. */
public final class FormulaView extends Region {

    /** The formula is rendered at this many image pixels per screen pixel, so it stays sharp on HiDPI screens. */
    private static final int OVERSAMPLING = 2;
    private static final java.awt.Color INK = new java.awt.Color(0x11, 0x18, 0x27);

    private final ImageView imageView = new ImageView();
    private String latex = "";
    private double fontSize = 20;

    public FormulaView() {
        getStyleClass().add("viz-formula");
        imageView.setSmooth(true);
        imageView.setPreserveRatio(true);
        getChildren().add(imageView);
    }

    /** A formula view showing {@code latex}. */
    public FormulaView(String latex) {
        this();
        setLatex(latex);
    }

    @Override
    public String getUserAgentStylesheet() {
        return FormulaView.class.getResource("viz.css").toExternalForm();
    }

    /**
     * Typesets {@code latex} (e.g. {@code "\\mathrm{softmax}(x)_i = \\frac{e^{x_i}}{\\sum_j e^{x_j}}"}); an
     * empty string shows nothing. Throws IllegalArgumentException when the text is not valid LaTeX.
     */
    public void setLatex(String latex) {
        if (latex == null) {
            throw new IllegalArgumentException("A formula needs LaTeX text, got null");
        }
        this.latex = latex;
        render();
    }

    /** The LaTeX text shown. */
    public String getLatex() {
        return latex;
    }

    /** Size of the formula's main text in pixels (8 to 96; default 20). */
    public void setFontSize(double size) {
        if (!(size >= 8 && size <= 96)) {
            throw new IllegalArgumentException("The formula size is between 8 and 96 pixels, got " + size);
        }
        fontSize = size;
        render();
    }

    /** The typeset image at {@value #OVERSAMPLING}× resolution, or null when the formula is empty. */
    public Image getImage() {
        return imageView.getImage();
    }

    private void render() {
        if (latex.isBlank()) {
            imageView.setImage(null);
            requestLayout();
            return;
        }
        TeXIcon icon;
        try {
            icon = new TeXFormula(latex).createTeXIcon(TeXConstants.STYLE_DISPLAY, (float) (fontSize * OVERSAMPLING));
        } catch (JMathTeXException e) {
            throw new IllegalArgumentException("Not valid LaTeX: " + latex + " (" + e.getMessage() + ")", e);
        }
        icon.setForeground(INK);
        int width = Math.max(1, icon.getIconWidth());
        int height = Math.max(1, icon.getIconHeight());
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        Graphics2D graphics = picture.createGraphics();
        graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        graphics.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        icon.paintIcon(null, graphics, 0, 0);
        graphics.dispose();
        imageView.setImage(SwingFXUtils.toFXImage(picture, null));
        imageView.setFitWidth((double) width / OVERSAMPLING);
        requestLayout();
    }

    private double imageWidth() {
        Image image = imageView.getImage();
        return image == null ? 0 : image.getWidth() / OVERSAMPLING;
    }

    private double imageHeight() {
        Image image = imageView.getImage();
        return image == null ? 0 : image.getHeight() / OVERSAMPLING;
    }

    @Override
    protected double computePrefWidth(double height) {
        return snappedLeftInset() + imageWidth() + snappedRightInset();
    }

    @Override
    protected double computePrefHeight(double width) {
        return snappedTopInset() + imageHeight() + snappedBottomInset();
    }

    @Override
    protected void layoutChildren() {
        imageView.relocate(snappedLeftInset(), snappedTopInset());
    }
}
