package org.stepwise.ui.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Locale;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The display choices: the system language until one is chosen, then the choice; theme and zoom kept and checked. */
class DisplayPreferencesTest {

    private static final String NODE = "/org/stepwise/test/display-preferences";
    private Preferences node;

    @BeforeEach
    void clean() throws BackingStoreException {
        Preferences.userRoot().node(NODE).removeNode();
        node = Preferences.userRoot().node(NODE);
    }

    @AfterEach
    void remove() throws BackingStoreException {
        node.removeNode();
    }

    @Test
    void theFirstStartFollowsTheSystemLanguageAndAChoiceWinsFromThenOn() {
        DisplayPreferences preferences = new DisplayPreferences(node);
        assertEquals(Locale.SIMPLIFIED_CHINESE, preferences.locale(Locale.TRADITIONAL_CHINESE));
        assertEquals(Locale.ENGLISH, preferences.locale(Locale.GERMANY));
        preferences.setLocale(Locale.CHINA);
        DisplayPreferences restarted = new DisplayPreferences(node);
        assertEquals(Locale.SIMPLIFIED_CHINESE, restarted.locale(Locale.US));
        restarted.setLocale(Locale.UK);
        assertEquals(Locale.ENGLISH, new DisplayPreferences(node).locale(Locale.CHINA));
    }

    @Test
    void themeAndZoomSurviveARestartAndBadValuesAreRefusedOrBroughtInRange() {
        DisplayPreferences preferences = new DisplayPreferences(node);
        assertEquals(Theme.LIGHT, preferences.theme());
        assertEquals(1, preferences.zoom());
        preferences.setTheme(Theme.DARK);
        preferences.setZoom(1.3);
        DisplayPreferences restarted = new DisplayPreferences(node);
        assertEquals(Theme.DARK, restarted.theme());
        assertEquals(1.3, restarted.zoom());
        assertThrows(IllegalArgumentException.class, () -> restarted.setZoom(0.1));
        assertThrows(IllegalArgumentException.class, () -> restarted.setZoom(Double.NaN));
        node.putDouble("zoom", 40);
        node.put("theme", "PURPLE");
        assertEquals(DisplayPreferences.MAX_ZOOM, restarted.zoom());
        assertEquals(Theme.LIGHT, restarted.theme());
    }

    @Test
    void everyThemeButLightHasAStylesheetAndANameInTheMessages() {
        assertEquals(null, Theme.LIGHT.stylesheet());
        assertEquals("theme-high-contrast", Theme.HIGH_CONTRAST.styleClass());
        assertEquals("view.theme.highcontrast", Theme.HIGH_CONTRAST.bundleKey());
        for (Theme theme : Theme.values()) {
            if (theme != Theme.LIGHT) {
                assertEquals(true, theme.stylesheet().endsWith(theme.styleClass() + ".css"), theme.stylesheet());
            }
        }
    }
}
