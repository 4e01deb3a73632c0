package io.hookline.replayer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain-text tables for people: one header row, columns as wide as their widest cell. */
final class Tables {
    private Tables() {
    }

    static void print(PrintWriter out, JsonNode rows, String[] headers, String[] fields) {
        List<String[]> cells = new ArrayList<>();
        cells.add(headers);
        for (JsonNode row : rows) {
            String[] line = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                JsonNode v = row.get(fields[i]);
                line[i] = v == null || v.isNull() ? "-" : v.isTextual() ? v.textValue() : v.toString();
            }
            cells.add(line);
        }
        int[] widths = new int[headers.length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        for (String[] line : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                sb.append(i == line.length - 1 ? line[i] : String.format("%-" + widths[i] + "s  ", line[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    /** {@code [##########----------]  12/30  40%  replayed 12  failed 0  running}. */
    static String progressBar(JsonNode job, int width) {
        int total = job.path("total").asInt();
        int done = job.path("replayed").asInt() + job.path("failed").asInt() + job.path("cancelled").asInt();
        double p = total == 0 ? 1.0 : (double) done / total;
        int filled = (int) Math.round(p * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]  " + done + "/" + total + "  "
                + Math.round(p * 100) + "%  replayed " + job.path("replayed").asInt() + "  failed "
                + job.path("failed").asInt() + "  " + job.path("state").asText();
    }
}
