package org.stepwise.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.stepwise.model.Parameters;

/**
 * AdamW with the semantics of PyTorch's {@code torch.optim.AdamW}: decoupled weight decay
 * θ ← θ·(1 − lr·λ) applied before the Adam update, bias-corrected moments, ε added to √v̂. As in
 * nanoGPT, only matrices (embeddings and linear weights) are decayed; biases and LayerNorm γ, β are not.
 */
public final class AdamW implements Optimizer {

    /** Name of the first-moment buffer in {@link #state()}, as in PyTorch's optimizer state. */
    public static final String FIRST_MOMENT = "exp_avg";
    /** Name of the second-moment buffer in {@link #state()}, as in PyTorch's optimizer state. */
    public static final String SECOND_MOMENT = "exp_avg_sq";

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Parameters firstMoment;
    private final Parameters secondMoment;
    private final Parameters rememberedFirst;
    private final Parameters rememberedSecond;
    private long steps;
    private long rememberedSteps;

    /** PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.01. */
    public AdamW(Parameters layout) {
        this(layout, 0.9, 0.999, 1e-8, 0.01);
    }

    /** @param layout the weights to be trained; only their names and shapes are used. Not modified. */
    public AdamW(Parameters layout, double beta1, double beta2, double epsilon, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
        this.firstMoment = layout.zerosLike();
        this.secondMoment = layout.zerosLike();
        this.rememberedFirst = layout.zerosLike();
        this.rememberedSecond = layout.zerosLike();
    }

    @Override
    public void step(Parameters weights, Parameters gradients, double learningRate) {
        steps++;
        double correction1 = 1.0 - Math.pow(beta1, steps);
        double correction2 = 1.0 - Math.pow(beta2, steps);
        double stepSize = learningRate / correction1;
        for (String name : weights.names()) {
            double[] theta = weights.get(name).data;
            double[] grad = gradients.get(name).data;
            double[] m = firstMoment.get(name).data;
            double[] v = secondMoment.get(name).data;
            boolean decay = weightDecay != 0 && !weights.isVector(name);
            double keep = 1.0 - learningRate * weightDecay;
            for (int i = 0, n = weights.get(name).getNumElements(); i < n; i++) {
                if (decay) {
                    theta[i] *= keep;
                }
                m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
                v[i] = beta2 * v[i] + (1 - beta2) * (grad[i] * grad[i]);
                double denominator = Math.sqrt(v[i] / correction2) + epsilon;
                theta[i] -= stepSize * m[i] / denominator;
            }
        }
    }

    @Override
    public long steps() {
        return steps;
    }

    /** The decoupled weight decay λ. */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public Kind kind() {
        return Kind.ADAMW;
    }

    @Override
    public OptimizerState state() {
        Map<String, Parameters> buffers = new LinkedHashMap<>();
        buffers.put(FIRST_MOMENT, firstMoment.copy());
        buffers.put(SECOND_MOMENT, secondMoment.copy());
        return new OptimizerState(Kind.ADAMW, steps, buffers);
    }

    @Override
    public void setState(OptimizerState state) {
        if (state.kind() != Kind.ADAMW) {
            throw new IllegalArgumentException("an AdamW optimizer cannot take the state of " + state.kind());
        }
        Parameters first = state.buffer(FIRST_MOMENT);
        Parameters second = state.buffer(SECOND_MOMENT);
        checkLayout(first, FIRST_MOMENT);
        checkLayout(second, SECOND_MOMENT);
        firstMoment.setFrom(first);
        secondMoment.setFrom(second);
        steps = state.steps();
    }

    private void checkLayout(Parameters buffer, String bufferName) {
        if (!buffer.names().equals(firstMoment.names())) {
            throw new IllegalArgumentException("AdamW's " + bufferName + " holds " + buffer.names().size()
                    + " tensors that do not match the " + firstMoment.names().size() + " weights being trained");
        }
        for (String name : firstMoment.names()) {
            if (!java.util.Arrays.equals(buffer.shape(name), firstMoment.shape(name))) {
                throw new IllegalArgumentException("AdamW's " + bufferName + "." + name + " has shape "
                        + java.util.Arrays.toString(buffer.shape(name)) + " but the weight has "
                        + java.util.Arrays.toString(firstMoment.shape(name)));
            }
        }
    }

    @Override
    public void rememberState() {
        rememberedFirst.setFrom(firstMoment);
        rememberedSecond.setFrom(secondMoment);
        rememberedSteps = steps;
    }

    @Override
    public void restoreState() {
        firstMoment.setFrom(rememberedFirst);
        secondMoment.setFrom(rememberedSecond);
        steps = rememberedSteps;
    }
}
