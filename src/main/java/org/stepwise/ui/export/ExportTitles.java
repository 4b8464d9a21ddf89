package org.stepwise.ui.export;

import java.util.ResourceBundle;

import org.stepwise.pipeline.Stage;
import org.stepwise.ui.I18n;
import org.stepwise.ui.stage.StageContext;

/** The title lines written above an exported panel: which stage, block and head, and which sentence and model. */
final class ExportTitles {

    private ExportTitles() {
    }

    /** The stages whose picture depends on the selected head. */
    static boolean isHeadStage(Stage.Kind kind) {
        return switch (kind) {
            case QKV, SCORES, CAUSAL_MASK, ATTENTION_SOFTMAX, WEIGHTED_SUM -> true;
            default -> false;
        };
    }

    /** E.g. "Attention scores — block 2, head 3": the stage's name, its block and head where it has them. */
    static String stageLine(StageContext context) {
        ResourceBundle messages = context.messages();
        Stage stage = context.stage();
        String name = messages.getString(stage.kind().bundleKey());
        String line = stage.block() >= 0 ? I18n.format(messages, "ui.panel.titleInBlock", name, stage.block() + 1) : name;
        return isHeadStage(stage.kind()) ? I18n.format(messages, "export.title.head", line, context.head() + 1) : line;
    }

    /** E.g. “the cat sat” · model tiny-shakespeare. */
    static String sentenceLine(StageContext context) {
        return I18n.format(context.messages(), "export.title.sentence", context.sentence().text(), context.model().name());
    }
}
