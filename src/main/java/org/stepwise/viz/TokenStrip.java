package org.stepwise.viz;

import java.util.ArrayList;
import java.util.List;

import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.css.PseudoClass;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;

/** A sentence's tokens as coloured chips (a stable tint per position) with their ids; a click selects one. */
public final class TokenStrip extends FlowPane {

    /**
     * One token chip: its text as it should be shown (the caller makes spaces visible), its id, a tooltip
     * (null or blank for none) and its kind.
     */
    public record Chip(String text, int id, String tooltip, Kind kind) {
        /** What sort of token a chip stands for; each kind has its own look. */
        public enum Kind { NORMAL, SPECIAL, UNKNOWN, PARTIAL_BYTES }

        public Chip {
            if (text == null || kind == null) {
                throw new IllegalArgumentException("A chip needs a text and a kind, got " + text + " and " + kind);
            }
        }
    }

    /** Number of distinct chip tints; chip i gets tint i mod this. */
    public static final int TINTS = 8;

    private static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");

    private final List<Chip> chips = new ArrayList<>();
    private final IntegerProperty selectedIndex = new SimpleIntegerProperty(this, "selectedIndex", -1) {
        @Override
        public void set(int index) {
            if (index < -1 || index >= chips.size()) {
                throw new IllegalArgumentException("The selected chip is −1 (none) or 0 to " + (chips.size() - 1)
                        + ", got " + index);
            }
            super.set(index);
        }
    };

    public TokenStrip() {
        getStyleClass().add("viz-token-strip");
        selectedIndex.addListener((observable, before, after) -> showSelection());
    }

    @Override
    public String getUserAgentStylesheet() {
        return TokenStrip.class.getResource("viz.css").toExternalForm();
    }

    /** Shows these chips in order (copied); the selection is cleared. */
    public void setChips(List<Chip> newChips) {
        selectedIndex.set(-1);
        chips.clear();
        chips.addAll(newChips);
        List<Node> boxes = new ArrayList<>(chips.size());
        for (int i = 0; i < chips.size(); i++) {
            boxes.add(chipBox(chips.get(i), i));
        }
        getChildren().setAll(boxes);
    }

    /** The chips shown, in order. */
    public List<Chip> getChips() {
        return List.copyOf(chips);
    }

    /** Index of the selected chip, or −1 for none; a click on a chip selects it. */
    public IntegerProperty selectedIndexProperty() {
        return selectedIndex;
    }

    private VBox chipBox(Chip chip, int index) {
        Label text = new Label(chip.text());
        text.getStyleClass().add("viz-chip-text");
        Label id = new Label(Integer.toString(chip.id()));
        id.getStyleClass().add("viz-chip-id");
        VBox box = new VBox(1, text, id);
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().addAll("viz-chip", "viz-chip-" + index % TINTS);
        switch (chip.kind()) {
            case SPECIAL -> box.getStyleClass().add("viz-chip-special");
            case UNKNOWN -> box.getStyleClass().add("viz-chip-unknown");
            case PARTIAL_BYTES -> box.getStyleClass().add("viz-chip-partial");
            case NORMAL -> { }
        }
        if (chip.tooltip() != null && !chip.tooltip().isBlank()) {
            Tooltip.install(box, new Tooltip(chip.tooltip()));
        }
        box.setOnMouseClicked(event -> {
            if (event.getButton() == MouseButton.PRIMARY) {
                selectedIndex.set(index);
            }
        });
        return box;
    }

    private void showSelection() {
        List<Node> boxes = getChildren();
        for (int i = 0; i < boxes.size(); i++) {
            boxes.get(i).pseudoClassStateChanged(SELECTED, i == selectedIndex.get());
        }
    }
}
