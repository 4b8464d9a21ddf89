package org.stepwise.model.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.ejml.data.DMatrixRMaj;
import org.stepwise.model.ModelConfig;
import org.stepwise.model.ParameterLayout;
import org.stepwise.model.Parameters;

/**
 * Loads and saves a model's weights as {@code model.safetensors}, under Hugging Face GPT-2 names, so that GPT-2
 * checkpoints load here and our files load in {@code transformers}.
 *
 * <p>Loading accepts what Hugging Face files contain besides the parameters: names may carry the
 * {@code transformer.} prefix of {@code GPT2LMHeadModel}; the attention-mask buffers {@code h.{i}.attn.bias} and
 * {@code h.{i}.attn.masked_bias} are skipped; {@code lm_head.weight} is skipped when the config ties the output to
 * the token embedding (the output then is {@code wte.weight}). Every other tensor must be a parameter of the
 * config's {@link ParameterLayout} with the same shape, and every parameter must be present.
 */
public final class ModelWeights {

    /** The usual name of the weights file in a model folder. */
    public static final String FILE_NAME = "model.safetensors";
    /** Prefix of the parameter names in Hugging Face's {@code GPT2LMHeadModel} files. */
    public static final String HF_PREFIX = "transformer.";

    /** GPT-2's causal-mask buffers: stored by old PyTorch checkpoints, never learned. */
    private static final Pattern ATTENTION_BUFFER = Pattern.compile("h\\.\\d+\\.attn\\.(bias|masked_bias)");
    private static final int NAMES_SHOWN = 5;

    private ModelWeights() {
    }

    /**
     * Reads the weights of a model with {@code config} from {@code safetensorsFile}. Values of any dtype the
     * {@link Safetensors} reader knows (F64, F32, F16, BF16, ...) become doubles exactly.
     *
     * @return a new Parameters in layout order, each matrix filled straight from the file
     * @throws ModelFileException naming the file and the tensor when a parameter is missing, has the wrong shape,
     *                            or the file holds a tensor the model does not have
     */
    public static Parameters load(Path safetensorsFile, ModelConfig config) throws IOException {
        return load(safetensorsFile, ParameterLayout.of(config));
    }

    /**
     * Reads the weights of {@code layout} (e.g. an encoder-decoder model's) from {@code safetensorsFile}, with the
     * same rules as {@link #load(Path, ModelConfig)}; the output is tied when {@code layout.config()} says so.
     */
    public static Parameters load(Path safetensorsFile, ParameterLayout layout) throws IOException {
        ModelConfig config = layout.config();
        Map<String, ParameterLayout.Spec> specByName = new HashMap<>();
        for (ParameterLayout.Spec spec : layout.specs()) {
            specByName.put(spec.name(), spec);
        }
        try (Safetensors.Reader reader = Safetensors.open(safetensorsFile)) {
            Map<String, Safetensors.TensorInfo> fileTensorByParameter = new HashMap<>();
            List<String> unexpected = new ArrayList<>();
            for (Safetensors.TensorInfo info : reader.tensors().values()) {
                String parameterName = info.name().startsWith(HF_PREFIX)
                        ? info.name().substring(HF_PREFIX.length()) : info.name();
                if (ATTENTION_BUFFER.matcher(parameterName).matches()
                        || (config.tiedOutput() && parameterName.equals(ParameterLayout.OUTPUT))) {
                    continue;
                }
                if (!specByName.containsKey(parameterName)) {
                    unexpected.add(info.name());
                    continue;
                }
                Safetensors.TensorInfo earlier = fileTensorByParameter.put(parameterName, info);
                if (earlier != null) {
                    throw new ModelFileException(safetensorsFile, "holds parameter " + parameterName + " twice, as \""
                            + earlier.name() + "\" and as \"" + info.name() + "\"");
                }
            }
            if (!unexpected.isEmpty()) {
                throw new ModelFileException(safetensorsFile, "holds " + count(unexpected.size(), "tensor")
                        + " that a model with this config does not have: " + firstFew(unexpected)
                        + "; does the config belong to these weights?");
            }
            List<String> missing = new ArrayList<>();
            for (ParameterLayout.Spec spec : layout.specs()) {
                Safetensors.TensorInfo info = fileTensorByParameter.get(spec.name());
                int[] expected = fileShape(spec);
                if (info == null) {
                    missing.add(spec.name() + " " + Arrays.toString(expected));
                } else if (!Arrays.equals(expected, info.shape())) {
                    throw new ModelFileException(safetensorsFile, "tensor \"" + info.name() + "\" has shape "
                            + Arrays.toString(info.shape()) + ", but the model needs " + Arrays.toString(expected));
                }
            }
            if (!missing.isEmpty()) {
                throw new ModelFileException(safetensorsFile, "lacks " + count(missing.size(), "tensor")
                        + " the model needs: " + firstFew(missing));
            }

            Parameters parameters = layout.zeros();
            for (ParameterLayout.Spec spec : layout.specs()) {
                Safetensors.TensorInfo info = fileTensorByParameter.get(spec.name());
                DMatrixRMaj matrix = parameters.get(spec.name());   // [rows, cols], or [1, N] for a vector [N]
                reader.readInto(info.name(), matrix.data);
            }
            return parameters;
        }
    }

    /**
     * Writes {@code parameters} (Not modified) to {@code file} (Modified, atomically) in their fixed order, vectors
     * with shape [N] and matrices [rows, cols]. The metadata always holds {@code "format": "pt"}, which
     * {@code transformers} requires, unless {@code metadata} sets {@code format} itself. The parameters must not
     * change while this runs (save a copy from a training thread).
     *
     * @param float64  true: F64, exact; false: F32, half the size, each value rounded to the nearest float
     * @param metadata extra string entries for {@code __metadata__} (Not modified); may be null
     */
    public static void save(Path file, Parameters parameters, boolean float64, Map<String, String> metadata)
            throws IOException {
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        for (String name : parameters.names()) {
            DMatrixRMaj matrix = parameters.get(name);
            int count = matrix.getNumElements();
            double[] values = matrix.data.length == count ? matrix.data : Arrays.copyOf(matrix.data, count);
            tensors.put(name, new Safetensors.Tensor(parameters.shape(name), values));
        }
        Map<String, String> allMetadata = new LinkedHashMap<>();
        allMetadata.put("format", "pt");
        if (metadata != null) {
            allMetadata.putAll(metadata);
        }
        Safetensors.write(file, tensors, float64 ? Safetensors.DType.F64 : Safetensors.DType.F32, allMetadata);
    }

    /** The shape a parameter has in a file: [N] for a vector, [rows, cols] for a matrix. */
    private static int[] fileShape(ParameterLayout.Spec spec) {
        return spec.vector() ? new int[] {spec.cols()} : new int[] {spec.rows(), spec.cols()};
    }

    private static String count(int number, String noun) {
        return number + " " + noun + (number == 1 ? "" : "s");
    }

    private static String firstFew(List<String> names) {
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
        return names.size() > NAMES_SHOWN ? shown + ", ..." : shown;
    }
}
