package io.hookline.standalone;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hookline.signature.WebhookSecret;
import io.hookline.signature.WebhookVerificationException;
import io.hookline.signature.WebhookVerifier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A webhook endpoint for trying Hookline out: prints every delivery it receives and whether its Standard
 * Webhooks signature verifies, then answers 204. Usage: {@code java -cp hookline-standalone.jar
 * io.hookline.standalone.DemoReceiver <port> [whsec_secret]}.
 */
public final class DemoReceiver {
    private DemoReceiver() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || !args[0].matches("\\d{1,5}")) {
            System.err.println("usage: DemoReceiver <port> [whsec_secret]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        WebhookVerifier verifier = args.length > 1 && !args[1].isBlank()
                ? new WebhookVerifier(WebhookSecret.parse(args[1].trim())) : null;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> handle(exchange, verifier));
        server.start();
        System.out.println("demo receiver listening on http://127.0.0.1:" + port + "/ ("
                + (verifier == null ? "no secret given: signatures not checked" : "verifying signatures") + ")");
    }

    private static void handle(HttpExchange exchange, WebhookVerifier verifier) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String verdict;
        if (verifier == null) {
            verdict = "signature not checked";
        } else {
            try {
                verifier.verify(exchange.getRequestHeaders(), body);
                verdict = "signature verified";
            } catch (WebhookVerificationException e) {
                verdict = "SIGNATURE INVALID: " + e.getMessage();
            }
        }
        var headers = exchange.getRequestHeaders();
        System.out.printf("%s %s webhook-id=%s attempt=%s subscription=%s: %s%n  %s%n", exchange.getRequestMethod(),
                exchange.getRequestURI(), headers.getFirst("webhook-id"), headers.getFirst("hookline-attempt"),
                headers.getFirst("hookline-subscription"), verdict, new String(body, StandardCharsets.UTF_8));
        exchange.sendResponseHeaders(verdict.startsWith("SIGNATURE INVALID") ? 401 : 204, -1);
        exchange.close();
    }
}
