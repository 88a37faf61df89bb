package org.loralab.lora.inject;

import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.lang.reflect.Field;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep copy of a DJL block tree with fresh Parameters holding duplicated arrays (PEFT's
 * {@code copy.deepcopy} for {@code modules_to_save}). Blocks are copied field by field; fields that
 * reference a copied block or parameter are redirected to the copy, other fields are shared
 * (shapes, settings, lambdas).
 */
final class BlockCloner {
    private static final Object UNSAFE;
    private static final java.lang.reflect.Method ALLOCATE;

    static {
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = f.get(null);
            ALLOCATE = c.getMethod("allocateInstance", Class.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Object, Object> copies = new IdentityHashMap<>();

    private BlockCloner() {}

    /** A deep copy of {@code block}; its parameters are new (new ids) with copied values. */
    static Block copy(Block block) {
        return (Block) new BlockCloner().copyObject(block);
    }

    private Object copyObject(Object o) {
        if (o == null) {
            return null;
        }
        Object done = copies.get(o);
        if (done != null) {
            return done;
        }
        if (o instanceof Parameter) {
            Parameter p = (Parameter) o;
            // a Parameter built with optArray alone has no shape, and parameter counting (Fit, NamedParams) needs one
            Shape shape = p.isInitialized() ? p.getArray().getShape() : p.getShape();
            Parameter c = Parameter.builder().setName(p.getName()).setType(p.getType())
                    .optInitializer(p.getInitializer()).optRequiresGrad(p.requiresGradient())
                    .optShape(shape)
                    .optArray(p.isInitialized() ? p.getArray().duplicate() : null)
                    .build();
            copies.put(o, c);
            return c;
        }
        if (o instanceof Block) {
            Object c;
            try {
                c = ALLOCATE.invoke(UNSAFE, o.getClass());
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot copy " + o.getClass().getName() + " for modules_to_save", e);
            }
            copies.put(o, c);
            for (Field f : Reflect.instanceFields(o.getClass())) {
                Object v = Reflect.get(f, o);
                try {
                    f.set(c, copyValue(v));
                } catch (IllegalAccessException e) {
                    throw new IllegalArgumentException("cannot copy field " + f + " for modules_to_save", e);
                }
            }
            return c;
        }
        return o;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object copyValue(Object v) {
        if (v instanceof Block || v instanceof Parameter) {
            return copyObject(v);
        }
        if (v instanceof BlockList) {
            BlockList src = (BlockList) v;
            BlockList dst = new BlockList(src.size());
            for (int i = 0; i < src.size(); i++) {
                dst.add(src.keyAt(i), (Block) copyObject(src.valueAt(i)));
            }
            return dst;
        }
        if (v instanceof LinkedHashMap) {
            Map src = (Map) v;
            LinkedHashMap dst = new LinkedHashMap();
            for (Object e : src.entrySet()) {
                Map.Entry en = (Map.Entry) e;
                dst.put(en.getKey(), copyValue(en.getValue()));
            }
            return dst;
        }
        if (v instanceof java.util.ArrayList) {
            List src = (List) v;
            java.util.ArrayList dst = new java.util.ArrayList(src.size());
            for (Object x : src) {
                dst.add(copyValue(x));
            }
            return dst;
        }
        return v;
    }
}
