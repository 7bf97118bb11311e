package dev.consilium.runtime.loop;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * A unit's result: the value itself in the driver's JVM (nothing is copied in-process), its JSON when it travels
 * back from an executor, read back as an equal value. The agents' and rewards' records stay free of
 * {@code java.io.Serializable}; their JSON forms are the journals' own.
 */
abstract class JsonResult<T> implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient T value;

    JsonResult(T value) {
        this.value = value;
    }

    T value() {
        return value;
    }

    abstract String write(T value);

    abstract T read(String json);

    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        out.writeObject(write(value));
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        value = read((String) in.readObject());
    }
}
