package org.loralab.ext.live;

/** Where live outputs go: an updatable display (a kernel) or a recorder (tests). */
public interface Display {
    /** Shows {@code value} as {@code mime} and returns its display id. */
    String show(Object value, String mime);

    /** Replaces what display {@code id} shows. */
    void update(String id, Object value, String mime);
}
