package dev.consilium.agents.provider.cache;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.consilium.agents.provider.ProviderException;

import java.nio.file.Path;

/**
 * The providers file's {@code "cache"}: {@code {"dir": "cache", "mode": "read-write"}}. A relative {@code dir}
 * is read against the providers file's own directory, so a file and its cache move together.
 *
 * @param mode {@link CacheMode#READ_WRITE} unless given
 */
public record CacheSettings(Path dir, CacheMode mode) {

    public CacheSettings {
        if (dir == null) throw new ProviderException("\"cache\" needs a \"dir\": the directory that holds its entries");
        if (mode == null) mode = CacheMode.READ_WRITE;
    }

    @JsonCreator
    static CacheSettings fromJson(@JsonProperty("dir") String dir, @JsonProperty("mode") CacheMode mode) {
        return new CacheSettings(dir == null ? null : Path.of(dir), mode);
    }

    /** These settings with a relative {@code dir} taken as relative to {@code base}. */
    public CacheSettings resolvedAgainst(Path base) {
        return new CacheSettings(base == null ? dir : base.resolve(dir), mode);
    }

    public ResponseCache open() {
        return ResponseCache.open(dir, mode);
    }
}
