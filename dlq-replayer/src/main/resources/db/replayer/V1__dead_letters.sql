-- The dead-letter index: one row per record of hookline.dlq (id = the dead letter's own id, so re-reading the
-- topic inserts nothing new).
CREATE TABLE dead_letters (
    id              text PRIMARY KEY,
    tenant          text        NOT NULL,
    subscription_id text        NOT NULL,
    topic           text        NOT NULL,
    event_id        text        NOT NULL,
    reason          text        NOT NULL,
    last_status     integer,
    attempt_count   integer     NOT NULL,
    first_attempt_at timestamptz,
    last_attempt_at timestamptz,
    dead_at         timestamptz NOT NULL,
    letter          jsonb       NOT NULL,
    state           text        NOT NULL DEFAULT 'dead'
        CHECK (state IN ('dead', 'replaying', 'replayed', 'discarded')),
    replayed_at     timestamptz,
    replay_job_id   text,
    discarded_at    timestamptz,
    discarded_by    text,
    indexed_at      timestamptz NOT NULL DEFAULT now(),
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL
);
CREATE INDEX dead_letters_tenant_id ON dead_letters (tenant, id);
CREATE INDEX dead_letters_subscription ON dead_letters (subscription_id, dead_at);
CREATE INDEX dead_letters_state ON dead_letters (state);

-- Who did what to a dead letter, and when (discards, replays).
CREATE TABLE dead_letter_audit (
    seq       bigserial PRIMARY KEY,
    letter_id text        NOT NULL REFERENCES dead_letters (id),
    action    text        NOT NULL,
    actor     text        NOT NULL,
    tenant    text        NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    detail    text
);
CREATE INDEX dead_letter_audit_letter ON dead_letter_audit (letter_id, seq);

-- Replay jobs and, per job, one row per dead letter it covers: the record of what was sent, so a job resumes
-- after a restart without sending any letter twice.
CREATE TABLE replay_jobs (
    id           text PRIMARY KEY,
    kind         text        NOT NULL CHECK (kind IN ('job', 'single', 'recover')),
    tenant       text,                       -- null: created by the admin across tenants
    created_by   text        NOT NULL,
    filter       jsonb       NOT NULL,
    rate_per_second double precision NOT NULL,
    state        text        NOT NULL CHECK (state IN ('running', 'completed', 'cancelled')),
    total        integer     NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    cancelled_by text
);
CREATE INDEX replay_jobs_state ON replay_jobs (state);

CREATE TABLE replay_job_letters (
    job_id     text        NOT NULL REFERENCES replay_jobs (id),
    letter_id  text        NOT NULL REFERENCES dead_letters (id),
    state      text        NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    reason     text,
    sending_at timestamptz,
    done_at    timestamptz,
    PRIMARY KEY (job_id, letter_id)
);
CREATE INDEX replay_job_letters_todo ON replay_job_letters (job_id, state, letter_id);
