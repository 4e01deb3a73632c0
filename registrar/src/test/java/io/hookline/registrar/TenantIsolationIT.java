package io.hookline.registrar;

import static io.hookline.registrar.TestRegistrar.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.hookline.registrar.TestRegistrar.Response;
import io.hookline.testkit.TestDatabase;
import io.hookline.testkit.TestKafka;
import io.hookline.testkit.WithKafka;
import io.hookline.testkit.WithPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tenant A can neither read, change nor delete tenant B's resources, and sees them as missing (404). */
@WithKafka
@WithPostgres
class TenantIsolationIT {
    static TestKafka kafka;
    static TestDatabase db;
    static TestRegistrar registrar;
    static String alphaKey;
    static String betaKey;
    static String alphaSubscription;

    @BeforeAll
    static void start() {
        registrar = TestRegistrar.start(TestRegistrar.env(kafka, db));
        alphaKey = key("alpha");
        betaKey = key("beta");
        Response topic = registrar.post("/v1/topics", alphaKey, "{\"name\":\"alpha.orders\"}");
        assertThat(topic.status()).as(topic.toString()).isEqualTo(201);
        assertThat(topic.text("tenant")).isEqualTo("alpha");
        Response sub = registrar.post("/v1/subscriptions", alphaKey,
                "{\"url\":\"http://127.0.0.1:9/alpha\",\"topics\":[\"alpha.orders\"]}");
        assertThat(sub.status()).as(sub.toString()).isEqualTo(201);
        assertThat(sub.text("tenant")).isEqualTo("alpha");
        alphaSubscription = sub.text("id");
    }

    @AfterAll
    static void stop() {
        if (registrar != null) {
            registrar.close();
        }
    }

    private static String key(String tenant) {
        Response r = registrar.post("/v1/api-keys", ADMIN_KEY, "{\"tenant\":\"" + tenant + "\",\"scopes\":[\"manage\"]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.text("key");
    }

    private static void assertNotFound(Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
    }

    @Test
    void anotherTenantsSubscriptionLooksMissing() {
        String path = "/v1/subscriptions/" + alphaSubscription;
        long versionBefore = registrar.get(path, alphaKey).body().get("version").asLong();
        Response get = registrar.get(path, betaKey);
        assertNotFound(get);
        // Same answer as for an id that does not exist at all: nothing tells the ids apart.
        Response missing = registrar.get("/v1/subscriptions/sub_00000000000000000000000000", betaKey);
        assertThat(get.text("detail").replace(alphaSubscription, "ID"))
                .isEqualTo(missing.text("detail").replace("sub_00000000000000000000000000", "ID"));

        assertNotFound(registrar.patch(path, betaKey, "{\"url\":\"http://127.0.0.1:9/stolen\"}", Map.of()));
        assertNotFound(registrar.post(path + "/disable", betaKey, null));
        assertNotFound(registrar.post(path + "/enable", betaKey, null));
        assertNotFound(registrar.post(path + "/rotate-secret", betaKey, null));
        assertNotFound(registrar.post(path + "/test", betaKey, null));
        assertNotFound(registrar.delete(path, betaKey));

        Response own = registrar.get(path, alphaKey);
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.text("url")).isEqualTo("http://127.0.0.1:9/alpha");
        assertThat(own.body().get("version").asLong()).as("nothing beta did changed it").isEqualTo(versionBefore);
        assertThat(own.text("status")).isEqualTo("active");
    }

    @Test
    void anotherTenantsTopicLooksMissingAndCannotBeSubscribedTo() {
        assertNotFound(registrar.get("/v1/topics/alpha.orders", betaKey));
        assertNotFound(registrar.patch("/v1/topics/alpha.orders", betaKey, "{\"description\":\"x\"}", Map.of()));
        assertNotFound(registrar.delete("/v1/topics/alpha.orders?force=true", betaKey));
        assertThat(registrar.get("/v1/topics/alpha.orders", alphaKey).status()).isEqualTo(200);

        Response subscribe = registrar.post("/v1/subscriptions", betaKey,
                "{\"url\":\"http://127.0.0.1:9/beta\",\"topics\":[\"alpha.orders\"]}");
        assertThat(subscribe.status()).isEqualTo(422);
        assertThat(subscribe.text("field")).isEqualTo("topics[0]");
    }

    @Test
    void listsShowOnlyTheCallersTenant() {
        Response betaTopic = registrar.post("/v1/topics", betaKey, "{\"name\":\"beta.orders\"}");
        assertThat(betaTopic.status()).isEqualTo(201);
        Response betaSub = registrar.post("/v1/subscriptions", betaKey,
                "{\"url\":\"http://127.0.0.1:9/beta\",\"topics\":[\"*\"]}");
        assertThat(betaSub.status()).isEqualTo(201);

        assertThat(ids(registrar.get("/v1/subscriptions", betaKey), "id")).containsExactly(betaSub.text("id"));
        assertThat(ids(registrar.get("/v1/subscriptions?topic=alpha.orders", betaKey), "id"))
                .containsExactly(betaSub.text("id"));
        assertThat(ids(registrar.get("/v1/topics", betaKey), "name")).containsExactly("beta.orders");
        assertThat(ids(registrar.get("/v1/subscriptions", alphaKey), "id")).containsExactly(alphaSubscription);
        assertThat(registrar.get("/v1/subscriptions?tenant=alpha", betaKey).status()).isEqualTo(403);
        assertThat(registrar.get("/v1/topics?tenant=alpha", betaKey).status()).isEqualTo(403);

        // The admin key sees every tenant, or one.
        assertThat(ids(registrar.get("/v1/subscriptions", ADMIN_KEY), "id"))
                .contains(alphaSubscription, betaSub.text("id"));
        assertThat(ids(registrar.get("/v1/subscriptions?tenant=alpha", ADMIN_KEY), "id"))
                .containsExactly(alphaSubscription);
    }

    @Test
    void aTenantKeyCannotCreateInAnotherTenant() {
        Response r = registrar.post("/v1/topics", betaKey, "{\"name\":\"beta.in.alpha\",\"tenant\":\"alpha\"}");
        assertThat(r.status()).isEqualTo(403);
        Response s = registrar.post("/v1/subscriptions", betaKey,
                "{\"url\":\"http://127.0.0.1:9/x\",\"topics\":[\"*\"],\"tenant\":\"alpha\"}");
        assertThat(s.status()).isEqualTo(403);
        assertThat(registrar.get("/v1/topics/beta.in.alpha", ADMIN_KEY).status()).isEqualTo(404);
    }

    @Test
    void theAdminActsOnEveryTenant() {
        Response r = registrar.post("/v1/subscriptions/" + alphaSubscription + "/disable", ADMIN_KEY, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("tenant")).isEqualTo("alpha");
        assertThat(registrar.post("/v1/subscriptions/" + alphaSubscription + "/enable", ADMIN_KEY, null).status())
                .isEqualTo(200);
        Response created = registrar.post("/v1/subscriptions", ADMIN_KEY,
                "{\"url\":\"http://127.0.0.1:9/admin\",\"topics\":[\"alpha.orders\"],\"tenant\":\"alpha\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(ids(registrar.get("/v1/subscriptions", alphaKey), "id")).contains(created.text("id"));
        assertThat(registrar.delete("/v1/subscriptions/" + created.text("id"), alphaKey).status()).isEqualTo(204);
    }

    private static List<String> ids(Response list, String field) {
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        List<String> out = new java.util.ArrayList<>();
        list.body().get("data").forEach(n -> out.add(n.get(field).asText()));
        return out;
    }
}
