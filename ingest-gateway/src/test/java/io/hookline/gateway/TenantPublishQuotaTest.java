package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TenantPublishQuotaTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final TenantPublishQuota quota = new TenantPublishQuota(
            tenant -> Map.of("acme", 10, "big", 2).getOrDefault(tenant, 0), now::get);

    @Test
    void unlimitedTenantsAreAlwaysAdmitted() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(quota.tryAcquire("free", 100).admitted()).isTrue();
        }
    }

    @Test
    void aBurstOfOneSecondThenRefusedWithRetryAfter() {
        for (int i = 0; i < 10; i++) {
            assertThat(quota.tryAcquire("acme", 1).admitted()).isTrue();
        }
        TenantPublishQuota.Decision refused = quota.tryAcquire("acme", 1);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        // Other tenants are not affected.
        assertThat(quota.tryAcquire("big", 1).admitted()).isTrue();
    }

    @Test
    void tokensRefillWithTime() {
        assertThat(quota.tryAcquire("acme", 10).admitted()).isTrue();
        assertThat(quota.tryAcquire("acme", 5).admitted()).isFalse();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(quota.tryAcquire("acme", 5).admitted()).isTrue();
        assertThat(quota.tryAcquire("acme", 1).admitted()).isFalse();
    }

    @Test
    void aBatchIsAdmittedWholeOrNotAtAll() {
        assertThat(quota.tryAcquire("acme", 8).admitted()).isTrue();
        TenantPublishQuota.Decision refused = quota.tryAcquire("acme", 5);
        assertThat(refused.admitted()).isFalse();
        // The refused batch took nothing: the two remaining tokens are still there.
        assertThat(quota.tryAcquire("acme", 2).admitted()).isTrue();
    }

    @Test
    void aBatchLargerThanTheBurstFitsOnlyIntoAFullBucket() {
        assertThat(quota.tryAcquire("big", 5).admitted()).isTrue();
        TenantPublishQuota.Decision refused = quota.tryAcquire("big", 5);
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertThat(quota.tryAcquire("big", 5).admitted()).isTrue();
    }
}
