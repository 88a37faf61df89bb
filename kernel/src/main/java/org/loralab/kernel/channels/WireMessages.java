package org.loralab.kernel.channels;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.KernelTimestamp;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.adapters.HeaderAdapter;
import org.dflib.jjava.jupyter.messages.adapters.HistoryRequestAdapter;
import org.dflib.jjava.jupyter.messages.adapters.KernelTimestampAdapter;
import org.dflib.jjava.jupyter.messages.adapters.MessageTypeAdapter;
import org.dflib.jjava.jupyter.messages.request.HistoryRequest;
import org.zeromq.ZMQ;

import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads one request from a ROUTER socket: all frames of the multipart message first, then checks the structure and
 * the signature, then parses. A forged or malformed message is refused with a one-line reason and leaves the
 * socket aligned on the next message (jjava's reader throws from the socket's thread, which killed the shell loop).
 */
final class WireMessages {

    private static final byte[] DELIMITER = "<IDS|MSG>".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_FRAMES = 4096;
    private static final Type JSON_MAP = new TypeToken<Map<String, Object>>() {
    }.getType();
    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
            .registerTypeAdapter(Header.class, HeaderAdapter.INSTANCE)
            .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
            .registerTypeAdapter(HistoryRequest.class, HistoryRequestAdapter.INSTANCE)
            .create();

    /** Why a message was not accepted. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    private WireMessages() {
    }

    /** All frames of the next multipart message (the caller polled: one is ready). */
    static List<byte[]> frames(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            byte[] frame = socket.recv(0);
            if (frame == null) {
                break;
            }
            if (frames.size() < MAX_FRAMES) {
                frames.add(frame);
            }
        } while (socket.hasReceiveMore());
        return frames;
    }

    /** Parses frames into a request; throws {@link Refused} for a bad structure, signature or JSON. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Message<?> parse(List<byte[]> frames, HMACGenerator hmac) throws Refused {
        int delimiter = -1;
        for (int i = 0; i < frames.size(); i++) {
            if (Arrays.equals(DELIMITER, frames.get(i))) {
                delimiter = i;
                break;
            }
        }
        if (delimiter < 0 || frames.size() < delimiter + 6) {
            throw new Refused("malformed message (" + frames.size() + " frames, delimiter at " + delimiter + ")");
        }
        byte[] signature = frames.get(delimiter + 1);
        byte[] header = frames.get(delimiter + 2);
        byte[] parent = frames.get(delimiter + 3);
        byte[] metadata = frames.get(delimiter + 4);
        byte[] content = frames.get(delimiter + 5);
        String expected = hmac.calculateSignature(header, parent, metadata, content);
        if (expected != null && !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature)) {
            throw new Refused("invalid signature");
        }
        try {
            Header<?> head = GSON.fromJson(utf8(header), Header.class);
            if (head == null || head.getType() == null) {
                throw new Refused("no message type in the header");
            }
            Header<?> parentHeader = null;
            JsonElement parentJson = JsonParser.parseString(utf8(parent));
            if (parentJson.isJsonObject() && !parentJson.getAsJsonObject().isEmpty()) {
                parentHeader = GSON.fromJson(parentJson, Header.class);
            }
            Map<String, Object> meta = GSON.fromJson(utf8(metadata), JSON_MAP);
            Class<?> contentType = head.getType().getContentType();
            Object body = contentType == null ? null : GSON.fromJson(utf8(content), contentType);
            List<byte[]> identities = new ArrayList<>(frames.subList(0, delimiter));
            List<byte[]> blobs = new ArrayList<>(frames.subList(delimiter + 6, frames.size()));
            return new Message(identities, head, parentHeader, meta, body, blobs);
        } catch (Refused e) {
            throw e;
        } catch (RuntimeException e) {
            throw new Refused("unreadable message: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
