package org.stepwise.train;

import org.stepwise.model.Parameters;

/**
 * AdamW with the semantics of PyTorch's {@code torch.optim.AdamW}: decoupled weight decay
 * θ ← θ·(1 − lr·λ) applied before the Adam update, bias-corrected moments, ε added to √v̂. As in
 * nanoGPT, only matrices (embeddings and linear weights) are decayed; biases and LayerNorm γ, β are not.
 */
public final class AdamW implements Optimizer {

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
