package org.stepwise.ui.display;

import java.util.Locale;
import java.util.prefs.Preferences;

/**
 * The display choices that survive a restart: language, theme and zoom, kept in a {@link Preferences} node.
 * Nothing is stored until the user chooses, so the first start follows the system language.
 */
public final class DisplayPreferences {

    /** Smallest and largest zoom of the whole window. */
    public static final double MIN_ZOOM = 0.6;
    public static final double MAX_ZOOM = 2.5;

    private static final String LANGUAGE = "language";
    private static final String THEME = "theme";
    private static final String ZOOM = "zoom";

    private final Preferences store;

    /** @param store the node the choices are kept in; not cleared here */
    public DisplayPreferences(Preferences store) {
        if (store == null) {
            throw new IllegalArgumentException("a preferences node is required");
        }
        this.store = store;
    }

    /**
     * The language to show: the one chosen last ({@code en} or {@code zh}), else {@code system}'s.
     */
    public Locale locale(Locale system) {
        String chosen = store.get(LANGUAGE, null);
        if ("zh".equals(chosen)) {
            return Locale.SIMPLIFIED_CHINESE;
        }
        if ("en".equals(chosen)) {
            return Locale.ENGLISH;
        }
        return "zh".equals(system.getLanguage()) ? Locale.SIMPLIFIED_CHINESE : Locale.ENGLISH;
    }

    /** Remembers {@code locale}'s language (Chinese or English) for the next start. */
    public void setLocale(Locale locale) {
        store.put(LANGUAGE, "zh".equals(locale.getLanguage()) ? "zh" : "en");
    }

    /** The theme chosen last, light at first. */
    public Theme theme() {
        return Theme.parse(store.get(THEME, null), Theme.LIGHT);
    }

    public void setTheme(Theme theme) {
        store.put(THEME, theme.name());
    }

    /** The zoom chosen last, 1 at first; a stored value outside the range is brought inside it. */
    public double zoom() {
        double stored = store.getDouble(ZOOM, 1);
        return Double.isFinite(stored) ? Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, stored)) : 1;
    }

    /** @throws IllegalArgumentException for a zoom outside [{@value #MIN_ZOOM}, {@value #MAX_ZOOM}] */
    public void setZoom(double zoom) {
        if (!(zoom >= MIN_ZOOM && zoom <= MAX_ZOOM)) {
            throw new IllegalArgumentException("the zoom is between " + MIN_ZOOM + " and " + MAX_ZOOM + ", got " + zoom);
        }
        store.putDouble(ZOOM, zoom);
    }
}
