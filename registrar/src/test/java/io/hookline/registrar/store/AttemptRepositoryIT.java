package io.hookline.registrar.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.event.AttemptRecord;
import io.hookline.database.DatabaseSettings;
import io.hookline.database.ServiceDatabase;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link AttemptRepository#insertAll} on a real PostgreSQL: every column kept, each attempt stored once. */
@WithPostgres
class AttemptRepositoryIT {
    static TestDatabase db;
    static ServiceDatabase database;
    static final AttemptRepository ATTEMPTS = new AttemptRepository();
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MICROS);

    @BeforeAll
    static void open() {
        database = ServiceDatabase.open(new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), "registrar", 4,
                Duration.ofSeconds(5)), "registrar", "db/migration", new SimpleMeterRegistry());
        database.transaction(h -> {
            ATTEMPTS.ensurePartition(h, LocalDate.ofInstant(NOW, ZoneOffset.UTC));
            ATTEMPTS.ensurePartition(h, LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusDays(1));
            ATTEMPTS.ensurePartition(h, LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusDays(2));
            return null;
        });
    }

    @AfterAll
    static void close() {
        if (database != null) {
            database.close();
        }
    }

    private static AttemptRecord attempt(String id, String subscription, Instant startedAt, boolean success) {
        return success
                ? new AttemptRecord(1, id, subscription, "tenant-a", "evt_" + id, "orders.created", 1,
                "https://example.com/hook", startedAt, 12, AttemptRecord.SUCCESS, 204, null, null, null)
                : new AttemptRecord(1, id, subscription, "tenant-a", "evt_" + id, "orders.created", 3,
                null, startedAt, 5_000, "retryable", 503, "HTTP 503 with a quote ' and a comma, {\"a\":[1]}", 30_000L,
                "busy \u00e9\u4e2d\u6587");
    }

    private static List<AttemptRecord> insert(List<AttemptRecord> attempts) {
        return database.transaction(h -> ATTEMPTS.insertAll(h, attempts));
    }

    private static List<AttemptRecord> page(String subscription) {
        return database.read(h -> ATTEMPTS.page(h, subscription, null, null, null, 10));
    }

    @Test
    void everyColumnIsStoredAsWritten() {
        AttemptRecord ok = attempt("att_cols_ok", "sub_cols", NOW.minusSeconds(2), true);
        AttemptRecord failed = attempt("att_cols_fail", "sub_cols", NOW.minusSeconds(1), false);
        List<AttemptRecord> stored = insert(List.of(ok, failed));
        assertThat(stored).containsExactly(ok, failed);
        List<AttemptRecord> page = page("sub_cols");
        assertThat(page).containsExactly(failed, ok); // newest first
    }

    @Test
    void aReplayedAttemptAndADuplicateWithinTheBatchAreStoredOnce() {
        AttemptRecord first = attempt("att_dup_1", "sub_dup", NOW.minusSeconds(10), true);
        AttemptRecord second = attempt("att_dup_2", "sub_dup", NOW.minusSeconds(9), false);
        assertThat(insert(List.of(first))).containsExactly(first);

        AttemptRecord third = attempt("att_dup_3", "sub_dup", NOW.minusSeconds(8), true);
        // first: already stored (a record the consumer reads again after a crash); second: twice in one batch.
        List<AttemptRecord> stored = database.transaction(h -> ATTEMPTS.insertAll(h,
                List.of(first, second, third, second)));
        assertThat(stored).containsExactly(second, third);
        assertThat(page("sub_dup"))
                .containsExactly(third, second, first);
        assertThat(insert(List.of(first, second, third))).isEmpty();
    }

    @Test
    void aLargeBatchAcrossTwoDayPartitionsIsStoredWhole() {
        List<AttemptRecord> batch = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Instant at = NOW.minus(Duration.ofHours(i % 2 == 0 ? 0 : 25)).minusMillis(i);
            batch.add(attempt("att_big_" + i, "sub_big", at, i % 3 != 0));
        }
        assertThat(insert(batch)).hasSize(2_000);
        long count = database.read(h -> h.createQuery(
                "SELECT count(*) FROM attempts WHERE subscription_id = 'sub_big'").mapTo(Long.class).one());
        assertThat(count).isEqualTo(2_000L);
        assertThat(insert(List.of())).isEmpty();
    }
}
