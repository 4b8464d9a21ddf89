package org.stepwise.ui.stage;

import java.util.ResourceBundle;

import javafx.geometry.VPos;
import javafx.scene.layout.Pane;
import javafx.scene.shape.Line;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;

import org.stepwise.model.ModelConfig;
import org.stepwise.pipeline.TensorValues;

/**
 * Which query heads read which key/value head: H query boxes above G key/value boxes, each query head
 * joined by a line to the K/V head it shares (one each in multi-head attention, H/G in grouped-query
 * attention, all of them in multi-query attention).
 */
final class HeadSharing extends Pane {

    private static final double BOX_WIDTH = 34;
    private static final double BOX_HEIGHT = 24;
    private static final double GAP = 8;
    private static final double ROW_DISTANCE = 70;
    private static final double LABEL_WIDTH = 110;

    HeadSharing() {
        getStyleClass().add("stage-head-sharing");
        setId("attention-head-sharing");
    }

    /** Draws the sharing of {@code config}, the selected query head {@code selectedHead} emphasised. */
    void show(ModelConfig config, int selectedHead, ResourceBundle messages) {
        getChildren().clear();
        int heads = config.nHead();
        int kvHeads = config.nKvHead();
        int selectedKv = TensorValues.kvHeadOf(config, selectedHead);
        double queryTop = 4;
        double kvTop = queryTop + ROW_DISTANCE;
        double queryRowWidth = heads * BOX_WIDTH + (heads - 1) * GAP;
        double kvSpacing = queryRowWidth / kvHeads;
        getChildren().add(rowLabel(messages.getString("stage.attention.queryHeads"), queryTop));
        getChildren().add(rowLabel(messages.getString("stage.attention.kvHeads"), kvTop));
        for (int head = 0; head < heads; head++) {
            int kv = TensorValues.kvHeadOf(config, head);
            double queryX = LABEL_WIDTH + head * (BOX_WIDTH + GAP);
            double kvX = LABEL_WIDTH + kv * kvSpacing + (kvSpacing - BOX_WIDTH) / 2;
            Line line = new Line(queryX + BOX_WIDTH / 2, queryTop + BOX_HEIGHT, kvX + BOX_WIDTH / 2, kvTop);
            line.getStyleClass().addAll("stage-sharing-line", "stage-group-" + kv % GROUP_TINTS);
            if (head == selectedHead) {
                line.getStyleClass().add("stage-sharing-selected");
            }
            getChildren().add(0, line);
            getChildren().addAll(box("Q" + (head + 1), queryX, queryTop, kv, head == selectedHead));
        }
        for (int kv = 0; kv < kvHeads; kv++) {
            double kvX = LABEL_WIDTH + kv * kvSpacing + (kvSpacing - BOX_WIDTH) / 2;
            getChildren().addAll(box("KV" + (kv + 1), kvX, kvTop, kv, kv == selectedKv));
        }
        setPrefSize(LABEL_WIDTH + queryRowWidth + 8, kvTop + BOX_HEIGHT + 4);
        setMinSize(getPrefWidth(), getPrefHeight());
    }

    /** Number of distinct group colours; K/V head g gets colour g mod this. */
    static final int GROUP_TINTS = 8;

    private static Text rowLabel(String text, double top) {
        Text label = new Text(0, top + BOX_HEIGHT / 2, text);
        label.setTextOrigin(VPos.CENTER);
        label.getStyleClass().add("stage-sharing-label");
        return label;
    }

    private static javafx.scene.Node[] box(String text, double x, double y, int group, boolean selected) {
        Rectangle rectangle = new Rectangle(x, y, BOX_WIDTH, BOX_HEIGHT);
        rectangle.setArcWidth(6);
        rectangle.setArcHeight(6);
        rectangle.getStyleClass().addAll("stage-sharing-box", "stage-group-" + group % GROUP_TINTS);
        if (selected) {
            rectangle.getStyleClass().add("stage-sharing-selected");
        }
        Text label = new Text(text);
        label.getStyleClass().add("stage-sharing-text");
        label.setFont(javafx.scene.text.Font.font(11));
        label.setTextOrigin(VPos.CENTER);
        label.setX(x + (BOX_WIDTH - label.getLayoutBounds().getWidth()) / 2);
        label.setY(y + BOX_HEIGHT / 2);
        return new javafx.scene.Node[] {rectangle, label};
    }
}
