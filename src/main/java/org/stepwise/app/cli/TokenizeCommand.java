package org.stepwise.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.tokenizer.Tokenizer;
import org.stepwise.tokenizer.TokenizerFiles;

/** {@code stepwise tokenize}: the ids and tokens of a text, or of every line of a JSON-lines file. */
@Command(name = "tokenize", resourceBundle = Cli.BUNDLE)
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR", descriptionKey = "tokenizer")
    Path tokenizerDir;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--input", paramLabel = "FILE", descriptionKey = "inputStrings")
    Path input;

    @Parameters(arity = "0..1", paramLabel = "TEXT", descriptionKey = "text")
    String text;

    @Override
    public Integer call() throws IOException {
        List<String> texts = new ArrayList<>();
        if (input != null) {
            int line = 0;
            for (JsonNode node : Json.readLines(input)) {
                line++;
                if (!node.isTextual()) {
                    throw new BadInputException(input + ": value " + line + " is not a JSON string");
                }
                texts.add(node.asText());
            }
        } else if (text != null) {
            texts.add(text);
        } else {
            throw new BadInputException("give a TEXT or --input FILE");
        }
        Tokenizer tokenizer = TokenizerFiles.load(tokenizerDir);
        for (String t : texts) {
            if (t.isEmpty()) {
                throw new BadInputException("the text is empty: there is nothing to tokenize");
            }
            Tokenizer.Encoding encoding = tokenizer.encode(t);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("ids", encoding.ids());
                out.put("tokens", encoding.tokens());
                spec.commandLine().getOut().println(Json.line(out));
            } else {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < encoding.size(); i++) {
                    line.append(i == 0 ? "" : " ").append(encoding.ids()[i]).append(':')
                            .append(encoding.tokens().get(i));
                }
                spec.commandLine().getOut().println(line);
            }
        }
        return 0;
    }
}
