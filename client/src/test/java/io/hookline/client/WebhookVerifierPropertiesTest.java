package io.hookline.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** What a receiver relies on, for any input: genuine requests verify, altered ones never do, garbage never crashes. */
class WebhookVerifierPropertiesTest {
    private static final long NOW = 1_767_225_600L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    enum Tampering { BODY_BIT, ID, TIMESTAMP, SIGNATURE_BIT, OTHER_SECRET, STALE }

    private static String secretText(byte[] key) {
        return WebhookSecret.PREFIX + Base64.getEncoder().encodeToString(key);
    }

    private static WebhookVerifier verifier(List<String> secrets) {
        return new WebhookVerifier(secrets, WebhookVerifier.DEFAULT_TOLERANCE, CLOCK);
    }

    private static Map<String, List<String>> headers(String id, long ts, String signature, boolean upperCase) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put(upperCase ? "Webhook-Id" : "webhook-id", List.of(id));
        headers.put(upperCase ? "WEBHOOK-TIMESTAMP" : "webhook-timestamp", List.of(Long.toString(ts)));
        headers.put(upperCase ? "Webhook-Signature" : "webhook-signature", List.of(signature));
        headers.put("content-type", List.of("application/json"));
        return headers;
    }

    @Provide
    Arbitrary<byte[]> keys() {
        return Arbitraries.bytes().array(byte[].class).ofMinSize(WebhookSecret.MIN_BYTES).ofMaxSize(WebhookSecret.MAX_BYTES);
    }

    @Property
    void anythingSignedWithinTheToleranceVerifies(@ForAll("keys") byte[] key, @ForAll @StringLength(min = 1, max = 80) String id,
                                                  @ForAll @IntRange(min = -300, max = 300) int skew,
                                                  @ForAll @Size(max = 2048) byte[] body, @ForAll boolean upperCase) {
        WebhookSecret secret = WebhookSecret.parse(secretText(key));
        long ts = NOW + skew;
        String signature = WebhookSigner.sign(id, ts, body, secret);

        assertThatCode(() -> verifier(List.of(secretText(key))).verify(headers(id, ts, signature, upperCase), body))
                .doesNotThrowAnyException();
    }

    @Property
    void duringARotationEitherSecretAndAnyMixOfSignaturesVerifies(@ForAll("keys") byte[] oldKey, @ForAll("keys") byte[] newKey,
                                                                  @ForAll @Size(max = 512) byte[] body,
                                                                  @ForAll boolean signWithOld, @ForAll boolean verifierKnowsBoth,
                                                                  @ForAll @Size(max = 4) List<@StringLength(max = 60) String> noise,
                                                                  @ForAll @IntRange(min = 0, max = 4) int position) {
        WebhookSecret oldSecret = WebhookSecret.parse(secretText(oldKey));
        WebhookSecret newSecret = WebhookSecret.parse(secretText(newKey));
        String genuine = WebhookSigner.sign("evt_rot", NOW, body, signWithOld ? oldSecret : newSecret);
        // Unknown versions, other secrets' signatures and junk may sit around the genuine entry.
        List<String> entries = new ArrayList<>();
        for (String n : noise) {
            entries.add(n.isBlank() ? "v1a,xyz" : "v1," + n.replace(' ', '_'));
        }
        entries.add(Math.min(position, entries.size()), genuine);
        String header = String.join(" ", entries);
        List<String> known = verifierKnowsBoth ? List.of(secretText(newKey), secretText(oldKey))
                : List.of(secretText(signWithOld ? oldKey : newKey));

        assertThatCode(() -> verifier(known).verify("evt_rot", Long.toString(NOW), header, body)).doesNotThrowAnyException();
    }

    @Property
    void anyTamperingFails(@ForAll("keys") byte[] key, @ForAll("keys") byte[] otherKey,
                           @ForAll @StringLength(min = 1, max = 40) String id,
                           @ForAll @Size(min = 1, max = 1024) byte[] body, @ForAll Tampering tampering,
                           @ForAll @IntRange(min = 0, max = 1_000_000) int where) {
        WebhookSecret secret = WebhookSecret.parse(secretText(key));
        long ts = NOW;
        byte[] sentBody = body;
        String sentId = id;
        long sentTs = ts;
        String signature = WebhookSigner.sign(id, ts, body, secret);
        switch (tampering) {
            case BODY_BIT -> {
                sentBody = body.clone();
                sentBody[where % body.length] ^= (byte) (1 << (where % 8));
            }
            case ID -> sentId = id + (char) ('a' + where % 26);
            case TIMESTAMP -> sentTs = ts + 1 + where % 299; // still fresh: only the signature can catch it
            case SIGNATURE_BIT -> {
                byte[] mac = Base64.getDecoder().decode(signature.substring(3));
                mac[where % mac.length] ^= (byte) (1 << (where % 8));
                signature = "v1," + Base64.getEncoder().encodeToString(mac);
            }
            case OTHER_SECRET -> {
                if (java.util.Arrays.equals(key, otherKey)) {
                    otherKey = otherKey.clone();
                    otherKey[0] ^= 1;
                }
                signature = WebhookSigner.sign(id, ts, body, WebhookSecret.parse(secretText(otherKey)));
            }
            case STALE -> {
                sentTs = ts - 301 - where;
                signature = WebhookSigner.sign(id, sentTs, body, secret); // genuine, but replayed too late
            }
        }
        String finalId = sentId;
        long finalTs = sentTs;
        byte[] finalBody = sentBody;
        String finalSignature = signature;

        assertThatThrownBy(() -> verifier(List.of(secretText(key))).verify(finalId, Long.toString(finalTs), finalSignature, finalBody))
                .isInstanceOf(InvalidWebhookException.class);
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.oneOf(
                Arbitraries.strings(),
                Arbitraries.strings().ofMaxLength(3).injectNull(0.3),
                Arbitraries.longs().map(l -> Long.toString(l)),
                Arbitraries.longs().between(NOW - 1000, NOW + 1000).map(l -> Long.toString(l)),
                Arbitraries.of("-9223372036854775808", "9223372036854775807", "1e9", " 1767225600 ", "+1767225600",
                        Long.toString(NOW + Long.MIN_VALUE), "v1,", "v1", ",", " ", "v1,====", "v1,AAAA v2,BBBB"),
                Arbitraries.strings().ofMaxLength(100).map(s -> "v1," + s),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)
                        .map(b -> "v1," + Base64.getEncoder().encodeToString(b)));
    }

    @Provide
    Arbitrary<Map<String, List<String>>> headerMaps() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("webhook-id", "Webhook-Timestamp", "WEBHOOK-SIGNATURE", "webhook-signature"),
                Arbitraries.strings().ofMaxLength(20));
        Arbitrary<List<String>> values = Arbitraries.oneOf(
                headerValues().list().ofMaxSize(3).map(l -> (List<String>) new ArrayList<>(l)),
                Arbitraries.just(Collections.<String>emptyList()),
                Arbitraries.just(null));
        return Combinators.combine(names, values).as(java.util.AbstractMap.SimpleEntry::new).list().ofMaxSize(6).map(entries -> {
            Map<String, List<String>> map = new HashMap<>();
            entries.forEach(e -> map.put(e.getKey(), e.getValue()));
            return map;
        });
    }

    @Property(tries = 2000)
    void garbageHeaderValuesNeverEscapeAsUncheckedExceptions(@ForAll("headerValues") String id,
                                                             @ForAll("headerValues") String timestamp,
                                                             @ForAll("headerValues") String signature,
                                                             @ForAll @Size(max = 256) byte[] body) {
        try {
            verifier(List.of(WebhookSecret.generate().toString())).verify(id, timestamp, signature, body);
            throw new AssertionError("garbage verified");
        } catch (InvalidWebhookException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 2000)
    void garbageHeaderMapsNeverEscapeAsUncheckedExceptions(@ForAll("headerMaps") Map<String, List<String>> headers,
                                                           @ForAll @Size(max = 256) byte[] body) {
        try {
            verifier(List.of(WebhookSecret.generate().toString())).verifyEvent(headers, body);
            throw new AssertionError("garbage verified");
        } catch (InvalidWebhookException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Property
    void aGenuineSignatureOverAnyBodyEitherParsesOrIsRejectedCleanly(@ForAll("keys") byte[] key,
                                                                     @ForAll @Size(max = 300) byte[] body) {
        WebhookSecret secret = WebhookSecret.parse(secretText(key));
        Map<String, List<String>> headers = headers("evt_x", NOW, WebhookSigner.sign("evt_x", NOW, body, secret), false);
        try {
            WebhookEvent event = verifier(List.of(secretText(key))).verifyEvent(headers, body);
            assertThat(event.id()).isEqualTo("evt_x");
        } catch (InvalidWebhookException expected) {
            assertThat(expected.getMessage()).doesNotContain(secretText(key));
        }
    }

    @Property
    void anyGenuineHooklineEventParsesBackToWhatWasSent(@ForAll("keys") byte[] key,
                                                        @ForAll @StringLength(min = 1, max = 50) String type,
                                                        @ForAll @IntRange(min = -100_000, max = 100_000) int amount) {
        String json = "{\"type\":" + quote(type) + ",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{\"amount\":" + amount + "}}";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        WebhookSecret secret = WebhookSecret.parse(secretText(key));
        Map<String, List<String>> headers = headers("evt_y", NOW, WebhookSigner.sign("evt_y", NOW, body, secret), true);

        WebhookEvent event;
        try {
            event = verifier(List.of(secretText(key))).verifyEvent(headers, body);
        } catch (InvalidWebhookException e) {
            throw new AssertionError(e);
        }
        assertThat(event.type()).isEqualTo(type);
        assertThat(event.data().get("amount").asInt()).isEqualTo(amount);
    }

    @Property
    void anySecretTextIsParsedOrRefusedWithIllegalArgument(@ForAll String text) {
        try {
            new WebhookVerifier(text);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
