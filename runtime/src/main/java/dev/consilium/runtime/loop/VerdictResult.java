package dev.consilium.runtime.loop;

import dev.consilium.rewards.verdict.Verdict;
import dev.consilium.runtime.seam.VerdictJson;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * A unit's verdict: the value itself in the driver's JVM, its JSON ({@link VerdictJson}, which reads back as an
 * equal value) when it travels back from an executor.
 */
final class VerdictResult implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient Verdict verdict;

    VerdictResult(Verdict verdict) {
        this.verdict = verdict;
    }

    Verdict verdict() {
        return verdict;
    }

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeObject(VerdictJson.write(verdict));
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        verdict = VerdictJson.read((String) in.readObject());
    }
}
