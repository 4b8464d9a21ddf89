package org.stepwise.ui;

import java.util.ResourceBundle;

import javafx.collections.ListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/** The first window of Stepwise: a sentence, its tokens, and the model's next-token distribution. */
public final class PredictionView {

    /** Width in pixels of a bar at probability 1. */
    private static final double BAR_WIDTH = 420;

    private final PredictionViewModel viewModel;
    private final ResourceBundle messages;
    private final BorderPane root = new BorderPane();
    private final FlowPane tokenStrip = new FlowPane(6, 6);
    private final GridPane bars = new GridPane();

    public PredictionView(PredictionViewModel viewModel, ResourceBundle messages) {
        this.viewModel = viewModel;
        this.messages = messages;
        root.getStyleClass().add("stepwise-root");
        root.setTop(header());
        root.setCenter(body());
        root.setBottom(statusBar());
        viewModel.tokens().addListener((ListChangeListener<PredictionViewModel.TokenChip>) change -> showTokens());
        viewModel.predictions().addListener((ListChangeListener<PredictionViewModel.Prediction>) change -> showBars());
    }

    public Parent root() {
        return root;
    }

    private VBox header() {
        Label title = new Label(messages.getString("app.title"));
        title.getStyleClass().add("app-title");
        Label subtitle = new Label(messages.getString("app.subtitle"));
        subtitle.getStyleClass().add("app-subtitle");
        TextField sentence = new TextField();
        sentence.setId("sentence");
        sentence.setPromptText(messages.getString("prediction.sentencePrompt"));
        sentence.textProperty().bindBidirectional(viewModel.sentenceProperty());
        sentence.getStyleClass().add("sentence-field");
        Label sentenceLabel = new Label(messages.getString("prediction.sentence"));
        sentenceLabel.getStyleClass().add("section-title");
        sentenceLabel.setLabelFor(sentence);
        VBox box = new VBox(6, title, subtitle, sentenceLabel, sentence);
        box.getStyleClass().add("header");
        return box;
    }

    private VBox body() {
        Label tokensTitle = new Label(messages.getString("prediction.tokens"));
        tokensTitle.getStyleClass().add("section-title");
        tokenStrip.setId("tokens");
        tokenStrip.getStyleClass().add("token-strip");
        Label nextTitle = new Label(messages.getString("prediction.next"));
        nextTitle.getStyleClass().add("section-title");
        bars.setId("predictions");
        bars.getStyleClass().add("prediction-bars");
        bars.setHgap(12);
        bars.setVgap(4);
        bars.getColumnConstraints().addAll(new ColumnConstraints(160), new ColumnConstraints(BAR_WIDTH + 100));
        VBox box = new VBox(10, tokensTitle, tokenStrip, nextTitle, bars);
        box.getStyleClass().add("body");
        return box;
    }

    private HBox statusBar() {
        Label status = new Label();
        status.setId("status");
        status.textProperty().bind(viewModel.statusProperty());
        Label summary = new Label();
        summary.setId("model-summary");
        summary.textProperty().bind(viewModel.modelSummaryProperty());
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(12, status, spacer, summary);
        bar.getStyleClass().add("status-bar");
        return bar;
    }

    private void showTokens() {
        tokenStrip.getChildren().clear();
        for (PredictionViewModel.TokenChip chip : viewModel.tokens()) {
            Label text = new Label(TokenText.visible(chip.text()));
            text.getStyleClass().add("token-text");
            Label id = new Label(Integer.toString(chip.id()));
            id.getStyleClass().add("token-id");
            VBox box = new VBox(2, text, id);
            box.setAlignment(Pos.CENTER);
            box.getStyleClass().add("token-chip");
            Tooltip.install(box, new Tooltip(I18n.format(messages, "prediction.tokenTooltip", chip.text(), chip.id())));
            tokenStrip.getChildren().add(box);
        }
    }

    private void showBars() {
        bars.getChildren().clear();
        int row = 0;
        for (PredictionViewModel.Prediction p : viewModel.predictions()) {
            Label token = new Label(TokenText.visible(p.token()));
            token.getStyleClass().add("prediction-token");
            Region bar = new Region();
            bar.getStyleClass().add(row == 0 ? "prediction-bar-top" : "prediction-bar");
            bar.setMinWidth(Math.max(1, p.probability() * BAR_WIDTH));
            bar.setMaxWidth(Math.max(1, p.probability() * BAR_WIDTH));
            bar.setPrefHeight(18);
            Label value = new Label(String.format(messages.getLocale(), "%.2f%%", 100 * p.probability()));
            value.getStyleClass().add("prediction-value");
            HBox barCell = new HBox(8, bar, value);
            barCell.setAlignment(Pos.CENTER_LEFT);
            bars.addRow(row++, token, barCell);
        }
    }
}
