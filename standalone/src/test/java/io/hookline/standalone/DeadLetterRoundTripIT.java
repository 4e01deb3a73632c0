package io.hookline.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.json.Json;
import io.hookline.testkit.RecordedRequest;
import io.hookline.testkit.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole dead-letter loop on one standalone: the dispatcher retries a failing endpoint on its schedule, gives up
 * into hookline.dlq, the dlq-replayer indexes the letters, and once the endpoint is healthy a replay job started
 * with the CLI (its own process, as an operator runs it, showing a progress bar) brings each event back exactly once.
 * An endpoint answering 410 Gone is disabled, and an operator subscribed to the system topic hookline.ops hears of it.
 *
 * <p>Six failures in a row open the endpoint's circuit breaker; replays then wait for its probe. A short open time
 * keeps that wait short (the default is 30 s).
 */
@WithStandalone(settings = "HOOKLINE_BREAKER_OPEN_FOR=1s")
class DeadLetterRoundTripIT {
    private static final int EVENTS = 3;
    static Standalone hookline;
    static HooklineApi api;
    static WebhookReceiver receiver;

    @Test
    void deadLettersAreIndexedAndReplayedOncePerJobToTheHealedEndpoint() throws Exception {
        receiver.respondWith(500);
        assertThat(api.post(hookline.registrarPort(), "/v1/topics", "{\"name\":\"invoices.paid\"}").status())
                .isEqualTo(201);
        var subscription = api.post(hookline.registrarPort(), "/v1/subscriptions", Json.writeString(Map.of(
                "url", receiver.url("/hook"), "topics", List.of("invoices.paid"), "retrySchedule", List.of("200ms"))));
        assertThat(subscription.status()).as(subscription.raw()).isEqualTo(201);
        String subscriptionId = subscription.body().get("id").asText();

        Set<String> published = new HashSet<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var answer = api.post(hookline.gatewayPort(), "/v1/topics/invoices.paid/events",
                    "{\"invoice\":" + published.size() + "}");
            if (answer.status() == 202) {
                published.add(answer.body().get("id").asText());
            }
            return published.size() == EVENTS;
        });

        // Two attempts per event (the first and one retry after 200 ms), then the dead letter is indexed.
        String lettersPath = "/v1/dead-letters?subscription=" + subscriptionId;
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            var letters = api.get(hookline.replayerPort(), lettersPath);
            return letters.status() == 200 && letters.body().get("data").size() == EVENTS;
        });
        assertThat(receiver.requests()).hasSize(EVENTS * 2);
        JsonNode letters = api.get(hookline.replayerPort(), lettersPath).body().get("data");
        for (JsonNode letter : letters) {
            assertThat(letter.get("reason").asText()).isEqualTo("exhausted");
            assertThat(letter.get("state").asText()).isEqualTo("dead");
            assertThat(letter.get("lastStatus").asInt()).isEqualTo(500);
            assertThat(published).contains(letter.get("eventId").asText());
        }

        // The CLI, as an operator runs it against the running standalone: a table for people, JSON for scripts.
        JsonNode listed = Json.MAPPER.readTree(cli("dlq", "ls", "--subscription", subscriptionId, "-o", "json"));
        assertThat(listed.get("data")).hasSize(EVENTS);
        for (JsonNode letter : letters) {
            assertThat(listed.toString()).contains(letter.get("id").asText());
        }
        List<String> table = cli("dlq", "ls", "--subscription", subscriptionId).lines().toList();
        assertThat(table).hasSize(EVENTS + 1);
        assertThat(table.get(0)).matches("ID +SUBSCRIPTION +TOPIC +REASON +STATUS +ATTEMPTS +DIED +STATE");
        for (String row : table.subList(1, table.size())) {
            // Columns line up under their headers.
            assertThat(row.indexOf(subscriptionId)).isEqualTo(table.get(0).indexOf("SUBSCRIPTION"));
            assertThat(row.indexOf("exhausted")).isEqualTo(table.get(0).indexOf("REASON"));
            assertThat(row).endsWith("dead");
        }

        receiver.reset();
        receiver.respondWith(204);
        // A slow rate (one letter a second) so that the progress bar is seen moving before it reaches 100 %.
        List<String> replay = cli("dlq", "replay", "--subscription", subscriptionId, "--rate", "1").lines().toList();
        assertThat(replay.get(0)).matches("replay job rpl_\\S+: " + EVENTS + " letter\\(s\\) at 1\\.0/s");
        String jobId = replay.get(0).split(" ")[2].replace(":", "");
        List<String> bars = replay.subList(1, replay.size());
        assertThat(bars).allMatch(l -> l.matches("\\[[#-]{30}]  \\d/" + EVENTS + "  \\d+%  replayed \\d  failed 0  \\w+"));
        assertThat(bars.size()).as("the bar is redrawn as the job advances: %s", bars).isGreaterThanOrEqualTo(2);
        List<Integer> progress = bars.stream().map(l -> Integer.parseInt(l.split("  ")[1].split("/")[0])).toList();
        assertThat(progress).isSorted();
        assertThat(bars.get(bars.size() - 1)).isEqualTo("[" + "#".repeat(30) + "]  " + EVENTS + "/" + EVENTS
                + "  100%  replayed " + EVENTS + "  failed 0  completed");

        JsonNode jobs = Json.MAPPER.readTree(cli("dlq", "jobs", "--output", "json"));
        JsonNode done = null;
        for (JsonNode j : jobs.get("data")) {
            if (j.get("id").asText().equals(jobId)) {
                done = j;
            }
        }
        assertThat(done).as("job %s in %s", jobId, jobs).isNotNull();
        assertThat(done.get("state").asText()).isEqualTo("completed");
        assertThat(done.get("replayed").asInt()).isEqualTo(EVENTS);
        assertThat(done.get("failed").asInt()).isZero();
        List<String> jobTable = cli("dlq", "jobs").lines().toList();
        assertThat(jobTable.get(0)).matches("ID +KIND +STATE +TOTAL +REPLAYED +FAILED +PROGRESS +RATE");
        assertThat(jobTable).anySatisfy(l -> assertThat(l).startsWith(jobId).contains("completed"));

        List<RecordedRequest> redelivered = receiver.awaitRequests(EVENTS, Duration.ofSeconds(60));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> receiver.requests().size() == EVENTS);
        List<String> ids = new ArrayList<>();
        redelivered.forEach(r -> ids.add(r.header("webhook-id")));
        assertThat(ids).containsExactlyInAnyOrderElementsOf(published);
        assertThat(redelivered).allSatisfy(r -> assertThat(r.header("hookline-attempt")).isEqualTo("1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode now = api.get(hookline.replayerPort(), lettersPath).body().get("data");
            for (JsonNode letter : now) {
                if (!letter.get("state").asText().equals("replayed")) {
                    return false;
                }
            }
            return now.size() == EVENTS;
        });
    }

    @Test
    void anEndpointAnsweringGoneIsDisabledAndAnOperatorSubscribedToHooklineOpsHearsOfIt() throws Exception {
        try (WebhookReceiver operator = WebhookReceiver.start(); WebhookReceiver gone = WebhookReceiver.start()) {
            gone.respondWith(410);
            // The operator subscribes to the system topic with the admin key, like to any other topic.
            var ops = api.post(hookline.registrarPort(), "/v1/subscriptions", Json.writeString(Map.of(
                    "url", operator.url("/ops"), "topics", List.of("hookline.ops"))));
            assertThat(ops.status()).as(ops.raw()).isEqualTo(201);
            assertThat(api.post(hookline.registrarPort(), "/v1/topics", "{\"name\":\"shipments.sent\"}").status())
                    .isEqualTo(201);
            var subscription = api.post(hookline.registrarPort(), "/v1/subscriptions", Json.writeString(Map.of(
                    "url", gone.url("/hook"), "topics", List.of("shipments.sent"))));
            assertThat(subscription.status()).as(subscription.raw()).isEqualTo(201);
            String subscriptionId = subscription.body().get("id").asText();

            String eventId = await().atMost(Duration.ofSeconds(30)).until(() -> {
                var answer = api.post(hookline.gatewayPort(), "/v1/topics/shipments.sent/events", "{\"n\":1}");
                return answer.status() == 202 ? answer.body().get("id").asText() : null;
            }, id -> id != null);

            await().atMost(Duration.ofSeconds(60)).until(() -> api.get(hookline.registrarPort(),
                    "/v1/subscriptions/" + subscriptionId).body().path("status").asText().equals("disabled"));
            JsonNode disabled = await().atMost(Duration.ofSeconds(60))
                    .until(() -> opsReport(operator, "subscription.disabled", subscriptionId), r -> r != null);
            assertThat(disabled.get("reason").asText()).isEqualTo("gone");
            JsonNode exhausted = await().atMost(Duration.ofSeconds(60))
                    .until(() -> opsReport(operator, "delivery.exhausted", subscriptionId), r -> r != null);
            assertThat(exhausted.get("eventId").asText()).isEqualTo(eventId);
            assertThat(exhausted.get("reason").asText()).isEqualTo("gone");
            assertThat(exhausted.get("attempts").asInt()).isEqualTo(1);
            assertThat(exhausted.get("lastStatus").asInt()).isEqualTo(410);
            assertThat(exhausted.get("topic").asText()).isEqualTo("shipments.sent");
            JsonNode letter = await().atMost(Duration.ofSeconds(60)).until(() -> api.get(hookline.replayerPort(),
                    "/v1/dead-letters?subscription=" + subscriptionId).body().get("data"), data -> data.size() == 1)
                    .get(0);
            assertThat(letter.get("id").asText()).isEqualTo(exhausted.get("deadLetterId").asText());
            assertThat(gone.requests()).hasSize(1);
        }
    }

    /** The {@code data} of the first hookline.ops webhook of {@code type} about the subscription, or null. */
    private static JsonNode opsReport(WebhookReceiver operator, String type, String subscriptionId) throws Exception {
        for (RecordedRequest request : operator.requests()) {
            JsonNode body = Json.MAPPER.readTree(request.body());
            JsonNode data = body.path("data");
            if (body.path("type").asText().equals("hookline.ops") && data.path("type").asText().equals(type)
                    && data.path("subscriptionId").asText().equals(subscriptionId)) {
                return data;
            }
        }
        return null;
    }

    private static String cli(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "io.hookline.replayer.cli.HooklineCli"));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", "http://127.0.0.1:" + hookline.replayerPort(), "--api-key", hookline.adminKey()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
