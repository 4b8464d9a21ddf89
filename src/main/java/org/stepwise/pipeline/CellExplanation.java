package org.stepwise.pipeline;

import java.util.Comparator;
import java.util.List;

/**
 * How one number of one tensor was computed, with the real operands: what kind of computation, the
 * products it summed (largest first), the named quantities it used (μ, σ², √d, the token id, …), the
 * tensors it read, and the result, which equals the number the model computed.
 *
 * @param kind       the kind of computation
 * @param tensor     the tensor the cell belongs to
 * @param row        the cell's row
 * @param column     the cell's column
 * @param terms      the products aᵢ·bᵢ of a sum, sorted by |aᵢ·bᵢ|, largest first (empty when there is no sum)
 * @param quantities the named quantities, in the order a formula reads them
 * @param operands   the tensors the computation read
 * @param result     the value of the cell
 */
public record CellExplanation(Kind kind, TensorRef tensor, int row, int column, List<Term> terms,
                              List<Quantity> quantities, List<TensorRef> operands, double result) {

    /** The kinds of computation a cell can come from. */
    public enum Kind {
        /** A trained weight: nothing computed it in the forward pass. */
        PARAMETER,
        /** The id the tokenizer gave the token. */
        TOKEN_ID,
        /** 1 where the column is the token's id, 0 elsewhere. */
        ONE_HOT,
        /** Row {@code id} of the token embedding. */
        EMBEDDING_LOOKUP,
        /** Row {@code p} of the learned position table. */
        POSITION_LEARNED,
        /** sin(p·ω) or cos(p·ω) of the fixed position table. */
        POSITION_SINUSOIDAL,
        /** The same number as a cell of another tensor. */
        COPY,
        /** a + b on the residual stream. */
        RESIDUAL_SUM,
        /** γ·(x − μ)/√(σ² + ε) + β. */
        LAYER_NORM,
        /** √(σ² + ε) of a token's row. */
        LAYER_NORM_SCALE,
        /** Σᵢ aᵢ·bᵢ (+ bias). */
        DOT_PRODUCT,
        /** RoPE: a·cos − b·sin or a·sin + b·cos of a pair of q or k. */
        ROTATION,
        /** (q·k)/√d. */
        SCALED_DOT,
        /** A score or weight of a later token: −∞ before the softmax, 0 after. */
        MASKED,
        /** e^{s − max}/Σ e^{s − max} (with a temperature for the output). */
        SOFTMAX,
        /** max(0, x). */
        ACTIVATION_RELU,
        /** GELU of x (tanh approximation or exact). */
        ACTIVATION_GELU,
        /** The index of the router's j-th best expert. */
        EXPERT_CHOICE,
        /** Σⱼ gateⱼ · expertⱼ(x). */
        EXPERT_MIX,
        /** A token removed by top-k or top-p: probability 0. */
        FILTERED_OUT,
        /** Temperature 0: 1 for the most likely token, 0 for the others. */
        ARGMAX
    }

    /** One product of a sum: {@code index} is the summed-over index (a dimension, a key token, an expert). */
    public record Term(int index, double left, double right, double product) {
    }

    /** A named quantity with its value. */
    public record Quantity(Name name, double value) {
    }

    /** Names of quantities; each has the symbol formulas use. */
    public enum Name {
        TOKEN_ID("id"),
        POSITION("p"),
        FREQUENCY("ω"),
        ANGLE("θ"),
        PAIR("i"),
        COS("cos θ"),
        SIN("sin θ"),
        LEFT("a"),
        RIGHT("b"),
        SOURCE("x"),
        INPUT("x"),
        MEAN("μ"),
        VARIANCE("σ²"),
        EPSILON("ε"),
        STD("√(σ²+ε)"),
        NORMALIZED("x̂"),
        GAMMA("γ"),
        BETA("β"),
        SUM("Σ"),
        BIAS("b"),
        SQRT_D("√d"),
        SCORE("s"),
        MAX("max"),
        EXP("e^{s−max}"),
        EXP_SUM("Σe^{s−max}"),
        TEMPERATURE("T"),
        TANH_ARGUMENT("u"),
        TANH("tanh u"),
        NORMAL_CDF("Φ(x)"),
        EXPERT("e"),
        RANK("j");

        private final String symbol;

        Name(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    /** Largest |product| first. */
    public static final Comparator<Term> BY_MAGNITUDE =
            Comparator.comparingDouble((Term t) -> Math.abs(t.product())).reversed().thenComparingInt(Term::index);

    public CellExplanation {
        if (kind == null || tensor == null) {
            throw new IllegalArgumentException("kind and tensor are required");
        }
        terms = terms.stream().sorted(BY_MAGNITUDE).toList();
        quantities = List.copyOf(quantities);
        operands = List.copyOf(operands);
    }

    /** The value of a named quantity. @throws IllegalArgumentException when the explanation has none */
    public double quantity(Name name) {
        for (Quantity q : quantities) {
            if (q.name() == name) {
                return q.value();
            }
        }
        throw new IllegalArgumentException(kind + " has no quantity " + name);
    }

    /** Whether the explanation names {@code name}. */
    public boolean has(Name name) {
        return quantities.stream().anyMatch(q -> q.name() == name);
    }
}
