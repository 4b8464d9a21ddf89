package org.stepwise.ui.stage;

import javafx.scene.Node;

/** The centre of the window for one kind of stage: draws what {@link StageContext} says, on the FX thread. */
public interface StagePanel {

    /** The node to place in the window; the same node for the panel's whole life. */
    Node node();

    /** Shows the context; called on the FX thread whenever the stage, a selection or the trace changes. */
    void show(StageContext context);
}
