package dev.consilium.runtime.loop;

import dev.consilium.agents.provider.builtin.BuiltinChatModel;
import dev.consilium.agents.provider.builtin.BuiltinModel;
import dev.consilium.moe.checkpoint.ModelCheckpoint;
import dev.consilium.moe.model.DeepSeekV3Model;
import dev.consilium.moe.tokenizer.BpeTokenizer;
import dev.langchain4j.model.chat.ChatModel;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The policy a stage of a round runs, as a value that can travel: on the driver it is the live model (served as
 * it is, nothing copied or written); serialised, it carries the checkpoint's files (config, weights, tokenizer),
 * packed once however often it is sent, and a worker elsewhere loads them into a model of its own. Two values
 * are the same checkpoint when their ids are equal: a new id per weights, so an executor's cached policy is
 * reused exactly while the weights it was built from are current.
 */
final class PolicyCheckpoint implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The model name trajectories carry, wherever the policy is served. */
    static final String NAME = "builtin/policy";

    private final String id;
    private transient DeepSeekV3Model model;
    private transient BpeTokenizer tokenizer;
    private transient ChatModel chat;
    private TreeMap<String, byte[]> files;

    private PolicyCheckpoint(String id, DeepSeekV3Model model, BpeTokenizer tokenizer, ChatModel chat) {
        this.id = id;
        this.model = model;
        this.tokenizer = tokenizer;
        this.chat = chat;
    }

    /** The model as it is now; it must not be trained while this checkpoint is in use (each update makes a new one). */
    static PolicyCheckpoint of(DeepSeekV3Model model, BpeTokenizer tokenizer) {
        return new PolicyCheckpoint(UUID.randomUUID().toString(), model, tokenizer, null);
    }

    /** A chat model that is no built-in checkpoint (tests, library users' stand-ins): served here, never sent. */
    static PolicyCheckpoint serving(ChatModel chat) {
        return new PolicyCheckpoint(UUID.randomUUID().toString(), null, null, chat);
    }

    /** The policy as a chat model, and what to close when the worker goes. */
    record Served(ChatModel chat, AutoCloseable resources) {}

    Served serve() {
        if (chat != null) return new Served(chat, () -> {});
        if (model != null) return served(BuiltinModel.of(NAME, model, tokenizer));
        if (files == null) throw new IllegalStateException("checkpoint " + id + " has neither a model nor its files");
        ModelCheckpoint loaded = CheckpointFiles.unpacked(files, "policy checkpoint " + id, ModelCheckpoint::load);
        return served(BuiltinModel.of(NAME, loaded.model(), loaded.tokenizer()));
    }

    private static Served served(BuiltinModel m) {
        return new Served(new BuiltinChatModel(m), m);
    }

    /** The packed checkpoint's size in bytes (packing it if it was not yet). */
    synchronized long bytes() throws NotSerializableException {
        long n = 0;
        for (byte[] b : packed().values()) n += b.length;
        return n;
    }

    @Serial
    private synchronized void writeObject(ObjectOutputStream out) throws IOException {
        packed();
        out.defaultWriteObject();
    }

    private TreeMap<String, byte[]> packed() throws NotSerializableException {
        if (files != null) return files;
        if (model == null) {
            throw new NotSerializableException("the policy is a chat model of the caller's (" + chat.getClass().getName()
                    + "), not a built-in checkpoint: it cannot be sent to another JVM; run in-process");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("consilium-policy-");
            Path cp = dir.resolve("checkpoint");
            ModelCheckpoint.save(cp, model, tokenizer, null);
            files = CheckpointFiles.read(cp);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack policy checkpoint " + id + ": " + e.getMessage(), e);
        } finally {
            if (dir != null) CheckpointFiles.delete(dir);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyCheckpoint c && c.id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "PolicyCheckpoint[" + id + "]";
    }
}
