package io.hookline.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import io.hookline.common.subscription.SubscriptionRecord;
import io.hookline.dispatcher.HooklineTopics.TestSubscription;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WebhookReceiver;
import io.hookline.testkit.WithKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The lines the delivery path logs about one delivery (a failed attempt, its retry, its dead letter) carry the
 * event, subscription and attempt ids as fields of the JSON output ({@code HOOKLINE_LOG_FORMAT=json} uses the same
 * encoder), set where the dispatcher really logs them, on its own threads.
 */
@WithKafka
class DeliveryLogIdsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    static TestKafka kafka;

    @Test
    void aFailingDeliveryLogsItsIdsAsJsonFields() {
        Logger dispatcherLogs = (Logger) LoggerFactory.getLogger("io.hookline.dispatcher");
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(dispatcherLogs.getLoggerContext());
        // As the services' logback.xml configures it for HOOKLINE_LOG_FORMAT=json (JsonLogOutputTest checks that file).
        encoder.setWithContext(false);
        encoder.setWithMessage(false);
        encoder.setWithArguments(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> json = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                // Encoded at once, on the logging thread: the MDC is the one the line was logged with.
                lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
            }
        };
        json.setContext(dispatcherLogs.getLoggerContext());
        json.start();
        dispatcherLogs.addAppender(json);

        try (HooklineTopics topics = new HooklineTopics(kafka); WebhookReceiver receiver = WebhookReceiver.start();
             DispatcherService dispatcher = DispatcherService.start(DispatcherConfig.from(topics.env(
                     "HOOKLINE_DISPATCHER_STAGES", "delivery", "HOOKLINE_DELIVERY_PARTITIONS", "2",
                     "HOOKLINE_RETRY_TIERS", "200ms,1s")))) {
            receiver.respondWith(503);
            TestSubscription sub = topics.subscription("logs", receiver.url("/"), List.of("*"),
                    r -> new SubscriptionRecord(r.id(), r.tenant(), r.url(), r.topics(), null, null, null, null,
                            5_000, List.of("200ms"), null, null, null, SubscriptionRecord.ACTIVE, 1, r.secrets(),
                            r.createdAt(), r.updatedAt()));
            topics.put(sub.record());
            await("subscription indexed").atMost(WAIT).until(() -> dispatcher.index().get(sub.id()).isPresent());
            EventEnvelope event = topics.event("logs.created", "logs", "{\"n\":1}");
            topics.writeTasks(List.of(DeliveryTask.first(event, sub.id(), Instant.now(), 0, 0)));

            JsonNode deadLettered = await("the dead-letter line").atMost(WAIT).until(
                    () -> line(lines, "dead-lettering event " + event.id()), found -> found != null);
            JsonNode failedFirst = line(lines, "delivery of event " + event.id() + " to subscription " + sub.id()
                    + " failed (attempt 1");
            JsonNode retried = line(lines, "retrying event " + event.id());
            JsonNode failedSecond = line(lines, "failed (attempt 2");
            assertThat(List.of(failedFirst, retried, failedSecond, deadLettered)).doesNotContainNull();

            for (JsonNode line : List.of(failedFirst, retried, failedSecond, deadLettered)) {
                JsonNode mdc = line.path("mdc");
                assertThat(mdc.path("eventId").asText()).as("eventId of %s", line).isEqualTo(event.id());
                assertThat(mdc.path("subscriptionId").asText()).as("subscriptionId of %s", line).isEqualTo(sub.id());
                assertThat(mdc.path("tenant").asText()).isEqualTo("logs");
                assertThat(mdc.path("topic").asText()).isEqualTo("logs.created");
            }
            assertThat(failedFirst.path("mdc").path("attempt").asText()).isEqualTo("1");
            assertThat(retried.path("mdc").path("attempt").asText()).as("the attempt that failed").isEqualTo("1");
            assertThat(failedSecond.path("mdc").path("attempt").asText()).isEqualTo("2");
            assertThat(deadLettered.path("mdc").path("attempt").asText()).isEqualTo("2");
            assertThat(deadLettered.path("level").asText()).isEqualTo("WARN");
        } finally {
            dispatcherLogs.detachAppender(json);
            json.stop();
        }
    }

    /** The first line whose message contains {@code messagePart}, parsed; every line must be one JSON object. */
    private static JsonNode line(List<String> lines, String messagePart) {
        return lines.stream().map(DeliveryLogIdsIT::parse)
                .filter(l -> l.path("formattedMessage").asText().contains(messagePart)).findFirst().orElse(null);
    }

    private static JsonNode parse(String line) {
        assertThat(line).as("one object per line").endsWith("\n").hasLineCount(1);
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + line, e);
        }
    }
}
