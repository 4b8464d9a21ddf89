package org.stepwise.viz;

import java.util.Locale;
import java.util.ResourceBundle;

/** The bundle of user-visible strings the widgets use when the caller passes none. */
final class VizMessages {
    /** Base name of the message bundles under {@code src/main/resources}. */
    private static final String BUNDLE = "org.stepwise.i18n.messages";

    private VizMessages() {
    }

    /** Simplified Chinese when the default locale's language is Chinese, English otherwise. */
    static ResourceBundle forDefaultLocale() {
        Locale chosen = "zh".equals(Locale.getDefault().getLanguage()) ? Locale.SIMPLIFIED_CHINESE : Locale.ROOT;
        return ResourceBundle.getBundle(BUNDLE, chosen,
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
    }
}
