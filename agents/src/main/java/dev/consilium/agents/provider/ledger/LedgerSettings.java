package dev.consilium.agents.provider.ledger;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.consilium.agents.provider.ProviderException;

import java.nio.file.Path;

/**
 * The providers file's {@code "ledger"}: {@code {"file": "usage.jsonl", "budgetUsd": 5}}. Every call is appended
 * to {@code file} as one JSON line, and a ledger opened on an existing file starts from the usage it holds, so a
 * budget spans the runs that share the file. A relative {@code file} is read against the providers file's
 * directory.
 *
 * @param file      where the records are kept; null keeps them in memory only
 * @param budgetUsd null for no budget
 */
public record LedgerSettings(Path file, Double budgetUsd) {

    public LedgerSettings {
        if (budgetUsd != null && !(budgetUsd >= 0)) {
            throw new ProviderException("\"ledger\": \"budgetUsd\" must be >= 0, got " + budgetUsd);
        }
    }

    @JsonCreator
    static LedgerSettings fromJson(@JsonProperty("file") String file, @JsonProperty("budgetUsd") Double budgetUsd) {
        return new LedgerSettings(file == null ? null : Path.of(file), budgetUsd);
    }

    /** These settings with a relative {@code file} taken as relative to {@code base}. */
    public LedgerSettings resolvedAgainst(Path base) {
        return new LedgerSettings(base == null || file == null ? file : base.resolve(file), budgetUsd);
    }

    public Ledger open() {
        Ledger.Builder b = Ledger.builder();
        if (file != null) b.file(file);
        if (budgetUsd != null) b.budgetUsd(budgetUsd);
        return b.build();
    }
}
