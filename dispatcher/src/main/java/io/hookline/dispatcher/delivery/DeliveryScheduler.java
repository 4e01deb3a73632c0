package io.hookline.dispatcher.delivery;

import io.hookline.common.event.AttemptRecord;
import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventIds;
import io.hookline.common.log.LogContext;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.SubscriptionIndex;
import io.hookline.dispatcher.retry.RetryDecision;
import io.hookline.dispatcher.retry.RetryHeaders;
import io.hookline.dispatcher.retry.RetryPath;
import io.hookline.dispatcher.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when each task's request goes out: per subscription (one {@link SubscriptionLane} each) at most
 * {@code maxInFlight} requests, no faster than its token bucket, and for ordered subscriptions one request at a
 * time per events partition. A subscription held back by a limit waits on a timer, never a sleeping or spinning
 * thread, so it never delays another subscription; a slow endpoint only occupies its own in-flight slots.
 *
 * <p>All lane state lives on one thread; HTTP completions hop back onto it. The subscription (URL, secrets,
 * limits, status) is read from the index when a request starts, so changes apply to tasks already queued.
 */
public final class DeliveryScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final SubscriptionIndex index;
    private final WebhookRequestFactory requests;
    private final WebhookHttpClient client;
    private final AttemptLog attempts;
    private final DeliveryMetrics metrics;
    private final int defaultMaxInFlight;
    private final Clock clock;
    private final RetryPolicy retryPolicy;
    private final RetryPath retryPath;
    private final ScheduledExecutorService loop;
    private final Map<String, SubscriptionLane> lanes = new HashMap<>(); // loop thread only
    private final Map<String, CircuitBreaker> breakers = new HashMap<>(); // loop thread only; outlives idle lanes
    private final int breakerFailures;
    private final long breakerOpenForNanos;
    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    DeliveryScheduler(SubscriptionIndex index, WebhookRequestFactory requests, WebhookHttpClient client,
                      AttemptLog attempts, DeliveryMetrics metrics, int defaultMaxInFlight, Clock clock,
                      RetryPolicy retryPolicy, RetryPath retryPath, int breakerFailures, Duration breakerOpenFor) {
        this.index = index;
        this.requests = requests;
        this.client = client;
        this.attempts = attempts;
        this.metrics = metrics;
        this.defaultMaxInFlight = defaultMaxInFlight;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.retryPath = retryPath;
        this.breakerFailures = breakerFailures;
        this.breakerOpenForNanos = breakerOpenFor.toNanos();
        this.loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "delivery-scheduler");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Queues tasks (one poll's worth at a time); each is {@linkplain QueuedTask#finish() finished} once final, or
     * dropped if its partition was revoked before it started.
     */
    void submit(List<QueuedTask> tasks) {
        if (tasks.isEmpty()) {
            return;
        }
        metrics.queued.addAndGet(tasks.size());
        post(() -> {
            Set<SubscriptionLane> touched = new LinkedHashSet<>();
            for (QueuedTask task : tasks) {
                SubscriptionLane lane = lanes.computeIfAbsent(task.task.subscriptionId(), SubscriptionLane::new);
                lane.add(task);
                touched.add(lane);
            }
            touched.forEach(this::pump);
        });
    }

    /**
     * Completes once the scheduler's thread has finished what it is doing now. A partition marked revoked before
     * calling this can have no task starting any more once it completes: the revoked check and the start of a
     * request happen in one step on that thread.
     */
    CompletableFuture<Void> barrier() {
        CompletableFuture<Void> passed = new CompletableFuture<>();
        post(() -> passed.complete(null));
        return passed;
    }

    /**
     * Runs {@code action} on the scheduler's thread. Actions posted while the thread is busy are drained in one go
     * instead of one executor hand-off (and wake-up) each: under load, completions arrive in bursts.
     */
    private void post(Runnable action) {
        inbox.add(action);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drainInbox);
            } catch (RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down
            }
        }
    }

    private void drainInbox() {
        drainScheduled.set(false);
        Runnable action;
        while ((action = inbox.poll()) != null) {
            try {
                action.run();
            } catch (RuntimeException e) {
                LOG.error("delivery scheduler action failed: {}", e.toString(), e);
            }
        }
    }

    private void pump(SubscriptionLane lane) {
        while (lane.hasQueued()) {
            Optional<SubscriptionRecord> found = index.get(lane.subscriptionId);
            if (found.isEmpty() || !found.get().isActive() || retryPath.isLocallyDisabled(found.get())) {
                skipQueued(lane, found.isEmpty() ? "deleted" : "disabled");
                break;
            }
            SubscriptionRecord subscription = found.get();
            int maxInFlight = subscription.maxInFlight() != null && subscription.maxInFlight() > 0
                    ? subscription.maxInFlight() : defaultMaxInFlight;
            if (lane.inFlight >= maxInFlight) {
                return; // a completion pumps again
            }
            boolean ordered = "ordered".equals(subscription.ordering());
            QueuedTask next = lane.peekNext(ordered);
            if (next == null) {
                return; // ordered: every queued partition has its head in flight
            }
            if (next.partition.revoked) {
                lane.remove(next); // the partition's new owner reads it again from the committed watermark
                metrics.queued.decrementAndGet();
                continue;
            }
            if (!takeToken(lane, subscription)) {
                return;
            }
            if (!ordered && !breakerAllows(lane.subscriptionId)) {
                lane.remove(next);
                metrics.queued.decrementAndGet();
                deferByBreaker(next, subscription);
                continue;
            }
            lane.remove(next);
            metrics.queued.decrementAndGet();
            start(lane, subscription, next, ordered);
        }
        forgetIfIdle(lane);
    }

    /** True if the subscription may send now; otherwise a wake-up is scheduled for when it may. */
    private boolean takeToken(SubscriptionLane lane, SubscriptionRecord subscription) {
        Double rate = subscription.rateLimitPerSecond();
        if (rate == null || rate <= 0 || rate.isNaN()) {
            lane.bucket = null;
            return true;
        }
        long now = System.nanoTime();
        if (lane.bucket == null) {
            lane.bucket = new TokenBucket(rate, now);
        } else if (lane.bucket.rate() != rate) {
            lane.bucket.setRate(rate);
        }
        long waitNanos = lane.bucket.tryTake(now);
        if (waitNanos == 0) {
            return true;
        }
        if (!lane.wakeScheduled) {
            lane.wakeScheduled = true;
            metrics.rateLimited();
            try {
                loop.schedule(() -> {
                    lane.wakeScheduled = false;
                    pump(lane);
                }, waitNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down: the queued tasks are redelivered from the committed watermark
            }
        }
        return false;
    }

    /**
     * DESIGN.md 4.7: an open breaker lets no request through until its time is up, then one probe. Ordered
     * subscriptions have no breaker: their failing head already holds everything behind it back.
     */
    private boolean breakerAllows(String subscriptionId) {
        CircuitBreaker breaker = breakers.get(subscriptionId);
        if (breaker == null) {
            return true;
        }
        CircuitBreaker.State before = breaker.state();
        boolean allowed = breaker.tryAcquire(System.nanoTime());
        if (breaker.state() != before) {
            metrics.breakerMoved(before, breaker.state());
            LOG.info("circuit breaker of subscription {} is half-open: one probe request goes out", subscriptionId);
        }
        return allowed;
    }

    /** Sends a task the open breaker holds back to the retry path without using up an attempt. */
    private void deferByBreaker(QueuedTask queued, SubscriptionRecord subscription) {
        CircuitBreaker breaker = breakers.get(subscription.id());
        Duration wait = Duration.ofNanos(breaker.nanosUntilProbe(System.nanoTime()));
        Instant now = clock.instant();
        RetryDecision decision = retryPolicy.defer(queued.task, subscription, wait, now);
        try (LogContext ids = LogContext.forTask(queued.task)) {
            retryPath.follow(queued.task, subscription, queued.history, decision, now)
                    .whenComplete((ok, error) -> queued.finish());
        }
    }

    private void breakerSees(String subscriptionId, AttemptOutcome outcome) {
        if (breakerFailures <= 0) {
            return;
        }
        CircuitBreaker breaker = breakers.get(subscriptionId);
        if (outcome.isSuccess()) {
            if (breaker != null) {
                CircuitBreaker.State before = breaker.state();
                breaker.onSuccess();
                breakers.remove(subscriptionId);
                metrics.breakerMoved(before, null);
                if (before != CircuitBreaker.State.CLOSED) {
                    LOG.info("circuit breaker of subscription {} closed: the endpoint answered", subscriptionId);
                }
            }
            return;
        }
        if (breaker == null) {
            breaker = new CircuitBreaker(breakerFailures, breakerOpenForNanos);
            breakers.put(subscriptionId, breaker);
            metrics.breakerMoved(null, breaker.state());
        }
        CircuitBreaker.State before = breaker.state();
        breaker.onFailure(System.nanoTime());
        if (breaker.state() != before) {
            metrics.breakerMoved(before, breaker.state());
            LOG.warn("circuit breaker of subscription {} opened ({}): its tasks wait {} ms on the retry path",
                    subscriptionId, outcome.reason(), breakerOpenForNanos / 1_000_000);
        }
    }

    private void start(SubscriptionLane lane, SubscriptionRecord subscription, QueuedTask queued, boolean ordered) {
        lane.started(queued, ordered);
        queued.markStarted();
        metrics.inFlight.incrementAndGet();
        Instant startedAt = clock.instant();
        if (queued.task.attempt() > 1 && queued.task.dueAt() != null) {
            retryPath.recordLateness(Duration.between(queued.task.dueAt(), startedAt));
        }
        WebhookRequest request;
        try {
            request = requests.build(queued.task, subscription, startedAt);
        } catch (IllegalArgumentException e) {
            HttpExchange invalid = HttpExchange.failed(HttpExchange.Failure.INVALID_REQUEST, e.getMessage(),
                    Duration.ZERO);
            post(() -> completed(lane, subscription, queued, invalid, startedAt));
            return;
        }
        client.send(request).whenComplete((exchange, error) -> {
            HttpExchange result = exchange != null ? exchange : HttpExchange.failed(HttpExchange.Failure.IO,
                    String.valueOf(error), Duration.between(startedAt, clock.instant()));
            post(() -> completed(lane, subscription, queued, result, startedAt));
        });
    }

    private void completed(SubscriptionLane lane, SubscriptionRecord subscription, QueuedTask queued,
                           HttpExchange exchange, Instant startedAt) {
        try (LogContext ids = LogContext.forTask(queued.task)) {
            settle(lane, subscription, queued, exchange, startedAt);
        }
        pump(lane); // outside the ids above: it starts or skips other tasks of the lane
    }

    private void settle(SubscriptionLane lane, SubscriptionRecord subscription, QueuedTask queued,
                        HttpExchange exchange, Instant startedAt) {
        lane.finished(queued);
        metrics.inFlight.decrementAndGet();
        AttemptOutcome outcome = OutcomeClassifier.classify(exchange, clock.instant());
        metrics.attempt(outcome, exchange);
        DeliveryTask task = queued.task;
        Instant endedAt = clock.instant();
        if (outcome.isSuccess()) {
            LOG.debug("delivered event {} to subscription {} (attempt {}): {} in {} ms", task.event().id(),
                    task.subscriptionId(), task.attempt(), outcome.reason(), exchange.latency().toMillis());
        } else {
            LOG.info("delivery of event {} to subscription {} failed (attempt {}, {}): {}", task.event().id(),
                    task.subscriptionId(), task.attempt(), outcome.kind().label(), outcome.reason());
        }
        AttemptRecord record = new AttemptRecord(AttemptRecord.CURRENT_VERSION, EventIds.newId("att_"),
                task.subscriptionId(), task.event().tenant(), task.event().id(), task.event().topic(),
                task.attempt(), subscription.url(), startedAt, exchange.latency().toMillis(), outcome.kind().label(),
                exchange.status() == 0 ? null : exchange.status(), outcome.isSuccess() ? null : outcome.reason(),
                outcome.retryAfter() == null ? null : outcome.retryAfter().toMillis(), exchange.responseExcerpt());
        CompletableFuture<Void> logged = attempts.record(record);
        if (!"ordered".equals(subscription.ordering())) {
            breakerSees(task.subscriptionId(), outcome);
        }
        retryPath.attempted(subscription, outcome.isSuccess(), startedAt, endedAt);
        RetryDecision decision = retryPolicy.decide(task, subscription, outcome, startedAt, endedAt);
        if (decision instanceof RetryDecision.Delivered) {
            logged.whenComplete((ok, error) -> queued.finish());
        } else {
            List<DeadLetter.AttemptSummary> history = RetryHeaders.append(queued.history,
                    new DeadLetter.AttemptSummary(task.attempt(), startedAt, record.statusCode(), record.latencyMs(),
                            outcome.reason()));
            if (decision instanceof RetryDecision.Retry retry && "ordered".equals(subscription.ordering())) {
                retryInPlace(lane, queued.nextAttemptInPlace(retry.next(), history), retry);
            } else {
                CompletableFuture<Void> followed = retryPath.follow(task, subscription, history, decision, endedAt);
                CompletableFuture.allOf(logged, followed).whenComplete((ok, error) -> queued.finish());
            }
        }
    }

    /**
     * DESIGN.md 4.8: an ordered subscription's failing head is retried in place, blocking only its events
     * partition for that subscription (the offset stays unfinished, so a crash redelivers it). Other subscriptions
     * and the subscription's other events partitions go on.
     */
    private void retryInPlace(SubscriptionLane lane, QueuedTask again, RetryDecision.Retry retry) {
        lane.holdForRetry(again);
        LOG.info("retrying event {} for ordered subscription {} in place: attempt {} in {} ms",
                again.task.event().id(), again.task.subscriptionId(), again.task.attempt(), retry.delay().toMillis());
        try {
            loop.schedule(() -> {
                lane.releaseForRetry(again);
                metrics.queued.incrementAndGet();
                pump(lane);
            }, retry.delay().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: the task is redelivered from the committed watermark
        }
    }

    private void skipQueued(SubscriptionLane lane, String reason) {
        CircuitBreaker breaker = breakers.remove(lane.subscriptionId); // a deleted or disabled endpoint is not probed
        if (breaker != null) {
            metrics.breakerMoved(breaker.state(), null);
        }
        QueuedTask queued;
        while ((queued = lane.poll()) != null) {
            metrics.queued.decrementAndGet();
            if (queued.partition.revoked) {
                continue;
            }
            try (LogContext ids = LogContext.forTask(queued.task)) {
                LOG.info("skipping event {} for subscription {}: subscription {}", queued.task.event().id(),
                        queued.task.subscriptionId(), reason);
            }
            metrics.skipped(reason);
            queued.finish();
        }
    }

    private void forgetIfIdle(SubscriptionLane lane) {
        if (lane.isIdle(System.nanoTime())) {
            lanes.remove(lane.subscriptionId);
            requests.forget(lane.subscriptionId);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
