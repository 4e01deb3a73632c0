package io.hookline.registrar.store;

import io.hookline.common.subscription.ApiKeyRecord;

/** An API key row: what is broadcast, plus the operator's description that stays in the registrar. */
public record StoredApiKey(ApiKeyRecord record, String description) {
}
