/**
 * The Hookline Java client: {@link io.hookline.client.HooklineClient} publishes events to the ingest gateway
 * (with automatic idempotency keys and bounded, jittered retries), and {@link io.hookline.client.WebhookVerifier}
 * lets a receiver check that a webhook request really came from Hookline (Standard Webhooks signatures).
 *
 * <p>The library depends only on the JDK's {@code java.net.http} client, Jackson and Hookline's signature module,
 * so it can be dropped into any producer service or receiver.
 */
package io.hookline.client;
