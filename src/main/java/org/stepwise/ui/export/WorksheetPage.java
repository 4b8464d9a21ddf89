package org.stepwise.ui.export;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.tokenizer.TokenDisplay;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.I18n;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.viz.TokenStrip;

/**
 * A printable worksheet: one A4 portrait page (150 dpi, white) with a title, the stage and the model, the sentence,
 * its tokens as chips with their ids, the stage's panel (formula, shapes, heatmaps with legends) scaled to fit, and
 * ruled lines for notes. Built and drawn on the FX thread.
 */
public final class WorksheetPage {

    /** Width of the page in pixels: A4's 210 mm at 150 dpi. */
    public static final int WIDTH = 1240;
    /** Height of the page in pixels: A4's 297 mm at 150 dpi. */
    public static final int HEIGHT = 1754;
    /** White margin around the page's content, in pixels. */
    static final double MARGIN = 80;
    /** The panel takes at most this share of the page's height, so room stays for notes. */
    static final double PANEL_SHARE = 0.55;
    /** The stylesheet of exported pictures. */
    static final String STYLESHEET = WorksheetPage.class.getResource("/org/stepwise/ui/export.css").toExternalForm();

    private WorksheetPage() {
    }

    /**
     * The page for {@code context}'s stage, with {@code panel} (Not modified) as the picture of its panel.
     *
     * @throws IllegalArgumentException when the context has no sentence
     */
    public static WritableImage render(StageContext context, Image panel) {
        if (context.run() == null) {
            throw new IllegalArgumentException("there is no sentence to put on a worksheet");
        }
        ResourceBundle messages = context.messages();
        ModelConfig config = context.model().config();
        double contentWidth = WIDTH - 2 * MARGIN;

        Label title = label(messages.getString("export.worksheet.title"), "export-page-title");
        Label stage = label(ExportTitles.stageLine(context), "export-page-stage");
        Label model = label(I18n.format(messages, "export.worksheet.model", context.model().name(), config.nLayer(),
                config.nHead(), config.dModel(), config.vocabSize()), "export-page-model");
        Region rule = new Region();
        rule.getStyleClass().add("export-page-rule");
        Label sentence = label("“" + context.sentence().text() + "”", "export-page-sentence");
        TokenStrip tokens = new TokenStrip();
        tokens.setId("worksheet-tokens");
        tokens.setChips(chips(context.sentence(), context.model().tokenizer()));
        tokens.setPrefWrapLength(contentWidth);

        ImageView picture = new ImageView(panel);
        picture.setId("worksheet-panel");
        picture.setPreserveRatio(true);
        picture.setSmooth(true);
        double frame = 24;                                   // padding and border of the panel's frame, both sides
        picture.setFitWidth(Math.min(contentWidth - frame, panel.getWidth()));
        picture.setFitHeight(Math.min(HEIGHT * PANEL_SHARE, panel.getHeight()));
        StackPane panelFrame = new StackPane(picture);
        panelFrame.getStyleClass().add("export-page-panel");
        panelFrame.setAlignment(Pos.TOP_LEFT);
        panelFrame.setMaxWidth(Region.USE_PREF_SIZE);

        Region notes = new Region();
        notes.getStyleClass().add("export-page-notes");
        VBox.setVgrow(notes, Priority.ALWAYS);
        Label footer = label(messages.getString("app.title"), "export-page-footer");

        VBox page = new VBox(12, title, stage, model, rule,
                label(messages.getString("export.worksheet.sentence"), "export-page-heading"), sentence,
                label(messages.getString("export.worksheet.tokens"), "export-page-heading"), tokens,
                label(messages.getString("export.worksheet.panel"), "export-page-heading"), panelFrame,
                label(messages.getString("export.worksheet.notes"), "export-page-heading"), notes, footer);
        page.setId("worksheet-page");
        page.getStyleClass().add("export-page");
        page.setPadding(new Insets(MARGIN));
        page.setMinSize(WIDTH, HEIGHT);
        page.setPrefSize(WIDTH, HEIGHT);
        page.setMaxSize(WIDTH, HEIGHT);
        Scene scene = new Scene(page, WIDTH, HEIGHT);
        scene.getStylesheets().add(STYLESHEET);
        page.applyCss();
        page.layout();
        return PanelImage.snapshot(page, 1);
    }

    private static Label label(String text, String styleClass) {
        Label label = new Label(text);
        label.getStyleClass().add(styleClass);
        label.setWrapText(true);
        label.setMinHeight(Region.USE_PREF_SIZE);
        return label;
    }

    /** One chip per token the model reads: its text shown visibly, its id and its kind. */
    static List<TokenStrip.Chip> chips(PreparedSentence sentence, Tokenizer tokenizer) {
        int[] ids = sentence.ids();
        List<TokenStrip.Chip> chips = new ArrayList<>(ids.length);
        for (int position = 0; position < ids.length; position++) {
            TokenDisplay.Shown shown = TokenDisplay.of(tokenizer, ids[position]);
            TokenStrip.Chip.Kind kind = sentence.isUnknownAt(position) ? TokenStrip.Chip.Kind.UNKNOWN
                    : shown.has(TokenDisplay.Mark.SPECIAL) ? TokenStrip.Chip.Kind.SPECIAL
                    : shown.has(TokenDisplay.Mark.PARTIAL_CHARACTER) ? TokenStrip.Chip.Kind.PARTIAL_BYTES
                    : TokenStrip.Chip.Kind.NORMAL;
            chips.add(new TokenStrip.Chip(shown.text(), ids[position], null, kind));
        }
        return chips;
    }
}
