package org.stepwise.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.TreeSet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bundle of user-visible strings has exactly the same keys in English and Chinese, none empty. */
class BundleConsistencyTest {

    @ParameterizedTest
    @ValueSource(strings = {"messages", "cli"})
    void englishAndChineseHaveTheSameKeys(String bundle) throws IOException {
        Properties english = load("/org/stepwise/i18n/" + bundle + ".properties");
        Properties chinese = load("/org/stepwise/i18n/" + bundle + "_zh.properties");
        assertEquals(new TreeSet<>(english.stringPropertyNames()), new TreeSet<>(chinese.stringPropertyNames()));
        for (String key : english.stringPropertyNames()) {
            assertTrue(!english.getProperty(key).isBlank() && !chinese.getProperty(key).isBlank(), key);
        }
    }

    private static Properties load(String resource) throws IOException {
        Properties p = new Properties();
        try (InputStream in = BundleConsistencyTest.class.getResourceAsStream(resource)) {
            assertTrue(in != null, resource);
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
