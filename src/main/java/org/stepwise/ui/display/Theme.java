package org.stepwise.ui.display;

import java.net.URL;
import java.util.Locale;

/**
 * The window's colour themes: light (the base stylesheets alone), dark, and high contrast for a projector.
 * Each theme other than light adds one stylesheet to the scene and one style class to its root.
 */
public enum Theme {
    LIGHT(null),
    DARK("theme-dark.css"),
    HIGH_CONTRAST("theme-high-contrast.css");

    private final String stylesheetFile;

    Theme(String stylesheetFile) {
        this.stylesheetFile = stylesheetFile;
    }

    /** The URL of the stylesheet this theme adds to the scene, or null for light (the base look). */
    public String stylesheet() {
        if (stylesheetFile == null) {
            return null;
        }
        URL url = Theme.class.getResource(stylesheetFile);
        if (url == null) {
            throw new IllegalStateException("the stylesheet " + stylesheetFile + " is missing from the build");
        }
        return url.toExternalForm();
    }

    /** The style class the scene's root carries under this theme, e.g. {@code theme-dark}. */
    public String styleClass() {
        return "theme-" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The key of the theme's name in the messages, e.g. {@code view.theme.dark}. */
    public String bundleKey() {
        return "view.theme." + name().toLowerCase(Locale.ROOT).replace("_", "");
    }

    /** The theme stored as {@code name}, or {@code fallback} for an unknown or missing name. */
    public static Theme parse(String name, Theme fallback) {
        for (Theme theme : values()) {
            if (theme.name().equals(name)) {
                return theme;
            }
        }
        return fallback;
    }
}
