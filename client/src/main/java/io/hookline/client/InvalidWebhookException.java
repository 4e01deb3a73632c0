package io.hookline.client;

/**
 * A request is not a genuine, fresh Hookline webhook: a header is missing or malformed, the timestamp is outside
 * the tolerance, no signature matches any of the secrets, or (for {@link WebhookVerifier#verifyEvent}) the
 * verified body is not a Hookline event. Answer such a request with 400 or 401 and do not process it.
 */
public class InvalidWebhookException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidWebhookException(String message) {
        super(message);
    }

    public InvalidWebhookException(String message, Throwable cause) {
        super(message, cause);
    }
}
