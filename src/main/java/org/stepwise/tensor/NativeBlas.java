package org.stepwise.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * The system's optimized BLAS library (OpenBLAS, BLIS or MKL), when one is installed, reached
 * through netlib-java's JNI binding: {@link MatMul} hands it the large products and falls back to
 * its own kernel everywhere else.
 *
 * <p>A library is used only when it is one of the optimized ones: the plain reference BLAS that
 * some systems install as {@code libblas.so.3} is slower than {@link MatMul}'s own kernel. Which
 * library answered is read from the process's memory map after loading. A single-threaded
 * ("serial") OpenBLAS corrupts results when two threads call it at once, so calls to any library
 * that is not known to be thread-safe go through one lock.
 *
 * <p>The system property {@code stepwise.matmul=java} turns the native path off (tests use it to
 * compare both paths).
 */
final class NativeBlas {

    private static final Logger LOG = Logger.getLogger(NativeBlas.class.getName());
    private static final Logger NETLIB_LOG = Logger.getLogger("dev.ludovic.netlib.blas");

    /** The binding and how to call it, or empty when no optimized library is present. */
    static final Optional<NativeBlas> INSTANCE = load();

    /**
     * OpenBLAS computes a product of at most this many multiply-adds (m·n·k) on the calling thread and
     * spreads larger ones over its own threads. The model already multiplies on one thread per core, and
     * two sets of threads competing for the same cores ran at half speed, so products are handed over in
     * row blocks below this size; only a single row larger than it (GPT-2's output layer) is left whole.
     */
    private static final long SINGLE_THREAD_VOLUME = 262_144;

    private final BLAS blas;
    private final String library;
    private final ReentrantLock lock;

    private NativeBlas(BLAS blas, String library, boolean threadSafe) {
        this.blas = blas;
        this.library = library;
        this.lock = threadSafe ? null : new ReentrantLock();
    }

    /** The file name of the library that computes the products, e.g. {@code libopenblasp-r0.3.21.so}. */
    String library() {
        return library;
    }

    /** True when calls from several threads run at the same time. */
    boolean threadSafe() {
        return lock == null;
    }

    /**
     * Row-major c (+)= op(a)·op(b) with op(a) [m, k], op(b) [k, n], c [m, n], where {@code aCols},
     * {@code bCols} are the stored widths of a and b. Row-major c is column-major cᵀ, so BLAS is
     * asked for cᵀ = op(b)ᵀ·op(a)ᵀ with the operands swapped. All sizes must be at least 1.
     * {@code a}, {@code b}: Not modified. {@code c}: Modified.
     */
    void gemm(double[] a, int aCols, boolean transposeA, double[] b, int bCols, boolean transposeB,
              double[] c, int m, int k, int n, boolean accumulate) {
        String opB = transposeB ? "T" : "N";
        String opA = transposeA ? "T" : "N";
        double beta = accumulate ? 1.0 : 0.0;
        // Rows of c per call: small enough that the library computes each call on the calling thread.
        long rowVolume = (long) n * k;
        int rowsPerCall = rowVolume >= SINGLE_THREAD_VOLUME ? m : (int) Math.max(1, SINGLE_THREAD_VOLUME / rowVolume);
        if (lock != null) {
            lock.lock();
        }
        try {
            for (int first = 0; first < m; first += rowsPerCall) {
                int rows = Math.min(rowsPerCall, m - first);
                // Row `first` of op(a): row `first` of a, or column `first` of a when a is read transposed.
                int aOffset = transposeA ? first : first * aCols;
                blas.dgemm(opB, opA, n, rows, k, 1.0, b, 0, bCols, a, aOffset, aCols, beta, c, first * n, n);
            }
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    private static Optional<NativeBlas> load() {
        if ("java".equalsIgnoreCase(System.getProperty("stepwise.matmul", ""))) {
            return Optional.empty();
        }
        // netlib-java logs a warning for every implementation it cannot load; which one computes is
        // reported by MatMul.backend() instead. The logger is held so the level set here stays.
        NETLIB_LOG.setLevel(Level.SEVERE);
        BLAS blas;
        try {
            blas = NativeBLAS.getInstance();
        } catch (Throwable notAvailable) {
            // No libblas.so.3 on this system, or no JNI binding for this platform: the Java kernel computes.
            LOG.log(Level.FINE, "no native BLAS", notAvailable);
            return Optional.empty();
        }
        Optional<String> library = optimizedLibrary();
        if (library.isEmpty()) {
            return Optional.empty();
        }
        String name = library.get();
        String lower = name.toLowerCase(Locale.ROOT);
        boolean threadSafe = lower.contains("openblasp") || lower.contains("openblaso")
                || lower.contains("mkl") || lower.contains("blis-pthread") || lower.contains("blis-openmp");
        return Optional.of(new NativeBlas(blas, name, threadSafe));
    }

    /** The file name of an optimized BLAS mapped into this process, read from /proc/self/maps. */
    private static Optional<String> optimizedLibrary() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.lastIndexOf('/');
                if (slash < 0) {
                    continue;
                }
                String file = line.substring(slash + 1);
                String lower = file.toLowerCase(Locale.ROOT);
                if (lower.startsWith("libopenblas") || lower.startsWith("libblis") || lower.startsWith("libmkl")) {
                    return Optional.of(file);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            LOG.log(Level.FINE, "cannot read the memory map", unreadable);
        }
        return Optional.empty();
    }
}
