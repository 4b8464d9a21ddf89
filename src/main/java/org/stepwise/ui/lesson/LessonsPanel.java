package org.stepwise.ui.lesson;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

import javafx.collections.FXCollections;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import javafx.util.Subscription;

import org.stepwise.lesson.Answer;
import org.stepwise.lesson.Directive;
import org.stepwise.lesson.Lesson;
import org.stepwise.lesson.LessonFormatException;
import org.stepwise.lesson.LessonLibrary;
import org.stepwise.lesson.LessonStep;
import org.stepwise.ui.ChoiceText;
import org.stepwise.ui.I18n;
import org.stepwise.ui.ScrollPanes;

/**
 * The lessons panel: the list of lessons with the steps seen (and the error of a broken file, with its
 * file and line), the shown step's title and text with its mathematics, its questions with a Check
 * button, and Previous / Next / a step chooser with "step 3 of 8". PageDown and PageUp move between
 * steps wherever the focus is (Space stays the window's next stage); the actions of a step are run by a
 * {@link LessonPlayer}.
 */
public final class LessonsPanel extends VBox {

    /** Characters of a broken file's problem shown in the list; the tooltip has all of it. */
    public static final int PROBLEM_SHOWN = 60;

    private final ResourceBundle messages;
    private final LessonHost host;
    private final LessonPlayer player;
    private final ListView<LessonLibrary.Entry> list = new ListView<>();
    private final Label lessonTitle = new Label();
    private final Label progress = new Label();
    private final Label stepTitle = new Label();
    private final VBox stepBody = new VBox(12);
    private final ScrollPane stepScroll = ScrollPanes.drawnDirectly(new ScrollPane(stepBody));
    private final Label actionError = new Label();
    private final Button previous = new Button();
    private final Button next = new Button();
    private final ComboBox<Integer> jump = new ComboBox<>();
    private final List<QuestionBox> questions = new ArrayList<>();
    /** What this panel listens to on the player, let go by {@link #detach}. */
    private final List<Subscription> subscriptions = new ArrayList<>();
    private boolean syncing;

    /**
     * @param messages the user's language ({@code lesson.} keys)
     * @param host     what the lessons act on
     * @param player   plays the lessons on {@code host}
     */
    public LessonsPanel(ResourceBundle messages, LessonHost host, LessonPlayer player) {
        if (messages == null || host == null || player == null) {
            throw new IllegalArgumentException("the lessons panel needs messages, a host and a player");
        }
        this.messages = messages;
        this.host = host;
        this.player = player;
        setId("lessons-panel");
        getStyleClass().add("lessons-panel");
        setSpacing(8);
        setPrefWidth(330);
        setMinWidth(300);

        Label heading = new Label(messages.getString("lesson.heading"));
        heading.getStyleClass().add("lessons-heading");
        list.setId("lesson-list");
        list.getStyleClass().add("lesson-list");
        list.setPrefHeight(230);
        list.setMinHeight(110);
        list.setCellFactory(view -> new LessonCell());
        list.getSelectionModel().selectedItemProperty().addListener((observable, before, chosen) -> {
            if (!syncing && chosen != null && chosen.lesson() != null && chosen.lesson() != player.lessonProperty().get()) {
                player.open(chosen.lesson());
            }
        });

        lessonTitle.setId("lesson-title");
        lessonTitle.getStyleClass().add("lesson-title");
        lessonTitle.setWrapText(true);
        progress.setId("lesson-progress");
        progress.getStyleClass().add("lesson-progress");
        progress.setMinWidth(Region.USE_PREF_SIZE);
        stepTitle.setId("lesson-step-title");
        stepTitle.getStyleClass().add("lesson-step-title");
        stepTitle.setWrapText(true);
        stepBody.setId("lesson-step-body");
        stepBody.getStyleClass().add("lesson-step-body");
        stepScroll.setId("lesson-step-scroll");
        stepScroll.getStyleClass().add("lesson-step-scroll");
        stepScroll.setFitToWidth(true);
        stepScroll.setHbarPolicy(ScrollPane.ScrollBarPolicy.NEVER);
        VBox.setVgrow(stepScroll, Priority.ALWAYS);
        actionError.setId("lesson-action-error");
        actionError.getStyleClass().add("lesson-error");
        actionError.setWrapText(true);
        actionError.setManaged(false);
        actionError.setVisible(false);

        previous.setId("lesson-previous");
        previous.setText(messages.getString("lesson.previous"));
        previous.setTooltip(new Tooltip(messages.getString("lesson.previous.tooltip")));
        previous.setOnAction(event -> player.previous());
        next.setId("lesson-next");
        next.setText(messages.getString("lesson.next"));
        next.setTooltip(new Tooltip(messages.getString("lesson.next.tooltip")));
        next.setOnAction(event -> player.next());
        jump.setId("lesson-jump");
        jump.setTooltip(new Tooltip(messages.getString("lesson.jump.tooltip")));
        jump.setConverter(stepNames());
        jump.setButtonCell(new ListCell<>() {         // the title is above; the button says where in the lesson
            @Override
            protected void updateItem(Integer index, boolean empty) {
                super.updateItem(index, empty);
                Lesson lesson = player.lessonProperty().get();
                setText(empty || index == null || lesson == null ? ""
                        : I18n.format(messages, "lesson.jump.button", index + 1, lesson.steps().size()));
            }
        });
        jump.valueProperty().addListener((observable, before, chosen) -> {
            if (!syncing && chosen != null && chosen != player.stepIndexProperty().get()) {
                player.goTo(chosen);
            }
        });
        jump.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(jump, Priority.ALWAYS);
        for (Region control : List.of(previous, next)) {
            control.setMinWidth(Region.USE_PREF_SIZE);
            control.setFocusTraversable(false);
        }
        HBox navigation = new HBox(6, previous, jump, next);
        navigation.setAlignment(Pos.CENTER_LEFT);
        HBox titleLine = new HBox(8, lessonTitle, progress);
        titleLine.setAlignment(Pos.BASELINE_LEFT);
        HBox.setHgrow(lessonTitle, Priority.ALWAYS);
        lessonTitle.setMaxWidth(Double.MAX_VALUE);

        getChildren().addAll(heading, list, titleLine, stepTitle, stepScroll, actionError, navigation);

        subscriptions.add(player.lessonProperty().subscribe((before, after) -> showLesson()));
        subscriptions.add(player.stepIndexProperty().subscribe((before, after) -> showStep()));
        subscriptions.add(player.errorProperty().subscribe((before, after) -> {
            actionError.setText(after.isEmpty() ? "" : I18n.format(messages, "lesson.actionError", player.errorLine(), after));
            actionError.setVisible(!after.isEmpty());
            actionError.setManaged(!after.isEmpty());
        }));
        showLesson();
    }

    /**
     * Lets go of the player: this panel no longer follows it, so a panel built anew on the same player (e.g. in
     * another language) can take its place. The player and its lesson are not modified.
     */
    public void detach() {
        subscriptions.forEach(Subscription::unsubscribe);
        subscriptions.clear();
    }

    /** Shows these lessons and broken files in the list, in this order; the open lesson is kept. */
    public void setEntries(List<LessonLibrary.Entry> items) {
        syncing = true;
        list.setItems(FXCollections.observableArrayList(items));
        syncing = false;
        showLesson();
    }

    /** Says in the panel that the lessons could not be listed, and why. */
    public void showLoadError(String reason) {
        actionError.setText(I18n.format(messages, "lesson.loadError", reason));
        actionError.setVisible(true);
        actionError.setManaged(true);
    }

    /** The rows of the lesson list. */
    public List<LessonLibrary.Entry> entries() {
        return List.copyOf(list.getItems());
    }

    /** The player that runs the lessons shown here. */
    public LessonPlayer player() {
        return player;
    }

    /** The question boxes of the shown step, in order. */
    public List<QuestionBox> questions() {
        return List.copyOf(questions);
    }

    /**
     * PageDown / PageUp step through the open lesson while {@code root} (the window) has the key focus
     * anywhere except in a text field; installs the filter on {@code root}.
     */
    public void installKeys(Node root) {
        root.addEventFilter(KeyEvent.KEY_PRESSED, event -> {
            if (!isVisible() || player.lessonProperty().get() == null) {
                return;
            }
            if (event.getCode() == KeyCode.PAGE_DOWN) {
                player.next();
                event.consume();
            } else if (event.getCode() == KeyCode.PAGE_UP) {
                player.previous();
                event.consume();
            }
        });
    }

    private void showLesson() {
        Lesson lesson = player.lessonProperty().get();
        syncing = true;
        List<Integer> steps = new ArrayList<>();
        if (lesson != null) {
            for (int i = 0; i < lesson.steps().size(); i++) {
                steps.add(i);
            }
            for (LessonLibrary.Entry item : list.getItems()) {
                if (item.lesson() == lesson) {
                    list.getSelectionModel().select(item);
                }
            }
        }
        jump.setItems(FXCollections.observableList(steps));
        syncing = false;
        lessonTitle.setText(lesson == null ? messages.getString("lesson.none") : lesson.title());
        showStep();
    }

    private void showStep() {
        Lesson lesson = player.lessonProperty().get();
        int index = player.stepIndexProperty().get();
        questions.clear();
        boolean hadFocus = getScene() != null && within(getScene().getFocusOwner(), stepBody);
        stepBody.getChildren().clear();
        if (hadFocus) {
            getScene().getRoot().requestFocus();    // the window's keys (Space, arrows) work again at once
        }
        boolean open = lesson != null && index >= 0;
        previous.setDisable(!open || index == 0);
        next.setDisable(!open || index + 1 >= lesson.steps().size());
        jump.setDisable(!open);
        if (!open) {
            progress.setText("");
            stepTitle.setText("");
            if (lesson == null) {
                stepBody.getChildren().add(LessonText.render(messages.getString("lesson.choose")));
            }
            return;
        }
        LessonStep step = lesson.step(index);
        progress.setText(I18n.format(messages, "lesson.progress", index + 1, lesson.steps().size()));
        stepTitle.setText(step.title());
        syncing = true;
        jump.setValue(null);        // the button's "step 1 / N" is written again even when another lesson is at the same step
        jump.setValue(index);
        syncing = false;
        if (index == 0 && !lesson.intro().isBlank()) {
            VBox intro = LessonText.render(lesson.intro());
            intro.getStyleClass().add("lesson-intro");
            stepBody.getChildren().add(intro);
        }
        stepBody.getChildren().add(LessonText.render(step.text()));
        for (Directive directive : step.directives()) {
            if (directive instanceof Directive.Question question) {
                QuestionBox box = new QuestionBox(question, questions.size());
                questions.add(box);
                stepBody.getChildren().add(box);
            }
        }
        stepScroll.setVvalue(0);
        list.refresh();
    }

    private static boolean within(Node node, Node ancestor) {
        for (Node at = node; at != null; at = at.getParent()) {
            if (at == ancestor) {
                return true;
            }
        }
        return false;
    }

    private StringConverter<Integer> stepNames() {
        return ChoiceText.of(index -> {
            Lesson lesson = player.lessonProperty().get();
            if (lesson == null || index < 0 || index >= lesson.steps().size()) {
                return "";
            }
            return I18n.format(messages, "lesson.jump.item", index + 1, lesson.step(index).title());
        });
    }

    /** A row of the lesson list: title and steps seen, or the file, line and problem of a broken file. */
    private final class LessonCell extends ListCell<LessonLibrary.Entry> {
        @Override
        protected void updateItem(LessonLibrary.Entry item, boolean empty) {
            super.updateItem(item, empty);
            getStyleClass().remove("lesson-broken");
            if (empty || item == null) {
                setText(null);
                setTooltip(null);
                return;
            }
            setWrapText(true);
            setPrefWidth(0);
            if (item.lesson() != null) {
                Lesson lesson = item.lesson();
                setText(I18n.format(messages, "lesson.list.item", lesson.title(),
                        player.stepsSeen(lesson.id()), lesson.steps().size()));
                setTooltip(lesson.intro().isBlank() ? null : new Tooltip(lesson.intro()));
            } else {
                LessonFormatException error = item.error();
                String file = item.fileName();
                String problem = error.problem();
                if (problem.length() > PROBLEM_SHOWN) {
                    problem = problem.substring(0, PROBLEM_SHOWN).strip() + "…";
                }
                setText(I18n.format(messages, "lesson.list.broken", file, error.line(), problem));
                setTooltip(new Tooltip(error.getMessage()));
                getStyleClass().add("lesson-broken");
            }
        }
    }

    /**
     * One question of the step: its text, an answer field (or the sentence's tokens as buttons for an
     * attends-most question, the options for a choice) and Check; the expected answer is computed from
     * the app's state when Check is pressed.
     */
    public final class QuestionBox extends VBox {
        private final Directive.Question question;
        private final TextField answer = new TextField();
        private final ToggleGroup picks = new ToggleGroup();
        private final Label verdict = new Label();
        private final FlowPane choices = new FlowPane(6, 6);

        QuestionBox(Directive.Question question, int number) {
            this.question = question;
            setId("lesson-question-" + number);
            getStyleClass().add("lesson-question");
            setSpacing(6);
            VBox text = LessonText.render(question.text());
            Button check = new Button(messages.getString("lesson.check"));
            check.setId("lesson-check-" + number);
            check.setOnAction(event -> check());
            check.setMinWidth(Region.USE_PREF_SIZE);
            verdict.setId("lesson-verdict-" + number);
            verdict.setWrapText(true);
            verdict.getStyleClass().add("lesson-verdict");
            answer.setId("lesson-answer-" + number);
            answer.setPromptText(messages.getString("lesson.answer.prompt"));
            answer.setOnAction(event -> check());
            HBox.setHgrow(answer, Priority.ALWAYS);
            choices.setId("lesson-choices-" + number);
            getChildren().add(text);
            if (question.ask() instanceof Directive.Ask.Choice) {
                for (int i = 0; i < question.options().size(); i++) {
                    ToggleButton option = addPick((i + 1) + ". " + question.options().get(i), String.valueOf(i + 1));
                    // An option is a sentence: one per line, as wide as the panel, wrapped, never cut off.
                    option.setWrapText(true);
                    option.setAlignment(Pos.CENTER_LEFT);
                    option.prefWidthProperty().bind(choices.widthProperty());
                }
                getChildren().addAll(choices, new HBox(6, check));
            } else if (question.ask() instanceof Directive.Ask.AttendsMost) {
                fillTokens();
                getChildren().addAll(choices, new HBox(6, check));
            } else {
                HBox line = new HBox(6, answer, check);
                line.setAlignment(Pos.CENTER_LEFT);
                getChildren().add(line);
            }
            getChildren().add(verdict);
        }

        /**
         * The tokens the answer is one of as buttons, once they are traced (the step's @sentence may still be
         * computing): the source's for a cross-attention or encoder pattern, the sentence's otherwise.
         */
        private void fillTokens() {
            host.whenSettled(() -> {
                choices.getChildren().clear();
                List<String> tokens = question.ask() instanceof Directive.Ask.AttendsMost most
                        && (most.cross() || most.encoder()) ? host.sourceTokenTexts() : host.tokenTexts();
                for (int i = 0; i < tokens.size(); i++) {
                    addPick((i + 1) + ": " + tokens.get(i), String.valueOf(i + 1));
                }
            });
        }

        private ToggleButton addPick(String label, String value) {
            ToggleButton pick = new ToggleButton(label);
            pick.setUserData(value);
            pick.setToggleGroup(picks);
            pick.getStyleClass().add("lesson-pick");
            pick.setId(getId() + "-pick-" + value);
            pick.setFocusTraversable(false);
            choices.getChildren().add(pick);
            return pick;
        }

        /** The question asked. */
        public Directive.Question question() {
            return question;
        }

        /** Types {@code text} as the answer, or presses the token / option button whose value it is. */
        public void answer(String text) {
            answer.setText(text);
            picks.getToggles().stream().filter(toggle -> text.equals(toggle.getUserData())).findFirst()
                    .ifPresent(picks::selectToggle);
        }

        /** Checks the answer given against the answer computed now; returns whether it was right. */
        public boolean check() {
            String given = picks.getSelectedToggle() != null ? (String) picks.getSelectedToggle().getUserData()
                    : answer.getText();
            verdict.getStyleClass().removeAll("lesson-right", "lesson-wrong");
            Answer expected;
            try {
                expected = question.expected(host.questionContext());
            } catch (IllegalArgumentException cannot) {
                verdict.setText(I18n.format(messages, "lesson.cannotCheck", cannot.getMessage()));
                verdict.getStyleClass().add("lesson-wrong");
                return false;
            }
            boolean right = expected.accepts(given);
            verdict.setText(right ? I18n.format(messages, "lesson.right", expected.display())
                    : given == null || given.isBlank() ? messages.getString("lesson.empty")
                    : I18n.format(messages, "lesson.wrong", expected.display()));
            verdict.getStyleClass().add(right ? "lesson-right" : "lesson-wrong");
            return right;
        }

        /** The verdict shown under the question ("" before Check). */
        public String verdict() {
            return verdict.getText();
        }
    }
}
