package io.hookline.replayer.replay;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
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
 * Runs replay jobs, one worker thread per running job, each paced by its own {@link TokenBucket}.
 *
 * <p>At most once per job, even across crashes: a worker claims a letter by committing its job-letter row as
 * {@code sending} (row lock, {@code SKIP LOCKED}, so two workers never hold the same row), then writes the task
 * (header {@code <job>/<letter>}), then commits {@code sent} together with the letter's {@code replayed} state.
 * A letter is only ever written from the {@code sending} state and each claim moves it out of {@code pending}
 * once, so the only question after a crash is whether a {@code sending} letter's write happened: before any job
 * resumes, {@link SentLetterFinder} looks for its header on {@code hookline.deliveries}; found → {@code sent},
 * not found → back to {@code pending} (written later, once). A failed write is resolved the same way before the
 * letter can be retried.
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
                try {
                    runJob(id);
                } catch (RuntimeException e) {
                    LOG.error("replay job {} stopped; it resumes at the next start", id, e);
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
        TokenBucket bucket = new TokenBucket(job.ratePerSecond());
        while (!closed && leader) {
            if (!bucket.acquire(() -> closed || !leader)) {
                return;
            }
            Claim claim;
            try {
                claim = database.transaction(h -> claim(h, jobId));
            } catch (RuntimeException e) {
                LOG.warn("replay job {}: cannot claim the next letter, retrying: {}", jobId, e.toString());
                pause();
                continue;
            }
            if (claim == null) {
                if (database.transaction(h -> jobs.completeIfDone(h, jobId))) {
                    ReplayJob done = database.read(h -> jobs.find(h, jobId)).orElseThrow();
                    LOG.info("replay job {} completed: {} replayed, {} failed of {}", jobId, done.replayed(),
                            done.failed(), done.total());
                }
                return;
            }
            if (claim.task() == null) {
                continue; // failed with a reason, nothing to write
            }
            send(jobId, claim);
        }
    }

    /** A claimed letter and the fresh task to write (null when the letter failed at claim time). */
    private record Claim(String letterId, DeliveryTask task, Instant sendingAt) {
    }

    private Claim claim(org.jdbi.v3.core.Handle h, String jobId) {
        Optional<String> next = jobs.claimNext(h, jobId);
        if (next.isEmpty()) {
            return null;
        }
        String letterId = next.get();
        StoredLetter stored = letters.findForUpdate(h, letterId).orElseThrow();
        DeadLetter letter = stored.letter();
        String subscriptionId = letter.task().subscriptionId();
        Optional<SubscriptionRecord> subscription = subscriptions.apply(subscriptionId);
        String problem = subscription.isEmpty() ? "subscription " + subscriptionId + " no longer exists"
                : !subscription.get().isActive() ? "subscription " + subscriptionId + " is disabled" : null;
        if (problem != null) {
            jobs.finishLetter(h, jobId, letterId, "failed", problem);
            letters.setState(h, letterId, StoredLetter.DEAD, null);
            failed.increment();
            LOG.info("replay job {}: letter {} not replayed: {}", jobId, letterId, problem);
            return new Claim(letterId, null, null);
        }
        // A fresh task: attempt 1, due now, so the dispatcher starts a new retry schedule.
        DeliveryTask task = DeliveryTask.first(letter.task().event(), subscriptionId, Instant.now(),
                letter.task().sourcePartition(), letter.task().sourceOffset());
        return new Claim(letterId, task, Instant.now());
    }

    private void send(String jobId, Claim claim) {
        String token = DeliveryTaskWriter.token(jobId, claim.letterId());
        try {
            writer.write(claim.task(), token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return; // stays 'sending': resolved at the next start
        } catch (Exception e) {
            LOG.warn("replay job {}: writing letter {} failed; checking whether it was written: {}", jobId,
                    claim.letterId(), e.toString());
            pause();
            while (!closed) {
                try {
                    resolveSending(List.of(new SendingLetter(jobId, claim.letterId(), claim.sendingAt())));
                    return;
                } catch (RuntimeException again) {
                    LOG.warn("replay job {}: cannot check letter {} yet: {}", jobId, claim.letterId(), again.toString());
                    pause();
                }
            }
            return;
        }
        while (true) {
            try {
                database.transaction(h -> markSent(h, jobId, claim.letterId()));
                break;
            } catch (RuntimeException e) {
                // Written but not recorded: stays 'sending' and is found on Kafka if this never succeeds.
                LOG.warn("replay job {}: cannot record letter {} as sent, retrying: {}", jobId, claim.letterId(),
                        e.toString());
                if (closed) {
                    return;
                }
                pause();
            }
        }
        replayed.increment();
        LOG.info("replay job {}: letter {} replayed to subscription {} (event {})", jobId, claim.letterId(),
                claim.task().subscriptionId(), claim.task().event().id());
    }

    private Void markSent(org.jdbi.v3.core.Handle h, String jobId, String letterId) {
        jobs.finishLetter(h, jobId, letterId, "sent", null);
        letters.setState(h, letterId, StoredLetter.REPLAYED, jobId);
        return null;
    }

    /** Settles letters left in {@code sending}: sent if their record is on Kafka, else pending again. */
    private void resolveSending(List<SendingLetter> sending) {
        if (sending.isEmpty()) {
            return;
        }
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
