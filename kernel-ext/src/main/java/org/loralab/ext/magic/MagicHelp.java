package org.loralab.ext.magic;

/** One line of {@code %lab help}: the magic, its usage, and the public Java call it wraps. */
public record MagicHelp(String magic, String usage, String javaCall) {}
