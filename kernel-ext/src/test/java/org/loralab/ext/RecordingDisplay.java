package org.loralab.ext;

import java.util.ArrayList;
import java.util.List;
import org.loralab.ext.live.Display;

/** Records shows and updates, in order. */
public final class RecordingDisplay implements Display {
    public record Event(String kind, String id, Object value, String mime) {}

    public final List<Event> events = new ArrayList<>();
    private int next;

    @Override
    public String show(Object value, String mime) {
        String id = "d" + next++;
        events.add(new Event("show", id, value, mime));
        return id;
    }

    @Override
    public void update(String id, Object value, String mime) {
        events.add(new Event("update", id, value, mime));
    }

    public long count(String kind, String mime) {
        return events.stream().filter(e -> e.kind().equals(kind) && e.mime().equals(mime)).count();
    }

    /** The last value shown or updated under display id {@code id}. */
    public Object last(String id) {
        Object v = null;
        for (Event e : events) {
            if (e.id().equals(id)) {
                v = e.value();
            }
        }
        return v;
    }
}
