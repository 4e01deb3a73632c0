package io.hookline.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookReceiverTest {
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final WebhookReceiver receiver = WebhookReceiver.start();

    @AfterEach
    void stop() {
        receiver.close();
    }

    @Test
    void recordsMethodPathHeadersAndBodyAndAnswers204() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(receiver.url("/hooks/a?x=1")))
                .header("Content-Type", "application/json")
                .header("Webhook-Id", "evt_1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"orders.created\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(204);
        RecordedRequest request = receiver.awaitRequests(1).get(0);
        assertThat(request.sequence()).isEqualTo(1);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks/a");
        assertThat(request.query()).isEqualTo("x=1");
        assertThat(request.headers()).containsKeys("content-type", "webhook-id");
        assertThat(request.header("WEBHOOK-ID")).isEqualTo("evt_1");
        assertThat(request.bodyAsString()).isEqualTo("{\"type\":\"orders.created\"}");
        assertThat(request.receivedAt()).isNotNull();
        assertThat(receiver.url()).matches("http://127\\.0\\.0\\.1:\\d+/");
    }

    @Test
    void servesConcurrentRequestsWhileResponsesAreHeld() {
        int senders = 8;
        receiver.holdResponses();

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        IntStream.range(0, senders).forEach(i -> responses.add(client.sendAsync(
                HttpRequest.newBuilder(URI.create(receiver.url("/concurrent")))
                        .POST(HttpRequest.BodyPublishers.ofString("request " + i))
                        .build(),
                HttpResponse.BodyHandlers.ofString())));

        // All eight are inside the server at once: none was answered yet.
        assertThat(receiver.awaitRequests(senders, Duration.ofSeconds(30))).hasSize(senders);
        assertThat(receiver.inFlight()).isEqualTo(senders);
        assertThat(responses).noneMatch(CompletableFuture::isDone);

        receiver.releaseResponses();

        assertThat(responses).allSatisfy(future -> assertThat(future.join().statusCode()).isEqualTo(204));
        assertThat(receiver.peakInFlight()).isEqualTo(senders);
        assertThat(receiver.requests()).extracting(RecordedRequest::bodyAsString)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, senders).mapToObj(i -> "request " + i)
                        .toList());
        assertThat(receiver.requests()).extracting(RecordedRequest::sequence)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, senders).boxed().toList());
    }

    @Test
    void answersProgrammedStatusesInSequence() throws Exception {
        receiver.respondWithStatuses(503, 500, 200);

        assertThat(statuses(4)).containsExactly(503, 500, 200, 200);

        receiver.respondWith(410);
        assertThat(statuses(1)).containsExactly(410);
    }

    @Test
    void answersWithWhatTheResponderBuilds() throws Exception {
        receiver.respondWith(request -> request.sequence() == 1
                ? WebhookResponse.status(429).withHeader("Retry-After", "7").withBody("slow down")
                : WebhookResponse.status(200).withBody("ok " + request.bodyAsString()));

        HttpResponse<String> first = post("a");
        HttpResponse<String> second = post("b");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("retry-after")).contains("7");
        assertThat(first.body()).isEqualTo("slow down");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.body()).isEqualTo("ok b");
    }

    @Test
    void aFailingResponderAnswers500() throws Exception {
        receiver.respondWith(request -> {
            throw new IllegalStateException("boom");
        });

        assertThat(post("x").statusCode()).isEqualTo(500);
    }

    @Test
    void resetForgetsRequestsAndRestoresTheDefault() throws Exception {
        receiver.respondWith(500);
        post("before");

        receiver.reset();

        assertThat(receiver.requests()).isEmpty();
        assertThat(post("after").statusCode()).isEqualTo(204);
        assertThat(receiver.requests()).singleElement().satisfies(r -> assertThat(r.sequence()).isEqualTo(1));
    }

    @Test
    void awaitRequestsFailsWithWhatArrived() throws Exception {
        post("only one");

        assertThatThrownBy(() -> receiver.awaitRequests(2, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("but got 1")
                .hasMessageContaining("only one");
    }

    @Test
    void comesBackOnTheSamePortAfterClose() throws Exception {
        int port = receiver.port();
        receiver.close();

        try (WebhookReceiver again = WebhookReceiver.start(port)) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(again.url("/back")))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());

            assertThat(response.statusCode()).isEqualTo(204);
            assertThat(again.requests("/back")).hasSize(1);
        }
    }

    private List<Integer> statuses(int count) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            statuses.add(post("n" + i).statusCode());
        }
        return statuses;
    }

    private HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(receiver.url("/hook")))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
