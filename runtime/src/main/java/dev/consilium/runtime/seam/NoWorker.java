package dev.consilium.runtime.seam;

/** The spec of units that need no live object on their worker: overhead measurements, probes. */
public record NoWorker() implements WorkerSpec<String> {
    @Override
    public String build(SecretEnv secrets) {
        return "";
    }
}
