package org.stepwise.pipeline;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;

import org.stepwise.model.HookKey;
import org.stepwise.pipeline.CellExplanation.Name;
import org.stepwise.pipeline.CellExplanation.Term;

/**
 * Writes a {@link CellExplanation} as the one line the window shows on hover, with the real numbers,
 * e.g. {@code score[2,1] = (q₂·k₁)/√d = (0.12·0.50 + −0.31·0.08 + … 6 more)/4 = 0.41}. The mathematics is
 * the same in every language; the words come from the bundle's {@code pipeline.explain.*} keys.
 */
public final class ExplanationFormatter {

    /** Products written out before the rest is summarised as "… n more". */
    public static final int DEFAULT_TERMS = 4;

    private final ResourceBundle bundle;
    private final int maxTerms;

    /**
     * @param bundle   the messages bundle (with the {@code pipeline.explain.*} keys)
     * @param maxTerms how many products of a sum to write out, at least 1
     */
    public ExplanationFormatter(ResourceBundle bundle, int maxTerms) {
        if (bundle == null || maxTerms < 1) {
            throw new IllegalArgumentException("a bundle and maxTerms ≥ 1 are required, got " + maxTerms);
        }
        this.bundle = bundle;
        this.maxTerms = maxTerms;
    }

    public ExplanationFormatter(ResourceBundle bundle) {
        this(bundle, DEFAULT_TERMS);
    }

    /** The one-line form of {@code e}. */
    public String format(CellExplanation e) {
        String cell = cellName(e.tensor(), e.row(), e.column());
        String result = number(e.result());
        return switch (e.kind()) {
            case PARAMETER -> cell + " = " + result + "  (" + words("pipeline.explain.parameter") + ")";
            case TOKEN_ID -> cell + " = " + result + "  (" + words("pipeline.explain.tokenId") + ")";
            case ONE_HOT -> cell + " = " + result + "  ("
                    + words("pipeline.explain.oneHot", number(e.quantity(Name.TOKEN_ID))) + ")";
            case EMBEDDING_LOOKUP -> cell + " = W_E[" + number(e.quantity(Name.TOKEN_ID)) + "," + e.column() + "] = "
                    + result + "  (" + words("pipeline.explain.embedding", number(e.quantity(Name.TOKEN_ID))) + ")";
            case POSITION_LEARNED -> cell + " = W_P[" + e.row() + "," + e.column() + "] = " + result + "  ("
                    + words("pipeline.explain.positionLearned", e.row()) + ")";
            case POSITION_SINUSOIDAL -> {
                String function = e.has(Name.SIN) ? "sin" : "cos";
                yield cell + " = " + function + "(p·ω) = " + function + "(" + e.row() + "·" + number(e.quantity(Name.FREQUENCY))
                        + ") = " + result;
            }
            case COPY -> cell + " = " + result + "  (" + words("pipeline.explain.sameAs",
                    symbol(e.operands().get(0))) + ")";
            case RESIDUAL_SUM -> cell + " = a + b = " + number(e.quantity(Name.LEFT)) + " + "
                    + number(e.quantity(Name.RIGHT)) + " = " + result;
            case LAYER_NORM -> cell + " = (x − μ)/√(σ² + ε)·γ + β = ("
                    + difference(e.quantity(Name.INPUT), e.quantity(Name.MEAN)) + ")/√(" + number(e.quantity(Name.VARIANCE)) + " + "
                    + number(e.quantity(Name.EPSILON)) + ")·" + number(e.quantity(Name.GAMMA)) + " + "
                    + number(e.quantity(Name.BETA)) + " = " + result;
            case LAYER_NORM_SCALE -> cell + " = √(σ² + ε) = √(" + number(e.quantity(Name.VARIANCE)) + " + "
                    + number(e.quantity(Name.EPSILON)) + ") = " + result + "  (μ = " + number(e.quantity(Name.MEAN)) + ")";
            case DOT_PRODUCT -> cell + " = Σ aᵢ·bᵢ" + (e.has(Name.BIAS) ? " + b" : "") + " = " + sum(e.terms())
                    + (e.has(Name.BIAS) ? " + " + number(e.quantity(Name.BIAS)) + " (" + words("pipeline.explain.bias") + ")" : "")
                    + " = " + result;
            case ROTATION -> cell + " = " + sum(e.terms()) + " = " + result + "  ("
                    + words("pipeline.explain.rotation", number(e.quantity(Name.PAIR)), number(e.quantity(Name.ANGLE))) + ")";
            case SCALED_DOT -> cell + " = (q" + subscript(e.row()) + "·k" + subscript(e.column()) + ")/√d = ("
                    + sum(e.terms()) + ")/" + number(e.quantity(Name.SQRT_D)) + " = " + result;
            case MASKED -> cell + " = " + result + "  (" + words("pipeline.explain.masked", e.row(), e.column()) + ")";
            case SOFTMAX -> softmax(e, cell, result);
            case ACTIVATION_RELU -> cell + " = max(0, " + number(e.quantity(Name.INPUT)) + ") = " + result;
            case ACTIVATION_GELU -> e.has(Name.TANH)
                    ? cell + " = ½x(1 + tanh u) = ½·" + number(e.quantity(Name.INPUT)) + "·(1 + "
                            + number(e.quantity(Name.TANH)) + ") = " + result + "  (u = √(2/π)(x + 0.044715x³) = "
                            + number(e.quantity(Name.TANH_ARGUMENT)) + ")"
                    : cell + " = x·Φ(x) = " + number(e.quantity(Name.INPUT)) + "·" + number(e.quantity(Name.NORMAL_CDF))
                            + " = " + result;
            case EXPERT_CHOICE -> cell + " = " + result + "  (" + words("pipeline.explain.expertChoice",
                    number(e.quantity(Name.RANK) + 1), number(e.quantity(Name.SCORE))) + ")";
            case EXPERT_MIX -> cell + " = Σ gate·expert(x) = " + sum(e.terms()) + " = " + result;
            case FILTERED_OUT -> cell + " = 0  (" + words("pipeline.explain.filtered") + ")";
            case ARGMAX -> cell + " = " + result + "  ("
                    + words("pipeline.explain.argmax", number(e.quantity(Name.TOKEN_ID))) + ")";
        };
    }

    private String softmax(CellExplanation e, String cell, String result) {
        String shifted = difference(e.quantity(Name.SCORE), e.quantity(Name.MAX));
        if (e.has(Name.TEMPERATURE)) {
            String temperature = number(e.quantity(Name.TEMPERATURE));
            return cell + " = e^((s−max)/T)/Σ = e^((" + shifted + ")/" + temperature + ")/"
                    + number(e.quantity(Name.EXP_SUM)) + " = " + number(e.quantity(Name.EXP)) + "/"
                    + number(e.quantity(Name.EXP_SUM)) + " = " + result;
        }
        return cell + " = e^(s−max)/Σe^(s−max) = e^(" + shifted + ")/" + number(e.quantity(Name.EXP_SUM)) + " = "
                + number(e.quantity(Name.EXP)) + "/" + number(e.quantity(Name.EXP_SUM)) + " = " + result;
    }

    /** {@code a − b}, with a negative b in parentheses. */
    private static String difference(double a, double b) {
        return number(a) + " − " + (b < 0 ? "(" + number(b) + ")" : number(b));
    }

    /** {@code a·b + c·d + … n more}, largest products first (the terms come sorted). */
    private String sum(List<Term> terms) {
        StringBuilder text = new StringBuilder();
        int shown = Math.min(maxTerms, terms.size());
        for (int i = 0; i < shown; i++) {
            Term term = terms.get(i);
            text.append(i == 0 ? "" : " + ").append(number(term.left())).append("·").append(number(term.right()));
        }
        if (terms.size() > shown) {
            text.append(" + ").append(words("pipeline.explain.more", terms.size() - shown));
        }
        if (terms.isEmpty()) {
            text.append("0");
        }
        return text.toString();
    }

    private String words(String key, Object... arguments) {
        return new MessageFormat(bundle.getString(key), bundle.getLocale()).format(arguments);
    }

    /** The short name of a tensor as the formulas write it, e.g. {@code score}, {@code q}, {@code W_Q}. */
    public static String symbol(TensorRef ref) {
        if (ref instanceof TensorRef.Hooked hooked) {
            return symbol(hooked.key());
        }
        if (ref instanceof TensorRef.Weight weight) {
            return weight.name();
        }
        if (ref instanceof TensorRef.TokenIds) {
            return "id";
        }
        if (ref instanceof TensorRef.OneHot) {
            return "onehot";
        }
        if (ref instanceof TensorRef.UnmaskedScores) {
            return "score";
        }
        if (ref instanceof TensorRef.ConcatenatedHeads) {
            return "z_all";
        }
        if (ref instanceof TensorRef.ResidualSum || ref instanceof TensorRef.CrossResidualSum) {
            return "x+f(x)";
        }
        if (ref instanceof TensorRef.CrossHeads) {
            return "z_cross_all";
        }
        return "P";
    }

    private static String symbol(HookKey key) {
        return switch (key.hook()) {
            case EMBED -> "x_tok";
            case POS_EMBED -> "pos";
            case RESID_PRE -> "resid_pre";
            case LN1_SCALE, LN2_SCALE, LN_FINAL_SCALE -> "σ";
            case LN1_NORMALIZED, LN2_NORMALIZED, LN_FINAL_NORMALIZED -> "ln";
            case Q -> "q";
            case K -> "k";
            case V -> "v";
            case ROT_Q -> "q_rot";
            case ROT_K -> "k_rot";
            case ATTN_SCORES -> "score";
            case PATTERN -> "p";
            case Z -> "z";
            case ATTN_OUT -> "attn_out";
            case RESID_MID -> "resid_mid";
            case LN_CROSS_SCALE -> "σ";
            case LN_CROSS_NORMALIZED -> "ln";
            case CROSS_Q -> "q_cross";
            case CROSS_K -> "k_cross";
            case CROSS_V -> "v_cross";
            case CROSS_ATTN_SCORES -> "score_cross";
            case CROSS_PATTERN -> "p_cross";
            case CROSS_Z -> "z_cross";
            case CROSS_ATTN_OUT -> "cross_out";
            case RESID_CROSS -> "resid_cross";
            case MLP_PRE -> "h";
            case MLP_POST -> "act";
            case MOE_GATE -> "router";
            case EXPERT_INDICES -> "expert";
            case EXPERT_WEIGHTS -> "gate";
            case MLP_OUT -> "mlp_out";
            case RESID_POST -> "resid_post";
            case LOGITS -> "logit";
        };
    }

    /** {@code score[2,1]}; a column block of a weight is written with its real column. */
    private static String cellName(TensorRef ref, int row, int column) {
        int realColumn = ref instanceof TensorRef.Weight weight ? weight.firstColumn() + column : column;
        return symbol(ref) + "[" + row + "," + realColumn + "]";
    }

    /**
     * A number as the explanation writes it: whole numbers without decimals, others with two decimals
     * (or in scientific notation when smaller than 0.01), a true minus sign, −∞ for a masked score.
     */
    public static String number(double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? "∞" : "−∞";
        }
        if (Double.isNaN(value)) {
            return "NaN";
        }
        String text;
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            text = Long.toString((long) value);
        } else if (Math.abs(value) >= 0.01) {
            text = String.format(Locale.ROOT, "%.2f", value);
        } else {
            text = String.format(Locale.ROOT, "%.1e", value);
        }
        return text.replace('-', '−');
    }

    private static String subscript(int index) {
        StringBuilder text = new StringBuilder();
        for (char digit : Integer.toString(index).toCharArray()) {
            text.append((char) ('₀' + (digit - '0')));
        }
        return text.toString();
    }
}
