package dev.consilium.runtime.seam;

import java.io.Serializable;

/**
 * What a worker JVM builds once and reuses across tasks: a judge, a policy loaded from a checkpoint. The spec
 * is a value: two equal specs build interchangeable workers, so {@link WorkerCache} keys on it and a new
 * checkpoint, being a new spec, builds a new worker. {@link #build} runs where the work runs, never on the
 * driver on behalf of an executor.
 *
 * @param <W> the live object, never serialised; closed when its cache entry goes if it is {@link AutoCloseable}
 */
public interface WorkerSpec<W> extends Serializable {

    /** Builds the live worker; {@code secrets} holds the API keys the driver shipped with the job. */
    W build(SecretEnv secrets);

    /**
     * Whether building this spec's worker makes {@code other}'s worker obsolete in the same JVM: a round's policy
     * supersedes the previous round's, so an executor holds one policy, not one per round it served.
     */
    default boolean supersedes(WorkerSpec<?> other) {
        return false;
    }
}
