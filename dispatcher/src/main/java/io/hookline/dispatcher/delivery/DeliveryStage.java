package io.hookline.dispatcher.delivery;

import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.DeliveryTaskCodec;
import io.hookline.dispatcher.DispatcherConfig;
import io.hookline.dispatcher.SubscriptionIndex;
import io.hookline.dispatcher.retry.FailureStreaks;
import io.hookline.dispatcher.retry.OpsEvents;
import io.hookline.dispatcher.retry.RetryHeaders;
import io.hookline.dispatcher.retry.RetryMetrics;
import io.hookline.dispatcher.retry.RetryPath;
import io.hookline.dispatcher.retry.RetryPolicy;
import io.hookline.dispatcher.retry.RetryPublisher;
import io.hookline.dispatcher.retry.RetryTierConsumer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery stage: a consumer group member over {@code hookline.deliveries} (cooperative-sticky) that hands
 * every task to the {@link DeliveryScheduler} at once, so many subscriptions of one partition are served
 * concurrently, and commits per partition the watermark below which every task is final. A crash therefore
 * redelivers only tasks that were not final; a partition moving to another instance is handed over after its
 * in-flight requests finish (within the shutdown timeout), and its not-yet-started tasks are left to the new owner;
 * the tasks finished above the watermark travel in the commit's metadata ({@link FinishedAhead}), so the new owner
 * skips them instead of delivering them twice.
 * A partition with too many unfinished tasks (a slow subscription's backlog) is paused until it drains, which
 * bounds memory without stopping the other partitions.
 */
public final class DeliveryStage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStage.class);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaClientMetrics consumerMetrics;
    private final DeliveryScheduler scheduler;
    private final WebhookHttpClient client;
    private final AttemptLog attempts;
    private final RetryPublisher retryPublisher;
    private final OpsEvents opsEvents;
    private final RetryTierConsumer retryTiers;
    private final DeliveryMetrics metrics;
    private final DispatcherConfig.Delivery settings;
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>(); // consumer thread only
    private final LinkedBlockingQueue<QueuedTask> completions = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean healthy = true;
    private long nextCommitNanos;

    private DeliveryStage(DispatcherConfig config, SubscriptionIndex index, MeterRegistry registry) {
        this.settings = config.delivery();
        this.topic = config.kafka().topicNames().deliveries();
        this.metrics = new DeliveryMetrics(registry);
        this.client = new WebhookHttpClient(config.destinationPolicy(), settings.connectTimeout(),
                settings.ioThreads());
        this.attempts = new AttemptLog(config.kafka(), config.clientId("attempts"));
        this.retryPublisher = new RetryPublisher(config.kafka(), config.clientId("retry-producer"));
        this.opsEvents = new OpsEvents(config.kafka().topicNames(), retryPublisher, registry);
        RetryPath retryPath = new RetryPath(config.kafka().topicNames(), config.retry().tiers(), retryPublisher,
                new RetryMetrics(registry), opsEvents, new FailureStreaks(config.retry().recoveredAfter()));
        this.retryTiers = new RetryTierConsumer(config.kafka(), config.retry().tiers(), retryPublisher,
                config.clientId("retry"), settings.commitInterval(), settings.shutdownTimeout(), Clock.systemUTC());
        this.scheduler = new DeliveryScheduler(index, new WebhookRequestFactory(config.secretCipher()), client,
                attempts, metrics, settings.defaultMaxInFlight(), Clock.systemUTC(),
                new RetryPolicy(config.retry().defaultSchedule()), retryPath, config.retry().breakerFailures(),
                config.retry().breakerOpenFor());
        this.consumer = new KafkaConsumer<>(config.kafka().clientConfig(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, config.kafka().topicNames().deliveryGroupId(),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                // Tasks are written in fan-out transactions: only committed ones exist.
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // Tasks written before the group's first member started must be delivered too.
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, config.clientId("delivery"))),
                new StringDeserializer(), new ByteArrayDeserializer());
        FunctionCounter.builder("hookline.delivery.connections", client, WebhookHttpClient::http1ConnectionsOpened)
                .description("Connections opened to endpoints by protocol (keep-alive reuse keeps this low)")
                .tag("protocol", "http/1.1").register(registry);
        FunctionCounter.builder("hookline.delivery.connections", client, WebhookHttpClient::http2ConnectionsOpened)
                .description("Connections opened to endpoints by protocol (keep-alive reuse keeps this low)")
                .tag("protocol", "h2").register(registry);
        this.consumerMetrics = new KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(registry);
        this.thread = new Thread(this::run, "delivery-consumer");
    }

    public static DeliveryStage start(DispatcherConfig config, SubscriptionIndex index, MeterRegistry registry) {
        DeliveryStage stage = new DeliveryStage(config, index, registry);
        stage.consumer.subscribe(List.of(stage.topic), stage.new HandOver());
        stage.thread.start();
        stage.retryTiers.start();
        LOG.info("delivery stage started on {} (group {})", stage.topic,
                config.kafka().topicNames().deliveryGroupId());
        return stage;
    }

    /** False once the consumer loop died; readiness reports it. */
    public boolean isHealthy() {
        return healthy && thread.isAlive() && retryTiers.isHealthy();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(100));
                List<QueuedTask> batch = new ArrayList<>(records.count());
                for (ConsumerRecord<String, byte[]> record : records) {
                    QueuedTask task = accept(record);
                    if (task != null) {
                        batch.add(task);
                    }
                }
                scheduler.submit(batch);
                drainCompletions();
                applyBackpressure();
                commitIfDue();
            }
        } catch (RuntimeException e) {
            healthy = false;
            LOG.error("delivery consumer stopped: {}", e.toString(), e);
        } finally {
            try {
                handOver(new ArrayList<>(partitions.keySet()), "shutdown");
            } catch (RuntimeException e) {
                LOG.warn("could not commit on shutdown: {}", e.toString());
            }
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        }
    }

    /** Tracks the record's offset and decodes its task; null when there is nothing to deliver. */
    private QueuedTask accept(ConsumerRecord<String, byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionState state = partitions.get(tp);
        if (state == null) {
            return null; // not ours any more (revoked during this poll); the owner reads it
        }
        state.watermark.track(record.offset());
        if (state.finishedByPrevious.contains(record.offset())) {
            state.watermark.complete(record.offset()); // final before the hand-over: not delivered twice
            return null;
        }
        DeliveryTask task;
        try {
            task = DeliveryTaskCodec.decode(record.value()); // the payload stays raw bytes up to the request body
        } catch (RuntimeException e) {
            LOG.warn("skipping undecodable delivery task at {} offset {}: {}", tp, record.offset(), e.getMessage());
            metrics.undecodable();
            state.watermark.complete(record.offset());
            return null;
        }
        return new QueuedTask(task, state, record.offset(), RetryHeaders.attempts(record.headers()),
                completions::add);
    }

    private void drainCompletions() {
        QueuedTask done;
        while ((done = completions.poll()) != null) {
            complete(done);
        }
    }

    private void complete(QueuedTask done) {
        // A completion of a partition handed back and assigned again belongs to the old state: ignore it.
        if (partitions.get(done.partition.partition) == done.partition) {
            done.partition.watermark.complete(done.offset);
        }
    }

    private void applyBackpressure() {
        int max = settings.maxPendingPerPartition();
        for (PartitionState state : partitions.values()) {
            int outstanding = state.watermark.outstanding();
            if (!state.paused && outstanding >= max) {
                consumer.pause(List.of(state.partition));
                state.paused = true;
                LOG.info("pausing {}: {} tasks not final (oldest offset {})", state.partition, outstanding,
                        state.watermark.lowestUnfinished());
            } else if (state.paused && outstanding <= max / 2) {
                consumer.resume(List.of(state.partition));
                state.paused = false;
                LOG.info("resuming {}: {} tasks not final", state.partition, outstanding);
            }
        }
    }

    private void commitIfDue() {
        long now = System.nanoTime();
        if (now - nextCommitNanos < 0) {
            return;
        }
        nextCommitNanos = now + settings.commitInterval().toNanos();
        Map<TopicPartition, OffsetAndMetadata> offsets = watermarks(partitions.values(), false);
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, error) -> {
                // Runs on this thread, inside poll(). A failed commit is simply retried at the next interval:
                // lastCommitted only moves on success.
                if (error == null) {
                    committed.forEach(this::committed);
                } else if (error instanceof RebalanceInProgressException) {
                    LOG.debug("commit deferred by a rebalance: {}", error.getMessage());
                } else {
                    LOG.warn("committing delivery offsets failed, retrying: {}", error.toString());
                }
            });
        }
    }

    private void committed(TopicPartition tp, OffsetAndMetadata offset) {
        PartitionState state = partitions.get(tp);
        if (state != null && offset.offset() > state.lastCommitted) {
            state.lastCommitted = offset.offset();
        }
    }

    /** The watermark of each partition that has moved since its last successful commit ({@code all}: every one). */
    private Map<TopicPartition, OffsetAndMetadata> watermarks(Collection<PartitionState> states, boolean all) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState state : states) {
            if (state.watermark.lastTracked() < 0) {
                continue; // nothing read: the committed offset is still right
            }
            long offset = state.watermark.committable(consumer.position(state.partition));
            if (all || offset > state.lastCommitted) {
                offsets.put(state.partition, new OffsetAndMetadata(offset,
                        FinishedAhead.encode(offset, state.watermark.finishedAhead())));
            }
        }
        return offsets;
    }

    /**
     * Hands partitions back: stops starting their tasks, waits (bounded) for the requests in flight, commits the
     * watermark and forgets them. Tasks still in flight at the deadline are redelivered by the next owner.
     */
    private void handOver(Collection<TopicPartition> handed, String why) {
        List<PartitionState> states = new ArrayList<>();
        for (TopicPartition tp : handed) {
            PartitionState state = partitions.get(tp);
            if (state != null) {
                state.revoked = true;
                states.add(state);
            }
        }
        if (states.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        awaitNoTaskStarting(deadline);
        while (states.stream().anyMatch(s -> s.started.get() > 0) && System.nanoTime() - deadline < 0) {
            try {
                QueuedTask done = completions.poll(50, TimeUnit.MILLISECONDS);
                if (done != null) {
                    complete(done);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        drainCompletions();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = watermarks(states, true);
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
                offsets.forEach(this::committed);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not commit {} on {}: {}", handed, why, e.toString());
        }
        for (PartitionState state : states) {
            partitions.remove(state.partition);
            int abandoned = state.started.get();
            LOG.info("handed over {} on {}: committed up to {}{}", state.partition, why, state.lastCommitted,
                    abandoned > 0 ? ", " + abandoned + " requests still in flight will be redelivered" : "");
        }
    }

    /**
     * Without this, a task whose partition the scheduler had checked just before it was marked revoked could start
     * after the hand-over counted the requests in flight: sent by this instance and again by the next owner.
     */
    private void awaitNoTaskStarting(long deadline) {
        try {
            scheduler.barrier().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the delivery scheduler did not answer before the hand-over deadline: {}", e.toString());
        }
    }

    /** Rebalance callbacks; they run on the consumer thread inside poll(). */
    private final class HandOver implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committed = committedOffsets(assigned);
            for (TopicPartition tp : assigned) {
                PartitionState state = new PartitionState(tp);
                OffsetAndMetadata offset = committed.get(tp);
                if (offset != null) {
                    state.finishedByPrevious = FinishedAhead.decode(offset.offset(), offset.metadata());
                    if (state.finishedByPrevious.count() > 0) {
                        LOG.info("{}: from offset {}, {} tasks already final (finished out of order by the previous "
                                + "owner) are skipped", tp, offset.offset(), state.finishedByPrevious.count());
                    }
                }
                partitions.put(tp, state);
            }
            LOG.info("delivery partitions assigned: {}", assigned);
        }

        /** What the previous owners committed; on failure nothing (their out-of-order progress is redelivered). */
        private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Collection<TopicPartition> assigned) {
            try {
                Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
                consumer.committed(Set.copyOf(assigned), Duration.ofSeconds(10)).forEach((tp, offset) -> {
                    if (offset != null) {
                        committed.put(tp, offset);
                    }
                });
                return committed;
            } catch (RuntimeException e) {
                LOG.warn("cannot read the committed offsets of {}: tasks finished ahead of them are redelivered: {}",
                        assigned, e.toString());
                return Map.of();
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            handOver(revoked, "rebalance");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // Another member may already own them: no commit, just stop working on them.
            for (TopicPartition tp : lost) {
                PartitionState state = partitions.remove(tp);
                if (state != null) {
                    state.revoked = true;
                }
            }
            LOG.warn("delivery partitions lost: {}", lost);
        }
    }

    @Override
    public void close() {
        // No wakeup(): it could interrupt the final commit; the loop polls in 100 ms steps and notices this.
        running = false;
        try {
            thread.join(settings.shutdownTimeout().toMillis() + 20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
        client.close();
        retryTiers.close(); // after the hand-over above: in-flight tasks still write to the retry path
        opsEvents.close(); // sends what the last dead letters and recoveries queued
        retryPublisher.close();
        attempts.close();
        consumerMetrics.close();
        LOG.info("delivery stage stopped");
    }
}
