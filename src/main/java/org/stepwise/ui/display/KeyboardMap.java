package org.stepwise.ui.display;

import java.util.List;
import java.util.ResourceBundle;

import javafx.geometry.HPos;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.stage.Modality;
import javafx.stage.Window;

/**
 * The keyboard map: a dialog listing every key of the window and what it does, in groups (stepping through the
 * model, lessons, the translation window, display, files). The keys are those the window's handlers really read:
 * {@code MainWindow}, {@code LessonsPanel}, {@code TranslationWindow}, {@link DisplayControl} and the File menu.
 */
public final class KeyboardMap {

    /** One line of the map: the keys as shown, and the message key of what they do ({@code null} for a heading). */
    public record Entry(String keys, String descriptionKey) {
    }

    private KeyboardMap() {
    }

    /** Every line of the map, headings first in their group; a heading has its message key in {@code keys}. */
    public static List<Entry> entries() {
        String shortcut = KeyCombination.keyCombination("Shortcut+O").getDisplayText().replace("O", "");
        return List.of(
                new Entry("keys.group.model", null),
                new Entry(KeyCode.SPACE.getName() + "  /  →", "keys.next"),
                new Entry("←", "keys.previous"),
                new Entry(KeyCode.HOME.getName() + "  /  " + KeyCode.END.getName(), "keys.ends"),
                new Entry("1 … 9", "keys.block"),
                new Entry(shortcut + "scroll", "keys.heatmapZoom"),
                new Entry("keys.group.lessons", null),
                new Entry("L", "keys.lessons"),
                new Entry("T", "keys.training"),
                new Entry(KeyCode.PAGE_DOWN.getName() + "  /  " + KeyCode.PAGE_UP.getName(), "keys.lessonSteps"),
                new Entry(KeyCode.ENTER.getName(), "keys.check"),
                new Entry("keys.group.translation", null),
                new Entry(KeyCode.ENTER.getName(), "keys.translate.enter"),
                new Entry(KeyCombination.keyCombination("Shortcut+T").getDisplayText(), "keys.translate.shortcut"),
                new Entry("keys.group.display", null),
                new Entry("F5", "keys.presentation"),
                new Entry("Esc", "keys.leavePresentation"),
                new Entry(shortcut + "=  /  " + shortcut + "−", "keys.zoom"),
                new Entry(shortcut + "0", "keys.zoomReset"),
                new Entry("?  /  F1", "keys.map"),
                new Entry("keys.group.files", null),
                new Entry("F10, ↓", "keys.menu"),
                new Entry(KeyCombination.keyCombination("Shortcut+O").getDisplayText(), "keys.open"),
                new Entry(KeyCombination.keyCombination("Shortcut+Q").getDisplayText(), "keys.quit"));
    }

    /** A dialog showing the map in {@code messages}' language, owned by {@code owner} (may be null); not shown yet. */
    public static Dialog<Void> dialog(ResourceBundle messages, Window owner) {
        GridPane grid = new GridPane();
        grid.setId("keyboard-map");
        grid.getStyleClass().add("keyboard-map");
        grid.setHgap(18);
        grid.setVgap(6);
        ColumnConstraints keyColumn = new ColumnConstraints();
        keyColumn.setHalignment(HPos.RIGHT);
        grid.getColumnConstraints().addAll(keyColumn, new ColumnConstraints());
        int row = 0;
        for (Entry entry : entries()) {
            if (entry.descriptionKey() == null) {
                Label heading = new Label(messages.getString(entry.keys()));
                heading.getStyleClass().add("keyboard-map-heading");
                GridPane.setHalignment(heading, HPos.LEFT);
                grid.add(heading, 0, row++, 2, 1);
                continue;
            }
            Label keys = new Label(entry.keys());
            keys.getStyleClass().add("keyboard-map-keys");
            Label description = new Label(messages.getString(entry.descriptionKey()));
            description.getStyleClass().add("keyboard-map-description");
            description.setWrapText(true);
            description.setMaxWidth(420);
            grid.add(keys, 0, row);
            grid.add(description, 1, row);
            row++;
        }
        Dialog<Void> dialog = new Dialog<>();
        dialog.setTitle(messages.getString("keys.title"));
        dialog.setHeaderText(messages.getString("keys.header"));
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().getButtonTypes().add(new ButtonType(messages.getString("keys.close"),
                javafx.scene.control.ButtonBar.ButtonData.CANCEL_CLOSE));
        dialog.getDialogPane().getStylesheets().add(KeyboardMap.class.getResource("keyboard-map.css").toExternalForm());
        dialog.initModality(Modality.NONE);
        if (owner != null) {
            dialog.initOwner(owner);
        }
        return dialog;
    }
}
