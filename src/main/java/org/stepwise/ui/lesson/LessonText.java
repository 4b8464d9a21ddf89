package org.stepwise.ui.lesson;

import java.util.ArrayList;
import java.util.List;

import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

import org.scilab.forge.jlatexmath.TeXConstants;
import org.scilab.forge.jlatexmath.TeXFormula;
import org.stepwise.viz.FormulaView;

/**
 * Turns a lesson step's Markdown into nodes: paragraphs (blank-line separated) as wrapping text flows
 * with {@code **bold**}, {@code `code`} and inline math {@code $...$} typeset in the line, lines starting
 * with "- " as bullet items, and display math between {@code $$} lines as a formula of its own.
 */
public final class LessonText {

    /** Font size of display formulas, in pixels. */
    public static final double DISPLAY_FONT_SIZE = 18;
    /** Font size of formulas inside a line, in pixels. */
    public static final double INLINE_FONT_SIZE = 14;

    private LessonText() {
    }

    /** One block of the text: a paragraph, a bullet item or a display formula. */
    public record Block(Kind kind, String content) {
        /** What a block is. */
        public enum Kind { PARAGRAPH, BULLET, DISPLAY_MATH }
    }

    /** One run inside a paragraph: plain, bold, code or inline math. */
    public record Run(Style style, String content) {
        /** How a run is drawn. */
        public enum Style { PLAIN, BOLD, CODE, MATH }
    }

    /**
     * Splits {@code markdown} into blocks.
     *
     * @throws IllegalArgumentException when a {@code $$} formula is not closed
     */
    public static List<Block> blocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        List<String> paragraph = new ArrayList<>();
        String[] lines = markdown.replace("\r\n", "\n").split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("$$")) {
                flush(paragraph, blocks);
                StringBuilder formula = new StringBuilder(line.substring(2));
                int end = formula.indexOf("$$");
                while (end < 0) {
                    i++;
                    if (i >= lines.length) {
                        throw new IllegalArgumentException("a $$ formula is not closed: " + line);
                    }
                    formula.append('\n').append(lines[i]);
                    end = formula.indexOf("$$");
                }
                blocks.add(new Block(Block.Kind.DISPLAY_MATH, formula.substring(0, end).strip()));
            } else if (line.isEmpty()) {
                flush(paragraph, blocks);
            } else if (line.startsWith("- ") || line.startsWith("* ")) {
                flush(paragraph, blocks);
                blocks.add(new Block(Block.Kind.BULLET, line.substring(2).strip()));
            } else {
                paragraph.add(line);
            }
        }
        flush(paragraph, blocks);
        return blocks;
    }

    private static void flush(List<String> paragraph, List<Block> blocks) {
        if (!paragraph.isEmpty()) {
            blocks.add(new Block(Block.Kind.PARAGRAPH, String.join(" ", paragraph)));
            paragraph.clear();
        }
    }

    /**
     * Splits a paragraph into runs; an unclosed marker is kept as plain text.
     */
    public static List<Run> runs(String paragraph) {
        List<Run> runs = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        int i = 0;
        while (i < paragraph.length()) {
            Run.Style style = null;
            String marker = null;
            if (paragraph.startsWith("**", i)) {
                style = Run.Style.BOLD;
                marker = "**";
            } else if (paragraph.charAt(i) == '`') {
                style = Run.Style.CODE;
                marker = "`";
            } else if (paragraph.charAt(i) == '$') {
                style = Run.Style.MATH;
                marker = "$";
            }
            int close = marker == null ? -1 : paragraph.indexOf(marker, i + marker.length());
            if (marker != null && close > i + marker.length()) {      // a closing marker with something between
                if (plain.length() > 0) {
                    runs.add(new Run(Run.Style.PLAIN, plain.toString()));
                    plain.setLength(0);
                }
                runs.add(new Run(style, paragraph.substring(i + marker.length(), close)));
                i = close + marker.length();
            } else {
                plain.append(paragraph.charAt(i));
                i++;
            }
        }
        if (plain.length() > 0) {
            runs.add(new Run(Run.Style.PLAIN, plain.toString()));
        }
        return runs;
    }

    /** The nodes of {@code markdown}, in a column that wraps at its width. */
    public static VBox render(String markdown) {
        VBox column = new VBox(8);
        column.getStyleClass().add("lesson-text");
        for (Block block : blocks(markdown)) {
            column.getChildren().add(switch (block.kind()) {
                case DISPLAY_MATH -> displayMath(block.content());
                case PARAGRAPH -> flow(block.content(), "lesson-paragraph", "");
                case BULLET -> flow(block.content(), "lesson-bullet", "•  ");
            });
        }
        return column;
    }

    /**
     * A display formula; parts separated by a top-level {@code \qquad} go on lines of their own (a
     * narrow panel has no room for them side by side), each scaled down to the width if it must be.
     */
    private static Node displayMath(String latex) {
        VBox lines = new VBox(4);
        lines.getStyleClass().add("lesson-display-math-lines");
        for (String part : splitTopLevel(latex, "\\qquad")) {
            lines.getChildren().add(new FitToWidth(formula(part, DISPLAY_FONT_SIZE, "lesson-display-math")));
        }
        return lines;
    }

    /** {@code latex} cut at each {@code separator} outside braces; blank parts are dropped. */
    static List<String> splitTopLevel(String latex, String separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < latex.length(); i++) {
            char c = latex.charAt(i);
            if (c == '\\' && i + 1 < latex.length() && (latex.charAt(i + 1) == '{' || latex.charAt(i + 1) == '}')) {
                i++;        // an escaped brace does not nest
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            } else if (depth == 0 && latex.startsWith(separator, i)
                    && (i + separator.length() == latex.length() || !Character.isLetter(latex.charAt(i + separator.length())))) {
                parts.add(latex.substring(start, i));
                start = i + separator.length();
                i = start - 1;
            }
        }
        parts.add(latex.substring(start));
        parts.removeIf(String::isBlank);
        return parts.stream().map(String::strip).toList();
    }

    private static TextFlow flow(String paragraph, String styleClass, String prefix) {
        TextFlow flow = new TextFlow();
        flow.getStyleClass().add(styleClass);
        if (!prefix.isEmpty()) {
            flow.getChildren().add(text(prefix, "lesson-plain"));
        }
        for (Run run : runs(paragraph)) {
            flow.getChildren().add(switch (run.style()) {
                case PLAIN -> text(run.content(), "lesson-plain");
                case BOLD -> text(run.content(), "lesson-bold");
                case CODE -> text(run.content(), "lesson-code");
                case MATH -> inlineMath(run.content());
            });
        }
        return flow;
    }

    private static Text text(String content, String styleClass) {
        Text text = new Text(content);
        text.getStyleClass().addAll("lesson-run", styleClass);
        return text;
    }

    /**
     * A formula inside a line, its baseline on the text's baseline (JLaTeXMath's depth is what hangs
     * below the formula's baseline, e.g. a subscript).
     */
    private static Node inlineMath(String latex) {
        Node typeset = formula(latex, INLINE_FONT_SIZE, "lesson-inline-math");
        if (!(typeset instanceof FormulaView view)) {
            return typeset;
        }
        double depth = new TeXFormula(latex).createTeXIcon(TeXConstants.STYLE_DISPLAY, (float) INLINE_FONT_SIZE)
                .getIconDepth();
        return new Region() {
            {
                getChildren().add(view);
                getStyleClass().add("lesson-inline-math-box");
            }

            @Override
            protected double computePrefWidth(double height) {
                return view.prefWidth(-1);
            }

            @Override
            protected double computePrefHeight(double width) {
                return view.prefHeight(-1);
            }

            @Override
            public double getBaselineOffset() {
                return view.prefHeight(-1) - view.getInsets().getBottom() - depth;
            }

            @Override
            protected void layoutChildren() {
                view.resizeRelocate(0, 0, view.prefWidth(-1), view.prefHeight(-1));
            }
        };
    }

    /** A typeset formula; LaTeX the typesetter rejects is shown as its source text, so a lesson still reads. */
    private static Node formula(String latex, double size, String styleClass) {
        try {
            FormulaView view = new FormulaView();
            view.setFontSize(size);
            view.setLatex(latex);
            view.getStyleClass().add(styleClass);
            return view;
        } catch (IllegalArgumentException unreadable) {
            return text(latex, "lesson-code");
        }
    }

    /**
     * Shows its one child at its natural size, or scaled down (never up) to the width it is given, so
     * a wide display formula stays whole in a narrow panel.
     */
    static final class FitToWidth extends Region {
        private final Node content;

        FitToWidth(Node content) {
            this.content = content;
            getChildren().add(content);
            getStyleClass().add("lesson-fit");
        }

        /** The scale the content is drawn at for {@code width}: 1 when it fits, smaller when not. */
        double scaleFor(double width) {
            double natural = content.prefWidth(-1);
            return width < 0 || natural <= 0 || natural <= width ? 1 : width / natural;
        }

        @Override
        public Orientation getContentBias() {
            return Orientation.HORIZONTAL;
        }

        @Override
        protected double computePrefWidth(double height) {
            return content.prefWidth(-1);
        }

        @Override
        protected double computeMinWidth(double height) {
            return 0;
        }

        @Override
        protected double computePrefHeight(double width) {
            return content.prefHeight(-1) * scaleFor(width);
        }

        @Override
        protected double computeMinHeight(double width) {
            return computePrefHeight(width);
        }

        @Override
        protected void layoutChildren() {
            double scale = scaleFor(getWidth());
            double naturalWidth = content.prefWidth(-1);
            double naturalHeight = content.prefHeight(-1);
            content.resize(naturalWidth, naturalHeight);
            content.setScaleX(scale);
            content.setScaleY(scale);
            // Scaling is about the centre: shift so the scaled content's top-left corner is at (0, 0).
            content.relocate(-naturalWidth * (1 - scale) / 2, -naturalHeight * (1 - scale) / 2);
        }
    }
}
