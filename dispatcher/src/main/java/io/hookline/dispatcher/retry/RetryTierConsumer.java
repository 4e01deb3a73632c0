package io.hookline.dispatcher.retry;

import io.hookline.common.config.KafkaSettings;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.TopicNames;
import io.hookline.dispatcher.delivery.PartitionWatermark;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * One consumer (group {@code <prefix>-retry}) over every delay tier. A record of tier T is released at
 * {@code min(due, written + T)}; records of a partition are written in time order, so its head is always the next
 * one to release. While the head is not released the partition is seeked back to it and paused, and the poll
 * timeout is bounded by the earliest release: the thread blocks in {@code poll()} (heartbeats and
 * {@code max.poll.interval.ms} are satisfied) instead of sleeping. A released record goes back to
 * {@code hookline.deliveries} if due, else hops to the tier for what remains. Offsets are committed as a watermark
 * only once the hand-off is acknowledged, so a crash re-reads (and at worst re-hands) what was not acked.
 */
public final class RetryTierConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RetryTierConsumer.class);
    private static final long MAX_POLL_MS = 200;

    private final TopicNames names;
    private final RetryTiers tiers;
    private final RetryPublisher publisher;
    private final Duration commitInterval;
    private final Duration shutdownTimeout;
    private final Clock clock;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Duration> tierOfTopic = new HashMap<>();
    private final Map<TopicPartition, TierPartition> partitions = new HashMap<>(); // consumer thread only
    private final LinkedBlockingQueue<Acked> acked = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean healthy = true;
    private long nextCommitNanos;

    private static final class TierPartition {
        final TopicPartition partition;
        final PartitionWatermark watermark = new PartitionWatermark();
        long releaseAtMs = -1; // paused until then; -1 = not paused
        long lastCommitted = -1;

        TierPartition(TopicPartition partition) {
            this.partition = partition;
        }
    }

    private record Acked(TierPartition state, long offset) {
    }

    public RetryTierConsumer(KafkaSettings kafka, RetryTiers tiers, RetryPublisher publisher, String clientId,
                             Duration commitInterval, Duration shutdownTimeout, Clock clock) {
        this.names = kafka.topicNames();
        this.tiers = tiers;
        this.publisher = publisher;
        this.commitInterval = commitInterval;
        this.shutdownTimeout = shutdownTimeout;
        this.clock = clock;
        for (Duration tier : tiers.delays()) {
            tierOfTopic.put(names.retry(tier), tier);
        }
        this.consumer = new KafkaConsumer<>(kafka.clientConfig(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, groupId(names),
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, clientId)),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "retry-tiers");
    }

    /** The consumer group of the tier consumers; belongs in common's TopicNames. */
    public static String groupId(TopicNames names) {
        return names.prefix() + "-retry";
    }

    public void start() {
        consumer.subscribe(tiers.topics(names), new HandOver());
        thread.start();
        LOG.info("retry tier consumer started on {}", tiers.topics(names));
    }

    public boolean isHealthy() {
        return healthy && thread.isAlive();
    }

    private void run() {
        try {
            while (running) {
                resumeReleased(clock.millis());
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(pollTimeout(clock.millis())));
                long now = clock.millis();
                Set<TopicPartition> held = new HashSet<>();
                for (ConsumerRecord<String, byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    TierPartition state = partitions.get(tp);
                    if (state == null || held.contains(tp)) {
                        continue; // revoked, or behind a head that is not released yet
                    }
                    long release = releaseAt(record);
                    if (release > now) {
                        consumer.seek(tp, record.offset()); // read it again once released
                        consumer.pause(List.of(tp));
                        state.releaseAtMs = release;
                        held.add(tp);
                        continue;
                    }
                    handOff(record, state, now);
                }
                drainAcked();
                commitIfDue();
            }
        } catch (RuntimeException e) {
            healthy = false;
            LOG.error("retry tier consumer stopped: {}", e.toString(), e);
        } finally {
            try {
                handOver(new ArrayList<>(partitions.keySet()), "shutdown");
            } catch (RuntimeException e) {
                LOG.warn("could not commit retry offsets on shutdown: {}", e.toString());
            }
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(10)));
        }
    }

    private void resumeReleased(long now) {
        List<TopicPartition> resume = new ArrayList<>();
        for (TierPartition state : partitions.values()) {
            if (state.releaseAtMs >= 0 && state.releaseAtMs <= now) {
                state.releaseAtMs = -1;
                resume.add(state.partition);
            }
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /** Until the earliest paused head is released, at most {@value #MAX_POLL_MS} ms (commits, acks, shutdown). */
    private long pollTimeout(long now) {
        long timeout = MAX_POLL_MS;
        for (TierPartition state : partitions.values()) {
            if (state.releaseAtMs >= 0) {
                timeout = Math.min(timeout, Math.max(0, state.releaseAtMs - now));
            }
        }
        return timeout;
    }

    /** When the record leaves its tier: once due, or once it has sat out the tier's delay. */
    private long releaseAt(ConsumerRecord<String, byte[]> record) {
        long due = RetryHeaders.dueAtMillis(record.headers());
        if (due < 0) {
            return 0; // no due time (not written by Hookline): hand it on now rather than lose it
        }
        Duration tier = tierOfTopic.get(record.topic());
        return tier == null ? due : Math.min(due, record.timestamp() + tier.toMillis());
    }

    private void handOff(ConsumerRecord<String, byte[]> record, TierPartition state, long now) {
        long due = RetryHeaders.dueAtMillis(record.headers());
        String target;
        if (due <= now) {
            target = names.deliveries();
            if (LOG.isDebugEnabled()) {
                LOG.debug("retry of {} for subscription {} due at {}: back to {} ({} ms late)", describe(record),
                        record.key(), due, target, now - due);
            }
        } else {
            target = names.retry(tiers.forDelay(Duration.ofMillis(due - now)));
            LOG.debug("retry of {} for subscription {} due in {} ms: hops to {}", describe(record), record.key(),
                    due - now, target);
        }
        state.watermark.track(record.offset());
        long offset = record.offset();
        publisher.send(target, record.key(), record.value(), record.headers())
                .thenRun(() -> acked.add(new Acked(state, offset)));
    }

    private static String describe(ConsumerRecord<String, byte[]> record) {
        try {
            DeliveryTask task = Json.read(record.value(), DeliveryTask.class);
            return "event " + task.event().id() + " attempt " + task.attempt();
        } catch (RuntimeException e) {
            return "an undecodable task";
        }
    }

    private void drainAcked() {
        Acked done;
        while ((done = acked.poll()) != null) {
            if (partitions.get(done.state.partition) == done.state) {
                done.state.watermark.complete(done.offset);
            }
        }
    }

    private void commitIfDue() {
        long now = System.nanoTime();
        if (now - nextCommitNanos < 0) {
            return;
        }
        nextCommitNanos = now + commitInterval.toNanos();
        Map<TopicPartition, OffsetAndMetadata> offsets = watermarks(partitions.values(), false);
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error == null) {
                    committed.forEach(this::committed);
                } else if (!(error instanceof RebalanceInProgressException)) {
                    LOG.warn("committing retry offsets failed, retrying: {}", error.toString());
                }
            });
        }
    }

    private void committed(TopicPartition tp, OffsetAndMetadata offset) {
        TierPartition state = partitions.get(tp);
        if (state != null && offset.offset() > state.lastCommitted) {
            state.lastCommitted = offset.offset();
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> watermarks(Collection<TierPartition> states, boolean all) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TierPartition state : states) {
            if (state.watermark.lastTracked() < 0) {
                continue; // nothing handed off: the committed offset is still right
            }
            // The position is the paused head (seeked back) or past the last record read; either is safe to
            // commit when everything before it is acked.
            long offset = state.watermark.committable(consumer.position(state.partition));
            if (all || offset > state.lastCommitted) {
                offsets.put(state.partition, new OffsetAndMetadata(offset));
            }
        }
        return offsets;
    }

    private void handOver(Collection<TopicPartition> handed, String why) {
        List<TierPartition> states = new ArrayList<>();
        for (TopicPartition tp : handed) {
            TierPartition state = partitions.get(tp);
            if (state != null) {
                states.add(state);
            }
        }
        if (states.isEmpty()) {
            return;
        }
        publisher.flush();
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        drainAcked();
        // A hand-off whose write failed is resent within a second: wait (bounded) for its ack.
        while (states.stream().anyMatch(s -> s.watermark.outstanding() > 0) && System.nanoTime() - deadline < 0) {
            try {
                Acked done = acked.poll(50, TimeUnit.MILLISECONDS);
                if (done != null) {
                    acked.add(done);
                    drainAcked();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = watermarks(states, true);
            if (!offsets.isEmpty()) {
                consumer.commitSync(offsets, Duration.ofSeconds(10));
            }
        } catch (RuntimeException e) {
            LOG.warn("could not commit retry offsets of {} on {}: {}", handed, why, e.toString());
        }
        for (TierPartition state : states) {
            partitions.remove(state.partition);
        }
        LOG.info("retry partitions handed over on {}: {}", why, handed);
    }

    private final class HandOver implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            for (TopicPartition tp : assigned) {
                partitions.put(tp, new TierPartition(tp));
            }
            if (!assigned.isEmpty()) {
                LOG.info("retry partitions assigned: {}", assigned);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            handOver(revoked, "rebalance");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            lost.forEach(partitions::remove);
            LOG.warn("retry partitions lost: {}", lost);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(shutdownTimeout.toMillis() + 20_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
