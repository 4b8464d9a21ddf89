package org.stepwise.ui.training;

import java.util.ResourceBundle;

import javafx.beans.Observable;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import org.stepwise.model.ModelConfig;
import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.ui.ChoiceText;

/**
 * The "new model" form: every architecture choice of the engine plus the tokenizer strategy and vocabulary size.
 * Every change is checked at once by building the {@link ModelConfig}; an invalid combination shows the reason
 * and disables OK, so nothing invalid ever leaves the dialog.
 */
public final class NewModelDialog extends Dialog<ModelRecipe> {

    private final ResourceBundle messages;
    private final Spinner<Integer> layers = spinner("new-model-layers", 1, 12, 2);
    private final Spinner<Integer> heads = spinner("new-model-heads", 1, 16, 4);
    private final Spinner<Integer> kvHeads = spinner("new-model-kv-heads", 1, 16, 4);
    private final Spinner<Integer> dModel = spinner("new-model-d-model", 4, 512, 64);
    private final Spinner<Integer> ffnWidth = spinner("new-model-ffn", 4, 2048, 256);
    private final Spinner<Integer> contextLength = spinner("new-model-context", 4, 256, 64);
    private final ComboBox<ModelConfig.Activation> activation = new ComboBox<>();
    private final ComboBox<ModelConfig.Positional> positional = new ComboBox<>();
    private final ComboBox<ModelConfig.Norm> norm = new ComboBox<>();
    private final CheckBox tiedOutput = new CheckBox();
    private final CheckBox bias = new CheckBox();
    private final CheckBox mixture = new CheckBox();
    private final Spinner<Integer> experts = spinner("new-model-experts", 2, 16, 4);
    private final Spinner<Integer> topK = spinner("new-model-top-k", 1, 16, 2);
    private final ComboBox<Tokenizer.Kind> tokenizer = new ComboBox<>();
    private final Spinner<Integer> vocabSize = spinner("new-model-vocab", ModelRecipe.MIN_VOCAB_SIZE, 8192, 384);
    private final Label problem = new Label();
    private ModelRecipe valid;

    /**
     * @param start     the architecture the form starts from (the current model's)
     * @param kind      its tokenizer strategy (GPT-2's byte-level BPE starts the form at BPE)
     * @param vocabSize its vocabulary size
     */
    public NewModelDialog(ResourceBundle messages, ModelConfig start, Tokenizer.Kind kind, int vocabSize) {
        this.messages = messages;
        setTitle(messages.getString("dashboard.newModel.title"));
        setHeaderText(messages.getString("dashboard.newModel.header"));
        getDialogPane().getStylesheets().add(NewModelDialog.class.getResource("dashboard.css").toExternalForm());
        getDialogPane().setId("new-model-dialog");

        activation.getItems().addAll(ModelConfig.Activation.values());
        positional.getItems().addAll(ModelConfig.Positional.values());
        norm.getItems().addAll(ModelConfig.Norm.values());
        tokenizer.getItems().addAll(Tokenizer.Kind.CHARACTER, Tokenizer.Kind.WORD, Tokenizer.Kind.BPE);
        activation.setConverter(named("dashboard.activation."));
        positional.setConverter(named("dashboard.positional."));
        norm.setConverter(named("dashboard.norm."));
        tokenizer.setConverter(named("dashboard.tokenizer."));
        activation.setId("new-model-activation");
        positional.setId("new-model-positional");
        norm.setId("new-model-norm");
        tokenizer.setId("new-model-tokenizer");
        tiedOutput.setId("new-model-tied");
        bias.setId("new-model-bias");
        mixture.setId("new-model-moe");
        tiedOutput.setText(messages.getString("dashboard.newModel.tied"));
        bias.setText(messages.getString("dashboard.newModel.bias"));
        mixture.setText(messages.getString("dashboard.newModel.moe"));
        problem.setId("new-model-problem");
        problem.getStyleClass().add("dashboard-warning");
        problem.setWrapText(true);
        problem.setMaxWidth(460);

        layers.getValueFactory().setValue(start.nLayer());
        heads.getValueFactory().setValue(start.nHead());
        kvHeads.getValueFactory().setValue(start.nKvHead());
        dModel.getValueFactory().setValue(start.dModel());
        ffnWidth.getValueFactory().setValue(start.dFf());
        contextLength.getValueFactory().setValue(start.contextLength());
        activation.setValue(start.activation());
        positional.setValue(start.positional());
        norm.setValue(start.norm());
        tiedOutput.setSelected(start.tiedOutput());
        bias.setSelected(start.bias());
        mixture.setSelected(start.isMoe());
        if (start.isMoe()) {
            experts.getValueFactory().setValue(start.nExperts());
            topK.getValueFactory().setValue(start.topK());
        }
        tokenizer.setValue(kind == Tokenizer.Kind.BYTE_LEVEL_BPE ? Tokenizer.Kind.BPE : kind);
        this.vocabSize.getValueFactory().setValue(vocabSize);
        experts.disableProperty().bind(mixture.selectedProperty().not());
        topK.disableProperty().bind(mixture.selectedProperty().not());
        this.vocabSize.disableProperty().bind(tokenizer.valueProperty().isEqualTo(Tokenizer.Kind.CHARACTER));

        GridPane form = new GridPane();
        form.setHgap(10);
        form.setVgap(6);
        int row = 0;
        row = add(form, row, "dashboard.newModel.layers", layers, "dashboard.newModel.heads", heads);
        row = add(form, row, "dashboard.newModel.kvHeads", kvHeads, "dashboard.newModel.dModel", dModel);
        row = add(form, row, "dashboard.newModel.ffn", ffnWidth, "dashboard.newModel.context", contextLength);
        row = add(form, row, "dashboard.newModel.activation", activation, "dashboard.newModel.positional", positional);
        row = add(form, row, "dashboard.newModel.norm", norm, null, tiedOutput);
        form.add(bias, 1, row);
        form.add(mixture, 3, row);
        row++;
        row = add(form, row, "dashboard.newModel.experts", experts, "dashboard.newModel.topK", topK);
        row = add(form, row, "dashboard.newModel.tokenizer", tokenizer, "dashboard.newModel.vocab", this.vocabSize);
        Label hint = new Label(messages.getString("dashboard.newModel.hint"));
        hint.getStyleClass().add("dashboard-caption");
        hint.setWrapText(true);
        hint.setMaxWidth(460);
        VBox content = new VBox(10, form, hint, problem);
        content.setPadding(new Insets(10));
        getDialogPane().setContent(content);
        getDialogPane().getButtonTypes().addAll(ButtonType.OK, ButtonType.CANCEL);

        Observable[] inputs = {layers.valueProperty(), heads.valueProperty(), kvHeads.valueProperty(),
            dModel.valueProperty(), ffnWidth.valueProperty(), contextLength.valueProperty(), activation.valueProperty(),
            positional.valueProperty(), norm.valueProperty(), tiedOutput.selectedProperty(), bias.selectedProperty(),
            mixture.selectedProperty(), experts.valueProperty(), topK.valueProperty(), tokenizer.valueProperty(),
            this.vocabSize.valueProperty()};
        for (Observable input : inputs) {
            input.addListener(observable -> check());
        }
        check();
        setResultConverter(button -> button == ButtonType.OK ? valid : null);
    }

    /** The recipe the form describes now, or null while it is invalid (the reason is shown). */
    public ModelRecipe recipe() {
        return valid;
    }

    private void check() {
        try {
            ModelConfig config = new ModelConfig(Math.max(vocabSize.getValue(), 2), contextLength.getValue(),
                    layers.getValue(), heads.getValue(), kvHeads.getValue(), dModel.getValue(), ffnWidth.getValue(),
                    activation.getValue(), positional.getValue(), norm.getValue(), tiedOutput.isSelected(),
                    bias.isSelected(), mixture.isSelected() ? experts.getValue() : 0,
                    mixture.isSelected() ? topK.getValue() : 0, 1e-5, 10000.0);
            valid = new ModelRecipe(config, tokenizer.getValue(), vocabSize.getValue());
            problem.setText("");
        } catch (IllegalArgumentException | NullPointerException e) {
            valid = null;
            problem.setText(messages.getString("dashboard.newModel.invalid") + " " + e.getMessage());
        }
        Node ok = getDialogPane().lookupButton(ButtonType.OK);
        if (ok != null) {
            ok.setDisable(valid == null);
        }
    }

    private int add(GridPane form, int row, String leftKey, Node left, String rightKey, Node right) {
        form.add(new Label(messages.getString(leftKey)), 0, row);
        form.add(left, 1, row);
        if (rightKey != null) {
            form.add(new Label(messages.getString(rightKey)), 2, row);
        }
        form.add(right, 3, row);
        return row + 1;
    }

    private static Spinner<Integer> spinner(String id, int min, int max, int initial) {
        Spinner<Integer> spinner = new Spinner<>(min, max, initial);
        spinner.setId(id);
        spinner.setEditable(true);
        spinner.setPrefWidth(96);
        return spinner;
    }

    private <E extends Enum<E>> StringConverter<E> named(String prefix) {
        return ChoiceText.of(value -> messages.getString(prefix + value.name()));
    }
}
