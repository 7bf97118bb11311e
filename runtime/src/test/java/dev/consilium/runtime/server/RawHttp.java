package dev.consilium.runtime.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** Bytes on a socket, for requests no HTTP client would send; and the sockets this process holds open. */
final class RawHttp {
    private RawHttp() {}

    /** A response as read off the wire; headers are lower-cased. */
    record Response(int status, Map<String, String> headers, String body) {
        @Override
        public String toString() {
            return status + " " + headers + " " + body;
        }
    }

    /**
     * Sends {@code request} and reads the response to the end of the connection. The writer runs beside the
     * reader: a server may answer (and close) before it has read a large request, and the answer must still be seen.
     */
    static Response exchange(int port, String request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(bytes);
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before reading all of it: the response says why
                }
            });
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    received.write(buf, 0, n);
                    if (complete(received.toString(StandardCharsets.ISO_8859_1))) break;
                }
            } catch (SocketException e) {
                // a reset after the response: what arrived before it is the answer
            }
            writer.join();
            return parse(received.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Headers and a body of the declared length have arrived. */
    private static boolean complete(String s) {
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) return false;
        String length = headers(s.substring(0, end)).get("content-length");
        return length != null && s.length() - end - 4 >= Integer.parseInt(length.trim());
    }

    private static Response parse(String s) {
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) throw new AssertionError("no HTTP response, only: '" + s + "'");
        String head = s.substring(0, end);
        String[] statusLine = head.split("\r\n", 2)[0].split(" ");
        return new Response(Integer.parseInt(statusLine[1]), headers(head), s.substring(end + 4));
    }

    private static Map<String, String> headers(String head) {
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return headers;
    }

    /** Sockets open in this process (Linux): each server-side connection holds one. */
    static long openSockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while listed
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
