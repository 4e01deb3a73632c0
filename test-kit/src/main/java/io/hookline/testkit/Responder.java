package io.hookline.testkit;

/** Decides the {@link WebhookReceiver}'s answer to a request; called concurrently, from the server's threads. */
@FunctionalInterface
public interface Responder {
    WebhookResponse respond(RecordedRequest request);
}
