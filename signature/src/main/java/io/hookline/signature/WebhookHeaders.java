package io.hookline.signature;

/** Header names of the Standard Webhooks specification, lower-case as HTTP/2 sends them. */
public final class WebhookHeaders {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";

    private WebhookHeaders() {
    }
}
