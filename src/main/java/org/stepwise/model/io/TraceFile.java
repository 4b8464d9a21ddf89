package org.stepwise.model.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.HookKey;
import org.stepwise.model.Trace;

/**
 * Writes the whole trace of one forward pass as one {@code .safetensors} file, keyed by the hook names
 * ({@code hook_embed}, {@code blocks.0.attn.hook_pattern[2]}, ...), in float64, readable by Python as it is.
 */
public final class TraceFile {
    private TraceFile() {
    }

    /** Writes every tensor of {@code trace}, plus the input ids as {@code input_ids} [T]. */
    public static void write(Path file, Trace trace, int[] ids) throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        double[] idValues = Arrays.stream(ids).asDoubleStream().toArray();
        tensors.put("input_ids", new Safetensors.Tensor(new int[] {ids.length}, idValues));
        for (HookKey key : trace.keys()) {
            DMatrixRMaj m = trace.get(key);
            double[] values = Arrays.copyOf(m.data, m.getNumElements());
            tensors.put(key.name(), new Safetensors.Tensor(new int[] {m.numRows, m.numCols}, values));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("stepwise_content", "forward trace");
        metadata.put("input_ids", Arrays.toString(ids));
        Safetensors.write(file, tensors, Safetensors.DType.F64, metadata);
    }
}
