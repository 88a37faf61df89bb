package org.loralab.lora.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EditDistanceTest {
    @Test
    void countsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, EditDistance.levenshtein("query", "query"));
        assertEquals(3, EditDistance.levenshtein("kitten", "sitting"));
        assertEquals(5, EditDistance.levenshtein("", "value"));
        assertEquals(5, EditDistance.levenshtein("value", ""));
        assertEquals(1, EditDistance.levenshtein("q_proj", "qproj"));
        assertEquals(EditDistance.levenshtein("lora_A", "loraB"), EditDistance.levenshtein("loraB", "lora_A"));
    }
}
