package dev.consilium.runtime.cli;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.Providers;
import dev.consilium.agents.provider.ProvidersConfig;
import dev.consilium.agents.provider.Seeds;
import dev.consilium.agents.provider.StreamingCall;
import dev.consilium.agents.provider.cache.CacheMode;
import dev.consilium.agents.provider.cache.CacheSettings;
import dev.consilium.agents.provider.decorator.Failures;
import dev.consilium.agents.provider.decorator.Sleeper;
import dev.consilium.agents.provider.ledger.LedgerSettings;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Talks to any model a ref names, through the same provider layer agents use. With a message argument it prints
 * one answer; without, it reads one user turn per line from standard input and answers each in turn, keeping the
 * whole conversation. Answers stream as they are generated when the model's provider streams.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Send a message to a model and print its answer; with no MESSAGE, read one user turn per line "
                + "from standard input and keep the conversation.",
                "API keys come from environment variables only (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, "
                        + "DEEPSEEK_API_KEY, or a deployment's apiKeyEnv)."})
final class ChatCommand implements Runnable {

    @Spec
    CommandSpec spec;
    @Option(names = "--model", required = true, paramLabel = "REF",
            description = "A model ref (openai/gpt-4o-mini, ollama/llama3.2, openai-compatible/NAME, builtin/PATH) or a deployment name from --providers.")
    String model;
    @Option(names = "--base-url", paramLabel = "URL",
            description = "The server's base URL, e.g. http://127.0.0.1:8000/v1; enough for openai-compatible/NAME without a providers file.")
    String baseUrl;
    @Option(names = "--providers", paramLabel = "FILE", description = "A providers file (deployments, limits, prices).")
    Path providersFile;
    @Option(names = "--system", paramLabel = "TEXT", description = "A system message that opens the conversation.")
    String system;
    @Option(names = "--temperature", description = "Sampling temperature (default: the model's).")
    Double temperature;
    @Option(names = "--max-tokens", description = "Most tokens per answer (default: the model's).")
    Integer maxTokens;
    @Option(names = "--seed", description = "Sampling seed, for models whose API takes one per request.")
    Integer seed;
    @Option(names = "--cache", paramLabel = "DIR",
            description = "Answer a repeated request from the response cache in DIR and store new answers there (instead of the providers file's \"cache\").")
    Path cacheDir;
    @Option(names = "--cache-mode", paramLabel = "MODE", converter = CacheModeConverter.class,
            description = "read-write (the default), read-only (replay: a request not in the cache is an error) or off.")
    CacheMode cacheMode;
    @Option(names = "--ledger", paramLabel = "FILE",
            description = "Append each model call's usage and cost to FILE as one JSON line (instead of the providers file's \"ledger\").")
    Path ledgerFile;
    @Parameters(arity = "0..1", paramLabel = "MESSAGE", description = "The user message; omit it to read turns from standard input.")
    String message;
    /** How retries wait; null for the real clock. Tests set it, so a {@code Retry-After} costs them no time. */
    Sleeper sleeper;
    /** Where keys are read; null for the process environment. Tests set it, as they cannot set variables. */
    Function<String, String> env;

    @Override
    public void run() {
        ProvidersConfig config = providersFile == null ? ProvidersConfig.EMPTY : ProvidersConfig.load(providersFile);
        Deployment deployment = config.find(model).orElseGet(() -> Deployment.of(model));
        if (baseUrl != null) {
            deployment = deployment.toBuilder().baseUrl(baseUrl).build();
            config = config.with(deployment);
        }
        config = withCacheAndLedger(config);
        Providers.Builder builder = Providers.builder().config(config);
        if (sleeper != null) builder.sleeper(sleeper);
        if (env != null) builder.env(env);
        Providers providers = builder.build();
        String ref = deployment.name();
        Conversation conversation = providers.streams(ref)
                ? new Streaming(deployment.describe(), providers.streamingChatModel(ref))
                : new Blocking(providers.chatModel(ref));
        ChatRequestParameters parameters = DefaultChatRequestParameters.builder()
                .temperature(temperature).maxOutputTokens(maxTokens).build();
        if (seed != null) parameters = Seeds.withSeed(parameters, conversation.defaults(), seed, deployment.describe());

        PrintWriter out = spec.commandLine().getOut();
        List<ChatMessage> history = new ArrayList<>();
        if (system != null) history.add(SystemMessage.from(system));
        if (message != null) {
            turn(conversation, history, parameters, message, out);
            return;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) turn(conversation, history, parameters, line, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    /** The providers file's cache and ledger, as the command's options change them. */
    private ProvidersConfig withCacheAndLedger(ProvidersConfig config) {
        if (cacheDir != null) config = config.withCache(new CacheSettings(cacheDir, cacheMode));
        else if (cacheMode == CacheMode.OFF) config = config.withCache(null);
        else if (cacheMode != null) {
            if (config.cache() == null) {
                throw new ProviderException("--cache-mode " + cacheMode + " needs a cache: give --cache DIR, or a \"cache\" in the providers file");
            }
            config = config.withCache(new CacheSettings(config.cache().dir(), cacheMode));
        }
        if (ledgerFile != null) {
            Double budget = config.ledger() == null ? null : config.ledger().budgetUsd();
            config = config.withLedger(new LedgerSettings(ledgerFile, budget));
        }
        return config;
    }

    private void turn(Conversation conversation, List<ChatMessage> history, ChatRequestParameters parameters,
                      String user, PrintWriter out) {
        history.add(UserMessage.from(user));
        String answer = conversation.answer(ChatRequest.builder().messages(history).parameters(parameters).build(), out);
        history.add(AiMessage.from(answer));
        out.println();
        out.flush();
    }

    /** A model seen from the command line: its defaults, and one answer written to {@code out} and returned. */
    private sealed interface Conversation {
        ChatRequestParameters defaults();

        String answer(ChatRequest request, PrintWriter out);
    }

    /** Through the whole decorator stack (retry, rate limit, fallback, deadline), printed once complete. */
    private record Blocking(ChatModel model) implements Conversation {
        @Override
        public ChatRequestParameters defaults() {
            return model.defaultRequestParameters();
        }

        @Override
        public String answer(ChatRequest request, PrintWriter out) {
            String text = model.chat(request).aiMessage().text();
            out.print(text);
            return text;
        }
    }

    /**
     * Printed as it arrives. A failure before the first token is retried and falls back like a blocking call's;
     * one after it is not (what was printed cannot be taken back).
     */
    private record Streaming(String name, StreamingChatModel model) implements Conversation {
        @Override
        public ChatRequestParameters defaults() {
            return model.defaultRequestParameters();
        }

        @Override
        public String answer(ChatRequest request, PrintWriter out) {
            try {
                return StreamingCall.join(model, request, partial -> {
                    out.print(partial);
                    out.flush();
                }).aiMessage().text();
            } catch (ProviderException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ProviderException(name + ": " + Failures.describe(e), e);
            }
        }
    }

    /** Reads {@code read-write}, {@code read-only} and {@code off} in any case, with dashes or underscores. */
    static final class CacheModeConverter implements CommandLine.ITypeConverter<CacheMode> {
        @Override
        public CacheMode convert(String value) {
            try {
                return CacheMode.parse(value);
            } catch (ProviderException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
