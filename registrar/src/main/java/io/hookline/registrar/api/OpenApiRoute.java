package io.hookline.registrar.api;

import io.hookline.common.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of this API, kept in the repository as
 * {@code src/main/resources/openapi.json} and checked against the real routes by a test. No key needed.
 */
public final class OpenApiRoute {
    public static final String RESOURCE = "/openapi.json";
    private final String document;

    public OpenApiRoute() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the registrar jar");
            }
            document = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void register(RouteTable routes) {
        routes.get("/openapi.json", request -> HttpResponse.text(200, "application/json", document));
    }
}
