package org.stepwise.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

import org.junit.jupiter.api.Test;
import org.stepwise.model.Hook;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.CellExplanation.Name;
import org.stepwise.pipeline.CellExplanation.Term;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.ui.I18n;

/** The one-line explanations carry the real numbers, the largest products first, and the bundle's words. */
class ExplanationFormatterTest {

    private static final ResourceBundle ENGLISH = I18n.bundle(Locale.ENGLISH);
    private static final ResourceBundle CHINESE = I18n.bundle(Locale.SIMPLIFIED_CHINESE);

    @Test
    void scoreLineShowsTheLargestProductsThenTheCountOfTheRest() {
        ModelConfig config = Models.preLn().withAttention(1, 1);               // one head: D = 8 products
        Parameters parameters = Models.parameters(config, 3);
        SentenceTrace run = Models.run(config, parameters, 4, 2);
        CellExplanation e = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.ATTN_SCORES, 0, 0), 2, 1);
        String line = new ExplanationFormatter(ENGLISH, 2).format(e);
        List<Term> terms = e.terms();
        String expected = "score[2,1] = (q₂·k₁)/√d = ("
                + ExplanationFormatter.number(terms.get(0).left()) + "·" + ExplanationFormatter.number(terms.get(0).right())
                + " + " + ExplanationFormatter.number(terms.get(1).left()) + "·"
                + ExplanationFormatter.number(terms.get(1).right()) + " + … 6 more)/"
                + ExplanationFormatter.number(Math.sqrt(8)) + " = " + ExplanationFormatter.number(e.result());
        assertEquals(expected, line);
        assertTrue(new ExplanationFormatter(CHINESE, 2).format(e).contains("另有 6 项"));
    }

    @Test
    void numbersAreWrittenWithTrueMinusSignsAndWholeNumbersPlain() {
        assertEquals("0.41", ExplanationFormatter.number(0.4123));
        assertEquals("−0.31", ExplanationFormatter.number(-0.3149));
        assertEquals("4", ExplanationFormatter.number(4.0));
        assertEquals("1.0e−05", ExplanationFormatter.number(1e-5));
        assertEquals("−∞", ExplanationFormatter.number(Double.NEGATIVE_INFINITY));
    }

    @Test
    void layerNormAndSoftmaxLinesNameTheirQuantities() {
        ModelConfig config = Models.preLn();
        Parameters parameters = Models.parameters(config, 3);
        SentenceTrace run = Models.run(config, parameters, 4, 2);
        ExplanationFormatter formatter = new ExplanationFormatter(ENGLISH);
        CellExplanation norm = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.LN1_NORMALIZED, 0), 1, 2);
        String normLine = formatter.format(norm);
        double mean = norm.quantity(Name.MEAN);
        assertTrue(normLine.startsWith("ln[1,2] = (x − μ)/√(σ² + ε)·γ + β = ("
                + ExplanationFormatter.number(norm.quantity(Name.INPUT)) + " − "
                + (mean < 0 ? "(" + ExplanationFormatter.number(mean) + ")" : ExplanationFormatter.number(mean))
                + ")/√("), normLine);
        assertTrue(normLine.endsWith(" = " + ExplanationFormatter.number(norm.result())), normLine);
        CellExplanation pattern = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.PATTERN, 1, 0), 3, 0);
        String patternLine = formatter.format(pattern);
        assertTrue(patternLine.startsWith("p[3,0] = e^(s−max)/Σe^(s−max) = e^("), patternLine);
        CellExplanation masked = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.PATTERN, 1, 0), 0, 3);
        assertEquals("p[0,3] = 0  (masked: position 0 may not look at the later position 3)", formatter.format(masked));
        CellExplanation embed = Explainer.explain(run, parameters, config, TensorRef.hook(Hook.EMBED), 2, 5);
        assertEquals("x_tok[2,5] = W_E[" + run.id(2) + ",5] = " + ExplanationFormatter.number(embed.result())
                + "  (row " + run.id(2) + " of the token embedding)", formatter.format(embed));
    }

    @Test
    void everyExplanationOfEveryModelFormatsInBothLanguages() {
        for (Models.Named model : Models.all()) {
            ModelConfig config = model.config();
            Parameters parameters = Models.parameters(config, 1);
            SentenceTrace run = Models.run(config, parameters, 3, 1);
            for (ResourceBundle bundle : List.of(ENGLISH, CHINESE)) {
                ExplanationFormatter formatter = new ExplanationFormatter(bundle);
                for (Stage stage : Pipeline.stages(config)) {
                    StageView view = StageView.of(config, stage, 0, 3, new SamplingSettings(0.9, 3, 0.95));
                    for (StageTensor tensor : view.tensors()) {
                        CellExplanation e = Explainer.explain(run, parameters, config, tensor.ref(),
                                tensor.rows() - 1, tensor.columns() - 1);
                        String line = formatter.format(e);
                        assertFalse(line.isBlank());
                        assertTrue(line.endsWith(ExplanationFormatter.number(e.result())) || line.endsWith(")"), line);
                        assertFalse(line.matches(".*-[0-9∞].*"), "a true minus sign: " + line);
                    }
                }
            }
        }
    }
}
