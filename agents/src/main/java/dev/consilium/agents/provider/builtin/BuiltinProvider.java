package dev.consilium.agents.provider.builtin;

import dev.consilium.agents.provider.ChatModelProvider;
import dev.consilium.agents.provider.ModelTarget;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.Providers;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code builtin/PATH-OR-NAME}: a checkpoint directory, given as a path, or as a name under {@code models/}
 * (so {@code builtin/demo-policy} finds {@code models/demo-policy}). One loaded model per directory serves
 * every ref and agent that names it.
 */
public final class BuiltinProvider implements ChatModelProvider {
    private static final Map<Path, BuiltinModel> LOADED = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return Providers.BUILTIN;
    }

    @Override
    public ChatModel chatModel(ModelTarget target) {
        return new BuiltinChatModel(model(target), target.listeners());
    }

    @Override
    public StreamingChatModel streamingChatModel(ModelTarget target) {
        return new BuiltinStreamingChatModel(model(target), target.listeners());
    }

    private static BuiltinModel model(ModelTarget target) {
        Path dir = resolve(target.describe(), target.modelName());
        return LOADED.computeIfAbsent(dir.toAbsolutePath().normalize(), BuiltinModel::load);
    }

    static Path resolve(String ref, String pathOrName) {
        Path direct = Path.of(pathOrName);
        if (Files.isRegularFile(direct.resolve("config.json"))) return direct;
        Path named = Path.of("models").resolve(pathOrName);
        if (Files.isRegularFile(named.resolve("config.json"))) return named;
        throw new ProviderException(ref + ": no checkpoint at " + direct.toAbsolutePath() + " or "
                + named.toAbsolutePath() + " (a directory with config.json, model.safetensors and tokenizer.json)");
    }
}
