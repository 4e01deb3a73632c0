package io.hookline.embedded;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes Kafka's process-ending calls ({@link Exit#exit}, {@link Exit#halt}) through a {@link FatalErrorPolicy}
 * while at least one embedded broker runs. Kafka's exit procedures are JVM-wide statics, so brokers register and
 * unregister here; when brokers with different policies share a JVM, throwing wins, since only a test JVM mixes
 * them and a test JVM must not die silently.
 */
final class KafkaExitInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaExitInterceptor.class);
    private static final Map<FatalErrorPolicy, Integer> REGISTERED = new EnumMap<>(FatalErrorPolicy.class);

    private KafkaExitInterceptor() {
    }

    static synchronized void register(FatalErrorPolicy policy) {
        if (REGISTERED.isEmpty()) {
            Exit.setExitProcedure((status, message) -> onExit("exit", status, message));
            Exit.setHaltProcedure((status, message) -> onExit("halt", status, message));
        }
        REGISTERED.merge(policy, 1, Integer::sum);
    }

    static synchronized void unregister(FatalErrorPolicy policy) {
        REGISTERED.computeIfPresent(policy, (p, count) -> count == 1 ? null : count - 1);
        if (REGISTERED.isEmpty()) {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    private static synchronized FatalErrorPolicy effectivePolicy() {
        return REGISTERED.containsKey(FatalErrorPolicy.THROW_IN_BROKER_THREAD)
                ? FatalErrorPolicy.THROW_IN_BROKER_THREAD
                : FatalErrorPolicy.TERMINATE_JVM;
    }

    private static void onExit(String kind, int status, String message) {
        FatalErrorPolicy policy = effectivePolicy();
        // The Throwable only carries the call site: Kafka's fault handlers do not always say where they came from.
        LOG.error("Embedded Kafka broker requested JVM {} with status {} ({}); policy {}",
                kind, status, message == null ? "no message" : message, policy, new Throwable("requested here"));
        if (policy == FatalErrorPolicy.TERMINATE_JVM) {
            // Same calls Kafka makes by default: halt skips shutdown hooks on purpose, a hook could wait on the
            // very thread that is failing.
            if (kind.equals("halt")) {
                Runtime.getRuntime().halt(status);
            } else {
                System.exit(status);
            }
        }
        throw new EmbeddedKafkaException("Embedded Kafka broker hit a fatal error (JVM " + kind + " " + status
                + " suppressed): " + message);
    }
}
