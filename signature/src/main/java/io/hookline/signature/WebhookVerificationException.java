package io.hookline.signature;

/** The request is not a genuine, fresh webhook from the holder of the secret. */
public final class WebhookVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebhookVerificationException(String message) {
        super(message);
    }
}
