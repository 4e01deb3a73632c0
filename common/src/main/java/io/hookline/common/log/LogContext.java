package io.hookline.common.log;

import io.hookline.common.event.DeliveryTask;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The ids of what a log line is about (event, subscription, attempt, dead letter, replay job), put into the MDC
 * for the lines logged inside a {@code try (LogContext ids = ...)} block, so that JSON log output
 * ({@code HOOKLINE_LOG_FORMAT=json}) carries them as fields an aggregator can filter on, not only inside the
 * message text. Closing restores whatever the MDC held before, so contexts nest.
 */
public final class LogContext implements AutoCloseable {
    public static final String EVENT_ID = "eventId";
    public static final String SUBSCRIPTION_ID = "subscriptionId";
    public static final String ATTEMPT = "attempt";
    public static final String TENANT = "tenant";
    public static final String TOPIC = "topic";
    public static final String DEAD_LETTER_ID = "deadLetterId";
    public static final String REPLAY_JOB_ID = "replayJobId";

    private final List<String> keys = new ArrayList<>();
    private final List<String> previous = new ArrayList<>();

    private LogContext() {
    }

    /** A delivery task's ids (event, subscription, attempt, tenant, topic), then {@code more} key-value pairs. */
    public static LogContext forTask(DeliveryTask task, Object... more) {
        Map<String, Object> ids = new LinkedHashMap<>();
        ids.put(EVENT_ID, task.event().id());
        ids.put(SUBSCRIPTION_ID, task.subscriptionId());
        ids.put(ATTEMPT, task.attempt());
        ids.put(TENANT, task.event().tenant());
        ids.put(TOPIC, task.event().topic());
        return with(ids, more);
    }

    /** Key-value pairs ({@code key1, value1, key2, value2...}); null values are left out. */
    public static LogContext of(Object... keysAndValues) {
        return with(new LinkedHashMap<>(), keysAndValues);
    }

    private static LogContext with(Map<String, Object> ids, Object[] keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        for (int i = 0; i < keysAndValues.length; i += 2) {
            ids.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        LogContext context = new LogContext();
        ids.forEach((key, value) -> {
            if (value != null) {
                context.keys.add(key);
                context.previous.add(MDC.get(key));
                MDC.put(key, String.valueOf(value));
            }
        });
        return context;
    }

    @Override
    public void close() {
        for (int i = keys.size() - 1; i >= 0; i--) {
            if (previous.get(i) == null) {
                MDC.remove(keys.get(i));
            } else {
                MDC.put(keys.get(i), previous.get(i));
            }
        }
    }
}
