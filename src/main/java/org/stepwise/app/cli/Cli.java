package org.stepwise.app.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ResourceBundle;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: {@code tokenize}, {@code train}, {@code forward}, {@code generate}, {@code bench} and
 * {@code convert-gqa},
 * on the same engine as the window. Bad input ends with exit code 2 and one line on standard error.
 */
@Command(name = "stepwise", mixinStandardHelpOptions = true, resourceBundle = Cli.BUNDLE, version = "Stepwise 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        subcommands = {TokenizeCommand.class, TrainCommand.class, ForwardCommand.class, GenerateCommand.class,
                BenchCommand.class, ConvertGqaCommand.class})
public final class Cli implements Runnable {

    /** Help texts and messages of the command line, in English and Simplified Chinese. */
    public static final String BUNDLE = "org.stepwise.i18n.cli";

    /** Exit code for bad input: a missing file, malformed JSON, an unknown token id, empty text. */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Runs the command line with {@code args} on the process's standard streams; returns the exit code. */
    public static int run(String... args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return run(out, err, args);
    }

    /** Runs the command line with {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new Cli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        ResourceBundle messages = commandLine.getCommandSpec().resourceBundle();
        commandLine.setParameterExceptionHandler((ex, arguments) -> {
            err.println(messages.getString("cli.errorPrefix") + describe(ex) + " " + messages.getString("cli.seeHelp"));
            return BAD_INPUT;
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            err.println(messages.getString("cli.errorPrefix") + describe(ex));
            return ex instanceof BadInputException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.IOException ? BAD_INPUT : 1;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** One line saying what went wrong, without a stack trace. */
    static String describe(Throwable ex) {
        String message = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        if (message == null || message.isBlank()) {
            message = ex.getClass().getSimpleName();
        }
        if (message.startsWith("Error: ")) {
            message = message.substring("Error: ".length());
        }
        return message.replace('\n', ' ');
    }
}
