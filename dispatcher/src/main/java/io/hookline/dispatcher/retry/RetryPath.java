package io.hookline.dispatcher.retry;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventIds;
import io.hookline.common.event.OpsTopic;
import io.hookline.common.json.Json;
import io.hookline.common.kafka.DelayTiers;
import io.hookline.common.kafka.TopicNames;
import io.hookline.common.subscription.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link RetryDecision}: writes the next attempt to its delay tier, or the dead letter to
 * {@code hookline.dlq} — for {@code 410 Gone} the subscription is also disabled on this instance at once (the
 * registrar disables it for good when it reads the attempt's {@code gone} outcome on {@code hookline.attempts}). The
 * returned future completes when every write is acknowledged: only then is the source task final. An acknowledged
 * dead letter is reported as {@code delivery.exhausted}, and a subscription whose attempts succeed again after a
 * streak of failures as {@code delivery.recovered} (both on {@code hookline.ops}, see {@link OpsEvents}).
 */
public final class RetryPath {
    private static final Logger LOG = LoggerFactory.getLogger(RetryPath.class);

    private final TopicNames names;
    private final RetryTiers tiers;
    private final RetryPublisher publisher;
    private final RetryMetrics metrics;
    private final OpsEvents ops;
    private final FailureStreaks streaks;
    private final LocalDisables disables = new LocalDisables();

    public RetryPath(TopicNames names, RetryTiers tiers, RetryPublisher publisher, RetryMetrics metrics, OpsEvents ops,
                     FailureStreaks streaks) {
        this.names = names;
        this.tiers = tiers;
        this.publisher = publisher;
        this.metrics = metrics;
        this.ops = ops;
        this.streaks = streaks;
    }

    /**
     * Follows the subscription's health from every attempt made (scheduler thread): a success that ends a long
     * enough streak of failures is reported as {@code delivery.recovered}.
     */
    public void attempted(SubscriptionRecord subscription, boolean success, Instant startedAt, Instant endedAt) {
        if (!success) {
            streaks.failed(subscription.id(), startedAt);
            return;
        }
        streaks.succeeded(subscription.id()).ifPresent(recovery -> {
            LOG.info("subscription {} recovered: attempt succeeded after {} failed attempts in a row since {}",
                    subscription.id(), recovery.failures(), recovery.failingSince());
            ops.deliveryRecovered(subscription.tenant() != null ? subscription.tenant() : OpsTopic.TENANT, recovery,
                    endedAt);
        });
    }

    /** True while this instance holds a local disable for the subscription as it is now. */
    public boolean isLocallyDisabled(SubscriptionRecord subscription) {
        return disables.isDisabled(subscription);
    }

    public void recordLateness(Duration late) {
        metrics.lateness(late);
    }

    /**
     * @param attempts every attempt's summary so far, the one just made last
     */
    public CompletableFuture<Void> follow(DeliveryTask task, SubscriptionRecord subscription,
                                          List<DeadLetter.AttemptSummary> attempts, RetryDecision decision,
                                          Instant now) {
        if (decision instanceof RetryDecision.Retry retry) {
            Duration tier = tiers.forDelay(retry.delay());
            metrics.scheduled(tier);
            LOG.info("retrying event {} for subscription {}: attempt {} due at {} (in {} ms, tier {})",
                    task.event().id(), task.subscriptionId(), retry.next().attempt(), retry.dueAt(),
                    retry.delay().toMillis(), DelayTiers.label(tier));
            return publisher.send(names.retry(tier), task.subscriptionId(), Json.write(retry.next()),
                    RetryHeaders.of(retry.dueAt(), attempts));
        }
        if (decision instanceof RetryDecision.GiveUp giveUp) {
            DeadLetter letter = new DeadLetter(DeadLetter.CURRENT_VERSION, EventIds.newId("dlq_"), task,
                    giveUp.reason(), attempts, now);
            metrics.deadLettered(giveUp.reason());
            LOG.warn("dead-lettering event {} for subscription {} as {} after {} attempts ({}): {}",
                    task.event().id(), task.subscriptionId(), giveUp.reason(), attempts.size(), letter.id(),
                    giveUp.detail());
            CompletableFuture<Void> written = publisher.send(names.dlq(), task.subscriptionId(), Json.write(letter),
                    null);
            written.thenRun(() -> ops.deliveryExhausted(letter));
            if (DeadLetter.GONE.equals(giveUp.reason()) && subscription != null) {
                // The registrar (source of truth) disables it from the "gone" attempt record on hookline.attempts;
                // until its disabled record arrives, this instance stops delivering to it on its own.
                disables.disable(subscription);
                LOG.warn("subscription {} answered 410 Gone: stopped delivering to it here; the registrar disables "
                        + "it from the attempt record", subscription.id());
            }
            return written;
        }
        return CompletableFuture.completedFuture(null);
    }
}
