package org.loralab.lora.inject;

import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Parameter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reflection on DJL blocks: the live children list (AbstractBlock.getChildren() returns a copy),
 * the live parameter map, and the instance fields that reference a block.
 */
final class Reflect {
    private static final Field CHILDREN = field(AbstractBlock.class, "children");
    private static final Field PARAMETERS = field(AbstractBlock.class, "parameters");

    private Reflect() {}

    static Field field(Class<?> c, String name) {
        try {
            Field f = c.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("DJL internals changed: " + c.getName() + "." + name + " not accessible", e);
        }
    }

    /** The live children list of an AbstractBlock, or null for other Block implementations. */
    static BlockList children(Block b) {
        if (!(b instanceof AbstractBlock)) {
            return null;
        }
        try {
            return (BlockList) CHILDREN.get(b);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The live parameter map of an AbstractBlock. */
    @SuppressWarnings("unchecked")
    static LinkedHashMap<String, Parameter> parameters(Block b) {
        try {
            return (LinkedHashMap<String, Parameter>) PARAMETERS.get(b);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every non-static instance field of {@code c} and its superclasses. */
    static List<Field> instanceFields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                    try {
                        f.setAccessible(true);
                    } catch (RuntimeException e) {
                        continue;
                    }
                    out.add(f);
                }
            }
        }
        return out;
    }

    /**
     * Fields of {@code parent} (other than the children list) that hold {@code child} directly or inside
     * a List or array.
     */
    static List<Field> fieldsReferencing(Block parent, Block child) {
        List<Field> out = new ArrayList<>();
        for (Field f : instanceFields(parent.getClass())) {
            if (f.equals(CHILDREN) || f.equals(PARAMETERS)) {
                continue;
            }
            Object v = get(f, parent);
            if (v == child) {
                out.add(f);
            } else if (v instanceof List) {
                for (Object o : (List<?>) v) {
                    if (o == child) {
                        out.add(f);
                        break;
                    }
                }
            } else if (v instanceof Object[]) {
                for (Object o : (Object[]) v) {
                    if (o == child) {
                        out.add(f);
                        break;
                    }
                }
            } else if (v instanceof java.util.Map) {
                for (Object o : ((java.util.Map<?, ?>) v).values()) {
                    if (o == child) {
                        out.add(f);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Whether every reference to {@code child} in {@code parent} can hold a value of type {@code type}. */
    static boolean canReplace(Block parent, Block child, Class<?> type) {
        for (Field f : fieldsReferencing(parent, child)) {
            Object v = get(f, parent);
            if (v == child) {
                if (!f.getType().isAssignableFrom(type) || Modifier.isFinal(f.getModifiers()) && f.getDeclaringClass().isRecord()) {
                    return false;
                }
            } else if (v instanceof Object[]) {
                if (!v.getClass().getComponentType().isAssignableFrom(type)) {
                    return false;
                }
            } else if (v instanceof List) {
                try {
                    @SuppressWarnings("unchecked")
                    List<Object> l = (List<Object>) v;
                    int i = indexOf(l, child);
                    l.set(i, l.get(i)); // probe: unmodifiable lists throw
                } catch (UnsupportedOperationException e) {
                    return false;
                }
            } else if (v instanceof java.util.Map) {
                try {
                    @SuppressWarnings("unchecked")
                    java.util.Map<Object, Object> mp = (java.util.Map<Object, Object>) v;
                    for (java.util.Map.Entry<Object, Object> e : mp.entrySet()) {
                        if (e.getValue() == child) {
                            mp.put(e.getKey(), child); // probe: unmodifiable maps throw
                        }
                    }
                } catch (UnsupportedOperationException e) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Replaces {@code oldChild} by {@code newChild} in the children list (same key) and in every field. */
    static void replace(Block parent, Block oldChild, Block newChild) {
        BlockList list = children(parent);
        if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                if (list.valueAt(i) == oldChild) {
                    String key = list.keyAt(i);
                    list.remove(i);
                    list.add(i, key, newChild);
                }
            }
        }
        for (Field f : fieldsReferencing(parent, oldChild)) {
            Object v = get(f, parent);
            try {
                if (v == oldChild) {
                    f.set(parent, newChild);
                } else if (v instanceof Object[]) {
                    Object[] arr = (Object[]) v;
                    for (int i = 0; i < arr.length; i++) {
                        if (arr[i] == oldChild) {
                            arr[i] = newChild;
                        }
                    }
                } else if (v instanceof List) {
                    @SuppressWarnings("unchecked")
                    List<Object> l = (List<Object>) v;
                    for (int i = 0; i < l.size(); i++) {
                        if (l.get(i) == oldChild) {
                            l.set(i, newChild);
                        }
                    }
                } else if (v instanceof java.util.Map) {
                    @SuppressWarnings("unchecked")
                    java.util.Map<Object, Object> mp = (java.util.Map<Object, Object>) v;
                    for (java.util.Map.Entry<Object, Object> e : mp.entrySet()) {
                        if (e.getValue() == oldChild) {
                            e.setValue(newChild);
                        }
                    }
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot replace field " + f + " of " + parent.getClass().getName(), e);
            }
        }
    }

    private static int indexOf(List<Object> l, Object o) {
        for (int i = 0; i < l.size(); i++) {
            if (l.get(i) == o) {
                return i;
            }
        }
        return -1;
    }

    static Object get(Field f, Object target) {
        try {
            return f.get(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
