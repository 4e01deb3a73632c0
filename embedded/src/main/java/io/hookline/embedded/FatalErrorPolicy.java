package io.hookline.embedded;

/**
 * What happens when the embedded Kafka broker hits an error Kafka considers fatal (a corrupt metadata log, every
 * log directory failed, ...). Kafka's answer is to end the process through its {@code Exit} class; embedded, that
 * would take the host application or test JVM down with it, so the broker routes those calls through this policy
 * and always logs them first.
 */
public enum FatalErrorPolicy {
    /**
     * Kafka's own behaviour, after an ERROR log line naming the reason and the call site: a broker that can no
     * longer trust its state must not keep serving, and a supervised product restarts from its data directory.
     * The default, meant for the standalone product.
     */
    TERMINATE_JVM,

    /**
     * Log, then throw in the Kafka thread that asked to exit instead of ending the JVM (what Kafka's own test
     * harness does). Meant for test JVMs: the failure shows up in the test report rather than as a fork that died
     * without a word. The broker is unusable afterwards.
     */
    THROW_IN_BROKER_THREAD
}
