package io.hookline.replayer.replay;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.log.LogContext;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.database.ServiceDatabase;
import io.hookline.replayer.store.DeadLetterRepository;
import io.hookline.replayer.store.ReplayJob;
import io.hookline.replayer.store.ReplayJobRepository;
import io.hookline.replayer.store.ReplayJobRepository.SendingLetter;
import io.hookline.replayer.store.StoredLetter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs replay jobs, one worker thread per running job, each paced by its own {@link TokenBucket}, on the one
 * instance that holds the replay lease ({@link RunnerLease}).
 *
 * <p>At most once per job, even across crashes. A letter moves {@code pending → sending → sent}:
 * <ol>
 * <li>the worker claims it by committing its job-letter row as {@code sending} (row lock, {@code SKIP LOCKED}), so
 *     it leaves {@code pending} once per claim and only a claimed letter is ever written;</li>
 * <li>it writes the task (header {@code <job>/<letter>}) in a Kafka transaction ({@link DeliveryTaskWriter});</li>
 * <li>after the commit it records {@code sent} together with the letter's {@code replayed} state.</li>
 * </ol>
 * A crash or a failed write can leave letters in {@code sending} with their write in doubt. They are settled only
 * after a fence ({@code initTransactions} under the deployment's transactional id: every earlier transaction is
 * then committed or aborted for good and no earlier producer can commit again), by reading the topic
 * {@code read_committed} up to its high watermark ({@link SentLetterFinder}): found → {@code sent}, not found →
 * {@code pending} again, written later, once. Without the fence a write still in flight from the dead process (or
 * one whose acknowledgement timed out here) could land after the answer "not written" and go out twice. A new
 * leader fences before anything else; a worker settles its job's leftovers before it claims anything.
 */
public final class ReplayRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplayRunner.class);
    private static final Duration ERROR_PAUSE = Duration.ofSeconds(1);

    private final ServiceDatabase database;
    private final DeadLetterRepository letters;
    private final ReplayJobRepository jobs;
    private final DeliveryTaskWriter writer;
    private final SentLetterFinder finder;
    private final Function<String, Optional<SubscriptionRecord>> subscriptions;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "replay-job");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, CompletableFuture<Void>> active = new ConcurrentHashMap<>();
    private final RunnerLease lease;
    private final java.util.concurrent.ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "replay-sweeper");
                t.setDaemon(true);
                return t;
            });
    private volatile boolean leader;
    private final Counter replayed;
    private final Counter failed;
    private volatile boolean closed;

    public ReplayRunner(ServiceDatabase database, DeadLetterRepository letters, ReplayJobRepository jobs,
                        DeliveryTaskWriter writer, SentLetterFinder finder,
                        Function<String, Optional<SubscriptionRecord>> subscriptions, String schema,
                        MeterRegistry meters) {
        this.database = database;
        this.lease = new RunnerLease(database, schema);
        this.letters = letters;
        this.jobs = jobs;
        this.writer = writer;
        this.finder = finder;
        this.subscriptions = subscriptions;
        this.replayed = Counter.builder("hookline.replay.letters").tag("outcome", "replayed")
                .description("dead letters replayed to the deliveries topic (acknowledged)").register(meters);
        this.failed = Counter.builder("hookline.replay.letters").tag("outcome", "failed")
                .description("dead letters a replay could not send (reported per letter)").register(meters);
    }

    /**
     * Takes the replay lease if free, then resolves what a previous run left in {@code sending} and resumes every
     * running job; from then on a sweeper re-checks every {@value #SWEEP_SECONDS} s (jobs recorded by another
     * instance, workers stopped by an error, the lease freed by another instance).
     */
    public void start() {
        sweep();
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    private static final int SWEEP_SECONDS = 2;

    private void sweep() {
        if (closed) {
            return;
        }
        try {
            if (leader && !lease.isHeld()) {
                leader = false;
            }
            if (!leader) {
                if (!lease.tryAcquire()) {
                    return;
                }
                // A new producer epoch first: whatever an earlier leader had in flight is now settled for good.
                writer.fence();
                resolveSending(database.read(jobs::sending));
                leader = true;
            }
            for (String jobId : database.read(jobs::runningJobIds)) {
                if (!active.containsKey(jobId)) {
                    LOG.info("resuming replay job {}", jobId);
                    launch(jobId);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("replay sweep failed, retrying in {}s: {}", SWEEP_SECONDS, e.toString());
        }
    }

    /** Starts the job's worker unless it runs already; the future completes when the worker stops. */
    public CompletableFuture<Void> launch(String jobId) {
        if (!leader || closed) {
            // Another instance writes replays; it picks the job up at its next sweep.
            return CompletableFuture.completedFuture(null);
        }
        return active.computeIfAbsent(jobId, id -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            workers.execute(() -> {
                try (LogContext ids = LogContext.of(LogContext.REPLAY_JOB_ID, id)) {
                    runJob(id);
                } catch (RuntimeException e) {
                    LOG.error("replay job {} stopped; the sweep resumes it in {} s", id, SWEEP_SECONDS, e);
                } finally {
                    active.remove(id);
                    done.complete(null);
                }
            });
            return done;
        });
    }

    private void runJob(String jobId) {
        ReplayJob job = database.read(h -> jobs.find(h, jobId)).orElseThrow();
        // Letters an earlier worker of this job left in 'sending' (it stopped on an error, or ran on an instance
        // that lost the lease) are settled before anything new is claimed.
        resolveSending(database.read(h -> jobs.sending(h, jobId)));
        TokenBucket bucket = new TokenBucket(job.ratePerSecond());
        int batch = batchSize(job.ratePerSecond());
        while (!closed && leader) {
            int permits = bucket.acquire(batch, () -> closed || !leader);
            if (permits == 0) {
                return;
            }
            List<Claim> claims;
            try {
                claims = database.transaction(h -> claim(h, jobId, permits));
            } catch (RuntimeException e) {
                LOG.warn("replay job {}: cannot claim the next letters, retrying: {}", jobId, e.toString());
                pause();
                continue;
            }
            if (claims.isEmpty()) {
                if (database.transaction(h -> jobs.completeIfDone(h, jobId))) {
                    ReplayJob done = database.read(h -> jobs.find(h, jobId)).orElseThrow();
                    LOG.info("replay job {} completed: {} replayed, {} failed of {}", jobId, done.replayed(),
                            done.failed(), done.total());
                    return;
                }
                List<SendingLetter> leftovers = database.read(h -> jobs.sending(h, jobId));
                if (leftovers.isEmpty()) {
                    return; // cancelled meanwhile
                }
                resolveSending(leftovers);
                continue;
            }
            // Letters that failed at claim time (subscription deleted or disabled) have no task to write.
            List<Claim> toWrite = claims.stream().filter(c -> c.task() != null).toList();
            if (!toWrite.isEmpty()) {
                send(jobId, toWrite);
            }
        }
    }

    /**
     * The most letters one claim may take when the worker fell behind its schedule: a quarter of a second's worth,
     * so that a job keeps its rate even when a round trip (claim, write, record) takes longer than the interval
     * between two letters. When the worker keeps up, every claim takes one letter and letters go out evenly spaced.
     */
    static int batchSize(double ratePerSecond) {
        return (int) Math.max(1, Math.min(MAX_BATCH, Math.ceil(ratePerSecond / 4)));
    }

    private static final int MAX_BATCH = 250;

    /** A claimed letter and the fresh task to write (null when the letter failed at claim time). */
    private record Claim(String letterId, DeliveryTask task, Instant sendingAt) {
    }

    private List<Claim> claim(org.jdbi.v3.core.Handle h, String jobId, int count) {
        List<Claim> claims = new ArrayList<>();
        Instant now = Instant.now();
        for (StoredLetter stored : letters.findAllForUpdate(h, jobs.claimNext(h, jobId, count))) {
            String letterId = stored.id();
            DeadLetter letter = stored.letter();
            String subscriptionId = letter.task().subscriptionId();
            Optional<SubscriptionRecord> subscription = subscriptions.apply(subscriptionId);
            String problem = subscription.isEmpty() ? "subscription " + subscriptionId + " no longer exists"
                    : !subscription.get().isActive() ? "subscription " + subscriptionId + " is disabled" : null;
            if (problem != null) {
                jobs.finishLetter(h, jobId, letterId, "failed", problem);
                letters.setState(h, letterId, StoredLetter.DEAD, null);
                failed.increment();
                try (LogContext ids = LogContext.of(LogContext.DEAD_LETTER_ID, letterId, LogContext.SUBSCRIPTION_ID,
                        subscriptionId, LogContext.EVENT_ID, letter.task().event().id())) {
                    LOG.info("replay job {}: letter {} not replayed: {}", jobId, letterId, problem);
                }
                claims.add(new Claim(letterId, null, null));
                continue;
            }
            // A fresh task: attempt 1, due now, so the dispatcher starts a new retry schedule.
            DeliveryTask task = DeliveryTask.first(letter.task().event(), subscriptionId, now,
                    letter.task().sourcePartition(), letter.task().sourceOffset());
            claims.add(new Claim(letterId, task, now));
        }
        return claims;
    }

    /**
     * Writes the claimed letters in one Kafka transaction and, once it committed, records them as sent in one
     * database transaction. If the write fails its outcome is unknown: the letters are settled by looking for them
     * on Kafka after a fence (see {@link #resolveSending}).
     */
    private void send(String jobId, List<Claim> claims) {
        List<DeliveryTaskWriter.Replay> replays = claims.stream()
                .map(c -> new DeliveryTaskWriter.Replay(c.task(), DeliveryTaskWriter.token(jobId, c.letterId())))
                .toList();
        try {
            writer.write(replays);
        } catch (DeliveryTaskWriter.WriteFailedException e) {
            LOG.warn("replay job {}: writing {} letter(s) ({}..) failed; checking whether they were written: {}",
                    jobId, claims.size(), claims.get(0).letterId(), String.valueOf(e.getCause()));
            pause();
            while (!closed && leader) {
                try {
                    resolveSending(claims.stream()
                            .map(c -> new SendingLetter(jobId, c.letterId(), c.sendingAt())).toList());
                    return;
                } catch (RuntimeException again) {
                    LOG.warn("replay job {}: cannot check {} letter(s) yet: {}", jobId, claims.size(),
                            again.toString());
                    pause();
                }
            }
            return; // still 'sending': settled by whoever leads next
        }
        while (true) {
            try {
                List<String> ids = claims.stream().map(Claim::letterId).toList();
                database.transaction(h -> {
                    jobs.finishSent(h, jobId, ids);
                    letters.setStates(h, ids, StoredLetter.REPLAYED, jobId);
                    return null;
                });
                break;
            } catch (RuntimeException e) {
                // Written but not recorded: they stay 'sending' and are found on Kafka if this never succeeds.
                LOG.warn("replay job {}: cannot record {} letter(s) as sent, retrying: {}", jobId, claims.size(),
                        e.toString());
                if (closed) {
                    return;
                }
                pause();
            }
        }
        for (Claim claim : claims) {
            replayed.increment();
            try (LogContext ids = LogContext.forTask(claim.task(), LogContext.DEAD_LETTER_ID, claim.letterId())) {
                LOG.info("replay job {}: letter {} replayed to subscription {} (event {})", jobId, claim.letterId(),
                        claim.task().subscriptionId(), claim.task().event().id());
            }
        }
    }

    private Void markSent(org.jdbi.v3.core.Handle h, String jobId, String letterId) {
        jobs.finishLetter(h, jobId, letterId, "sent", null);
        letters.setState(h, letterId, StoredLetter.REPLAYED, jobId);
        return null;
    }

    /**
     * Settles letters left in {@code sending}: sent if their record is on Kafka, else pending again. The answer is
     * final only once no transaction that may hold them can still commit, so the writer is fenced first if a
     * failed write left it closed; and only the lease holder may fence, or it would cut off the real leader.
     */
    private void resolveSending(List<SendingLetter> sending) {
        if (sending.isEmpty()) {
            return;
        }
        if (!lease.isHeld()) {
            leader = false;
            throw new IllegalStateException("lost the replay lease; the next leader settles the letters");
        }
        writer.ensureFenced();
        Instant earliest = sending.stream().map(s -> s.sendingAt() == null ? Instant.EPOCH : s.sendingAt())
                .min(Comparator.naturalOrder()).orElseThrow();
        Set<String> wanted = sending.stream().map(s -> DeliveryTaskWriter.token(s.jobId(), s.letterId()))
                .collect(Collectors.toSet());
        Set<String> found = finder.find(wanted, earliest);
        for (SendingLetter s : sending) {
            boolean written = found.contains(DeliveryTaskWriter.token(s.jobId(), s.letterId()));
            database.transaction(h -> {
                if (written) {
                    markSent(h, s.jobId(), s.letterId());
                } else {
                    jobs.unclaim(h, s.jobId(), s.letterId());
                }
                return null;
            });
            LOG.info("replay job {}: letter {} was {} before the interruption", s.jobId(), s.letterId(),
                    written ? "written (recorded as sent)" : "not written (pending again)");
        }
    }

    private static void pause() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ERROR_PAUSE.toMillis()));
    }

    /** How many jobs have a worker on this instance. */
    public int activeJobs() {
        return active.size();
    }

    /** Stops claiming letters; a letter being written finishes (bounded by the Kafka timeout). */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        sweeper.shutdownNow();
        sweeper.awaitTermination(10, TimeUnit.SECONDS);
        workers.shutdown();
        if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
        lease.close();
    }
}
