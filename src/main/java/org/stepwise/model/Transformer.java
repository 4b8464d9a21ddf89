package org.stepwise.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.tensor.MatMul;
import org.stepwise.tensor.Ops;
import org.stepwise.tensor.RotaryEmbedding;
import org.stepwise.tensor.SinusoidalPositions;
import org.stepwise.tensor.Softmax;

/**
 * A decoder-only transformer language model for every variant of {@link ModelConfig}: its forward
 * pass with every intermediate named, its mean cross-entropy loss, and the gradient of that loss with
 * respect to every parameter, by a backward pass written out by hand.
 *
 * <p>One sequence is a [T, C] matrix. {@link #lossAndGradients} splits the batch into {@value #CHUNKS}
 * contiguous chunks (whatever the number of cores); the sequences of a chunk are stacked one under
 * another as the N = Σ T rows of one [N, C] matrix, so every position-wise layer (LayerNorm, the
 * projections, the MLP, the logits) runs once per chunk on all its rows, and only attention works
 * sequence by sequence on its own rows. The chunks run on
 * a small shared pool of daemon threads, each with its own workspace and gradient accumulator, and
 * adds the chunks' gradients in chunk order: the result is the same, bit for bit, on every run and
 * machine (small batches run their chunks on the calling thread, with the same arithmetic). Calls on
 * one model are serialised; the weights are read in place, so they must not change during a call.
 */
public final class Transformer {

    /** Number of chunks a batch is split into (fixed, so results do not depend on the machine). */
    public static final int CHUNKS = 4;
    /**
     * Below this many multiply-adds (roughly positions × parameters) a batch's chunks run one after
     * another on the calling thread: handing them to other threads would cost more than it saves.
     * Either way each chunk is computed alone and the chunks are added in order, so the numbers match.
     */
    private static final long INLINE_WORK = 2_000_000;

    private final ModelConfig config;
    private final Parameters parameters;
    private final String[] parameterNames;   // layout order
    private final ParameterLayout layout;
    private final DMatrixRMaj tokenEmbedding; // [V, C]
    private final DMatrixRMaj positionTable;  // [contextLength, C] learned or sinusoidal; null for RoPE / none
    private final boolean learnedPositions;
    private final Block[] blocks;
    private final NormLayer finalNorm;        // pre-LN only
    private final DMatrixRMaj outputWeight;   // [V, C] wte (tied) or lm_head
    private final String outputWeightName;
    private final long workPerPosition;       // multiply-adds per position, roughly

    private final Workspace[] workspaces = new Workspace[CHUNKS];
    private final Parameters[] chunkGradients = new Parameters[CHUNKS]; // [0] unused: chunk 0 adds into the caller's
    private final double[] chunkLoss = new double[CHUNKS];
    private final int[] chunkStart = new int[CHUNKS + 1];
    private final List<Callable<Void>> chunkTasks = new ArrayList<>(CHUNKS);
    private Parameters checkedGradients;     // the last gradient store whose layout was checked

    // the batch being processed, read by the chunk tasks
    private int[][] batchInputs;
    private int[][] batchTargets;
    private Parameters batchGradients;
    private double batchGradientScale;

    /**
     * @param config     the architecture
     * @param parameters weights with exactly {@link ParameterLayout#of}(config)'s names and shapes; used as
     *                   they are (not copied), so later changes to them (training) are seen by this model
     * @throws IllegalArgumentException when a parameter is missing, extra or misshapen
     */
    public Transformer(ModelConfig config, Parameters parameters) {
        if (config == null || parameters == null) {
            throw new IllegalArgumentException("config and parameters are required");
        }
        this.config = config;
        this.parameters = parameters;
        this.layout = ParameterLayout.of(config);
        layout.check(parameters);
        parameterNames = layout.specs().stream().map(ParameterLayout.Spec::name).toArray(String[]::new);

        tokenEmbedding = parameters.get(ParameterLayout.TOKEN_EMBEDDING);
        learnedPositions = config.positional() == ModelConfig.Positional.LEARNED;
        positionTable = switch (config.positional()) {
            case LEARNED -> parameters.get(ParameterLayout.POSITION_EMBEDDING);
            case SINUSOIDAL -> SinusoidalPositions.table(config.contextLength(), config.dModel());
            case ROPE, NONE -> null;
        };
        RotaryEmbedding rope = config.positional() == ModelConfig.Positional.ROPE
                ? new RotaryEmbedding(config.contextLength(), config.headDim(), config.ropeTheta())
                : null;
        blocks = new Block[config.nLayer()];
        for (int l = 0; l < blocks.length; l++) {
            blocks[l] = new Block(config, parameters, l, rope);
        }
        finalNorm = config.norm() == ModelConfig.Norm.PRE_LN
                ? new NormLayer(parameters, "ln_f", config.layerNormEps(),
                        Hook.LN_FINAL_SCALE, Hook.LN_FINAL_NORMALIZED, -1)
                : null;
        outputWeightName = config.tiedOutput() ? ParameterLayout.TOKEN_EMBEDDING : ParameterLayout.OUTPUT;
        outputWeight = parameters.get(outputWeightName);
        workPerPosition = parameters.count() + (long) config.nLayer() * config.contextLength() * config.dModel();
        for (int c = 0; c < CHUNKS; c++) {
            int chunk = c;
            chunkTasks.add(() -> {
                runChunk(chunk);
                return null;
            });
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Parameters parameters() {
        return parameters;
    }

    /**
     * Runs the model on one sequence.
     *
     * @param ids  token ids, 1 ≤ T ≤ contextLength, each in [0, V). Not modified.
     * @param sink receives every intermediate in the order it is computed (see {@link Trace}); use
     *             {@link TraceSink#NONE} for none
     * @return the logits [T, V], a new matrix
     * @throws IllegalArgumentException for an empty or too long sequence or an id outside the vocabulary
     */
    public synchronized DMatrixRMaj forward(int[] ids, TraceSink sink) {
        checkIds(ids, "ids", -1);
        if (sink == null) {
            throw new IllegalArgumentException("sink is required (TraceSink.NONE records nothing)");
        }
        Workspace ws = workspace(0);
        ws.stack.setSingle(ids);
        return forwardRows(ws, sink).copy();
    }

    /**
     * Mean cross-entropy over all positions of all sequences, and its gradient.
     *
     * @param inputs  sequences of token ids; lengths 1..contextLength, may differ. Not modified.
     * @param targets the id each position should predict; targets[i].length == inputs[i].length. Not modified.
     * @param grads   Modified: overwritten with ∂(mean loss)/∂θ; same layout as the parameters (e.g.
     *                {@code parameters().zerosLike()}), and not the parameters themselves
     * @return the mean loss
     * @throws IllegalArgumentException for an empty batch, mismatched lengths, bad ids or a wrong layout
     */
    public synchronized double lossAndGradients(int[][] inputs, int[][] targets, Parameters grads) {
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
        return run(inputs, targets, grads);
    }

    /** The same mean cross-entropy as {@link #lossAndGradients}, without gradients. Arguments: Not modified. */
    public synchronized double loss(int[][] inputs, int[][] targets) {
        return run(inputs, targets, null);
    }

    // ---------------------------------------------------------------------------------------------
    // a stack of sequences

    /** Forward pass of the stack of sequences ws.stack in ws; returns ws.logits [N, V]. */
    private DMatrixRMaj forwardRows(Workspace ws, TraceSink sink) {
        StackedRows stack = ws.stack;
        int rows = stack.rows();
        int width = config.dModel();
        ws.embed.reshape(rows, width);
        for (int r = 0; r < rows; r++) {
            Ops.copyRow(tokenEmbedding, stack.id(r), ws.embed, r);             // row id of [V, C] → row r of [N, C]
        }
        Hooks.emit(sink, Hook.EMBED, -1, ws.embed);
        DMatrixRMaj x = ws.embed;
        if (positionTable != null) {
            ws.positions.reshape(rows, width);
            for (int i = 0; i < stack.count(); i++) {
                // rows [0, T) of [ctx, C] → the sequence's rows of [N, C]
                System.arraycopy(positionTable.data, 0, ws.positions.data, stack.start(i) * width,
                        stack.length(i) * width);
            }
            Hooks.emit(sink, Hook.POS_EMBED, -1, ws.positions);
            x = Ops.add(ws.embed, ws.positions, ws.embedded);                  // [N, C] + [N, C]
        }
        for (int l = 0; l < blocks.length; l++) {
            x = blocks[l].forward(x, stack, ws.blocks[l], sink);              // [N, C] → [N, C]
        }
        if (finalNorm != null) {
            x = finalNorm.forward(x, ws.finalNorm, sink);                      // [N, C] → [N, C]
        }
        ws.finalOut = x;
        ws.logits.reshape(rows, config.vocabSize());
        MatMul.multTransB(x, outputWeight, ws.logits);                         // [N, C]·[V, C]ᵀ → [N, V]
        Hooks.emit(sink, Hook.LOGITS, -1, ws.logits);
        return ws.logits;
    }

    /**
     * Σ over the rows of one sequence of the stack of −log softmax(logits)[target] for the logits in ws.
     * When {@code gradients}, also writes those rows of ws.dLogits = gradientScale · (softmax(logits) −
     * onehot(target)) (ws.dLogits must already be [N, V]).
     */
    private double crossEntropy(Workspace ws, int sequence, boolean gradients, double gradientScale) {
        DMatrixRMaj logits = ws.logits;
        StackedRows stack = ws.stack;
        int vocab = logits.numCols;
        int first = stack.start(sequence);
        int end = first + stack.length(sequence);
        double sum = 0;
        double[] dLogits = ws.dLogits.data;
        for (int r = first; r < end; r++) {
            int row = r * vocab;
            int target = stack.target(r);
            if (!gradients) {
                sum += Softmax.logSumExp(logits, r) - logits.data[row + target];    // row r of [N, V]
                continue;
            }
            // softmax(row) = e^(logit − max) / Σ e^(logit − max), each exponential computed once
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

    /** Backward pass of the stack in ws from ws.dLogits; adds every parameter's gradient to grads. */
    private void backwardRows(Workspace ws, Parameters grads) {
        StackedRows stack = ws.stack;
        int rows = stack.rows();
        int width = config.dModel();
        // logits = x·Wᵀ
        MatMul.multAddTransA(ws.dLogits, ws.finalOut, grads.get(outputWeightName)); // [N, V]ᵀ·[N, C] → [V, C]
        DMatrixRMaj dX = ws.dResidual;
        dX.reshape(rows, width);
        if (finalNorm != null) {
            ws.dFinalOut.reshape(rows, width);
            MatMul.mult(ws.dLogits, outputWeight, ws.dFinalOut);              // [N, V]·[V, C] → [N, C]
            finalNorm.backward(ws.dFinalOut, ws.finalNorm, grads, dX);
        } else {
            MatMul.mult(ws.dLogits, outputWeight, dX);                         // [N, V]·[V, C] → [N, C]
        }
        for (int l = blocks.length - 1; l >= 0; l--) {
            blocks[l].backward(dX, stack, ws.blocks[l], ws.blockScratch, grads); // [N, C] → [N, C]
        }
        // x₀ = wte[ids] + positions
        DMatrixRMaj dTokenEmbedding = grads.get(ParameterLayout.TOKEN_EMBEDDING);
        for (int r = 0; r < rows; r++) {
            Ops.addRow(dX, r, 1.0, dTokenEmbedding, stack.id(r));              // row r of [N, C] → row id of [V, C]
        }
        if (learnedPositions) {
            DMatrixRMaj dPositions = grads.get(ParameterLayout.POSITION_EMBEDDING);
            for (int i = 0; i < stack.count(); i++) {
                for (int t = 0; t < stack.length(i); t++) {
                    Ops.addRow(dX, stack.start(i) + t, 1.0, dPositions, t);   // a row of [N, C] → row t of [ctx, C]
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // a batch, in chunks

    private double run(int[][] inputs, int[][] targets, Parameters grads) {
        long positions = checkBatch(inputs, targets);
        int used = splitIntoChunks(inputs.length);
        batchInputs = inputs;
        batchTargets = targets;
        batchGradients = grads;
        batchGradientScale = 1.0 / positions;
        for (int c = 0; c < used; c++) {
            workspace(c);
            if (grads != null && c > 0 && chunkGradients[c] == null) {
                chunkGradients[c] = parameters.zerosLike();
            }
        }
        if (grads != null) {
            for (String name : parameterNames) {
                grads.get(name).zero();
            }
        }
        try {
            if (used == 1 || positions * workPerPosition < INLINE_WORK) {
                for (int c = 0; c < used; c++) {
                    runChunk(c);
                }
            } else {
                runOnWorkers(used);
            }
        } finally {
            batchInputs = null;
            batchTargets = null;
            batchGradients = null;
        }
        double total = 0;
        for (int c = 0; c < used; c++) {
            total += chunkLoss[c];
        }
        if (grads != null) {
            for (int c = 1; c < used; c++) {
                for (String name : parameterNames) {
                    Ops.addInPlace(grads.get(name), chunkGradients[c].get(name)); // same shape as the parameter
                }
            }
        }
        return total / positions;
    }

    /** Contiguous chunks of nearly equal size; returns how many are non-empty (the first ones). */
    private int splitIntoChunks(int sequences) {
        int base = sequences / CHUNKS;
        int extra = sequences % CHUNKS;
        chunkStart[0] = 0;
        for (int c = 0; c < CHUNKS; c++) {
            chunkStart[c + 1] = chunkStart[c] + base + (c < extra ? 1 : 0);
        }
        return Math.min(sequences, CHUNKS);
    }

    private void runChunk(int chunk) {
        Workspace ws = workspaces[chunk];
        Parameters accumulator = null;
        if (batchGradients != null) {
            accumulator = chunk == 0 ? batchGradients : chunkGradients[chunk];
            if (chunk > 0) {
                for (String name : parameterNames) {
                    accumulator.get(name).zero();
                }
            }
        }
        ws.stack.set(batchInputs, batchTargets, chunkStart[chunk], chunkStart[chunk + 1]);
        forwardRows(ws, TraceSink.NONE);
        if (accumulator != null) {
            ws.dLogits.reshape(ws.logits.numRows, ws.logits.numCols);
        }
        double sum = 0;
        for (int i = 0; i < ws.stack.count(); i++) {
            sum += crossEntropy(ws, i, accumulator != null, batchGradientScale);
        }
        if (accumulator != null) {
            backwardRows(ws, accumulator);
        }
        chunkLoss[chunk] = sum;
    }

    private void runOnWorkers(int used) {
        List<Future<Void>> futures;
        try {
            futures = Workers.POOL.invokeAll(chunkTasks.subList(0, used));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while the model was running a batch");
        }
        for (Future<Void> future : futures) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while the model was running a batch");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    private Workspace workspace(int chunk) {
        if (workspaces[chunk] == null) {
            workspaces[chunk] = new Workspace(blocks);
        }
        return workspaces[chunk];
    }

    /** The shared worker threads: daemons, so they never keep the application alive. */
    private static final class Workers {
        private static final AtomicInteger COUNT = new AtomicInteger();
        static final ExecutorService POOL = Executors.newFixedThreadPool(
                Math.min(CHUNKS, Runtime.getRuntime().availableProcessors()),
                task -> {
                    Thread thread = new Thread(task, "stepwise-model-" + COUNT.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    // ---------------------------------------------------------------------------------------------
    // checks

    /** Checks a batch; returns its number of positions. */
    private long checkBatch(int[][] inputs, int[][] targets) {
        if (inputs == null || targets == null) {
            throw new IllegalArgumentException("inputs and targets are required");
        }
        if (inputs.length == 0) {
            throw new IllegalArgumentException("the batch is empty");
        }
        if (inputs.length != targets.length) {
            throw new IllegalArgumentException(
                    inputs.length + " input sequences but " + targets.length + " target sequences");
        }
        long positions = 0;
        for (int i = 0; i < inputs.length; i++) {
            checkIds(inputs[i], "inputs", i);
            checkIds(targets[i], "targets", i);
            if (inputs[i].length != targets[i].length) {
                throw new IllegalArgumentException("inputs[" + i + "] has length " + inputs[i].length + " but targets["
                        + i + "] has length " + targets[i].length);
            }
            positions += inputs[i].length;
        }
        return positions;
    }

    /** @param index the sequence's index in its batch, or −1 for a lone sequence */
    private void checkIds(int[] ids, String name, int index) {
        if (ids == null) {
            throw new IllegalArgumentException(label(name, index) + " is null");
        }
        if (ids.length < 1 || ids.length > config.contextLength()) {
            throw new IllegalArgumentException(label(name, index) + " has length " + ids.length
                    + "; a sequence needs length 1 to contextLength = " + config.contextLength());
        }
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= config.vocabSize()) {
                throw new IllegalArgumentException(label(name, index) + "[" + t + "] = " + ids[t]
                        + " is not a token id (vocabulary size " + config.vocabSize() + ")");
            }
        }
    }

    private static String label(String name, int index) {
        return index < 0 ? name : name + "[" + index + "]";
    }
}
