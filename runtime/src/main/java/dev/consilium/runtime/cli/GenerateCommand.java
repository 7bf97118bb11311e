package dev.consilium.runtime.cli;

import dev.consilium.moe.checkpoint.CheckpointWeights;
import dev.consilium.moe.generate.Completion;
import dev.consilium.moe.generate.Generator;
import dev.consilium.moe.generate.SamplingParams;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.consilium.moe.tokenizer.ChatTemplate;
import dev.consilium.moe.tokenizer.TemplateMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** Streams a completion of the built-in model to stdout; throughput on stderr. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text with a built-in model checkpoint, streamed to stdout.",
                "Ends with [N tokens, first after T ms, R tokens/s after it, mtp acceptance A] on stderr."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, description = "Checkpoint directory (config.json, model.safetensors, tokenizer.json).")
    Path model;
    @Option(names = "--prompt", required = true, description = "The text to continue (with --chat: the user's message).")
    String prompt;
    @Option(names = "--chat", description = "Wrap the prompt in the DeepSeek-V3 chat template and stop at the end of the turn.")
    boolean chat;
    @Option(names = "--max-tokens", defaultValue = "256", description = "New tokens at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "1.0", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;
    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--seed", description = "Seed for reproducible sampling (default: random).")
    Long seed;
    @Option(names = "--speculative", description = {"Draft tokens with the MTP modules and verify them (self-speculative decoding);",
            "on a CPU it is slower at batch 1 (see README's benchmarks)."})
    boolean speculative;

    @Override
    public Integer call() {
        // the projections stay in the checkpoint's precision: a BF16 or FP8 copy decodes from its own bytes
        CheckpointWeights ckpt = CheckpointWeights.load(model);
        BpeTokenizer tok = ckpt.tokenizer();
        if (tok == null) throw new IllegalArgumentException(model + ": no tokenizer.json, so there is no text to generate from");
        int[] ids;
        Set<Integer> stops = Set.of();
        try {
            ChatTemplate template = ChatTemplate.deepSeekV3(tok);
            stops = Set.of(template.endOfTurn());
            ids = chat ? template.prompt(List.of(TemplateMessage.user(prompt))) : tok.encode(prompt);
        } catch (RuntimeException e) {
            if (chat) throw e;
            ids = tok.encode(prompt);
        }
        SamplingParams params = SamplingParams.builder().temperature(temperature).topP(topP).topK(topK).seed(seed)
                .maxNewTokens(maxTokens).stopTokenIds(stops).build();
        Generator generator = Generator.builder().weights(dev.consilium.moe.generate.InferenceWeights.of(ckpt)).tokenizer(tok).speculative(speculative).build();
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        long[] first = {0};
        Completion c = generator.generate(ids, params, (token, text) -> {
            if (first[0] == 0) first[0] = System.nanoTime();
            out.print(text);
            out.flush();
        });
        long end = System.nanoTime();
        out.println();
        out.flush();
        int n = c.tokens().length;
        String acceptance = c.draftTokens() == 0 ? "n/a"
                : String.format(Locale.ROOT, "%.2f", (double) c.acceptedDraftTokens() / c.draftTokens());
        // The first token carries the prompt's prefill (and, in a fresh JVM, the JIT's first compilations),
        // so the decoding rate is given after it.
        String rate = n > 1 && first[0] != 0
                ? String.format(Locale.ROOT, "%.1f tokens/s after it", (n - 1) / ((end - first[0]) / 1e9)) : "no tokens after it";
        spec.commandLine().getErr().printf(Locale.ROOT, "[%d tokens, first after %.0f ms, %s, mtp acceptance %s]%n",
                n, ((first[0] != 0 ? first[0] : end) - t0) / 1e6, rate, acceptance);
        return 0;
    }
}
