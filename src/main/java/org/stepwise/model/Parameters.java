package org.stepwise.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.ejml.data.DMatrixRMaj;

/**
 * The weights (or the gradients) of a model: named matrices in a fixed order, named as in Hugging
 * Face GPT-2 checkpoints ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...). A vector such as
 * a bias or a LayerNorm γ is stored as a 1×N matrix and remembered as one-dimensional, so it is
 * written to files with the shape [N].
 */
public final class Parameters {

    private final LinkedHashMap<String, DMatrixRMaj> tensors = new LinkedHashMap<>();
    private final Set<String> vectors = new java.util.HashSet<>();

    /** Adds a matrix [rows, cols] of zeros. */
    public DMatrixRMaj addMatrix(String name, int rows, int cols) {
        return put(name, new DMatrixRMaj(rows, cols), false);
    }

    /** Adds a vector [n] of zeros, stored as a 1×n matrix. */
    public DMatrixRMaj addVector(String name, int n) {
        return put(name, new DMatrixRMaj(1, n), true);
    }

    /** Adds {@code value} itself (not a copy). */
    public DMatrixRMaj put(String name, DMatrixRMaj value, boolean vector) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        if (vector && value.numRows != 1) {
            throw new IllegalArgumentException(name + ": a vector must be stored as one row");
        }
        tensors.put(name, value);
        if (vector) {
            vectors.add(name);
        }
        return value;
    }

    /** The matrix named {@code name}; throws when there is none. */
    public DMatrixRMaj get(String name) {
        DMatrixRMaj m = tensors.get(name);
        if (m == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return m;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public boolean isVector(String name) {
        return vectors.contains(name);
    }

    /** The shape as written to a file: [n] for vectors, [rows, cols] for matrices. */
    public int[] shape(String name) {
        DMatrixRMaj m = get(name);
        return isVector(name) ? new int[] {m.numCols} : new int[] {m.numRows, m.numCols};
    }

    /** Names in their fixed order. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(tensors.keySet()));
    }

    public Map<String, DMatrixRMaj> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Total number of scalars. */
    public long count() {
        long n = 0;
        for (DMatrixRMaj m : tensors.values()) {
            n += m.getNumElements();
        }
        return n;
    }

    /** A deep copy: same names, shapes and values. */
    public Parameters copy() {
        Parameters out = new Parameters();
        for (Map.Entry<String, DMatrixRMaj> e : tensors.entrySet()) {
            out.put(e.getKey(), e.getValue().copy(), vectors.contains(e.getKey()));
        }
        return out;
    }

    /** Same names and shapes, all zeros (for gradients and optimizer moments). */
    public Parameters zerosLike() {
        Parameters out = new Parameters();
        for (Map.Entry<String, DMatrixRMaj> e : tensors.entrySet()) {
            DMatrixRMaj m = e.getValue();
            out.put(e.getKey(), new DMatrixRMaj(m.numRows, m.numCols), vectors.contains(e.getKey()));
        }
        return out;
    }

    /** Copies every value of {@code source} (same names and shapes) into this. */
    public void setFrom(Parameters source) {
        for (Map.Entry<String, DMatrixRMaj> e : tensors.entrySet()) {
            e.getValue().setTo(source.get(e.getKey()));
        }
    }

    /** Sets every value to zero. */
    public void zero() {
        for (DMatrixRMaj m : tensors.values()) {
            m.zero();
        }
    }

    /** True when every value is finite. */
    public boolean allFinite() {
        for (DMatrixRMaj m : tensors.values()) {
            double[] d = m.data;
            for (int i = 0, n = m.getNumElements(); i < n; i++) {
                if (!Double.isFinite(d[i])) {
                    return false;
                }
            }
        }
        return true;
    }

    /** √(Σ θ²) over every value. */
    public double norm() {
        double s = 0;
        for (DMatrixRMaj m : tensors.values()) {
            double[] d = m.data;
            for (int i = 0, n = m.getNumElements(); i < n; i++) {
                s += d[i] * d[i];
            }
        }
        return Math.sqrt(s);
    }
}
