package org.stepwise.pipeline;

import java.util.ArrayList;
import java.util.List;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.Hook;
import org.stepwise.model.HookKey;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;
import org.stepwise.pipeline.CellExplanation.Kind;
import org.stepwise.pipeline.CellExplanation.Name;
import org.stepwise.pipeline.CellExplanation.Quantity;
import org.stepwise.pipeline.CellExplanation.Term;
import org.stepwise.sample.Sampler;
import org.stepwise.tensor.Activations;
import org.stepwise.tensor.Erf;
import org.stepwise.tensor.SinusoidalPositions;

/**
 * Explains any number of any tensor of a forward pass: recomputes it from the tensors it was made of,
 * in the same order of operations as the model, and returns the operands, the named intermediates and
 * the result (which equals the model's number).
 */
public final class Explainer {
    private Explainer() {
    }

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_CUBIC = 0.044715;

    /**
     * How cell (row, column) of {@code tensor} was computed.
     *
     * @param run        the recorded forward pass. Not modified.
     * @param parameters the weights the pass was run with. Not modified.
     * @param config     the model's architecture
     * @param tensor     which tensor
     * @throws IllegalArgumentException when the tensor is not in the trace or the cell is outside it
     */
    public static CellExplanation explain(SentenceTrace run, Parameters parameters, ModelConfig config,
                                          TensorRef tensor, int row, int column) {
        if (run == null || parameters == null || config == null || tensor == null) {
            throw new IllegalArgumentException("run, parameters, config and tensor are required");
        }
        return new Cell(run, parameters, config, tensor, row, column).explain();
    }

    /** One explanation being worked out. */
    private static final class Cell {
        private final SentenceTrace run;
        private final Parameters parameters;
        private final ModelConfig config;
        private final TensorRef tensor;
        private final int row;
        private final int column;
        private final boolean preLn;
        private final List<Term> terms = new ArrayList<>();
        private final List<Quantity> quantities = new ArrayList<>();
        private final List<TensorRef> operands = new ArrayList<>();

        Cell(SentenceTrace run, Parameters parameters, ModelConfig config, TensorRef tensor, int row, int column) {
            this.run = run;
            this.parameters = parameters;
            this.config = config;
            this.tensor = tensor;
            this.row = row;
            this.column = column;
            this.preLn = config.norm() == ModelConfig.Norm.PRE_LN;
        }

        CellExplanation explain() {
            int[] shape = TensorValues.shape(tensor, run, parameters, config);
            if (row < 0 || row >= shape[0] || column < 0 || column >= shape[1]) {
                throw new IllegalArgumentException(tensor + " is [" + shape[0] + "×" + shape[1]
                        + "], no cell (" + row + ", " + column + ")");
            }
            if (tensor instanceof TensorRef.Hooked hooked) {
                return hooked(hooked.key());
            }
            if (tensor instanceof TensorRef.Weight) {
                operands.add(tensor);
                return done(Kind.PARAMETER, TensorValues.row(tensor, row, run, parameters, config)[column]);
            }
            if (tensor instanceof TensorRef.TokenIds) {
                quantities.add(new Quantity(Name.TOKEN_ID, run.id(row)));
                return done(Kind.TOKEN_ID, run.id(row));
            }
            if (tensor instanceof TensorRef.OneHot) {
                operands.add(new TensorRef.TokenIds());
                quantities.add(new Quantity(Name.TOKEN_ID, run.id(row)));
                return done(Kind.ONE_HOT, run.id(row) == column ? 1.0 : 0.0);
            }
            if (tensor instanceof TensorRef.UnmaskedScores scores) {
                return scaledDot(scores.layer(), scores.head());
            }
            if (tensor instanceof TensorRef.ConcatenatedHeads heads) {
                int headDim = config.headDim();
                return copy(TensorRef.hook(Hook.Z, heads.layer(), column / headDim), row, column % headDim);
            }
            if (tensor instanceof TensorRef.CrossHeads heads) {
                int headDim = config.headDim();
                return copy(TensorRef.hook(Hook.CROSS_Z, heads.layer(), column / headDim), row, column % headDim);
            }
            if (tensor instanceof TensorRef.CrossResidualSum sum) {
                return residualSum(TensorRef.hook(Hook.RESID_MID, sum.layer()),
                        TensorRef.hook(Hook.CROSS_ATTN_OUT, sum.layer()));
            }
            if (tensor instanceof TensorRef.ResidualSum sum) {
                Hook stream = TensorValues.streamBefore(run, sum);
                return residualSum(TensorRef.hook(stream, sum.layer()), TensorRef.hook(sum.branch(), sum.layer()));
            }
            if (tensor instanceof TensorRef.Probabilities probabilities) {
                return probability(probabilities);
            }
            throw new IllegalArgumentException("unknown tensor reference " + tensor);
        }

        private CellExplanation hooked(HookKey key) {
            if (key.encoder()) {
                throw new IllegalArgumentException(key + " belongs to the encoder: it is explained on the encoder's stages");
            }
            int layer = key.layer();
            switch (key.hook()) {
                case EMBED -> {
                    int id = run.id(row);
                    TensorRef table = TensorRef.weight(ParameterLayout.TOKEN_EMBEDDING, config.dModel());
                    operands.add(new TensorRef.TokenIds());
                    operands.add(table);
                    quantities.add(new Quantity(Name.TOKEN_ID, id));
                    return done(Kind.EMBEDDING_LOOKUP, parameters.get(ParameterLayout.TOKEN_EMBEDDING).get(id, column));
                }
                case POS_EMBED -> {
                    quantities.add(new Quantity(Name.POSITION, row));
                    if (config.positional() == ModelConfig.Positional.LEARNED) {
                        operands.add(TensorRef.weight(ParameterLayout.POSITION_EMBEDDING, config.dModel()));
                        return done(Kind.POSITION_LEARNED,
                                parameters.get(ParameterLayout.POSITION_EMBEDDING).get(row, column));
                    }
                    int pair = column / 2;
                    double frequency = Math.pow(SinusoidalPositions.BASE, -2.0 * pair / config.dModel());
                    double angle = row * Math.pow(SinusoidalPositions.BASE, -2.0 * pair / config.dModel());
                    quantities.add(new Quantity(Name.PAIR, pair));
                    quantities.add(new Quantity(Name.FREQUENCY, frequency));
                    quantities.add(new Quantity(Name.ANGLE, angle));
                    boolean sine = column % 2 == 0;
                    quantities.add(new Quantity(sine ? Name.SIN : Name.COS, sine ? Math.sin(angle) : Math.cos(angle)));
                    return done(Kind.POSITION_SINUSOIDAL, sine ? Math.sin(angle) : Math.cos(angle));
                }
                case RESID_PRE -> {
                    if (layer > 0) {
                        return copy(TensorRef.hook(Hook.RESID_POST, layer - 1), row, column);
                    }
                    boolean added = config.positional() == ModelConfig.Positional.LEARNED
                            || config.positional() == ModelConfig.Positional.SINUSOIDAL;
                    return added ? residualSum(TensorRef.hook(Hook.EMBED), TensorRef.hook(Hook.POS_EMBED))
                            : copy(TensorRef.hook(Hook.EMBED), row, column);
                }
                case LN1_SCALE, LN1_NORMALIZED -> {
                    return layerNorm(normInput(Hook.LN1_NORMALIZED, layer), "h." + layer + ".ln_1",
                            key.hook() == Hook.LN1_SCALE);
                }
                case LN2_SCALE, LN2_NORMALIZED -> {
                    return layerNorm(normInput(Hook.LN2_NORMALIZED, layer), "h." + layer + ".ln_2",
                            key.hook() == Hook.LN2_SCALE);
                }
                case LN_FINAL_SCALE, LN_FINAL_NORMALIZED -> {
                    return layerNorm(normInput(Hook.LN_FINAL_NORMALIZED, -1), "ln_f", key.hook() == Hook.LN_FINAL_SCALE);
                }
                case Q, K, V -> {
                    int width = config.dModel();
                    int headDim = config.headDim();
                    int first = switch (key.hook()) {
                        case Q -> key.head() * headDim;
                        case K -> width + key.head() * headDim;
                        default -> width + (config.nKvHead() + key.head()) * headDim;
                    };
                    TensorRef input = preLn ? TensorRef.hook(Hook.LN1_NORMALIZED, layer) : TensorRef.hook(Hook.RESID_PRE, layer);
                    return linear(input, "h." + layer + ".attn.c_attn", first + column);
                }
                case ROT_Q, ROT_K -> {
                    return rotation(TensorRef.hook(key.hook() == Hook.ROT_Q ? Hook.Q : Hook.K, layer, key.head()));
                }
                case ATTN_SCORES -> {
                    if (column > row && !run.bidirectional()) {
                        operands.add(new TensorRef.UnmaskedScores(layer, key.head()));
                        return done(Kind.MASKED, Double.NEGATIVE_INFINITY);
                    }
                    return scaledDot(layer, key.head());
                }
                case PATTERN -> {
                    return attentionSoftmax(layer, key.head());
                }
                case Z -> {
                    return weightedSum(layer, key.head());
                }
                case ATTN_OUT -> {
                    return linear(new TensorRef.ConcatenatedHeads(layer), "h." + layer + ".attn.c_proj", column);
                }
                case RESID_MID -> {
                    return preLn
                            ? residualSum(TensorRef.hook(Hook.RESID_PRE, layer), TensorRef.hook(Hook.ATTN_OUT, layer))
                            : layerNorm(normInput(Hook.LN1_NORMALIZED, layer), "h." + layer + ".ln_1", false);
                }
                case MLP_PRE -> {
                    return linear(ffnInput(layer), "h." + layer + ".mlp.c_fc", column);
                }
                case MLP_POST -> {
                    return activation(TensorRef.hook(Hook.MLP_PRE, layer));
                }
                case MOE_GATE -> {
                    return linear(ffnInput(layer), "h." + layer + ".mlp.router", column);
                }
                case EXPERT_INDICES, EXPERT_WEIGHTS -> {
                    return routing(layer, key.hook() == Hook.EXPERT_WEIGHTS);
                }
                case MLP_OUT -> {
                    return config.isMoe() ? expertMix(layer) : linear(TensorRef.hook(Hook.MLP_POST, layer),
                            "h." + layer + ".mlp.c_proj", column);
                }
                case LN_CROSS_SCALE, LN_CROSS_NORMALIZED -> {
                    return layerNorm(crossNormInput(layer), "h." + layer + ".ln_cross_attn",
                            key.hook() == Hook.LN_CROSS_SCALE);
                }
                case CROSS_Q -> {
                    TensorRef input = preLn ? TensorRef.hook(Hook.LN_CROSS_NORMALIZED, layer)
                            : TensorRef.hook(Hook.RESID_MID, layer);
                    return linear(input, "h." + layer + ".crossattention.q_attn", key.head() * config.headDim() + column);
                }
                case CROSS_K, CROSS_V -> {
                    int first = (key.hook() == Hook.CROSS_K ? key.head() : config.nKvHead() + key.head()) * config.headDim();
                    return linear(new TensorRef.Hooked(memoryKey().inEncoder()), "h." + layer + ".crossattention.c_attn",
                            first + column);
                }
                case CROSS_ATTN_SCORES -> {
                    return scaledDot(TensorRef.hook(Hook.CROSS_Q, layer, key.head()),
                            TensorRef.hook(Hook.CROSS_K, layer, TensorValues.kvHeadOf(config, key.head())));
                }
                case CROSS_PATTERN -> {
                    return softmaxOfRow(TensorRef.hook(Hook.CROSS_ATTN_SCORES, layer, key.head()), false);
                }
                case CROSS_Z -> {
                    return weightedSum(TensorRef.hook(Hook.CROSS_PATTERN, layer, key.head()),
                            TensorRef.hook(Hook.CROSS_V, layer, TensorValues.kvHeadOf(config, key.head())), false);
                }
                case CROSS_ATTN_OUT -> {
                    return linear(new TensorRef.CrossHeads(layer), "h." + layer + ".crossattention.c_proj", column);
                }
                case RESID_CROSS -> {
                    return preLn
                            ? residualSum(TensorRef.hook(Hook.RESID_MID, layer), TensorRef.hook(Hook.CROSS_ATTN_OUT, layer))
                            : layerNorm(crossNormInput(layer), "h." + layer + ".ln_cross_attn", false);
                }
                case RESID_POST -> {
                    return preLn
                            ? residualSum(TensorRef.hook(TensorValues.ffnStream(run, layer), layer),
                                    TensorRef.hook(Hook.MLP_OUT, layer))
                            : layerNorm(normInput(Hook.LN2_NORMALIZED, layer), "h." + layer + ".ln_2", false);
                }
                case LOGITS -> {
                    TensorRef input = preLn ? TensorRef.hook(Hook.LN_FINAL_NORMALIZED)
                            : TensorRef.hook(Hook.RESID_POST, config.nLayer() - 1);
                    String weightName = config.tiedOutput() ? ParameterLayout.TOKEN_EMBEDDING : ParameterLayout.OUTPUT;
                    double[] x = rowOf(input, row);
                    DMatrixRMaj weight = parameters.get(weightName);                        // [V, C]
                    operands.add(input);
                    operands.add(TensorRef.weight(weightName, config.dModel()));
                    double sum = 0;
                    for (int c = 0; c < x.length; c++) {
                        double product = x[c] * weight.get(column, c);
                        terms.add(new Term(c, x[c], weight.get(column, c), product));
                        sum += product;
                    }
                    return done(Kind.DOT_PRODUCT, sum);
                }
                default -> throw new IllegalArgumentException("no explanation for " + key);
            }
        }

        /** The input of a LayerNorm: the residual stream (pre-LN) or the residual sum it normalises (post-LN). */
        private TensorRef normInput(Hook normalized, int layer) {
            return switch (normalized) {
                case LN1_NORMALIZED -> preLn ? TensorRef.hook(Hook.RESID_PRE, layer)
                        : new TensorRef.ResidualSum(layer, Hook.ATTN_OUT);
                case LN2_NORMALIZED -> preLn ? TensorRef.hook(TensorValues.ffnStream(run, layer), layer)
                        : new TensorRef.ResidualSum(layer, Hook.MLP_OUT);
                default -> TensorRef.hook(Hook.RESID_POST, config.nLayer() - 1);
            };
        }

        private TensorRef ffnInput(int layer) {
            return preLn ? TensorRef.hook(Hook.LN2_NORMALIZED, layer)
                    : TensorRef.hook(TensorValues.ffnStream(run, layer), layer);
        }

        /** The input of a decoder block's cross-attention LayerNorm: resid_mid (pre-LN) or resid_mid + cross_out (post-LN). */
        private TensorRef crossNormInput(int layer) {
            return preLn ? TensorRef.hook(Hook.RESID_MID, layer) : new TensorRef.CrossResidualSum(layer);
        }

        /** The encoder output every cross-attention reads (named without its {@code encoder.} prefix). */
        private HookKey memoryKey() {
            if (run.source() == null) {
                throw new IllegalArgumentException("this pass has no encoder: it was not run on a source sentence");
            }
            return preLn ? HookKey.of(Hook.LN_FINAL_NORMALIZED) : HookKey.of(Hook.RESID_POST, encoderLayers() - 1);
        }

        /** The number of encoder blocks, read from the trace. */
        private int encoderLayers() {
            int blocks = 0;
            while (run.trace().contains(HookKey.of(Hook.RESID_POST, blocks).inEncoder())) {
                blocks++;
            }
            return blocks;
        }

        private CellExplanation copy(TensorRef source, int sourceRow, int sourceColumn) {
            operands.add(source);
            double value = valueOf(source, sourceRow, sourceColumn);
            quantities.add(new Quantity(Name.SOURCE, value));
            return done(Kind.COPY, value);
        }

        private CellExplanation residualSum(TensorRef stream, TensorRef branch) {
            double a = valueOf(stream, row, column);
            double b = valueOf(branch, row, column);
            operands.add(stream);
            operands.add(branch);
            quantities.add(new Quantity(Name.LEFT, a));
            quantities.add(new Quantity(Name.RIGHT, b));
            return done(Kind.RESIDUAL_SUM, a + b);
        }

        /** LayerNorm of this row of {@code input}, in the order {@link org.stepwise.tensor.LayerNorm} computes it. */
        private CellExplanation layerNorm(TensorRef input, String prefix, boolean scaleOnly) {
            double[] x = rowOf(input, row);
            int width = x.length;
            double mean = 0;
            for (double value : x) {
                mean += value;
            }
            mean /= width;
            double variance = 0;
            for (double value : x) {
                double centered = value - mean;
                variance += centered * centered;
            }
            variance /= width;
            double epsilon = config.layerNormEps();
            double std = Math.sqrt(variance + epsilon);
            operands.add(input);
            if (scaleOnly) {
                quantities.add(new Quantity(Name.MEAN, mean));
                quantities.add(new Quantity(Name.VARIANCE, variance));
                quantities.add(new Quantity(Name.EPSILON, epsilon));
                return done(Kind.LAYER_NORM_SCALE, std);
            }
            double gamma = parameters.get(prefix + ".weight").get(0, column);
            double beta = parameters.get(prefix + ".bias").get(0, column);
            double normalized = (x[column] - mean) * (1.0 / std);
            operands.add(TensorRef.weight(prefix + ".weight", width));
            operands.add(TensorRef.weight(prefix + ".bias", width));
            quantities.add(new Quantity(Name.INPUT, x[column]));
            quantities.add(new Quantity(Name.MEAN, mean));
            quantities.add(new Quantity(Name.VARIANCE, variance));
            quantities.add(new Quantity(Name.EPSILON, epsilon));
            quantities.add(new Quantity(Name.STD, std));
            quantities.add(new Quantity(Name.NORMALIZED, normalized));
            quantities.add(new Quantity(Name.GAMMA, gamma));
            quantities.add(new Quantity(Name.BETA, beta));
            return done(Kind.LAYER_NORM, gamma * normalized + beta);
        }

        /** Row {@code row} of {@code input} times column {@code weightColumn} of {@code prefix}.weight, plus the bias. */
        private CellExplanation linear(TensorRef input, String prefix, int weightColumn) {
            double[] x = rowOf(input, row);
            DMatrixRMaj weight = parameters.get(prefix + ".weight");                    // [in, out]
            operands.add(input);
            operands.add(new TensorRef.Weight(prefix + ".weight", weightColumn, 1));
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                double product = x[i] * weight.get(i, weightColumn);
                terms.add(new Term(i, x[i], weight.get(i, weightColumn), product));
                sum += product;
            }
            quantities.add(new Quantity(Name.SUM, sum));
            if (config.bias()) {
                double bias = parameters.get(prefix + ".bias").get(0, weightColumn);
                operands.add(new TensorRef.Weight(prefix + ".bias", weightColumn, 1));
                quantities.add(new Quantity(Name.BIAS, bias));
                sum += bias;
            }
            return done(Kind.DOT_PRODUCT, sum);
        }

        /** RoPE of the pair this column belongs to, as {@link org.stepwise.tensor.RotaryEmbedding} computes it. */
        private CellExplanation rotation(TensorRef unrotated) {
            double[] q = rowOf(unrotated, row);
            int headDim = q.length;
            int pair = column / 2;
            double angle = row * Math.pow(config.ropeTheta(), -2.0 * pair / headDim);
            double cos = Math.cos(angle);
            double sin = Math.sin(angle);
            double even = q[2 * pair];
            double odd = q[2 * pair + 1];
            operands.add(unrotated);
            quantities.add(new Quantity(Name.POSITION, row));
            quantities.add(new Quantity(Name.PAIR, pair));
            quantities.add(new Quantity(Name.ANGLE, angle));
            quantities.add(new Quantity(Name.COS, cos));
            quantities.add(new Quantity(Name.SIN, sin));
            double result;
            if (column % 2 == 0) {
                terms.add(new Term(2 * pair, even, cos, even * cos));
                terms.add(new Term(2 * pair + 1, odd, -sin, odd * -sin));
                result = even * cos - odd * sin;
            } else {
                terms.add(new Term(2 * pair, even, sin, even * sin));
                terms.add(new Term(2 * pair + 1, odd, cos, odd * cos));
                result = even * sin + odd * cos;
            }
            return done(Kind.ROTATION, result);
        }

        /** (q_row · k_column)/√D for a query head. */
        private CellExplanation scaledDot(int layer, int head) {
            HookKey[] queryAndKey = TensorValues.queryAndKey(config, layer, head);
            return scaledDot(new TensorRef.Hooked(queryAndKey[0]), new TensorRef.Hooked(queryAndKey[1]));
        }

        /** (query_row · key_column)/√D. */
        private CellExplanation scaledDot(TensorRef query, TensorRef key) {
            double[] q = rowOf(query, row);
            double[] k = rowOf(key, column);
            operands.add(query);
            operands.add(key);
            double dot = 0;
            for (int d = 0; d < q.length; d++) {
                terms.add(new Term(d, q[d], k[d], q[d] * k[d]));
                dot += q[d] * k[d];
            }
            double sqrtD = Math.sqrt(config.headDim());
            quantities.add(new Quantity(Name.SUM, dot));
            quantities.add(new Quantity(Name.SQRT_D, sqrtD));
            return done(Kind.SCALED_DOT, dot * (1.0 / sqrtD));
        }

        /** The attention weight of key {@code column} for query {@code row}, as {@link org.stepwise.tensor.Softmax} computes it. */
        private CellExplanation attentionSoftmax(int layer, int head) {
            return softmaxOfRow(TensorRef.hook(Hook.ATTN_SCORES, layer, head), !run.bidirectional());
        }

        /** Softmax of this row of {@code scores}; {@code causal}: only keys j ≤ row take part. */
        private CellExplanation softmaxOfRow(TensorRef scores, boolean causal) {
            operands.add(scores);
            if (causal && column > row) {
                return done(Kind.MASKED, 0.0);
            }
            double[] s = rowOf(scores, row);
            int lastKey = causal ? row : s.length - 1;
            double max = Double.NEGATIVE_INFINITY;
            for (double value : s) {
                max = Math.max(max, value);
            }
            double sum = 0;
            for (int j = 0; j <= lastKey; j++) {
                sum += Math.exp(s[j] - max);
            }
            double exp = Math.exp(s[column] - max);
            quantities.add(new Quantity(Name.SCORE, s[column]));
            quantities.add(new Quantity(Name.MAX, max));
            quantities.add(new Quantity(Name.EXP, exp));
            quantities.add(new Quantity(Name.EXP_SUM, sum));
            return done(Kind.SOFTMAX, exp * (1.0 / sum));
        }

        /** z[row, column] = Σ_{j ≤ row} pattern[row, j] · v[j, column]. */
        private CellExplanation weightedSum(int layer, int head) {
            return weightedSum(TensorRef.hook(Hook.PATTERN, layer, head),
                    TensorRef.hook(Hook.V, layer, TensorValues.kvHeadOf(config, head)), !run.bidirectional());
        }

        /** z[row, column] = Σ_j pattern[row, j] · v[j, column]; {@code causal}: over j ≤ row only. */
        private CellExplanation weightedSum(TensorRef pattern, TensorRef values, boolean causal) {
            double[] weights = rowOf(pattern, row);
            DMatrixRMaj v = TensorValues.of(values, run, parameters, config);              // [T, D] (cross: [S, D])
            operands.add(pattern);
            operands.add(values);
            int lastKey = causal ? row : v.numRows - 1;
            double sum = 0;
            for (int j = 0; j <= lastKey; j++) {
                double product = weights[j] * v.get(j, column);
                terms.add(new Term(j, weights[j], v.get(j, column), product));
                sum += product;
            }
            return done(Kind.DOT_PRODUCT, sum);
        }

        private CellExplanation activation(TensorRef input) {
            double x = valueOf(input, row, column);
            operands.add(input);
            quantities.add(new Quantity(Name.INPUT, x));
            return switch (config.activation()) {
                case RELU -> done(Kind.ACTIVATION_RELU, Activations.relu(x));
                case GELU_TANH -> {
                    double u = SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x);
                    quantities.add(new Quantity(Name.TANH_ARGUMENT, u));
                    quantities.add(new Quantity(Name.TANH, Math.tanh(u)));
                    yield done(Kind.ACTIVATION_GELU, Activations.geluTanh(x));
                }
                case GELU_ERF -> {
                    quantities.add(new Quantity(Name.NORMAL_CDF, 0.5 * Erf.erfc(-x / Math.sqrt(2.0))));
                    yield done(Kind.ACTIVATION_GELU, Activations.geluErf(x));
                }
            };
        }

        /** The experts a token is routed to, best first (ties to the lower index), as the model picks them. */
        private int[] chosenExperts(double[] logits) {
            int[] chosen = new int[config.topK()];
            for (int j = 0; j < chosen.length; j++) {
                int pick = -1;
                for (int e = 0; e < logits.length; e++) {
                    boolean taken = false;
                    for (int i = 0; i < j; i++) {
                        taken |= chosen[i] == e;
                    }
                    if (!taken && (pick < 0 || logits[e] > logits[pick])) {
                        pick = e;
                    }
                }
                chosen[j] = pick;
            }
            return chosen;
        }

        /** expert_indices[row, column] or expert_weights[row, column] of a mixture of experts. */
        private CellExplanation routing(int layer, boolean weight) {
            TensorRef router = TensorRef.hook(Hook.MOE_GATE, layer);
            double[] logits = rowOf(router, row);
            int[] chosen = chosenExperts(logits);
            operands.add(router);
            quantities.add(new Quantity(Name.RANK, column));
            quantities.add(new Quantity(Name.EXPERT, chosen[column]));
            quantities.add(new Quantity(Name.SCORE, logits[chosen[column]]));
            if (!weight) {
                return done(Kind.EXPERT_CHOICE, chosen[column]);
            }
            double best = logits[chosen[0]];
            double sum = 0;
            for (int expert : chosen) {
                sum += Math.exp(logits[expert] - best);
            }
            double exp = Math.exp(logits[chosen[column]] - best);
            quantities.add(new Quantity(Name.MAX, best));
            quantities.add(new Quantity(Name.EXP, exp));
            quantities.add(new Quantity(Name.EXP_SUM, sum));
            return done(Kind.SOFTMAX, exp / sum);
        }

        /** mlp_out[row, column] = Σⱼ gateⱼ · expert_{eⱼ}(x)[column], added in expert order as the model adds them. */
        private CellExplanation expertMix(int layer) {
            TensorRef input = ffnInput(layer);
            TensorRef router = TensorRef.hook(Hook.MOE_GATE, layer);
            TensorRef gates = TensorRef.hook(Hook.EXPERT_WEIGHTS, layer);
            double[] x = rowOf(input, row);
            int[] chosen = chosenExperts(rowOf(router, row));
            double[] gate = rowOf(gates, row);
            operands.add(input);
            operands.add(TensorRef.hook(Hook.EXPERT_INDICES, layer));
            operands.add(gates);
            double sum = 0;
            for (int expert = 0; expert < config.nExperts(); expert++) {
                for (int j = 0; j < chosen.length; j++) {
                    if (chosen[j] == expert) {
                        double output = expertOutput(layer, expert, x);
                        terms.add(new Term(expert, gate[j], output, gate[j] * output));
                        sum += gate[j] * output;
                    }
                }
            }
            return done(Kind.EXPERT_MIX, sum);
        }

        /** One expert's FFN on one token's row x (Not modified), at this column: act(x·W₁ + b₁)·W₂ + b₂. */
        private double expertOutput(int layer, int expert, double[] x) {
            String prefix = "h." + layer + ".mlp.experts." + expert + ".";
            DMatrixRMaj up = parameters.get(prefix + "c_fc.weight");                   // [C, F]
            DMatrixRMaj down = parameters.get(prefix + "c_proj.weight");               // [F, C]
            double out = 0;
            for (int f = 0; f < config.dFf(); f++) {
                double pre = 0;
                for (int c = 0; c < x.length; c++) {
                    pre += x[c] * up.get(c, f);
                }
                if (config.bias()) {
                    pre += parameters.get(prefix + "c_fc.bias").get(0, f);
                }
                double post = switch (config.activation()) {
                    case RELU -> Activations.relu(pre);
                    case GELU_TANH -> Activations.geluTanh(pre);
                    case GELU_ERF -> Activations.geluErf(pre);
                };
                out += post * down.get(f, column);
            }
            if (config.bias()) {
                out += parameters.get(prefix + "c_proj.bias").get(0, column);
            }
            return out;
        }

        /** A displayed next-token probability: softmax(logits/T) over the tokens top-k and top-p keep. */
        private CellExplanation probability(TensorRef.Probabilities probabilities) {
            TensorRef logitsRef = TensorRef.hook(Hook.LOGITS);
            double[] logits = rowOf(logitsRef, row);
            operands.add(logitsRef);
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int v = 0; v < logits.length; v++) {
                if (logits[v] > max) {
                    max = logits[v];
                    argmax = v;
                }
            }
            quantities.add(new Quantity(Name.SCORE, logits[column]));
            quantities.add(new Quantity(Name.MAX, max));
            if (probabilities.settings().isGreedy()) {
                quantities.add(new Quantity(Name.TOKEN_ID, argmax));
                return done(Kind.ARGMAX, column == argmax ? 1.0 : 0.0);
            }
            double temperature = probabilities.settings().temperature();
            quantities.add(new Quantity(Name.TEMPERATURE, temperature));
            double[] kept = new Sampler().probabilities(logits, probabilities.settings());
            if (kept[column] == 0.0) {
                return done(Kind.FILTERED_OUT, 0.0);
            }
            double sum = 0;
            for (int v = 0; v < logits.length; v++) {
                if (kept[v] > 0.0) {
                    sum += Math.exp((logits[v] - max) / temperature);
                }
            }
            double exp = Math.exp((logits[column] - max) / temperature);
            quantities.add(new Quantity(Name.EXP, exp));
            quantities.add(new Quantity(Name.EXP_SUM, sum));
            return done(Kind.SOFTMAX, exp / sum);
        }

        private double[] rowOf(TensorRef ref, int index) {
            return TensorValues.row(ref, index, run, parameters, config);
        }

        private double valueOf(TensorRef ref, int cellRow, int cellColumn) {
            return rowOf(ref, cellRow)[cellColumn];
        }

        private CellExplanation done(Kind kind, double result) {
            return new CellExplanation(kind, tensor, row, column, terms, quantities, operands, result);
        }
    }
}
