-- Delivery history consumed from hookline.attempts. Partitioned by day so that retention is a cheap
-- DROP TABLE of whole days; the recorder creates each day's partition before writing into it.
CREATE TABLE attempts (
    id               text        NOT NULL,
    subscription_id  text        NOT NULL,
    tenant           text        NOT NULL,
    event_id         text        NOT NULL,
    topic            text        NOT NULL,
    attempt          integer     NOT NULL,
    url              text,
    started_at       timestamptz NOT NULL,
    latency_ms       bigint      NOT NULL,
    outcome          text        NOT NULL,
    status_code      integer,
    error            text,
    retry_after_ms   bigint,
    response_excerpt text,
    PRIMARY KEY (id, started_at) -- the consumer is at-least-once: a replayed record is a no-op
) PARTITION BY RANGE (started_at);
CREATE INDEX attempts_by_subscription ON attempts (subscription_id, started_at DESC, id DESC);
