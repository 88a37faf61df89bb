package org.loralab.lora.hf.hub;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of URL path parts as Python's {@code urllib.parse.quote} does it for the Hub's URLs. */
final class UrlPaths {
    private static final String UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private UrlPaths() {}

    /** @param keepSlash true for a file path ({@code quote(filename)}), false for a revision ({@code safe=""}). */
    static String encode(String s, boolean keepSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (UNRESERVED.indexOf(c) >= 0 || (keepSlash && c == '/')) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
