package org.stepwise.tensor;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The matrix products of the forward and backward passes, in one place so the hot ones can run
 * on a faster kernel. Every method writes into {@code c} (Modified.), which must already have the
 * right shape; {@code a} and {@code b} are Not modified.
 */
public final class MatMul {
    private MatMul() {
    }

    /** c = a·b   [m, k]·[k, n] → [m, n] */
    public static void mult(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.mult(a, b, c);
    }

    /** c += a·b   [m, k]·[k, n] → [m, n] */
    public static void multAdd(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.multAdd(a, b, c);
    }

    /** c = a·bᵀ   [m, k]·[n, k]ᵀ → [m, n] */
    public static void multTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.multTransB(a, b, c);
    }

    /** c += a·bᵀ   [m, k]·[n, k]ᵀ → [m, n] */
    public static void multAddTransB(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.multAddTransB(a, b, c);
    }

    /** c = aᵀ·b   [k, m]ᵀ·[k, n] → [m, n] */
    public static void multTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.multTransA(a, b, c);
    }

    /** c += aᵀ·b   [k, m]ᵀ·[k, n] → [m, n] */
    public static void multAddTransA(DMatrixRMaj a, DMatrixRMaj b, DMatrixRMaj c) {
        CommonOps_DDRM.multAddTransA(a, b, c);
    }
}
