package org.stepwise.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV table has the header row, the row labels first, quoting where needed and every double to full precision. */
class TensorCsvTest {

    @TempDir
    Path directory;

    @Test
    void writesHeaderLabelsAndRoundTrippingNumbers() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        double third = 1.0 / 3;
        TensorCsv.write(out, "token", List.of("0", "1"), List.of("The", " cat"),
                new double[] {third, -2.5e-8, Double.NEGATIVE_INFINITY, 0.1 + 0.2});
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals("token,0,1\r\nThe,0.3333333333333333,-2.5E-8\r\n\" cat\",-Infinity,0.30000000000000004\r\n", text);
        assertEquals(third, Double.parseDouble("0.3333333333333333"));
    }

    @Test
    void quotesCommasQuotesAndLineBreaks() {
        assertEquals("\"a,b\"", TensorCsv.quoted("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", TensorCsv.quoted("say \"hi\""));
        assertEquals("\"two\nlines\"", TensorCsv.quoted("two\nlines"));
        assertEquals("猫", TensorCsv.quoted("猫"));
        assertEquals("", TensorCsv.quoted(""));
    }

    @Test
    void writesTheFileAtomicallyInUtf8() throws IOException {
        Path file = directory.resolve("tensor.csv");
        TensorCsv.write(file, "词元", List.of("概率"), List.of("猫"), new double[] {0.5});
        assertEquals("词元,概率\r\n猫,0.5\r\n", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of(file), Files.list(directory).toList());
    }

    @Test
    void refusesValuesThatDoNotFillTheTable() {
        assertThrows(IllegalArgumentException.class,
                () -> TensorCsv.write(new ByteArrayOutputStream(), "", List.of("a", "b"), List.of("x", "y"), new double[3]));
        assertThrows(IllegalArgumentException.class,
                () -> TensorCsv.write(new ByteArrayOutputStream(), "", List.of(), List.of("x"), new double[0]));
    }
}
