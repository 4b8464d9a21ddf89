package org.stepwise.ui.stage;

import java.util.ResourceBundle;

import org.stepwise.model.Parameters;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.pipeline.PreparedSentence;
import org.stepwise.pipeline.SentenceTrace;
import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;

/**
 * Everything a stage panel draws from: the model, the weights the trace was computed with, the
 * sentence and its trace, and what the user has selected. Immutable; a new one arrives with every change.
 *
 * @param model         the open model (config, tokenizer, its saved weights)
 * @param weights       the weights {@code run} was computed with (the trainer's latest, or the model's own)
 * @param sentence      the sentence as tokenized and trimmed to the context
 * @param run           the trace of {@code sentence} under {@code weights}; null when the sentence is empty
 * @param stage         the stage on screen
 * @param head          the selected query head of the stage's block
 * @param selectedToken the selected token position, or −1
 * @param sampling      temperature, top-k and top-p of the output stages
 * @param messages      the user's language
 * @param actions       what a panel may ask the window to do
 */
public record StageContext(LoadedModel model, Parameters weights, PreparedSentence sentence, SentenceTrace run,
                           Stage stage, int head, int selectedToken, SamplingSettings sampling,
                           ResourceBundle messages, StageActions actions) {

    /**
     * True when {@code other} shows the same numbers in the same language: the same trace computed
     * with the same weights, so a panel need not refill its heatmaps. Null {@code other}: false.
     */
    public boolean sameNumbersAs(StageContext other) {
        return other != null && other.run == run && other.weights == weights && other.messages == messages;
    }
}
