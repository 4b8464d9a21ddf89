package org.stepwise.bench;

import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.stepwise.tensor.MatMul;

/**
 * JMH benchmark of {@link MatMul} against EJML's CommonOps_DDRM on the per-sequence products of
 * the training step (T = 64, C = 64, F = 256, V = 256, head size 16).
 *
 * <p>Run through JMH's own launcher ({@code org.openjdk.jmh.Main MatMulBenchmark ...}) for µs per
 * product, or through {@link #main} with the same options to also get a table of GFLOP/s
 * (2·m·k·n flops per product) and the speed-up over EJML:
 * <pre>
 * mvn -q -o test-compile
 * mvn -q -o dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -Djmh.ignoreLock=true -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     org.stepwise.bench.MatMulBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1
 * </pre>
 * {@code -p shape=QKV,LOGITS} limits the run to some cases.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MatMulBenchmark {

    /** The six product forms, ours and EJML's. */
    enum Form {
        MULT(false, false, MatMul::mult, CommonOps_DDRM::mult),
        MULT_ADD(false, false, MatMul::multAdd, CommonOps_DDRM::multAdd),
        MULT_TRANS_B(false, true, MatMul::multTransB, CommonOps_DDRM::multTransB),
        MULT_ADD_TRANS_B(false, true, MatMul::multAddTransB, CommonOps_DDRM::multAddTransB),
        MULT_TRANS_A(true, false, MatMul::multTransA, CommonOps_DDRM::multTransA),
        MULT_ADD_TRANS_A(true, false, MatMul::multAddTransA, CommonOps_DDRM::multAddTransA);

        final boolean transposeA;
        final boolean transposeB;
        final Product ours;
        final Product ejml;

        Form(boolean transposeA, boolean transposeB, Product ours, Product ejml) {
            this.transposeA = transposeA;
            this.transposeB = transposeB;
            this.ours = ours;
            this.ejml = ejml;
        }
    }

    @FunctionalInterface
    interface Product {
        void apply(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c);
    }

    /** The products of one sequence's forward and backward pass: c [m, n] = [m, k]·[k, n]. */
    public enum Case {
        QKV(Form.MULT, 64, 64, 192, "x·W_qkv        [64×64]·[64×192]"),
        ATTN_PROJ(Form.MULT, 64, 64, 64, "y·W_proj       [64×64]·[64×64]"),
        FFN_UP(Form.MULT, 64, 64, 256, "x·W_fc         [64×64]·[64×256]"),
        FFN_DOWN(Form.MULT, 64, 256, 64, "h·W_proj       [64×256]·[256×64]"),
        LOGITS(Form.MULT_TRANS_B, 64, 64, 256, "x·wteᵀ         [64×64]·[256×64]ᵀ"),
        SCORES(Form.MULT_TRANS_B, 64, 16, 64, "q·kᵀ           [64×16]·[64×16]ᵀ"),
        WEIGHTED_VALUES(Form.MULT, 64, 64, 16, "P·v            [64×64]·[64×16]"),
        GRAD_QUERIES(Form.MULT_ADD, 64, 64, 16, "dq += dS·k     [64×64]·[64×16]"),
        GRAD_X_QKV(Form.MULT_TRANS_B, 64, 192, 64, "dY·W_qkvᵀ      [64×192]·[64×192]ᵀ"),
        GRAD_X_FFN_UP(Form.MULT_ADD_TRANS_B, 64, 256, 64, "dx += dH·W_fcᵀ [64×256]·[64×256]ᵀ"),
        GRAD_W_QKV(Form.MULT_ADD_TRANS_A, 64, 64, 192, "dW += xᵀ·dY    [64×64]ᵀ·[64×192]"),
        GRAD_WTE(Form.MULT_ADD_TRANS_A, 256, 64, 64, "dwte += dLᵀ·x  [64×256]ᵀ·[64×64]"),
        GRAD_VALUES(Form.MULT_TRANS_A, 64, 64, 16, "Pᵀ·dY          [64×64]ᵀ·[64×16]");

        final Form form;
        final int m;
        final int k;
        final int n;
        final String description;

        Case(Form form, int m, int k, int n, String description) {
            this.form = form;
            this.m = m;
            this.k = k;
            this.n = n;
            this.description = description;
        }

        double flops() {
            return 2.0 * m * k * n;
        }
    }

    /** One case: the operands of a single product. */
    @State(Scope.Thread)
    public static class OneProduct {
        @Param
        public Case shape;

        DMatrixRMaj a;
        DMatrixRMaj b;
        DMatrixRMaj c;

        @Setup
        public void setUp() {
            DMatrixRMaj[] operands = operands(shape, new Random(42));
            a = operands[0];
            b = operands[1];
            c = operands[2];
        }
    }

    /**
     * Every case once, one after the other, in one JVM: the JIT then profiles the mix of row
     * lengths that a training step produces instead of one shape at a time.
     */
    @State(Scope.Thread)
    public static class EveryProduct {
        final Case[] cases = Case.values();
        final DMatrixRMaj[][] operands = new DMatrixRMaj[cases.length][];

        @Setup
        public void setUp() {
            Random random = new Random(42);
            for (int index = 0; index < cases.length; index++) {
                operands[index] = operands(cases[index], random);
            }
        }

        static double flops() {
            double total = 0;
            for (Case shape : Case.values()) {
                total += shape.flops();
            }
            return total;
        }
    }

    /** a, b and c for one case, filled with small Gaussian numbers. */
    static DMatrixRMaj[] operands(Case shape, Random random) {
        Form form = shape.form;
        DMatrixRMaj a = form.transposeA ? new DMatrixRMaj(shape.k, shape.m) : new DMatrixRMaj(shape.m, shape.k);
        DMatrixRMaj b = form.transposeB ? new DMatrixRMaj(shape.n, shape.k) : new DMatrixRMaj(shape.k, shape.n);
        DMatrixRMaj c = new DMatrixRMaj(shape.m, shape.n);
        for (DMatrixRMaj matrix : new DMatrixRMaj[] {a, b, c}) {
            for (int index = 0; index < matrix.getNumElements(); index++) {
                // Small values keep the accumulating forms far from overflow over millions of calls.
                matrix.data[index] = random.nextGaussian() * 1e-3;
            }
        }
        return new DMatrixRMaj[] {a, b, c};
    }

    @Benchmark
    public DMatrixRMaj ours(OneProduct state) {
        state.shape.form.ours.apply(state.a, state.b, state.c);
        return state.c;
    }

    @Benchmark
    public DMatrixRMaj ejml(OneProduct state) {
        state.shape.form.ejml.apply(state.a, state.b, state.c);
        return state.c;
    }

    @Benchmark
    public void oursEveryProduct(EveryProduct state, Blackhole blackhole) {
        for (int index = 0; index < state.cases.length; index++) {
            DMatrixRMaj[] operands = state.operands[index];
            state.cases[index].form.ours.apply(operands[0], operands[1], operands[2]);
            blackhole.consume(operands[2]);
        }
    }

    @Benchmark
    public void ejmlEveryProduct(EveryProduct state, Blackhole blackhole) {
        for (int index = 0; index < state.cases.length; index++) {
            DMatrixRMaj[] operands = state.operands[index];
            state.cases[index].form.ejml.apply(operands[0], operands[1], operands[2]);
            blackhole.consume(operands[2]);
        }
    }

    /** Runs the benchmark with JMH command-line options, then prints GFLOP/s per case. */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        Options options = new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(MatMulBenchmark.class.getSimpleName())
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<Case, double[]> microseconds = new TreeMap<>();
        double[] everyProduct = {Double.NaN, Double.NaN};
        for (RunResult result : results) {
            String method = result.getParams().getBenchmark();
            double score = result.getPrimaryResult().getScore();
            int column = method.contains(".ours") ? 0 : 1;
            if (method.endsWith("EveryProduct")) {
                everyProduct[column] = score;
                continue;
            }
            Case shape = Case.valueOf(result.getParams().getParam("shape"));
            microseconds.computeIfAbsent(shape, unused -> new double[] {Double.NaN, Double.NaN})[column] = score;
        }
        System.out.printf("%n%-16s %-17s %-36s %9s %9s %8s%n", "case", "form", "product",
                "ours GF/s", "EJML GF/s", "speed-up");
        for (Map.Entry<Case, double[]> entry : microseconds.entrySet()) {
            Case shape = entry.getKey();
            printRow(shape.name(), shape.form.name(), shape.description, shape.flops(), entry.getValue());
        }
        if (!Double.isNaN(everyProduct[0]) || !Double.isNaN(everyProduct[1])) {
            printRow("EVERY_PRODUCT", "(all)", "every case above once, in sequence", EveryProduct.flops(), everyProduct);
        }
    }

    /** One table row: GFLOP/s from flops and µs per call, ours then EJML's, and their ratio. */
    private static void printRow(String name, String form, String description, double flops, double[] microseconds) {
        double oursGflops = flops / microseconds[0] / 1e3;
        double ejmlGflops = flops / microseconds[1] / 1e3;
        System.out.printf("%-16s %-17s %-36s %9.2f %9.2f %7.2f×%n", name, form, description,
                oursGflops, ejmlGflops, oursGflops / ejmlGflops);
    }
}
