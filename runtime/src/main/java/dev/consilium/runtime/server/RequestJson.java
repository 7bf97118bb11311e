package dev.consilium.runtime.server;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;

/** A request's JSON body, read within the server's size limit, or the OpenAI error that says what is wrong with it. */
final class RequestJson {
    private RequestJson() {}

    /** The most bytes of an oversized body of unknown length read and dropped before it is refused. */
    private static final long DRAIN_BYTES = 1 << 20;

    private static void discard(InputStream in, long max) throws IOException {
        byte[] buf = new byte[8192];
        for (long n = 0; n < max; ) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, max - n));
            if (r < 0) return;
            n += r;
        }
    }

    /** The body, refused with 413 when its declared or actual length passes the limit. */
    static JsonNode read(Exchange exchange, int limit) throws IOException {
        // a Content-Length that is no length never gets here: the HTTP layer answers it (JsonErrorHandler)
        if (exchange.declaredLength() > limit) throw ApiException.tooLarge(limit);
        byte[] body;
        try (InputStream in = exchange.body()) {
            body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                // Closing with the client's bytes still unread makes TCP reset the connection, and a reset can destroy
                // the 413 before the client reads it; so read on, within a bound that keeps a huge upload cheap to refuse.
                discard(in, DRAIN_BYTES);
                throw ApiException.tooLarge(limit);
            }
        }
        if (body.length == 0) throw ApiException.invalidJson("The request body is empty; send a JSON object");
        try {
            return Wire.JSON.readTree(body);
        } catch (StreamConstraintsException e) {
            // nesting or a number past the parser's limits, which carry no location; the client needs the limit, not
            // the Jackson setting that holds it
            throw ApiException.invalidJson("The JSON body of your request is beyond this server's limits: "
                    + e.getOriginalMessage().replaceAll(", from `[^`]*`", ""));
        } catch (JsonProcessingException e) {
            // Jackson's own message may cite "[Source: REDACTED ...]"; the line and column say where
            String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source:.*\\]\\)", "");
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw ApiException.invalidJson("We could not parse the JSON body of your request" + where + ": " + why);
        }
    }
}
