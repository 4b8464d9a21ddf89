package org.stepwise.ui;

import java.nio.file.Path;
import java.util.List;
import java.util.ResourceBundle;

import javafx.collections.ListChangeListener;
import javafx.collections.WeakListChangeListener;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCombination;

/**
 * The window's menu bar: File → Open model folder…, Recent models, Bundled default model, Bundled translation
 * model, Quit. The actions
 * go to an {@link OpenModelController}; Quit runs the given action (which may ask to save training first).
 */
public final class AppMenu {

    private final ResourceBundle messages;
    private final OpenModelController opener;
    private final MenuBar bar = new MenuBar();
    private final Menu recentMenu = new Menu();
    private final ListChangeListener<Path> recentChanged = change -> rebuildRecent();

    public AppMenu(ResourceBundle messages, OpenModelController opener, Runnable quit) {
        this.messages = messages;
        this.opener = opener;
        bar.setId("menu-bar");

        MenuItem open = new MenuItem(messages.getString("menu.file.open"));
        open.setId("menu-open");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(event -> opener.chooseAndOpen());
        recentMenu.setText(messages.getString("menu.file.recent"));
        recentMenu.setId("menu-recent");
        recentMenu.setOnShowing(event -> rebuildRecent());
        // Weak: a menu bar built anew (e.g. in another language) replaces this one, which must not live on.
        opener.recent().folders().addListener(new WeakListChangeListener<>(recentChanged));
        MenuItem bundled = new MenuItem(messages.getString("menu.file.bundled"));
        bundled.setId("menu-bundled");
        bundled.setOnAction(event -> opener.openBundled());
        MenuItem bundledTranslation = new MenuItem(messages.getString("encdec.menu.bundled"));
        bundledTranslation.setId("menu-bundled-translation");
        bundledTranslation.setOnAction(event -> opener.openBundledTranslation());
        MenuItem exit = new MenuItem(messages.getString("menu.file.quit"));
        exit.setId("menu-quit");
        exit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        exit.setOnAction(event -> quit.run());

        Menu file = new Menu(messages.getString("menu.file"));
        file.setId("menu-file");
        file.getItems().addAll(open, recentMenu, bundled, bundledTranslation, new SeparatorMenuItem(), exit);
        bar.getMenus().add(file);
        rebuildRecent();
    }

    /** The menu bar to put above the window. */
    public MenuBar bar() {
        return bar;
    }

    /** The Recent models submenu: one item per folder, newest first, or a disabled "none" item. */
    public Menu recentMenu() {
        return recentMenu;
    }

    private void rebuildRecent() {
        recentMenu.getItems().clear();
        for (Path folder : List.copyOf(opener.recent().folders())) {
            MenuItem item = new MenuItem(folder.toString());
            item.setMnemonicParsing(false);
            item.setOnAction(event -> opener.openFolder(folder));
            recentMenu.getItems().add(item);
        }
        if (recentMenu.getItems().isEmpty()) {
            MenuItem none = new MenuItem(messages.getString("menu.file.recent.none"));
            none.setDisable(true);
            recentMenu.getItems().add(none);
        }
    }
}
