package io.hookline.bench.jmh;

import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Standard Webhooks signing as the dispatcher does it for every delivery ({@link WebhookSigner#sign}: a
 * {@code Mac.getInstance} + {@code init} per secret, HMAC-SHA256 over {@code id.timestamp.body}, base64, header
 * string), with one secret and with two (a rotation's grace period), against baselines:
 * <ul>
 *   <li>{@code baselineBareMac}: the HMAC alone on a {@code Mac} initialised once — the floor;</li>
 *   <li>{@code baselineMacPerCall}: {@code getInstance} + {@code init} + HMAC per call, no encoding — what the signer
 *       pays before its base64 and string work.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
public class SignatureBenchmark {

    @Param({"1024", "65536"})
    public int bodyBytes;

    @Param({"1", "2"})
    public int secrets;

    private final String messageId = "evt_01KAQ3ZK7X9V5T2M4N8P6R0S1W";
    private final long timestamp = 1_763_800_000L;
    private byte[] body;
    private byte[] prefix;
    private List<WebhookSecret> signingSecrets;
    private byte[][] keys;
    private Mac[] initialisedMacs;

    @Setup
    public void setUp() throws GeneralSecurityException {
        body = new byte[bodyBytes];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + random.nextInt(26));
        }
        prefix = (messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        signingSecrets = new ArrayList<>();
        keys = new byte[secrets][];
        initialisedMacs = new Mac[secrets];
        for (int i = 0; i < secrets; i++) {
            WebhookSecret secret = WebhookSecret.generate();
            signingSecrets.add(secret);
            // WebhookSecret keeps its key bytes package-private; the shareable form carries them.
            keys[i] = Base64.getDecoder().decode(secret.toString().substring(WebhookSecret.PREFIX.length()));
            initialisedMacs[i] = Mac.getInstance("HmacSHA256");
            initialisedMacs[i].init(new SecretKeySpec(keys[i], "HmacSHA256"));
        }
        signingSecrets = List.copyOf(signingSecrets);
    }

    @Benchmark
    public String webhookSigner() {
        return WebhookSigner.sign(messageId, timestamp, body, signingSecrets);
    }

    @Benchmark
    public void baselineBareMac(Blackhole bh) {
        for (Mac mac : initialisedMacs) {
            mac.update(prefix);
            bh.consume(mac.doFinal(body));
        }
    }

    @Benchmark
    public void baselineMacPerCall(Blackhole bh) throws GeneralSecurityException {
        for (byte[] key : keys) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            bh.consume(mac.doFinal(body));
        }
    }
}
