package org.stepwise.app;

import javafx.application.Application;

import org.stepwise.app.cli.Cli;

/**
 * Entry point of {@code stepwise.jar}: with no arguments it opens the window, with a subcommand it runs
 * the command line. It does not extend {@link Application}, so the shaded jar starts without a module path.
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            Application.launch(StepwiseApp.class, args);
        } else {
            System.exit(Cli.run(args));
        }
    }
}
