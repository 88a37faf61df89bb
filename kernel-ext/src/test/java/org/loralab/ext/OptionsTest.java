package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loralab.ext.magic.Options;

class OptionsTest {
    private static final java.util.Set<String> KEYS = Options.keys("r", "alpha", "targets", "dropout", "lr");

    @Test
    void unknownOptionSuggestsTheNearestKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.ofWords("%lora", List.of("rnk=8"), KEYS));
        assertEquals("%lora: unknown option 'rnk' (did you mean 'r'?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Options.ofWords("%lora", List.of("alpah=8"), KEYS));
        assertEquals("%lora: unknown option 'alpah' (did you mean 'alpha'?)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Options.ofWords("%lora", List.of("zzzzzzzzz=1"), KEYS));
        assertTrue(e.getMessage().contains("options: alpha, dropout, lr, r, targets"), e.getMessage());
    }

    @Test
    void wordsAndLinesParseTypedValues() {
        Options o = Options.ofWords("%lora", List.of("r=8", "alpha=16.5", "targets=query,value"), KEYS);
        assertEquals(8, o.integer("r", 0));
        assertEquals(16.5, o.number("alpha", 0), 0);
        assertEquals(List.of("query", "value"), o.list("targets", null));
        assertEquals(0.1, o.number("dropout", 0.1), 0);
        Options lines = Options.ofLines("%%train", "# comment\n  lr: 1e-3\n\nr = 4\n", KEYS);
        assertEquals(1e-3, lines.number("lr", 0), 0);
        assertEquals(4, lines.integer("r", 0));
    }

    @Test
    void badValuesAndDuplicatesAreOneLineErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Options.ofWords("%lora", List.of("r=eight"), KEYS).integer("r", 0));
        assertEquals("%lora: option 'r' needs an integer, got 'eight'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Options.ofLines("%%train", "lr: 1\nlr: 2", KEYS));
        assertTrue(e.getMessage().contains("given twice"));
        e = assertThrows(IllegalArgumentException.class, () -> Options.ofWords("%lora", List.of("r"), KEYS));
        assertTrue(e.getMessage().startsWith("%lora: expected key=value"));
    }
}
