package org.stepwise.app;

/** Plain entry point of the jar: no arguments opens the window, a subcommand runs the command line. */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        System.out.println("stepwise");
    }
}
