package io.hookline.registrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.common.config.ConfigException;
import io.hookline.common.net.DestinationRejectedException;
import io.hookline.common.security.SecretCipher;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistrarConfigTest {
    private static Map<String, String> minimal() {
        Map<String, String> env = new HashMap<>();
        env.put("HOOKLINE_ADMIN_KEY", "admin-key-for-tests");
        env.put("HOOKLINE_SECRET_KEY", SecretCipher.generateKey());
        return env;
    }

    private static void assertRejected(Map<String, String> env, String variable) {
        assertThatThrownBy(() -> RegistrarConfig.from(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.variable()).isEqualTo(variable);
                    assertThat(e.getMessage()).startsWith(variable + ": ").doesNotContain("\n");
                });
    }

    @Test
    void defaultsSuitAStandaloneSetUp() {
        RegistrarConfig config = RegistrarConfig.from(minimal());
        assertThat(config.httpPort()).isEqualTo(8081);
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.kafka().topicPrefix()).isEqualTo("hookline");
        assertThat(config.database().schema()).isEqualTo("registrar");
        assertThat(config.database().url()).startsWith("jdbc:postgresql://");
        assertThat(config.republishOnStart()).isFalse();
        assertThat(config.outboxPollInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.allowedNetworks()).isEmpty();
    }

    @Test
    void disableAfterDefaultsToThreeDaysAndMustBeAPositiveDuration() {
        assertThat(RegistrarConfig.from(minimal()).disableAfter()).isEqualTo(Duration.ofDays(3));
        Map<String, String> hours = minimal();
        hours.put("HOOKLINE_DISABLE_AFTER", "12h");
        assertThat(RegistrarConfig.from(hours).disableAfter()).isEqualTo(Duration.ofHours(12));
        for (String bad : new String[] {"0", "0s", "off", "-1d", "3 days"}) {
            Map<String, String> env = minimal();
            env.put("HOOKLINE_DISABLE_AFTER", bad);
            assertRejected(env, "HOOKLINE_DISABLE_AFTER");
        }
    }

    @Test
    void requiredAndInvalidSettingsNameTheVariable() {
        Map<String, String> noAdmin = minimal();
        noAdmin.remove("HOOKLINE_ADMIN_KEY");
        assertRejected(noAdmin, "HOOKLINE_ADMIN_KEY");

        Map<String, String> noSecret = minimal();
        noSecret.remove("HOOKLINE_SECRET_KEY");
        assertRejected(noSecret, "HOOKLINE_SECRET_KEY");

        Map<String, String> shortSecret = minimal();
        shortSecret.put("HOOKLINE_SECRET_KEY", "c2hvcnQ=");
        assertRejected(shortSecret, "HOOKLINE_SECRET_KEY");

        Map<String, String> badNetwork = minimal();
        badNetwork.put("HOOKLINE_ALLOWED_NETWORKS", "127.0.0.0/8,not-a-network");
        assertRejected(badNetwork, "HOOKLINE_ALLOWED_NETWORKS");

        Map<String, String> badUrl = minimal();
        badUrl.put("HOOKLINE_DB_URL", "mysql://localhost/x");
        assertRejected(badUrl, "HOOKLINE_DB_URL");

        Map<String, String> badPort = minimal();
        badPort.put("HOOKLINE_HTTP_PORT", "70000");
        assertRejected(badPort, "HOOKLINE_HTTP_PORT");

        Map<String, String> badPoll = minimal();
        badPoll.put("HOOKLINE_OUTBOX_POLL_INTERVAL", "0s");
        assertRejected(badPoll, "HOOKLINE_OUTBOX_POLL_INTERVAL");

        Map<String, String> badSchema = minimal();
        badSchema.put("HOOKLINE_DB_SCHEMA", "Drop Table");
        assertRejected(badSchema, "HOOKLINE_DB_SCHEMA");
    }

    @Test
    void allowedNetworksOpenOnlyThoseNetworks() throws Exception {
        Map<String, String> env = minimal();
        env.put("HOOKLINE_ALLOWED_NETWORKS", "127.0.0.0/8, ::1/128");
        RegistrarConfig config = RegistrarConfig.from(env);
        config.destinationPolicy().checkAddress(InetAddress.getByName("127.0.0.1"));
        assertThatThrownBy(() -> config.destinationPolicy().checkAddress(InetAddress.getByName("10.0.0.1")))
                .isInstanceOf(DestinationRejectedException.class);
        assertThatThrownBy(() -> RegistrarConfig.from(minimal()).destinationPolicy()
                .checkAddress(InetAddress.getByName("127.0.0.1")))
                .isInstanceOf(DestinationRejectedException.class);
    }

    @Test
    void toStringHidesSecrets() {
        Map<String, String> env = minimal();
        env.put("HOOKLINE_DB_PASSWORD", "pw-123456");
        String text = RegistrarConfig.from(env).toString();
        assertThat(text).doesNotContain("pw-123456").doesNotContain("admin-key-for-tests")
                .doesNotContain(env.get("HOOKLINE_SECRET_KEY"));
    }
}
