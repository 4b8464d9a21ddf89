package org.stepwise.app.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.stepwise.model.Transformer;
import org.stepwise.model.io.LoadedModel;
import org.stepwise.sample.Generator;
import org.stepwise.sample.SamplingSettings;

/** {@code stepwise generate}: continue a prompt token by token with temperature, top-k and top-p. */
@Command(name = "generate", resourceBundle = Cli.BUNDLE)
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", descriptionKey = "model")
    Path modelDir;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Prompt prompt;

    static final class Prompt {
        @Option(names = "--prompt", paramLabel = "TEXT", descriptionKey = "prompt")
        String text;

        @Option(names = "--ids", paramLabel = "1,2,3", descriptionKey = "ids")
        String ids;
    }

    @Option(names = "--max-new-tokens", required = true, paramLabel = "N", descriptionKey = "maxNewTokens")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T", descriptionKey = "temperature")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", paramLabel = "K", descriptionKey = "topK")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", paramLabel = "P", descriptionKey = "topP")
    double topP;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", descriptionKey = "seed")
    long seed;

    @Option(names = "--json", descriptionKey = "json")
    boolean json;

    @Option(names = "--source", paramLabel = "TEXT", descriptionKey = "sourceSentence")
    String sourceSentence;

    @Override
    public Integer call() throws IOException {
        if (maxNewTokens < 0) {
            throw new BadInputException("--max-new-tokens must be 0 or more, got " + maxNewTokens);
        }
        SamplingSettings settings = new SamplingSettings(temperature, topK, topP);
        if (TranslationCommands.isTranslationModel(modelDir)) {
            if (sourceSentence == null || prompt != null) {
                throw new BadInputException(modelDir + " holds a translation model: give the sentence to translate with"
                        + " --source (and no --prompt or --ids)");
            }
            TranslationCommands.generate(modelDir, sourceSentence, maxNewTokens, settings, seed, json,
                    spec.commandLine().getOut());
            return 0;
        }
        if (sourceSentence != null) {
            throw new BadInputException("--source is for a translation (encoder-decoder) model, and " + modelDir
                    + " holds a decoder-only model");
        }
        if (prompt == null) {
            throw new BadInputException("give the text to continue with --prompt or --ids");
        }
        LoadedModel model = ModelOptions.open(modelDir);
        int[] start = prompt.ids != null ? ModelOptions.parseIds(prompt.ids, model.config().vocabSize())
                : ModelOptions.encode(model.tokenizer(), prompt.text);
        Generator generator = new Generator(new Transformer(model.config(), model.parameters()));
        int[] ids = generator.generate(start, maxNewTokens, settings, model.tokenizer().specials().eos(),
                new SplittableRandom(seed));
        String text = model.tokenizer().decode(ids);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ids", ids);
            out.put("text", text);
            out.put("prompt_tokens", start.length);
            spec.commandLine().getOut().println(Json.line(out));
        } else {
            spec.commandLine().getOut().println(text);
        }
        return 0;
    }
}
