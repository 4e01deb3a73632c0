package io.hookline.replayer.api;

import io.hookline.common.event.DeadLetter;
import io.hookline.common.json.Json;
import io.hookline.replayer.store.ReplayJob;
import io.hookline.replayer.store.StoredLetter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of the API: dead letters and replay jobs. */
final class LetterViews {
    private LetterViews() {
    }

    static Map<String, Object> summary(StoredLetter l) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", l.id());
        v.put("tenant", l.tenant());
        v.put("subscription", l.subscriptionId());
        v.put("topic", l.topic());
        v.put("eventId", l.eventId());
        v.put("reason", l.reason());
        v.put("lastStatus", l.lastStatus());
        v.put("attemptCount", l.attemptCount());
        v.put("firstAttemptAt", l.firstAttemptAt());
        v.put("lastAttemptAt", l.lastAttemptAt());
        v.put("deadAt", l.deadAt());
        v.put("state", l.state());
        v.put("replayedAt", l.replayedAt());
        v.put("replayJob", l.replayJobId());
        v.put("discardedAt", l.discardedAt());
        v.put("discardedBy", l.discardedBy());
        return v;
    }

    /** The summary plus the event (with its payload), every attempt and the audit trail. */
    static Map<String, Object> detail(StoredLetter l, List<Map<String, Object>> audit) {
        Map<String, Object> v = summary(l);
        DeadLetter letter = l.letter();
        v.put("event", letter.task().event());
        v.put("payload", letter.task().event().payload());
        v.put("attempts", letter.attempts());
        v.put("audit", audit);
        return v;
    }

    static Map<String, Object> job(ReplayJob j) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", j.id());
        v.put("kind", j.kind());
        v.put("tenant", j.tenant());
        v.put("state", j.state());
        v.put("total", j.total());
        v.put("replayed", j.replayed());
        v.put("failed", j.failed());
        v.put("cancelled", j.cancelled());
        v.put("pending", j.total() - j.replayed() - j.failed() - j.cancelled());
        v.put("progress", Math.round(j.progress() * 1000) / 1000.0);
        v.put("ratePerSecond", j.ratePerSecond());
        v.put("filter", Json.read(j.filterJson().getBytes(StandardCharsets.UTF_8), Map.class));
        v.put("createdBy", j.createdBy());
        v.put("createdAt", j.createdAt());
        v.put("finishedAt", j.finishedAt());
        v.put("cancelledBy", j.cancelledBy());
        return v;
    }
}
