package org.stepwise.ui.stage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ResourceBundle;

import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;

import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.viz.TokenStrip;

/**
 * The Text and Tokens stages: the sentence as coloured token chips with their ids, the ids decoded back
 * to text, and for BPE a "why this split" view that replays, merge by merge, how the selected token was built.
 */
final class TokensPanel implements StagePanel {

    private final VBox root = new VBox(10);
    private final Label title = new Label();
    private final Label sentenceLine = new Label();
    private final Label notices = new Label();
    private final TokenStrip chips = new TokenStrip();
    private final Label idsLine = new Label();
    private final Label decodedLine = new Label();
    private final Label roundTrip = new Label();

    private final Label mergeTitle = new Label();
    private final Label mergeStepLine = new Label();
    private final TokenStrip mergeSymbols = new TokenStrip();
    private final Button firstMerge = new Button("◀◀");
    private final Button previousMerge = new Button("◀");
    private final Button nextMerge = new Button("▶");
    private final Button lastMerge = new Button("▶▶");

    private final ScrollPane scroller = StagePanels.scrolling(root);

    private StageContext context;
    private MergeReplay replay;
    private int replayStep;
    private boolean showing;

    TokensPanel() {
        root.getStyleClass().addAll("stage-panel", "stage-tokens");
        root.setId("stage-tokens");
        title.getStyleClass().add("stage-title");
        sentenceLine.setId("tokens-sentence");
        sentenceLine.getStyleClass().add("stage-sentence");
        sentenceLine.setWrapText(true);
        notices.setId("tokens-notices");
        notices.getStyleClass().add("stage-notice");
        notices.setWrapText(true);
        chips.setId("token-chips");
        idsLine.setId("tokens-ids");
        idsLine.getStyleClass().add("stage-mono");
        idsLine.setWrapText(true);
        decodedLine.setId("tokens-decoded");
        decodedLine.getStyleClass().add("stage-mono");
        decodedLine.setWrapText(true);
        roundTrip.setId("tokens-roundtrip");
        roundTrip.getStyleClass().add("stage-caption");
        roundTrip.setWrapText(true);

        mergeTitle.setId("merge-title");
        mergeTitle.getStyleClass().add("stage-subtitle");
        mergeStepLine.setId("merge-step");
        mergeStepLine.getStyleClass().add("stage-mono");
        mergeStepLine.setWrapText(true);
        mergeSymbols.setId("merge-symbols");
        firstMerge.setId("merge-first");
        previousMerge.setId("merge-previous");
        nextMerge.setId("merge-next");
        lastMerge.setId("merge-last");
        firstMerge.setOnAction(event -> showStep(0));
        previousMerge.setOnAction(event -> showStep(replayStep - 1));
        nextMerge.setOnAction(event -> showStep(replayStep + 1));
        lastMerge.setOnAction(event -> showStep(replay.steps().size()));
        HBox mergeButtons = new HBox(6, firstMerge, previousMerge, nextMerge, lastMerge);
        VBox mergeBox = new VBox(6, mergeTitle, mergeButtons, mergeStepLine, mergeSymbols);
        mergeBox.setId("merge-replay");
        mergeBox.getStyleClass().add("stage-box");

        VBox tokenBox = new VBox(8, chips, idsLine, decodedLine, roundTrip);
        tokenBox.getStyleClass().add("stage-box");
        root.getChildren().addAll(title, sentenceLine, notices, tokenBox, mergeBox);

        chips.selectedIndexProperty().addListener((observable, before, after) -> {
            if (!showing && context != null && after.intValue() >= 0) {
                context.actions().selectToken(after.intValue());
                showReplay(after.intValue());
            }
        });
    }

    @Override
    public Node node() {
        return scroller;
    }

    @Override
    public void show(StageContext newContext) {
        ResourceBundle messages = newContext.messages();
        boolean sentenceChanged = context == null || context.sentence() != newContext.sentence()
                || context.model() != newContext.model();
        context = newContext;
        PreparedSentence sentence = newContext.sentence();
        Tokenizer tokenizer = newContext.model().tokenizer();
        title.setText(messages.getString(newContext.stage().kind().bundleKey()));
        showing = true;
        try {
            if (sentenceChanged) {
                sentenceLine.setText(Texts.format(messages, "stage.tokens.sentence", sentence.text()));
                notices.setText(noticeText(sentence, messages, newContext.model().config().contextLength()));
                notices.setVisible(!notices.getText().isEmpty());
                notices.setManaged(notices.isVisible());
                chips.setChips(TokenChips.of(sentence, tokenizer, messages));
                int[] ids = sentence.ids();
                idsLine.setText(Texts.format(messages, "stage.tokens.ids", Arrays.toString(ids)));
                String decoded = tokenizer.decode(ids);
                decodedLine.setText(Texts.format(messages, "stage.tokens.decoded", decoded));
                String read = readText(sentence);
                roundTrip.setText(decoded.equals(read)
                        ? messages.getString("stage.tokens.roundTripSame")
                        : Texts.format(messages, "stage.tokens.roundTripDiffers", read));
            }
            int selected = newContext.selectedToken();
            chips.selectedIndexProperty().set(selected >= 0 && selected < sentence.ids().length ? selected : -1);
        } finally {
            showing = false;
        }
        showReplay(chips.selectedIndexProperty().get());
    }

    /** The part of the typed text the model reads (all of it unless the sentence was trimmed). */
    private static String readText(PreparedSentence sentence) {
        if (sentence.isEmpty()) {
            return "";
        }
        List<Tokenizer.Span> spans = sentence.encoding().spans();
        int first = sentence.firstToken();
        int last = first + sentence.ids().length - 1;
        return sentence.text().substring(spans.get(first).start(), spans.get(last).end());
    }

    private static String noticeText(PreparedSentence sentence, ResourceBundle messages, int contextLength) {
        List<String> lines = new ArrayList<>();
        for (PreparedSentence.Notice notice : sentence.notices()) {
            lines.add(Texts.format(messages, notice.bundleKey(), sentence.encoding().size(), contextLength));
        }
        return String.join("\n", lines);
    }

    private void showReplay(int position) {
        ResourceBundle messages = context.messages();
        PreparedSentence sentence = context.sentence();
        replay = null;
        if (position < 0 || position >= sentence.ids().length) {
            mergeTitle.setText(messages.getString("stage.merges.pick"));
        } else {
            MergeReplay.Result result = MergeReplay.of(context.model().tokenizer(), sentence.text(),
                    sentence.encoding(), sentence.firstToken() + position);
            if (result.replay() == null) {
                mergeTitle.setText(messages.getString(result.reason().bundleKey()));
            } else {
                replay = result.replay();
                mergeTitle.setText(Texts.format(messages, "stage.merges.title", replay.word(), replay.steps().size()));
            }
        }
        boolean any = replay != null;
        for (Node node : List.of(firstMerge, previousMerge, nextMerge, lastMerge, mergeStepLine, mergeSymbols)) {
            node.setVisible(any);
            node.setManaged(any);
        }
        if (any) {
            showStep(replay.steps().size());
        }
    }

    /** Shows the word after {@code step} merges (0 = the starting symbols). */
    private void showStep(int step) {
        ResourceBundle messages = context.messages();
        replayStep = Math.max(0, Math.min(step, replay.steps().size()));
        List<MergeReplay.Symbol> symbols;
        int made = -1;
        if (replayStep == 0) {
            symbols = replay.initial();
            mergeStepLine.setText(Texts.format(messages,
                    context.model().tokenizer().kind() == Tokenizer.Kind.BYTE_LEVEL_BPE
                            ? "stage.merges.startBytes" : "stage.merges.start", replay.steps().size()));
        } else {
            MergeReplay.Step current = replay.steps().get(replayStep - 1);
            symbols = current.after();
            made = current.madeIndex();
            String seen = current.count() >= 0
                    ? Texts.format(messages, "stage.merges.seen", current.count()) : "";
            mergeStepLine.setText(Texts.format(messages, "stage.merges.step", replayStep, replay.steps().size(),
                    current.rank(), current.left(), current.right(), current.left() + current.right(), seen));
        }
        List<TokenStrip.Chip> symbolChips = new ArrayList<>(symbols.size());
        for (MergeReplay.Symbol symbol : symbols) {
            symbolChips.add(new TokenStrip.Chip(symbol.shown(), symbol.id(), null, TokenStrip.Chip.Kind.NORMAL));
        }
        mergeSymbols.setChips(symbolChips);
        mergeSymbols.selectedIndexProperty().set(made);
        firstMerge.setDisable(replayStep == 0);
        previousMerge.setDisable(replayStep == 0);
        nextMerge.setDisable(replayStep == replay.steps().size());
        lastMerge.setDisable(replayStep == replay.steps().size());
    }

    /** The replay shown, or null when the selected token has none. */
    MergeReplay replay() {
        return replay;
    }
}
