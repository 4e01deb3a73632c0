package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With no HOOKLINE_ALLOWED_NETWORKS, the registrar refuses every destination that is or resolves to a loopback,
 * private, link-local, CGNAT, multicast, reserved or metadata address, in every spelling, with a 422 on
 * {@code url} saying why; at registration and on PATCH.
 */
@WithKafka
@WithPostgres
class DestinationSafetyIT {
    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;
    static String subscription;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(TestRegistrar.env(kafka, db));
        env.remove("HOOKLINE_ALLOWED_NETWORKS");
        registrar = TestRegistrar.start(env);
        // A public address literal needs no DNS and is acceptable.
        Response created = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"https://93.184.215.14/hook\",\"topics\":[\"*\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        subscription = created.text("id");
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    private static final List<String[]> REFUSED = List.of(
            new String[] {"http://127.0.0.1/", "loopback"},
            new String[] {"http://127.8.9.10:8080/x", "loopback"},
            new String[] {"http://localhost/", "loopback"},
            new String[] {"http://LocalHost:8080/", "loopback"},
            new String[] {"http://[::1]/", "loopback"},
            new String[] {"http://[::ffff:127.0.0.1]/", "loopback"},
            new String[] {"http://[::ffff:7f00:1]/", "loopback"},
            new String[] {"http://[0:0:0:0:0:ffff:127.0.0.1]/", "loopback"},
            new String[] {"http://[::127.0.0.1]/", "loopback"}, // IPv4-compatible
            new String[] {"http://[::ffff:10.0.0.1]/", "private"},
            new String[] {"http://[::ffff:a9fe:a9fe]/", "metadata"}, // 169.254.169.254, mapped and in hex
            new String[] {"http://[::]/", "unspecified"},
            new String[] {"http://2130706433/", "ambiguous numeric"},
            new String[] {"http://0x7f000001/", "ambiguous numeric"},
            new String[] {"http://0177.0.0.1/", "ambiguous numeric"},
            new String[] {"http://167772161/", "ambiguous numeric"}, // 10.0.0.1
            new String[] {"http://0xa9fea9fe/", "ambiguous numeric"}, // 169.254.169.254
            new String[] {"http://012.0.0.1/", "ambiguous numeric"}, // octal 10.0.0.1
            new String[] {"http://127.000.000.001/", "ambiguous numeric"},
            new String[] {"http://0/", "ambiguous numeric"},
            new String[] {"http://127.1/", "host"}, // java.net.URI finds no host in it at all
            new String[] {"http://0.0.0.0/", "unspecified"},
            new String[] {"http://10.0.0.1/", "private"},
            new String[] {"http://172.16.5.4/", "private"},
            new String[] {"http://192.168.1.1/", "private"},
            new String[] {"http://100.64.0.1/", "carrier-grade NAT"},
            new String[] {"http://169.254.169.254/latest/meta-data/", "metadata"},
            new String[] {"http://169.254.10.10/", "link-local"},
            new String[] {"http://[fd00:ec2::254]/", "metadata"},
            new String[] {"http://[fc00::1]/", "unique-local"},
            new String[] {"http://[fe80::1]/", "link-local"},
            new String[] {"http://224.0.0.1/", "multicast"},
            new String[] {"http://[ff02::1]/", "multicast"},
            new String[] {"http://240.0.0.1/", "reserved"},
            new String[] {"http://[64:ff9b::a00:1]/", "private"},
            new String[] {"http://[2002:c0a8:101::]/", "private"},
            new String[] {"ftp://93.184.215.14/", "http or https"},
            new String[] {"http://user:pw@93.184.215.14/", "credentials"});

    @Test
    void everyUnsafeDestinationIsRefusedAtRegistrationSayingWhy() {
        for (String[] row : REFUSED) {
            Response r = registrar.post("/v1/subscriptions", ADMIN_KEY,
                    "{\"url\":\"" + row[0] + "\",\"topics\":[\"*\"]}");
            assertThat(r.status()).as(row[0] + " -> " + r).isEqualTo(422);
            assertThat(r.text("field")).as(row[0]).isEqualTo("url");
            assertThat(r.text("detail")).as(row[0]).contains(row[1]);
        }
        assertThat(TestRegistrar.query(db, "SELECT count(*) AS n FROM subscriptions")).containsExactly(Map.of("n", 1L));
    }

    @Test
    void everyUnsafeDestinationIsRefusedOnPatch() {
        for (String[] row : REFUSED) {
            Response r = registrar.patch("/v1/subscriptions/" + subscription, ADMIN_KEY, "{\"url\":\"" + row[0] + "\"}",
                    Map.of());
            assertThat(r.status()).as(row[0] + " -> " + r).isEqualTo(422);
            assertThat(r.text("field")).as(row[0]).isEqualTo("url");
        }
        Response unchanged = registrar.get("/v1/subscriptions/" + subscription, ADMIN_KEY);
        assertThat(unchanged.text("url")).isEqualTo("https://93.184.215.14/hook");
        assertThat(unchanged.body().get("version").asLong()).isEqualTo(1);
    }
}
