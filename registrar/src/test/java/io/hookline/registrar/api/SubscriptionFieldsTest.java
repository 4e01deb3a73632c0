package io.hookline.registrar.api;

import io.hookline.common.http.RequestFields;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.common.http.ProblemException;
import io.hookline.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubscriptionFieldsTest {

    private static RequestFields body(String json) {
        try {
            JsonNode node = Json.readTree(json.getBytes(StandardCharsets.UTF_8));
            return RequestFields.of(node, SubscriptionFields.CREATE);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static SubscriptionSettings create(String json) {
        return SubscriptionFields.apply(SubscriptionSettings.NEW, body(json));
    }

    private static void assertField(String json, String field, String detailPart) {
        assertThatThrownBy(() -> create(json))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().status()).isEqualTo(422);
                    assertThat(e.problem().field()).isEqualTo(field);
                    assertThat(e.problem().detail()).startsWith(field + ": ").contains(detailPart);
                });
    }

    @Test
    void minimalBodyGetsDefaults() {
        SubscriptionSettings s = create("{\"url\":\"https://example.com/hook\",\"topics\":[\"orders.*\"]}");
        assertThat(s.url()).isEqualTo("https://example.com/hook");
        assertThat(s.topics()).containsExactly("orders.*");
        assertThat(s.status()).isEqualTo("active");
        assertThat(s.ordering()).isEqualTo("unordered");
        assertThat(s.headers()).isEmpty();
        assertThat(s.timeoutMs()).isNull();
        assertThat(s.retrySchedule()).isNull();
    }

    @Test
    void everyFieldIsRead() {
        SubscriptionSettings s = create("""
                {"url":"http://example.com:8080/x?y=1","topics":["a","b.*","*","a"],"description":"d",
                 "headers":{"X-Token":"abc","Authorization":"Bearer t"},"rateLimitPerSecond":2.5,"maxInFlight":4,
                 "timeoutMs":5000,"retrySchedule":["100ms","5s","10m","1h"],"maxAgeSeconds":3600,
                 "ordering":"ordered","metadata":{"team":"billing","n":[1,2]},"status":"disabled"}""");
        assertThat(s.topics()).containsExactly("a", "b.*", "*");
        assertThat(s.headers()).isEqualTo(Map.of("X-Token", "abc", "Authorization", "Bearer t"));
        assertThat(s.rateLimitPerSecond()).isEqualTo(2.5);
        assertThat(s.maxInFlight()).isEqualTo(4);
        assertThat(s.timeoutMs()).isEqualTo(5000);
        assertThat(s.retrySchedule()).containsExactly("100ms", "5s", "10m", "1h");
        assertThat(s.maxAgeSeconds()).isEqualTo(3600L);
        assertThat(s.ordering()).isEqualTo("ordered");
        assertThat(s.metadata().get("team").asText()).isEqualTo("billing");
        assertThat(s.status()).isEqualTo("disabled");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"topics\":[\"a\"]}|url|is required",
            "{\"url\":\"https://e.com\"}|topics|is required",
            "{\"url\":\"ftp://e.com/x\",\"topics\":[\"a\"]}|url|http or https",
            "{\"url\":\"/relative\",\"topics\":[\"a\"]}|url|http or https",
            "{\"url\":\"https://user:pw@e.com\",\"topics\":[\"a\"]}|url|credentials",
            "{\"url\":\"https://e.com/a b\",\"topics\":[\"a\"]}|url|not a valid URL",
            "{\"url\":\"https://e.com#frag\",\"topics\":[\"a\"]}|url|fragment",
            "{\"url\":42,\"topics\":[\"a\"]}|url|must be a string",
            "{\"url\":\"https://e.com\",\"topics\":[]}|topics|1 to 100 items",
            "{\"url\":\"https://e.com\",\"topics\":\"a\"}|topics|array of strings",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\",\"Orders\"]}|topics[1]|topic name or a pattern",
            "{\"url\":\"https://e.com\",\"topics\":[\"a*\"]}|topics[0]|topic name or a pattern",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\",7]}|topics[1]|must be a string",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"webhook-id\":\"x\"}}|headers.webhook-id|set by Hookline",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"Content-Type\":\"x\"}}|headers.Content-Type|set by Hookline",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"bad name\":\"x\"}}|headers.bad name|not a valid HTTP header name",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"X-A\":\"a\\nb\"}}|headers.X-A|visible",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"X-A\":1}}|headers.X-A|must be a string",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":{\"X-A\":\"1\",\"x-a\":\"2\"}}|headers.x-a|twice",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"headers\":[]}|headers|JSON object",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"rateLimitPerSecond\":0}|rateLimitPerSecond|between",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"rateLimitPerSecond\":\"5\"}|rateLimitPerSecond|must be a number",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"maxInFlight\":0}|maxInFlight|between 1 and 1000",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"maxInFlight\":1.5}|maxInFlight|integer",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"timeoutMs\":99}|timeoutMs|between 100 and 120000",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"timeoutMs\":99999999999999999999}|timeoutMs|integer",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"retrySchedule\":[\"5s\",\"99ms\"]}|retrySchedule[1]|between 100ms and 24h",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"retrySchedule\":[\"25h\"]}|retrySchedule[0]|between 100ms and 24h",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"retrySchedule\":[\"1d\"]}|retrySchedule[0]|such as",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"retrySchedule\":[\"5 s\"]}|retrySchedule[0]|such as",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"maxAgeSeconds\":0}|maxAgeSeconds|between 1 and 604800",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"ordering\":\"fifo\"}|ordering|'unordered' or 'ordered'",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"status\":\"paused\"}|status|'active' or 'disabled'",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"status\":null}|status|'active' or 'disabled'",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"metadata\":[1]}|metadata|JSON object",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"description\":5}|description|must be a string",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"colour\":\"red\"}|colour|not a known field",
            "{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"metadata\":{\"k\":\"a\\u0000b\"}}|metadata.k|U+0000",
    })
    void badFieldsAreNamed(String json, String field, String detailPart) {
        assertField(json, field, detailPart);
    }

    @Test
    void overLongValuesAreRefused() {
        String longUrl = "https://e.com/" + "a".repeat(SubscriptionFields.MAX_URL_LENGTH);
        assertField("{\"url\":\"" + longUrl + "\",\"topics\":[\"a\"]}", "url", "at most 2048 characters");
        String desc = "d".repeat(SubscriptionFields.MAX_DESCRIPTION + 1);
        assertField("{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"description\":\"" + desc + "\"}", "description",
                "at most 1024");
        String big = "x".repeat(SubscriptionFields.MAX_METADATA_BYTES);
        assertField("{\"url\":\"https://e.com\",\"topics\":[\"a\"],\"metadata\":{\"k\":\"" + big + "\"}}", "metadata",
                "bytes of JSON");
        StringBuilder topics = new StringBuilder("[");
        for (int i = 0; i <= SubscriptionFields.MAX_TOPICS; i++) {
            topics.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
        }
        assertField("{\"url\":\"https://e.com\",\"topics\":" + topics + "]}", "topics", "1 to 100 items");
    }

    @Test
    void bodyMustBeAnObject() {
        assertThatThrownBy(() -> RequestFields.of(Json.MAPPER.valueToTree(List.of(1)), SubscriptionFields.CREATE))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.problem().status()).isEqualTo(422));
    }

    @Test
    void patchAppliesOnlyPresentMembersAndNullResetsOptionalOnes() {
        SubscriptionSettings base = create("""
                {"url":"https://e.com","topics":["a"],"description":"old","timeoutMs":5000,
                 "headers":{"X-A":"1"},"retrySchedule":["1s"]}""");
        RequestFields patch = RequestFields.of(Json.MAPPER.createObjectNode().putNull("description"),
                SubscriptionFields.PATCHABLE);
        SubscriptionSettings s = SubscriptionFields.apply(base, patch);
        assertThat(s.description()).isNull();
        assertThat(s.timeoutMs()).isEqualTo(5000);
        assertThat(s.headers()).containsEntry("X-A", "1");

        RequestFields reset = RequestFields.of(Json.MAPPER.createObjectNode().putNull("headers").putNull("retrySchedule")
                .put("timeoutMs", 200), SubscriptionFields.PATCHABLE);
        SubscriptionSettings r = SubscriptionFields.apply(base, reset);
        assertThat(r.headers()).isEmpty();
        assertThat(r.retrySchedule()).isNull();
        assertThat(r.timeoutMs()).isEqualTo(200);
        assertThat(r.url()).isEqualTo("https://e.com");
    }

    @Test
    void patchCannotNullRequiredMembers() {
        SubscriptionSettings base = create("{\"url\":\"https://e.com\",\"topics\":[\"a\"]}");
        RequestFields patch = RequestFields.of(Json.MAPPER.createObjectNode().putNull("url"),
                SubscriptionFields.PATCHABLE);
        assertThatThrownBy(() -> SubscriptionFields.apply(base, patch))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.problem().field()).isEqualTo("url");
                    assertThat(e.problem().detail()).contains("must not be null");
                });
    }

    @Test
    void tenantIsNotPatchable() {
        assertThatThrownBy(() -> RequestFields.of(Json.MAPPER.createObjectNode().put("tenant", "x"),
                SubscriptionFields.PATCHABLE))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().field()).isEqualTo("tenant"));
    }
}
