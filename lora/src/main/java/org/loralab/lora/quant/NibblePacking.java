package org.loralab.lora.quant;

/**
 * Two 4-bit codes per byte, FIRST element in the HIGH nibble: {@code byte = q[2i] << 4 | q[2i+1]}; an odd count
 * is padded with code 0 in the last low nibble (spec §13.2 step 5).
 */
public final class NibblePacking {
    private NibblePacking() {
    }

    public static byte[] pack(byte[] codes) {
        byte[] packed = new byte[(codes.length + 1) / 2];
        for (int i = 0; i < codes.length; i++) {
            int c = codes[i];
            if (c < 0 || c > 15) {
                throw new IllegalArgumentException("4-bit code out of range 0..15: " + c + " at index " + i);
            }
            packed[i >> 1] |= (byte) ((i & 1) == 0 ? c << 4 : c);
        }
        return packed;
    }

    public static byte[] unpack(byte[] packed, int count) {
        if (count < 0 || (count + 1) / 2 > packed.length) {
            throw new IllegalArgumentException("cannot unpack " + count + " codes from " + packed.length + " bytes");
        }
        byte[] codes = new byte[count];
        for (int i = 0; i < count; i++) {
            int b = packed[i >> 1] & 0xFF;
            codes[i] = (byte) ((i & 1) == 0 ? b >>> 4 : b & 0x0F);
        }
        return codes;
    }
}
