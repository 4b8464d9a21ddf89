package org.stepwise.app;

import org.stepwise.model.ModelConfig;
import org.stepwise.tokenizer.CharTokenizer;
import org.stepwise.train.Dataset;
import org.stepwise.train.LearningRateSchedule;
import org.stepwise.train.Optimizer;
import org.stepwise.train.TrainingLoop;
import org.stepwise.train.TrainingSession;
import org.stepwise.train.TrainingSettings;
import org.stepwise.train.TrainingTimeline;
import org.stepwise.train.UpdateStrategy;

/** Real training sessions of a character model on a short text, of any width, for the autosave tests. */
final class SessionFixtures {

    static final String TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on a mat. ";
    static final CharTokenizer TOKENIZER = CharTokenizer.train(TEXT);

    private SessionFixtures() {
    }

    /** A session after {@code steps} iterations of AdamW on a model of width {@code dModel} and {@code layers} blocks. */
    static TrainingSession trained(String name, int dModel, int layers, int steps) {
        ModelConfig config = ModelConfig.gpt2Like(TOKENIZER.vocabSize(), 8, layers, 2, dModel);
        Dataset data = new Dataset(TOKENIZER.encode(TEXT.repeat(4)).ids(), 8, 0.1);
        TrainingSettings settings = new TrainingSettings(5, 1e-2, Optimizer.Kind.ADAMW, 0.01,
                LearningRateSchedule.warmupCosine(5, 40), 1.0, UpdateStrategy.PER_BATCH, 11, 0.1, 4, 1);
        TrainingLoop loop = TrainingLoop.fresh(config, data, settings);
        TrainingTimeline timeline = new TrainingTimeline();
        for (int i = 0; i < steps; i++) {
            TrainingLoop.Step step = loop.stepIteration();
            timeline.record(loop.iteration(), loop.epoch(), step.loss(), step.validationLoss(), loop.weights());
        }
        return TrainingSession.capture(name, loop, TOKENIZER, timeline.lossHistory());
    }
}
