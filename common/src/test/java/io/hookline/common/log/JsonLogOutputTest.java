package io.hookline.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.event.DeliveryTask;
import io.hookline.common.event.EventEnvelope;
import io.hookline.common.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The shared {@code logback.xml} as the services load it: {@code HOOKLINE_LOG_FORMAT=json} turns every line into one
 * JSON object whose ids (event, subscription, attempt) are fields, not only words of the message; unset, the lines
 * stay plain text.
 */
class JsonLogOutputTest {
    private static final String SCHEDULER = "io.hookline.dispatcher.delivery.DeliveryScheduler";

    @Test
    void jsonFormatWritesOneObjectPerLineWithTheDeliveryIdsAsFields() throws Exception {
        DeliveryTask task = task();
        List<String> lines = logged(Map.of("HOOKLINE_LOG_FORMAT", "json"), logger -> {
            try (LogContext ids = LogContext.forTask(task)) {
                logger.info("delivery of event {} to subscription {} failed (attempt {}, {}): {}", task.event().id(),
                        task.subscriptionId(), task.attempt(), "http_5xx", "HTTP 503");
            }
            logger.info("subscription index ready: 3 subscriptions");
        });

        assertThat(lines).hasSize(2);
        JsonNode delivery = Json.MAPPER.readTree(lines.get(0));
        assertThat(delivery.path("level").asText()).isEqualTo("INFO");
        assertThat(delivery.path("loggerName").asText()).isEqualTo(SCHEDULER);
        assertThat(delivery.path("timestamp").asLong()).isPositive();
        assertThat(delivery.path("formattedMessage").asText())
                .isEqualTo("delivery of event evt_01JSONLOG to subscription sub_json failed (attempt 3, http_5xx): "
                        + "HTTP 503");
        JsonNode mdc = delivery.path("mdc");
        assertThat(mdc.path("eventId").asText()).isEqualTo("evt_01JSONLOG");
        assertThat(mdc.path("subscriptionId").asText()).isEqualTo("sub_json");
        assertThat(mdc.path("attempt").asText()).isEqualTo("3");
        assertThat(mdc.path("tenant").asText()).isEqualTo("acme");
        assertThat(mdc.path("topic").asText()).isEqualTo("orders.created");
        assertThat(delivery.has("context")).as("no per-line logger-context blob").isFalse();

        JsonNode after = Json.MAPPER.readTree(lines.get(1));
        assertThat(after.path("mdc").has("eventId")).as("ids do not leak past their block").isFalse();
        assertThat(MDC.getCopyOfContextMap() == null || MDC.getCopyOfContextMap().isEmpty()).isTrue();
    }

    @Test
    void textIsTheDefaultFormat() throws Exception {
        List<String> lines = logged(Map.of(), logger -> {
            try (LogContext ids = LogContext.forTask(task())) {
                logger.warn("dead-lettering event {}", "evt_01JSONLOG");
            }
        });
        assertThat(lines).singleElement().asString()
                .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[.+] DeliveryScheduler - dead-lettering event "
                        + "evt_01JSONLOG");
    }

    @Test
    void nestedContextsRestoreTheOuterIds() {
        try (LogContext job = LogContext.of(LogContext.REPLAY_JOB_ID, "rpl_1", LogContext.EVENT_ID, "evt_outer")) {
            try (LogContext letter = LogContext.of(LogContext.EVENT_ID, "evt_inner", LogContext.DEAD_LETTER_ID, null)) {
                assertThat(MDC.get(LogContext.EVENT_ID)).isEqualTo("evt_inner");
                assertThat(MDC.get(LogContext.DEAD_LETTER_ID)).as("null values are left out").isNull();
            }
            assertThat(MDC.get(LogContext.EVENT_ID)).isEqualTo("evt_outer");
            assertThat(MDC.get(LogContext.REPLAY_JOB_ID)).isEqualTo("rpl_1");
        }
        assertThat(MDC.get(LogContext.REPLAY_JOB_ID)).isNull();
        assertThat(MDC.get(LogContext.EVENT_ID)).isNull();
    }

    private interface Logging {
        void run(Logger logger) throws Exception;
    }

    /** Configures a fresh logger context from the services' logback.xml and returns what it wrote to stderr. */
    private static List<String> logged(Map<String, String> properties, Logging logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter());
        // Logback looks variables up in the context's properties before the environment, as if they were set there.
        properties.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(JsonLogOutputTest.class.getResource("/logback.xml"));
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run(context.getLogger(SCHEDULER));
        } finally {
            System.setErr(stderr);
            context.stop();
        }
        return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private static DeliveryTask task() throws Exception {
        EventEnvelope event = new EventEnvelope("evt_01JSONLOG", "orders.created", "acme", null, null,
                Instant.parse("2026-11-22T10:00:00Z"), Instant.parse("2026-11-22T10:00:00Z"),
                Json.MAPPER.readTree("{\"orderId\":42}"));
        Instant at = Instant.parse("2026-11-22T10:00:00Z");
        return DeliveryTask.first(event, "sub_json", at, 0, 7).nextAttempt(at, at).nextAttempt(at, at);
    }
}
