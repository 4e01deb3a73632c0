package io.hookline.client;

import java.io.IOException;

/**
 * The gateway could not be reached (connection refused or reset, DNS failure, TLS failure) or did not answer
 * within the request timeout, on every attempt the retry policy allowed. The cause is the last attempt's
 * {@link IOException}. After a timeout the event may have been stored; publishing again with the same
 * idempotency key is safe.
 */
public class HooklineConnectionException extends HooklineException {
    private static final long serialVersionUID = 1L;

    HooklineConnectionException(String message, IOException cause, int attempts, String idempotencyKey) {
        super(message, cause, 0, null, attempts, idempotencyKey);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
