package io.hookline.dispatcher;

import io.hookline.common.kafka.CompactedTopicView;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.common.subscription.TopicPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every subscription the dispatcher knows, fed by the {@code hookline.subscriptions} view, answering "which active
 * subscriptions of tenant X match topic T" in time proportional to the number of matches and to the length of T,
 * never to the number of subscriptions: per tenant, one map from exact topic names and one from wildcard prefixes
 * ({@code orders.*} is stored under {@code "orders."}, {@code *} under {@code ""}); a lookup probes the exact name
 * and each prefix of T that ends in a dot.
 *
 * <p>One writer (the view's thread) and many readers (fan-out and delivery threads) without locks. A lookup checks
 * every candidate against the subscription's current record, so it never answers with a subscription that is
 * deleted, disabled or no longer matching, even while an update is being applied. A record that keeps a pattern
 * across an update (a version bump, a secret rotation) never disappears from its bucket: new memberships are added
 * before stale ones are removed.
 */
public final class SubscriptionIndex implements CompactedTopicView.Listener<SubscriptionRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionIndex.class);

    /** What a subscription without a tenant belongs to, as for anything the admin key creates (DESIGN.md section 6). */
    public static final String DEFAULT_TENANT = "default";

    /** Buckets up to this size are immutable arrays (small, cheap to read); larger ones become concurrent sets. */
    private static final int SMALL_BUCKET = 16;

    /** A subscription with its topic filters parsed once. */
    private record Entry(SubscriptionRecord record, String tenant, List<TopicPattern> patterns) {
        boolean matches(String topic) {
            for (TopicPattern pattern : patterns) {
                if (pattern.matches(topic)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The ids filed under one exact name or one prefix of one tenant. */
    private sealed interface Bucket permits SmallBucket, LargeBucket {
        Bucket with(String id);

        /** The bucket without {@code id}, or null when it becomes empty. */
        Bucket without(String id);

        void collectInto(List<String> out);
    }

    private record SmallBucket(String[] ids) implements Bucket {
        @Override
        public Bucket with(String id) {
            for (String existing : ids) {
                if (existing.equals(id)) {
                    return this;
                }
            }
            if (ids.length >= SMALL_BUCKET) {
                LargeBucket large = new LargeBucket(ConcurrentHashMap.newKeySet());
                large.ids().addAll(Arrays.asList(ids));
                large.ids().add(id);
                return large;
            }
            String[] grown = Arrays.copyOf(ids, ids.length + 1);
            grown[ids.length] = id;
            return new SmallBucket(grown);
        }

        @Override
        public Bucket without(String id) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i].equals(id)) {
                    if (ids.length == 1) {
                        return null;
                    }
                    String[] shrunk = new String[ids.length - 1];
                    System.arraycopy(ids, 0, shrunk, 0, i);
                    System.arraycopy(ids, i + 1, shrunk, i, ids.length - i - 1);
                    return new SmallBucket(shrunk);
                }
            }
            return this;
        }

        @Override
        public void collectInto(List<String> out) {
            out.addAll(Arrays.asList(ids));
        }
    }

    /** Mutated in place (inside {@link ConcurrentHashMap#compute}), read concurrently. */
    private record LargeBucket(Set<String> ids) implements Bucket {
        @Override
        public Bucket with(String id) {
            ids.add(id);
            return this;
        }

        @Override
        public Bucket without(String id) {
            ids.remove(id);
            return ids.isEmpty() ? null : this;
        }

        @Override
        public void collectInto(List<String> out) {
            out.addAll(ids);
        }
    }

    private static final class TenantBuckets {
        final Map<String, Bucket> exact = new ConcurrentHashMap<>();
        final Map<String, Bucket> prefixes = new ConcurrentHashMap<>();

        Map<String, Bucket> mapFor(TopicPattern pattern) {
            return pattern.isWildcard() ? prefixes : exact;
        }

        static String keyOf(TopicPattern pattern) {
            return pattern.isWildcard() ? pattern.prefix() : pattern.text();
        }
    }

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, TenantBuckets> byTenant = new ConcurrentHashMap<>();
    private final AtomicInteger active = new AtomicInteger();

    @Override
    public void onChange(String key, SubscriptionRecord previous, SubscriptionRecord current) {
        apply(key, current);
    }

    /** Applies the latest record of subscription {@code id}; null means it was deleted. */
    public synchronized void apply(String id, SubscriptionRecord current) {
        Entry next = current == null ? null : entryOf(id, current);
        Entry prior = next == null ? byId.remove(id) : byId.put(id, next);
        boolean wasActive = prior != null && prior.record().isActive();
        boolean isActive = next != null && next.record().isActive();
        // Index only active subscriptions; readers re-check the current record anyway.
        if (isActive) {
            TenantBuckets buckets = byTenant.computeIfAbsent(next.tenant(), t -> new TenantBuckets());
            for (TopicPattern pattern : next.patterns()) {
                buckets.mapFor(pattern).compute(TenantBuckets.keyOf(pattern),
                        (k, bucket) -> bucket == null ? new SmallBucket(new String[] {id}) : bucket.with(id));
            }
        }
        if (wasActive) {
            Set<TopicPattern> kept = isActive && next.tenant().equals(prior.tenant())
                    ? new HashSet<>(next.patterns()) : Set.of();
            TenantBuckets buckets = byTenant.get(prior.tenant());
            if (buckets != null) {
                for (TopicPattern pattern : prior.patterns()) {
                    if (!kept.contains(pattern)) {
                        buckets.mapFor(pattern).computeIfPresent(TenantBuckets.keyOf(pattern),
                                (k, bucket) -> bucket.without(id));
                    }
                }
            }
        }
        if (isActive != wasActive) {
            active.addAndGet(isActive ? 1 : -1);
        }
    }

    private static Entry entryOf(String id, SubscriptionRecord record) {
        Set<TopicPattern> patterns = new LinkedHashSet<>();
        if (record.topics() != null) {
            for (String text : record.topics()) {
                try {
                    patterns.add(TopicPattern.parse(text));
                } catch (IllegalArgumentException e) {
                    // The registrar validates patterns; a bad one here must not hide the subscription's valid ones.
                    LOG.warn("subscription {} has an invalid topic pattern '{}', ignoring it", id, text);
                }
            }
        }
        String tenant = record.tenant() != null ? record.tenant() : DEFAULT_TENANT;
        return new Entry(record, tenant, List.copyOf(patterns));
    }

    /** The active subscriptions of {@code tenant} with a pattern matching {@code topic}, each once. */
    public List<SubscriptionRecord> match(String tenant, String topic) {
        TenantBuckets buckets = byTenant.get(tenant);
        if (buckets == null) {
            return List.of();
        }
        List<String> candidates = new ArrayList<>();
        int sources = 0;
        sources += collect(buckets.exact.get(topic), candidates);
        sources += collect(buckets.prefixes.get(""), candidates);
        // Every prefix that ends in a dot and leaves at least one character: "a.b.c" probes "a." and "a.b.".
        for (int dot = topic.indexOf('.'); dot >= 0 && dot < topic.length() - 1; dot = topic.indexOf('.', dot + 1)) {
            sources += collect(buckets.prefixes.get(topic.substring(0, dot + 1)), candidates);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        // One subscription can sit in several buckets (orders.* and orders.created); only then is dedupe needed.
        Set<String> seen = sources > 1 ? new HashSet<>() : null;
        List<SubscriptionRecord> out = new ArrayList<>(candidates.size());
        for (String id : candidates) {
            if (seen != null && !seen.add(id)) {
                continue;
            }
            Entry entry = byId.get(id);
            if (entry != null && entry.record().isActive() && entry.tenant().equals(tenant) && entry.matches(topic)) {
                out.add(entry.record());
            }
        }
        return out;
    }

    private static int collect(Bucket bucket, List<String> out) {
        if (bucket == null) {
            return 0;
        }
        bucket.collectInto(out);
        return 1;
    }

    /** The current record of a subscription, active or not; empty once it was deleted. */
    public Optional<SubscriptionRecord> get(String id) {
        Entry entry = byId.get(id);
        return entry == null ? Optional.empty() : Optional.of(entry.record());
    }

    /** Subscriptions known, active or not. */
    public int size() {
        return byId.size();
    }

    public int activeCount() {
        return active.get();
    }
}
