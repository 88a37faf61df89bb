package org.loralab.lora.config;

import java.util.Locale;
import java.util.Objects;

/**
 * PEFT's {@code init_lora_weights}: {@code true} (kaiming-uniform A, zero B), {@code false}, or a
 * named scheme such as {@code "gaussian"}, {@code "pissa"}, {@code "pissa_niter_16"}, {@code "olora"}.
 *
 * <p>The name is kept lower-case; {@link #niter()} is the K of {@code pissa_niter_K} (0 otherwise).
 * Initialisers for names other than true/false/gaussian are found through
 * {@link org.loralab.lora.variant.lora.LoraInits}.
 */
public final class LoraInit {
    /** {@code init_lora_weights=True}: kaiming-uniform(a=sqrt 5) A, zero B (embedding: zero A). */
    public static final LoraInit KAIMING = new LoraInit("true", 0);
    /** {@code init_lora_weights=False}: A and B both random (not a no-op; for tests). */
    public static final LoraInit NONE = new LoraInit("false", 0);
    /** {@code "gaussian"}: A ~ N(0, 1/r), zero B. */
    public static final LoraInit GAUSSIAN = new LoraInit("gaussian", 0);
    /** {@code "pissa"}: exact SVD of W; residual written into the base weight. */
    public static final LoraInit PISSA = new LoraInit("pissa", 0);
    /** {@code "olora"}: QR of W; residual written into the base weight. */
    public static final LoraInit OLORA = new LoraInit("olora", 0);

    private final String name;
    private final int niter;

    private LoraInit(String name, int niter) {
        this.name = name;
        this.niter = niter;
    }

    /** {@code "pissa_niter_K"}: randomized SVD with K subspace iterations. */
    public static LoraInit pissaNiter(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("pissa_niter_K needs K >= 0, got " + k);
        }
        return new LoraInit("pissa_niter_" + k, k);
    }

    /** Any other named scheme (e.g. "loftq", "orthogonal"), resolved at injection time. */
    public static LoraInit named(String name) {
        return parse(name);
    }

    /**
     * Parses PEFT's JSON value: a Boolean, or a String (case-insensitive, as PEFT does for "olora").
     */
    public static LoraInit parse(Object value) {
        if (value == null || Boolean.TRUE.equals(value)) {
            return KAIMING;
        }
        if (Boolean.FALSE.equals(value)) {
            return NONE;
        }
        String s = value.toString().trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "true":
                return KAIMING;
            case "false":
                return NONE;
            case "gaussian":
                return GAUSSIAN;
            case "pissa":
                return PISSA;
            case "olora":
                return OLORA;
            default:
                break;
        }
        if (s.startsWith("pissa_niter_")) {
            try {
                return pissaNiter(Integer.parseInt(s.substring("pissa_niter_".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "init '" + value + "': expected pissa_niter_<integer>, e.g. pissa_niter_16");
            }
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("init must not be empty; use true, false, gaussian, pissa, pissa_niter_K or olora");
        }
        return new LoraInit(s, 0);
    }

    /** Lower-case scheme name: "true", "false", "gaussian", "pissa", "pissa_niter_16", "olora", ... */
    public String name() {
        return name;
    }

    /** The family without parameters: "pissa" for "pissa_niter_16". */
    public String family() {
        return name.startsWith("pissa_niter_") ? "pissa" : name;
    }

    /** K of {@code pissa_niter_K}, 0 for everything else. */
    public int niter() {
        return niter;
    }

    /** True for {@code init_lora_weights=True} (the default). */
    public boolean isDefault() {
        return this.equals(KAIMING);
    }

    /** The value PEFT writes in adapter_config.json: a JSON boolean or a string. */
    public Object toJsonValue() {
        if ("true".equals(name)) {
            return Boolean.TRUE;
        }
        if ("false".equals(name)) {
            return Boolean.FALSE;
        }
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraInit && ((LoraInit) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
