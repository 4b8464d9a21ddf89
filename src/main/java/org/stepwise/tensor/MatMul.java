package org.stepwise.tensor;

import java.util.Arrays;

import org.ejml.data.DMatrixRMaj;

/**
 * The matrix products of the forward and backward passes, computed by a kernel that the JIT
 * compiler turns into SIMD code. Every method writes into {@code c} (Modified.), which must already
 * have the right shape; {@code a} and {@code b} are Not modified. A shape that does not fit, or a
 * {@code c} that is also {@code a} or {@code b}, gives an IllegalArgumentException naming the
 * shapes. Results equal EJML's {@code CommonOps_DDRM} up to the rounding of a different summation
 * order (about 1e-16 of Σ|a||b| per element).
 *
 * <p>When the system has an optimized BLAS library (OpenBLAS, BLIS, MKL; see {@link NativeBlas}),
 * every product above a small size goes to its {@code dgemm} instead, which runs two to five times
 * faster than the Java kernel below; {@link #backend()} says which one computes.
 *
 * <h2>How the kernel is made fast</h2>
 * The HotSpot C2 compiler of Java 17 vectorizes a loop only when every array in it is indexed by
 * the same expression: {@code s[j] += x * r[j]} becomes SIMD code, {@code c[ci + j] += x * b[bi + j]}
 * stays scalar because the compiler cannot prove the two ranges never overlap. So each product
 * {@code out[rows, cols] (+)= left[rows, depth]·right[depth, cols]} is computed in three moves:
 * <ol>
 *   <li>the rows of {@code right} are copied into separate arrays ({@code panel[p]}, one per row p);</li>
 *   <li>two output rows at a time are built in two arrays {@code first} and {@code second} by the
 *       loop {@code first[s] = first[s] + f0·panel[p][s] + f1·panel[p+1][s] + f2·panel[p+2][s]}
 *       (and the same for {@code second} with g0..g2), where f0..f2 and g0..g2 are three numbers
 *       of each left row held in registers;</li>
 *   <li>the two rows are copied into their places in the output.</li>
 * </ol>
 * Copying costs depth·cols + 4·cols numbers per pair of rows against 4·depth·cols flops, so it is
 * cheap for our shapes. A transposed operand changes only how the panel and the left numbers are
 * read (with strides), not the kernel. The 2×3 block is the largest that C2 still vectorizes
 * (measured: 1×4 reached about 11 GFLOP/s on [64, 64]·[64, 192], 2×3 about 15; 2×4, 3×3 and 4×4
 * stayed scalar at about 3).
 *
 * <p>The kernel multiplies and adds separately instead of calling {@code Math.fma}. Fused
 * multiply-adds were 10–25 % faster on a processor that has them, but on one without an FMA unit
 * (many classroom laptops) {@code Math.fma} falls back to a software routine hundreds of times
 * slower; choosing the kernel per machine would make results differ in the last bits between
 * machines.
 *
 * <p>The vector loop only pays off when it is long: the compiler peels up to one vector width
 * of scalar iterations before and after it. When the output has more rows than columns
 * (attention's [64, 64]·[64, 16]) the product is computed the other way round, cᵀ = bᵀ·aᵀ, so the
 * vector loop runs down the rows of {@code c} instead of along them.
 *
 * <p>The panel and the two row arrays are scratch, one set per thread (two trainers may multiply
 * different matrices at once), grown when a larger product arrives and then reused: no call
 * allocates once the largest shape has been seen. The panel holds at most 256×256 numbers (512 KB):
 * larger products are computed block by block.
 */
public final class MatMul {

    /** Which dimension of {@code c} the vector loop runs along. */
    enum Orientation {
        /** Along each row of c: c = a·b as written. */
        ALONG_ROWS,
        /** Along each column of c: cᵀ = bᵀ·aᵀ. */
        ALONG_COLUMNS
    }

    /** How many panel rows one pass of the kernel consumes (the unroll of the depth loop). */
    private static final int DEPTH_STEP = 3;

    /**
     * Rows at least this long go to {@link #accumulate2x3}, shorter ones to {@link #accumulate2x3Short}.
     * C2 unrolls (and so vectorizes) a loop only as far as the trip count it has profiled, averaged
     * over every call; keeping short rows out of the main kernel's profile keeps it a wide vector
     * loop even when tiny products (a short prompt's attention) run first.
     */
    private static final int LONG_ROW = 32;

    /** Most panel rows packed at once: a longer depth is summed block by block into c. */
    private static final int DEPTH_TILE = 256;

    /** Most panel columns packed at once: a wider product is computed in column blocks. */
    private static final int COL_TILE = 256;

    /** The system's optimized BLAS, or null when there is none and the Java kernel computes every product. */
    private static final NativeBlas NATIVE = NativeBlas.INSTANCE.orElse(null);

    /**
     * Products with fewer multiply-adds (m·n·k) than this stay in Java: below it the call through
     * JNI costs more than the native library saves.
     */
    private static final long NATIVE_MIN_VOLUME = 4096;

    private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

    private MatMul() {
    }

    /**
     * What computes the products: the native library's file name (e.g. {@code libopenblasp-r0.3.21.so})
     * or {@code "java"} when the Java kernel does.
     */
    public static String backend() {
        return NATIVE == null ? "java" : NATIVE.library();
    }

    /** c = a·b   [m, k]·[k, n] → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void mult(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("mult", a, false, b, false, c, false);
    }

    /** c += a·b   [m, k]·[k, n] → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void multAdd(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("multAdd", a, false, b, false, c, true);
    }

    /** c = a·bᵀ   [m, k]·[n, k]ᵀ → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void multTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("multTransB", a, false, b, true, c, false);
    }

    /** c += a·bᵀ   [m, k]·[n, k]ᵀ → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void multAddTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("multAddTransB", a, false, b, true, c, true);
    }

    /** c = aᵀ·b   [k, m]ᵀ·[k, n] → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void multTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("multTransA", a, true, b, false, c, false);
    }

    /** c += aᵀ·b   [k, m]ᵀ·[k, n] → [m, n]. {@code c}: Modified. {@code a}, {@code b}: Not modified. */
    public static void multAddTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        product("multAddTransA", a, true, b, false, c, true);
    }

    /**
     * Checks shapes, then computes c (+)= op(a)·op(b) along the longer dimension of c.
     * {@code a}, {@code b}: Not modified. {@code c}: Modified.
     */
    private static void product(String name, DMatrixRMaj a, boolean transposeA, DMatrixRMaj b,
                                boolean transposeB, DMatrixRMaj c, boolean accumulate) {
        checkShapes(name, a, transposeA, b, transposeB, c);
        int m = c.numRows;
        int n = c.numCols;
        int k = transposeA ? a.numRows : a.numCols;
        if (NATIVE != null && (long) m * n * k >= NATIVE_MIN_VOLUME) {
            NATIVE.gemm(a.data, a.numCols, transposeA, b.data, b.numCols, transposeB, c.data, m, k, n, accumulate);
            return;
        }
        Orientation orientation = m > n ? Orientation.ALONG_COLUMNS : Orientation.ALONG_ROWS;
        product(a, transposeA, b, transposeB, c, accumulate, orientation);
    }

    /**
     * c (+)= op(a)·op(b) with the vector loop along the given dimension of c; shapes must already
     * be checked. Package-private so tests can check both orientations on every shape.
     * {@code a}, {@code b}: Not modified. {@code c}: Modified.
     */
    static void product(DMatrixRMaj a, boolean transposeA, DMatrixRMaj b, boolean transposeB,
                        DMatrixRMaj c, boolean accumulate, Orientation orientation) {
        int m = c.numRows;
        int n = c.numCols;
        int k = transposeA ? a.numRows : a.numCols;
        // Element (i, p) of op(a) [m, k] sits at a.data[i·aRowStride + p·aColStride]; likewise op(b) [k, n].
        int aRowStride = transposeA ? 1 : a.numCols;
        int aColStride = transposeA ? a.numCols : 1;
        int bRowStride = transposeB ? 1 : b.numCols;
        int bColStride = transposeB ? b.numCols : 1;
        Workspace workspace = WORKSPACES.get();
        if (orientation == Orientation.ALONG_ROWS) {
            // [m, k]·[k, n] → [m, n], rows of c are contiguous.
            stridedProduct(a.data, aRowStride, aColStride, b.data, bRowStride, bColStride,
                    c.data, n, 1, m, k, n, accumulate, workspace);
        } else {
            // cᵀ = op(b)ᵀ·op(a)ᵀ: [n, k]·[k, m] → [n, m], the rows of cᵀ are the columns of c.
            stridedProduct(b.data, bColStride, bRowStride, a.data, aColStride, aRowStride,
                    c.data, 1, n, n, k, m, accumulate, workspace);
        }
    }

    /**
     * out (+)= left·right for strided views: left(r, p) = left[r·leftRowStride + p·leftColStride]
     * is [rows, depth], right(p, s) is [depth, cols], out(r, s) is [rows, cols].
     * Large products are cut into blocks of at most {@link #DEPTH_TILE} × {@link #COL_TILE} of
     * right, so the panel stays bounded (512 KB) whatever the shapes; each block is then done
     * by {@link #multiplyBlock}. The model's own products fit in one block.
     * {@code left}, {@code right}: Not modified. {@code out}: Modified.
     */
    private static void stridedProduct(double[] left, int leftRowStride, int leftColStride,
                                       double[] right, int rightRowStride, int rightColStride,
                                       double[] out, int outRowStride, int outColStride,
                                       int rows, int depth, int cols, boolean accumulate,
                                       Workspace workspace) {
        if (depth == 0) {
            if (!accumulate) {
                // An empty sum: [rows, 0]·[0, cols] → zeros [rows, cols].
                for (int r = 0; r < rows; r++) {
                    for (int s = 0; s < cols; s++) {
                        out[r * outRowStride + s * outColStride] = 0.0;
                    }
                }
            }
            return;
        }
        workspace.ensureCapacity(Math.min(depth, DEPTH_TILE), Math.min(cols, COL_TILE));
        for (int colStart = 0; colStart < cols; colStart += COL_TILE) {
            int width = Math.min(COL_TILE, cols - colStart);
            for (int depthStart = 0; depthStart < depth; depthStart += DEPTH_TILE) {
                int height = Math.min(DEPTH_TILE, depth - depthStart);
                // Rows depthStart.. and columns colStart.. of right → panel [height, width].
                packRows(right, depthStart * rightRowStride + colStart * rightColStride,
                        rightRowStride, rightColStride, height, width, workspace.panel);
                // [rows, height]·[height, width] → [rows, width], into columns colStart.. of out.
                multiplyBlock(left, depthStart * leftColStride, leftRowStride, leftColStride,
                        out, colStart * outColStride, outRowStride, outColStride,
                        rows, height, width, accumulate || depthStart > 0, workspace);
            }
        }
    }

    /**
     * out (+)= left·panel for one block: left(r, p) = left[leftStart + r·leftRowStride + p·leftColStride]
     * is [rows, depth], the panel [depth, cols] is already packed, out(r, s) =
     * out[outStart + r·outRowStride + s·outColStride] is [rows, cols].
     * Loop order r-p-s, two output rows at a time: for each pair of rows the depth loop steps three
     * at a time, and the innermost loop (in {@link #accumulate2x3}) runs over s, contiguous in the
     * panel and the two accumulators. An odd last row is paired with a row of zeros.
     * {@code left}: Not modified. {@code out}: Modified.
     */
    private static void multiplyBlock(double[] left, int leftStart, int leftRowStride, int leftColStride,
                                      double[] out, int outStart, int outRowStride, int outColStride,
                                      int rows, int depth, int cols, boolean accumulate,
                                      Workspace workspace) {
        double[][] panel = workspace.panel;
        double[] first = workspace.firstRow;
        double[] second = workspace.secondRow;
        int fullSteps = depth - depth % DEPTH_STEP;
        boolean longRows = cols >= LONG_ROW;
        for (int r = 0; r < rows; r += 2) {
            boolean pair = r + 1 < rows;
            // The second row's multipliers are zero when r is the last row: it then adds nothing.
            int secondLeft = pair ? leftStart + (r + 1) * leftRowStride : -1;
            int firstOut = outStart + r * outRowStride;
            int secondOut = firstOut + outRowStride;
            if (accumulate) {
                loadRow(out, firstOut, outColStride, cols, first); // [1, cols]
            } else {
                Arrays.fill(first, 0, cols, 0.0);
            }
            if (accumulate && pair) {
                loadRow(out, secondOut, outColStride, cols, second); // [1, cols]
            } else {
                Arrays.fill(second, 0, cols, 0.0);
            }
            int firstLeft = leftStart + r * leftRowStride;
            int p = 0;
            for (; p < fullSteps; p += DEPTH_STEP) {
                int at = firstLeft + p * leftColStride;
                double f0 = left[at];
                double f1 = left[at + leftColStride];
                double f2 = left[at + 2 * leftColStride];
                double g0 = 0;
                double g1 = 0;
                double g2 = 0;
                if (pair) {
                    int atSecond = secondLeft + p * leftColStride;
                    g0 = left[atSecond];
                    g1 = left[atSecond + leftColStride];
                    g2 = left[atSecond + 2 * leftColStride];
                }
                // [2, 3]·[3, cols] → [2, cols], added to the two accumulators.
                if (longRows) {
                    accumulate2x3(f0, f1, f2, g0, g1, g2, panel[p], panel[p + 1], panel[p + 2],
                            first, second, cols);
                } else {
                    accumulate2x3Short(f0, f1, f2, g0, g1, g2, panel[p], panel[p + 1], panel[p + 2],
                            first, second, cols);
                }
            }
            for (; p < depth; p++) {
                double f0 = left[firstLeft + p * leftColStride];
                double g0 = pair ? left[secondLeft + p * leftColStride] : 0;
                // [2, 1]·[1, cols] → [2, cols], added to the two accumulators.
                accumulate2x1(f0, g0, panel[p], first, second, cols);
            }
            storeRow(first, cols, out, firstOut, outColStride);
            if (pair) {
                storeRow(second, cols, out, secondOut, outColStride);
            }
        }
    }

    /**
     * first[s] += f0·r0[s] + f1·r1[s] + f2·r2[s] and second[s] += g0·r0[s] + g1·r1[s] + g2·r2[s]
     * for s in [0, cols). Every array is indexed by the same s, so C2 emits SIMD loads, multiplies
     * and adds. Each panel number loaded serves two rows: 12 flops per 3 panel loads, 2 accumulator
     * loads and 2 stores. The sums are written as chains starting from the accumulator
     * ({@code first[s] = first[s] + ...}): written as {@code first[s] += (sum of products)} with
     * two output rows, C2 does not vectorize the loop; nor does it for more than about twenty
     * operations in the body (2×4 or 3×3 blocks stay scalar).
     * {@code first}, {@code second}: Modified. The rest: Not modified.
     */
    private static void accumulate2x3(double f0, double f1, double f2, double g0, double g1, double g2,
                                      double[] r0, double[] r1, double[] r2,
                                      double[] first, double[] second, int cols) {
        for (int s = 0; s < cols; s++) {
            double x0 = r0[s];
            double x1 = r1[s];
            double x2 = r2[s];
            first[s] = first[s] + f0 * x0 + f1 * x1 + f2 * x2;
            second[s] = second[s] + g0 * x0 + g1 * x1 + g2 * x2;
        }
    }

    /**
     * The same loop as {@link #accumulate2x3}, for rows shorter than {@link #LONG_ROW}: a separate
     * method so that its short trip counts are profiled apart from the main kernel's.
     * {@code first}, {@code second}: Modified. The rest: Not modified.
     */
    private static void accumulate2x3Short(double f0, double f1, double f2, double g0, double g1,
                                           double g2, double[] r0, double[] r1, double[] r2,
                                           double[] first, double[] second, int cols) {
        for (int s = 0; s < cols; s++) {
            double x0 = r0[s];
            double x1 = r1[s];
            double x2 = r2[s];
            first[s] = first[s] + f0 * x0 + f1 * x1 + f2 * x2;
            second[s] = second[s] + g0 * x0 + g1 * x1 + g2 * x2;
        }
    }

    /**
     * first[s] += f0·r0[s] and second[s] += g0·r0[s] for s in [0, cols): the same loop for the
     * last depth % 3 panel rows. {@code first}, {@code second}: Modified. The rest: Not modified.
     */
    private static void accumulate2x1(double f0, double g0, double[] r0, double[] first,
                                      double[] second, int cols) {
        for (int s = 0; s < cols; s++) {
            double x0 = r0[s];
            first[s] = first[s] + f0 * x0;
            second[s] = second[s] + g0 * x0;
        }
    }

    /**
     * panel[p][s] = source[start + p·rowStride + s·colStride] for the [depth, cols] view: a block
     * copy per row when rows are contiguous, otherwise a gather (which transposes).
     * {@code panel}: Modified. {@code source}: Not modified.
     */
    private static void packRows(double[] source, int start, int rowStride, int colStride, int depth,
                                 int cols, double[][] panel) {
        if (colStride == 1) {
            for (int p = 0; p < depth; p++) {
                System.arraycopy(source, start + p * rowStride, panel[p], 0, cols);
            }
            return;
        }
        // Transposing gather, four panel rows at a time: the four numbers read for one s are
        // neighbours in the source (rowStride is 1 here), so each source cache line is used
        // whole instead of being fetched again for every panel row.
        int p = 0;
        for (; p + 3 < depth; p += 4) {
            double[] row0 = panel[p];
            double[] row1 = panel[p + 1];
            double[] row2 = panel[p + 2];
            double[] row3 = panel[p + 3];
            int from = start + p * rowStride;
            for (int s = 0; s < cols; s++) {
                int at = from + s * colStride;
                row0[s] = source[at];
                row1[s] = source[at + rowStride];
                row2[s] = source[at + 2 * rowStride];
                row3[s] = source[at + 3 * rowStride];
            }
        }
        for (; p < depth; p++) {
            double[] row = panel[p];
            int from = start + p * rowStride;
            for (int s = 0; s < cols; s++) {
                row[s] = source[from + s * colStride];
            }
        }
    }

    /** row[s] = source[start + s·stride] for s in [0, cols). {@code row}: Modified. */
    private static void loadRow(double[] source, int start, int stride, int cols, double[] row) {
        if (stride == 1) {
            System.arraycopy(source, start, row, 0, cols);
            return;
        }
        for (int s = 0; s < cols; s++) {
            row[s] = source[start + s * stride];
        }
    }

    /** target[start + s·stride] = row[s] for s in [0, cols). {@code target}: Modified. */
    private static void storeRow(double[] row, int cols, double[] target, int start, int stride) {
        if (stride == 1) {
            System.arraycopy(row, 0, target, start, cols);
            return;
        }
        for (int s = 0; s < cols; s++) {
            target[start + s * stride] = row[s];
        }
    }

    /** Throws IllegalArgumentException naming the method and all three shapes unless they fit. */
    private static void checkShapes(String name, DMatrixRMaj a, boolean transposeA, DMatrixRMaj b,
                                     boolean transposeB, DMatrixRMaj c) {
        if (a == null || b == null || c == null) {
            throw new IllegalArgumentException(name + ": matrices must not be null");
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException(name + ": c must be a different matrix from a and b");
        }
        int m = transposeA ? a.numCols : a.numRows;
        int kFromA = transposeA ? a.numRows : a.numCols;
        int kFromB = transposeB ? b.numCols : b.numRows;
        int n = transposeB ? b.numRows : b.numCols;
        if (kFromA != kFromB || c.numRows != m || c.numCols != n) {
            throw new IllegalArgumentException(name + ": shapes do not fit, a " + shape(a)
                    + (transposeA ? "ᵀ" : "") + " · b " + shape(b) + (transposeB ? "ᵀ" : "")
                    + " → c " + shape(c) + " (expected c [" + m + ", " + n + "]"
                    + (kFromA != kFromB ? ", and inner sizes " + kFromA + " ≠ " + kFromB : "")
                    + ")");
        }
    }

    private static String shape(DMatrixRMaj matrix) {
        return "[" + matrix.numRows + ", " + matrix.numCols + "]";
    }

    /** One thread's scratch: the packed right operand and the two output rows being built. */
    private static final class Workspace {
        /** panel[p] holds row p of the right operand; at least depth rows of at least cols numbers. */
        double[][] panel = new double[0][0];
        /** The first output row being built; at least cols numbers. */
        double[] firstRow = new double[0];
        /** The second output row being built; at least cols numbers. */
        double[] secondRow = new double[0];

        /** Grows the arrays (never shrinks them) so a [depth, cols] panel fits. */
        void ensureCapacity(int depth, int cols) {
            int width = panel.length == 0 ? 0 : panel[0].length;
            if (panel.length < depth || width < cols) {
                panel = new double[Math.max(depth, panel.length)][Math.max(cols, width)];
            }
            if (firstRow.length < cols) {
                firstRow = new double[cols];
                secondRow = new double[cols];
            }
        }
    }
}
