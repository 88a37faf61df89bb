package org.loralab.lora.hf.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;

/** Turns HTTP statuses and network failures into one-line {@link HubException}s that say what to do. */
final class HubErrors {
    private HubErrors() {}

    /**
     * @param what    what was being fetched, e.g. "model org/name at revision main"
     * @param repoId  the repository, for the advice
     */
    static HubException status(int code, HttpHeaders headers, String what, String repoId, boolean sentToken) {
        String errorCode = headers.firstValue("X-Error-Code").orElse("");
        String detail = headers.firstValue("X-Error-Message").map(m -> " (" + clip(m) + ")").orElse("");
        return switch (code) {
            case 401 -> new HubException(what + ": 401 Unauthorized" + detail + (sentToken
                    ? "; the Hub refused the token in HF_TOKEN: check it has read access to " + repoId
                    : "; " + repoId + " is private or gated (or does not exist): set HF_TOKEN to a token that can read it"),
                    true, null);
            case 403 -> new HubException(what + ": 403 Forbidden" + detail + "; " + repoId
                    + " is gated: accept its conditions on the model page, then set HF_TOKEN", true, null);
            case 404 -> switch (errorCode) {
                case "RevisionNotFound" -> new HubException(what + ": revision not found (404)" + detail
                        + "; check the branch, tag or commit", false, null);
                case "EntryNotFound" -> new HubException(what + ": file not found in the repository (404)" + detail,
                        false, null);
                default -> new HubException(what + ": not found (404)" + detail
                        + "; check the model id '" + repoId + "' and the revision", true, null);
            };
            case 429 -> new HubException(what + ": 429 Too Many Requests" + detail + "; wait and try again", true, null);
            default -> new HubException(what + ": HTTP " + code + detail
                    + (code >= 500 ? "; the Hub has a problem, try again later" : ""), code >= 500, null);
        };
    }

    static HubException network(IOException e, URI url, String what) {
        String host = url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
        String advice = "; check the network and HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache";
        if (e instanceof ConnectException) {
            return new HubException(what + ": cannot connect to " + host + " (connection refused)" + advice, true, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new HubException(what + ": " + host + " did not answer in time" + advice, true, e);
        }
        if (e instanceof UnknownHostException || e.getCause() instanceof UnresolvedAddressException) {
            return new HubException(what + ": unknown host " + host + advice, true, e);
        }
        return new HubException(what + ": " + e.getClass().getSimpleName() + " talking to " + host
                + (e.getMessage() == null ? "" : ": " + clip(e.getMessage())) + advice, true, e);
    }

    static HubException interrupted(String what) {
        Thread.currentThread().interrupt();
        return new HubException(what + ": interrupted; run again to resume");
    }

    private static String clip(String s) {
        String one = HubException.oneLine(s);
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
