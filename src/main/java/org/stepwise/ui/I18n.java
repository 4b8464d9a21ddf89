package org.stepwise.ui;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

/** The user-visible strings of the app, in English and Simplified Chinese. */
public final class I18n {
    /** Base name of the bundles under {@code src/main/resources}. */
    public static final String BUNDLE = "org.stepwise.i18n.messages";

    private I18n() {
    }

    /** The bundle for {@code locale}; Chinese locales get Simplified Chinese, everything else English. */
    public static ResourceBundle bundle(Locale locale) {
        Locale chosen = "zh".equals(locale.getLanguage()) ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT;
        return ResourceBundle.getBundle(BUNDLE, chosen, ResourceBundle.Control.getNoFallbackControl(
                ResourceBundle.Control.FORMAT_PROPERTIES));
    }

    /** The message {@code key} with its {@code {0}}, {@code {1}} ... arguments filled in. */
    public static String format(ResourceBundle bundle, String key, Object... args) {
        return new MessageFormat(bundle.getString(key), bundle.getLocale()).format(args);
    }
}
