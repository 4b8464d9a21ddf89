package org.stepwise.ui.export;

import java.util.ArrayList;
import java.util.List;

import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;

import org.stepwise.pipeline.Stage;
import org.stepwise.sample.SamplingSettings;
import org.stepwise.ui.TensorStagePanel;
import org.stepwise.ui.stage.StageActions;
import org.stepwise.ui.stage.StageContext;
import org.stepwise.ui.stage.StagePanel;
import org.stepwise.ui.stage.StagePanels;
import org.stepwise.viz.HeatmapView;

/**
 * A second panel of the kind on screen, showing the same context in a scene of its own that is as large as its
 * content, so every part and every heatmap cell is drawn (the panel on screen draws only what its scroll panes and
 * the window show). It has the window's stylesheets and width; of a tab pane it shows the tab selected on screen, of
 * a scroll pane the whole content. Built on the FX thread.
 */
final class PanelCopy {

    /** The copy is a picture: what it would ask the window to do (explain a cell, open a stage) is not done. */
    private static final StageActions PICTURE_ONLY = new StageActions() {
        @Override
        public void appendToken(int id) {
        }

        @Override
        public void openStage(Stage stage, int head) {
        }

        @Override
        public void selectToken(int position) {
        }

        @Override
        public void setSampling(SamplingSettings sampling) {
        }

        @Override
        public void showExplanation(String text) {
            if (text == null) {
                throw new IllegalArgumentException("an explanation text is required");
            }
        }
    };

    private PanelCopy() {
    }

    /**
     * A new panel for {@code context}'s stage, laid out in full, in a host with the window's margins around it.
     *
     * @param context  what the panel on screen shows. Not modified.
     * @param onScreen the panel's node in the window, for its stylesheets, width and tab. Not modified.
     */
    static Node of(StageContext context, Node onScreen) {
        StagePanel panel = StagePanels.special(context.stage().kind()).orElseGet(TensorStagePanel::new);
        StackPane host = new StackPane(panel.node());
        host.getStyleClass().add("stage-host");
        BorderPane root = new BorderPane(host);
        root.getStyleClass().add("stepwise-root");
        double width = Math.max(1, Math.ceil(onScreen.getLayoutBounds().getWidth()));
        root.setPrefWidth(width);
        // Large enough to hold any picture that can be exported, so no cell falls outside the scene.
        Scene scene = new Scene(new Group(root), PanelImage.MAX_SIDE, PanelImage.MAX_SIDE);
        if (onScreen.getScene() != null) {
            scene.getStylesheets().setAll(onScreen.getScene().getStylesheets());
        }
        panel.show(new StageContext(context.model(), context.weights(), context.sentence(), context.run(),
                context.stage(), context.head(), context.selectedToken(), context.sampling(), context.messages(),
                PICTURE_ONLY));
        root.applyCss();
        root.layout();
        int tab = onScreen instanceof TabPane shownTabs ? shownTabs.getSelectionModel().getSelectedIndex() : 0;
        Node shown = unwrapped(panel.node(), tab);
        host.getChildren().setAll(shown);
        root.applyCss();
        root.layout();
        // A heatmap works out which cells it draws when it is laid out; now that nothing clips them, all are drawn.
        List<HeatmapView> heatmaps = new ArrayList<>();
        collectHeatmaps(root, heatmaps);
        for (HeatmapView heatmap : heatmaps) {
            heatmap.requestLayout();
        }
        root.layout();
        return host;
    }

    /**
     * {@code node} with every scroll pane replaced by its content and a tab pane by the content of tab
     * {@code tab}: off screen their clips would hide what the picture should show. Modified: the panes it takes
     * the content out of.
     */
    private static Node unwrapped(Node node, int tab) {
        if (node instanceof TabPane tabs && !tabs.getTabs().isEmpty()) {
            Tab chosen = tabs.getTabs().get(Math.max(0, Math.min(tab, tabs.getTabs().size() - 1)));
            Node content = chosen.getContent();
            chosen.setContent(null);
            return content == null ? new Region() : unwrapped(withStylesheets(content, tabs), tab);
        }
        if (node instanceof ScrollPane scroll) {
            Node content = scroll.getContent();
            scroll.setContent(null);
            return content == null ? new Region() : unwrapped(withStylesheets(content, scroll), tab);
        }
        if (node instanceof Pane pane) {
            for (int i = 0; i < pane.getChildren().size(); i++) {
                Node child = pane.getChildren().get(i);
                Node replacement = unwrapped(child, tab);
                if (replacement != child) {
                    pane.getChildren().set(i, replacement);
                }
            }
        }
        return node;
    }

    /** {@code content}, given the stylesheets of the pane it is taken out of, so it keeps its look. */
    private static Node withStylesheets(Node content, Parent pane) {
        if (content instanceof Parent parent) {
            for (String sheet : pane.getStylesheets()) {
                if (!parent.getStylesheets().contains(sheet)) {
                    parent.getStylesheets().add(sheet);
                }
            }
        }
        return content;
    }

    private static void collectHeatmaps(Node node, List<HeatmapView> into) {
        if (node instanceof HeatmapView heatmap) {
            into.add(heatmap);
        } else if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                collectHeatmaps(child, into);
            }
        }
    }
}
