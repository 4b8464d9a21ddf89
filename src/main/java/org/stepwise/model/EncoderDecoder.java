package org.stepwise.model;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;
import org.stepwise.tensor.SinusoidalPositions;
import org.stepwise.tensor.Softmax;

/**
 * An encoder-decoder transformer (the original transformer) for every variant of {@link EncoderDecoderConfig}:
 * the encoder reads a source sentence with self-attention that sees the whole sentence; the decoder reads the
 * target so far with causal self-attention and, in every block, cross-attention to the encoder's output; its
 * forward pass with every intermediate named, the mean cross-entropy of the next target token, and the gradient
 * of that loss with respect to every parameter, by a backward pass written out by hand.
 *
 * <p>The sources of a batch are stacked as the M = Σ S rows of one [M, C] matrix and the targets as the
 * N = Σ T rows of one [N, C] matrix; target sequence i attends to the rows of source sequence i. The encoder's
 * output (after its final LayerNorm under pre-LN) is the memory every cross-attention reads its keys and values
 * from, so its gradient is the sum over the decoder blocks. RoPE, when chosen, rotates q and k of both
 * self-attentions but never of cross-attention. Calls on one model are serialised; the weights are read in
 * place, so they must not change during a call.
 *
 * <p>Trace order: the encoder's hooks with {@code encoder.} in front (hook_embed, hook_pos_embed, its blocks'
 * hooks as in {@link Trace}, ln_final.* under pre-LN), then the decoder's: hook_embed, hook_pos_embed, for each
 * block hook_resid_pre, ln1.*, attn.*, hook_attn_out, hook_resid_mid, then ln_cross.hook_scale and
 * ln_cross.hook_normalized, cross_attn.hook_q[h], hook_k[g], hook_v[g], hook_attn_scores[h], hook_pattern[h],
 * hook_z[h], hook_cross_attn_out, hook_resid_cross (under post-LN ln_cross.* follows hook_cross_attn_out and
 * equals hook_resid_cross), then ln2.*, mlp.*, hook_mlp_out, hook_resid_post; finally ln_final.* (pre-LN) and
 * unembed.hook_out.
 */
public final class EncoderDecoder {

    /** Every matrix the forward and backward pass write, kept between calls so a warm step allocates nothing. */
    private static final class Work {
        final StackedRows sources = new StackedRows();           // M rows
        final StackedRows targets = new StackedRows();           // N rows
        final DMatrixRMaj sourceEmbed = new DMatrixRMaj(0, 0);     // [M, C]
        final DMatrixRMaj sourcePositions = new DMatrixRMaj(0, 0); // [M, C]
        final DMatrixRMaj sourceEmbedded = new DMatrixRMaj(0, 0);  // [M, C]
        final Block.Activations[] encoderBlocks;
        final NormLayer.Activations encoderFinalNorm = new NormLayer.Activations();
        DMatrixRMaj memory;                                        // [M, C] the encoder's output (a reference)
        final DMatrixRMaj targetEmbed = new DMatrixRMaj(0, 0);     // [N, C]
        final DMatrixRMaj targetPositions = new DMatrixRMaj(0, 0); // [N, C]
        final DMatrixRMaj targetEmbedded = new DMatrixRMaj(0, 0);  // [N, C]
        final Block.Activations[] decoderBlocks;
        final NormLayer.Activations finalNorm = new NormLayer.Activations();
        DMatrixRMaj finalOut;                                      // [N, C] the input of the output layer (a reference)
        final DMatrixRMaj logits = new DMatrixRMaj(0, 0);          // [N, V]

        final DMatrixRMaj dLogits = new DMatrixRMaj(0, 0);         // [N, V]
        final DMatrixRMaj dFinalOut = new DMatrixRMaj(0, 0);       // [N, C]
        final DMatrixRMaj dResidual = new DMatrixRMaj(0, 0);       // [N, C] ∂L/∂(decoder residual stream)
        final DMatrixRMaj dMemory = new DMatrixRMaj(0, 0);         // [M, C] ∂L/∂memory, summed over decoder blocks
        final DMatrixRMaj dEncoderResidual = new DMatrixRMaj(0, 0); // [M, C] ∂L/∂(encoder residual stream)
        final Block.Scratch scratch;

        Work(Block[] encoder, Block[] decoder) {
            encoderBlocks = new Block.Activations[encoder.length];
            for (int l = 0; l < encoder.length; l++) {
                encoderBlocks[l] = encoder[l].newActivations();
            }
            decoderBlocks = new Block.Activations[decoder.length];
            for (int l = 0; l < decoder.length; l++) {
                decoderBlocks[l] = decoder[l].newActivations();
            }
            scratch = decoder[0].newScratch();
        }
    }

    /** Hands the encoder's intermediates on under their {@code encoder.} names. */
    private record EncoderSide(TraceSink sink) implements TraceSink {
        @Override
        public boolean enabled() {
            return sink.enabled();
        }

        @Override
        public void accept(HookKey key, DMatrixRMaj value) {
            sink.accept(key.inEncoder(), value);
        }
    }

    private final EncoderDecoderConfig config;
    private final ModelConfig shared;
    private final Parameters parameters;
    private final ParameterLayout layout;
    private final String[] parameterNames;
    private final DMatrixRMaj sourceEmbedding;  // [U, C]
    private final DMatrixRMaj targetEmbedding;  // [V, C]
    private final DMatrixRMaj sourcePositionTable; // [contextLength, C] learned or sinusoidal; null for RoPE / none
    private final DMatrixRMaj targetPositionTable; // [contextLength, C] learned or sinusoidal; null for RoPE / none
    private final boolean learnedPositions;
    private final Block[] encoderBlocks;
    private final NormLayer encoderFinalNorm;   // pre-LN only
    private final Block[] decoderBlocks;
    private final NormLayer finalNorm;          // pre-LN only
    private final DMatrixRMaj outputWeight;     // [V, C] wte (tied) or lm_head
    private final String outputWeightName;
    private final Work work;
    private Parameters checkedGradients;        // the last gradient store whose layout was checked

    /**
     * @param config     the architecture
     * @param parameters weights with exactly {@link ParameterLayout#of(EncoderDecoderConfig)}'s names and shapes;
     *                   used as they are (not copied), so later changes to them (training) are seen by this model
     * @throws IllegalArgumentException when a parameter is missing, extra or misshapen
     */
    public EncoderDecoder(EncoderDecoderConfig config, Parameters parameters) {
        if (config == null || parameters == null) {
            throw new IllegalArgumentException("config and parameters are required");
        }
        this.config = config;
        this.shared = config.shared();
        this.parameters = parameters;
        this.layout = ParameterLayout.of(config);
        layout.check(parameters);
        parameterNames = layout.specs().stream().map(ParameterLayout.Spec::name).toArray(String[]::new);

        sourceEmbedding = parameters.get(ParameterLayout.ENCODER_TOKEN_EMBEDDING);
        targetEmbedding = parameters.get(ParameterLayout.TOKEN_EMBEDDING);
        learnedPositions = shared.positional() == ModelConfig.Positional.LEARNED;
        DMatrixRMaj sinusoids = shared.positional() == ModelConfig.Positional.SINUSOIDAL
                ? SinusoidalPositions.table(shared.contextLength(), shared.dModel())
                : null;
        sourcePositionTable = learnedPositions ? parameters.get(ParameterLayout.ENCODER_POSITION_EMBEDDING) : sinusoids;
        targetPositionTable = learnedPositions ? parameters.get(ParameterLayout.POSITION_EMBEDDING) : sinusoids;
        RotaryEmbedding rope = shared.positional() == ModelConfig.Positional.ROPE
                ? new RotaryEmbedding(shared.contextLength(), shared.headDim(), shared.ropeTheta())
                : null;
        boolean preLn = shared.norm() == ModelConfig.Norm.PRE_LN;
        encoderBlocks = new Block[config.nEncoderLayer()];
        for (int l = 0; l < encoderBlocks.length; l++) {
            encoderBlocks[l] = new Block(shared, parameters, ParameterLayout.ENCODER_PREFIX + "h." + l + ".", l, rope,
                    Attention.Kind.BIDIRECTIONAL, false);
        }
        encoderFinalNorm = preLn
                ? new NormLayer(parameters, ParameterLayout.ENCODER_PREFIX + "ln_f", shared.layerNormEps(),
                        Hook.LN_FINAL_SCALE, Hook.LN_FINAL_NORMALIZED, -1)
                : null;
        decoderBlocks = new Block[config.nDecoderLayer()];
        for (int l = 0; l < decoderBlocks.length; l++) {
            decoderBlocks[l] = new Block(shared, parameters, "h." + l + ".", l, rope, Attention.Kind.CAUSAL, true);
        }
        finalNorm = preLn
                ? new NormLayer(parameters, "ln_f", shared.layerNormEps(), Hook.LN_FINAL_SCALE,
                        Hook.LN_FINAL_NORMALIZED, -1)
                : null;
        outputWeightName = shared.tiedOutput() ? ParameterLayout.TOKEN_EMBEDDING : ParameterLayout.OUTPUT;
        outputWeight = parameters.get(outputWeightName);
        work = new Work(encoderBlocks, decoderBlocks);
    }

    public EncoderDecoderConfig config() {
        return config;
    }

    public Parameters parameters() {
        return parameters;
    }

    /**
     * Runs the model on one source sentence and the target tokens so far.
     *
     * @param source source token ids, 1 ≤ S ≤ contextLength, each in [0, U). Not modified.
     * @param target target token ids (usually beginning-of-sentence then the tokens so far), 1 ≤ T ≤ contextLength,
     *               each in [0, V). Not modified.
     * @param sink   receives every intermediate in the order it is computed; {@link TraceSink#NONE} for none
     * @return the logits [T, V], a new matrix: row t scores the token that follows target[0..t]
     * @throws IllegalArgumentException for an empty or too long sequence or an id outside its vocabulary
     */
    public synchronized DMatrixRMaj forward(int[] source, int[] target, TraceSink sink) {
        checkIds(source, "source", -1, config.sourceVocabSize());
        checkIds(target, "target", -1, shared.vocabSize());
        if (sink == null) {
            throw new IllegalArgumentException("sink is required (TraceSink.NONE records nothing)");
        }
        work.sources.setSingle(source);
        work.targets.setSingle(target);
        return forwardRows(sink).copy();
    }

    /**
     * Mean cross-entropy over all target positions of all pairs (teacher forcing), and its gradient.
     *
     * @param sources       source sentences; lengths 1..contextLength. Not modified.
     * @param targetInputs  the decoder's input for each pair (beginning-of-sentence, then the target); lengths
     *                      1..contextLength. Not modified.
     * @param targetOutputs the id each decoder position should predict (the target, then end-of-sentence);
     *                      targetOutputs[i].length == targetInputs[i].length. Not modified.
     * @param grads         Modified: overwritten with ∂(mean loss)/∂θ; same layout as the parameters (e.g.
     *                      {@code parameters().zerosLike()}), and not the parameters themselves
     * @return the mean loss
     * @throws IllegalArgumentException for an empty batch, mismatched lengths, bad ids or a wrong layout
     */
    public synchronized double lossAndGradients(int[][] sources, int[][] targetInputs, int[][] targetOutputs,
                                                Parameters grads) {
        if (grads == null) {
            throw new IllegalArgumentException("grads is required");
        }
        if (grads == parameters) {
            throw new IllegalArgumentException("grads must be a separate store, not the model's parameters");
        }
        if (grads != checkedGradients) {
            layout.check(grads);
            checkedGradients = grads;
        }
        return run(sources, targetInputs, targetOutputs, grads);
    }

    /** The same mean cross-entropy as {@link #lossAndGradients}, without gradients. Arguments: Not modified. */
    public synchronized double loss(int[][] sources, int[][] targetInputs, int[][] targetOutputs) {
        return run(sources, targetInputs, targetOutputs, null);
    }

    // ---------------------------------------------------------------------------------------------
    // forward and backward of the stacks in work

    private double run(int[][] sources, int[][] targetInputs, int[][] targetOutputs, Parameters grads) {
        long positions = checkBatch(sources, targetInputs, targetOutputs);
        work.sources.set(sources, null, 0, sources.length);
        work.targets.set(targetInputs, targetOutputs, 0, targetInputs.length);
        forwardRows(TraceSink.NONE);
        boolean gradients = grads != null;
        if (gradients) {
            work.dLogits.reshape(work.logits.numRows, work.logits.numCols);
        }
        double sum = crossEntropy(gradients, 1.0 / positions);
        if (gradients) {
            for (String name : parameterNames) {
                grads.get(name).zero();
            }
            backwardRows(grads);
        }
        return sum / positions;
    }

    /** Forward pass of work.sources and work.targets; returns work.logits [N, V]. */
    private DMatrixRMaj forwardRows(TraceSink sink) {
        TraceSink encoderSink = sink.enabled() ? new EncoderSide(sink) : TraceSink.NONE;
        // encoder
        DMatrixRMaj x = embed(work.sources, sourceEmbedding, sourcePositionTable, work.sourceEmbed,
                work.sourcePositions, work.sourceEmbedded, encoderSink);                // [M, C]
        for (int l = 0; l < encoderBlocks.length; l++) {
            x = encoderBlocks[l].forward(x, work.sources, work.encoderBlocks[l], encoderSink); // [M, C] → [M, C]
        }
        if (encoderFinalNorm != null) {
            x = encoderFinalNorm.forward(x, work.encoderFinalNorm, encoderSink);      // [M, C] → [M, C]
        }
        work.memory = x;
        // decoder
        DMatrixRMaj y = embed(work.targets, targetEmbedding, targetPositionTable, work.targetEmbed,
                work.targetPositions, work.targetEmbedded, sink);                       // [N, C]
        for (int l = 0; l < decoderBlocks.length; l++) {
            y = decoderBlocks[l].forward(y, work.targets, work.memory, work.sources, work.decoderBlocks[l],
                    sink);                                                               // [N, C] → [N, C]
        }
        if (finalNorm != null) {
            y = finalNorm.forward(y, work.finalNorm, sink);                             // [N, C] → [N, C]
        }
        work.finalOut = y;
        work.logits.reshape(y.numRows, shared.vocabSize());
        MatMul.multTransB(y, outputWeight, work.logits);                                // [N, C]·[V, C]ᵀ → [N, V]
        Hooks.emit(sink, Hook.LOGITS, -1, work.logits);
        return work.logits;
    }

    /** Token rows of the embedding plus the position rows; returns embed (no positions) or embedded [R, C]. */
    private DMatrixRMaj embed(StackedRows stack, DMatrixRMaj embedding, DMatrixRMaj positionTable, DMatrixRMaj embed,
                              DMatrixRMaj positions, DMatrixRMaj embedded, TraceSink sink) {
        int rows = stack.rows();
        int width = shared.dModel();
        embed.reshape(rows, width);
        for (int r = 0; r < rows; r++) {
            Ops.copyRow(embedding, stack.id(r), embed, r);                     // row id of [vocab, C] → row r of [R, C]
        }
        Hooks.emit(sink, Hook.EMBED, -1, embed);
        if (positionTable == null) {
            return embed;
        }
        positions.reshape(rows, width);
        for (int i = 0; i < stack.count(); i++) {
            // rows [0, length) of [ctx, C] → the sequence's rows of [R, C]
            System.arraycopy(positionTable.data, 0, positions.data, stack.start(i) * width, stack.length(i) * width);
        }
        Hooks.emit(sink, Hook.POS_EMBED, -1, positions);
        return Ops.add(embed, positions, embedded);                            // [R, C] + [R, C]
    }

    /**
     * Σ over all target rows of −log softmax(logits)[target]; when {@code gradients}, also writes
     * work.dLogits = gradientScale · (softmax(logits) − onehot(target)).
     */
    private double crossEntropy(boolean gradients, double gradientScale) {
        DMatrixRMaj logits = work.logits;
        int vocab = logits.numCols;
        double sum = 0;
        double[] dLogits = work.dLogits.data;
        for (int r = 0; r < logits.numRows; r++) {
            int row = r * vocab;
            int target = work.targets.target(r);
            if (!gradients) {
                sum += Softmax.logSumExp(logits, r) - logits.data[row + target];     // row r of [N, V]
                continue;
            }
            double max = Softmax.rowMax(logits, r);
            double exponentials = 0;
            for (int v = 0; v < vocab; v++) {
                double e = Math.exp(logits.data[row + v] - max);
                dLogits[row + v] = e;
                exponentials += e;
            }
            sum += max + Math.log(exponentials) - logits.data[row + target];
            double factor = gradientScale / exponentials;
            for (int v = 0; v < vocab; v++) {
                dLogits[row + v] *= factor;
            }
            dLogits[row + target] -= gradientScale;
        }
        return sum;
    }

    /** Backward pass from work.dLogits; adds every parameter's gradient to grads. */
    private void backwardRows(Parameters grads) {
        StackedRows targets = work.targets;
        StackedRows sources = work.sources;
        int width = shared.dModel();
        // logits = y·Wᵀ
        MatMul.multAddTransA(work.dLogits, work.finalOut, grads.get(outputWeightName)); // [N, V]ᵀ·[N, C] → [V, C]
        DMatrixRMaj dY = work.dResidual;
        dY.reshape(targets.rows(), width);
        if (finalNorm != null) {
            work.dFinalOut.reshape(targets.rows(), width);
            MatMul.mult(work.dLogits, outputWeight, work.dFinalOut);            // [N, V]·[V, C] → [N, C]
            finalNorm.backward(work.dFinalOut, work.finalNorm, grads, dY);
        } else {
            MatMul.mult(work.dLogits, outputWeight, dY);                        // [N, V]·[V, C] → [N, C]
        }
        work.dMemory.reshape(sources.rows(), width);
        work.dMemory.zero();
        for (int l = decoderBlocks.length - 1; l >= 0; l--) {
            decoderBlocks[l].backward(dY, targets, sources, work.decoderBlocks[l], work.scratch, grads,
                    work.dMemory);                                              // [N, C] → [N, C], adds to [M, C]
        }
        embeddingBackward(dY, targets, ParameterLayout.TOKEN_EMBEDDING, ParameterLayout.POSITION_EMBEDDING, grads);
        // memory = ln_f(x) under pre-LN, x itself under post-LN
        DMatrixRMaj dX = work.dEncoderResidual;
        dX.reshape(sources.rows(), width);
        if (encoderFinalNorm != null) {
            encoderFinalNorm.backward(work.dMemory, work.encoderFinalNorm, grads, dX);
        } else {
            dX.setTo(work.dMemory);                                             // [M, C] → [M, C]
        }
        for (int l = encoderBlocks.length - 1; l >= 0; l--) {
            encoderBlocks[l].backward(dX, sources, work.encoderBlocks[l], work.scratch, grads); // [M, C] → [M, C]
        }
        embeddingBackward(dX, sources, ParameterLayout.ENCODER_TOKEN_EMBEDDING,
                ParameterLayout.ENCODER_POSITION_EMBEDDING, grads);
    }

    /** x₀ = embedding[ids] + positions: adds the rows of dX [R, C] (Not modified) to the tables' gradients. */
    private void embeddingBackward(DMatrixRMaj dX, StackedRows stack, String embeddingName, String positionName,
                                   Parameters grads) {
        DMatrixRMaj dEmbedding = grads.get(embeddingName);
        for (int r = 0; r < stack.rows(); r++) {
            Ops.addRow(dX, r, 1.0, dEmbedding, stack.id(r));                   // row r of [R, C] → row id of [vocab, C]
        }
        if (learnedPositions) {
            DMatrixRMaj dPositions = grads.get(positionName);
            for (int i = 0; i < stack.count(); i++) {
                for (int t = 0; t < stack.length(i); t++) {
                    Ops.addRow(dX, stack.start(i) + t, 1.0, dPositions, t);    // a row of [R, C] → row t of [ctx, C]
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // checks

    /** Checks a batch; returns its number of target positions. */
    private long checkBatch(int[][] sources, int[][] targetInputs, int[][] targetOutputs) {
        if (sources == null || targetInputs == null || targetOutputs == null) {
            throw new IllegalArgumentException("sources, target inputs and target outputs are required");
        }
        if (sources.length == 0) {
            throw new IllegalArgumentException("the batch is empty");
        }
        if (sources.length != targetInputs.length || sources.length != targetOutputs.length) {
            throw new IllegalArgumentException(sources.length + " sources but " + targetInputs.length
                    + " target inputs and " + targetOutputs.length + " target outputs");
        }
        long positions = 0;
        for (int i = 0; i < sources.length; i++) {
            checkIds(sources[i], "sources", i, config.sourceVocabSize());
            checkIds(targetInputs[i], "targetInputs", i, shared.vocabSize());
            checkIds(targetOutputs[i], "targetOutputs", i, shared.vocabSize());
            if (targetInputs[i].length != targetOutputs[i].length) {
                throw new IllegalArgumentException("targetInputs[" + i + "] has length " + targetInputs[i].length
                        + " but targetOutputs[" + i + "] has length " + targetOutputs[i].length);
            }
            positions += targetInputs[i].length;
        }
        return positions;
    }

    /** @param index the sequence's index in its batch, or −1 for a lone sequence */
    private void checkIds(int[] ids, String name, int index, int vocabulary) {
        String label = index < 0 ? name : name + "[" + index + "]";
        if (ids == null) {
            throw new IllegalArgumentException(label + " is null");
        }
        if (ids.length < 1 || ids.length > shared.contextLength()) {
            throw new IllegalArgumentException(label + " has length " + ids.length
                    + "; a sequence needs length 1 to contextLength = " + shared.contextLength());
        }
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= vocabulary) {
                throw new IllegalArgumentException(label + "[" + t + "] = " + ids[t]
                        + " is not a token id (vocabulary size " + vocabulary + ")");
            }
        }
    }
}
