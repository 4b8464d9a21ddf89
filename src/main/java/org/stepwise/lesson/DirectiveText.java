package org.stepwise.lesson;

import java.util.Locale;
import java.util.Map;

/** Writes a directive back in lesson-file syntax with 1-based numbers, for messages a lesson author reads. */
final class DirectiveText {
    private DirectiveText() {
    }

    static String of(Directive directive) {
        if (directive instanceof Directive.SetSentence set) {
            return "@sentence " + set.text();
        }
        if (directive instanceof Directive.GoToStage go) {
            return "@stage " + Directive.word(go.kind()) + number(" block=", go.block0()) + number(" head=", go.head0())
                    + (go.encoder() ? " encoder" : "");
        }
        if (directive instanceof Directive.UseTranslation) {
            return "@model translation";
        }
        if (directive instanceof Directive.SetTarget target) {
            return "@target " + target.text();
        }
        if (directive instanceof Directive.Translate) {
            return "@translate";
        }
        if (directive instanceof Directive.SelectToken select) {
            return "@select token=" + (select.clears() ? "none" : Integer.toString(select.token0() + 1));
        }
        if (directive instanceof Directive.SetSampling sampling) {
            StringBuilder text = new StringBuilder("@sampling");
            sampling.temperature().ifPresent(t -> text.append(" temperature=").append(decimal(t)));
            sampling.topK().ifPresent(k -> text.append(" top-k=").append(k));
            sampling.topP().ifPresent(p -> text.append(" top-p=").append(decimal(p)));
            return text.toString();
        }
        if (directive instanceof Directive.UseModel use) {
            StringBuilder text = new StringBuilder(use.variant() ? "@model variant" : "@model default");
            for (Map.Entry<String, String> option : use.options().entrySet()) {
                text.append(' ').append(option.getKey()).append('=').append(option.getValue());
            }
            return text.toString();
        }
        if (directive instanceof Directive.TrainCommand command) {
            return "@train " + Directive.word(command.action());
        }
        if (directive instanceof Directive.TrainSetting setting) {
            return "@train set " + Directive.word(setting.key()) + "=" + setting.value();
        }
        if (directive instanceof Directive.Highlight highlight) {
            return "@highlight " + Directive.word(highlight.panel());
        }
        if (directive instanceof Directive.OpenPanel panel) {
            return "@panel " + Directive.word(panel.view());
        }
        Directive.Question question = (Directive.Question) directive;
        return "@question " + ask(question.ask())
                + (question.options().isEmpty() ? "" : " (" + question.options().size() + " options)");
    }

    private static String ask(Directive.Ask ask) {
        if (ask instanceof Directive.Ask.AttendsMost most) {
            return "attends-most block=" + (most.block0() + 1) + " head=" + (most.head0() + 1) + " token="
                    + (most.token0() + 1) + (most.cross() ? " stage=cross-softmax" : "") + (most.encoder() ? " encoder" : "");
        }
        if (ask instanceof Directive.Ask.Shape shape) {
            return "shape tensor=" + shape.tensor() + " stage=" + Directive.word(shape.stage())
                    + number(" block=", shape.block0()) + (shape.encoder() ? " encoder" : "");
        }
        if (ask instanceof Directive.Ask.TokenCount) {
            return "token-count";
        }
        if (ask instanceof Directive.Ask.MostLikelyNext) {
            return "most-likely-next";
        }
        if (ask instanceof Directive.Ask.ParameterShare share) {
            return "parameter-share part=" + Directive.word(share.part());
        }
        return "choice correct=" + (((Directive.Ask.Choice) ask).correct0() + 1);
    }

    private static String number(String key, int index0) {
        return index0 < 0 ? "" : key + (index0 + 1);
    }

    private static String decimal(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e9 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }
}
