package org.stepwise.ui.display;

import java.util.Locale;
import java.util.ResourceBundle;
import java.util.function.Consumer;

import javafx.scene.control.Menu;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCombination;

/**
 * The View menu: Language (English / 简体中文), Theme (light / dark / high contrast), Presentation mode, zoom in,
 * zoom out, actual size, and the keyboard map. The keys shown beside the items are handled by
 * {@link DisplayControl}, which sees them first.
 */
public final class ViewMenu {

    private final Menu menu = new Menu();

    /**
     * @param messages       the user's language
     * @param shownLanguage  the language on screen now (its item is checked)
     * @param chooseLanguage switches the window to the chosen language
     * @param display        theme, zoom and presentation mode
     * @param showKeyboardMap opens the keyboard map
     */
    public ViewMenu(ResourceBundle messages, Locale shownLanguage, Consumer<Locale> chooseLanguage,
            DisplayControl display, Runnable showKeyboardMap) {
        menu.setText(messages.getString("menu.view"));
        menu.setId("menu-view");

        Menu language = new Menu(messages.getString("menu.view.language"));
        language.setId("menu-language");
        ToggleGroup languages = new ToggleGroup();
        boolean chinese = "zh".equals(shownLanguage.getLanguage());
        language.getItems().addAll(
                languageItem(messages.getString("menu.view.language.en"), "menu-language-en", Locale.ENGLISH,
                        !chinese, languages, chooseLanguage),
                languageItem(messages.getString("menu.view.language.zh"), "menu-language-zh",
                        Locale.SIMPLIFIED_CHINESE, chinese, languages, chooseLanguage));

        Menu theme = new Menu(messages.getString("menu.view.theme"));
        theme.setId("menu-theme");
        ToggleGroup themes = new ToggleGroup();
        for (Theme each : Theme.values()) {
            RadioMenuItem item = new RadioMenuItem(messages.getString(each.bundleKey()));
            item.setId("menu-" + each.styleClass());
            item.setToggleGroup(themes);
            item.setSelected(each == display.themeProperty().get());
            item.setOnAction(event -> display.setTheme(each));
            theme.getItems().add(item);
        }

        MenuItem presentation = item(messages.getString("menu.view.presentation"), "menu-presentation", "F5",
                display::togglePresentation);
        MenuItem zoomIn = item(messages.getString("menu.view.zoomIn"), "menu-zoom-in", "Shortcut+Equals",
                display::zoomIn);
        MenuItem zoomOut = item(messages.getString("menu.view.zoomOut"), "menu-zoom-out", "Shortcut+Minus",
                display::zoomOut);
        MenuItem actualSize = item(messages.getString("menu.view.actualSize"), "menu-actual-size", "Shortcut+Digit0",
                display::resetZoom);
        MenuItem keys = item(messages.getString("menu.view.keys"), "menu-keys", "F1", showKeyboardMap);
        menu.getItems().addAll(language, theme, new SeparatorMenuItem(), presentation, zoomIn, zoomOut, actualSize,
                new SeparatorMenuItem(), keys);
    }

    /** The menu to add to the menu bar. */
    public Menu menu() {
        return menu;
    }

    private static RadioMenuItem languageItem(String text, String id, Locale locale, boolean selected,
            ToggleGroup group, Consumer<Locale> chooseLanguage) {
        RadioMenuItem item = new RadioMenuItem(text);
        item.setId(id);
        item.setToggleGroup(group);
        item.setSelected(selected);
        item.setOnAction(event -> {
            if (!selected) {
                chooseLanguage.accept(locale);
            }
        });
        return item;
    }

    private static MenuItem item(String text, String id, String accelerator, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setAccelerator(KeyCombination.keyCombination(accelerator));
        item.setOnAction(event -> action.run());
        return item;
    }
}
