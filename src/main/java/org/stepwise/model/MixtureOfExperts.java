package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;

/**
 * A mixture of E feed-forward experts in place of the dense MLP. A linear router scores the experts
 * for each token (x·W_router + b_router, [N, E]); each token goes to its k best-scored experts (ties
 * go to the lower expert index), weighted by the softmax over those k scores:
 * out = Σⱼ gateⱼ · expert_{eⱼ}(x). Each expert runs once on the rows of the tokens routed to it.
 */
final class MixtureOfExperts implements Mlp {

    /** What the forward pass of a stack of sequences keeps for the backward pass. */
    static final class State implements Mlp.ForwardState {
        DMatrixRMaj input;                                    // [N, C] (a reference)
        final DMatrixRMaj routerLogits = new DMatrixRMaj(0, 0); // [N, E]
        final DMatrixRMaj chosen = new DMatrixRMaj(0, 0);     // [N, k] expert indices, best first (as doubles)
        final DMatrixRMaj gates = new DMatrixRMaj(0, 0);      // [N, k] softmax over the chosen logits
        final int[] tokenCount;                               // E: tokens routed to each expert
        final int[][] tokens;                                 // E × [T] which tokens, in order
        final int[][] slots;                                  // E × [T] for each, which of its k choices
        final DMatrixRMaj[] expertInput;                      // E × [n_e, C] the routed rows of the input
        final FeedForward.State[] expert;                     // E
        final DMatrixRMaj out = new DMatrixRMaj(0, 0);        // [N, C]

        State(int experts) {
            tokenCount = new int[experts];
            tokens = new int[experts][0];
            slots = new int[experts][0];
            expertInput = Attention.matrices(experts);
            expert = new FeedForward.State[experts];
            for (int e = 0; e < experts; e++) {
                expert[e] = new FeedForward.State();
            }
        }
    }

    /** Backward buffers. */
    static final class Buffers implements Mlp.BackwardBuffers {
        final FeedForward.Buffers expert = new FeedForward.Buffers();
        final DMatrixRMaj dRouterLogits = new DMatrixRMaj(0, 0); // [N, E]
        final DMatrixRMaj dGates = new DMatrixRMaj(0, 0);        // [N, k]
        final DMatrixRMaj dExpertOut = new DMatrixRMaj(0, 0);    // [n_e, C]
        final DMatrixRMaj dExpertIn = new DMatrixRMaj(0, 0);     // [n_e, C]
    }

    private final int layer;
    private final int expertCount; // E
    private final int topK;        // k
    private final int modelDim;    // C
    private final FeedForward[] experts;
    private final DMatrixRMaj routerWeight; // [C, E]
    private final DMatrixRMaj routerBias;   // [1, E] or null
    private final String routerWeightName;
    private final String routerBiasName;

    MixtureOfExperts(ModelConfig config, Parameters parameters, int layer) {
        this.layer = layer;
        this.expertCount = config.nExperts();
        this.topK = config.topK();
        this.modelDim = config.dModel();
        String prefix = "h." + layer + ".mlp.";
        routerWeightName = prefix + "router.weight";
        routerBiasName = config.bias() ? prefix + "router.bias" : null;
        routerWeight = parameters.get(routerWeightName);
        routerBias = config.bias() ? parameters.get(routerBiasName) : null;
        experts = new FeedForward[expertCount];
        for (int e = 0; e < expertCount; e++) {
            experts[e] = new FeedForward(config, parameters, prefix + "experts." + e, layer, false);
        }
    }

    @Override
    public State newActivations() {
        return new State(expertCount);
    }

    @Override
    public Buffers newScratch() {
        return new Buffers();
    }

    @Override
    public DMatrixRMaj forward(DMatrixRMaj x, Mlp.ForwardState activations, TraceSink sink) {
        State act = (State) activations;
        int tokenTotal = x.numRows;
        act.input = x;
        act.routerLogits.reshape(tokenTotal, expertCount);
        MatMul.mult(x, routerWeight, act.routerLogits);                // [N, C]·[C, E] → [N, E]
        if (routerBias != null) {
            Ops.addRowVector(act.routerLogits, routerBias);            // [N, E] + [1, E]
        }
        route(act, tokenTotal);
        Hooks.emit(sink, Hook.MOE_GATE, layer, act.routerLogits);
        Hooks.emit(sink, Hook.EXPERT_INDICES, layer, act.chosen);
        Hooks.emit(sink, Hook.EXPERT_WEIGHTS, layer, act.gates);

        act.out.reshape(tokenTotal, modelDim);
        act.out.zero();
        for (int e = 0; e < expertCount; e++) {
            int count = act.tokenCount[e];
            if (count == 0) {
                continue;
            }
            DMatrixRMaj routed = act.expertInput[e];
            routed.reshape(count, modelDim);
            for (int r = 0; r < count; r++) {
                Ops.copyRow(x, act.tokens[e][r], routed, r);           // [N, C] → row r of [n_e, C]
            }
            DMatrixRMaj expertOut = experts[e].forward(routed, act.expert[e], TraceSink.NONE); // [n_e, C] → [n_e, C]
            for (int r = 0; r < count; r++) {
                int token = act.tokens[e][r];
                double gate = act.gates.get(token, act.slots[e][r]);
                Ops.addRow(expertOut, r, gate, act.out, token);        // out[t] += gate · expert_e(x[t])
            }
        }
        return act.out;
    }

    /** Picks each token's k best experts (best first, ties to the lower index) and their softmax weights. */
    private void route(State act, int tokenTotal) {
        act.chosen.reshape(tokenTotal, topK);
        act.gates.reshape(tokenTotal, topK);
        for (int e = 0; e < expertCount; e++) {
            act.tokenCount[e] = 0;
            if (act.tokens[e].length < tokenTotal) {
                act.tokens[e] = new int[tokenTotal];
                act.slots[e] = new int[tokenTotal];
            }
        }
        double[] logits = act.routerLogits.data;
        for (int t = 0; t < tokenTotal; t++) {
            int row = t * expertCount;
            double best = 0;
            double sum = 0;
            for (int j = 0; j < topK; j++) {
                int pick = -1;
                for (int e = 0; e < expertCount; e++) {
                    if (!alreadyChosen(act.chosen, t, j, e) && (pick < 0 || logits[row + e] > logits[row + pick])) {
                        pick = e;
                    }
                }
                act.chosen.set(t, j, pick);
                if (j == 0) {
                    best = logits[row + pick];
                }
                double weight = Math.exp(logits[row + pick] - best);
                act.gates.set(t, j, weight);
                sum += weight;
                int n = act.tokenCount[pick]++;
                act.tokens[pick][n] = t;
                act.slots[pick][n] = j;
            }
            for (int j = 0; j < topK; j++) {
                act.gates.set(t, j, act.gates.get(t, j) / sum);
            }
        }
    }

    private static boolean alreadyChosen(DMatrixRMaj chosen, int token, int picked, int expert) {
        for (int j = 0; j < picked; j++) {
            if ((int) chosen.get(token, j) == expert) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void backward(DMatrixRMaj dOut, Mlp.ForwardState activations, Mlp.BackwardBuffers scratch, Parameters grads,
                         DMatrixRMaj dX) {
        State act = (State) activations;
        Buffers buffers = (Buffers) scratch;
        int tokenTotal = dOut.numRows;
        dX.reshape(tokenTotal, modelDim);
        dX.zero();
        buffers.dGates.reshape(tokenTotal, topK);
        for (int e = 0; e < expertCount; e++) {
            int count = act.tokenCount[e];
            if (count == 0) {
                continue;
            }
            DMatrixRMaj expertOut = act.expert[e].out;                     // [n_e, C]
            buffers.dExpertOut.reshape(count, modelDim);
            for (int r = 0; r < count; r++) {
                int token = act.tokens[e][r];
                int slot = act.slots[e][r];
                // out[t] += gate·expert_e(x[t]):
                //   ∂L/∂gate = ∂L/∂out[t] · expert_e(x[t]);  ∂L/∂expert_e(x[t]) = gate·∂L/∂out[t]
                buffers.dGates.set(token, slot, Ops.dotRows(dOut, token, expertOut, r));
                double gate = act.gates.get(token, slot);
                for (int c = 0; c < modelDim; c++) {
                    buffers.dExpertOut.data[r * modelDim + c] = gate * dOut.data[token * modelDim + c];
                }
            }
            // [n_e, C] → [n_e, C]
            experts[e].backward(buffers.dExpertOut, act.expert[e], buffers.expert, grads, buffers.dExpertIn);
            for (int r = 0; r < count; r++) {
                Ops.addRow(buffers.dExpertIn, r, 1.0, dX, act.tokens[e][r]);  // row r of [n_e, C] → dX[t]
            }
        }
        // gates = softmax of the chosen logits:
        //   ∂L/∂logitⱼ = gateⱼ(∂L/∂gateⱼ − Σᵢ gateᵢ ∂L/∂gateᵢ); logits not chosen get 0
        buffers.dRouterLogits.reshape(tokenTotal, expertCount);
        buffers.dRouterLogits.zero();
        for (int t = 0; t < tokenTotal; t++) {
            double weighted = 0;
            for (int j = 0; j < topK; j++) {
                weighted += act.gates.get(t, j) * buffers.dGates.get(t, j);
            }
            for (int j = 0; j < topK; j++) {
                int expert = (int) act.chosen.get(t, j);
                buffers.dRouterLogits.set(t, expert, act.gates.get(t, j) * (buffers.dGates.get(t, j) - weighted));
            }
        }
        // routerLogits = x·W_router + b_router
        MatMul.multAddTransA(act.input, buffers.dRouterLogits, grads.get(routerWeightName)); // [N, C]ᵀ·[N, E] → [C, E]
        if (routerBias != null) {
            Ops.addColumnSums(buffers.dRouterLogits, grads.get(routerBiasName));           // [N, E] → [1, E]
        }
        MatMul.multAddTransB(buffers.dRouterLogits, routerWeight, dX);                      // [N, E]·[C, E]ᵀ → [N, C]
    }
}
