package dev.consilium.agents.provider.ledger;

import dev.consilium.agents.provider.Deployment;
import dev.consilium.agents.provider.ModelRef;
import dev.langchain4j.model.chat.response.ChatResponse;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The usage book: one normalized, priced record per provider call, totals by run, agent and model, and an
 * optional budget. Thread-safe; one ledger is shared by every model of a run.
 *
 * <p>The budget stops <em>new</em> calls: a call that starts under budget finishes and is recorded, so the
 * total may pass the budget by the calls in flight when it was reached.
 *
 * <p>With a {@linkplain Builder#file file}, each record is also appended to it as one JSON line when the call
 * completes, so a run's usage survives the process; a ledger opened on an existing file starts from the records
 * it holds (and its budget counts them).
 */
public final class Ledger {

    private final PriceTable prices;
    private final Double budgetUsd;
    private final Consumer<String> warnings;
    private final Path file;
    private final List<UsageRecord> records = new ArrayList<>();
    private final Set<String> warnedUnpriced = ConcurrentHashMap.newKeySet();
    private double spentUsd;

    private Ledger(Builder b) {
        this.prices = b.prices;
        this.budgetUsd = b.budgetUsd;
        this.warnings = b.warnings;
        this.file = b.file;
        if (file != null) {
            for (UsageRecord r : UsageJournal.read(file)) {
                records.add(r);
                spentUsd += r.costUsd();
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** @throws BudgetExceededException when the budget is spent */
    public void checkBudget() {
        double spent;
        synchronized (this) {
            spent = spentUsd;
        }
        if (budgetUsd != null && spent >= budgetUsd) {
            throw new BudgetExceededException(String.format(
                    "budget of $%.4f is spent ($%.6f over %d calls); no new model calls are made",
                    budgetUsd, spent, size()));
        }
    }

    /**
     * Records one completed call and returns its record. The deployment's own {@code price} wins over this
     * ledger's price table.
     */
    public UsageRecord record(Attribution who, Deployment deployment, ChatResponse response) {
        Usage usage = Usage.of(response);
        ModelRef model = deployment.ref();
        Optional<ModelPrice> price = deployment.price() != null ? Optional.of(deployment.price()) : prices.find(model);
        if (price.isEmpty() && warnedUnpriced.add(model.toString())) {
            warnings.accept("no price for model " + model + "; its calls are recorded at cost 0. "
                    + "Add an entry in LiteLLM's price format to the providers file's \"prices\" or the deployment's \"price\"");
        }
        double cost = price.map(p -> p.cost(usage)).orElse(0.0);
        UsageRecord r = new UsageRecord(who.run(), who.agent(), deployment.name(), model.toString(), usage, cost, price.isPresent());
        synchronized (this) {
            if (file != null) UsageJournal.append(file, r);
            records.add(r);
            spentUsd += cost;
        }
        return r;
    }

    /** The JSONL file the records are appended to, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public synchronized List<UsageRecord> records() {
        return List.copyOf(records);
    }

    public synchronized int size() {
        return records.size();
    }

    public synchronized double spentUsd() {
        return spentUsd;
    }

    public Totals total() {
        Totals t = Totals.ZERO;
        for (UsageRecord r : records()) t = t.plus(r);
        return t;
    }

    public Map<String, Totals> byRun() {
        return totalsBy(UsageRecord::run);
    }

    public Map<String, Totals> byAgent() {
        return totalsBy(UsageRecord::agent);
    }

    public Map<String, Totals> byModel() {
        return totalsBy(UsageRecord::model);
    }

    /** Totals grouped by any key of a record, in first-seen order. */
    public Map<String, Totals> totalsBy(Function<UsageRecord, String> key) {
        Map<String, Totals> out = new LinkedHashMap<>();
        for (UsageRecord r : records()) out.put(key.apply(r), out.getOrDefault(key.apply(r), Totals.ZERO).plus(r));
        return Collections.unmodifiableMap(out);
    }

    public static final class Builder {
        private PriceTable prices = PriceTable.bundled();
        private Double budgetUsd;
        private Consumer<String> warnings = LoggerFactory.getLogger(Ledger.class)::warn;
        private Path file;

        private Builder() {}

        /** Defaults to {@link PriceTable#bundled()}. */
        public Builder prices(PriceTable prices) {
            this.prices = prices;
            return this;
        }

        /** No budget by default. */
        public Builder budgetUsd(double budgetUsd) {
            if (!(budgetUsd >= 0)) throw new IllegalArgumentException("budgetUsd must be >= 0, got " + budgetUsd);
            this.budgetUsd = budgetUsd;
            return this;
        }

        /**
         * Appends every record to {@code file} as one JSON line, and starts from the records it already holds;
         * in memory only by default.
         */
        public Builder file(Path file) {
            this.file = file;
            return this;
        }

        /** Where the one-per-model warning about a missing price goes; SLF4J by default. */
        public Builder warnings(Consumer<String> warnings) {
            this.warnings = warnings;
            return this;
        }

        public Ledger build() {
            return new Ledger(this);
        }
    }
}
