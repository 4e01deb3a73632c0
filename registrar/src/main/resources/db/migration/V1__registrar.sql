-- The registrar's source of truth. Every change to these tables is written together with an outbox row in the
-- same transaction; the outbox relay publishes the rows to the compacted Kafka topics.

CREATE TABLE api_keys (
    id          text        PRIMARY KEY,
    tenant      text        NOT NULL,
    scopes      jsonb       NOT NULL,
    key_hash    text        NOT NULL UNIQUE, -- SHA-256 (hex) of the key; the key itself is never stored
    description text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, id);

CREATE TABLE topics (
    name        text        PRIMARY KEY, -- global: it names the Kafka topic <prefix>.events.<name>
    tenant      text        NOT NULL,
    partitions  integer     NOT NULL CHECK (partitions > 0),
    description text,
    schema      jsonb,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
-- Kafka refuses topics whose names differ only by '.' versus '_' (their metric names collide).
CREATE UNIQUE INDEX topics_kafka_name_collision ON topics ((replace(name, '.', '_')));
CREATE INDEX topics_by_tenant ON topics (tenant, name);

CREATE TABLE subscriptions (
    id                    text             PRIMARY KEY,
    tenant                text             NOT NULL,
    url                   text             NOT NULL,
    topics                jsonb            NOT NULL, -- array of topic patterns
    description           text,
    headers               jsonb            NOT NULL,
    rate_limit_per_second double precision,
    max_in_flight         integer,
    timeout_ms            integer,
    retry_schedule        jsonb,
    max_age_seconds       bigint,
    ordering              text             NOT NULL CHECK (ordering IN ('unordered', 'ordered')),
    metadata              jsonb,
    status                text             NOT NULL CHECK (status IN ('active', 'disabled')),
    version               bigint           NOT NULL,
    secrets               jsonb            NOT NULL, -- [{encrypted, expiresAt}], AES-GCM under HOOKLINE_SECRET_KEY
    created_at            timestamptz      NOT NULL,
    updated_at            timestamptz      NOT NULL
);
CREATE INDEX subscriptions_by_tenant ON subscriptions (tenant, id);
CREATE INDEX subscriptions_by_topic ON subscriptions USING gin (topics jsonb_path_ops);

CREATE TABLE outbox (
    seq        bigserial   PRIMARY KEY,
    channel    text        NOT NULL, -- subscriptions | topics | api-keys (the Kafka topic under the prefix)
    record_key text        NOT NULL,
    payload    bytea,                -- null = tombstone
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz,
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_pending_by_key ON outbox (channel, record_key, seq) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;
