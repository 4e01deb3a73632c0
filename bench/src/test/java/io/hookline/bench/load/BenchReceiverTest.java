package io.hookline.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The receiver and the load loop against each other on 127.0.0.1: counts, not timings. */
class BenchReceiverTest {
    private BenchReceiver receiver;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        receiver = BenchReceiver.start(2);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private HttpRequest webhook(String id, String subscription) {
        return HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/hook/0"))
                .header("webhook-id", id).header("hookline-subscription", subscription)
                .POST(HttpRequest.BodyPublishers.ofString("{\"data\":1}")).build();
    }

    @Test
    void recordsEachEventAndSubscriptionPairOnceAndCountsRepeatsAsDuplicates() throws Exception {
        assertThat(client.send(webhook("evt_1", "sub_a"), HttpResponse.BodyHandlers.discarding()).statusCode())
                .isEqualTo(204);
        client.send(webhook("evt_1", "sub_b"), HttpResponse.BodyHandlers.discarding());
        client.send(webhook("evt_1", "sub_a"), HttpResponse.BodyHandlers.discarding());
        client.send(webhook("evt_2", "sub_a"), HttpResponse.BodyHandlers.discarding());

        assertThat(receiver.delivered()).isEqualTo(3);
        assertThat(receiver.duplicates()).isEqualTo(1);
        assertThat(receiver.subscriptionsThatReceived("evt_1")).isEqualTo(2);
        assertThat(receiver.arrivals()).containsOnlyKeys("evt_1 sub_a", "evt_1 sub_b", "evt_2 sub_a");
        assertThat(receiver.lastArrivalNanos()).isPositive();

        receiver.reset();
        assertThat(receiver.delivered()).isZero();
        assertThat(receiver.duplicates()).isZero();
    }

    @Test
    void theLoadLoopSendsEveryRequestWithinItsConcurrency() throws Exception {
        HttpRequest direct = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/direct"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(LoadDriver.payload(256))).build();
        int[] seen = new int[1];
        HttpLoad.Result result = new HttpLoad(client, 8, 0).run(300, Duration.ZERO, i -> direct,
                (i, response, start, end) -> {
                    synchronized (seen) {
                        seen[0]++;
                    }
                });
        assertThat(result.sent()).isEqualTo(300);
        assertThat(result.count(204)).isEqualTo(300);
        assertThat(result.errors()).isZero();
        assertThat(result.latency().count()).isEqualTo(300);
        assertThat(seen[0]).isEqualTo(300);
        assertThat(receiver.directRequests()).isEqualTo(300);
        assertThat(receiver.delivered()).isZero();
    }

    @Test
    void anOpenLoopRunStopsAtItsDuration() throws Exception {
        HttpRequest direct = HttpRequest.newBuilder(URI.create(receiver.baseUrl() + "/direct"))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        // 50/s for at most 200 ms cannot send all 1000: the duration, not the count, ends it.
        HttpLoad.Result result = new HttpLoad(client, 4, 50).run(1000, Duration.ofMillis(200), i -> direct,
                (i, response, start, end) -> { });
        assertThat(result.sent()).isLessThan(1000);
        assertThat(result.count(204)).isEqualTo(result.sent());
    }
}
