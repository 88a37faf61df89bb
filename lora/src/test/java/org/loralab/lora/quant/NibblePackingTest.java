package org.loralab.lora.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NibblePackingTest {
    @Test
    void firstElementGoesInTheHighNibbleAndOddCountsArePaddedWithZero() {
        byte[] packed = NibblePacking.pack(new byte[] {1, 2, 15, 0, 10});
        assertArrayEquals(new byte[] {0x12, (byte) 0xF0, (byte) 0xA0}, packed);
    }

    @Test
    void unpackInvertsPack() {
        byte[] codes = new byte[257];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) ((i * 7) % 16);
        }
        assertArrayEquals(codes, NibblePacking.unpack(NibblePacking.pack(codes), codes.length));
    }

    @Test
    void rejectsCodesOutsideFourBitsAndShortBuffers() {
        assertThrows(IllegalArgumentException.class, () -> NibblePacking.pack(new byte[] {16}));
        assertThrows(IllegalArgumentException.class, () -> NibblePacking.unpack(new byte[2], 5));
    }
}
