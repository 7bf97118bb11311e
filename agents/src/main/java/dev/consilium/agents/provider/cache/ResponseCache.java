package dev.consilium.agents.provider.cache;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.consilium.agents.provider.LogprobsMetadata;
import dev.consilium.agents.provider.ProviderException;
import dev.consilium.agents.provider.TokenLogprob;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A persistent, content-addressed store of model responses: one JSON file per request, named by the SHA-256 of
 * the {@link CanonicalRequest} ({@code DIR/ab/abcdef....json}), holding the canonical request beside the
 * response so a cache directory can be read and diffed, and a SHA-256 checksum over both. An entry is served
 * only if it matches its checksum and its stored request equals the one asked; any other entry (edited, copied
 * over another's file, empty, {@code null}) is an error that names its file. Files are written whole (to a temporary file, then moved
 * into place), so a crash never leaves a torn entry. Identical requests made at the same time share one model
 * call. One cache may serve many models: the model ref is part of the key.
 *
 * <p>A stored response keeps the message (text, thinking, tool calls), id, model name, finish reason, token
 * counts and token logprobs where it had them (a replayed G-Eval judgment reads the same distribution); vendor
 * metadata such as raw HTTP bodies is not kept.
 */
public final class ResponseCache {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<TokenLogprob>> TOKENS = new TypeReference<>() {};

    private final Path dir;
    private final CacheMode mode;
    private final Map<String, CompletableFuture<ChatResponse>> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    private ResponseCache(Path dir, CacheMode mode) {
        this.dir = dir;
        this.mode = mode;
    }

    public static ResponseCache open(Path dir, CacheMode mode) {
        if (mode != CacheMode.OFF) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new ProviderException(dir + ": cannot create the response cache directory: " + e.getMessage(), e);
            }
        }
        return new ResponseCache(dir, mode);
    }

    public CacheMode mode() {
        return mode;
    }

    public CacheStats stats() {
        return new CacheStats(hits.get(), misses.get());
    }

    /** The stored response for {@code request}, else {@code call}'s, stored; as {@link #mode()} allows. */
    public ChatResponse getOrCall(CanonicalRequest request, Supplier<ChatResponse> call) {
        if (mode == CacheMode.OFF) return call.get();
        ChatResponse stored = stored(request);
        if (stored != null) return stored;
        CompletableFuture<ChatResponse> mine = new CompletableFuture<>();
        CompletableFuture<ChatResponse> running = inFlight.putIfAbsent(request.key(), mine);
        if (running != null) {
            hits.incrementAndGet();
            return join(running);
        }
        try {
            // An identical call may have finished and left in-flight between the read above and putIfAbsent.
            stored = read(request);
            if (stored != null) {
                hits.incrementAndGet();
            } else {
                misses.incrementAndGet();
                stored = call.get();
                write(request, stored);
            }
            mine.complete(stored);
            return stored;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(request.key(), mine);
        }
    }

    /**
     * For a caller that makes the model call itself (a stream): the stored response, else null, counted as a miss
     * the caller answers and then {@link #store}s. In replay mode a miss throws {@link CacheMissException}.
     */
    public ChatResponse lookup(CanonicalRequest request) {
        if (mode == CacheMode.OFF) return null;
        ChatResponse stored = stored(request);
        if (stored == null) misses.incrementAndGet();
        return stored;
    }

    /** Stores {@code response} as the answer to {@code request}, unless the mode is read-only or off. */
    public void store(CanonicalRequest request, ChatResponse response) {
        if (mode == CacheMode.READ_WRITE) write(request, response);
    }

    /** The stored response, counted as a hit; null on a miss, which replay mode refuses. */
    private ChatResponse stored(CanonicalRequest request) {
        ChatResponse stored = read(request);
        if (stored != null) {
            hits.incrementAndGet();
            return stored;
        }
        if (mode == CacheMode.READ_ONLY) {
            misses.incrementAndGet();
            throw new CacheMissException("replay cache " + dir + " has no response for this request (key "
                    + request.key() + "); record it by running once with cache mode READ_WRITE. Request: "
                    + abbreviate(request.json()));
        }
        return null;
    }

    private static ChatResponse join(CompletableFuture<ChatResponse> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    private Path file(String key) {
        return dir.resolve(key.substring(0, 2)).resolve(key + ".json");
    }

    /**
     * The entry stored for {@code request}, checked before it is served: it must be whole (a checksum over its
     * key, request and response) and must answer this very request (its stored canonical request equal to the
     * one asked), so an entry edited by hand or copied over another's file is refused, naming the file, rather
     * than served as a valid hit.
     */
    private ChatResponse read(CanonicalRequest request) {
        Path file = file(request.key());
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw corrupt(file, "cannot be read (" + e.getMessage() + ")", e);
        }
        if (text.isBlank()) throw corrupt(file, "is empty", null);
        JsonNode entry;
        try {
            entry = JSON.readTree(text);
        } catch (IOException e) {
            throw corrupt(file, "is not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        if (!(entry instanceof ObjectNode object)) throw corrupt(file, "holds " + entry + ", not a cache entry", null);
        for (String field : new String[] {"key", "request", "response", "sha256"}) {
            if (!object.hasNonNull(field)) throw corrupt(file, "has no \"" + field + "\"", null);
        }
        ObjectNode content = object.deepCopy();
        String stored = content.remove("sha256").asText();
        if (!stored.equals(checksum(content))) {
            throw corrupt(file, "does not match its checksum: its content was edited or damaged", null);
        }
        JsonNode asked = tree(request.json());
        if (!request.key().equals(object.get("key").asText()) || !asked.equals(object.get("request"))) {
            throw corrupt(file, "holds the response to another request (key " + object.get("key").asText()
                    + "): an entry copied over this one's file", null);
        }
        try {
            return response(object.get("response"));
        } catch (RuntimeException e) {
            throw corrupt(file, "holds a response that cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static ChatResponse response(JsonNode r) {
        AiMessage message = (AiMessage) ChatMessageDeserializer.messageFromJson(r.path("message").toString());
        JsonNode usage = r.path("tokenUsage");
        List<TokenLogprob> logprobs = r.has("logprobs") ? JSON.convertValue(r.get("logprobs"), TOKENS) : List.of();
        return ChatResponse.builder()
                .aiMessage(message)
                .metadata(CachedResponseMetadata.builder()
                        .id(text(r, "id"))
                        .modelName(text(r, "modelName"))
                        .finishReason(r.hasNonNull("finishReason") ? FinishReason.valueOf(r.get("finishReason").asText()) : null)
                        .tokenUsage(usage.isObject() ? new TokenUsage(integer(usage, "input"), integer(usage, "output"),
                                integer(usage, "total")) : null)
                        .logprobs(logprobs)
                        .build())
                .build();
    }

    private static ProviderException corrupt(Path file, String what, Throwable cause) {
        return new ProviderException(file + ": cache entry " + what + "; it was not served. Delete the file to "
                + "re-record it", cause);
    }

    /** SHA-256 over the entry's key, request and response in canonical JSON, so key order and spacing do not count. */
    private static String checksum(ObjectNode content) {
        try {
            return CanonicalRequest.sha256(CanonicalRequest.canonicalJson(content));
        } catch (IOException e) {
            throw new ProviderException("cannot write a cache entry as canonical JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new ProviderException("cannot read back a canonical request: " + e.getMessage(), e);
        }
    }

    private void write(CanonicalRequest request, ChatResponse response) {
        ObjectNode entry = JSON.createObjectNode();
        entry.put("key", request.key());
        entry.set("request", tree(request.json()));
        ObjectNode r = entry.putObject("response");
        r.set("message", tree(ChatMessageSerializer.messageToJson(response.aiMessage())));
        r.put("id", response.id());
        r.put("modelName", response.modelName());
        if (response.finishReason() != null) r.put("finishReason", response.finishReason().name());
        TokenUsage t = response.tokenUsage();
        if (t != null) {
            ObjectNode usage = r.putObject("tokenUsage");
            usage.put("input", t.inputTokenCount());
            usage.put("output", t.outputTokenCount());
            usage.put("total", t.totalTokenCount());
        }
        List<TokenLogprob> logprobs = LogprobsMetadata.of(response);
        if (!logprobs.isEmpty()) r.set("logprobs", JSON.valueToTree(logprobs));
        entry.put("sha256", checksum(entry));
        Path file = file(request.key());
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), request.key(), ".tmp");
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(entry));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new ProviderException(file + ": cannot write cache entry: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static Integer integer(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asInt() : null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }
}
