package io.hookline.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.hookline.common.json.IsoInstants;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/** Field readers and writers shared by the hand-written record codecs of this package. */
final class JsonFields {
    private JsonFields() {
    }

    static String text(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
    }

    static Integer integer(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsInt();
    }

    static Long whole(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getValueAsLong();
    }

    /** ISO-8601 text, or decimal epoch seconds (Jackson's numeric form; integers are seconds, as Jackson reads them). */
    static Instant instant(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case VALUE_STRING -> IsoInstants.parse(p.getText());
            case VALUE_NUMBER_INT -> Instant.ofEpochSecond(p.getLongValue());
            case VALUE_NUMBER_FLOAT -> epochSeconds(p.getText());
            default -> throw new IOException("expected an instant but found " + p.currentToken());
        };
    }

    private static Instant epochSeconds(String text) {
        int dot = text.indexOf('.');
        if (dot < 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0 || text.length() - dot - 1 > 9
                || text.startsWith("-")) {
            BigDecimal value = new BigDecimal(text); // not what Hookline writes: the general way
            long seconds = value.setScale(0, RoundingMode.FLOOR).longValueExact();
            return Instant.ofEpochSecond(seconds, value.subtract(BigDecimal.valueOf(seconds)).movePointRight(9)
                    .longValue());
        }
        long seconds = Long.parseLong(text, 0, dot, 10);
        int width = text.length() - dot - 1;
        long nanos = width == 0 ? 0 : Long.parseLong(text, dot + 1, text.length(), 10);
        for (int i = width; i < 9; i++) {
            nanos *= 10;
        }
        return Instant.ofEpochSecond(seconds, nanos);
    }

    static void writeText(JsonGenerator gen, String field, String value) throws IOException {
        if (value != null) {
            gen.writeStringField(field, value);
        }
    }

    /** As ISO-8601 text, exactly like Jackson's own {@code Instant} serialiser; null omitted. */
    static void writeIsoInstant(JsonGenerator gen, String field, Instant instant) throws IOException {
        if (instant != null) {
            gen.writeStringField(field, IsoInstants.format(instant));
        }
    }

    /** As decimal epoch seconds ({@code 1763800000.123456789}), which Jackson reads back exactly; null omitted. */
    static void writeEpochInstant(JsonGenerator gen, String field, Instant instant) throws IOException {
        if (instant == null) {
            return;
        }
        long seconds = instant.getEpochSecond();
        if (seconds < 0) {
            writeIsoInstant(gen, field, instant); // a negative decimal would need care; never hit in practice
            return;
        }
        String nanos = Integer.toString(instant.getNano());
        gen.writeFieldName(field);
        gen.writeNumber(seconds + "." + "000000000".substring(nanos.length()) + nanos);
    }
}
