package org.stepwise.app.cli;

/** Input the command line cannot use; its message is the one line the user sees (exit code 2). */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }
}
