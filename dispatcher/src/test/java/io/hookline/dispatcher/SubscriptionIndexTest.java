package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.common.subscription.SubscriptionRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionIndexTest {
    private final SubscriptionIndex index = new SubscriptionIndex();

    static SubscriptionRecord subscription(String id, String tenant, String status, String... topics) {
        return new SubscriptionRecord(id, tenant, "https://example.com/" + id, List.of(topics), null, null, null,
                null, null, null, null, null, null, status, 1, List.of(), Instant.EPOCH, Instant.EPOCH);
    }

    private void put(String id, String tenant, String... topics) {
        index.apply(id, subscription(id, tenant, SubscriptionRecord.ACTIVE, topics));
    }

    private List<String> ids(String tenant, String topic) {
        return index.match(tenant, topic).stream().map(SubscriptionRecord::id).sorted().toList();
    }

    @Test
    void matchesExactNamesPrefixWildcardsAndStar() {
        put("exact", "acme", "orders.created");
        put("orders", "acme", "orders.*");
        put("all", "acme", "*");
        put("invoices", "acme", "invoices.paid");

        assertThat(ids("acme", "orders.created")).containsExactly("all", "exact", "orders");
        assertThat(ids("acme", "orders.eu.created")).containsExactly("all", "orders");
        assertThat(ids("acme", "invoices.paid")).containsExactly("all", "invoices");
        assertThat(ids("acme", "payments")).containsExactly("all");
    }

    @Test
    void aPrefixWildcardNeedsSomethingAfterTheDot() {
        put("orders", "acme", "orders.*");
        assertThat(ids("acme", "orders")).isEmpty();
        assertThat(ids("acme", "orders.")).isEmpty();
        assertThat(ids("acme", "ordersx.created")).isEmpty();
        assertThat(ids("acme", "orders.x")).containsExactly("orders");
    }

    @Test
    void matchesOnlyTheTenantsOwnSubscriptions() {
        put("mine", "acme", "orders.*");
        put("theirs", "globex", "orders.*");
        put("everything", "globex", "*");
        assertThat(ids("acme", "orders.created")).containsExactly("mine");
        assertThat(ids("initech", "orders.created")).isEmpty();
    }

    @Test
    void returnsASubscriptionOnceEvenWhenSeveralPatternsMatch() {
        put("overlap", "acme", "orders.*", "orders.created", "*", "orders.*");
        assertThat(index.match("acme", "orders.created")).hasSize(1);
    }

    @Test
    void disabledAndDeletedSubscriptionsDoNotMatchButDisabledOnesCanBeLookedUp() {
        put("sub", "acme", "orders.*");
        index.apply("sub", subscription("sub", "acme", SubscriptionRecord.DISABLED, "orders.*"));
        assertThat(ids("acme", "orders.created")).isEmpty();
        assertThat(index.get("sub")).get().extracting(SubscriptionRecord::status).isEqualTo("disabled");
        assertThat(index.activeCount()).isZero();

        put("sub", "acme", "orders.*");
        assertThat(ids("acme", "orders.created")).containsExactly("sub");
        assertThat(index.activeCount()).isEqualTo(1);

        index.apply("sub", null);
        assertThat(ids("acme", "orders.created")).isEmpty();
        assertThat(index.get("sub")).isEmpty();
        assertThat(index.size()).isZero();
        assertThat(index.activeCount()).isZero();
    }

    @Test
    void anUpdateReplacesThePatterns() {
        put("sub", "acme", "orders.*", "invoices.paid");
        put("sub", "acme", "invoices.*");
        assertThat(ids("acme", "orders.created")).isEmpty();
        assertThat(ids("acme", "invoices.paid")).containsExactly("sub");
        assertThat(ids("acme", "invoices.sent")).containsExactly("sub");
    }

    @Test
    void servesTheCurrentRecordAfterAnUpdateThatKeepsThePatterns() {
        put("sub", "acme", "orders.*");
        SubscriptionRecord v2 = new SubscriptionRecord("sub", "acme", "https://example.com/v2", List.of("orders.*"),
                null, null, null, null, null, null, null, null, null, "active", 2, List.of(), Instant.EPOCH,
                Instant.EPOCH);
        index.apply("sub", v2);
        assertThat(index.match("acme", "orders.created")).containsExactly(v2);
    }

    @Test
    void largeBucketsStillAddAndRemoveExactly() {
        for (int i = 0; i < 100; i++) {
            put("sub" + i, "acme", "*");
        }
        assertThat(index.match("acme", "anything")).hasSize(100);
        for (int i = 0; i < 100; i += 2) {
            index.apply("sub" + i, null);
        }
        assertThat(ids("acme", "anything")).hasSize(50).allMatch(id -> Integer.parseInt(id.substring(3)) % 2 == 1);
        for (int i = 1; i < 100; i += 2) {
            index.apply("sub" + i, null);
        }
        assertThat(index.match("acme", "anything")).isEmpty();
    }

    @Test
    void aSubscriptionWithoutTenantBelongsToTheDefaultTenant() {
        index.apply("sub", subscription("sub", null, "active", "orders.*"));
        assertThat(ids(SubscriptionIndex.DEFAULT_TENANT, "orders.created")).containsExactly("sub");
    }

    @Test
    void invalidPatternsAreIgnoredAndValidOnesStillMatch() {
        put("sub", "acme", "Orders.*", "or*ders", "invoices.paid");
        assertThat(ids("acme", "invoices.paid")).containsExactly("sub");
        assertThat(ids("acme", "orders.created")).isEmpty();
    }
}
