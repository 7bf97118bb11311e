package dev.consilium.moe.config;

/** A config that cannot describe a model; the message names the file and key at fault. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
