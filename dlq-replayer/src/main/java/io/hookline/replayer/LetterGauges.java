package io.hookline.replayer;

import io.hookline.common.event.DeadLetter;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.ReplayJobRepository;
import io.hookline.replayer.store.StoredLetter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from the index every few seconds (a scrape never waits for the database): letters per state
 * ({@code hookline_dlq_letters{state}}), still-dead letters per reason ({@code hookline_dlq_dead_letters{reason}})
 * and running replay jobs ({@code hookline_replay_jobs_running}).
 */
final class LetterGauges implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LetterGauges.class);
    private static final List<String> STATES =
            List.of(StoredLetter.DEAD, StoredLetter.REPLAYING, StoredLetter.REPLAYED, StoredLetter.DISCARDED);
    private static final List<String> REASONS =
            List.of(DeadLetter.EXHAUSTED, DeadLetter.MAX_AGE, DeadLetter.GONE, DeadLetter.PERMANENT);

    private final ServiceDatabase database;
    private final DeadLetterRepository letters;
    private final ReplayJobRepository jobs;
    private final Map<String, Long> byState = new ConcurrentHashMap<>();
    private final Map<String, Long> byReason = new ConcurrentHashMap<>();
    private volatile int runningJobs;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dlq-gauges");
        t.setDaemon(true);
        return t;
    });

    LetterGauges(ServiceDatabase database, DeadLetterRepository letters, ReplayJobRepository jobs,
                 MeterRegistry meters) {
        this.database = database;
        this.letters = letters;
        this.jobs = jobs;
        for (String state : STATES) {
            Gauge.builder("hookline.dlq.letters", byState, m -> m.getOrDefault(state, 0L))
                    .tag("state", state).description("dead letters in the index per state").register(meters);
        }
        for (String reason : REASONS) {
            Gauge.builder("hookline.dlq.dead.letters", byReason, m -> m.getOrDefault(reason, 0L))
                    .tag("reason", reason).description("dead letters not yet replayed or discarded, per reason")
                    .register(meters);
        }
        Gauge.builder("hookline.replay.jobs.running", this, g -> g.runningJobs)
                .description("replay jobs in state running").register(meters);
    }

    LetterGauges start() {
        refresher.scheduleWithFixedDelay(this::refresh, 0, 2, TimeUnit.SECONDS);
        return this;
    }

    void refresh() {
        try {
            database.read(h -> {
                Map<String, Long> states = letters.countByState(h);
                Map<String, Long> reasons = letters.deadByReason(h);
                STATES.forEach(s -> byState.put(s, states.getOrDefault(s, 0L)));
                REASONS.forEach(r -> byReason.put(r, reasons.getOrDefault(r, 0L)));
                runningJobs = jobs.countRunning(h);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.debug("cannot refresh dead-letter gauges: {}", e.toString());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
