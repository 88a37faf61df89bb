package org.loralab.kernel;

import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.messages.ContentType;
import org.dflib.jjava.jupyter.messages.MessageType;
import org.dflib.jjava.jupyter.messages.reply.HistoryReply;

import java.util.ArrayList;
import java.util.List;

/**
 * history_reply as the v5 schema wants it: {@code "status": "ok"} and entries as
 * {@code [session, line, input]} or {@code [session, line, [input, output]]} (1.0-a6 sends objects, no status).
 * A named class, so Gson serialises it.
 */
final class HistoryReplyWithStatus implements ContentType<HistoryReplyWithStatus> {

    @SuppressWarnings("unused") // read by Gson
    private final String status = "ok";
    private final List<List<Object>> history = new ArrayList<>();

    HistoryReplyWithStatus(List<HistoryEntry> entries) {
        for (HistoryEntry e : entries) {
            Object input = e.hasOutput() ? List.of(e.getInput(), e.getOutput()) : e.getInput();
            history.add(List.of(e.getSession(), e.getCellNumber(), input));
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public MessageType<HistoryReplyWithStatus> getType() {
        return (MessageType) HistoryReply.MESSAGE_TYPE;
    }
}
