package org.stepwise.train;

import java.util.Map;

import org.stepwise.model.Parameters;

/** Plain stochastic gradient descent: θ ← θ − lr·g. */
public final class Sgd implements Optimizer {

    private long steps;
    private long rememberedSteps;

    @Override
    public void step(Parameters weights, Parameters gradients, double learningRate) {
        for (String name : weights.names()) {
            double[] theta = weights.get(name).data;
            double[] grad = gradients.get(name).data;
            for (int i = 0, n = weights.get(name).getNumElements(); i < n; i++) {
                theta[i] -= learningRate * grad[i];
            }
        }
        steps++;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public Kind kind() {
        return Kind.SGD;
    }

    /** SGD keeps no buffers, only its update count. */
    @Override
    public OptimizerState state() {
        return new OptimizerState(Kind.SGD, steps, Map.of());
    }

    @Override
    public void setState(OptimizerState state) {
        if (state.kind() != Kind.SGD) {
            throw new IllegalArgumentException("an SGD optimizer cannot take the state of " + state.kind());
        }
        steps = state.steps();
    }

    @Override
    public void rememberState() {
        rememberedSteps = steps;
    }

    @Override
    public void restoreState() {
        steps = rememberedSteps;
    }
}
