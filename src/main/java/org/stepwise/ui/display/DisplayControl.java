package org.stepwise.ui.display;

import java.util.ResourceBundle;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.scene.Scene;
import javafx.scene.control.TextInputControl;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.stage.Stage;

/**
 * How the window is shown: its theme, its zoom, and presentation mode (full screen, larger, high contrast, side
 * panels hidden). Owns the window-wide keys F5 (presentation on/off), Esc (presentation off), Ctrl+= / Ctrl+- /
 * Ctrl+0 (zoom in, out, actual size) and ? / F1 (the keyboard map). Theme and zoom are remembered in
 * {@link DisplayPreferences}. FX thread only.
 */
public final class DisplayControl {

    /** How much larger presentation mode draws everything, on top of the zoom. */
    public static final double PRESENTATION_SCALE = 1.25;
    /** How much one Ctrl+= or Ctrl+- changes the zoom. */
    public static final double ZOOM_STEP = 0.1;

    /** What presentation mode changes in the window's layout. */
    public interface Layout {
        /**
         * Hides what a class does not need to see (the side panels, the menu) and makes the stage and the step
         * controls large.
         *
         * @return what puts the layout back exactly as it was
         */
        Runnable present();
    }

    private final Stage stage;
    private final ZoomPane zoomPane;
    private final DisplayPreferences preferences;
    private final Layout layout;
    private final Runnable showKeyboardMap;
    private final ReadOnlyDoubleWrapper zoom = new ReadOnlyDoubleWrapper(this, "zoom", 1);
    private final ReadOnlyObjectWrapper<Theme> theme = new ReadOnlyObjectWrapper<>(this, "theme", Theme.LIGHT);
    private final ReadOnlyBooleanWrapper presenting = new ReadOnlyBooleanWrapper(this, "presenting", false);
    private ResourceBundle messages;
    private Runnable restoreLayout;
    private boolean wasFullScreen;

    /**
     * @param stage           the window; its scene's root must be {@code zoomPane}
     * @param zoomPane        what the zoom is applied to
     * @param preferences     where theme and zoom are remembered; read here for the first look
     * @param layout          hides and restores the side panels for presentation mode
     * @param showKeyboardMap opens the keyboard map (for ? and F1)
     * @param messages        the user's language (the full-screen hint)
     */
    public DisplayControl(Stage stage, ZoomPane zoomPane, DisplayPreferences preferences, Layout layout,
            Runnable showKeyboardMap, ResourceBundle messages) {
        if (stage == null || zoomPane == null || preferences == null || layout == null || showKeyboardMap == null
                || messages == null) {
            throw new IllegalArgumentException("the display control needs the stage, zoom pane, preferences, layout,"
                    + " keyboard map and messages");
        }
        this.stage = stage;
        this.zoomPane = zoomPane;
        this.preferences = preferences;
        this.layout = layout;
        this.showKeyboardMap = showKeyboardMap;
        this.messages = messages;
        zoom.set(preferences.zoom());
        theme.set(preferences.theme());
        stage.fullScreenProperty().addListener((observable, before, fullScreen) -> {
            if (!fullScreen && presenting.get()) {
                leavePresentation();      // the system took the window out of full screen
            }
        });
    }

    /** Applies the theme and zoom to {@code scene} (whose root is the zoom pane) and installs the keys. */
    public void install(Scene scene) {
        if (scene.getRoot() != zoomPane) {
            throw new IllegalArgumentException("the scene's root must be the zoom pane");
        }
        scene.getStylesheets().add(DisplayControl.class.getResource("display.css").toExternalForm());
        scene.addEventFilter(KeyEvent.KEY_PRESSED, this::onKeyPressed);
        scene.addEventFilter(KeyEvent.KEY_TYPED, this::onKeyTyped);
        applyTheme();
        applyScale();
    }

    /** Speaks {@code newMessages} from now on. */
    public void setMessages(ResourceBundle newMessages) {
        if (newMessages == null) {
            throw new IllegalArgumentException("messages are required");
        }
        messages = newMessages;
    }

    // ---------------------------------------------------------------- theme

    /** Shows {@code chosen} and remembers it; in presentation mode it shows once presentation mode ends. */
    public void setTheme(Theme chosen) {
        if (chosen == null) {
            throw new IllegalArgumentException("a theme is required");
        }
        theme.set(chosen);
        preferences.setTheme(chosen);
        applyTheme();
    }

    /** The theme chosen (presentation mode shows high contrast while it lasts). */
    public ReadOnlyObjectProperty<Theme> themeProperty() {
        return theme.getReadOnlyProperty();
    }

    /** The theme on screen now: high contrast in presentation mode, else the one chosen. */
    public Theme shownTheme() {
        return presenting.get() ? Theme.HIGH_CONTRAST : theme.get();
    }

    private void applyTheme() {
        Scene scene = zoomPane.getScene();
        Theme shown = shownTheme();
        for (Theme each : Theme.values()) {
            zoomPane.getStyleClass().remove(each.styleClass());
            if (scene != null && each.stylesheet() != null) {
                scene.getStylesheets().remove(each.stylesheet());
            }
        }
        zoomPane.getStyleClass().add(shown.styleClass());
        if (scene != null && shown.stylesheet() != null) {
            scene.getStylesheets().add(shown.stylesheet());
        }
    }

    // ---------------------------------------------------------------- zoom

    /** One step larger, up to {@link DisplayPreferences#MAX_ZOOM}. */
    public void zoomIn() {
        setZoom(Math.min(DisplayPreferences.MAX_ZOOM, stepped(zoom.get() + ZOOM_STEP)));
    }

    /** One step smaller, down to {@link DisplayPreferences#MIN_ZOOM}. */
    public void zoomOut() {
        setZoom(Math.max(DisplayPreferences.MIN_ZOOM, stepped(zoom.get() - ZOOM_STEP)));
    }

    /** Back to actual size. */
    public void resetZoom() {
        setZoom(1);
    }

    /**
     * Draws the whole window {@code value} times its size (times {@link #PRESENTATION_SCALE} more in presentation
     * mode) and remembers it.
     *
     * @throws IllegalArgumentException outside [{@link DisplayPreferences#MIN_ZOOM}, {@link DisplayPreferences#MAX_ZOOM}]
     */
    public void setZoom(double value) {
        preferences.setZoom(value);
        zoom.set(value);
        applyScale();
    }

    /** The zoom chosen (1 is actual size), without presentation mode's enlargement. */
    public ReadOnlyDoubleProperty zoomProperty() {
        return zoom.getReadOnlyProperty();
    }

    /** Rounds to the zoom steps, so repeated steps give 1.1, 1.2 … and not 1.2000000000000002. */
    private static double stepped(double value) {
        return Math.round(value / ZOOM_STEP) * ZOOM_STEP;
    }

    private void applyScale() {
        zoomPane.scaleProperty().set(zoom.get() * (presenting.get() ? PRESENTATION_SCALE : 1));
    }

    // ---------------------------------------------------------------- presentation mode

    /** Presentation mode on or off. */
    public void togglePresentation() {
        if (presenting.get()) {
            leavePresentation();
        } else {
            enterPresentation();
        }
    }

    /** Full screen, larger, high contrast, side panels hidden; nothing happens when already on. */
    public void enterPresentation() {
        if (presenting.get()) {
            return;
        }
        wasFullScreen = stage.isFullScreen();
        restoreLayout = layout.present();
        presenting.set(true);
        applyTheme();
        applyScale();
        stage.setFullScreenExitKeyCombination(KeyCombination.NO_MATCH);   // Esc is handled here, with F5
        stage.setFullScreenExitHint(messages.getString("view.presentation.hint"));
        stage.setFullScreen(true);
    }

    /** Back to the layout, theme, size and window state from before presentation mode; nothing when off. */
    public void leavePresentation() {
        if (!presenting.get()) {
            return;
        }
        presenting.set(false);
        if (stage.isFullScreen() != wasFullScreen) {
            stage.setFullScreen(wasFullScreen);
        }
        Runnable restore = restoreLayout;
        restoreLayout = null;
        restore.run();
        applyTheme();
        applyScale();
    }

    /** True while presentation mode is on. */
    public ReadOnlyBooleanProperty presentingProperty() {
        return presenting.getReadOnlyProperty();
    }

    public boolean isPresenting() {
        return presenting.get();
    }

    // ---------------------------------------------------------------- keys

    private void onKeyPressed(KeyEvent event) {
        KeyCode code = event.getCode();
        boolean handled = true;
        if (code == KeyCode.F5 && !event.isShortcutDown()) {
            togglePresentation();
        } else if (code == KeyCode.ESCAPE && presenting.get()) {
            leavePresentation();
        } else if (code == KeyCode.F1) {
            showKeyboardMap.run();
        } else if (event.isShortcutDown() && (code == KeyCode.EQUALS || code == KeyCode.PLUS || code == KeyCode.ADD)) {
            zoomIn();
        } else if (event.isShortcutDown() && (code == KeyCode.MINUS || code == KeyCode.SUBTRACT)) {
            zoomOut();
        } else if (event.isShortcutDown() && (code == KeyCode.DIGIT0 || code == KeyCode.NUMPAD0)) {
            resetZoom();
        } else {
            handled = false;
        }
        if (handled) {
            event.consume();
        }
    }

    /** ? opens the keyboard map, except while typing in a text field (where it is just a question mark). */
    private void onKeyTyped(KeyEvent event) {
        if (!"?".equals(event.getCharacter()) || event.isShortcutDown()) {
            return;
        }
        Scene scene = zoomPane.getScene();
        if (event.getTarget() instanceof TextInputControl
                || scene != null && scene.getFocusOwner() instanceof TextInputControl) {
            return;
        }
        showKeyboardMap.run();
        event.consume();
    }
}
