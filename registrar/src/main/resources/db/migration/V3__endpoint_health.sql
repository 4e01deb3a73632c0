-- Why a subscription has its status and since when: 'manual' (the API), 'gone' (the endpoint answered 410) or
-- 'failing' (no success for HOOKLINE_DISABLE_AFTER); null for subscriptions never enabled or disabled since.
-- status_changed_at of an active subscription bounds endpoint health: failures before a re-enable do not count.
ALTER TABLE subscriptions ADD COLUMN status_reason text;
ALTER TABLE subscriptions ADD COLUMN status_changed_at timestamptz;

-- The last success of a subscription is found without walking its failures (endpoint health per batch).
CREATE INDEX attempts_successes_by_subscription ON attempts (subscription_id, started_at DESC)
    WHERE outcome = 'success';
