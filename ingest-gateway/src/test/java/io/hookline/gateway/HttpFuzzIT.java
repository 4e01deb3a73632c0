package io.hookline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.hookline.gateway.GatewayFixture.Answer;
import io.hookline.testkit.KafkaExtension;
import io.hookline.testkit.TestKafka;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile and broken HTTP against the publish API: random and truncated bodies, wrong content types, malformed
 * request heads, huge headers, header injection, request smuggling shapes, slow and idle clients. Whatever arrives,
 * the answer is a 4xx or a closed connection — never a 5xx — and exactly the events answered 202 are stored.
 */
@ExtendWith(KafkaExtension.class)
class HttpFuzzIT {
    private static final long SEED = 20240501L;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final Set<Integer> CLEAN_OUTCOMES = Set.of(202, 400, 404, 405, 413, 415, 422);

    private static GatewayFixture gateway;
    private static String key;
    /** Every event id the gateway answered as accepted, by any test of this class. */
    private static final Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start(TestKafka kafka) {
        gateway = new GatewayFixture(kafka);
        gateway.topic("fuzz", "acme", "{\"type\": [\"object\", \"array\", \"string\", \"number\", \"boolean\", \"null\"],"
                + " \"properties\": {\"n\": {\"type\": \"integer\"}}}", 1);
        key = gateway.apiKey("acme", "publish");
        gateway.start(Map.of(
                "HOOKLINE_MAX_PAYLOAD_BYTES", "4096",
                "HOOKLINE_MAX_BATCH_BYTES", "8192",
                "HOOKLINE_HTTP_REQUEST_TIMEOUT", "1s",
                "HOOKLINE_HTTP_IDLE_TIMEOUT", "2s"));
    }

    @AfterAll
    static void stop() {
        try {
            // Nothing answered 202 is missing and nothing else was stored: no event was half-published.
            assertThat(new HashSet<>(gateway.eventIds("fuzz", accepted.size()))).isEqualTo(accepted);
            assertNoServerErrors();
        } finally {
            gateway.close();
        }
    }

    // ---- bodies and content types

    @Test
    void randomBodiesAndContentTypesGetCleanAnswers() {
        Random random = new Random(SEED);
        String[] contentTypes = {"application/json", "application/json; charset=utf-8", "text/plain", null,
            "application/x-www-form-urlencoded", "application/vnd.acme+json", "application/json; charset=latin1",
            ";;;", "application/json; charset=", "*/*"};
        for (int i = 0; i < 400; i++) {
            String contentType = contentTypes[random.nextInt(contentTypes.length)];
            boolean batch = random.nextInt(4) == 0;
            String body = batch ? randomBatch(random) : randomBody(random);
            String path = "/v1/topics/fuzz/events" + (batch ? "/batch" : "");
            Answer answer = gateway.post(path, key, contentType, body);
            assertThat(CLEAN_OUTCOMES).as("status %s for %s body %s", answer.status(), contentType,
                    abbreviate(body)).contains(answer.status());
            collectAccepted(answer, batch);
        }
    }

    @Test
    void invalidUtf8AndBinaryBodiesAre400() throws IOException {
        byte[][] bodies = {
            {'"', (byte) 0xC3, '"'}, {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '1'},
            {'{', 0, '}'}, {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0}, {(byte) 0x80}};
        for (byte[] body : bodies) {
            RawAnswer answer = raw(request("POST", "/v1/topics/fuzz/events", body, "Content-Type: application/json"));
            assertThat(answer.status()).isEqualTo(400);
        }
    }

    // ---- malformed request heads

    @Test
    void malformedRequestHeadsAre4xxAndCloseTheConnection() throws IOException {
        List<byte[]> requests = List.of(
                ascii("GARBAGE\r\n\r\n"),
                ascii("POST /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nBad Header: x\r\nContent-Length: 2\r\n\r\n{}"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
                ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"));
        for (byte[] request : requests) {
            RawAnswer answer = raw(request, true);
            assertThat(answer.status()).as("answer to %s", abbreviate(new String(request, StandardCharsets.ISO_8859_1)))
                    .isBetween(400, 499);
            assertThat(answer.closed()).as("connection closed after %s", abbreviate(new String(request,
                    StandardCharsets.ISO_8859_1))).isTrue();
        }
    }

    @Test
    void headerInjectionAttemptsDoNotReachTheEnvelope() throws IOException {
        // Control characters (a bare CR would split the header in a downstream consumer, NUL truncates C strings)
        // and non-ASCII bytes in the keys are refused, whether by the HTTP decoder or by the key validation.
        for (String value : List.of("a\rInjected: 1", "a\0b", "a\tb", "caf\u00e9", "\u0001")) {
            byte[] request = request("POST", "/v1/topics/fuzz/events", ascii("{}"),
                    "Content-Type: application/json", "Idempotency-Key: " + value);
            RawAnswer answer = raw(request);
            assertThat(answer.status()).as("Idempotency-Key %s", value.replace("\r", "\\r").replace("\0", "\\0"))
                    .isBetween(400, 499);
            request = request("POST", "/v1/topics/fuzz/events", ascii("{}"),
                    "Content-Type: application/json", "Hookline-Ordering-Key: " + value);
            assertThat(raw(request).status()).isBetween(400, 499);
        }
        // A line feed ends a header line: what follows is just another header, and the key is plain "a".
        RawAnswer split = raw(request("POST", "/v1/topics/fuzz/events", ascii("{}"),
                "Content-Type: application/json", "Idempotency-Key: a\nInjected: 1"));
        if (split.status() == 202) {
            String id = new GatewayFixture.Answer(202, Map.of(), split.body()).json().get("id").textValue();
            assertThat(id).isEqualTo(IdempotentEventIds.eventId("acme", "a"));
            accepted.add(id);
        } else {
            assertThat(split.status()).isBetween(400, 499);
        }
    }

    @Test
    void requestSmugglingShapesAreNotAccepted() throws IOException {
        // Both Content-Length and chunked: one of them is ignored or the request is refused; either way no 5xx and
        // the bytes after the first request are not executed as a second, hidden publish.
        String smuggled = "POST /v1/topics/hidden/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\n\r\n{\"smuggled\":true}";
        byte[] request = ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n" + smuggled);
        RawAnswer answer = raw(request);
        assertThat(answer.status()).isBetween(400, 499);
        assertThat(answer.body()).doesNotContain("\"id\"");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        byte[] first = request("POST", "/v1/topics/fuzz/events", ascii("{\"n\": 1}"), "Content-Type: application/json");
        byte[] second = request("POST", "/v1/topics/no-such-topic/events", ascii("{}"), "Content-Type: application/json");
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            ByteArrayOutputStream both = new ByteArrayOutputStream();
            both.writeBytes(first);
            both.writeBytes(second);
            socket.getOutputStream().write(both.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String head = readHead(in, new ByteArrayOutputStream());
                Matcher m = STATUS_LINE.matcher(head);
                statuses.add(m.find() ? Integer.parseInt(m.group(1)) : 0);
                Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
                String body = length.find() ? new String(in.readNBytes(Integer.parseInt(length.group(1))),
                        StandardCharsets.UTF_8) : "";
                if (statuses.get(i) == 202) {
                    accepted.add(new GatewayFixture.Answer(202, Map.of(), body).json().get("id").textValue());
                }
            }
            assertThat(statuses).containsExactly(202, 404);
        }
    }

    @Test
    void expectContinueWithAnOversizedBodyIsRefusedBeforeTheBody() throws IOException {
        RawAnswer answer = raw(ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n"),
                true);
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.closed()).isTrue();
    }

    // ---- slow, truncated and idle clients

    @Test
    void aTruncatedBodyIsDroppedWhenTheRequestTimesOut() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"partial\": "));
            out.flush();
            // The server closes the connection after the request timeout (1 s) without publishing anything.
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void aClientTricklingItsBodyIsDisconnected() throws IOException {
        byte[] head = ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key
                + "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n");
        assertTrickleIsCutOff(head, ascii("[" + "1,".repeat(199)));
    }

    @Test
    void aClientTricklingItsHeadIsDisconnected() throws IOException {
        byte[] head = ascii("POST /v1/topics/fuzz/events HTTP/1.1\r\nHost: x\r\nX-Slow: " + "s".repeat(200) + "\r\n");
        assertTrickleIsCutOff(new byte[0], head);
    }

    /** Sends {@code prefix} at once, then {@code trickled} one byte every 50 ms; the server must close early. */
    private static void assertTrickleIsCutOff(byte[] prefix, byte[] trickled) throws IOException {
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(prefix);
            out.flush();
            AtomicInteger sent = new AtomicInteger();
            // Never idle for long, but the whole request would take 10 s to arrive; the request timeout is 1 s.
            trickle.scheduleAtFixedRate(() -> {
                int i = sent.getAndIncrement();
                if (i < trickled.length) {
                    try {
                        out.write(trickled[i]);
                        out.flush();
                    } catch (IOException e) {
                        sent.set(trickled.length); // the server closed the connection
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            socket.setSoTimeout(10_000);
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(sent.get()).isLessThan(trickled.length);
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void manyIdleConnectionsDoNotStopServiceAndAreClosed() throws IOException {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(connect());
            }
            Answer answer = gateway.publish("fuzz", key, "{\"n\": 1}");
            assertThat(answer.status()).isEqualTo(202);
            collectAccepted(answer, false);
            for (Socket socket : idle) {
                socket.setSoTimeout(10_000);
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    // ---- generators

    private static String randomBody(Random random) {
        String valid = randomJson(random, 0);
        return switch (random.nextInt(8)) {
            case 0 -> valid;
            case 1 -> valid.substring(0, random.nextInt(valid.length() + 1)); // truncated
            case 2 -> mutate(valid, random);
            case 3 -> "[".repeat(1 + random.nextInt(3000)) + "]".repeat(random.nextInt(3000));
            case 4 -> randomText(random, random.nextInt(200));
            case 5 -> "\"" + "x".repeat(random.nextInt(6000)) + "\""; // around the payload limit
            case 6 -> "{\"n\": " + (random.nextBoolean() ? "1e" + random.nextInt(100000) : "1.5") + "}";
            default -> "";
        };
    }

    private static String randomBatch(Random random) {
        StringBuilder batch = new StringBuilder("{\"events\": [");
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            batch.append(i == 0 ? "" : ",");
            switch (random.nextInt(5)) {
                case 0 -> batch.append("{\"payload\": ").append(randomJson(random, 0)).append('}');
                case 1 -> batch.append("{\"payload\": 1, \"idempotencyKey\": \"k-").append(random.nextInt(5)).append("\"}");
                case 2 -> batch.append("{\"payload\": {\"n\": \"not an integer\"}}");
                case 3 -> batch.append("{\"orderingKey\": 7}");
                default -> batch.append(randomJson(random, 0));
            }
        }
        String text = batch.append("]}").toString();
        return random.nextInt(5) == 0 ? mutate(text, random) : text;
    }

    private static String randomJson(Random random, int depth) {
        int kind = depth > 3 ? random.nextInt(4) : random.nextInt(6);
        return switch (kind) {
            case 0 -> Integer.toString(random.nextInt());
            case 1 -> "\"" + randomText(random, random.nextInt(20)).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case 2 -> random.nextBoolean() ? "true" : "null";
            case 3 -> Double.toString(random.nextGaussian() * 1e6);
            case 4 -> {
                StringBuilder b = new StringBuilder("[");
                for (int i = random.nextInt(4); i > 0; i--) {
                    b.append(randomJson(random, depth + 1)).append(i > 1 ? "," : "");
                }
                yield b.append(']').toString();
            }
            default -> {
                StringBuilder b = new StringBuilder("{");
                for (int i = random.nextInt(4); i > 0; i--) {
                    b.append("\"k").append(i).append("\":").append(randomJson(random, depth + 1)).append(i > 1 ? "," : "");
                }
                yield b.append('}').toString();
            }
        };
    }

    private static String randomText(Random random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int c = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(0x20);        // control characters
                case 1 -> 0x20 + random.nextInt(0x5F);  // printable ASCII
                case 2 -> 0xA0 + random.nextInt(0x700); // accented letters and more
                default -> 0x1F600 + random.nextInt(0x40); // emoji (surrogate pairs)
            };
            b.appendCodePoint(c);
        }
        return b.toString();
    }

    private static String mutate(String text, Random random) {
        if (text.isEmpty()) {
            return "{";
        }
        StringBuilder b = new StringBuilder(text);
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            int at = random.nextInt(b.length());
            switch (random.nextInt(3)) {
                case 0 -> b.deleteCharAt(at);
                case 1 -> b.insert(at, "{}[],:\"\\".charAt(random.nextInt(8)));
                default -> b.setCharAt(at, (char) random.nextInt(0x80));
            }
            if (b.length() == 0) {
                break;
            }
        }
        return b.toString();
    }

    // ---- helpers

    private static void collectAccepted(Answer answer, boolean batch) {
        if (answer.status() != 202) {
            return;
        }
        JsonNode json = answer.json();
        if (!batch) {
            accepted.add(json.get("id").textValue());
            return;
        }
        for (JsonNode result : json.get("results")) {
            if (result.has("id")) {
                accepted.add(result.get("id").textValue());
            }
        }
    }

    private static void assertNoServerErrors() {
        String metrics = gateway.get("/metrics").body();
        Matcher m = Pattern.compile("hookline_http_server_requests_seconds_count\\{[^}]*status=\"5\\d\\d\"[^}]*\\} (\\S+)")
                .matcher(metrics);
        List<String> serverErrors = new ArrayList<>();
        while (m.find()) {
            serverErrors.add(m.group());
        }
        assertThat(serverErrors).isEmpty();
    }

    /** An answer read off a raw socket: the status (0 if none came) and whether the server then closed. */
    record RawAnswer(int status, String body, boolean closed) {
    }

    private static Socket connect() throws IOException {
        return new Socket("127.0.0.1", gateway.service().httpPort());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] request(String method, String path, byte[] body, String... headers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        boolean auth = false;
        for (String header : headers) {
            head.append(header).append("\r\n");
            auth |= header.startsWith("Authorization:");
        }
        if (!auth) {
            head.append("Authorization: Bearer ").append(key).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static RawAnswer raw(byte[] request) throws IOException {
        return raw(request, false);
    }

    /**
     * Sends raw bytes on a new connection and reads one response; with {@code checkClosed}, then waits (up to 3 s)
     * to see whether the server closes the connection.
     */
    private static RawAnswer raw(byte[] request, boolean checkClosed) throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                // The server may answer and close before it read everything (oversized heads); read its answer.
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int status = 0;
            String body = "";
            try {
                String head;
                do {
                    // Skips interim answers (100 Continue) to the final one.
                    received.reset();
                    head = readHead(in, received);
                    Matcher m = STATUS_LINE.matcher(head);
                    status = m.find() ? Integer.parseInt(m.group(1)) : 0;
                } while (status >= 100 && status < 200);
                Matcher length = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
                if (length.find()) {
                    byte[] bytes = in.readNBytes(Integer.parseInt(length.group(1)));
                    body = new String(bytes, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                return new RawAnswer(status, body, true);
            }
            if (!checkClosed) {
                return new RawAnswer(status, body, false);
            }
            boolean closed;
            try {
                socket.setSoTimeout(3_000);
                closed = in.read() == -1;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                closed = true;
            }
            return new RawAnswer(status, body, closed);
        }
    }

    private static String readHead(InputStream in, ByteArrayOutputStream received) throws IOException {
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            received.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                break;
            }
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...(" + s.length() + " chars)";
    }
}
